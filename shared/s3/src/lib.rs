//! Banter's [`BlobStore`] on S3. File bytes never pass through a function:
//! clients upload and download with short-lived presigned URLs (SigV4 in the
//! query string), and the functions only sign and `HeadObject`.
//!
//! - **Upload** (`presign_put`): a presigned `PutObject` whose signature
//!   covers `content-type`, `content-length` and `x-amz-meta-filename` (the
//!   uploader's file name, percent-encoded because S3 metadata is ASCII).
//!   The client must send exactly [`PresignedUpload::headers`]; S3 refuses
//!   any other type, size or name with `SignatureDoesNotMatch`.
//! - **Download** (`presign_get`): a presigned `GetObject` with
//!   `response-content-disposition: attachment; filename*=UTF-8''…`, so a
//!   browser saves the file under its name instead of rendering it.
//! - URLs last the ttl the service asks for, at most 7 days (S3's limit; a
//!   URL also dies with the credentials that signed it, on Lambda within
//!   hours).
//! - Keys are whatever the service passes (`rooms/{room}/files/{id}`); the
//!   bucket is configuration ([`BUCKET_ENV`]), never a literal.
//!
//! IAM: `s3:PutObject` (direct `put`; a presigned PUT is authorised as the
//! signer's `PutObject`), `s3:GetObject` (`head`, presigned GET) and
//! `s3:ListBucket` on the bucket, without which S3 answers `HeadObject` of a
//! missing key with 403 instead of 404 and `head` fails instead of
//! returning `None`.

use anyhow::{Context, bail};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use banter_core::domain::limits::MAX_FILE_BYTES;
use banter_core::ports::blob::{ascii_file_name, percent_encode_unreserved};
use banter_core::ports::{BlobMeta, BlobStore, PresignedUpload};
use percent_encoding::percent_decode_str;
use std::time::Duration;

/// The environment variable naming the bucket (set from the template).
pub const BUCKET_ENV: &str = "BANTER_BUCKET";
/// The user metadata key holding the uploader's file name
/// (`x-amz-meta-filename` on the wire).
pub const FILE_NAME_METADATA: &str = "filename";
/// S3's longest presigned URL.
pub const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// The blob store on one S3 bucket. Cloning shares the client's connection pool.
#[derive(Clone, Debug)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
}

impl S3BlobStore {
    /// A store on `bucket` through `client`. For S3-compatible servers on
    /// loopback (moto, MinIO), build the client with `force_path_style(true)`.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn presign_put(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<PresignedUpload> {
        let length = checked_size(size)?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .metadata(FILE_NAME_METADATA, encode_file_name(file_name))
            .presigned(presigning(ttl)?)
            .await
            .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(&e)))
            .with_context(|| format!("presigning a PUT of s3://{}/{key}", self.bucket))?;
        Ok(PresignedUpload {
            url: request.uri().to_owned(),
            method: request.method().to_owned(),
            headers: request
                .headers()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
                .collect(),
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        file_name: &str,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(content_disposition(file_name))
            .presigned(presigning(ttl)?)
            .await
            .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(&e)))
            .with_context(|| format!("presigning a GET of s3://{}/{key}", self.bucket))?;
        Ok(request.uri().to_owned())
    }

    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>> {
        let output = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) if matches!(e.as_service_error(), Some(HeadObjectError::NotFound(_))) => {
                return Ok(None);
            }
            Err(e) => {
                return Err(anyhow::anyhow!("{}", DisplayErrorContext(&e)))
                    .with_context(|| format!("HeadObject s3://{}/{key}", self.bucket));
            }
        };
        let size = output
            .content_length()
            .and_then(|length| u64::try_from(length).ok())
            .with_context(|| format!("s3://{}/{key} has no Content-Length", self.bucket))?;
        let content_type = output
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let file_name = output
            .metadata()
            .and_then(|metadata| metadata.get(FILE_NAME_METADATA))
            .map(|name| decode_file_name(name))
            .filter(|name| !name.is_empty())
            // Not uploaded through Banter: name it after its key.
            .unwrap_or_else(|| key.rsplit('/').next().unwrap_or(key).to_owned());
        Ok(Some(BlobMeta {
            size,
            content_type,
            file_name,
        }))
    }

    async fn put(
        &self,
        key: &str,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<()> {
        checked_size(bytes.len() as u64)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .metadata(FILE_NAME_METADATA, encode_file_name(file_name))
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(&e)))
            .with_context(|| format!("PutObject s3://{}/{key}", self.bucket))?;
        Ok(())
    }
}

/// The size as S3 takes it, refusing what core would refuse too.
fn checked_size(size: u64) -> anyhow::Result<i64> {
    if size == 0 || size > MAX_FILE_BYTES {
        bail!("a file must be 1 to {MAX_FILE_BYTES} bytes, not {size}");
    }
    i64::try_from(size).context("file size out of range")
}

fn presigning(ttl: Duration) -> anyhow::Result<PresigningConfig> {
    if ttl.is_zero() || ttl > MAX_URL_TTL {
        bail!("presigned URLs last 1 s to 7 days, not {ttl:?}");
    }
    PresigningConfig::expires_in(ttl).context("presigning config")
}

/// S3 keeps user metadata as ASCII header values: any other name is
/// percent-encoded (UTF-8), and decoded again by `head`.
pub fn encode_file_name(file_name: &str) -> String {
    percent_encode_unreserved(file_name)
}

pub fn decode_file_name(encoded: &str) -> String {
    percent_decode_str(encoded).decode_utf8_lossy().into_owned()
}

/// `attachment` with an ASCII fallback `filename` for old clients and the
/// exact UTF-8 name in `filename*` (RFC 6266, RFC 8187).
pub fn content_disposition(file_name: &str) -> String {
    let fallback = ascii_file_name(file_name);
    let fallback = if fallback.trim().is_empty() {
        "download".to_owned()
    } else {
        fallback
    };
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent_encode_unreserved(file_name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip_through_ascii_metadata() {
        for name in [
            "report.pdf",
            "Grüße 2024 (final).txt",
            "日本語.png",
            "a%20b",
        ] {
            let encoded = encode_file_name(name);
            assert!(encoded.is_ascii(), "{encoded}");
            assert_eq!(decode_file_name(&encoded), name);
        }
    }

    #[test]
    fn downloads_are_attachments_with_the_exact_utf8_name() {
        assert_eq!(
            content_disposition("a b.txt"),
            "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt"
        );
        assert_eq!(
            content_disposition("Grüße.txt"),
            "attachment; filename=\"Gr__e.txt\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt"
        );
    }

    #[test]
    fn sizes_and_ttls_outside_the_limits_are_refused() {
        assert!(checked_size(0).is_err());
        assert!(checked_size(MAX_FILE_BYTES + 1).is_err());
        assert_eq!(
            checked_size(MAX_FILE_BYTES).ok(),
            Some(MAX_FILE_BYTES as i64)
        );
        assert!(presigning(Duration::ZERO).is_err());
        assert!(presigning(MAX_URL_TTL + Duration::from_secs(1)).is_err());
        assert!(presigning(MAX_URL_TTL).is_ok());
    }
}
