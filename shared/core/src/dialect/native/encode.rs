//! Replies and events → native frames, each frame a typed value: the shapes
//! docs/protocol/asyncapi.yaml documents are these types, and the docs test
//! holds every one of them to its schema.

use super::wire::{WireMessage, WireRoom, WireSyncRoom, WireUser};
use crate::domain::event::RoomRef;
use crate::domain::{Event, MessageId, RoomId, RoomKind, UserId};
use crate::protocol::{ErrorCode, Reply};
use serde::Serialize;

/// Every frame the server sends, tagged by `type`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame<'a> {
    Sent {
        message: WireMessage<'a>,
        duplicate: bool,
    },
    Ok,
    Read {
        room_id: RoomId,
        unread_count: u64,
        last_read_id: Option<MessageId>,
    },
    History {
        room_id: RoomId,
        messages: Vec<WireMessage<'a>>,
        has_more: bool,
    },
    Rooms {
        rooms: Vec<WireRoom<'a>>,
    },
    Sync {
        rooms: Vec<WireSyncRoom<'a>>,
        has_more: bool,
    },
    Pong,
    Error {
        code: ErrorCode,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Message {
        message: WireMessage<'a>,
        sender: WireUser<'a>,
        unread_count: u64,
    },
    Typing {
        room_id: RoomId,
        user: WireUser<'a>,
        typing: bool,
        /// Milliseconds since the epoch; null when typing stopped.
        expires_at: Option<i64>,
    },
    Presence {
        user: WireUser<'a>,
        online: bool,
    },
    MemberAdded {
        room: WireRoomRef<'a>,
        user_ids: &'a [UserId],
        added_by: UserId,
    },
    MemberRemoved {
        room_id: RoomId,
        user_id: UserId,
        removed_by: UserId,
    },
}

/// The room a `member_added` is about, as its new members first see it.
#[derive(Serialize)]
pub struct WireRoomRef<'a> {
    id: RoomId,
    kind: RoomKind,
    name: Option<&'a str>,
    member_ids: &'a [UserId],
}

impl<'a> From<&'a RoomRef> for WireRoomRef<'a> {
    fn from(room: &'a RoomRef) -> Self {
        Self {
            id: room.id,
            kind: room.kind,
            name: room.name.as_deref(),
            member_ids: &room.member_ids,
        }
    }
}

/// A frame answering a request, with the client's `request_id` if it gave one.
#[derive(Serialize)]
struct Answer<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

/// The frame answering `reply`; none when the native client expects none.
pub fn reply_frame<'a>(request_id: Option<&str>, reply: &'a Reply) -> Option<Frame<'a>> {
    let frame = match reply {
        Reply::Sent(sent) => Frame::Sent {
            message: WireMessage::from(&sent.message),
            duplicate: sent.duplicate,
        },
        // Acknowledged only when the client asked to correlate.
        Reply::Done => {
            request_id?;
            Frame::Ok
        }
        Reply::Read(state) => {
            request_id?;
            Frame::Read {
                room_id: state.room_id,
                unread_count: state.unread_count,
                last_read_id: state.last_read_id,
            }
        }
        Reply::History { room_id, page } => Frame::History {
            room_id: *room_id,
            messages: page.messages.iter().map(WireMessage::from).collect(),
            has_more: page.has_more,
        },
        Reply::Rooms(rooms) => Frame::Rooms {
            rooms: rooms.iter().map(WireRoom::from).collect(),
        },
        Reply::Sync(page) => Frame::Sync {
            rooms: page.rooms.iter().map(WireSyncRoom::from).collect(),
            has_more: page.has_more,
        },
        Reply::Pong => Frame::Pong,
        // Native sockets authenticate on the URL and are not greeted.
        Reply::Authenticated { .. } | Reply::UnreadTotal(_) | Reply::Welcome { .. } => return None,
        Reply::Error {
            code,
            message,
            retry_after_ms,
        } => Frame::Error {
            code: *code,
            message,
            retry_after_ms: *retry_after_ms,
        },
    };
    Some(frame)
}

/// What `recipient` hears of `event`.
pub fn event_frame(recipient: UserId, event: &Event) -> Frame<'_> {
    match event {
        Event::MessageCreated {
            message,
            sender,
            unread_counts,
            ..
        } => Frame::Message {
            message: WireMessage::from(message),
            sender: WireUser::from(sender),
            unread_count: unread_counts
                .iter()
                .find(|(user, _)| *user == recipient)
                .map_or(0, |(_, n)| *n),
        },
        Event::Typing {
            room_id,
            user,
            typing,
            expires_at,
            ..
        } => Frame::Typing {
            room_id: *room_id,
            user: WireUser::from(user),
            typing: *typing,
            expires_at: expires_at.map(|t| t.millis()),
        },
        Event::Presence { user, online, .. } => Frame::Presence {
            user: WireUser::from(user),
            online: *online,
        },
        Event::ReadState {
            room_id,
            unread_count,
            last_read_id,
        } => Frame::Read {
            room_id: *room_id,
            unread_count: *unread_count,
            last_read_id: *last_read_id,
        },
        Event::MemberAdded {
            room,
            user_ids,
            added_by,
        } => Frame::MemberAdded {
            room: WireRoomRef::from(room),
            user_ids,
            added_by: *added_by,
        },
        Event::MemberRemoved {
            room_id,
            user_id,
            removed_by,
        } => Frame::MemberRemoved {
            room_id: *room_id,
            user_id: *user_id,
            removed_by: *removed_by,
        },
    }
}

pub fn encode_reply(request_id: Option<&str>, reply: &Reply) -> Option<String> {
    let frame = reply_frame(request_id, reply)?;
    serde_json::to_string(&Answer { frame, request_id }).ok()
}

pub fn encode_event(recipient: UserId, event: &Event) -> Option<String> {
    serde_json::to_string(&event_frame(recipient, event)).ok()
}
