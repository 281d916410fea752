//! banter-local's API Gateway Management API: `POST`, `GET` and `DELETE
//! /@connections/{id}` with API Gateway's answers (200, 410, 413).

use banter_e2e::{JsonExt, TestApp, WsClient};

/// Connects `token` and returns the client with its connection id (the one
/// id that appeared).
async fn connect_with_id(app: &TestApp, token: &str) -> (WsClient, String) {
    let before = app.connection_ids();
    let ws = WsClient::connect(app, token).await;
    let new: Vec<String> = app
        .connection_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(new.len(), 1, "exactly one new connection: {new:?}");
    (ws, new[0].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_unknown_connection_id_when_posting_then_410_gone() {
    let app = TestApp::spawn().await;

    let reply = app.post_to_connection("bm9uZQ=", b"{}".to_vec()).await;

    assert_eq!(reply.status, 410, "{}", reply.text);
    assert_eq!(app.get_connection("bm9uZQ=").await.status, 410);
    assert_eq!(app.delete_connection("bm9uZQ=").await.status, 410);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_live_connection_when_posting_then_the_client_gets_the_frame() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let (mut ws, id) = connect_with_id(&app, &alice.token).await;

    let reply = app
        .post_to_connection(&id, br#"{"type":"hello","n":1}"#.to_vec())
        .await;

    assert_eq!(reply.status, 200, "{}", reply.text);
    let frame = ws.event("hello").await;
    assert_eq!(frame.u64_at("/n"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_live_connection_when_posting_over_128_kb_then_413_and_nothing_arrives() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let (mut ws, id) = connect_with_id(&app, &alice.token).await;
    let body = format!(
        "{{\"type\":\"big\",\"pad\":\"{}\"}}",
        "x".repeat(129 * 1024)
    );

    let reply = app.post_to_connection(&id, body.into_bytes()).await;

    assert_eq!(reply.status, 413, "{}", reply.text);
    ws.expect_no_frame(banter_e2e::QUIET).await;
    ws.ping().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_live_connection_when_getting_it_then_200_with_its_details() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let (_ws, id) = connect_with_id(&app, &alice.token).await;

    let reply = app.get_connection(&id).await;

    let body = reply.expect(200);
    // The wire shape of API Gateway's GetConnection (the service model's
    // `locationName`s, which every AWS SDK parses): lowerCamelCase, ISO 8601.
    for field in ["/connectedAt", "/lastActiveAt"] {
        let at = body.str_at(field);
        assert!(at.contains('T'), "{field} should be ISO 8601: {body}");
    }
    assert_eq!(body.str_at("/identity/sourceIp"), "127.0.0.1", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_live_connection_when_deleting_it_then_it_closes_and_contacts_see_it_offline() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let (mut alice_ws, id) = connect_with_id(&app, &alice.token).await;
    assert!(bob_ws.event("presence").await.bool_at("/online"));

    let reply = app.delete_connection(&id).await;

    assert_eq!(
        reply.status, 204,
        "DeleteConnection answers 204: {}",
        reply.text
    );
    alice_ws.expect_closed().await;
    let event = bob_ws.event("presence").await;
    assert_eq!(event.u64_at("/user/id"), alice.id);
    assert!(!event.bool_at("/online"), "{event}");
    assert_eq!(
        app.post_to_connection(&id, b"{}".to_vec()).await.status,
        410
    );
}
