//! The one membership check every room access goes through.

use super::{ChatError, ChatResult, Services};
use crate::domain::{Membership, RoomId, UserId};

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
}
