//! Seed 003 (docs/protocol/conversations.md), step by step as its document
//! tells a client: conversation sockets at `/ws/chat/{name}/?token=` (DMs by
//! usernames or ids, groups by ids), their welcome, messages, typing and
//! reads; the notification socket at `/ws/notification/?token=`; and the
//! REST routes `/conversation/{name}`, `/messages/?conversation=` and
//! `/filesmessage/{name}/`, with their errors, against banter-local.

use banter_e2e::dialects::conversations::{
    SeedSocket, Upload, assert_seed_message, chat_url, conversation, dm_name, dm_room,
    files_message, form, group_name, messages, notification_url, post_form,
};
use banter_e2e::{JsonExt, TestApp, TestUser, WAIT, tokens};
use serde_json::{Value, json};

/// The unread count of `room_id` for `user`, from the native room list.
async fn unread(app: &TestApp, user: &TestUser, room_id: u64) -> u64 {
    let rooms = app.rooms(&user.token).await.expect(200);
    rooms
        .array_at("/rooms")
        .iter()
        .find(|r| r.u64_at("/id") == room_id)
        .map(|r| r.u64_at("/unread_count"))
        .unwrap_or_else(|| panic!("room {room_id} is not in {rooms}"))
}

fn contents(messages: &[Value]) -> Vec<&str> {
    messages.iter().map(|m| m.str_at("/content")).collect()
}

