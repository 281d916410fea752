//! Expired, forged, unsigned and tampered tokens are refused: the WebSocket
//! handshake with 401, REST calls with 401 and a typed error.

use banter_e2e::{TestApp, WsClient, tokens};

/// Asserts that `token` is refused on both APIs with `code` on REST.
pub(crate) async fn assert_refused(app: &TestApp, token: &str, code: &str) {
    app.rooms(token).await.expect_error(401, code);
    match WsClient::connect_raw(&app.ws_url_with_token(token)).await {
        Ok(_) => panic!("the WebSocket handshake accepted a bad token ({code}): {token}"),
        Err(refusal) => assert_eq!(refusal.status, 401, "{refusal:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_hand_made_token_signed_with_the_servers_secret_then_both_apis_accept_it() {
    // The positive twin of the refusals below: the hand-made tokens differ
    // from this one only in what each test breaks.
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let token = app.token_for(alice.id);

    app.rooms(&token).await.expect(200);
    let mut ws = WsClient::connect(&app, &token).await;
    ws.ping().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_expired_token_then_401_token_expired_and_a_refused_handshake() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;

    let token = tokens::expired(app.jwt_secret(), alice.id);

    assert_refused(&app, &token, "TOKEN_EXPIRED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_token_that_expires_while_in_use_then_it_stops_working() {
    let app = TestApp::builder()
        .jwt_ttl(std::time::Duration::from_secs(1))
        .spawn()
        .await;
    let alice = app.new_user().await;
    app.rooms(&alice.token).await.expect(200);

    // Expiry has a one-second resolution (`exp` is in seconds), so there is
    // no event to await: wait it out.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;

    assert_refused(&app, &alice.token, "TOKEN_EXPIRED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_token_signed_with_another_secret_then_401_unauthorized() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;

    assert_refused(&app, &tokens::forged(alice.id), "UNAUTHORIZED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_alg_none_token_then_401_unauthorized() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;

    let token = tokens::unsigned(&alice.token);

    assert_refused(&app, &token, "UNAUTHORIZED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_token_whose_claims_were_edited_then_401_unauthorized() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;

    let token = tokens::tampered(&alice.token, bob.id);

    assert_refused(&app, &token, "UNAUTHORIZED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_garbage_or_no_token_then_401() {
    let app = TestApp::spawn().await;

    assert_refused(&app, "not-a-jwt", "UNAUTHORIZED").await;
    let refusal = WsClient::connect_raw(&format!("{}/", app.ws_url()))
        .await
        .err()
        .expect("a handshake without a token is refused");
    assert_eq!(refusal.status, 401, "{refusal:?}");
    app.get("/rooms", None)
        .await
        .expect_error(401, "UNAUTHORIZED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dialect_parameter_then_native_is_served_and_an_unknown_one_is_refused_with_400() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let url = app.ws_url_with_token(&alice.token);

    let mut native = WsClient::connect_raw(&format!("{url}&dialect=native"))
        .await
        .expect("dialect=native is the default dialect, spelled out");
    native.ping().await;

    let refusal = WsClient::connect_raw(&format!("{url}&dialect=klingon"))
        .await
        .err()
        .expect("an unknown dialect is refused");
    assert_eq!(refusal.status, 400, "{refusal:?}");
}
