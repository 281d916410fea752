//! DynamoDB requests per operation, counted by an SDK interceptor on the
//! client the store uses (every HTTP request, retries included), with the
//! handlers the functions run and the sample events as input. Run with
//! `--nocapture` to see the table docs/performance.md quotes.

use crate::support::events::{self, status, with_body, with_connection, with_token};
use crate::support::inprocess::{self, Stack};
use banter_core::domain::connection::DialectKind;
use banter_core::domain::{Connection, ConnectionId, RoomId, Scope, Timestamp, UserId, Username};
use banter_core::ports::{ConnectionStore, RoomStore, UserStore};
use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The requests of one invocation, by DynamoDB operation.
#[derive(Debug, PartialEq, Eq)]
struct Count {
    total: usize,
    by_operation: BTreeMap<String, usize>,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .by_operation
            .iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect();
        write!(f, "{:>3}  ({})", self.total, parts.join(", "))
    }
}

async fn count(stack: &Stack, event: &Value) -> Count {
    let binary = events::binary_for(event).expect("a function for the event");
    stack.reset();
    let response = inprocess::invoke(&stack.services, &binary, event).await;
    let code = status(&response);
    assert!((200..300).contains(&code), "{binary}: {response}");
    let requests = stack.dynamo.requests();
    let mut by_operation = BTreeMap::new();
    for op in &requests {
        *by_operation.entry(op.clone()).or_default() += 1;
    }
    Count {
        total: requests.len(),
        by_operation,
    }
}

async fn new_users(stack: &Stack, n: usize) -> Vec<UserId> {
    futures::stream::iter(0..n)
        .map(|_| async {
            let name = format!("u{:012x}", rand::random::<u64>() >> 16);
            let name = Username::parse(&name).expect("a username");
            stack
                .store
                .create_user(&name, "User", "not-a-hash", Timestamp::now())
                .await
                .expect("creating a user")
                .id
        })
        .buffer_unordered(16)
        .collect()
        .await
}

fn connection(user: UserId, id: String) -> Connection {
    let now = Timestamp::now();
    Connection {
        id: ConnectionId(id),
        dialect: DialectKind::Native,
        user_id: Some(user),
        scope: Scope::AllRooms,
        connected_at: now,
        expires_at: now.plus(Duration::from_secs(2 * 3600 + 600)),
        dialect_state: Default::default(),
    }
}

