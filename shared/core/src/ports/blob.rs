//! The blob port: file bytes never pass through a handler on the way up or
//! down (Lambda's payload limit); clients use short-lived presigned URLs.

use async_trait::async_trait;
use std::time::Duration;

/// A URL the client uploads to with `method`, sending `headers` exactly.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PresignedUpload {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: String,
    /// The name the uploader gave, kept as object metadata.
    pub file_name: String,
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// A URL to PUT exactly `size` bytes of `content_type` at `key`; the
    /// stored object remembers `file_name` (see `head`).
    async fn presign_put(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<PresignedUpload>;
    /// A URL to GET `key`, served as an attachment named `file_name`.
    async fn presign_get(
        &self,
        key: &str,
        file_name: &str,
        ttl: Duration,
    ) -> anyhow::Result<String>;
    /// What is stored at `key`, if anything.
    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>>;
    /// Stores bytes directly (small files that arrived in a request body).
    async fn put(
        &self,
        key: &str,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<()>;
}
