//! DM and group chat between three users with two devices each: every
//! member connection gets every message exactly once, in order.

use banter_e2e::{JsonExt, TestApp, TestUser, WsClient, random_id};
use serde_json::{Value, json};

/// A user and their two connected devices.
struct Person {
    user: TestUser,
    devices: Vec<WsClient>,
}

async fn person(app: &TestApp) -> Person {
    let user = app.new_user().await;
    let mut devices = Vec::new();
    for _ in 0..2 {
        devices.push(WsClient::connect(app, &user.token).await);
    }
    Person { user, devices }
}

/// How a message is sent in a script: which device, or REST.
#[derive(Clone, Copy)]
enum Via {
    Device(usize),
    Rest,
}

/// Sends `text` as `people[who]` via `via`; the stored message.
async fn send(
    app: &TestApp,
    people: &mut [Person],
    who: usize,
    via: Via,
    room_id: u64,
    text: &str,
) -> Value {
    let person = &mut people[who];
    match via {
        Via::Device(d) => {
            let reply = person.devices[d]
                .request(
                    "send",
                    json!({"room_id": room_id, "text": text, "client_message_id": random_id("c-")}),
                )
                .await;
            assert_eq!(reply.str_at("/type"), "sent", "{reply}");
            assert!(!reply.bool_at("/duplicate"), "{reply}");
            reply.at("/message").clone()
        }
        Via::Rest => {
            let body = json!({"text": text, "client_message_id": random_id("c-")});
            let reply = app
                .send_rest(&person.user.token, room_id, &body)
                .await
                .expect(201);
            assert!(!reply.bool_at("/duplicate"), "{reply}");
            reply.at("/message").clone()
        }
    }
}

