//! Live WebSocket connections and each user's live count (presence).

use super::StoreResult;
use crate::domain::{Connection, ConnectionId, Scope, Timestamp, UserId};
use async_trait::async_trait;

#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Stores a connection and returns how many live connections its user
    /// holds now, this one included (0 for a connection with no user yet).
    /// Reads are consistent so presence flips are seen exactly once.
    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize>;
    /// Gives a not-yet-authenticated connection its user and scope.
    /// Returns the user's live connection count afterwards.
    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize>;
    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>>;
    /// Deletes a connection. Returns it and its user's remaining live count
    /// if it existed; `None` if it was already gone (deletes are idempotent).
    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>>;
    /// The live connections of these users: one query per user, so the cost
    /// follows the room, never the number of connections overall.
    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>>;
}
