//! `S3BlobStore` against moto's S3 with a real HTTP client (reqwest) doing
//! what a Banter client does with the URLs.
//!
//! moto 5.2 does not verify query-string (presigned) SigV4 signatures, nor
//! `X-Amz-Expires`: it serves any presigned URL, tampered or expired. So
//! these tests check what S3 would verify from the URL's side (the signed
//! headers are exactly the ones the client is told to send, with the
//! signed values; the expiry is the ttl) and everything moto does honour
//! (the stored type, size and metadata, `response-content-disposition`,
//! 404 on HEAD).

mod support;

use banter_core::domain::limits::MAX_FILE_BYTES;
use banter_core::ports::{BlobMeta, BlobStore};
use banter_s3::{MAX_URL_TTL, content_disposition};
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{fresh_store, query_param, room_key};

const NAME: &str = "Grüße & \"Notizen\" 2024.txt";

#[tokio::test]
async fn given_a_presigned_put_when_the_client_sends_the_listed_headers_then_head_and_get_see_the_file()
 {
    let store = fresh_store().await;
    let key = room_key();
    let bytes = b"hello from a presigned upload\n".repeat(100);

    let upload = store
        .presign_put(
            &key,
            NAME,
            "text/plain",
            bytes.len() as u64,
            Duration::from_secs(60),
        )
        .await
        .expect("presign PUT");
    assert_eq!(upload.method, "PUT");
    let mut put = reqwest::Client::new().put(&upload.url).body(bytes.clone());
    for (name, value) in &upload.headers {
        put = put.header(name, value);
    }
    let response = put.send().await.expect("PUT");
    assert!(
        response.status().is_success(),
        "PUT: {} {}",
        response.status(),
        response.text().await.unwrap_or_default()
    );

    let meta = store.head(&key).await.expect("head");
    assert_eq!(
        meta,
        Some(BlobMeta {
            size: bytes.len() as u64,
            content_type: "text/plain".to_owned(),
            file_name: NAME.to_owned(),
        })
    );

    let url = store
        .presign_get(&key, NAME, Duration::from_secs(60))
        .await
        .expect("presign GET");
    let response = reqwest::get(&url).await.expect("GET");
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("content-disposition"),
        Some(content_disposition(NAME))
    );
    assert_eq!(header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        bytes.as_slice()
    );
}

#[tokio::test]
async fn given_a_presigned_put_then_its_signature_covers_exactly_type_size_name_and_the_ttl() {
    // What S3 enforces and moto does not: a PUT whose Content-Type,
    // Content-Length or x-amz-meta-filename differs from the signed value
    // fails with SignatureDoesNotMatch, and so does any request after
    // X-Amz-Date + X-Amz-Expires. Here: the URL signs exactly those headers
    // (plus host) with the values the client is told to send, for the ttl.
    let store = fresh_store().await;
    let ttl = Duration::from_secs(1);

    let upload = store
        .presign_put(&room_key(), NAME, "image/png", 12_345, ttl)
        .await
        .expect("presign PUT");

    let listed: BTreeSet<&str> = upload.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        listed,
        BTreeSet::from(["content-length", "content-type", "x-amz-meta-filename"])
    );
    let signed = query_param(&upload.url, "X-Amz-SignedHeaders").expect("SignedHeaders");
    let mut expected: Vec<&str> = listed.iter().copied().chain(["host"]).collect();
    expected.sort_unstable();
    assert_eq!(signed, expected.join(";"));
    let value = |name: &str| {
        upload
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("content-type"), Some("image/png"));
    assert_eq!(value("content-length"), Some("12345"));
    assert_eq!(
        value("x-amz-meta-filename"),
        Some("Gr%C3%BC%C3%9Fe%20%26%20%22Notizen%22%202024.txt")
    );
    assert_eq!(
        query_param(&upload.url, "X-Amz-Expires").as_deref(),
        Some("1")
    );
    assert_eq!(
        query_param(&upload.url, "X-Amz-Algorithm").as_deref(),
        Some("AWS4-HMAC-SHA256")
    );
    assert_eq!(
        query_param(&upload.url, "X-Amz-Content-Sha256"),
        None,
        "the payload is UNSIGNED-PAYLOAD, not pinned in the query"
    );
    assert!(signed_recently(&upload.url), "X-Amz-Date is not now");
}

