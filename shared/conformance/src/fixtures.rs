//! Random-ish test data and the store calls every check repeats. Helpers
//! panic with what they were doing, so a failing check names the step.

use banter_core::domain::connection::DialectState;
use banter_core::domain::ids::MAX_SAFE_ID;
use banter_core::domain::{
    Connection, ConnectionId, FileAttachment, Membership, Message, NewMessage, Room, RoomId, Scope,
    Timestamp, User, UserId, Username, connection::DialectKind,
};
use banter_core::ports::store::StoreResult;
use banter_core::ports::{AppendOutcome, Store};
use rand::Rng;
use rand::distr::Alphanumeric;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

/// The store under test, shareable with spawned tasks.
pub type SharedStore = Arc<dyn Store>;

/// Unwraps a store result, or panics naming the step and the store's error.
pub(crate) trait Must<T> {
    fn must(self, doing: &str) -> T;
}

impl<T> Must<T> for StoreResult<T> {
    #[track_caller]
    fn must(self, doing: &str) -> T {
        match self {
            Ok(value) => value,
            Err(error) => panic!("{doing}: the store failed: {error:#}"),
        }
    }
}

/// Unwraps an option the check expects to be present.
#[track_caller]
pub(crate) fn present<T>(value: Option<T>, what: &str) -> T {
    match value {
        Some(value) => value,
        None => panic!("{what}: expected Some, the store returned None"),
    }
}

/// Sorts a copy, for comparing results whose order is not significant.
pub(crate) fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort();
    items
}

/// Asserts that a sequence is strictly increasing.
#[track_caller]
pub(crate) fn assert_strictly_increasing<T: Ord + Debug>(items: &[T], what: &str) {
    for pair in items.windows(2) {
        assert!(
            pair[0] < pair[1],
            "{what} must be strictly increasing, but {:?} is followed by {:?} in {items:?}",
            pair[0],
            pair[1]
        );
    }
}

/// Asserts that an id is one a JSON client can hold exactly.
#[track_caller]
pub(crate) fn assert_safe_id(id: u64, what: &str) {
    assert!(
        (1..=MAX_SAFE_ID).contains(&id),
        "{what} {id} must be within 1..=2^53-1"
    );
}

/// Random lowercase hex, `len` digits.
pub(crate) fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A fresh valid username such as `ana-3f9c0e1b2d4a`.
pub(crate) fn username(prefix: &str) -> Username {
    let text = format!("{prefix}-{}", random_hex(12));
    match Username::parse(&text) {
        Ok(name) => name,
        Err(why) => panic!("fixture username {text:?} is invalid: {why}"),
    }
}

/// A fixed-looking but random instant in 2026, for checks that only compare
/// timestamps they chose themselves.
pub(crate) fn some_time() -> Timestamp {
    Timestamp(1_767_225_600_000 + rand::rng().random_range(0..86_400_000))
}

/// A message text with characters a careless adapter would mangle.
pub(crate) fn some_text() -> String {
    const WORDS: &[&str] = &[
        "hello",
        "héllo",
        "naïve",
        "✓",
        "🦀",
        "日本語",
        "\"quoted\"",
        "'single'",
        "back\\slash",
        "semi;colon",
        "percent%",
        "under_score",
        "new\nline",
        "tab\there",
        "{\"json\":1}",
        "Robert'); DROP TABLE messages;--",
    ];
    let mut rng = rand::rng();
    let count = rng.random_range(1..8);
    let words: Vec<&str> = (0..count)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect();
    format!("{} #{}", words.join(" "), random_hex(6))
}

pub(crate) async fn new_user(store: &dyn Store, prefix: &str) -> User {
    let name = username(prefix);
    store
        .create_user(
            &name,
            &format!("{prefix} {}", random_hex(4)),
            &format!("$argon2id$v=19$m=19456,t=2,p=1${}", random_hex(22)),
            some_time(),
        )
        .await
        .must(&format!("creating user {}", name.as_str()))
}

pub(crate) async fn new_users(store: &dyn Store, count: usize) -> Vec<User> {
    let mut users = Vec::with_capacity(count);
    for index in 0..count {
        users.push(new_user(store, &format!("user{index}")).await);
    }
    users
}

