//! What only a DynamoDB store has to get right, against DynamoDB Local: the
//! read loops past one 1 MB Query page and past 100 keys (or 16 MB) per
//! BatchGetItem, groups bigger than one 100-item transaction, and live
//! counts that stay exact when one user's connections race.
//!
//! Each test first shows, with a raw SDK call, that the limit it is about
//! really bites (a single page comes back short), then that the store reads
//! past it.

mod support;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use banter_core::domain::connection::{DialectKind, DialectState};
use banter_core::domain::{
    Connection, ConnectionId, Membership, Message, NewMessage, RoomId, Scope, Timestamp, User,
    UserId, Username,
};
use banter_core::ports::{
    AppendOutcome, ConnectionStore, HistoryQuery, MessageStore, RoomStore, UserStore,
};
use banter_dynamodb::DynamoStore;
use banter_dynamodb::attr;
use banter_dynamodb::items::{Item, ToAttributes};
use banter_dynamodb::keys::{self, Key, MEMBER_PREFIX, MESSAGE_PREFIX};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

fn now() -> Timestamp {
    Timestamp::now()
}

async fn new_users(store: &DynamoStore, count: usize) -> Vec<User> {
    let mut users = Vec::with_capacity(count);
    for _ in 0..count {
        let name = format!("u-{:012x}", rand::random::<u64>() >> 16);
        let name = Username::parse(&name).expect("a valid username");
        users.push(
            store
                .create_user(&name, "User", "hash", now())
                .await
                .expect("creating a user"),
        );
    }
    users
}

async fn append(store: &DynamoStore, room: RoomId, sender: UserId, text: String) -> Message {
    let new = NewMessage {
        room_id: room,
        sender_id: sender,
        text,
        file: None,
        client_message_id: None,
        sent_at: now(),
    };
    match store.append_message(new).await.expect("appending") {
        AppendOutcome::Created(message) => message,
        AppendOutcome::Duplicate(message) => panic!("unexpected duplicate {message:?}"),
    }
}

fn newest_first(messages: &[Message]) -> Vec<Message> {
    messages.iter().rev().cloned().collect()
}

/// One raw Query page (no pagination) of items whose sort key starts with `prefix`.
async fn one_page(store: &DynamoStore, pk: String, prefix: &str, limit: i32) -> (usize, bool) {
    let output = store
        .client()
        .query()
        .table_name(store.table())
        .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
        .expression_attribute_values(":pk", AttributeValue::S(pk))
        .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
        .limit(limit)
        .send()
        .await
        .expect("a raw query");
    let more = output.last_evaluated_key.is_some_and(|key| !key.is_empty());
    (output.items.unwrap_or_default().len(), more)
}

