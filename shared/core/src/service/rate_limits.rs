//! Rate limits: fixed windows counted in the store, so they hold across
//! every Lambda instance (one conditional-free UpdateItem per limited
//! request on DynamoDB; in memory in banter-local). A refusal is
//! `RATE_LIMITED` with the time left in the window.

use super::{ChatError, ChatResult, ErrorCode, Services};
use crate::domain::Timestamp;
use std::time::Duration;

/// At most `max` requests per `window`. `max == 0` means unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u64,
    pub window: Duration,
}

impl RateLimit {
    pub const fn per(max: u64, window: Duration) -> Self {
        Self { max, window }
    }

    pub const UNLIMITED: Self = Self::per(0, Duration::from_secs(1));
}

/// Every limit a deployment sets (docs/protocol/native.md lists the defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Messages sent by one user, over every connection and REST.
    pub send_per_user: RateLimit,
    /// Typing updates by one user.
    pub typing_per_user: RateLimit,
    /// Registrations from one source IP.
    pub register_per_ip: RateLimit,
    /// Login attempts from one source IP.
    pub login_per_ip: RateLimit,
    /// Login attempts for one username, from anywhere (password guessing).
    pub login_per_username: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            send_per_user: RateLimit::per(100, Duration::from_secs(1)),
            typing_per_user: RateLimit::per(20, Duration::from_secs(1)),
            register_per_ip: RateLimit::per(60, Duration::from_secs(60)),
            login_per_ip: RateLimit::per(120, Duration::from_secs(60)),
            login_per_username: RateLimit::per(20, Duration::from_secs(60)),
        }
    }
}

impl RateLimits {
    pub fn unlimited() -> Self {
        Self {
            send_per_user: RateLimit::UNLIMITED,
            typing_per_user: RateLimit::UNLIMITED,
            register_per_ip: RateLimit::UNLIMITED,
            login_per_ip: RateLimit::UNLIMITED,
            login_per_username: RateLimit::UNLIMITED,
        }
    }
}

impl Services {
    /// Counts one request by `subject` against `limit`; refuses it once the
    /// window holds more than `limit.max`.
    pub(crate) async fn check_rate(
        &self,
        kind: &str,
        subject: &str,
        limit: RateLimit,
    ) -> ChatResult<()> {
        if limit.max == 0 {
            return Ok(());
        }
        let now = Timestamp::now();
        let window_ms = i64::try_from(limit.window.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let start = Timestamp(now.millis() - now.millis().rem_euclid(window_ms));
        let end = Timestamp(start.millis().saturating_add(window_ms));
        let count = self
            .store
            .count_request(&format!("{kind}#{subject}"), start, end.plus(limit.window))
            .await?;
        if count <= limit.max {
            return Ok(());
        }
        let retry_after_ms = u64::try_from(end.millis() - now.millis())
            .unwrap_or(0)
            .max(1);
        Err(ChatError::retry_after(
            ErrorCode::RateLimited,
            format!(
                "too many {kind} requests: at most {} per {} ms",
                limit.max,
                limit.window.as_millis()
            ),
            retry_after_ms,
        ))
    }
}
