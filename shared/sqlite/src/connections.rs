//! Live connections, keyed by id with an index by user. "Live" means
//! `expires_at > now`; live counts read that index for one user, now by the
//! store's clock.

use crate::error::OrUnexpected;
use crate::rows::{self, CONNECTION_COLUMNS, scope_columns};
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp, UserId};
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

/// Forgets every connection: they all died with the process that held them.
/// Returns how many there were. Nobody is announced offline: nobody can be
/// listening yet.
pub(crate) fn forget_all(db: &Db) -> StoreResult<usize> {
    db.execute("DELETE FROM connections", [])
        .or_unexpected("forgetting the previous run's connections")
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
