//! Users: ids from a counter, usernames unique by index.

use crate::counters::{Counter, next_id};
use crate::error::{OrUnexpected, conflict_or_unexpected};
use crate::rows::{self, USER_COLUMNS};
use banter_core::domain::{Timestamp, User, UserId, UserRecord, Username};
use banter_core::ports::store::StoreResult;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;

pub(crate) fn create_user(
    db: &mut Connection,
    username: &Username,
    display_name: &str,
    password_hash: &str,
    now: Timestamp,
) -> StoreResult<User> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to create a user")?;
    let user = User {
        id: UserId(next_id(&tx, Counter::User)?),
        username: username.clone(),
        display_name: display_name.to_owned(),
        created_at: now,
    };
    tx.execute(
        "INSERT INTO users (id, username, display_name, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            user.id.0,
            user.username.as_str(),
            user.display_name,
            password_hash,
            user.created_at.millis()
        ],
    )
    .map_err(|error| conflict_or_unexpected(error, "username", "inserting a user"))?;
    tx.commit().or_unexpected("committing a new user")?;
    Ok(user)
}

pub(crate) fn user_by_id(db: &Connection, id: UserId) -> StoreResult<Option<UserRecord>> {
    db.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))
        .and_then(|mut statement| statement.query_row([id.0], rows::user_record).optional())
        .or_unexpected("reading a user by id")
}

pub(crate) fn user_by_username(
    db: &Connection,
    username: &Username,
) -> StoreResult<Option<UserRecord>> {
    db.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?1"
    ))
    .and_then(|mut statement| {
        statement
            .query_row([username.as_str()], rows::user_record)
            .optional()
    })
    .or_unexpected("reading a user by username")
}

/// One key lookup per distinct id, like a DynamoDB batch get.
pub(crate) fn users(db: &Connection, ids: &[UserId]) -> StoreResult<Vec<User>> {
    let distinct: BTreeSet<UserId> = ids.iter().copied().collect();
    let mut found = Vec::with_capacity(distinct.len());
    for id in distinct {
        if let Some(record) = user_by_id(db, id)? {
            found.push(record.user);
        }
    }
    Ok(found)
}
