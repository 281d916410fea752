//! Files on disk in place of S3: `FsBlobStore` implements the blob port
//! under `<data-dir>/blobs/`, and serves its own presigned URLs at
//! `/_blobs/<key>`.
//!
//! A URL is signed with HMAC-SHA256 over the method, key, expiry and
//! whatever the URL allows (content type and exact size for a PUT, the
//! download name for a GET), with a key derived from the data dir's
//! secret: it cannot be widened by editing its query string, and it keeps
//! working across restarts.

use crate::api_gateway::responses;
use anyhow::{Context, bail};
use async_trait::async_trait;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use banter_core::ports::blob::{ascii_file_name, percent_encode_unreserved};
use banter_core::ports::{BlobMeta, BlobStore, PresignedUpload};
use hmac::{Hmac, Mac};
use http::{HeaderValue, Method, StatusCode, header};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where presigned URLs point, under the server's address.
pub const URL_PREFIX: &str = "/_blobs/";
/// S3's longest presigned URL.
const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

type HmacSha256 = Hmac<Sha256>;

/// The sidecar next to each blob: what `head` and downloads report.
#[derive(Serialize, Deserialize)]
struct Sidecar {
    content_type: String,
    size: u64,
    /// The uploader's name for the file (S3 keeps it as object metadata).
    file_name: String,
}

/// What a presigned PUT URL allows, as signed.
struct Upload<'a> {
    key: &'a str,
    file_name: &'a str,
    content_type: &'a str,
    size: &'a str,
}

pub struct FsBlobStore {
    root: PathBuf,
    base_url: String,
    signing_key: Vec<u8>,
}

/// Why a key cannot name a file.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad blob key {0:?}: keys are relative, with no empty, '.', '..' or hidden first segments")]
pub struct BadKey(String);

/// Keys may contain `/` (they become directories) but never escape the
/// root: no absolute paths, no `.`/`..`, no backslashes or NULs, and no
/// first segment starting with `.` (the sidecars and temporary files).
pub fn validate_key(key: &str) -> Result<(), BadKey> {
    let bad = || BadKey(key.to_owned());
    if key.is_empty() || key.starts_with('/') || key.contains(['\\', '\0']) {
        return Err(bad());
    }
    for (i, segment) in key.split('/').enumerate() {
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || (i == 0 && segment.starts_with('.'))
        {
            return Err(bad());
        }
    }
    Ok(())
}

impl FsBlobStore {
    /// Blobs under `root`, URLs under `base_url` (`http://127.0.0.1:3000`).
    pub fn new(root: PathBuf, base_url: String, secret: &[u8]) -> Self {
        // A key of its own, so a blob URL signature never doubles as anything else.
        let signing_key = hmac(secret, b"banter-local presigned blob URLs v1");
        Self {
            root,
            base_url,
            signing_key,
        }
    }

    fn data_path(&self, key: &str) -> Result<PathBuf, BadKey> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    fn sidecar_path(&self, key: &str) -> PathBuf {
        self.root.join(".meta").join(format!("{key}.json"))
    }

    fn sign(&self, fields: &[&str]) -> String {
        hex(&hmac(&self.signing_key, fields.join("\n").as_bytes()))
    }

    fn verify(&self, fields: &[&str], signature: &str) -> bool {
        let Some(bytes) = unhex(signature) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.signing_key) else {
            return false;
        };
        mac.update(fields.join("\n").as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }

    fn url(&self, key: &str, query: &[(&str, &str)]) -> String {
        let path: Vec<String> = key.split('/').map(percent_encode_unreserved).collect();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!("{}{URL_PREFIX}{}?{query}", self.base_url, path.join("/"))
    }

