//! Live connections, keyed by id with an index by user. "Live" means
//! `expires_at > now`; live counts read that index for one user, now by the
//! store's clock.

use crate::error::OrUnexpected;
use crate::rows::{self, CONNECTION_COLUMNS, scope_columns};
use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp, UserId};
use banter_core::ports::ConnectionStore;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;

type Db = rusqlite::Connection;

/// Stores (or replaces) a connection; returns its user's live count.
pub(crate) fn put_connection(db: &mut Db, connection: &Connection) -> StoreResult<usize> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to put a connection")?;
    let (scope, scope_room) = scope_columns(connection.scope);
    tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO connections ({CONNECTION_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            connection.id.0,
            connection.dialect.as_str(),
            connection.user_id.map(|user| user.0),
            scope,
            scope_room,
            connection.connected_at.millis(),
            connection.expires_at.millis(),
            connection.dialect_state.to_text(),
        ])
    })
    .or_unexpected("inserting a connection")?;
    let count = live_count(&tx, connection.user_id)?;
    tx.commit().or_unexpected("committing a connection")?;
    Ok(count)
}

pub(crate) fn bind_connection(
    db: &mut Db,
    id: &ConnectionId,
    user: UserId,
    scope: Scope,
) -> StoreResult<usize> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to bind a connection")?;
    let (scope_kind, scope_room) = scope_columns(scope);
    let updated = tx
        .prepare_cached(
            "UPDATE connections SET user_id = ?2, scope = ?3, scope_room_id = ?4 WHERE id = ?1",
        )
        .and_then(|mut statement| statement.execute(params![id.0, user.0, scope_kind, scope_room]))
        .or_unexpected("binding a connection")?;
    if updated == 0 {
        return Err(StoreError::NotFound("connection"));
    }
    let count = live_count(&tx, Some(user))?;
    tx.commit().or_unexpected("committing a bound connection")?;
    Ok(count)
}

pub(crate) fn connection(db: &Db, id: &ConnectionId) -> StoreResult<Option<Connection>> {
    db.prepare_cached(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = ?1"
    ))
    .and_then(|mut statement| statement.query_row([&id.0], rows::connection).optional())
    .or_unexpected("reading a connection")
}

/// Deletes a connection; returns it and its user's remaining live count, or
/// `None` if it was already gone.
pub(crate) fn delete_connection(
    db: &mut Db,
    id: &ConnectionId,
) -> StoreResult<Option<(Connection, usize)>> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to delete a connection")?;
    let deleted = tx
        .prepare_cached(&format!(
            "DELETE FROM connections WHERE id = ?1 RETURNING {CONNECTION_COLUMNS}"
        ))
        .and_then(|mut statement| statement.query_row([&id.0], rows::connection).optional())
        .or_unexpected("deleting a connection")?;
    let Some(connection) = deleted else {
        return Ok(None);
    };
    let remaining = live_count(&tx, connection.user_id)?;
    tx.commit()
        .or_unexpected("committing a deleted connection")?;
    Ok(Some((connection, remaining)))
}

impl SqliteStore {
    /// Forgets every stored connection, for a server starting on the data of
    /// an earlier run (its sockets died with it). Returns how many there
    /// were. Nobody is announced offline: nobody can be listening yet.
    /// Blocking: call it at startup.
    pub fn forget_connections(&self) -> StoreResult<usize> {
        self.lock()
            .execute("DELETE FROM connections", [])
            .or_unexpected("forgetting the previous run's connections")
    }
}

/// One range query per distinct user, under that user's index key.
pub(crate) fn connections_of(
    db: &Db,
    users: &[UserId],
    now: Timestamp,
) -> StoreResult<Vec<Connection>> {
    let distinct: BTreeSet<UserId> = users.iter().copied().collect();
    let mut statement = db
        .prepare_cached(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections
             WHERE user_id = ?1 AND expires_at > ?2 ORDER BY id"
        ))
        .or_unexpected("preparing to read connections")?;
    let mut live = Vec::new();
    for user in distinct {
        let rows = statement
            .query_map(params![user.0, now.millis()], rows::connection)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .or_unexpected("reading a user's connections")?;
        live.extend(rows);
    }
    Ok(live)
}

/// How many live connections the user holds now (0 for no user).
fn live_count(db: &Db, user: Option<UserId>) -> StoreResult<usize> {
    let Some(user) = user else {
        return Ok(0);
    };
    db.prepare_cached("SELECT COUNT(*) FROM connections WHERE user_id = ?1 AND expires_at > ?2")
        .and_then(|mut statement| {
            statement.query_row(params![user.0, Timestamp::now().millis()], |row| row.get(0))
        })
        .or_unexpected("counting a user's live connections")
}

#[async_trait]
impl ConnectionStore for SqliteStore {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize> {
        let connection = connection.clone();
        self.call(move |db| put_connection(db, &connection)).await
    }

    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize> {
        let id = id.clone();
        self.call(move |db| bind_connection(db, &id, user, scope))
            .await
    }

    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>> {
        let id = id.clone();
        self.call(move |db| connection(db, &id)).await
    }

    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>> {
        let id = id.clone();
        self.call(move |db| delete_connection(db, &id)).await
    }

    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>> {
        let users = users.to_vec();
        self.call(move |db| connections_of(db, &users, now)).await
    }
}
