//! Users: an id from the user counter, the username made unique by a
//! `USERNAME#name` item written in the same transaction as the user.

use crate::items::{FromItem, Item, ItemExt, ToAttributes, attr, from_items, n};
use crate::keys::{self, Counter};
use crate::retry::Backoff;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use banter_core::domain::{Timestamp, User, UserId, UserRecord, Username};
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;

pub(crate) async fn create_user(
    db: &DynamoStore,
    username: &Username,
    display_name: &str,
    password_hash: &str,
    now: Timestamp,
) -> StoreResult<User> {
    let doing = "creating a user";
    let record = UserRecord {
        user: User {
            id: UserId(db.next_id(Counter::User).await?),
            username: username.clone(),
            display_name: display_name.to_owned(),
            created_at: now,
        },
        password_hash: password_hash.to_owned(),
    };
    let id = record.user.id;
    let writes = [
        Write::put(
            keys::username(username.as_str()).with(Item::from([(attr::USER_ID.to_owned(), n(id))])),
        )
        .if_new(),
        Write::put(keys::user(id).with(record.to_attributes())).if_new(),
    ];
    let mut backoff = Backoff::new(doing);
    loop {
        match db.transact(&writes, doing).await? {
            Ok(()) => return Ok(record.user),
            Err(canceled) if canceled.condition_failed(0) => {
                return Err(StoreError::Conflict("username"));
            }
            Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

pub(crate) async fn user_by_id(db: &DynamoStore, id: UserId) -> StoreResult<Option<UserRecord>> {
    let doing = "reading a user by id";
    db.get(&keys::user(id), doing)
        .await?
        .map(|item| UserRecord::from_item(&item).context(doing))
        .transpose()
        .map_err(StoreError::from)
}

pub(crate) async fn user_by_username(
    db: &DynamoStore,
    username: &Username,
) -> StoreResult<Option<UserRecord>> {
    let doing = "reading a user by username";
    let Some(pointer) = db.get(&keys::username(username.as_str()), doing).await? else {
        return Ok(None);
    };
    let id = UserId(pointer.number(attr::USER_ID).context(doing)?);
    match user_by_id(db, id).await? {
        Some(record) => Ok(Some(record)),
        None => Err(StoreError::Unexpected(anyhow::anyhow!(
            "username {:?} points at missing user {id}",
            username.as_str()
        ))),
    }
}

pub(crate) async fn users(db: &DynamoStore, ids: &[UserId]) -> StoreResult<Vec<User>> {
    let doing = "batch getting users";
    let items = db
        .batch_get(ids.iter().map(|id| keys::user(*id)), doing)
        .await?;
    Ok(from_items(&items, "user").context(doing)?)
}