async fn put_raw(store: &DynamoStore, item: Item) {
    store
        .client()
        .put_item()
        .table_name(store.table())
        .set_item(Some(item))
        .send()
        .await
        .expect("a raw put");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_history_over_1mb_when_reading_any_page_then_the_store_reads_past_the_page_limit() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 1).await;
    let sender = users[0].id;
    let room = store
        .create_group("big", sender, &[sender], now())
        .await
        .expect("a group");
    // 16,000 bytes of text per message: about 65 fill a 1 MB page.
    let text = "🦀".repeat(4_000);
    let mut sent = Vec::new();
    for index in 0..130 {
        sent.push(append(&store, room.id, sender, format!("{index} {text}")).await);
    }
    let (got, more) = one_page(&store, keys::room_partition(room.id), MESSAGE_PREFIX, 100).await;
    assert!(
        got < 100 && more,
        "precondition: one Query page must stop at 1 MB before 100 items, got {got} (more: {more})"
    );

    let latest = store
        .history(room.id, HistoryQuery::Latest { limit: 100 })
        .await
        .expect("latest");
    assert_eq!(latest, newest_first(&sent[30..]), "Latest 100 over 1 MB");
    let before = store
        .history(
            room.id,
            HistoryQuery::Before {
                before: sent[120].id,
                limit: 100,
            },
        )
        .await
        .expect("before");
    assert_eq!(before, newest_first(&sent[20..120]), "Before over 1 MB");
    let after = store
        .history(
            room.id,
            HistoryQuery::After {
                after: Some(sent[9].id),
                limit: 100,
            },
        )
        .await
        .expect("after");
    assert_eq!(after, sent[10..110].to_vec(), "After over 1 MB");
    let room_now = store.room(room.id).await.expect("room").expect("the room");
    assert_eq!(
        room_now.last_message.as_ref(),
        sent.last(),
        "big last_message round-trips"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_members_over_1mb_when_listing_members_then_every_member_comes_back() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 2).await;
    let room = store
        .create_group("crowd", users[0].id, &[users[0].id, users[1].id], now())
        .await
        .expect("a group");
    // Membership items are small; pad stored ones so that 120 exceed 1 MB
    // (the store ignores attributes it does not know).
    let mut expected: Vec<Membership> = store.members(room.id).await.expect("members");
    for index in 0..120u64 {
        let membership = Membership {
            room_id: room.id,
            user_id: UserId(1_000_000 + index),
            joined_at: now(),
            read_seq: 0,
            last_read_id: None,
            typing_until: None,
        };
        let mut item = keys::member(room.id, membership.user_id).with(membership.to_attributes());
        item.insert("pad".into(), AttributeValue::S("x".repeat(10_000)));
        put_raw(&store, item).await;
        expected.push(membership);
    }
    let (got, more) = one_page(&store, keys::room_partition(room.id), MEMBER_PREFIX, 1000).await;
    assert!(
        got < 122 && more,
        "precondition: one page holds {got} of 122 (more: {more})"
    );

    let members = store.members(room.id).await.expect("members");
    expected.sort_by_key(|m| m.user_id);
    assert_eq!(
        members, expected,
        "members() must page through every member"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_more_than_100_keys_when_batch_getting_then_every_item_once() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 150).await;
    let mut asked: Vec<UserId> = users.iter().map(|u| u.id).collect();
    asked.extend(users.iter().take(20).map(|u| u.id));
    asked.push(UserId(9_000_000));
    let mut got = store.users(&asked).await.expect("users");
    got.sort_by_key(|u| u.id);
    assert_eq!(
        got, users,
        "users() over 100 keys returns each known user once"
    );

    let me = users[0].id;
    let mut rooms = Vec::new();
    for index in 0..130 {
        let other = users[1 + index % 149].id;
        rooms.push(
            store
                .create_group(&format!("g{index}"), me, &[me, other], now())
                .await
                .expect("a group"),
        );
    }
    let mine = store.memberships_of(me).await.expect("memberships_of");
    let mut room_ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    room_ids.sort();
    assert_eq!(
        mine.iter().map(|m| m.room_id).collect::<Vec<_>>(),
        room_ids,
        "memberships_of over 100 rooms"
    );
    let mut asked = room_ids.clone();
    asked.push(RoomId(9_000_000));
    let mut got = store.rooms(&asked).await.expect("rooms");
    got.sort_by_key(|r| r.id);
    assert_eq!(got, rooms, "rooms() over 100 keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_rooms_over_16mb_when_batch_getting_then_unprocessed_keys_are_asked_again() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 1).await;
    let me = users[0].id;
    // Each room item carries a copy of its last message: 350 KB of text
    // makes 60 rooms about 21 MB, over BatchGetItem's 16 MB response.
    let text = "y".repeat(350_000);
    let mut rooms = Vec::new();
    for index in 0..60 {
        let room = store
            .create_group(&format!("heavy {index}"), me, &[me], now())
            .await
            .expect("a group");
        append(&store, room.id, me, text.clone()).await;
        rooms.push(store.room(room.id).await.expect("room").expect("the room"));
    }
    let keys: Vec<Item> = rooms.iter().map(|r| keys::room(r.id).item()).collect();
    let output = store
        .client()
        .batch_get_item()
        .request_items(
            store.table(),
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .expect("keys"),
        )
        .send()
        .await
        .expect("a raw batch get");
    let unprocessed = output
        .unprocessed_keys
        .and_then(|mut left| left.remove(store.table()))
        .map_or(0, |left| left.keys.len());
    assert!(
        unprocessed > 0,
        "precondition: one BatchGetItem of 21 MB must leave keys unprocessed"
    );

    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let mut got = store.rooms(&ids).await.expect("rooms");
    got.sort_by_key(|r| r.id);
    assert_eq!(got, rooms, "rooms() must ask again for unprocessed keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_group_bigger_than_one_transaction_when_created_then_every_member_is_in() {
    let store = support::fresh_store().await;
    // 256 members: 1 room + 2 items per member = 513 writes, 6 transactions.
    let users = new_users(&store, banter_core::domain::limits::MAX_GROUP_MEMBERS).await;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let room = store
        .create_group("everyone", ids[0], &ids, now())
        .await
        .expect("a big group");
    assert_eq!(store.room(room.id).await.expect("room"), Some(room.clone()));
    let members = store.members(room.id).await.expect("members");
    assert_eq!(
        members.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        ids,
        "every member of a big group is stored"
    );
    for user in [ids[0], ids[128], ids[255]] {
        let mine = store.memberships_of(user).await.expect("memberships_of");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].room_id, room.id);
    }
}