/// Live connections, written straight to the table (not counted).
async fn connect_all(stack: &Stack, connections: Vec<Connection>) {
    futures::stream::iter(connections)
        .map(|c| async move {
            stack
                .store
                .put_connection(&c)
                .await
                .expect("storing a connection")
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
}

/// A group of `k` members, each with one live connection; returns the
/// room, its members (the first is the sender) and their connection ids.
async fn room_of(stack: &Stack, k: usize) -> (RoomId, Vec<UserId>, Vec<String>) {
    let members = new_users(stack, k).await;
    let room = stack
        .store
        .create_group("counted", members[0], &members, Timestamp::now())
        .await
        .expect("a group");
    let ids: Vec<String> = members
        .iter()
        .map(|u| format!("conn-{}-{}", room.id.0, u.0))
        .collect();
    connect_all(
        stack,
        members
            .iter()
            .zip(&ids)
            .map(|(u, id)| connection(*u, id.clone()))
            .collect(),
    )
    .await;
    (room.id, members, ids)
}

fn token(stack: &Stack, user: UserId) -> String {
    stack
        .services
        .tokens
        .issue(user, Timestamp::now())
        .expect("a token")
}

fn ws_send(connection: &str, room: RoomId, n: usize) -> Value {
    with_body(
        with_connection(events::load("ws-send.json"), connection),
        &json!({"action": "send", "request_id": "r1", "room_id": room.0,
                "text": "Hello room", "client_message_id": format!("c-{n}")}),
    )
}

/// `event` for another room: path, parameters and body.
fn in_room(event: Value, room: RoomId) -> Value {
    let text = event
        .to_string()
        .replace("/rooms/1/", &format!("/rooms/{}/", room.0))
        .replace("\"room_id\":\"1\"", &format!("\"room_id\":\"{}\"", room.0))
        .replace(
            "\\\"room_id\\\": 1",
            &format!("\\\"room_id\\\": {}", room.0),
        );
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test]
async fn dynamodb_requests_per_operation() {
    let stack = Stack::new().await;
    let mut rows: Vec<(String, Count)> = Vec::new();

    for k in [2, 10, 50] {
        let (room, members, ids) = room_of(&stack, k).await;
        let ws = count(&stack, &ws_send(&ids[0], room, 0)).await;
        rows.push((format!("send (WebSocket), room of {k}"), ws));
        let http = with_token(
            &in_room(events::load("http-send.json"), room),
            &token(&stack, members[0]),
        );
        rows.push((
            format!("send (REST), room of {k}"),
            count(&stack, &http).await,
        ));
    }

    // A room of 10 with 60 messages; the sender reads, pages and marks read.
    let (room, members, ids) = room_of(&stack, 10).await;
    for n in 0..60 {
        count(&stack, &ws_send(&ids[1], room, 100 + n)).await;
    }
    let mark = token(&stack, members[0]);
    let history = with_token(&in_room(events::load("http-history.json"), room), &mark);
    rows.push((
        "history page of 50 (REST)".into(),
        count(&stack, &history).await,
    ));
    let ws_history = with_body(
        with_connection(events::load("ws-history.json"), &ids[0]),
        &json!({"action": "history", "request_id": "r3", "room_id": room.0, "limit": 50}),
    );
    rows.push((
        "history page of 50 (WebSocket)".into(),
        count(&stack, &ws_history).await,
    ));
    let read = with_token(&in_room(events::load("http-mark-read.json"), room), &mark);
    rows.push(("mark read (REST)".into(), count(&stack, &read).await));
    let ws_read = with_body(
        with_connection(events::load("ws-read.json"), &ids[0]),
        &json!({"action": "read", "request_id": "r2", "room_id": room.0}),
    );
    rows.push((
        "mark read (WebSocket)".into(),
        count(&stack, &ws_read).await,
    ));

    // $connect and $disconnect of a member of that room whose other 9
    // members are online (presence is announced to them).
    let newcomer = new_users(&stack, 1).await[0];
    stack
        .store
        .add_member(room, newcomer, Timestamp::now())
        .await
        .expect("joining");
    let connect = with_connection(
        with_token(&events::load("ws-connect.json"), &token(&stack, newcomer)),
        "newcomer-conn",
    );
    rows.push((
        "$connect (first connection; 1 room of 11)".into(),
        count(&stack, &connect).await,
    ));
    let disconnect = with_connection(events::load("ws-disconnect.json"), "newcomer-conn");
    rows.push((
        "$disconnect (last connection; 1 room of 11)".into(),
        count(&stack, &disconnect).await,
    ));

    eprintln!("\nDynamoDB requests per invocation (total, by operation):");
    for (operation, count) in &rows {
        eprintln!("  {operation:<46} {count}");
    }
    // A send is O(room): its requests grow with k, by one connection query
    // per member; nothing scans.
    for (operation, count) in &rows {
        assert!(
            !count.by_operation.contains_key("Scan"),
            "{operation} scans: {count}"
        );
    }
}

#[tokio::test]
async fn given_more_live_connections_in_other_rooms_when_sending_then_the_requests_do_not_grow() {
    let stack = Stack::new().await;
    let (room, _members, ids) = room_of(&stack, 5).await;

    // 100 other users in 10 other groups of 10.
    let others = new_users(&stack, 100).await;
    for group in others.chunks(10) {
        stack
            .store
            .create_group("elsewhere", group[0], group, Timestamp::now())
            .await
            .expect("another group");
    }
    let elsewhere = |from: usize, to: usize| -> Vec<Connection> {
        (from..to)
            .map(|i| connection(others[i % others.len()], format!("other-{i}")))
            .collect()
    };

    connect_all(&stack, elsewhere(0, 10)).await;
    let with_10 = count(&stack, &ws_send(&ids[0], room, 1)).await;

    let started = Instant::now();
    connect_all(&stack, elsewhere(10, 1000)).await;
    eprintln!(
        "stored 990 more connections in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let with_1000 = count(&stack, &ws_send(&ids[0], room, 2)).await;

    eprintln!("\nsend to a room of 5 (WebSocket), DynamoDB requests:");
    eprintln!("  10 live connections in other rooms:    {with_10}");
    eprintln!("  1,000 live connections in other rooms: {with_1000}");
    assert_eq!(
        with_10, with_1000,
        "a send must cost the same whatever the connections of other rooms"
    );
}
