//! Seed 000, the pair chat (docs/protocol/pair.md), step by step as its
//! document tells a client: connect at `/chat/{user_id}/{opponent_id}`,
//! `fetch-token`, `new-message`, `is-typing`, the online check, and each
//! error, over real sockets against banter-local.

use banter_e2e::dialects::pair::{
    EXPIRED_MESSAGE, PairClient, assert_online_check, expired_conversation_token, user_named,
};
use banter_e2e::{JsonExt, Page, TestApp, TestUser, WsClient, tokens};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Mark (1) and Sam (2) of the seed, with their display names.
async fn mark_and_sam(app: &TestApp) -> (TestUser, TestUser) {
    (user_named(app, "Mark").await, user_named(app, "Sam").await)
}

/// The exact error frame seed 000 documents for a bad conversation token.
fn expired_frame() -> Value {
    json!({
        "type": "error",
        "error_type": "EXPIRED_CONVERSATION_TOKEN",
        "message": EXPIRED_MESSAGE,
    })
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .expect("the payload is base64url");
    serde_json::from_slice(&bytes).expect("the payload is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_mark_and_sam_when_they_fetch_tokens_and_write_then_both_receive_every_message() {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;

    // Connecting and authenticating: the token, then Sam is offline.
    let (mut mark_ws, sam_online) = PairClient::authenticated(&app, &mark, &sam).await;
    assert!(!sam_online, "Sam has not connected yet");
    let conversation = claims(mark_ws.conversation_token.as_deref().unwrap_or_default());
    assert_eq!(
        conversation.u64_at("/exp") - conversation.u64_at("/iat"),
        3600,
        "a conversation token lives one hour by default: {conversation}"
    );

    // Sam connects: he sees Mark online, Mark sees him come online.
    let (mut sam_ws, mark_online) = PairClient::authenticated(&app, &sam, &mark).await;
    assert!(mark_online);
    let check = mark_ws.next_of_type("online-check").await;
    assert_online_check(&check);
    assert!(check.bool_at("/is_online"), "{check}");

    // Sending: the sender gets it back, the opponent receives it.
    let echo = mark_ws.new_message("Hello Sam").await;
    assert_eq!(echo.str_at("/sender_name"), "Mark", "{echo}");
    let received = sam_ws.received().await;
    assert_eq!(received, echo, "both parties get the same frame");

    let reply = sam_ws.new_message("Hi Mark").await;
    assert_eq!(reply.str_at("/sender_name"), "Sam", "{reply}");
    assert_eq!(mark_ws.received().await, reply);
    assert!(reply.u64_at("/id") > echo.u64_at("/id"), "ids grow");

    // The same DM, whatever the dialect: it is in the native history.
    let room_id = app.open_dm(&mark.token, sam.id).await.expect(200);
    let room_id = room_id.u64_at("/room/id");
    let history = app.history(&sam.token, room_id, Page::latest()).await;
    let history = history.expect(200);
    let ids: Vec<u64> = history
        .array_at("/messages")
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(ids, [echo.u64_at("/id"), reply.u64_at("/id")]);

    mark_ws.expect_silence().await;
    sam_ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_message_from_another_dialect_then_the_pair_sockets_receive_it_with_an_rfc3339_time()
 {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let (mut mark_ws, _) = PairClient::authenticated(&app, &mark, &sam).await;
    let room_id = app.open_dm(&sam.token, mark.id).await.expect(200);
    let room_id = room_id.u64_at("/room/id");

    let sent = app
        .send_text(&sam.token, room_id, "from the native API")
        .await;
    let received = mark_ws.received().await;
    assert_eq!(received.u64_at("/id"), sent.u64_at("/id"));
    assert_eq!(received.str_at("/sender_name"), "Sam");
    assert_eq!(received.str_at("/message"), "from the native API");
    let millis = sent.u64_at("/sent_at") % 1000;
    assert!(
        received
            .str_at("/created")
            .ends_with(&format!(".{millis:03}Z")),
        "created is the stored time in UTC: {received} vs {sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_the_opponent_types_then_only_the_other_side_gets_opponent_typing() {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let (mut mark_ws, _) = PairClient::authenticated(&app, &mark, &sam).await;
    let (mut sam_ws, _) = PairClient::authenticated(&app, &sam, &mark).await;
    mark_ws.next_of_type("online-check").await;

    sam_ws.is_typing().await;
    assert_eq!(
        mark_ws.next_of_type("opponent-typing").await,
        json!({"type": "opponent-typing"})
    );
    sam_ws.expect_silence().await;

    // Typing in a group the two share is not this DM's business.
    let group = app.group(&mark, &[&sam]).await;
    let mut native = WsClient::connect(&app, &sam.token).await;
    let answer = native
        .request("typing", json!({"room_id": group, "typing": true}))
        .await;
    assert_eq!(answer.str_at("/type"), "ok", "{answer}");
    mark_ws.expect_no("opponent-typing").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_the_opponent_comes_and_goes_then_online_check_says_so() {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let (mut mark_ws, _) = PairClient::authenticated(&app, &mark, &sam).await;

    let (sam_ws, _) = PairClient::authenticated(&app, &sam, &mark).await;
    let online = mark_ws.next_of_type("online-check").await;
    assert!(online.bool_at("/is_online"), "{online}");

    sam_ws.close().await;
    let offline = mark_ws.next_of_type("online-check").await;
    assert_online_check(&offline);
    assert!(!offline.bool_at("/is_online"), "{offline}");

    // Sam on any dialect counts: a native socket brings him back online.
    let _native = WsClient::connect(&app, &sam.token).await;
    let back = mark_ws.next_of_type("online-check").await;
    assert!(back.bool_at("/is_online"), "{back}");

    // Someone else coming online says nothing on this socket.
    let carol = app.new_user().await;
    app.dm(&mark, &carol).await;
    let _carol_ws = WsClient::connect(&app, &carol.token).await;
    mark_ws.expect_no("online-check").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_bad_auth_token_or_ids_then_fetch_token_is_invalid_auth_token_and_a_good_one_still_works()
 {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let mut ws = PairClient::connect(&app, mark.id, sam.id).await;
    let secret = app.jwt_secret().to_vec();

    let mut bad_frames = Vec::new();
    for token in [
        "not a token".to_owned(),
        tokens::forged(mark.id),
        tokens::expired(&secret, mark.id),
        // A valid token, but for Sam, on Mark's path.
        sam.token.clone(),
    ] {
        bad_frames.push(ws.fetch_token_frame(&token));
    }
    let mut missing = ws.fetch_token_frame("x");
    missing.as_object_mut().map(|o| o.remove("auth_token"));
    bad_frames.push(missing);
    // The frame's ids must be the path's.
    let mut other_user = ws.fetch_token_frame(&mark.token);
    other_user["user_id"] = json!(sam.id);
    bad_frames.push(other_user);
    let mut other_opponent = ws.fetch_token_frame(&mark.token);
    other_opponent["opponent_id"] = json!(mark.id + sam.id + 1000);
    bad_frames.push(other_opponent);

    for frame in &bad_frames {
        ws.send(frame).await;
        ws.expect_error("INVALID_AUTH_TOKEN").await;
    }

    // Nothing was bound: a message is refused, and Sam hears nothing.
    let (mut sam_ws, mark_online) = PairClient::authenticated(&app, &sam, &mark).await;
    assert!(
        !mark_online,
        "a refused fetch-token does not bring Mark online"
    );
    ws.send(&json!({
        "type": "new-message", "message": "sneaky", "user_id": mark.id,
        "opponent_id": sam.id, "conversation_token": "made-up",
    }))
    .await;
    assert_eq!(ws.next().await, expired_frame());
    sam_ws.expect_silence().await;

    // The same socket still authenticates with the right token.
    assert!(ws.fetch_token(&mark.token).await, "Sam is online");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_unknown_opponent_then_fetch_token_is_user_not_found() {
    let app = TestApp::spawn().await;
    let mark = user_named(&app, "Mark").await;
    let mut ws = PairClient::connect(&app, mark.id, mark.id + 1_000_000).await;
    let frame = ws.fetch_token_frame(&mark.token);
    ws.send(&frame).await;
    ws.expect_error("USER_NOT_FOUND").await;
    ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_path_without_user_ids_then_the_handshake_is_refused() {
    let app = TestApp::spawn().await;
    for (user, opponent) in [("mark", "2"), ("1", "0"), ("-1", "2")] {
        match PairClient::connect_path(&app, user, opponent).await {
            Ok(_) => panic!("/chat/{user}/{opponent} was accepted"),
            Err(refusal) => {
                assert_eq!(refusal.status, 400, "{refusal:?}");
                let body: Value = serde_json::from_str(&refusal.body).unwrap_or_default();
                assert_eq!(body["error_code"], "INVALID_FIELD", "{refusal:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_expired_or_wrong_conversation_token_then_the_seed_error_comes_back_verbatim_and_nothing_is_sent()
 {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let carol = user_named(&app, "Carol").await;
    let (mut mark_ws, _) = PairClient::authenticated(&app, &mark, &sam).await;
    let (mut sam_ws, _) = PairClient::authenticated(&app, &sam, &mark).await;
    mark_ws.next_of_type("online-check").await;
    let (carol_ws, _) = PairClient::authenticated(&app, &mark, &carol).await;
    let room_id = app.open_dm(&mark.token, sam.id).await.expect(200);
    let room_id = room_id.u64_at("/room/id");

    let good = mark_ws.conversation_token.clone().unwrap_or_default();
    let wrong_tokens = [
        "garbage".to_owned(),
        // Signed by the server, for this user and DM, but expired.
        expired_conversation_token(&app, mark.id, room_id),
        // Mark's token for his DM with Carol.
        carol_ws.conversation_token.clone().unwrap_or_default(),
        // Sam's token for this very DM.
        sam_ws.conversation_token.clone().unwrap_or_default(),
        // Mark's access token is not a conversation token.
        mark.token.clone(),
    ];
    for token in &wrong_tokens {
        mark_ws.conversation_token = Some(token.clone());
        let frame = mark_ws.new_message_frame("should not arrive");
        mark_ws.send(&frame).await;
        assert_eq!(mark_ws.next().await, expired_frame(), "token {token}");
        mark_ws.is_typing().await;
        assert_eq!(mark_ws.next().await, expired_frame(), "token {token}");
    }
    let mut no_token = mark_ws.new_message_frame("should not arrive");
    no_token
        .as_object_mut()
        .map(|o| o.remove("conversation_token"));
    mark_ws.send(&no_token).await;
    assert_eq!(mark_ws.next().await, expired_frame());
    sam_ws.expect_silence().await;

    // "Fetch a new one!": a fresh token works, the old good one too.
    mark_ws.fetch_token(&mark.token).await;
    mark_ws.new_message("after a fresh token").await;
    assert_eq!(
        sam_ws.received().await.str_at("/message"),
        "after a fresh token"
    );
    mark_ws.conversation_token = Some(good);
    mark_ws.new_message("with the first token").await;
    sam_ws.received().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_frames_the_seed_does_not_allow_then_each_gets_its_documented_error_type() {
    let app = TestApp::spawn().await;
    let (mark, sam) = mark_and_sam(&app).await;
    let (mut ws, _) = PairClient::authenticated(&app, &mark, &sam).await;
    let token = ws.conversation_token.clone().unwrap_or_default();

    ws.send_text("this is not JSON").await;
    ws.expect_error("INVALID_JSON").await;
    ws.send(&json!(["fetch-token"])).await;
    ws.expect_error("INVALID_JSON").await;
    ws.send(&json!({"type": "dance"})).await;
    ws.expect_error("UNKNOWN_TYPE").await;
    ws.send(&json!({"message": "no type"})).await;
    ws.expect_error("INVALID_FIELD").await;
    ws.send(&json!({"type": "new-message", "message": 7, "conversation_token": token}))
        .await;
    ws.expect_error("INVALID_FIELD").await;
    ws.send(&json!({"type": "new-message", "message": "  ", "conversation_token": token}))
        .await;
    ws.expect_error("INVALID_FIELD").await;
    ws.send(&json!({"type": "new-message", "message": "x", "user_id": "mark", "conversation_token": token}))
        .await;
    ws.expect_error("INVALID_FIELD").await;
    let long = "x".repeat(4_001);
    ws.send(&json!({"type": "new-message", "message": long, "conversation_token": token}))
        .await;
    ws.expect_error("TEXT_TOO_LONG").await;
    // Ids that differ from the path are an auth error, as for fetch-token.
    ws.send(&json!({"type": "is-typing", "user_id": sam.id, "opponent_id": mark.id, "conversation_token": token}))
        .await;
    ws.expect_error("INVALID_AUTH_TOKEN").await;

    // The socket is still fine; the ids may be left out (the path has them).
    ws.send(&json!({"type": "new-message", "message": "still here", "conversation_token": token}))
        .await;
    assert_eq!(ws.received().await.str_at("/message"), "still here");
}
