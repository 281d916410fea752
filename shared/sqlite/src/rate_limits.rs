//! The rate-limit port on the in-memory windows (`rate_windows.rs`).

use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::Timestamp;
use banter_core::ports::RateLimitStore;
use banter_core::ports::store::StoreResult;

#[async_trait]
impl RateLimitStore for SqliteStore {
    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64> {
        Ok(self.rate_windows.count(key, window_start, expires_at))
    }
}
