//! Seed 001, rooms with a CONNECTED handshake (docs/protocol/rooms.md), step
//! by step as its document tells a client: `/chat/connect` and its first
//! frame, incoming and outgoing messages, the silence after errors, and the
//! REST routes `create_dm`, `room_info` and `retrieve` with their errors,
//! over real sockets and HTTP against banter-local.

use banter_e2e::dialects::rooms::{
    RoomsClient, assert_rooms_error, create_dm, dm_room, retrieve, retrieved, room_info,
};
use banter_e2e::{JsonExt, Page, TestApp, WsClient, tokens};
use serde_json::{Value, json};

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_valid_token_as_the_first_frame_then_the_socket_is_connected() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let mut ws = RoomsClient::connect(&app).await;
    assert_eq!(
        ws.authenticate(&alice.token).await,
        json!({"status": "CONNECTED"})
    );
    ws.expect_silence().await;
    // The same token again is harmless: CONNECTED again.
    assert_eq!(
        ws.authenticate(&alice.token).await,
        json!({"status": "CONNECTED"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_bad_first_frame_then_an_error_with_its_code_and_a_good_token_still_connects() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let secret = app.jwt_secret().to_vec();
    let mut ws = RoomsClient::connect(&app).await;

    for (token, code) in [
        ("not a token".to_owned(), "UNAUTHORIZED"),
        (tokens::forged(alice.id), "UNAUTHORIZED"),
        (tokens::expired(&secret, alice.id), "TOKEN_EXPIRED"),
        (String::new(), "UNAUTHORIZED"),
    ] {
        let answer = ws.authenticate(&token).await;
        assert_rooms_error(&answer, code);
    }
    ws.send(&json!({"room": "1", "messages": "before connecting"}))
        .await;
    assert_rooms_error(&ws.next().await, "UNAUTHORIZED");
    ws.send(&json!({"auth_token": 42})).await;
    assert_rooms_error(&ws.next().await, "UNAUTHORIZED");
    ws.send_text("{not json").await;
    assert_rooms_error(&ws.next().await, "INVALID_JSON");

    assert_eq!(
        ws.authenticate(&alice.token).await,
        json!({"status": "CONNECTED"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_socket_that_has_not_sent_its_token_then_nothing_is_delivered_to_it() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut waiting = RoomsClient::connect(&app).await;

    app.send_text(&bob.token, room_id, "too early").await;
    waiting.expect_silence().await;

    // Connected now: only what is sent from here on arrives.
    assert_eq!(
        waiting.authenticate(&alice.token).await,
        json!({"status": "CONNECTED"})
    );
    waiting.expect_silence().await;
    let sent = app.send_text(&bob.token, room_id, "in time").await;
    let message = waiting.message().await;
    assert_eq!(message.u64_at("/id"), sent.u64_at("/id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_two_connected_users_when_one_sends_then_both_get_the_message_in_the_seed_shape() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let mut alice_ws = RoomsClient::connected(&app, &alice.token).await;
    let mut bob_ws = RoomsClient::connected(&app, &bob.token).await;
    let room_id = dm_room(&app, &alice.token, bob.id).await;

    let before = now_seconds();
    alice_ws.send_message(room_id, "Hello Bob").await;
    let own = alice_ws.message().await;
    let theirs = bob_ws.message().await;
    assert_eq!(own, theirs, "the sender's own message arrives too");
    assert_eq!(own.str_at("/message"), "Hello Bob");
    assert_eq!(own.str_at("/poster"), alice.id.to_string());
    assert_eq!(own.str_at("/room"), room_id.to_string());
    let timestamp = own.u64_at("/timestamp");
    assert!(
        (before..=now_seconds()).contains(&timestamp),
        "timestamp is the send time in Unix seconds: {own}"
    );

    // A number for the room works too, and the native history has both.
    bob_ws
        .send(&json!({"room": room_id, "messages": "Hi Alice"}))
        .await;
    let reply = alice_ws.message().await;
    assert_eq!(reply, bob_ws.message().await);
    assert_eq!(reply.str_at("/poster"), bob.id.to_string());
    let history = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    let texts: Vec<&str> = history
        .array_at("/messages")
        .iter()
        .map(|m| m.str_at("/text"))
        .collect();
    assert_eq!(texts, ["Hello Bob", "Hi Alice"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_messages_in_any_room_of_the_user_then_they_all_arrive_and_others_do_not() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let group = app.group(&carol, &[&alice, &bob]).await;
    let bob_carol = app.dm(&bob, &carol).await;
    let mut alice_ws = RoomsClient::connected(&app, &alice.token).await;

    // A native client writes in the group: alice hears it here.
    let mut carol_native = WsClient::connect(&app, &carol.token).await;
    let sent = carol_native.send_message(group, "group hello").await;
    let message = alice_ws.message().await;
    assert_eq!(message.u64_at("/id"), sent.u64_at("/id"));
    assert_eq!(message.str_at("/room"), group.to_string());
    assert_eq!(message.str_at("/poster"), carol.id.to_string());

    // Typing and rooms alice is not in say nothing on this socket.
    carol_native
        .request("typing", json!({"room_id": group, "typing": true}))
        .await;
    app.send_text(&bob.token, bob_carol, "private").await;
    alice_ws.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_room_the_user_is_not_in_or_a_bad_frame_after_connected_then_nothing_is_returned() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let bob_carol = app.dm(&bob, &carol).await;
    let alice_bob = app.dm(&alice, &bob).await;
    let mut alice_ws = RoomsClient::connected(&app, &alice.token).await;
    let mut bob_ws = RoomsClient::connected(&app, &bob.token).await;

    alice_ws.send_message(bob_carol, "let me in").await;
    alice_ws
        .send_message(bob_carol + alice_bob + 1000, "no such room")
        .await;
    alice_ws
        .send(&json!({"room": "seven", "messages": "x"}))
        .await;
    alice_ws.send(&json!({"room": alice_bob.to_string()})).await;
    alice_ws
        .send(&json!({"room": alice_bob.to_string(), "messages": "  "}))
        .await;
    alice_ws.send_text("definitely not JSON").await;
    alice_ws.send(&json!({"auth_token": bob.token})).await;
    alice_ws.expect_silence().await;
    bob_ws.expect_silence().await;
    let carol_view = app
        .history(&carol.token, bob_carol, Page::latest())
        .await
        .expect(200);
    assert!(carol_view.array_at("/messages").is_empty(), "{carol_view}");

    // The socket still works, still as alice.
    alice_ws.send_message(alice_bob, "still here").await;
    let message = alice_ws.message().await;
    assert_eq!(message.str_at("/poster"), alice.id.to_string());
    assert_eq!(bob_ws.message().await, message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_create_dm_then_it_answers_the_same_room_every_time_and_404_for_an_unknown_user() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;

    let room_id = dm_room(&app, &alice.token, bob.id).await;
    assert_eq!(dm_room(&app, &alice.token, bob.id).await, room_id, "repeat");
    assert_eq!(
        dm_room(&app, &bob.token, alice.id).await,
        room_id,
        "other side"
    );
    let as_number = create_dm(&app, Some(&alice.token), &json!({"other": bob.id}))
        .await
        .expect(200);
    assert_eq!(as_number, json!({"room_id": room_id.to_string()}));
    // It is the native DM too.
    let native = app.open_dm(&alice.token, bob.id).await.expect(200);
    assert_eq!(native.u64_at("/room/id"), room_id);

    let unknown = json!({"other": (alice.id + bob.id + 1_000).to_string()});
    create_dm(&app, Some(&alice.token), &unknown)
        .await
        .expect_error(404, "NOT_FOUND");
    create_dm(&app, Some(&alice.token), &json!({"other": "nobody"}))
        .await
        .expect_error(404, "NOT_FOUND");
    create_dm(
        &app,
        Some(&alice.token),
        &json!({"other": alice.id.to_string()}),
    )
    .await
    .expect_error(400, "INVALID_FIELD");
    create_dm(&app, Some(&alice.token), &json!({"user": "2"}))
        .await
        .expect_error(400, "INVALID_FIELD");
    create_dm(&app, Some(&alice.token), &json!({"other": true}))
        .await
        .expect_error(400, "INVALID_FIELD");
    app.post_raw("/chat/create_dm", Some(&alice.token), "{")
        .await
        .expect_error(400, "INVALID_JSON");
    create_dm(&app, None, &json!({"other": bob.id.to_string()}))
        .await
        .expect_error(401, "UNAUTHORIZED");
    let expired = tokens::expired(app.jwt_secret(), alice.id);
    create_dm(&app, Some(&expired), &json!({"other": bob.id.to_string()}))
        .await
        .expect_error(401, "TOKEN_EXPIRED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_room_info_then_occupants_and_name_for_members_and_404_for_everyone_else() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dm = dm_room(&app, &alice.token, bob.id).await;
    let group = app
        .create_group(&alice.token, "Trip", &[bob.id, carol.id])
        .await
        .expect(201);
    let group = group.u64_at("/room/id");

    let mut pair = [alice.id, bob.id];
    pair.sort_unstable();
    let info = room_info(&app, Some(&bob.token), &json!({"room_id": dm.to_string()}))
        .await
        .expect(200);
    assert_eq!(
        info,
        json!({"room_name": null, "occupants": pair.map(|id| id.to_string())})
    );
    let mut trio = [alice.id, bob.id, carol.id];
    trio.sort_unstable();
    let info = room_info(&app, Some(&carol.token), &json!({"room_id": group}))
        .await
        .expect(200);
    assert_eq!(
        info,
        json!({"room_name": "Trip", "occupants": trio.map(|id| id.to_string())})
    );

    // Not an occupant and no such room look the same.
    room_info(
        &app,
        Some(&carol.token),
        &json!({"room_id": dm.to_string()}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    let unknown = (dm + group + 1_000).to_string();
    room_info(&app, Some(&alice.token), &json!({"room_id": unknown}))
        .await
        .expect_error(404, "NOT_FOUND");
    room_info(&app, Some(&alice.token), &json!({"room_id": "lobby"}))
        .await
        .expect_error(404, "NOT_FOUND");
    room_info(&app, Some(&alice.token), &json!({}))
        .await
        .expect_error(400, "INVALID_FIELD");
    room_info(&app, None, &json!({"room_id": dm.to_string()}))
        .await
        .expect_error(401, "UNAUTHORIZED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_messages_in_several_rooms_then_retrieve_returns_every_newer_one_oldest_first() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dm = dm_room(&app, &alice.token, bob.id).await;
    let group = app.group(&carol, &[&alice]).await;
    let elsewhere = app.dm(&bob, &carol).await;
    assert!(retrieved(&app, &alice.token, 0).await.is_empty());

    // Interleaved across rooms, one room alice is not in.
    let mut expected: Vec<(u64, u64, &str)> = Vec::new();
    for (i, (token, room)) in [
        (&alice.token, dm),
        (&carol.token, group),
        (&bob.token, elsewhere),
        (&bob.token, dm),
        (&alice.token, group),
    ]
    .into_iter()
    .enumerate()
    {
        let text = ["a", "b", "c", "d", "e"][i];
        let sent = app.send_text(token, room, text).await;
        if room != elsewhere {
            expected.push((sent.u64_at("/id"), room, text));
        }
    }
    let all = retrieved(&app, &alice.token, 0).await;
    let got: Vec<(u64, u64, &str)> = all
        .iter()
        .map(|m| {
            let room = m.str_at("/room").parse().unwrap_or_default();
            (m.u64_at("/id"), room, m.str_at("/message"))
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(all[0].str_at("/poster"), alice.id.to_string());

    // `after` excludes itself and everything older.
    let second = expected[1].0;
    let newer = retrieved(&app, &alice.token, second).await;
    let ids: Vec<u64> = newer.iter().map(|m| m.u64_at("/id")).collect();
    assert_eq!(ids, [expected[2].0, expected[3].0]);
    let last = expected[3].0;
    assert!(retrieved(&app, &alice.token, last).await.is_empty());
    // A string works as well as a number.
    let as_text = retrieve(
        &app,
        Some(&alice.token),
        &json!({"after": second.to_string()}),
    )
    .await
    .expect(200);
    assert_eq!(as_text.array_at("/messages").len(), 2);

    retrieve(&app, Some(&alice.token), &json!({}))
        .await
        .expect_error(400, "INVALID_FIELD");
    retrieve(&app, Some(&alice.token), &json!({"after": -1}))
        .await
        .expect_error(400, "INVALID_FIELD");
    retrieve(&app, Some(&alice.token), &json!({"after": "latest"}))
        .await
        .expect_error(400, "INVALID_FIELD");
    retrieve(&app, None, &json!({"after": 0}))
        .await
        .expect_error(401, "UNAUTHORIZED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_more_messages_than_a_history_page_then_retrieve_still_returns_them_all() {
    let app = TestApp::spawn_unthrottled().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let dm = dm_room(&app, &alice.token, bob.id).await;
    let group = app.group(&bob, &[&alice]).await;
    let mut ids = Vec::new();
    for i in 0..230 {
        let room = if i % 10 == 0 { group } else { dm };
        let sent = app.send_text(&bob.token, room, &format!("m{i}")).await;
        ids.push(sent.u64_at("/id"));
    }
    let all: Vec<u64> = retrieved(&app, &alice.token, 0)
        .await
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(all, ids);
    let from_middle: Vec<u64> = retrieved(&app, &alice.token, ids[99])
        .await
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(from_middle, ids[100..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_more_than_one_answer_of_messages_then_retrieve_pages_by_its_own_cursor() {
    let app = TestApp::spawn_unthrottled().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let dm = dm_room(&app, &alice.token, bob.id).await;
    let group = app.group(&bob, &[&alice]).await;
    let mut ids = Vec::new();
    for i in 0..520 {
        let room = if i % 3 == 0 { group } else { dm };
        let sent = app.send_text(&bob.token, room, &format!("m{i}")).await;
        ids.push(sent.u64_at("/id"));
    }
    let first: Vec<u64> = retrieved(&app, &alice.token, 0)
        .await
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(first, ids[..500], "one answer is the 500 oldest");
    let rest: Vec<u64> = retrieved(&app, &alice.token, first[499])
        .await
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(rest, ids[500..], "asking after the last id gives the rest");
}

/// The seed's flow end to end: log in, create the DM, connect, talk,
/// reconnect and catch up with `retrieve` after the newest id seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_client_that_reconnects_then_retrieve_after_its_newest_id_fills_the_gap() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = dm_room(&app, &alice.token, bob.id).await;
    let mut alice_ws = RoomsClient::connected(&app, &alice.token).await;
    let mut bob_ws = RoomsClient::connected(&app, &bob.token).await;
    bob_ws.send_message(room_id, "one").await;
    let seen = alice_ws.message().await.u64_at("/id");
    alice_ws.close().await;

    bob_ws.message().await;
    for text in ["two", "three"] {
        bob_ws.send_message(room_id, text).await;
        bob_ws.message().await;
    }
    let missed: Vec<Value> = retrieved(&app, &alice.token, seen).await;
    let texts: Vec<&str> = missed.iter().map(|m| m.str_at("/message")).collect();
    assert_eq!(texts, ["two", "three"]);
    let _again = RoomsClient::connected(&app, &alice.token).await;
}
