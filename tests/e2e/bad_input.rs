//! Bad frames get typed error frames and the socket stays usable; bad REST
//! bodies get typed 400s. Nothing is stored by a refused request.

use banter_e2e::{JsonExt, Page, TestApp, TestUser, WsClient, assert_error_frame};
use serde_json::{Value, json};

async fn dm_with_socket(app: &TestApp) -> (TestUser, TestUser, u64, WsClient) {
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let ws = WsClient::connect(app, &alice.token).await;
    (alice, bob, room_id, ws)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_frames_that_are_not_json_objects_then_invalid_json_and_the_socket_stays_usable() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, _room, mut ws) = dm_with_socket(&app).await;

    for frame in [
        "not json",
        "{\"action\": \"ping\"",
        "[1, 2, 3]",
        "42",
        "\"ping\"",
        "",
    ] {
        ws.send_text(frame).await;
        let reply = ws.next_frame(banter_e2e::WAIT).await;
        assert_error_frame(&reply, "INVALID_JSON");
        ws.ping().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_unknown_action_then_unknown_action_with_the_request_id_and_the_socket_stays_usable()
 {
    let app = TestApp::spawn().await;
    let (_alice, _bob, room_id, mut ws) = dm_with_socket(&app).await;

    for action in ["dance", "SEND", "", "sendMessage"] {
        let reply = ws.request(action, json!({"room_id": room_id})).await;
        assert_error_frame(&reply, "UNKNOWN_ACTION");
    }
    ws.ping().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_missing_or_mistyped_fields_then_invalid_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (alice, _bob, room_id, mut ws) = dm_with_socket(&app).await;

    let cases: Vec<(&str, Value)> = vec![
        ("send", json!({"room_id": room_id.to_string(), "text": "x"})),
        ("send", json!({"room_id": -1, "text": "x"})),
        ("send", json!({"room_id": 0, "text": "x"})),
        ("send", json!({"room_id": 1.5, "text": "x"})),
        ("send", json!({"text": "no room"})),
        ("send", json!({"room_id": room_id, "text": 42})),
        (
            "send",
            json!({"room_id": room_id, "text": "x", "client_message_id": 7}),
        ),
        ("typing", json!({"room_id": room_id, "typing": "yes"})),
        ("typing", json!({"room_id": room_id})),
        ("read", json!({"room_id": room_id, "message_id": "latest"})),
        ("history", json!({"room_id": room_id, "limit": "all"})),
        ("history", json!({"room_id": room_id, "limit": 0})),
        (
            "history",
            json!({"room_id": room_id, "before": 5, "after": 2}),
        ),
    ];
    for (action, fields) in cases {
        let reply = ws.request(action, fields.clone()).await;
        assert!(
            reply.get("type").and_then(Value::as_str) == Some("error"),
            "{action} {fields} should be refused, got {reply}"
        );
        assert_error_frame(&reply, "INVALID_FIELD");
    }
    // No action at all, or not a string.
    ws.send_json(&json!({"room_id": room_id, "request_id": "no-action"}))
        .await;
    assert_error_frame(&ws.reply_to("no-action").await, "INVALID_FIELD");
    ws.send_json(&json!({"action": 7, "request_id": "number-action"}))
        .await;
    assert_error_frame(&ws.reply_to("number-action").await, "INVALID_FIELD");

    ws.ping().await;
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert!(history.array_at("/messages").is_empty(), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_text_over_4000_characters_then_text_too_long_over_websocket_and_rest() {
    let app = TestApp::spawn().await;
    let (alice, bob, room_id, mut ws) = dm_with_socket(&app).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    let reply = ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "a".repeat(4001)}),
        )
        .await;
    assert_error_frame(&reply, "TEXT_TOO_LONG");
    ws.ping().await;
    app.send_rest(&alice.token, room_id, &json!({"text": "a".repeat(4001)}))
        .await
        .expect_error(400, "TEXT_TOO_LONG");
    bob_ws.expect_quiet("message").await;

    // The limit counts characters, not bytes: 4,000 two-byte characters fit.
    let limit = "é".repeat(4000);
    let message = ws.send_message(room_id, &limit).await;
    assert_eq!(message.str_at("/text"), limit);
    let over = ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "é".repeat(4001)}),
        )
        .await;
    assert_error_frame(&over, "TEXT_TOO_LONG");
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert_eq!(history.array_at("/messages").len(), 1, "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_bad_rest_bodies_then_typed_400s() {
    let app = TestApp::spawn().await;
    let (alice, _bob, room_id, _ws) = dm_with_socket(&app).await;
    let path = format!("/rooms/{room_id}/messages");

    app.post_raw(&path, Some(&alice.token), "{\"text\": ")
        .await
        .expect_error(400, "INVALID_JSON");
    app.post_raw(&path, Some(&alice.token), "[\"text\"]")
        .await
        .expect_error(400, "INVALID_JSON");
    app.send_rest(&alice.token, room_id, &json!({"text": 42}))
        .await
        .expect_error(400, "INVALID_FIELD");
    app.send_rest(
        &alice.token,
        room_id,
        &json!({"text": "x", "client_message_id": ""}),
    )
    .await
    .expect_error(400, "INVALID_FIELD");
    app.post_raw("/rooms/group", Some(&alice.token), "not json")
        .await
        .expect_error(400, "INVALID_JSON");
    app.post_json(
        "/rooms/group",
        Some(&alice.token),
        &json!({"name": "x", "member_ids": "all"}),
    )
    .await
    .expect_error(400, "INVALID_FIELD");
    app.get("/rooms/not-a-number", Some(&alice.token))
        .await
        .expect_error(400, "INVALID_FIELD");

    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert!(history.array_at("/messages").is_empty(), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_mistyped_or_missing_field_then_invalid_field_names_it_in_plain_words() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, room_id, mut ws) = dm_with_socket(&app).await;

    let reply = ws
        .request("send", json!({"room_id": "seven", "text": "x"}))
        .await;
    assert_error_frame(&reply, "INVALID_FIELD");
    assert_eq!(
        reply.str_at("/message"),
        "room_id: must be a whole number, 0 or more"
    );
    let reply = ws
        .request("send", json!({"room_id": room_id, "text": 5}))
        .await;
    assert_eq!(reply.str_at("/message"), "text: must be a string");
    let reply = ws.request("typing", json!({"room_id": room_id})).await;
    assert_eq!(reply.str_at("/message"), "typing is required");
    let reply = ws.request("sync", json!({"cursors": {"abc": 1}})).await;
    assert_error_frame(&reply, "INVALID_FIELD");
    assert!(reply.str_at("/message").starts_with("cursors: "), "{reply}");
    ws.ping().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_text_frame_that_is_not_utf8_then_the_socket_closes_with_1007() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, _room, mut ws) = dm_with_socket(&app).await;
    ws.send_text_bytes(&[0x7b, 0xff, 0xfe, 0x7d])
        .await
        .expect("the frame goes out");
    ws.expect_close(1007).await;
}