    async fn write(
        &self,
        key: &str,
        file_name: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> anyhow::Result<()> {
        let path = self.data_path(key)?;
        let sidecar = serde_json::to_vec(&Sidecar {
            content_type: content_type.to_owned(),
            size: bytes.len() as u64,
            file_name: file_name.to_owned(),
        })?;
        write_atomically(&self.root, &path, bytes).await?;
        write_atomically(&self.root, &self.sidecar_path(key), &sidecar).await
    }

    async fn read_sidecar(&self, key: &str) -> anyhow::Result<Option<Sidecar>> {
        if !tokio::fs::try_exists(self.data_path(key)?).await? {
            return Ok(None);
        }
        match tokio::fs::read(self.sidecar_path(key)).await {
            Ok(bytes) => Ok(Some(
                serde_json::from_slice(&bytes).context("corrupt blob sidecar")?,
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Serves `/_blobs/<key>`: presigned PUT and GET.
    pub async fn serve(&self, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let Some(encoded) = parts.uri.path().strip_prefix(URL_PREFIX) else {
            return responses::message(StatusCode::NOT_FOUND, "Not Found");
        };
        let key: Vec<String> = encoded
            .split('/')
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let key = key.join("/");
        if validate_key(&key).is_err() {
            return responses::message(StatusCode::BAD_REQUEST, "Bad blob key");
        }
        let query: HashMap<String, String> =
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let field = |name: &str| query.get(name).map(String::as_str).unwrap_or("");
        let expires = field("expires");
        let signature = field("sig");
        let signed = match parts.method {
            Method::PUT => self.verify(
                &[
                    "PUT",
                    &key,
                    expires,
                    field("content-type"),
                    field("size"),
                    field("filename"),
                ],
                signature,
            ),
            Method::GET => self.verify(&["GET", &key, expires, field("filename")], signature),
            _ => return responses::message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
        };
        if !signed {
            return responses::message(StatusCode::FORBIDDEN, "SignatureDoesNotMatch");
        }
        let expired = expires.parse::<u64>().map_or(true, |at| at < unix_now());
        if expired {
            return responses::message(StatusCode::FORBIDDEN, "Request has expired");
        }
        match parts.method {
            Method::PUT => {
                let sent_type = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                let upload = Upload {
                    key: &key,
                    file_name: field("filename"),
                    content_type: field("content-type"),
                    size: field("size"),
                };
                self.receive(upload, sent_type, body).await
            }
            _ => self.send(&key, field("filename")).await,
        }
    }

    async fn receive(&self, upload: Upload<'_>, sent_type: Option<&str>, body: Body) -> Response {
        let Upload {
            key,
            file_name,
            content_type,
            size,
        } = upload;
        if sent_type != Some(content_type) {
            return responses::message(
                StatusCode::BAD_REQUEST,
                &format!("Content-Type must be {content_type}, as signed"),
            );
        }
        let Ok(size) = size.parse::<usize>() else {
            return responses::message(StatusCode::BAD_REQUEST, "Bad size");
        };
        let bytes = match axum::body::to_bytes(body, size).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return responses::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("The body is over the signed size of {size} bytes"),
                );
            }
        };
        if bytes.len() != size {
            return responses::message(
                StatusCode::BAD_REQUEST,
                &format!(
                    "The body is {} bytes, the URL was signed for {size}",
                    bytes.len()
                ),
            );
        }
        match self.write(key, file_name, &bytes, content_type).await {
            Ok(()) => responses::empty(StatusCode::OK),
            Err(error) => {
                tracing::error!(%key, error = format!("{error:#}"), "storing a blob failed");
                responses::message(StatusCode::INTERNAL_SERVER_ERROR, "InternalError")
            }
        }
    }

    async fn send(&self, key: &str, file_name: &str) -> Response {
        let found = match self.read_sidecar(key).await {
            Ok(Some(sidecar)) => self.data_path(key).map(|path| (sidecar, path)),
            Ok(None) => return responses::message(StatusCode::NOT_FOUND, "NoSuchKey"),
            Err(error) => {
                tracing::error!(%key, error = format!("{error:#}"), "reading a blob failed");
                return responses::message(StatusCode::INTERNAL_SERVER_ERROR, "InternalError");
            }
        };
        let Ok((sidecar, path)) = found else {
            return responses::message(StatusCode::BAD_REQUEST, "Bad blob key");
        };
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(_) => return responses::message(StatusCode::NOT_FOUND, "NoSuchKey"),
        };
        let mut response = Response::new(Body::from(bytes));
        let headers = response.headers_mut();
        let content_type = HeaderValue::from_str(&sidecar.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        headers.insert(header::CONTENT_TYPE, content_type);
        if let Ok(disposition) = HeaderValue::from_str(&content_disposition(file_name)) {
            headers.insert(header::CONTENT_DISPOSITION, disposition);
        }
        response
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn presign_put(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<PresignedUpload> {
        validate_key(key)?;
        let expires = expiry(ttl)?;
        let size = size.to_string();
        let sig = self.sign(&["PUT", key, &expires, content_type, &size, file_name]);
        let url = self.url(
            key,
            &[
                ("expires", &expires),
                ("content-type", content_type),
                ("size", &size),
                ("filename", file_name),
                ("sig", &sig),
            ],
        );
        Ok(PresignedUpload {
            url,
            method: "PUT".to_owned(),
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        file_name: &str,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        validate_key(key)?;
        let expires = expiry(ttl)?;
        let sig = self.sign(&["GET", key, &expires, file_name]);
        Ok(self.url(
            key,
            &[
                ("expires", &expires),
                ("filename", file_name),
                ("sig", &sig),
            ],
        ))
    }

    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>> {
        Ok(self.read_sidecar(key).await?.map(|s| BlobMeta {
            size: s.size,
            content_type: s.content_type,
            file_name: s.file_name,
        }))
    }

    async fn put(
        &self,
        key: &str,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<()> {
        self.write(key, file_name, &bytes, content_type).await
    }
}

fn expiry(ttl: Duration) -> anyhow::Result<String> {
    if ttl > MAX_URL_TTL {
        bail!("presigned URLs last at most 7 days, not {ttl:?}");
    }
    Ok((unix_now() + ttl.as_secs()).to_string())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
async fn write_atomically(root: &Path, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp_dir = root.join(".tmp");
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let tmp = tmp_dir.join(crate::api_gateway::lambda_events::uuid_like());
    tokio::fs::write(&tmp, bytes)
        .await
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    tokio::fs::rename(&tmp, path)
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `attachment; filename="..."` with an ASCII fallback and the exact UTF-8
/// name in `filename*` (RFC 6266).
fn content_disposition(file_name: &str) -> String {
    let ascii = ascii_file_name(file_name);
    let ascii = if ascii.is_empty() {
        "download".to_owned()
    } else {
        ascii
    };
    if ascii == file_name {
        format!("attachment; filename=\"{ascii}\"")
    } else {
        let exact = percent_encode_unreserved(file_name);
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_may_nest_but_never_escape() {
        assert_eq!(validate_key("rooms/1/files/abc.png"), Ok(()));
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "a//b",
            "./a",
            ".meta/x",
            "a\\b",
            "a/",
        ] {
            assert!(validate_key(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn content_disposition_keeps_ascii_names_and_encodes_others() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\""
        );
        assert_eq!(
            content_disposition("é \"x\".txt"),
            "attachment; filename=\"_ _x_.txt\"; filename*=UTF-8''%C3%A9%20%22x%22.txt"
        );
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[tokio::test]
    async fn head_reports_what_put_stored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsBlobStore::new(dir.path().to_owned(), "http://x".into(), b"secret");
        assert_eq!(store.head("a/b.txt").await.expect("head"), None);
        store
            .put("a/b.txt", "b.txt", b"hello".to_vec(), "text/plain")
            .await
            .expect("put");
        let meta = store.head("a/b.txt").await.expect("head");
        let expected = BlobMeta {
            size: 5,
            content_type: "text/plain".into(),
            file_name: "b.txt".into(),
        };
        assert_eq!(meta, Some(expected));
        assert!(store.put("../x", "x", vec![], "text/plain").await.is_err());
    }
}
