//! Live connections: live counts for presence, binding, dialect state,
//! idempotent deletes, and per-user listing of live connections only.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, connection_id, connection_of, expired_connection, ids, live_connection, new_group,
    new_users, put, sorted,
};
use banter_core::domain::connection::DialectState;
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp, UserId};
use banter_core::ports::StoreError;
use std::time::Duration;

fn connection_ids(connections: &[Connection]) -> Vec<ConnectionId> {
    sorted(&connections.iter().map(|c| c.id.clone()).collect::<Vec<_>>())
}

async fn live_of(store: &SharedStore, users: &[UserId], now: Timestamp) -> Vec<Connection> {
    store
        .connections_of(users, now)
        .await
        .must(&format!("connections_of({users:?})"))
}

pub async fn given_an_unauthenticated_connection_when_putting_then_zero_and_it_is_stored(
    store: SharedStore,
) {
    let connection = live_connection(None);
    assert_eq!(
        put(&*store, &connection).await,
        0,
        "put_connection of a connection with no user must return 0"
    );
    assert_eq!(
        connection_of(&*store, &connection.id).await,
        connection,
        "connection() must return the connection as put"
    );
    assert_eq!(
        store
            .connection(&connection_id())
            .await
            .must("connection() of an unknown id"),
        None,
        "connection() of an unknown id must be None"
    );
}

pub async fn given_a_user_when_putting_connections_then_the_live_count_grows_per_device(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (me, other) = (users[0].id, users[1].id);
    let phone = live_connection(Some(me));
    let laptop = Connection {
        scope: Scope::Notifications,
        ..live_connection(Some(me))
    };
    assert_eq!(
        put(&*store, &phone).await,
        1,
        "a user's first connection counts 1"
    );
    assert_eq!(
        put(&*store, &live_connection(Some(other))).await,
        1,
        "another user's connections are counted apart"
    );
    assert_eq!(put(&*store, &laptop).await, 2, "a second device counts 2");
    assert_eq!(
        put(&*store, &live_connection(None)).await,
        0,
        "an unauthenticated connection counts 0 whoever else is online"
    );
    assert_eq!(
        put(&*store, &live_connection(Some(me))).await,
        3,
        "a third device counts 3"
    );
    assert_eq!(
        connection_of(&*store, &laptop.id).await,
        laptop,
        "the scope is stored"
    );
}

pub async fn given_an_expired_connection_when_putting_another_then_only_live_ones_count(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let me = users[0].id;
    let stale = expired_connection(Some(me));
    store
        .put_connection(&stale)
        .await
        .must("putting an expired connection");
    assert_eq!(
        put(&*store, &live_connection(Some(me))).await,
        1,
        "an expired connection must not count as live"
    );
    let deleted = store
        .delete_connection(&stale.id)
        .await
        .must("deleting the expired connection");
    assert_eq!(
        deleted,
        Some((stale, 1)),
        "deleting an expired connection returns it and the live count left"
    );
}

pub async fn given_an_unauthenticated_connection_when_binding_then_user_and_scope_are_set(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let me = users[0].id;
    let room = new_group(&*store, &ids(&users)).await;
    let first = live_connection(None);
    let second = live_connection(None);
    assert_eq!(put(&*store, &first).await, 0, "unauthenticated: 0");
    assert_eq!(put(&*store, &second).await, 0, "unauthenticated: 0");

    let count = store
        .bind_connection(&first.id, me, Scope::Room(room.id))
        .await
        .must("binding a connection");
    assert_eq!(count, 1, "binding a user's first connection returns 1");
    let bound = connection_of(&*store, &first.id).await;
    assert_eq!(
        bound,
        Connection {
            user_id: Some(me),
            scope: Scope::Room(room.id),
            ..first.clone()
        },
        "binding sets user and scope and keeps the rest, dialect state included"
    );

    let count = store
        .bind_connection(&second.id, me, Scope::AllRooms)
        .await
        .must("binding a second connection");
    assert_eq!(count, 2, "binding a user's second connection returns 2");
    assert_eq!(
        connection_ids(&live_of(&store, &[me], Timestamp::now()).await),
        connection_ids(&[first, second]),
        "bound connections are listed for their user"
    );
}

pub async fn given_an_unknown_connection_when_binding_then_not_found_connection(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let unknown = connection_id();
    let outcome = store
        .bind_connection(&unknown, users[0].id, Scope::AllRooms)
        .await;
    assert!(
        matches!(outcome, Err(StoreError::NotFound("connection"))),
        "binding an unknown connection must fail with NotFound(\"connection\"), got {outcome:?}"
    );
    assert_eq!(
        store.connection(&unknown).await.must("connection()"),
        None,
        "failed updates must not create the connection"
    );
    assert_eq!(
        store
            .delete_connection(&unknown)
            .await
            .must("deleting an unknown connection"),
        None,
        "deleting an unknown connection returns None"
    );
}

