//! Users: an id from the user counter, the username made unique by a
//! `USERNAME#name` item written in the same transaction as the user.

use crate::attr;
use crate::items::{FromItem, Item, ItemExt, ToAttributes, from_items, n};
use crate::keys::{self, Counter};
use crate::retry::Backoff;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use async_trait::async_trait;
use banter_core::domain::{Timestamp, User, UserId, UserRecord, Username};
use banter_core::ports::StoreError;
use banter_core::ports::UserStore;
use banter_core::ports::store::StoreResult;

#[async_trait]
impl UserStore for DynamoStore {
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User> {
        let doing = "creating a user";
        let record = UserRecord {
            user: User {
                id: UserId(self.next_id(Counter::User).await?),
                username: username.clone(),
                display_name: display_name.to_owned(),
                created_at: now,
            },
            password_hash: password_hash.to_owned(),
        };
        let id = record.user.id;
        let writes = [
            Write::put(
                keys::username(username.as_str())
                    .with(Item::from([(attr::USER_ID.to_owned(), n(id))])),
            )
            .if_new(),
            Write::put(keys::user(id).with(record.to_attributes())).if_new(),
        ];
        let mut backoff = Backoff::new(doing);
        loop {
            match self.transact(&writes, doing).await? {
                Ok(()) => return Ok(record.user),
                Err(canceled) if canceled.condition_failed(0) => {
                    return Err(StoreError::Conflict("username"));
                }
                Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        let doing = "reading a user by id";
        self.get(&keys::user(id), doing)
            .await?
            .map(|item| UserRecord::from_item(&item).context(doing))
            .transpose()
            .map_err(StoreError::from)
    }

    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        let doing = "reading a user by username";
        let Some(pointer) = self.get(&keys::username(username.as_str()), doing).await? else {
            return Ok(None);
        };
        let id = UserId(pointer.number(attr::USER_ID).context(doing)?);
        match self.user_by_id(id).await? {
            Some(record) => Ok(Some(record)),
            None => Err(StoreError::Unexpected(anyhow::anyhow!(
                "username {:?} points at missing user {id}",
                username.as_str()
            ))),
        }
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let doing = "batch getting users";
        let items = self
            .batch_get(ids.iter().map(|id| keys::user(*id)), doing)
            .await?;
        Ok(from_items(&items, "user").context(doing)?)
    }
}