fn connection(user: UserId) -> Connection {
    let now = now();
    Connection {
        id: ConnectionId(format!("c{:016x}=", rand::random::<u64>())),
        dialect: DialectKind::Native,
        user_id: Some(user),
        scope: Scope::AllRooms,
        connected_at: now,
        expires_at: now.plus(Duration::from_secs(2 * 3600 + 600)),
        dialect_state: DialectState::None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_connections_over_1mb_when_counting_and_listing_then_every_one_counts() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 1).await;
    let me = users[0].id;
    let mut put = Vec::new();
    for index in 0..10 {
        let connection = connection(me);
        let count = store.put_connection(&connection).await.expect("put");
        assert_eq!(count, index + 1, "the live count pages through 1.5 MB");
        // Connection items are small; pad the copy under the user so that
        // ten exceed 1 MB (the store ignores attributes it does not know).
        let mut attributes = connection.to_attributes();
        attributes.insert(attr::REVISION.into(), AttributeValue::N("1".into()));
        attributes.insert("pad".into(), AttributeValue::S("s".repeat(150_000)));
        put_raw(
            &store,
            keys::user_connection(me, &connection.id).with(attributes),
        )
        .await;
        put.push(connection);
    }
    let (got, more) = one_page(
        &store,
        keys::user_partition(me),
        keys::CONNECTION_PREFIX,
        100,
    )
    .await;
    assert!(got < 10 && more, "precondition: one page holds {got} of 10");

    let mut listed = store
        .connections_of(&[me], now())
        .await
        .expect("connections_of");
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    put.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listed, put, "connections_of pages through 1.5 MB");
    let deleted = store
        .delete_connection(&put[0].id)
        .await
        .expect("delete")
        .expect("it existed");
    assert_eq!(deleted, (put[0].clone(), 9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_racing_connects_and_disconnects_of_one_user_when_counting_then_each_count_once() {
    const DEVICES: usize = 16;
    let store = Arc::new(support::fresh_store().await);
    let users = new_users(&store, 1).await;
    let me = users[0].id;
    let connections: Vec<Connection> = (0..DEVICES).map(|_| connection(me)).collect();

    let mut tasks = JoinSet::new();
    for connection in connections.clone() {
        let store = store.clone();
        tasks.spawn(async move { store.put_connection(&connection).await });
    }
    let mut counts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        counts.push(joined.expect("a task").expect("put"));
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=DEVICES).collect::<Vec<_>>(),
        "racing connects must each see a different count: exactly one sees 1 (online)"
    );

    let mut tasks = JoinSet::new();
    for connection in connections {
        let store = store.clone();
        tasks.spawn(async move { store.delete_connection(&connection.id).await });
    }
    let mut remaining = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (_, left) = joined
            .expect("a task")
            .expect("delete")
            .expect("it existed");
        remaining.push(left);
    }
    remaining.sort_unstable();
    assert_eq!(
        remaining,
        (0..DEVICES).collect::<Vec<_>>(),
        "racing disconnects must each see a different count: exactly one sees 0 (offline)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_sender_who_is_not_a_member_when_appending_then_stored_and_no_membership_made() {
    let store = support::fresh_store().await;
    let users = new_users(&store, 2).await;
    let room = store
        .create_group("g", users[0].id, &[users[0].id], now())
        .await
        .expect("a group");
    let message = append(&store, room.id, users[1].id, "hi".into()).await;
    assert_eq!(message.seq, 1);
    assert_eq!(
        store
            .membership(room.id, users[1].id)
            .await
            .expect("membership"),
        None,
        "appending must not create the sender's membership"
    );
    let raw = store
        .client()
        .get_item()
        .table_name(store.table())
        .set_key(Some(Key::item(&keys::member(room.id, users[1].id))))
        .consistent_read(true)
        .send()
        .await
        .expect("a raw get");
    assert!(raw.item.is_none(), "no stray membership item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_racing_calls_for_a_big_keyed_group_when_one_wins_then_the_losers_leave_nothing() {
    let store = Arc::new(support::fresh_store().await);
    // 60 members: 121 writes, so members go ahead of the guarded room item.
    let users = new_users(&store, 60).await;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let key = format!("big-{:016x}", rand::random::<u64>());
    let mut tasks = JoinSet::new();
    for _ in 0..4 {
        let (store, key, ids) = (store.clone(), key.clone(), ids.clone());
        tasks.spawn(async move {
            store
                .find_or_create_keyed_group(&key, "big", ids[0], &ids, now())
                .await
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.expect("a task").expect("find_or_create_keyed_group"));
    }
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    let room = results[0].0.clone();
    assert!(
        results.iter().all(|(r, _)| r.id == room.id),
        "one room for one key"
    );
    assert_eq!(store.members(room.id).await.expect("members").len(), 60);
    for user in [ids[0], ids[59]] {
        let mine = store.memberships_of(user).await.expect("memberships_of");
        assert_eq!(
            mine.iter().map(|m| m.room_id).collect::<Vec<_>>(),
            vec![room.id],
            "a losing call must delete the memberships it wrote ahead"
        );
    }
}
