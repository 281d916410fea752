//! Typing reaches the other members (not the typer) and ends by itself, by
//! `typing: false`, or by sending a message.

use banter_e2e::{JsonExt, TestApp, WsClient};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_millis() -> u64 {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_millis();
    u64::try_from(millis).expect("millis fit in u64")
}

/// Whether `GET /rooms/{id}` shows `user_id` typing.
async fn is_typing(app: &TestApp, token: &str, room_id: u64, user_id: u64) -> bool {
    let info = app.room(token, room_id).await.expect(200);
    let member = info
        .array_at("/members")
        .iter()
        .find(|m| m.u64_at("/user/id") == user_id)
        .unwrap_or_else(|| panic!("user {user_id} is not among the members: {info}"))
        .clone();
    member.bool_at("/typing")
}

fn assert_typing_event(event: &Value, room_id: u64, user_id: u64, typing: bool) {
    assert_eq!(event.u64_at("/room_id"), room_id, "{event}");
    assert_eq!(event.u64_at("/user/id"), user_id, "{event}");
    assert_eq!(event.bool_at("/typing"), typing, "{event}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_group_when_one_member_types_then_the_others_see_it_and_the_typer_does_not() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let room_id = app.group(&alice, &[&bob, &carol]).await;
    let mut alice_phone = WsClient::connect(&app, &alice.token).await;
    let mut alice_laptop = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let mut carol_ws = WsClient::connect(&app, &carol.token).await;

    let before = now_millis();
    let ack = alice_phone
        .request("typing", json!({"room_id": room_id, "typing": true}))
        .await;

    assert_eq!(ack.str_at("/type"), "ok", "{ack}");
    for ws in [&mut bob_ws, &mut carol_ws] {
        let event = ws.event("typing").await;
        assert_typing_event(&event, room_id, alice.id, true);
        let expires_at = event.u64_at("/expires_at");
        assert!(
            (before + 4_000..=now_millis() + 6_000).contains(&expires_at),
            "a start holds about 5 s: expires_at {expires_at}, now {}",
            now_millis()
        );
    }
    for ws in [&mut alice_phone, &mut alice_laptop] {
        ws.expect_quiet("typing").await;
    }
    assert!(is_typing(&app, &bob.token, room_id, alice.id).await);
    assert!(!is_typing(&app, &bob.token, room_id, bob.id).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_typing_start_without_a_request_id_then_no_ok_reply_comes_back() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    alice_ws.event("presence").await; // bob came online

    alice_ws
        .send_json(&json!({"action": "typing", "room_id": room_id, "typing": true}))
        .await;

    let event = bob_ws.event("typing").await;
    assert_typing_event(&event, room_id, alice.id, true);
    alice_ws.expect_no_frame(banter_e2e::QUIET).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_short_typing_ttl_when_nobody_refreshes_then_typing_expires() {
    let ttl = Duration::from_millis(300);
    let app = TestApp::builder().typing_ttl(ttl).spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    let before = now_millis();
    alice_ws
        .request("typing", json!({"room_id": room_id, "typing": true}))
        .await;
    let event = bob_ws.event("typing").await;
    assert_typing_event(&event, room_id, alice.id, true);
    let expires_at = event.u64_at("/expires_at");
    assert!(
        expires_at >= before + 300 && expires_at <= now_millis() + 300,
        "expires_at follows typing_ttl: {expires_at} vs start {before}"
    );

    // Nothing to await: expiry is silent. Wait past the deadline.
    let left = expires_at.saturating_sub(now_millis());
    tokio::time::sleep(Duration::from_millis(left + 150)).await;

    assert!(
        !is_typing(&app, &bob.token, room_id, alice.id).await,
        "typing should have expired at {expires_at}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_someone_typing_when_they_send_typing_false_then_it_ends_for_everyone() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    alice_ws
        .request("typing", json!({"room_id": room_id, "typing": true}))
        .await;
    bob_ws.event("typing").await;

    alice_ws
        .request("typing", json!({"room_id": room_id, "typing": false}))
        .await;

    let event = bob_ws.event("typing").await;
    assert_typing_event(&event, room_id, alice.id, false);
    assert!(
        event.at("/expires_at").is_null(),
        "a stop has no deadline: {event}"
    );
    assert!(!is_typing(&app, &bob.token, room_id, alice.id).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_someone_typing_when_they_send_a_message_then_typing_ends() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    alice_ws
        .request("typing", json!({"room_id": room_id, "typing": true}))
        .await;
    bob_ws.event("typing").await;
    assert!(is_typing(&app, &bob.token, room_id, alice.id).await);

    alice_ws.send_message(room_id, "done typing").await;

    bob_ws.event("message").await;
    assert!(
        !is_typing(&app, &bob.token, room_id, alice.id).await,
        "a sent message ends typing (default 5 s ttl, so this is not expiry)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_typing_frame_for_a_room_you_are_not_in_then_not_a_member_and_nobody_is_told() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mallory = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let mut mallory_ws = WsClient::connect(&app, &mallory.token).await;

    let reply = mallory_ws
        .request("typing", json!({"room_id": room_id, "typing": true}))
        .await;

    banter_e2e::assert_error_frame(&reply, "NOT_A_MEMBER");
    bob_ws.expect_quiet("typing").await;
    mallory_ws.ping().await;
}
