//! The Management API (`/@connections/{id}`) and `LocalPush`.

use crate::support::{close_code, next_text, start};
use banter_core::domain::ConnectionId;
use banter_core::ports::PushError;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn given_an_unknown_connection_then_post_get_and_delete_are_410_gone() {
    let h = start().await;
    let http = reqwest::Client::new();
    let url = h.management_url("bm9wZW5vcGVub3A=");
    let post = http.post(&url).body("hi").send().await.expect("post");
    assert_eq!(post.status(), 410);
    assert_eq!(
        post.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("GoneException")
    );
    let body: serde_json::Value = post.json().await.expect("json");
    assert_eq!(body["__type"], "GoneException");
    assert_eq!(http.get(&url).send().await.expect("get").status(), 410);
    assert_eq!(
        http.delete(&url).send().await.expect("delete").status(),
        410
    );
}

#[tokio::test]
async fn given_a_connection_mid_connect_then_posts_are_410_until_connect_returns() {
    let h = start().await;
    let url = format!("{}?delay_ms=600&push_self=1", h.server.ws_url());
    let client = tokio::spawn(async move { tokio_tungstenite::connect_async(url).await });
    let id = h.recorder.wait_for("$connect", 1).await[0]
        .request_context
        .connection_id
        .clone()
        .expect("id");

    let http = reqwest::Client::new();
    let during = http
        .post(h.management_url(&id))
        .body("too early")
        .send()
        .await
        .expect("post");
    assert_eq!(during.status(), 410);

    let (mut client, _) = client.await.expect("join").expect("handshake");
    assert_eq!(
        *h.recorder.pushes_during_connect.lock().expect("lock"),
        [Err("gone".to_owned())]
    );
    let after = http
        .post(h.management_url(&id))
        .body("welcome")
        .send()
        .await
        .expect("post");
    assert_eq!(after.status(), 200);
    assert_eq!(next_text(&mut client).await, "welcome");
}

#[tokio::test]
async fn given_a_post_over_128_kb_then_413_and_the_connection_stays() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    let http = reqwest::Client::new();
    let too_big = http
        .post(h.management_url(&id))
        .body("x".repeat(128 * 1024 + 1))
        .send()
        .await
        .expect("post");
    assert_eq!(too_big.status(), 413);
    assert_eq!(
        too_big
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("PayloadTooLargeException")
    );
    let exact = "y".repeat(128 * 1024);
    let fits = http
        .post(h.management_url(&id))
        .body(exact.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(fits.status(), 200);
    assert_eq!(next_text(&mut client).await, exact);
}

#[tokio::test]
async fn given_a_stage_prefix_and_an_encoded_id_then_the_management_api_still_answers() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    let encoded = id.replace('=', "%3D");
    let url = format!(
        "{}/prod/@connections/{encoded}",
        h.server.management_endpoint()
    );
    let post = reqwest::Client::new()
        .post(url)
        .body("staged")
        .send()
        .await
        .expect("post");
    assert_eq!(post.status(), 200);
    assert_eq!(next_text(&mut client).await, "staged");
}

#[tokio::test]
async fn given_a_live_connection_then_get_describes_it() {
    let h = start().await;
    let (_client, id) = h.connect("").await;
    let get = reqwest::Client::new()
        .get(h.management_url(&id))
        .send()
        .await
        .expect("get");
    assert_eq!(get.status(), 200);
    let info: serde_json::Value = get.json().await.expect("json");
    assert_eq!(info["identity"]["sourceIp"], "127.0.0.1");
    let connected = info["connectedAt"].as_str().expect("connectedAt");
    assert!(
        connected.ends_with('Z') && connected.contains('T'),
        "{connected}"
    );
    assert!(info["lastActiveAt"].is_string());
}

#[tokio::test]
async fn given_a_delete_then_the_client_is_closed_gone_afterwards_and_disconnected_once() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    let http = reqwest::Client::new();
    let delete = http
        .delete(h.management_url(&id))
        .send()
        .await
        .expect("delete");
    assert_eq!(delete.status(), 204);
    assert_eq!(
        http.post(h.management_url(&id))
            .body("x")
            .send()
            .await
            .expect("post")
            .status(),
        410
    );
    assert_eq!(close_code(&mut client).await, CloseCode::Normal);
    let events = h.recorder.wait_for("$disconnect", 1).await;
    assert_eq!(events[0].request_context.disconnect_status_code, Some(1000));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.recorder.events("$disconnect").len(), 1);
    assert_eq!(
        http.get(h.management_url(&id))
            .send()
            .await
            .expect("get")
            .status(),
        410
    );
}

#[tokio::test]
async fn given_local_push_then_it_has_the_management_api_semantics() {
    let h = start().await;
    let push = h.server.push().clone();
    let unknown = push
        .post(&ConnectionId("bm9wZW5vcGVub3A=".into()), "x")
        .await;
    assert!(matches!(unknown, Err(PushError::Gone)), "{unknown:?}");

    let (mut client, id) = h.connect("").await;
    let id = ConnectionId(id);
    push.post(&id, "pushed").await.expect("post");
    assert_eq!(next_text(&mut client).await, "pushed");
    let too_big = push.post(&id, &"x".repeat(128 * 1024 + 1)).await;
    assert!(
        matches!(too_big, Err(PushError::PayloadTooLarge)),
        "{too_big:?}"
    );
    push.close(&id).await.expect("close");
    assert_eq!(close_code(&mut client).await, CloseCode::Normal);
    assert!(matches!(push.post(&id, "x").await, Err(PushError::Gone)));
    h.recorder.wait_for("$disconnect", 1).await;
}
