//! Domain events: what happened, before any dialect decides how to say it.

use super::{Message, MessageId, RoomId, RoomKind, Timestamp, User, UserId};
use serde::{Deserialize, Serialize};

/// Enough about a room for any dialect to describe an event in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRef {
    pub id: RoomId,
    pub kind: RoomKind,
    pub name: Option<String>,
    pub member_ids: Vec<UserId>,
}

// Events are built once per fan-out and borrowed; boxing the big variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// A message was stored in a room. `unread_counts` holds each member's
    /// unread count in the room right after it, so no dialect has to ask.
    MessageCreated {
        message: Message,
        sender: User,
        room: RoomRef,
        unread_counts: Vec<(UserId, u64)>,
    },
    /// A member started or stopped typing. `expires_at` says when a client
    /// should treat a start as stopped if no stop or refresh arrives.
    Typing {
        room_id: RoomId,
        user: User,
        typing: bool,
        expires_at: Option<Timestamp>,
    },
    /// A user came online (first connection) or went offline (last one gone).
    Presence { user: User, online: bool },
    /// The receiving user's read state in a room changed.
    ReadState {
        room_id: RoomId,
        unread_count: u64,
        last_read_id: Option<MessageId>,
    },
    /// Users joined a room: a group was created, or gained members.
    MemberAdded {
        room: RoomRef,
        user_ids: Vec<UserId>,
        added_by: UserId,
    },
    /// A user left or was removed from a group.
    MemberRemoved {
        room_id: RoomId,
        user_id: UserId,
        removed_by: UserId,
    },
}

impl Event {
    /// The room the event is about, if it is about one.
    pub fn room_id(&self) -> Option<RoomId> {
        match self {
            Self::MessageCreated { room, .. } | Self::MemberAdded { room, .. } => Some(room.id),
            Self::Typing { room_id, .. }
            | Self::ReadState { room_id, .. }
            | Self::MemberRemoved { room_id, .. } => Some(*room_id),
            Self::Presence { .. } => None,
        }
    }
}
