//! The one membership check every room access goes through, and the room
//! lookup that must find its room.

use super::Services;
use crate::domain::{Membership, Room, RoomId, UserId};
use crate::protocol::{ChatError, ChatResult};

impl Services {
    /// The caller's membership, or NOT_FOUND for a room that does not exist
    /// and NOT_A_MEMBER for one they are not in.
    pub async fn require_member(&self, room: RoomId, user: UserId) -> ChatResult<Membership> {
        if let Some(membership) = self.store.membership(room, user).await? {
            return Ok(membership);
        }
        match self.store.room(room).await? {
            None => Err(ChatError::not_found("room")),
            Some(_) => Err(ChatError::not_a_member()),
        }
    }

    /// A room that must exist.
    pub(crate) async fn room_record(&self, room_id: RoomId) -> ChatResult<Room> {
        self.store
            .room(room_id)
            .await?
            .ok_or_else(|| ChatError::not_found("room"))
    }
}
