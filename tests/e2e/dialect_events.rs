//! Seed 002, event channels (docs/protocol/events.md), step by step as its
//! document tells a client: `registerMessages` first, then `snippets`,
//! `conversation`, `message` both ways, `startWriting` and `stopWriting`,
//! and errors on the `info` channel, over real sockets at `/events`.

use banter_e2e::dialects::conversations::dm_room;
use banter_e2e::dialects::events::{EventsClient, assert_seed_message};
use banter_e2e::{JsonExt, TestApp, WsClient, tokens};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_valid_token_then_register_messages_answers_ok_on_its_channel() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = EventsClient::connect(&app).await;

    ws.emit("registerMessages", json!({"token": alice.token}))
        .await;

    assert_eq!(
        ws.next().await,
        json!({"event": "registerMessages", "data": "OK"})
    );
    ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_no_registration_yet_then_every_other_event_and_bad_tokens_get_info_errors() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let secret = app.jwt_secret().to_vec();
    let mut ws = EventsClient::connect(&app).await;

    for (event, data) in [
        ("snippets", json!({})),
        ("conversation", json!({"id": bob.id})),
        ("message", json!({"to": bob.id, "content": "too early"})),
        ("startWriting", json!({"id": bob.id})),
    ] {
        ws.emit(event, data).await;
        let info = ws.info().await;
        assert!(info.contains("registerMessages"), "{event}: {info}");
    }
    for token in [
        json!("not a token"),
        json!(tokens::forged(alice.id)),
        json!(tokens::expired(&secret, alice.id)),
        json!(""),
    ] {
        ws.emit("registerMessages", json!({"token": token})).await;
        ws.info().await;
    }
    ws.emit("registerMessages", json!({})).await;
    assert!(ws.info().await.contains("token"));
    ws.send_text("{not json").await;
    ws.info().await;
    ws.expect_silence().await;
    // Nothing was sent before registering.
    assert!(
        app.rooms(&alice.token)
            .await
            .expect(200)
            .array_at("/rooms")
            .is_empty()
    );

    ws.emit("registerMessages", json!({"token": alice.token}))
        .await;
    assert_eq!(ws.on("registerMessages").await, json!("OK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_registered_socket_then_unknown_events_and_bad_data_get_info_errors_and_it_stays_up()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mut ws = EventsClient::registered(&app, &alice.token).await;

    ws.emit("dance", json!({})).await;
    assert!(ws.info().await.contains("unknown event"));
    for (event, data) in [
        ("message", json!({"to": bob.id})),
        ("message", json!({"to": "bob", "content": "x"})),
        ("message", json!({"to": 0, "content": "x"})),
        ("conversation", json!({})),
        ("startWriting", json!("bob")),
    ] {
        ws.emit(event, data).await;
        ws.info().await;
    }
    ws.send_text("[\"snippets\"]").await;
    ws.info().await;
    ws.send_text("not json at all").await;
    ws.info().await;
    // Refused by the core: to oneself, to nobody, empty, too long.
    for (to, content) in [
        (alice.id, "me".to_owned()),
        (9_999_999, "nobody".to_owned()),
        (bob.id, "   ".to_owned()),
        (bob.id, "x".repeat(4_001)),
    ] {
        ws.emit("message", json!({"to": to, "content": content}))
            .await;
        ws.info().await;
    }
    ws.expect_silence().await;

    ws.send_message(bob.id, "still here").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_message_then_the_sender_gets_success_and_the_correspondent_the_message() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mut alice_ws = EventsClient::registered(&app, &alice.token).await;
    let mut alice_laptop = EventsClient::registered(&app, &alice.token).await;
    let mut bob_ws = EventsClient::registered(&app, &bob.token).await;

    alice_ws
        .emit("message", json!({"to": bob.id, "content": "hi bob"}))
        .await;

    assert_eq!(
        alice_ws.next().await,
        json!({"event": "message", "data": {"success": true}})
    );
    let received = bob_ws.on("message").await;
    assert_seed_message(&received, alice.id, bob.id, "hi bob");
    // Alice's other socket sees her message; the sending socket does not.
    let mirrored = alice_laptop.on("message").await;
    assert_eq!(mirrored, received);
    alice_ws.expect_silence().await;

    // Ids as strings are taken too; the answer goes back the other way.
    bob_ws
        .emit(
            "message",
            json!({"to": alice.id.to_string(), "content": "hi alice"}),
        )
        .await;
    assert_eq!(bob_ws.on("message").await, json!({"success": true}));
    let reply = alice_ws.on("message").await;
    assert_seed_message(&reply, bob.id, alice.id, "hi alice");
    assert!(reply.u64_at("/id") > received.u64_at("/id"));
    for ws in [&mut alice_ws, &mut bob_ws] {
        ws.expect_silence().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_dms_then_snippets_are_one_per_dm_with_its_latest_message_and_groups_are_left_out() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dave = app.new_user().await;
    let mut ws = EventsClient::registered(&app, &alice.token).await;

    // No conversation yet: no snippet at all.
    ws.emit("snippets", json!({})).await;
    ws.expect_silence().await;

    let with_bob = app.dm(&alice, &bob).await;
    app.send_text(&alice.token, with_bob, "old").await;
    app.send_text(&bob.token, with_bob, "latest with bob").await;
    let with_carol = app.dm(&carol, &alice).await;
    app.send_text(&alice.token, with_carol, "latest with carol")
        .await;
    app.dm(&alice, &dave).await; // no message: not a conversation yet
    let group = app.group(&alice, &[&bob, &carol]).await;
    app.send_text(&bob.token, group, "group talk").await;
    // Alice's DM messages reach her socket as they happen (her own REST
    // sends too: they come from no socket); the group's do not.
    let mut live = Vec::new();
    for _ in 0..3 {
        live.push(ws.on("message").await["content"].clone());
    }
    assert_eq!(
        live,
        [
            json!("old"),
            json!("latest with bob"),
            json!("latest with carol")
        ]
    );
    ws.expect_silence().await;

    ws.emit("snippets", json!(null)).await;
    let first = ws.on("snippets").await;
    let second = ws.on("snippets").await;
    ws.expect_silence().await;

    // The most recently active first.
    assert_eq!(first.u64_at("/id"), carol.id, "{first}");
    assert_seed_message(
        first.at("/message"),
        alice.id,
        carol.id,
        "latest with carol",
    );
    assert_eq!(second.u64_at("/id"), bob.id, "{second}");
    assert_seed_message(second.at("/message"), bob.id, alice.id, "latest with bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_correspondent_then_conversation_returns_the_messages_oldest_first() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let stranger = app.new_user().await;
    let mut ws = EventsClient::registered(&app, &alice.token).await;
    ws.send_message(bob.id, "one").await;
    let room_id = dm_room(&app, &alice, &bob).await;
    app.send_text(&bob.token, room_id, "two").await;
    ws.on("message").await; // bob's "two", as it happened
    ws.send_message(bob.id, "three").await;

    ws.emit("conversation", json!({"id": bob.id})).await;

    let conversation = ws.on("conversation").await;
    assert_eq!(conversation.u64_at("/id"), bob.id, "{conversation}");
    let messages = conversation.array_at("/messages");
    assert_eq!(messages.len(), 3, "{conversation}");
    assert_seed_message(&messages[0], alice.id, bob.id, "one");
    assert_seed_message(&messages[1], bob.id, alice.id, "two");
    assert_seed_message(&messages[2], alice.id, bob.id, "three");
    let ids: Vec<u64> = messages.iter().map(|m| m.u64_at("/id")).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");

    // Banter's extension: page back with `before`.
    ws.emit("conversation", json!({"id": bob.id, "before": ids[2]}))
        .await;
    let older = ws.on("conversation").await;
    assert_eq!(older.array_at("/messages").len(), 2, "{older}");

    // No DM with that user: an info error, not an empty conversation.
    ws.emit("conversation", json!({"id": stranger.id})).await;
    assert!(ws.info().await.contains("not found"));
    ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_start_and_stop_writing_then_only_the_correspondent_hears_the_writer_id() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mut alice_ws = EventsClient::registered(&app, &alice.token).await;
    let mut bob_ws = EventsClient::registered(&app, &bob.token).await;
    alice_ws.send_message(bob.id, "hello").await;
    bob_ws.on("message").await;

    alice_ws.emit("startWriting", json!({"id": bob.id})).await;
    assert_eq!(
        bob_ws.next().await,
        json!({"event": "startWriting", "data": {"id": alice.id}})
    );
    alice_ws
        .emit("stopWriting", json!({"token": alice.token, "id": bob.id}))
        .await;
    assert_eq!(
        bob_ws.next().await,
        json!({"event": "stopWriting", "data": {"id": alice.id}})
    );
    // The writer hears nothing back: "the sender doesn't care".
    alice_ws.expect_silence().await;

    // Sending ends the typing: stopWriting, then the message.
    alice_ws.emit("startWriting", json!({"id": bob.id})).await;
    bob_ws.on("startWriting").await;
    alice_ws.send_message(bob.id, "done typing").await;
    assert_eq!(bob_ws.next().await["event"], "stopWriting");
    assert_eq!(bob_ws.next().await["event"], "message");

    // Writing to someone without a DM is an info error.
    let stranger = app.new_user().await;
    alice_ws
        .emit("startWriting", json!({"id": stranger.id}))
        .await;
    alice_ws.info().await;
    bob_ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_group_then_its_messages_and_typing_never_reach_the_event_socket() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let group = app.group(&alice, &[&bob, &carol]).await;
    let mut alice_ws = EventsClient::registered(&app, &alice.token).await;
    let mut bob_native = WsClient::connect(&app, &bob.token).await;

    bob_native.send_message(group, "group message").await;
    bob_native
        .request("typing", json!({"room_id": group, "typing": true}))
        .await;
    alice_ws.expect_silence().await;

    // A DM message from the native dialect does arrive, in this one's shape.
    let dm = app.dm(&bob, &alice).await;
    bob_native.send_message(dm, "native to events").await;
    let message = alice_ws.on("message").await;
    assert_seed_message(&message, bob.id, alice.id, "native to events");
}
