//! How one frame reaches one connection through the push port, and what a
//! failure means. API Gateway answers 410 both for a socket that is gone and
//! for one whose `$connect` has not returned yet; only the first is gone.
//! 429 and 5xx are transient: retried with backoff and jitter, and never a
//! reason to forget a connection.

use super::Services;
use crate::domain::limits::CONNECT_GRACE_MILLIS;
use crate::domain::{Connection, Timestamp, UserId};
use crate::ports::PushError;
use rand::Rng;
use std::time::Duration;

/// First pause before asking again whether a new connection is open.
const OPENING_FIRST_WAIT: Duration = Duration::from_millis(20);
/// Longest pause between two such asks.
const OPENING_MAX_WAIT: Duration = Duration::from_millis(200);
/// How long a fan-out push waits for a `$connect` in flight to return.
/// After that the frame is skipped but the connection kept: a client syncs
/// right after its socket opens, so frames pushed before then are never
/// missed. It also bounds how long a young socket that vanished without a
/// `$disconnect` (410 too) holds up its room's courier.
pub const FANOUT_OPENING_BUDGET: Duration = Duration::from_millis(250);
/// How long the welcome waits: it is the only copy a greeting dialect's
/// client gets, and it is sent while `$connect` is still running.
pub const WELCOME_OPENING_BUDGET: Duration = Duration::from_secs(5);
/// Transient failures: attempts in all, and the backoff's base and cap.
const TRANSIENT_ATTEMPTS: u32 = 5;
const TRANSIENT_BASE: Duration = Duration::from_millis(50);
const TRANSIENT_CAP: Duration = Duration::from_secs(1);

/// What became of one push.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    Delivered,
    /// Not delivered, and later frames for this connection should not be
    /// tried either (they would overtake this one). The connection is kept.
    Skipped,
    /// The connection is gone and its record was deleted. Holds its user if
    /// that was the user's last live connection.
    Gone(Option<UserId>),
}

impl Services {
    /// Pushes one frame, waiting out a `$connect` in flight (briefly) and
    /// retrying transient failures within a bound.
    pub async fn push_frame(&self, connection: &Connection, frame: &str) -> Pushed {
        self.push_frame_within(connection, frame, FANOUT_OPENING_BUDGET)
            .await
    }

    /// `push_frame`, waiting up to `opening_budget` for `$connect` to return.
    pub async fn push_frame_within(
        &self,
        connection: &Connection,
        frame: &str,
        opening_budget: Duration,
    ) -> Pushed {
        let mut opening_wait = OPENING_FIRST_WAIT;
        let mut opening_spent = Duration::ZERO;
        let mut transient_attempts = 1;
        loop {
            match self.push.post(&connection.id, frame).await {
                Ok(()) => return Pushed::Delivered,
                Err(PushError::Gone) if may_be_opening(connection, Timestamp::now()) => {
                    if opening_spent >= opening_budget {
                        tracing::info!(connection = %connection.id, "push: $connect has not returned yet; frame skipped");
                        return Pushed::Skipped;
                    }
                    tokio::time::sleep(opening_wait).await;
                    opening_spent += opening_wait;
                    opening_wait = (opening_wait * 2).min(OPENING_MAX_WAIT);
                }
                Err(PushError::Gone) => return self.forget_gone(connection).await,
                Err(PushError::Transient(error)) => {
                    if transient_attempts >= TRANSIENT_ATTEMPTS {
                        tracing::warn!(connection = %connection.id, error = %format!("{error:#}"), attempts = transient_attempts, "push: gave up after transient failures");
                        return Pushed::Skipped;
                    }
                    tokio::time::sleep(full_jitter(transient_attempts)).await;
                    transient_attempts += 1;
                }
                Err(PushError::PayloadTooLarge) => {
                    tracing::warn!(connection = %connection.id, bytes = frame.len(), "frame over 128 KB not pushed");
                    return Pushed::Skipped;
                }
                Err(PushError::Unexpected(error)) => {
                    tracing::warn!(connection = %connection.id, error = ?error, "push failed");
                    return Pushed::Skipped;
                }
            }
        }
    }

    /// Deletes a connection that answered 410 after its `$connect` window.
    async fn forget_gone(&self, connection: &Connection) -> Pushed {
        match self.store.delete_connection(&connection.id).await {
            Ok(Some((gone, 0))) => Pushed::Gone(gone.user_id),
            Ok(_) => Pushed::Gone(None),
            Err(e) => {
                tracing::warn!(connection = %connection.id, error = ?e, "deleting a gone connection");
                Pushed::Gone(None)
            }
        }
    }
}

/// Whether the connection's `$connect` may still be running at `now`.
fn may_be_opening(connection: &Connection, now: Timestamp) -> bool {
    now.millis()
        .saturating_sub(connection.connected_at.millis())
        < CONNECT_GRACE_MILLIS
}

/// "Full jitter" backoff: a random pause up to base * 2^attempt, capped.
fn full_jitter(attempt: u32) -> Duration {
    let ceiling = TRANSIENT_BASE
        .saturating_mul(1 << attempt.min(10))
        .min(TRANSIENT_CAP);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ConnectionId;
    use crate::domain::Scope;
    use crate::domain::connection::DialectKind;

    fn connected_at(millis: i64) -> Connection {
        Connection {
            id: ConnectionId("c".into()),
            dialect: DialectKind::Native,
            user_id: None,
            scope: Scope::AllRooms,
            connected_at: Timestamp(millis),
            expires_at: Timestamp(millis + 1),
            dialect_state: Default::default(),
        }
    }

    #[test]
    fn a_410_is_only_gone_once_connect_must_have_returned() {
        let connection = connected_at(1_000_000);
        assert!(may_be_opening(&connection, Timestamp(1_000_000)));
        assert!(may_be_opening(&connection, Timestamp(1_029_999)));
        assert!(!may_be_opening(&connection, Timestamp(1_030_000)));
    }

    #[test]
    fn jitter_stays_under_its_cap() {
        for attempt in 0..20 {
            assert!(full_jitter(attempt) <= TRANSIENT_CAP);
        }
        assert!(full_jitter(1) <= Duration::from_millis(100));
    }
}