pub(crate) fn ids(users: &[User]) -> Vec<UserId> {
    users.iter().map(|user| user.id).collect()
}

pub(crate) async fn new_group(store: &dyn Store, members: &[UserId]) -> Room {
    let creator = *present(members.first(), "a group needs at least one member");
    store
        .create_group(
            &format!("group {}", random_hex(6)),
            creator,
            members,
            some_time(),
        )
        .await
        .must("creating a group")
}

pub(crate) async fn room_of(store: &dyn Store, id: RoomId) -> Room {
    present(
        store.room(id).await.must("getting a room"),
        &format!("room {id}"),
    )
}

pub(crate) async fn membership_of(store: &dyn Store, room: RoomId, user: UserId) -> Membership {
    present(
        store
            .membership(room, user)
            .await
            .must("getting a membership"),
        &format!("membership of user {user} in room {room}"),
    )
}

pub(crate) fn new_message(room: RoomId, sender: UserId) -> NewMessage {
    NewMessage {
        room_id: room,
        sender_id: sender,
        text: some_text(),
        file: None,
        client_message_id: None,
        sent_at: some_time(),
    }
}

pub(crate) fn some_file() -> FileAttachment {
    FileAttachment {
        file_id: format!("f-{}", random_hex(16)),
        name: format!("Résumé «{}».pdf", random_hex(4)),
        content_type: "application/pdf".to_owned(),
        size: rand::rng().random_range(1..25 * 1024 * 1024),
    }
}

/// Appends and expects a new message (not a duplicate).
pub(crate) async fn append_new(store: &dyn Store, message: NewMessage) -> Message {
    match store
        .append_message(message.clone())
        .await
        .must("appending a message")
    {
        AppendOutcome::Created(stored) => stored,
        AppendOutcome::Duplicate(original) => {
            panic!("appending {message:?} returned Duplicate({original:?}), expected Created")
        }
    }
}

/// Sends `count` messages to a room, the senders taking turns.
pub(crate) async fn send_many(
    store: &dyn Store,
    room: RoomId,
    senders: &[UserId],
    count: usize,
) -> Vec<Message> {
    let mut sent = Vec::with_capacity(count);
    for index in 0..count {
        let sender = senders[index % senders.len()];
        sent.push(append_new(store, new_message(room, sender)).await);
    }
    sent
}

pub(crate) fn message_ids(messages: &[Message]) -> Vec<u64> {
    messages.iter().map(|message| message.id.0).collect()
}

/// An API Gateway-looking connection id, e.g. `Kx3vQe9LmP0aBCd=`.
pub(crate) fn connection_id() -> ConnectionId {
    let id: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(15)
        .map(char::from)
        .collect();
    ConnectionId(format!("{id}="))
}

/// A connection opened just now that lives for two hours (by the real clock,
/// since stores count live connections against their own clock).
pub(crate) fn live_connection(user: Option<UserId>) -> Connection {
    let now = Timestamp::now();
    Connection {
        id: connection_id(),
        dialect: DialectKind::Native,
        user_id: user,
        scope: Scope::AllRooms,
        connected_at: now,
        expires_at: now.plus(Duration::from_secs(2 * 3600 + 600)),
        dialect_state: DialectState::PairPath {
            user_id: UserId(rand::rng().random_range(1..1000)),
            opponent_id: UserId(rand::rng().random_range(1..1000)),
        },
    }
}

/// A connection that expired a minute ago by the real clock.
pub(crate) fn expired_connection(user: Option<UserId>) -> Connection {
    let now = Timestamp::now().millis();
    Connection {
        expires_at: Timestamp(now - 60_000),
        connected_at: Timestamp(now - 3 * 3600 * 1000),
        ..live_connection(user)
    }
}

pub(crate) async fn put(store: &dyn Store, connection: &Connection) -> usize {
    store
        .put_connection(connection)
        .await
        .must(&format!("putting connection {}", connection.id))
}

pub(crate) async fn connection_of(store: &dyn Store, id: &ConnectionId) -> Connection {
    present(
        store.connection(id).await.must("getting a connection"),
        &format!("connection {id}"),
    )
}
