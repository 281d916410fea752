//! Rooms and their members: DMs (one per pair), groups, memberships and
//! the typing deadline kept on a membership.

use super::StoreResult;
use crate::domain::{Membership, Room, RoomId, Timestamp, UserId};
use async_trait::async_trait;

#[async_trait]
pub trait RoomStore: Send + Sync {
    /// The DM of these two distinct users, created with both as members on
    /// first use. Returns the room and whether it was created now.
    async fn find_or_create_dm(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Room, bool)>;
    /// The DM of these two users, if it exists.
    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>>;
    /// A new group with these members (the creator among them).
    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room>;
    /// The group known by `key` (unique), created on first use with these
    /// members. Returns the room and whether it was created now. Serves
    /// the conversations API's `1_2_3` names: the group of exactly those users.
    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)>;
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    /// Batch get; unknown ids are left out.
    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>>;
    /// Adds a member whose read state starts at the room's newest message.
    /// Returns false if already a member.
    async fn add_member(&self, room: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Returns false if the user was not a member.
    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool>;
    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>>;
    /// Every member of one room (one partition).
    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>>;
    /// Every room membership of one user (an index by user).
    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>>;

    /// Sets (or with `None` clears) a member's ephemeral typing deadline.
    async fn set_typing(
        &self,
        room: RoomId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<()>;
}
