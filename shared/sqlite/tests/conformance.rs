//! The shared store conformance suite against SQLite, plus what only a file
//! store has: data that survives closing and reopening.

use banter_core::domain::connection::DialectState;
use banter_core::domain::{
    Connection, ConnectionId, NewMessage, Scope, Timestamp, UserId, Username,
    connection::DialectKind,
};
use banter_core::ports::{
    AppendOutcome, ConnectionStore, HistoryQuery, MessageStore, RoomStore, UserStore,
};
use banter_sqlite::SqliteStore;
use std::path::PathBuf;
use std::time::Duration;

banter_conformance::store_conformance_tests!(async {
    SqliteStore::in_memory().expect("an in-memory SQLite store")
});

/// A folder under the system temp dir with a random name, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("banter-sqlite-test-{:016x}", rand::random::<u64>()));
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn given_a_file_store_when_closed_and_reopened_then_everything_is_still_there() {
    let dir = TempDir::new();
    // A nested path: open creates the missing folders.
    let path = dir.0.join("nested").join("banter.db");
    let now = Timestamp::now();
    let ana = Username::parse("ana").expect("a valid username");
    let ben = Username::parse("ben").expect("a valid username");

    let (user_a, user_b, group, first, connection) = {
        let store = SqliteStore::open(&path).expect("opening a new file store");
        assert_eq!(store.path(), Some(path.as_path()));
        let user_a = store
            .create_user(&ana, "Ana", "hash-a", now)
            .await
            .expect("creating ana");
        let user_b = store
            .create_user(&ben, "Ben", "hash-b", now)
            .await
            .expect("creating ben");
        let group = store
            .create_group("crabs", user_a.id, &[user_a.id, user_b.id], now)
            .await
            .expect("creating a group");
        let first = store
            .append_message(NewMessage {
                room_id: group.id,
                sender_id: user_a.id,
                text: "persisted 🦀".to_owned(),
                file: None,
                client_message_id: Some("c-1".to_owned()),
                sent_at: now,
            })
            .await
            .expect("appending a message");
        let connection = Connection {
            id: ConnectionId("persist=".to_owned()),
            dialect: DialectKind::Native,
            user_id: Some(user_b.id),
            scope: Scope::Room(group.id),
            connected_at: now,
            expires_at: now.plus(Duration::from_secs(7200)),
            dialect_state: DialectState::PairPath {
                user_id: user_b.id,
                opponent_id: user_a.id,
            },
        };
        store
            .put_connection(&connection)
            .await
            .expect("putting a connection");
        (user_a, user_b, group, first.message().clone(), connection)
    };

    let store = SqliteStore::open(&path).expect("reopening the file store");
    let found = store
        .user_by_username(&ana)
        .await
        .expect("looking ana up")
        .expect("ana survives a reopen");
    assert_eq!(found.user, user_a);
    assert_eq!(found.password_hash, "hash-a");
    let room = store
        .room(group.id)
        .await
        .expect("reading the group")
        .expect("the group survives a reopen");
    assert_eq!(room.message_count, 1);
    assert_eq!(room.last_message.as_ref(), Some(&first));
    assert_eq!(
        store
            .history(group.id, HistoryQuery::Latest { limit: 10 })
            .await
            .expect("reading history"),
        vec![first.clone()]
    );
    assert_eq!(
        store
            .connections_of(&[user_b.id], now)
            .await
            .expect("listing connections"),
        vec![connection]
    );
    let retried = store
        .append_message(NewMessage {
            room_id: group.id,
            sender_id: user_a.id,
            text: "persisted 🦀".to_owned(),
            file: None,
            client_message_id: Some("c-1".to_owned()),
            sent_at: now,
        })
        .await
        .expect("retrying the message");
    assert_eq!(
        retried,
        AppendOutcome::Duplicate(first.clone()),
        "idempotency survives a reopen"
    );

    // Counters carry on where they were.
    let carl = store
        .create_user(
            &Username::parse("carl").expect("a valid username"),
            "Carl",
            "hash-c",
            now,
        )
        .await
        .expect("creating carl");
    assert!(carl.id > user_b.id, "user ids carry on after a reopen");
    let second = store
        .append_message(NewMessage {
            room_id: group.id,
            sender_id: user_b.id,
            text: "after".to_owned(),
            file: None,
            client_message_id: None,
            sent_at: now,
        })
        .await
        .expect("appending after reopening");
    assert_eq!(second.message().seq, 2, "seq carries on after a reopen");
    assert!(second.message().id > first.id, "message ids carry on");
    let created = store
        .create_user(&ana, "Ana again", "x", now)
        .await
        .expect_err("ana's name is still taken");
    assert!(matches!(
        created,
        banter_core::ports::StoreError::Conflict("username")
    ));
    assert_eq!(
        store
            .users(&[user_a.id, UserId(999)])
            .await
            .expect("batch get"),
        vec![user_a]
    );
}

#[tokio::test]
async fn given_a_store_when_cloned_then_clones_share_one_database() {
    let store = SqliteStore::in_memory().expect("an in-memory store");
    let clone = store.clone();
    let user = store
        .create_user(
            &Username::parse("shared").expect("a valid username"),
            "S",
            "h",
            Timestamp::now(),
        )
        .await
        .expect("creating a user");
    assert_eq!(
        clone
            .user_by_id(user.id)
            .await
            .expect("reading through the clone")
            .map(|record| record.user),
        Some(user)
    );
    let other = SqliteStore::in_memory().expect("another in-memory store");
    assert_eq!(
        other.user_by_id(UserId(1)).await.expect("reading"),
        None,
        "separate in-memory stores are isolated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_the_suite_when_run_through_run_all_then_every_check_passes() {
    assert!(
        banter_conformance::checks().len() >= 50,
        "the suite lists its checks"
    );
    banter_conformance::run_all(|| async {
        SqliteStore::in_memory().expect("an in-memory SQLite store")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_two_stores_on_one_file_when_appending_concurrently_then_seqs_stay_dense() {
    let dir = TempDir::new();
    let path = dir.0.join("shared.db");
    let first = SqliteStore::open(&path).expect("opening the file");
    let second = SqliteStore::open(&path).expect("opening the file again");
    let now = Timestamp::now();
    let user = first
        .create_user(
            &Username::parse("twin").expect("a valid username"),
            "Twin",
            "h",
            now,
        )
        .await
        .expect("creating a user");
    let room = first
        .create_group("twins", user.id, &[user.id], now)
        .await
        .expect("creating a group");

    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..40 {
        let store = if index % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.spawn(async move {
            store
                .append_message(NewMessage {
                    room_id: room.id,
                    sender_id: user.id,
                    text: format!("message {index}"),
                    file: None,
                    client_message_id: None,
                    sent_at: now,
                })
                .await
        });
    }
    let mut seqs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined
            .expect("an appending task panicked")
            .expect("appending through either connection");
        seqs.push(outcome.message().seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    let room = second
        .room(room.id)
        .await
        .expect("reading the room")
        .expect("the room");
    assert_eq!(room.message_count, 40);
}
