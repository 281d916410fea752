//! Rooms (a DM or a group) and memberships.

use super::{Message, MessageId, RoomId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    /// Exactly two members, one room per pair, found or created.
    Dm,
    /// A name and a member list that can change.
    Group,
}

/// A room as stored. Counters are kept here rather than counted: `message_count`
/// is the sequence number of the newest message (unread = count - read_seq),
/// and `last_message` serves room lists without a query per room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: RoomId,
    pub kind: RoomKind,
    pub name: Option<String>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub message_count: u64,
    pub last_message: Option<Message>,
}

/// The canonical key of a DM between two users: the smaller id first.
pub fn dm_pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// One user's place in one room, with their read state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub room_id: RoomId,
    pub user_id: UserId,
    pub joined_at: Timestamp,
    /// Sequence number of the newest message this member has read.
    pub read_seq: u64,
    /// Id of the newest message this member has read, if any.
    pub last_read_id: Option<MessageId>,
    /// Ephemeral: until when this member shows as typing. Never history;
    /// a start expires by itself, a stop or a sent message clears it.
    pub typing_until: Option<Timestamp>,
}

impl Membership {
    /// `user` joining `room` at `now`: caught up, having read everything
    /// the room holds so far, and not typing. Every store adds members so.
    pub fn joining(room: &Room, user: UserId, now: Timestamp) -> Self {
        Self {
            room_id: room.id,
            user_id: user,
            joined_at: now,
            read_seq: room.message_count,
            last_read_id: room.last_message.as_ref().map(|message| message.id),
            typing_until: None,
        }
    }

    pub fn is_typing(&self, now: Timestamp) -> bool {
        self.typing_until.is_some_and(|until| until > now)
    }
}

/// A room as one member sees it in their room list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub room: Room,
    pub membership: Membership,
    pub member_ids: Vec<UserId>,
}

impl RoomSummary {
    pub fn unread_count(&self) -> u64 {
        self.room
            .message_count
            .saturating_sub(self.membership.read_seq)
    }
}
