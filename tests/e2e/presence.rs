//! Presence flips at a user's first connection and at their last disconnect,
//! and only people who share a room with them hear about it.

use banter_e2e::{JsonExt, TestApp, WsClient};

async fn is_online(app: &TestApp, token: &str, room_id: u64, user_id: u64) -> bool {
    let info = app.room(token, room_id).await.expect(200);
    info.array_at("/members")
        .iter()
        .find(|m| m.u64_at("/user/id") == user_id)
        .unwrap_or_else(|| panic!("user {user_id} is not among the members: {info}"))
        .bool_at("/online")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_contact_when_a_user_connects_two_devices_and_closes_them_then_presence_flips_only_at_first_and_last()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let stranger = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let mut stranger_ws = WsClient::connect(&app, &stranger.token).await;
    assert!(!is_online(&app, &bob.token, room_id, alice.id).await);

    // First connection: online.
    let phone = WsClient::connect(&app, &alice.token).await;
    let event = bob_ws.event("presence").await;
    assert_eq!(event.u64_at("/user/id"), alice.id, "{event}");
    assert_eq!(event.str_at("/user/username"), alice.username, "{event}");
    assert!(event.bool_at("/online"), "{event}");
    assert!(is_online(&app, &bob.token, room_id, alice.id).await);

    // Second device: nothing new.
    let laptop = WsClient::connect(&app, &alice.token).await;
    bob_ws.expect_quiet("presence").await;

    // One of two closes: still online, nothing sent.
    phone.close().await;
    bob_ws.expect_quiet("presence").await;
    assert!(is_online(&app, &bob.token, room_id, alice.id).await);

    // The last one closes: offline.
    laptop.close().await;
    let event = bob_ws.event("presence").await;
    assert_eq!(event.u64_at("/user/id"), alice.id, "{event}");
    assert!(!event.bool_at("/online"), "{event}");
    assert!(!is_online(&app, &bob.token, room_id, alice.id).await);

    // Someone who shares no room with alice heard nothing at all.
    stranger_ws.expect_quiet("presence").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_socket_that_drops_without_a_close_handshake_then_contacts_see_it_offline() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let alice_ws = WsClient::connect(&app, &alice.token).await;
    assert!(bob_ws.event("presence").await.bool_at("/online"));

    drop(alice_ws); // TCP goes away, no close frame

    let event = bob_ws.event("presence").await;
    assert_eq!(event.u64_at("/user/id"), alice.id);
    assert!(!event.bool_at("/online"), "{event}");
}
