//! Presigned blob URLs served by banter-local itself.

use crate::support::start;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(60);

#[tokio::test]
async fn given_a_presigned_put_then_the_upload_is_stored_and_served_as_an_attachment() {
    let h = start().await;
    let blobs = h.server.blobs().clone();
    let upload = blobs
        .presign_put("rooms/1/files/abc", "notes.txt", "text/plain", 5, TTL)
        .await
        .expect("presign");
    assert_eq!(upload.method, "PUT");
    assert!(
        upload.url.starts_with(&h.server.http_url()),
        "{}",
        upload.url
    );
    let http = reqwest::Client::new();
    let put = http
        .put(&upload.url)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);

    let meta = blobs
        .head("rooms/1/files/abc")
        .await
        .expect("head")
        .expect("stored");
    assert_eq!(
        (
            meta.size,
            meta.content_type.as_str(),
            meta.file_name.as_str()
        ),
        (5, "text/plain", "notes.txt")
    );
    assert!(
        h.server
            .data_dir()
            .join("blobs/rooms/1/files/abc")
            .is_file()
    );

    let url = blobs
        .presign_get("rooms/1/files/abc", "notes.txt", TTL)
        .await
        .expect("presign");
    let get = http.get(&url).send().await.expect("get");
    assert_eq!(get.status(), 200);
    let header = |name: &str| {
        get.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(
        header("content-disposition").as_deref(),
        Some("attachment; filename=\"notes.txt\"")
    );
    assert_eq!(get.text().await.expect("body"), "hello");
}

#[tokio::test]
async fn given_a_tampered_or_foreign_signature_then_403() {
    let h = start().await;
    let blobs = h.server.blobs().clone();
    let upload = blobs
        .presign_put("k/1", "a.bin", "application/pdf", 3, TTL)
        .await
        .expect("presign");
    let http = reqwest::Client::new();
    // Widening the signed size breaks the signature.
    let widened = upload.url.replace("size=3", "size=3000");
    let put = |url: String| {
        http.put(url)
            .header("content-type", "application/pdf")
            .body("abc")
            .send()
    };
    assert_eq!(put(widened).await.expect("put").status(), 403);
    let bad_sig = format!("{}0", upload.url);
    assert_eq!(put(bad_sig).await.expect("put").status(), 403);
    let other_key = upload.url.replace("/_blobs/k/1", "/_blobs/k/2");
    assert_eq!(put(other_key).await.expect("put").status(), 403);

    let get = blobs
        .presign_get("k/1", "a.bin", TTL)
        .await
        .expect("presign");
    let renamed = get.replace("filename=a.bin", "filename=b.bin");
    assert_eq!(http.get(renamed).send().await.expect("get").status(), 403);
    // The genuine URL still works, and nothing was stored yet.
    assert_eq!(http.get(get).send().await.expect("get").status(), 404);
}

#[tokio::test]
async fn given_the_wrong_type_a_larger_body_or_an_expired_url_then_the_upload_is_refused() {
    let h = start().await;
    let blobs = h.server.blobs().clone();
    let http = reqwest::Client::new();
    let upload = blobs
        .presign_put("k/2", "a.png", "image/png", 4, TTL)
        .await
        .expect("presign");
    let wrong_type = http
        .put(&upload.url)
        .header("content-type", "text/plain")
        .body("abcd")
        .send();
    assert_eq!(wrong_type.await.expect("put").status(), 400);
    let too_big = http
        .put(&upload.url)
        .header("content-type", "image/png")
        .body("abcde")
        .send();
    assert_eq!(too_big.await.expect("put").status(), 413);
    let too_small = http
        .put(&upload.url)
        .header("content-type", "image/png")
        .body("abc")
        .send();
    assert_eq!(too_small.await.expect("put").status(), 400);
    assert!(blobs.head("k/2").await.expect("head").is_none());

    let expired = blobs
        .presign_put("k/3", "a.png", "image/png", 1, Duration::ZERO)
        .await
        .expect("presign");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let late = http
        .put(&expired.url)
        .header("content-type", "image/png")
        .body("a")
        .send();
    assert_eq!(late.await.expect("put").status(), 403);
}

#[tokio::test]
async fn given_keys_that_escape_then_presigning_and_serving_refuse_them() {
    let h = start().await;
    let blobs = h.server.blobs().clone();
    for key in ["../etc/passwd", "/abs", "a/../../b"] {
        assert!(
            blobs
                .presign_put(key, "x", "text/plain", 1, TTL)
                .await
                .is_err(),
            "{key}"
        );
    }
    // (Plain `..` segments are resolved away by URL parsers before sending.)
    for path in ["a%2F..%2F..%2Fx", ".meta/x.json", "a//b"] {
        let response = reqwest::Client::new()
            .get(format!(
                "{}/_blobs/{path}?expires=1&sig=00",
                h.server.http_url()
            ))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 400, "{path}");
    }
}
