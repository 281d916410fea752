//! Unread counts rise with messages and fall with mark-read, everywhere the
//! spec shows them: `GET /rooms`, `message` events, `read` events.

use banter_e2e::{JsonExt, TestApp, WsClient};
use serde_json::{Value, json};

async fn unread_in_rooms(app: &TestApp, token: &str, room_id: u64) -> Value {
    let rooms = app.rooms(token).await.expect(200);
    rooms
        .array_at("/rooms")
        .iter()
        .find(|r| r.u64_at("/id") == room_id)
        .unwrap_or_else(|| panic!("room {room_id} missing from {rooms}"))
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_new_messages_when_the_reader_marks_them_read_then_unread_counts_rise_and_fall_everywhere()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_phone = WsClient::connect(&app, &bob.token).await;
    let mut bob_laptop = WsClient::connect(&app, &bob.token).await;

    // Rise: each message event carries the recipient's count.
    let mut ids = Vec::new();
    for n in 1..=3u64 {
        let message = alice_ws.send_message(room_id, &format!("unread {n}")).await;
        ids.push(message.u64_at("/id"));
        for ws in [&mut bob_phone, &mut bob_laptop] {
            let event = ws.event("message").await;
            assert_eq!(event.u64_at("/unread_count"), n, "{event}");
        }
        let own = alice_ws.event("message").await;
        assert_eq!(
            own.u64_at("/unread_count"),
            0,
            "the sender has read their own: {own}"
        );
    }
    let room = unread_in_rooms(&app, &bob.token, room_id).await;
    assert_eq!(room.u64_at("/unread_count"), 3, "{room}");
    assert!(
        room.at("/last_read_id").is_null(),
        "nothing read yet: {room}"
    );
    assert_eq!(
        unread_in_rooms(&app, &alice.token, room_id)
            .await
            .u64_at("/unread_count"),
        0
    );

    // Fall over REST: up to the second message.
    let read = app
        .mark_read(&bob.token, room_id, Some(ids[1]))
        .await
        .expect(200);
    assert_eq!(read.u64_at("/room_id"), room_id);
    assert_eq!(read.u64_at("/unread_count"), 1);
    assert_eq!(read.u64_at("/last_read_id"), ids[1]);
    for ws in [&mut bob_phone, &mut bob_laptop] {
        let event = ws.event("read").await;
        assert_eq!(event.u64_at("/room_id"), room_id, "{event}");
        assert_eq!(event.u64_at("/unread_count"), 1, "{event}");
        assert_eq!(event.u64_at("/last_read_id"), ids[1], "{event}");
    }
    let room = unread_in_rooms(&app, &bob.token, room_id).await;
    assert_eq!(room.u64_at("/unread_count"), 1);
    assert_eq!(room.u64_at("/last_read_id"), ids[1]);

    // Fall over the WebSocket: everything, on the phone; the laptop is told.
    let reply = bob_phone.request("read", json!({"room_id": room_id})).await;
    assert_eq!(reply.str_at("/type"), "read", "{reply}");
    assert_eq!(reply.u64_at("/unread_count"), 0);
    assert_eq!(reply.u64_at("/last_read_id"), ids[2]);
    let event = bob_laptop.event("read").await;
    assert_eq!(event.u64_at("/unread_count"), 0);
    assert_eq!(event.u64_at("/last_read_id"), ids[2]);
    let event = bob_phone.event("read").await;
    assert_eq!(
        event.u64_at("/unread_count"),
        0,
        "the read event arrives either way"
    );
    assert_eq!(
        unread_in_rooms(&app, &bob.token, room_id)
            .await
            .u64_at("/unread_count"),
        0
    );

    // Read state only moves forward.
    let back = app
        .mark_read(&bob.token, room_id, Some(ids[0]))
        .await
        .expect(200);
    assert_eq!(back.u64_at("/unread_count"), 0, "{back}");
    assert_eq!(back.u64_at("/last_read_id"), ids[2], "{back}");

    // The sender hears nothing of bob's reading.
    alice_ws.expect_quiet("read").await;

    // A new message counts again from there.
    alice_ws.send_message(room_id, "one more").await;
    assert_eq!(bob_laptop.event("message").await.u64_at("/unread_count"), 1);
    let info = app.room(&bob.token, room_id).await.expect(200);
    assert_eq!(info.u64_at("/room/unread_count"), 1, "{info}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_read_frame_without_a_request_id_then_only_the_read_event_arrives() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    app.send_text(&alice.token, room_id, "hi").await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    bob_ws
        .send_json(&json!({"action": "read", "room_id": room_id}))
        .await;

    let event = bob_ws.event("read").await;
    assert_eq!(event.u64_at("/unread_count"), 0);
    bob_ws.expect_no_frame(banter_e2e::QUIET).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_message_id_from_another_room_when_marking_read_then_it_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let ours = app.dm(&alice, &bob).await;
    let theirs = app.dm(&alice, &carol).await;
    app.send_text(&alice.token, ours, "ours").await;
    let elsewhere = app.send_text(&alice.token, theirs, "theirs").await;

    let reply = app
        .mark_read(&bob.token, ours, Some(elsewhere.u64_at("/id")))
        .await;

    reply.expect_error(404, "NOT_FOUND");
    let room = unread_in_rooms(&app, &bob.token, ours).await;
    assert_eq!(room.u64_at("/unread_count"), 1, "{room}");
}
