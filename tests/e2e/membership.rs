//! A non-member can neither send, read history, see room info, mark read
//! nor download: 403 NOT_A_MEMBER over REST, an error frame over the
//! WebSocket. And who may change a room's members.

use banter_e2e::{JsonExt, Page, TestApp, WsClient, assert_error_frame};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_non_member_when_using_a_rooms_rest_routes_then_403_not_a_member_and_nothing_changes()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mallory = app.new_user().await;
    let room_id = app.group(&alice, &[&bob]).await;
    app.send_text(&alice.token, room_id, "members only").await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    app.send_rest(&mallory.token, room_id, &json!({"text": "let me in"}))
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.history(&mallory.token, room_id, Page::latest())
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.room(&mallory.token, room_id)
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.mark_read(&mallory.token, room_id, None)
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.download(&mallory.token, room_id, "anything")
        .await
        .expect_error(403, "NOT_A_MEMBER");

    bob_ws.expect_quiet("message").await;
    let history = app
        .history(&bob.token, room_id, Page::latest())
        .await
        .expect(200);
    assert_eq!(history.array_at("/messages").len(), 1, "{history}");
    let rooms = app.rooms(&mallory.token).await.expect(200);
    assert!(rooms.array_at("/rooms").is_empty(), "{rooms}");

    // The same calls succeed for a member.
    app.room(&bob.token, room_id).await.expect(200);
    app.mark_read(&bob.token, room_id, None).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_non_member_when_sending_frames_about_a_room_then_not_a_member_error_frames_and_the_socket_stays_open()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mallory = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let mut mallory_ws = WsClient::connect(&app, &mallory.token).await;

    for (action, fields) in [
        ("send", json!({"room_id": room_id, "text": "let me in"})),
        ("history", json!({"room_id": room_id})),
        ("read", json!({"room_id": room_id})),
        ("typing", json!({"room_id": room_id, "typing": true})),
    ] {
        let reply = mallory_ws.request(action, fields).await;
        assert_error_frame(&reply, "NOT_A_MEMBER");
    }
    mallory_ws.ping().await;

    bob_ws.expect_no_frame(banter_e2e::QUIET).await;
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    assert!(history.array_at("/messages").is_empty(), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_unknown_room_then_404_not_found_over_rest_and_websocket() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let nowhere = 9_007_199_254_740_000u64;

    app.room(&alice.token, nowhere)
        .await
        .expect_error(404, "NOT_FOUND");
    app.send_rest(&alice.token, nowhere, &json!({"text": "hello?"}))
        .await
        .expect_error(404, "NOT_FOUND");
    let mut ws = WsClient::connect(&app, &alice.token).await;
    let reply = ws
        .request("send", json!({"room_id": nowhere, "text": "hello?"}))
        .await;
    assert_error_frame(&reply, "NOT_FOUND");
}

fn member_ids(room: &Value) -> Vec<u64> {
    let mut ids: Vec<u64> = room
        .array_at("/room/member_ids")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_group_then_any_member_adds_only_the_creator_removes_others_and_everyone_is_told() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dave = app.new_user().await;
    let room_id = app.group(&alice, &[&bob]).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut carol_ws = WsClient::connect(&app, &carol.token).await;

    // Any member may add.
    let added = app
        .add_member(&bob.token, room_id, carol.id)
        .await
        .expect(200);
    let mut expected = vec![alice.id, bob.id, carol.id];
    expected.sort_unstable();
    assert_eq!(member_ids(&added), expected);
    for ws in [&mut alice_ws, &mut carol_ws] {
        let event = ws.event("member_added").await;
        assert_eq!(event.u64_at("/room/id"), room_id, "{event}");
        assert_eq!(event.u64_at("/added_by"), bob.id, "{event}");
        let ids: Vec<u64> = event
            .array_at("/user_ids")
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        assert_eq!(ids, vec![carol.id], "{event}");
    }
    // carol now sees the room's history.
    app.history(&carol.token, room_id, Page::latest())
        .await
        .expect(200);

    // Only the creator removes others.
    app.remove_member(&bob.token, room_id, carol.id)
        .await
        .expect_error(403, "FORBIDDEN");
    app.remove_member(&dave.token, room_id, carol.id)
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.remove_member(&alice.token, room_id, carol.id)
        .await
        .expect(204);
    for ws in [&mut alice_ws, &mut carol_ws] {
        let event = ws.event("member_removed").await;
        assert_eq!(event.u64_at("/room_id"), room_id, "{event}");
        assert_eq!(event.u64_at("/user_id"), carol.id, "{event}");
        assert_eq!(event.u64_at("/removed_by"), alice.id, "{event}");
    }
    app.history(&carol.token, room_id, Page::latest())
        .await
        .expect_error(403, "NOT_A_MEMBER");

    // A removed member stops getting the room's messages.
    alice_ws.send_message(room_id, "after carol left").await;
    carol_ws.expect_quiet("message").await;

    // Non-members cannot add.
    app.add_member(&dave.token, room_id, dave.id)
        .await
        .expect_error(403, "NOT_A_MEMBER");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dm_when_changing_its_members_then_409_conflict() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;

    app.add_member(&alice.token, room_id, carol.id)
        .await
        .expect_error(409, "CONFLICT");
    let room = app.room(&alice.token, room_id).await.expect(200);
    assert_eq!(room.array_at("/members").len(), 2, "{room}");
}
