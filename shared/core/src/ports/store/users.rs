//! Users: accounts and their unique usernames.

use super::StoreResult;
use crate::domain::{Timestamp, User, UserId, UserRecord, Username};
use async_trait::async_trait;

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Allocates the next user id and stores the user, unless the username
    /// is taken (`StoreError::Conflict("username")`).
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>>;
    /// Batch get; unknown ids are left out; order is not significant.
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;
}
