//! Domain events: what happened, before any dialect decides how to say it.

use super::{ConnectionId, Message, MessageId, RoomId, RoomKind, Timestamp, User, UserId};
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
        /// The connection the message was sent from, if any: some dialects
        /// answer it with an acknowledgement instead of the message itself.
        origin: Option<ConnectionId>,
    },
    /// A member started or stopped typing. `expires_at` says when a client
    /// should treat a start as stopped if no stop or refresh arrives.
    Typing {
        room_id: RoomId,
        /// DM-only dialects say nothing about typing in groups.
        room_kind: RoomKind,
        user: User,
        typing: bool,
        expires_at: Option<Timestamp>,
    },
    /// A user came online (first connection) or went offline (last one gone).
    /// `room_ids` are the user's rooms: a socket scoped to one room hears
    /// only about that room's members.
    Presence {
        user: User,
        online: bool,
        room_ids: Vec<RoomId>,
    },
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

/// Which rooms an event concerns, for filtering by a connection's scope.
pub enum EventRooms<'a> {
    One(RoomId),
    Any(&'a [RoomId]),
}

impl Event {
    pub fn rooms(&self) -> EventRooms<'_> {
        match self {
            Self::MessageCreated { room, .. } | Self::MemberAdded { room, .. } => {
                EventRooms::One(room.id)
            }
            Self::Typing { room_id, .. }
            | Self::ReadState { room_id, .. }
            | Self::MemberRemoved { room_id, .. } => EventRooms::One(*room_id),
            Self::Presence { room_ids, .. } => EventRooms::Any(room_ids),
        }
    }
}
