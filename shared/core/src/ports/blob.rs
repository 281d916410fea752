//! The blob port: file bytes never pass through a handler on the way up or
//! down (Lambda's payload limit); clients use short-lived presigned URLs.

use async_trait::async_trait;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
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

/// RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as UTF-8 with every byte but RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) percent-encoded: safe in a URL path segment, an
/// S3 metadata value and a `filename*` parameter (RFC 8187) alike.
pub fn percent_encode_unreserved(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// `file_name` as a plain quoted `filename` parameter of a
/// `Content-Disposition` can carry it (the fallback for clients that do
/// not read `filename*`): printable ASCII and spaces stay, anything else
/// (quotes, backslashes, control and non-ASCII characters) becomes `_`.
/// What an empty or blank result is replaced by is the caller's choice.
pub fn ascii_file_name(file_name: &str) -> String {
    file_name
        .chars()
        .map(|c| {
            if c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_unencoded() {
        assert_eq!(percent_encode_unreserved("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            percent_encode_unreserved("é \"x\"/%.txt"),
            "%C3%A9%20%22x%22%2F%25.txt"
        );
    }

    #[test]
    fn the_ascii_file_name_keeps_printable_ascii_and_spaces() {
        assert_eq!(ascii_file_name("a b (1).txt"), "a b (1).txt");
        assert_eq!(ascii_file_name("é \"x\"\\\t.txt"), "_ _x___.txt");
        assert_eq!(ascii_file_name(""), "");
    }
}