#[tokio::test]
async fn given_a_presigned_get_then_it_expires_after_the_ttl_and_names_the_attachment() {
    let store = fresh_store().await;

    let url = store
        .presign_get(&room_key(), NAME, Duration::from_secs(1))
        .await
        .expect("presign GET");

    assert_eq!(query_param(&url, "X-Amz-Expires").as_deref(), Some("1"));
    assert!(signed_recently(&url), "X-Amz-Date is not now");
    assert_eq!(
        query_param(&url, "response-content-disposition"),
        Some(content_disposition(NAME))
    );
    assert!(
        query_param(&url, "X-Amz-SignedHeaders")
            .expect("SignedHeaders")
            .eq("host"),
        "a download must not need any header"
    );
}

#[tokio::test]
async fn given_a_missing_key_when_heading_then_none() {
    let store = fresh_store().await;

    assert_eq!(store.head(&room_key()).await.expect("head"), None);
}

#[tokio::test]
async fn given_a_direct_put_then_head_and_a_presigned_get_see_it() {
    let store = fresh_store().await;
    let key = room_key();
    let bytes = vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3];

    store
        .put(&key, "日本語.png", bytes.clone(), "image/png")
        .await
        .expect("put");

    assert_eq!(
        store.head(&key).await.expect("head"),
        Some(BlobMeta {
            size: 8,
            content_type: "image/png".to_owned(),
            file_name: "日本語.png".to_owned(),
        })
    );
    let url = store
        .presign_get(&key, "日本語.png", Duration::from_secs(60))
        .await
        .expect("presign GET");
    let body = reqwest::get(&url)
        .await
        .expect("GET")
        .bytes()
        .await
        .expect("body");
    assert_eq!(body.as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn given_sizes_or_ttls_outside_the_limits_then_refused_before_any_call() {
    let store = fresh_store().await;
    let key = room_key();
    let minute = Duration::from_secs(60);

    for size in [0, MAX_FILE_BYTES + 1] {
        let result = store.presign_put(&key, "a.bin", "application/octet-stream", size, minute);
        assert!(result.await.is_err(), "size {size} was signed");
    }
    let too_long = MAX_URL_TTL + Duration::from_secs(1);
    assert!(
        store
            .presign_put(&key, "a.bin", "application/octet-stream", 1, too_long)
            .await
            .is_err()
    );
    assert!(store.presign_get(&key, "a.bin", too_long).await.is_err());
    assert!(store.presign_get(&key, "a.bin", MAX_URL_TTL).await.is_ok());
    let too_big = vec![0; MAX_FILE_BYTES as usize + 1];
    assert!(
        store
            .put(&key, "a.bin", too_big, "application/octet-stream")
            .await
            .is_err()
    );
    assert!(
        store
            .put(&key, "a.bin", Vec::new(), "application/octet-stream")
            .await
            .is_err()
    );
    assert_eq!(store.head(&key).await.expect("head"), None);
}

#[tokio::test]
async fn given_a_missing_bucket_when_putting_then_an_error_naming_the_object() {
    let store = banter_s3::S3BlobStore::new(support::client(), "banter-test-no-such-bucket");

    let error = store
        .put("rooms/1/files/x", "a.txt", b"hi".to_vec(), "text/plain")
        .await
        .expect_err("put into a missing bucket");

    let text = format!("{error:#}");
    assert!(
        text.contains("s3://banter-test-no-such-bucket/rooms/1/files/x"),
        "{text}"
    );
    assert!(text.contains("NoSuchBucket"), "{text}");
}

/// `X-Amz-Date` (`20240102T030405Z`) is within a minute of now.
fn signed_recently(url: &str) -> bool {
    let Some(date) = query_param(url, "X-Amz-Date") else {
        return false;
    };
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let Ok(at) = time::PrimitiveDateTime::parse(&date, format) else {
        return false;
    };
    let signed = at.assume_utc().unix_timestamp();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    (now - signed).abs() < 60
}
