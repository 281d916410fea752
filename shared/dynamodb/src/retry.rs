//! Bounded retries with full-jitter exponential backoff, for optimistic
//! writes that lost a race (a failed version condition, a transaction
//! conflict) and for batch reads DynamoDB left unprocessed.

use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use rand::Rng;
use std::fmt::Display;
use std::time::Duration;

const BASE: Duration = Duration::from_millis(4);
const CAP: Duration = Duration::from_millis(250);

/// Counts the attempts of one operation and sleeps between them.
#[derive(Debug)]
pub(crate) struct Backoff {
    doing: &'static str,
    attempt: u32,
    max_attempts: u32,
}

impl Backoff {
    /// Enough attempts for dozens of writers racing on one item: each round
    /// lets at least one of them through.
    pub(crate) fn new(doing: &'static str) -> Self {
        Self::with_attempts(doing, 100)
    }

    pub(crate) fn with_attempts(doing: &'static str, max_attempts: u32) -> Self {
        Self {
            doing,
            attempt: 0,
            max_attempts,
        }
    }

    /// Sleeps before the next attempt, or gives up with an error naming the
    /// operation and the last reason once every attempt is spent.
    pub(crate) async fn retry(&mut self, why: impl Display) -> StoreResult<()> {
        self.attempt += 1;
        if self.attempt >= self.max_attempts {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "{}: gave up after {} attempts; last: {why}",
                self.doing,
                self.attempt
            )));
        }
        tracing::debug!(doing = self.doing, attempt = self.attempt, %why, "retrying");
        tokio::time::sleep(self.delay()).await;
        Ok(())
    }

    /// Full jitter: uniform in (0, min(cap, base * 2^attempt)].
    fn delay(&self) -> Duration {
        let ceiling = BASE
            .saturating_mul(1 << self.attempt.min(16))
            .min(CAP)
            .as_micros();
        let ceiling = u64::try_from(ceiling).unwrap_or(u64::MAX).max(1);
        Duration::from_micros(rand::rng().random_range(1..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_last_attempt_naming_the_operation() {
        let mut backoff = Backoff::with_attempts("doing a thing", 3);
        assert!(backoff.retry("first").await.is_ok());
        assert!(backoff.retry("second").await.is_ok());
        let error = backoff.retry("third").await.expect_err("out of attempts");
        let text = format!("{error:#}");
        assert!(
            text.contains("doing a thing") && text.contains("third"),
            "{text}"
        );
    }

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let mut backoff = Backoff::new("x");
        for attempt in 0..40 {
            backoff.attempt = attempt;
            let delay = backoff.delay();
            assert!(delay > Duration::ZERO && delay <= CAP, "{delay:?}");
            assert!(delay <= BASE.saturating_mul(1 << attempt.min(16)));
        }
    }
}
