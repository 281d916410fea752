//! Rate limits: fixed windows counted in the store, so they hold across
//! every Lambda instance (one conditional-free UpdateItem per limited
//! request on DynamoDB; in memory in banter-local). A refusal is
//! `RATE_LIMITED` with the time left in the window.

use super::Services;
use crate::domain::Timestamp;
use crate::protocol::{ChatError, ChatResult, ErrorCode};

use crate::config::rate_limits::RateLimit;

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