pub async fn given_connections_of_each_dialect_state_when_stored_then_read_back_unchanged(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    for dialect_state in [
        DialectState::None,
        DialectState::PairPath {
            user_id: users[0].id,
            opponent_id: UserId(u64::MAX),
        },
    ] {
        let connection = Connection {
            dialect_state,
            ..live_connection(Some(users[0].id))
        };
        put(&*store, &connection).await;
        assert_eq!(
            connection_of(&*store, &connection.id).await,
            connection,
            "a connection reads back as stored, dialect state included"
        );
    }
}

pub async fn given_connections_when_deleting_then_each_once_with_the_remaining_count(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let me = users[0].id;
    let phone = live_connection(Some(me));
    let laptop = live_connection(Some(me));
    put(&*store, &phone).await;
    put(&*store, &laptop).await;

    let deleted = store
        .delete_connection(&phone.id)
        .await
        .must("deleting the phone");
    assert_eq!(
        deleted,
        Some((phone.clone(), 1)),
        "deleting returns the connection and its user's remaining live count"
    );
    assert_eq!(
        store
            .delete_connection(&phone.id)
            .await
            .must("deleting the phone again"),
        None,
        "a repeated delete returns None"
    );
    assert_eq!(
        store.connection(&phone.id).await.must("connection()"),
        None,
        "a deleted connection is gone"
    );

    let deleted = store
        .delete_connection(&laptop.id)
        .await
        .must("deleting the laptop");
    assert_eq!(
        deleted,
        Some((laptop, 0)),
        "deleting the last connection leaves 0 (the user goes offline)"
    );
    assert!(
        live_of(&store, &[me], Timestamp::now()).await.is_empty(),
        "a user with every connection deleted has none listed"
    );
}

pub async fn given_an_unauthenticated_connection_when_deleting_then_zero_remaining(
    store: SharedStore,
) {
    let connection = live_connection(None);
    put(&*store, &connection).await;
    assert_eq!(
        store
            .delete_connection(&connection.id)
            .await
            .must("deleting"),
        Some((connection.clone(), 0)),
        "deleting an unauthenticated connection returns it and 0"
    );
    assert_eq!(
        store
            .delete_connection(&connection.id)
            .await
            .must("deleting again"),
        None,
        "a repeated delete returns None"
    );
}

pub async fn given_users_when_listing_connections_then_only_their_live_bound_connections(
    store: SharedStore,
) {
    let users = new_users(&*store, 4).await;
    let (first, second, outsider, idle) = (users[0].id, users[1].id, users[2].id, users[3].id);
    let first_phone = live_connection(Some(first));
    let first_laptop = Connection {
        scope: Scope::Notifications,
        ..live_connection(Some(first))
    };
    let second_live = live_connection(Some(second));
    for connection in [
        &first_phone,
        &first_laptop,
        &second_live,
        &expired_connection(Some(second)),
        &live_connection(Some(outsider)),
        &live_connection(None),
        &live_connection(None),
    ] {
        put(&*store, connection).await;
    }

    let listed = live_of(&store, &[first, second, idle], Timestamp::now()).await;
    assert_eq!(
        connection_ids(&listed),
        connection_ids(&[
            first_phone.clone(),
            first_laptop.clone(),
            second_live.clone()
        ]),
        "connections_of must list exactly the live connections of the given users"
    );
    for connection in [&first_phone, &first_laptop, &second_live] {
        assert!(
            listed.contains(connection),
            "connections_of returns connections as stored"
        );
    }
    assert!(
        listed.iter().all(|c| c.user_id.is_some()),
        "connections_of never returns unauthenticated connections"
    );
    assert!(
        live_of(&store, &[idle], Timestamp::now()).await.is_empty(),
        "a user with no connections has none listed"
    );
    assert!(
        live_of(&store, &[], Timestamp::now()).await.is_empty(),
        "connections_of no users is empty"
    );
    let listed = live_of(&store, &[outsider], Timestamp::now()).await;
    assert_eq!(listed.len(), 1, "each user gets only their own connections");
}

pub async fn given_a_later_now_when_listing_connections_then_expired_ones_are_left_out(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let me = users[0].id;
    let now = Timestamp::now();
    let short = Connection {
        expires_at: now.plus(Duration::from_secs(3600)),
        ..live_connection(Some(me))
    };
    let long = Connection {
        expires_at: now.plus(Duration::from_secs(3 * 3600)),
        ..live_connection(Some(me))
    };
    put(&*store, &short).await;
    put(&*store, &long).await;

    assert_eq!(
        connection_ids(&live_of(&store, &[me], now).await),
        connection_ids(&[short.clone(), long.clone()]),
        "both connections are live now"
    );
    assert_eq!(
        live_of(&store, &[me], short.expires_at).await,
        vec![long.clone()],
        "a connection is no longer live at its expires_at (live means expires_at > now)"
    );
    assert_eq!(
        live_of(&store, &[me], now.plus(Duration::from_secs(2 * 3600))).await,
        vec![long.clone()],
        "connections_of must leave out connections expired at the given now"
    );
    assert!(
        live_of(&store, &[me], long.expires_at).await.is_empty(),
        "no connection is live once both expired"
    );
}
