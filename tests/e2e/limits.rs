//! API Gateway's WebSocket limits, as banter-local enforces them: a frame
//! over 32 KB or a message over 128 KB closes the socket with 1009.

use banter_e2e::{TestApp, WsClient};
use serde_json::json;

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
