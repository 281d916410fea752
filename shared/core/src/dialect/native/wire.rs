//! The native JSON shapes of domain values, shared by WebSocket frames and
//! the REST API so both say a message the same way.

use crate::domain::{FileAttachment, Message, RoomSummary, User};
use crate::protocol::SyncRoom;
use serde::Serialize;

#[derive(Serialize)]
pub struct WireUser<'a> {
    pub id: u64,
    pub username: &'a str,
    pub display_name: &'a str,
}

impl<'a> From<&'a User> for WireUser<'a> {
    fn from(u: &'a User) -> Self {
        Self {
            id: u.id.0,
            username: u.username.as_str(),
            display_name: &u.display_name,
        }
    }
}

#[derive(Serialize)]
pub struct WireFile<'a> {
    pub file_id: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: u64,
}

impl<'a> From<&'a FileAttachment> for WireFile<'a> {
    fn from(f: &'a FileAttachment) -> Self {
        Self {
            file_id: &f.file_id,
            name: &f.name,
            content_type: &f.content_type,
            size: f.size,
        }
    }
}

#[derive(Serialize)]
pub struct WireMessage<'a> {
    pub id: u64,
    pub room_id: u64,
    pub seq: u64,
    pub sender_id: u64,
    /// Milliseconds since the Unix epoch, server time.
    pub sent_at: i64,
    pub text: &'a str,
    pub file: Option<WireFile<'a>>,
    pub client_message_id: Option<&'a str>,
}

impl<'a> From<&'a Message> for WireMessage<'a> {
    fn from(m: &'a Message) -> Self {
        Self {
            id: m.id.0,
            room_id: m.room_id.0,
            seq: m.seq,
            sender_id: m.sender_id.0,
            sent_at: m.sent_at.millis(),
            text: &m.text,
            file: m.file.as_ref().map(WireFile::from),
            client_message_id: m.client_message_id.as_deref(),
        }
    }
}

/// A room as its member sees it.
#[derive(Serialize)]
pub struct WireRoom<'a> {
    pub id: u64,
    pub kind: crate::domain::RoomKind,
    pub name: Option<&'a str>,
    pub created_by: u64,
    pub created_at: i64,
    pub member_ids: Vec<u64>,
    pub message_count: u64,
    pub last_message: Option<WireMessage<'a>>,
    pub unread_count: u64,
    pub last_read_id: Option<u64>,
}

impl<'a> From<&'a RoomSummary> for WireRoom<'a> {
    fn from(s: &'a RoomSummary) -> Self {
        Self {
            id: s.room.id.0,
            kind: s.room.kind,
            name: s.room.name.as_deref(),
            created_by: s.room.created_by.0,
            created_at: s.room.created_at.millis(),
            member_ids: s.member_ids.iter().map(|id| id.0).collect(),
            message_count: s.room.message_count,
            last_message: s.room.last_message.as_ref().map(WireMessage::from),
            unread_count: s.unread_count(),
            last_read_id: s.membership.last_read_id.map(|id| id.0),
        }
    }
}

/// One room's part of a `sync` answer.
#[derive(Serialize)]
pub struct WireSyncRoom<'a> {
    pub room_id: u64,
    pub messages: Vec<WireMessage<'a>>,
    pub has_more: bool,
    pub unread_count: u64,
    pub last_read_id: Option<u64>,
}

impl<'a> From<&'a SyncRoom> for WireSyncRoom<'a> {
    fn from(r: &'a SyncRoom) -> Self {
        Self {
            room_id: r.room_id.0,
            messages: r.messages.iter().map(WireMessage::from).collect(),
            has_more: r.has_more,
            unread_count: r.unread_count,
            last_read_id: r.last_read_id.map(|id| id.0),
        }
    }
}
