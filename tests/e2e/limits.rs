//! API Gateway's WebSocket limits, as banter-local enforces them: a frame
//! over 32 KB or a message over 128 KB closes the socket with 1009.

use banter_e2e::{JsonExt, Page, TestApp, WsClient};
use serde_json::json;
use std::time::Duration;

const KB: usize = 1024;

/// A `ping` frame padded with an unknown field to about `bytes` bytes.
fn padded_ping(request_id: &str, bytes: usize) -> String {
    let frame = json!({"action": "ping", "request_id": request_id, "pad": "x".repeat(bytes)});
    let text = frame.to_string();
    assert!(text.len() >= bytes);
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_frame_just_under_32_kb_then_it_is_served() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = WsClient::connect(&app, &alice.token).await;

    ws.send_text(padded_ping("big-but-fine", 31 * KB)).await;

    let reply = ws.reply_to("big-but-fine").await;
    assert_eq!(reply["type"], "pong", "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_frame_over_32_kb_then_the_socket_closes_with_1009() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = WsClient::connect(&app, &alice.token).await;

    ws.send_text(padded_ping("too-big", 33 * KB)).await;

    ws.expect_close(1009).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_fragmented_message_under_128_kb_then_it_is_served() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = WsClient::connect(&app, &alice.token).await;

    // Four frames of 30 KB: each under 32 KB, 120 KB in all.
    let text = padded_ping("fragmented", 120 * KB - 100);
    ws.send_fragmented(&text, 30 * KB)
        .await
        .expect("sending the fragments");

    let reply = ws.reply_to("fragmented").await;
    assert_eq!(reply["type"], "pong", "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_message_over_128_kb_in_frames_under_32_kb_then_the_socket_closes_with_1009() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = WsClient::connect(&app, &alice.token).await;

    // Five frames of 30 KB: each within the frame limit, 150 KB in all.
    let text = padded_ping("too-long", 150 * KB);
    // The server may close before the last fragment: a failed send is fine.
    let _ = ws.send_fragmented(&text, 30 * KB).await;

    ws.expect_close(1009).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_idle_socket_then_it_is_closed_with_1001_and_the_client_catches_up_with_history() {
    let app = TestApp::builder()
        .idle_timeout(Duration::from_millis(700))
        .spawn()
        .await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    alice_ws.event("presence").await; // bob came online

    // Alice keeps talking; bob only listens, so only bob goes idle.
    let mut last = 0;
    for n in 0..6 {
        last = alice_ws
            .send_message(room_id, &format!("n{n}"))
            .await
            .u64_at("/id");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bob_ws.expect_close(1001).await;
    alice_ws.ping().await;
    let event = alice_ws.event("presence").await;
    assert!(!event.bool_at("/online"), "bob went offline: {event}");

    // Bob reconnects and catches up from the newest id he holds.
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let page = bob_ws.history(room_id, Page::after(0)).await;
    let ids: Vec<u64> = page
        .array_at("/messages")
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(ids.len(), 6);
    assert_eq!(ids.last(), Some(&last));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_busy_socket_past_its_maximum_age_then_it_is_closed_with_1001() {
    let age = Duration::from_millis(1_500);
    let app = TestApp::builder().max_connection_age(age).spawn().await;
    let alice = app.new_user().await;
    let opened = tokio::time::Instant::now();
    let mut ws = WsClient::connect(&app, &alice.token).await;

    // Busy, so it is not idleness (10 min by default) that ends it.
    for _ in 0..5 {
        ws.ping().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert_eq!(ws.expect_closed().await, Some(1001));
    assert!(
        opened.elapsed() >= age,
        "closed early: {:?}",
        opened.elapsed()
    );
}