// ---- conversation sockets ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dm_name_in_either_order_then_both_sockets_share_it_with_welcome_join_echo_and_leave()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;

    let (mut alice_ws, welcome) =
        SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;
    assert_eq!(
        welcome,
        json!({"users": [alice.username], "messages": [], "has_more": false})
    );

    let (mut bob_ws, welcome) = SeedSocket::chat_welcomed(&app, &dm_name(&bob, &alice), &bob).await;
    let mut online = vec![alice.username.clone(), bob.username.clone()];
    online.sort();
    assert_eq!(welcome["users"], json!(online));
    assert_eq!(
        alice_ws.event("user_join").await,
        json!({"type": "user_join", "user": bob.username})
    );

    alice_ws.chat_message("hi bob").await;
    let to_alice = alice_ws.echo().await;
    let to_bob = bob_ws.echo().await;
    assert_eq!(to_alice, to_bob, "every member's socket gets the same echo");
    assert_eq!(to_bob.str_at("/name"), alice.username);
    let message = to_bob.at("/message");
    assert_eq!(message.str_at("/content"), "hi bob");
    assert_eq!(message.u64_at("/from_user/id"), alice.id);
    assert_eq!(message.str_at("/from_user/username"), alice.username);
    assert!(!message.bool_at("/read"), "bob has not read it yet");

    // It is the DM every other dialect sees, with the same message.
    let room_id = dm_room(&app, &alice, &bob).await;
    assert_eq!(message.str_at("/conversation"), room_id.to_string());
    let history = app
        .history(&bob.token, room_id, banter_e2e::Page::latest())
        .await
        .expect(200);
    assert_eq!(history.u64_at("/messages/0/id"), message.u64_at("/id"));

    bob_ws.close().await;
    assert_eq!(
        alice_ws.event("user_leave").await,
        json!({"type": "user_leave", "user": bob.username})
    );
    alice_ws.expect_quiet("user_leave").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_user_ids_then_two_name_the_dm_and_more_name_a_group_of_exactly_them() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dave = app.new_user().await;

    // Two ids: the DM of the two usernames.
    let (mut by_names, _) = SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;
    by_names.chat_message("by names").await;
    by_names.echo().await;
    // (Kept open: a socket closing now would send user_leave to the next one.)
    let (_bob_ws, welcome) =
        SeedSocket::chat_welcomed(&app, &group_name(&[&bob, &alice]), &bob).await;
    assert_eq!(contents(welcome.array_at("/messages")), ["by names"]);

    // Three ids: a group created on first use, whatever the order.
    let (mut alice_group, welcome) =
        SeedSocket::chat_welcomed(&app, &group_name(&[&alice, &bob, &carol]), &alice).await;
    assert!(welcome.array_at("/messages").is_empty());
    let (mut carol_group, _) =
        SeedSocket::chat_welcomed(&app, &group_name(&[&carol, &alice, &bob]), &carol).await;
    carol_group.chat_message("hello group").await;
    let echo = alice_group.echo().await;
    assert_eq!(echo.str_at("/name"), carol.username);
    let room_id: u64 = echo
        .str_at("/message/conversation")
        .parse()
        .expect("an id string");
    let info = app.room(&bob.token, room_id).await.expect(200);
    let mut members: Vec<u64> = info
        .array_at("/members")
        .iter()
        .map(|m| m.u64_at("/user/id"))
        .collect();
    members.sort_unstable();
    let mut expected = vec![alice.id, bob.id, carol.id];
    expected.sort_unstable();
    assert_eq!(members, expected);
    assert_eq!(info.str_at("/room/kind"), "group");

    // Someone the name does not include is refused, and learns nothing.
    let refusal = SeedSocket::try_open(&chat_url(
        &app,
        &group_name(&[&alice, &bob, &carol]),
        &dave.token,
    ))
    .await
    .err()
    .expect("dave is not one of 1_2_3");
    assert_eq!(refusal.status, 403, "{refusal:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_user_who_left_a_named_group_then_its_socket_refuses_them() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = group_name(&[&alice, &bob, &carol]);
    let (mut alice_ws, _) = SeedSocket::chat_welcomed(&app, &name, &alice).await;
    alice_ws.chat_message("before carol left").await;
    let room_id: u64 = alice_ws
        .echo()
        .await
        .str_at("/message/conversation")
        .parse()
        .expect("an id string");

    app.remove_member(&carol.token, room_id, carol.id)
        .await
        .expect(204);

    let refusal = SeedSocket::try_open(&chat_url(&app, &name, &carol.token))
        .await
        .err()
        .expect("carol left 1_2_3: its name no longer lets her in");
    assert_eq!(refusal.status, 403, "{refusal:?}");
    assert!(refusal.body.contains("NOT_A_MEMBER"), "{refusal:?}");
    // The others still get in.
    SeedSocket::chat_welcomed(&app, &name, &bob).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_bad_handshake_then_the_socket_is_refused_with_its_status() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let secret = app.jwt_secret().to_vec();
    let name = dm_name(&alice, &bob);
    let base = app.ws_url();

    for (url, status) in [
        (format!("{base}/ws/chat/{name}/"), 401),
        (chat_url(&app, &name, "not-a-token"), 401),
        (chat_url(&app, &name, &tokens::forged(alice.id)), 401),
        (
            chat_url(&app, &name, &tokens::expired(&secret, alice.id)),
            401,
        ),
        (chat_url(&app, &name, &carol.token), 403),
        (
            chat_url(
                &app,
                &format!("{}_nobody-here", alice.username),
                &alice.token,
            ),
            404,
        ),
        (chat_url(&app, "alone", &alice.token), 400),
        (chat_url(&app, "a_b_c", &alice.token), 400),
        (format!("{base}/ws/notification/"), 401),
        (notification_url(&app, "not-a-token"), 401),
    ] {
        match SeedSocket::try_open(&url).await {
            Err(refusal) => assert_eq!(refusal.status, status, "{url}: {refusal:?}"),
            Ok(_) => panic!("{url} was accepted"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_sixty_messages_then_the_welcome_holds_the_last_fifty_oldest_first() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    for i in 1..=60 {
        app.send_text(&bob.token, room_id, &format!("m{i}")).await;
    }

    let (_, welcome) = SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;

    let messages = welcome.array_at("/messages");
    let expected: Vec<String> = (11..=60).map(|i| format!("m{i}")).collect();
    assert_eq!(contents(messages), expected);
    assert!(welcome.bool_at("/has_more"));
    assert!(messages.iter().all(|m| !m.bool_at("/read")));
    assert!(
        messages
            .iter()
            .all(|m| m.str_at("/from_user/username") == bob.username)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_typing_then_the_others_hear_it_by_username_and_the_typer_does_not() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = group_name(&[&alice, &bob, &carol]);
    let (mut alice_ws, _) = SeedSocket::chat_welcomed(&app, &name, &alice).await;
    let (mut bob_ws, _) = SeedSocket::chat_welcomed(&app, &name, &bob).await;
    alice_ws.event("user_join").await;

    for (typing, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!("True"), true),
        (json!("False"), false),
    ] {
        alice_ws
            .send(&json!({"type": "typing", "typing": typing}))
            .await;
        assert_eq!(
            bob_ws.event("typing").await,
            json!({"type": "typing", "user": alice.username, "typing": expected})
        );
    }
    alice_ws.expect_quiet("typing").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_bad_frames_then_error_frames_come_back_and_the_socket_stays_up() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let (mut ws, _) = SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;

    for (frame, code) in [
        ("{not json", "INVALID_JSON"),
        ("[1, 2]", "INVALID_FIELD"),
        (r#"{"message": "no type"}"#, "INVALID_FIELD"),
        (r#"{"type": "dance"}"#, "UNKNOWN_ACTION"),
        (r#"{"type": "chat_message"}"#, "INVALID_FIELD"),
        (r#"{"type": "chat_message", "message": 7}"#, "INVALID_FIELD"),
        (
            r#"{"type": "chat_message", "message": "  "}"#,
            "INVALID_FIELD",
        ),
        (r#"{"type": "typing", "typing": "maybe"}"#, "INVALID_FIELD"),
    ] {
        ws.send_text(frame).await;
        ws.error(code).await;
    }
    let long = "x".repeat(4_001);
    ws.chat_message(&long).await;
    ws.error("TEXT_TOO_LONG").await;
    ws.expect_silence().await;

    ws.chat_message("still here").await;
    assert_eq!(ws.echo().await.str_at("/message/content"), "still here");
}

// ---- reading and notifications ------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_new_messages_then_the_notification_socket_announces_each_with_the_new_total() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let group = app.group(&carol, &[&alice]).await;
    app.send_text(&carol.token, group, "before connecting")
        .await;

    let mut notes = SeedSocket::notifications(&app, &alice).await;
    assert_eq!(notes.unread_count().await, 1, "the welcome is the total");

    let (mut bob_ws, _) = SeedSocket::chat_welcomed(&app, &dm_name(&bob, &alice), &bob).await;
    bob_ws.chat_message("ping").await;
    let notice = notes.event("new_message_notification").await;
    assert_eq!(notice.str_at("/name"), bob.username);
    assert_seed_message(notice.at("/message"));
    assert_eq!(notice.str_at("/message/content"), "ping");
    assert_eq!(notes.unread_count().await, 2);

    app.send_text(&carol.token, group, "group news").await;
    let notice = notes.event("new_message_notification").await;
    assert_eq!(notice.str_at("/name"), carol.username);
    assert_eq!(notes.unread_count().await, 3);

    // Alice's own messages notify her of nothing; typing and presence never show.
    let dm = dm_room(&app, &alice, &bob).await;
    app.send_text(&alice.token, dm, "my own").await;
    bob_ws
        .send(&json!({"type": "typing", "typing": true}))
        .await;
    bob_ws.close().await;
    notes.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_read_messages_on_a_conversation_then_it_is_read_and_the_notification_socket_counts_down()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dm = app.dm(&bob, &alice).await;
    let group = app.group(&carol, &[&alice]).await;
    app.send_text(&bob.token, dm, "one").await;
    app.send_text(&bob.token, dm, "two").await;
    app.send_text(&carol.token, group, "elsewhere").await;
    let mut notes = SeedSocket::notifications(&app, &alice).await;
    assert_eq!(notes.unread_count().await, 3);

    let (mut chat, welcome) = SeedSocket::chat_welcomed(&app, &dm_name(&alice, &bob), &alice).await;
    assert!(
        welcome
            .array_at("/messages")
            .iter()
            .all(|m| !m.bool_at("/read"))
    );
    chat.send(&json!({"type": "read_messages"})).await;

    assert_eq!(notes.unread_count().await, 1, "only the DM was read");
    assert_eq!(unread(&app, &alice, dm).await, 0);
    assert_eq!(unread(&app, &alice, group).await, 1);
    chat.expect_silence().await;
    // Bob's messages now show as read.
    let page = messages(&app, Some(&bob.token), &dm_name(&bob, &alice), None)
        .await
        .expect(200);
    assert!(
        page.array_at("/results").iter().all(|m| m.bool_at("/read")),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_read_messages_on_the_notification_socket_then_every_conversation_is_read() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let dm = app.dm(&bob, &alice).await;
    let group = app.group(&carol, &[&alice, &bob]).await;
    app.send_text(&bob.token, dm, "dm").await;
    app.send_text(&carol.token, group, "group").await;
    let mut notes = SeedSocket::notifications(&app, &alice).await;
    assert_eq!(notes.unread_count().await, 2);

    notes.send(&json!({"type": "read_messages"})).await;

    // One count per conversation read, then the total: it reaches 0.
    let deadline = tokio::time::Instant::now() + WAIT;
    while notes.unread_count().await != 0 {
        assert!(tokio::time::Instant::now() < deadline, "never reached 0");
    }
    assert_eq!(unread(&app, &alice, dm).await, 0);
    assert_eq!(unread(&app, &alice, group).await, 0);

    // It takes nothing else.
    notes
        .send(&json!({"type": "chat_message", "message": "x"}))
        .await;
    notes.error("UNKNOWN_ACTION").await;
    notes.send_text("nope").await;
    notes.error("INVALID_JSON").await;
}

// ---- REST ---------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_conversation_name_then_get_conversation_shows_its_members_and_last_message() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = dm_name(&alice, &bob);

    let empty = conversation(&app, Some(&alice.token), &name)
        .await
        .expect(200);
    let room_id = dm_room(&app, &alice, &bob).await;
    let mut members = vec![
        (alice.id, alice.username.clone()),
        (bob.id, bob.username.clone()),
    ];
    members.sort();
    let usernames: Vec<String> = members.into_iter().map(|(_, u)| u).collect();
    assert_eq!(
        empty,
        json!({"id": room_id.to_string(), "name": name, "members": usernames, "last_message": null})
    );

    app.send_text(&alice.token, room_id, "first").await;
    let sent = app.send_text(&bob.token, room_id, "last one").await;
    let body = conversation(&app, Some(&alice.token), &dm_name(&bob, &alice))
        .await
        .expect(200);
    let last = body.at("/last_message");
    assert_seed_message(last);
    assert_eq!(last.u64_at("/id"), sent.u64_at("/id"));
    assert_eq!(last.str_at("/content"), "last one");
    assert_eq!(last.str_at("/from_user/username"), bob.username);
    // The trailing-slash spelling serves the same.
    let slashed = app
        .get(&format!("/conversation/{name}/"), Some(&alice.token))
        .await
        .expect(200);
    assert_eq!(slashed["id"], body["id"]);

    // Never the data for anyone else.
    conversation(&app, Some(&carol.token), &name)
        .await
        .expect_error(403, "FORBIDDEN");
    conversation(&app, None, &name)
        .await
        .expect_error(401, "UNAUTHORIZED");
    conversation(
        &app,
        Some(&alice.token),
        &format!("{}_nobody-here", alice.username),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    app.get(&format!("/conversation/{name}/more"), Some(&alice.token))
        .await
        .expect_error(404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_long_history_then_messages_pages_fifty_newest_first_with_next_and_previous() {
    let app = TestApp::spawn_unthrottled().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = dm_name(&alice, &bob);

    let empty = messages(&app, Some(&alice.token), &name, None)
        .await
        .expect(200);
    assert_eq!(
        empty,
        json!({"count": 0, "next": null, "previous": null, "results": []})
    );

    // 260 messages, with other rooms' messages between them so ids have gaps.
    let room_id = dm_room(&app, &alice, &bob).await;
    let elsewhere = app.dm(&alice, &carol).await;
    let mut sent = Vec::new();
    for i in 1..=260 {
        let message = app.send_text(&bob.token, room_id, &format!("m{i}")).await;
        sent.push(message.u64_at("/id"));
        if i % 7 == 0 {
            app.send_text(&carol.token, elsewhere, "noise").await;
        }
    }

    let first = messages(&app, Some(&alice.token), &name, None)
        .await
        .expect(200);
    assert_eq!(first.u64_at("/count"), 260);
    assert_eq!(first.at("/previous"), &Value::Null);
    let base = format!("{}/messages/?conversation={name}", app.http_url());
    assert_eq!(first.str_at("/next"), format!("{base}&page=2"));

    // Following `next` walks every message once, newest first.
    let mut seen: Vec<u64> = Vec::new();
    let mut page = first;
    let mut number = 1;
    loop {
        let results = page.array_at("/results");
        assert!(results.len() == 50 || page.at("/next").is_null(), "{page}");
        for message in results {
            assert_seed_message(message);
            seen.push(message.u64_at("/id"));
        }
        if number > 1 {
            let previous = if number == 2 {
                base.clone()
            } else {
                format!("{base}&page={}", number - 1)
            };
            assert_eq!(page.str_at("/previous"), previous);
        }
        let Some(next) = page.at("/next").as_str().map(str::to_owned) else {
            break;
        };
        let path = next
            .strip_prefix(app.http_url())
            .unwrap_or_else(|| panic!("next is not on this server: {next}"));
        page = app.get(path, Some(&alice.token)).await.expect(200);
        number += 1;
    }
    assert_eq!(number, 6);
    let mut newest_first = sent.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    // Pages by number, `last`, and no page past the end.
    let third = messages(&app, Some(&alice.token), &name, Some("3"))
        .await
        .expect(200);
    assert_eq!(
        contents(third.array_at("/results")).first().copied(),
        Some("m160")
    );
    let last = messages(&app, Some(&alice.token), &name, Some("last"))
        .await
        .expect(200);
    assert_eq!(contents(last.array_at("/results")).len(), 10);
    assert_eq!(last.at("/next"), &Value::Null);
    for bad in ["7", "0", "-1", "two"] {
        messages(&app, Some(&alice.token), &name, Some(bad))
            .await
            .expect_error(404, "NOT_FOUND");
    }

    // The slash-less spelling serves the same.
    let plain = app
        .get(
            &format!("/messages?conversation={name}&page=2"),
            Some(&alice.token),
        )
        .await
        .expect(200);
    assert_eq!(plain.at("/results/0/content"), &json!("m210"));

    // Never the data for anyone else; a name is required.
    messages(&app, Some(&carol.token), &name, None)
        .await
        .expect_error(403, "FORBIDDEN");
    messages(&app, None, &name, None)
        .await
        .expect_error(401, "UNAUTHORIZED");
    app.get("/messages/", Some(&alice.token))
        .await
        .expect_error(400, "INVALID_FIELD");
}

fn random_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|_| rand::random::<u8>()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_files_as_form_data_then_each_becomes_a_file_message_members_can_download() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = dm_name(&alice, &bob);
    let (mut alice_ws, _) = SeedSocket::chat_welcomed(&app, &name, &alice).await;
    let (mut bob_ws, _) = SeedSocket::chat_welcomed(&app, &dm_name(&bob, &alice), &bob).await;
    alice_ws.event("user_join").await;
    let photo = random_bytes(70_000);

    let sent = files_message(
        &app,
        Some(&alice.token),
        &name,
        &[
            Upload {
                file_name: "notes.txt",
                content_type: "text/plain",
                bytes: b"hello, files",
            },
            Upload {
                file_name: "photo.png",
                content_type: "image/png",
                bytes: &photo,
            },
        ],
    )
    .await
    .expect(201);

    let sent = sent
        .as_array()
        .expect("an array of the file messages")
        .clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    for (message, file_name) in sent.iter().zip(["notes.txt", "photo.png"]) {
        assert_seed_message(message);
        assert_eq!(message.str_at("/file_name"), file_name);
        assert_eq!(message.str_at("/content"), "");
        assert_eq!(message.str_at("/from_user/username"), alice.username);
    }
    for ws in [&mut alice_ws, &mut bob_ws] {
        for expected in &sent {
            let echo = ws.echo().await;
            assert_eq!(echo.at("/message"), expected);
        }
    }

    // The file link is the members-only download route.
    for (message, bytes) in sent.iter().zip([b"hello, files".to_vec(), photo]) {
        let path = message.str_at("/file");
        let reply = app.get(path, Some(&bob.token)).await;
        assert_eq!(reply.status, 302, "{}", reply.text);
        let location = reply.header("location").expect("a Location").to_owned();
        let (status, got) = app.fetch(&location).await;
        assert_eq!(status, 200);
        assert_eq!(got, bytes);
        let refused = app.get(path, Some(&carol.token)).await;
        assert!(
            refused.status == 403 || refused.status == 404,
            "a non-member must not download: {} {}",
            refused.status,
            refused.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_bad_upload_then_it_is_refused_and_nothing_is_sent() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let name = dm_name(&alice, &bob);
    let file = [Upload {
        file_name: "a.txt",
        content_type: "text/plain",
        bytes: b"x",
    }];

    files_message(&app, Some(&carol.token), &name, &file)
        .await
        .expect_error(403, "FORBIDDEN");
    files_message(&app, None, &name, &file)
        .await
        .expect_error(401, "UNAUTHORIZED");
    post_form(
        &app,
        Some(&alice.token),
        &name,
        b"{}".to_vec(),
        "application/json",
    )
    .await
    .expect_error(400, "INVALID_FIELD");
    let (empty_form, content_type) = form(&[]);
    post_form(&app, Some(&alice.token), &name, empty_form, &content_type)
        .await
        .expect_error(400, "INVALID_FIELD");
    let empty_file = [Upload {
        file_name: "empty.txt",
        content_type: "text/plain",
        bytes: b"",
    }];
    files_message(&app, Some(&alice.token), &name, &empty_file)
        .await
        .expect_error(400, "INVALID_FIELD");

    let page = messages(&app, Some(&alice.token), &name, None)
        .await
        .expect(200);
    assert_eq!(page.u64_at("/count"), 0, "{page}");
}
