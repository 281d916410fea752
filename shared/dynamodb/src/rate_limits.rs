//! Rate-limit windows: one item per (limit, subject, window), bumped with an
//! atomic `ADD`, so every Lambda instance counts into the same window. One
//! UpdateItem per limited request; the table's TTL removes old windows.

use crate::attr;
use crate::items::{ItemExt, n};
use crate::keys;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use async_trait::async_trait;
use banter_core::domain::Timestamp;
use banter_core::ports::RateLimitStore;
use banter_core::ports::store::StoreResult;

#[async_trait]
impl RateLimitStore for DynamoStore {
    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64> {
        let doing = "counting a rate-limited request";
        let start = u64::try_from(window_start.millis()).unwrap_or(0);
        let write = Write::update(
            keys::rate_window(key, start),
            "ADD #hits :one SET #expires = :expires",
        )
        .name("#hits", attr::HITS)
        .name("#expires", attr::EXPIRES_AT)
        .value(":one", n(1))
        .value(":expires", n(expires_at.seconds()));
        match self.update(write, doing).await? {
            Ok(item) => Ok(item.number(attr::HITS).context(doing)?),
            Err(_) => {
                Err(anyhow::anyhow!("{doing}: an unconditional update failed its condition").into())
            }
        }
    }
}
