//! Request counts in fixed windows, shared by every instance.

use super::StoreResult;
use crate::domain::Timestamp;
use async_trait::async_trait;

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one request against `key` (e.g. `send#user#42`) in the fixed
    /// window starting at `window_start`, and returns the window's count so
    /// far, this one included. The store may forget the window after
    /// `expires_at`. Shared by every instance, so limits hold across them.
    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64>;
}