/// Every device of every person in `members` receives exactly `sent` as
/// `message` events, in order, each with the right sender.
async fn assert_everyone_got_exactly(
    people: &mut [Person],
    members: &[usize],
    sent: &[(usize, Value)],
) {
    let senders: Vec<TestUser> = sent
        .iter()
        .map(|(who, _)| people[*who].user.clone())
        .collect();
    for &m in members {
        let name = people[m].user.username.clone();
        for (d, device) in people[m].devices.iter_mut().enumerate() {
            for ((_, message), sender) in sent.iter().zip(&senders) {
                let event = device.event("message").await;
                assert_eq!(
                    event.at("/message"),
                    message,
                    "{name} device {d}: messages out of order, missing or altered"
                );
                assert_eq!(event.u64_at("/sender/id"), sender.id, "{event}");
                assert_eq!(event.str_at("/sender/username"), sender.username, "{event}");
                assert!(event.at("/unread_count").is_u64(), "{event}");
            }
            device.expect_quiet("message").await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_group_of_three_with_two_devices_each_when_they_chat_then_every_connection_gets_every_message_once_in_order()
 {
    let app = TestApp::spawn().await;
    let mut people = vec![person(&app).await, person(&app).await, person(&app).await];
    let room_id = app
        .group(&people[0].user, &[&people[1].user, &people[2].user])
        .await;

    let script = [
        (0, Via::Device(0)),
        (1, Via::Device(1)),
        (2, Via::Device(0)),
        (0, Via::Device(1)),
        (1, Via::Rest),
        (2, Via::Device(1)),
        (0, Via::Rest),
        (1, Via::Device(0)),
        (2, Via::Rest),
    ];
    let mut sent = Vec::new();
    for (i, (who, via)) in script.into_iter().enumerate() {
        let text = format!("message {i} from {who}");
        let message = send(&app, &mut people, who, via, room_id, &text).await;
        assert_eq!(message.str_at("/text"), text);
        assert_eq!(message.u64_at("/room_id"), room_id);
        assert_eq!(message.u64_at("/sender_id"), people[who].user.id);
        assert_eq!(
            message.u64_at("/seq"),
            i as u64 + 1,
            "seq counts 1, 2, 3… in the room"
        );
        sent.push((who, message));
    }
    let ids: Vec<u64> = sent.iter().map(|(_, m)| m.u64_at("/id")).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids strictly increase: {ids:?}"
    );

    assert_everyone_got_exactly(&mut people, &[0, 1, 2], &sent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dm_when_two_of_three_users_chat_then_both_get_every_message_once_and_the_third_gets_none()
 {
    let app = TestApp::spawn().await;
    let mut people = vec![person(&app).await, person(&app).await, person(&app).await];
    let room_id = app.dm(&people[0].user, &people[1].user).await;

    let script = [
        (0, Via::Device(0)),
        (1, Via::Device(0)),
        (1, Via::Device(1)),
        (0, Via::Rest),
        (0, Via::Device(1)),
        (1, Via::Rest),
    ];
    let mut sent = Vec::new();
    for (i, (who, via)) in script.into_iter().enumerate() {
        let message = send(&app, &mut people, who, via, room_id, &format!("dm {i}")).await;
        assert_eq!(message.u64_at("/seq"), i as u64 + 1);
        sent.push((who, message));
    }

    assert_everyone_got_exactly(&mut people, &[0, 1], &sent).await;
    for device in &mut people[2].devices {
        device.expect_quiet("message").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_websocket_send_then_the_senders_connection_gets_the_sent_reply_and_the_message_event()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut phone = WsClient::connect(&app, &alice.token).await;

    let reply = phone
        .request(
            "send",
            json!({"room_id": room_id, "text": "hello", "client_message_id": "c-1"}),
        )
        .await;

    assert_eq!(reply.str_at("/type"), "sent", "{reply}");
    assert!(!reply.bool_at("/duplicate"));
    assert_eq!(reply.str_at("/message/client_message_id"), "c-1");
    assert!(reply.at("/message/file").is_null(), "{reply}");
    let event = phone.event("message").await;
    assert_eq!(event.at("/message"), reply.at("/message"));
    assert_eq!(event.u64_at("/sender/id"), alice.id);
    assert_eq!(event.str_at("/sender/display_name"), alice.display_name);
    assert_eq!(
        event.u64_at("/unread_count"),
        0,
        "your own message is not unread"
    );
    phone.expect_quiet("message").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_new_dm_or_group_then_members_get_member_added_and_rooms_lists_it() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    let first = app.open_dm(&alice.token, bob.id).await.expect(201);
    let again = app.open_dm(&bob.token, alice.id).await.expect(200);
    assert_eq!(
        first.u64_at("/room/id"),
        again.u64_at("/room/id"),
        "one DM per pair"
    );
    assert_eq!(first.str_at("/room/kind"), "dm");
    assert!(first.at("/room/name").is_null());
    let dm_id = first.u64_at("/room/id");

    let added = bob_ws.event("member_added").await;
    assert_eq!(added.u64_at("/room/id"), dm_id);
    assert_eq!(added.u64_at("/added_by"), alice.id);

    let group = app
        .create_group(&alice.token, "Trip", &[bob.id, carol.id])
        .await
        .expect(201);
    let group_id = group.u64_at("/room/id");
    assert_eq!(group.str_at("/room/kind"), "group");
    assert_eq!(group.str_at("/room/name"), "Trip");
    let mut members: Vec<u64> = group
        .array_at("/room/member_ids")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    members.sort_unstable();
    let mut expected = vec![alice.id, bob.id, carol.id];
    expected.sort_unstable();
    assert_eq!(members, expected, "the creator is added");
    let added = bob_ws.event("member_added").await;
    assert_eq!(added.u64_at("/room/id"), group_id);

    let rooms = app.rooms(&bob.token).await.expect(200);
    let ids: Vec<u64> = rooms
        .array_at("/rooms")
        .iter()
        .map(|r| r.u64_at("/id"))
        .collect();
    assert!(ids.contains(&dm_id) && ids.contains(&group_id), "{rooms}");
    let carol_rooms = app.rooms(&carol.token).await.expect(200);
    assert_eq!(carol_rooms.array_at("/rooms").len(), 1, "{carol_rooms}");

    // Negative neighbours: a DM with yourself, with nobody, a group with nobody.
    app.open_dm(&alice.token, alice.id)
        .await
        .expect_error(400, "INVALID_FIELD");
    app.open_dm(&alice.token, 9_007_199_254_740_000)
        .await
        .expect_error(404, "NOT_FOUND");
    app.create_group(&alice.token, "Ghosts", &[9_007_199_254_740_000])
        .await
        .expect_error(404, "NOT_FOUND");
    app.create_group(&alice.token, "", &[bob.id])
        .await
        .expect_error(400, "INVALID_FIELD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_dm_opened_by_username_then_it_is_the_same_room() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let by_id = app.dm(&alice, &bob).await;

    let by_name = app
        .post_json(
            "/rooms/dm",
            Some(&alice.token),
            &json!({"username": bob.username}),
        )
        .await
        .expect(200);

    assert_eq!(by_name.u64_at("/room/id"), by_id);
    app.post_json(
        "/rooms/dm",
        Some(&alice.token),
        &json!({"username": random_id("nobody")}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_rooms_with_activity_then_rooms_lists_the_most_recently_active_first() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let with_bob = app.dm(&alice, &bob).await;
    let with_carol = app.dm(&alice, &carol).await;

    // Activity is compared in milliseconds: let the clock tick between
    // sends so no two are simultaneous (nothing to await for that).
    let tick = || tokio::time::sleep(std::time::Duration::from_millis(3));
    let order = |rooms: &Value| -> Vec<u64> {
        rooms
            .array_at("/rooms")
            .iter()
            .map(|r| r.u64_at("/id"))
            .collect()
    };

    app.send_text(&alice.token, with_bob, "first").await;
    tick().await;
    app.send_text(&alice.token, with_carol, "second").await;
    let rooms = app.rooms(&alice.token).await.expect(200);
    assert_eq!(order(&rooms), vec![with_carol, with_bob]);

    tick().await;
    app.send_text(&bob.token, with_bob, "third").await;
    let rooms = app.rooms(&alice.token).await.expect(200);
    assert_eq!(order(&rooms), vec![with_bob, with_carol]);
    let last = &rooms.array_at("/rooms")[0];
    assert_eq!(last.str_at("/last_message/text"), "third");
    assert_eq!(last.u64_at("/message_count"), 2);
}
