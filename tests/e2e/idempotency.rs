//! A retried send with the same client message id creates nothing new.

use banter_e2e::{JsonExt, Page, TestApp, WsClient, random_id};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_websocket_send_when_retried_with_the_same_client_message_id_then_nothing_new_is_created()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_phone = WsClient::connect(&app, &alice.token).await;
    let mut alice_laptop = WsClient::connect(&app, &alice.token).await;
    let mut bob_phone = WsClient::connect(&app, &bob.token).await;
    let cmid = random_id("c-");
    let frame = json!({"room_id": room_id, "text": "only once", "client_message_id": cmid});

    let first = alice_phone.request("send", frame.clone()).await;
    let retry = alice_phone.request("send", frame.clone()).await;

    assert_eq!(first.str_at("/type"), "sent", "{first}");
    assert!(!first.bool_at("/duplicate"));
    assert_eq!(retry.str_at("/type"), "sent", "{retry}");
    assert!(
        retry.bool_at("/duplicate"),
        "a retry is flagged duplicate: {retry}"
    );
    assert_eq!(
        retry.at("/message"),
        first.at("/message"),
        "the retry answers the original"
    );

    // Exactly one message event everywhere.
    for device in [&mut alice_phone, &mut alice_laptop, &mut bob_phone] {
        let event = device.event("message").await;
        assert_eq!(event.u64_at("/message/id"), first.u64_at("/message/id"));
        device.expect_quiet("message").await;
    }
    let history = app
        .history(&bob.token, room_id, Page::latest())
        .await
        .expect(200);
    assert_eq!(history.array_at("/messages").len(), 1, "{history}");
    let room = app.room(&bob.token, room_id).await.expect(200);
    assert_eq!(room.u64_at("/room/message_count"), 1, "{room}");
    assert_eq!(room.u64_at("/room/unread_count"), 1, "{room}");

    // A retry from another device (say after a reconnect) is a duplicate too.
    let from_laptop = alice_laptop.request("send", frame).await;
    assert!(from_laptop.bool_at("/duplicate"), "{from_laptop}");
    assert_eq!(from_laptop.at("/message"), first.at("/message"));
    bob_phone.expect_quiet("message").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_rest_send_when_retried_with_the_same_client_message_id_then_200_with_the_original()
{
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut bob_phone = WsClient::connect(&app, &bob.token).await;
    let body = json!({"text": "only once", "client_message_id": random_id("c-")});

    let first = app
        .send_rest(&alice.token, room_id, &body)
        .await
        .expect(201);
    let retry = app
        .send_rest(&alice.token, room_id, &body)
        .await
        .expect(200);

    assert!(!first.bool_at("/duplicate"));
    assert!(retry.bool_at("/duplicate"), "{retry}");
    assert_eq!(retry.at("/message"), first.at("/message"));
    bob_phone.event("message").await;
    bob_phone.expect_quiet("message").await;
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert_eq!(history.array_at("/messages").len(), 1, "{history}");

    // The same key over the WebSocket is the same send.
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut fields = body.clone();
    fields["room_id"] = json!(room_id);
    let over_ws = alice_ws.request("send", fields).await;
    assert!(over_ws.bool_at("/duplicate"), "{over_ws}");
    assert_eq!(over_ws.at("/message"), first.at("/message"));
    bob_phone.expect_quiet("message").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_different_client_message_ids_or_none_then_each_send_is_a_new_message() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut ws = WsClient::connect(&app, &alice.token).await;

    let a = ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "same", "client_message_id": random_id("c-")}),
        )
        .await;
    let b = ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "same", "client_message_id": random_id("c-")}),
        )
        .await;
    let c = ws
        .request("send", json!({"room_id": room_id, "text": "same"}))
        .await;
    let d = ws
        .request("send", json!({"room_id": room_id, "text": "same"}))
        .await;

    let ids: Vec<u64> = [&a, &b, &c, &d]
        .iter()
        .map(|r| r.u64_at("/message/id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!([&a, &b, &c, &d].iter().all(|r| !r.bool_at("/duplicate")));
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert_eq!(history.array_at("/messages").len(), 4);

    // An idempotency key over 64 bytes is refused, not truncated.
    let long = ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "x", "client_message_id": "c".repeat(65)}),
        )
        .await;
    banter_e2e::assert_error_frame(&long, "INVALID_FIELD");
}
