//! Users: ids from a counter, usernames unique by index.

use crate::counters::{Counter, next_id};
use crate::error::{OrUnexpected, conflict_or_unexpected};
use crate::rows::{self, USER_COLUMNS};
use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::{Timestamp, User, UserId, UserRecord, Username};
use banter_core::ports::UserStore;
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

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User> {
        let (username, display_name, password_hash) = (
            username.clone(),
            display_name.to_owned(),
            password_hash.to_owned(),
        );
        self.call(move |db| create_user(db, &username, &display_name, &password_hash, now))
            .await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        self.call(move |db| user_by_id(db, id)).await
    }

    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        let username = username.clone();
        self.call(move |db| user_by_username(db, &username)).await
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let ids = ids.to_vec();
        self.call(move |db| users(db, &ids)).await
    }
}
