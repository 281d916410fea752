//! What running a command produces, for a dialect to encode.

use super::error::ChatError;
use super::error::ErrorCode;
use super::pages::{HistoryPage, SyncPage};
use crate::domain::{Message, MessageId, RoomId, RoomSummary, User};

/// The DM a pair-chat connection is bound to, with its conversation token.
#[derive(Clone, Debug)]
pub struct DmSession {
    pub room_id: RoomId,
    pub peer: User,
    pub peer_online: bool,
    pub conversation_token: String,
}

#[derive(Clone, Debug)]
pub enum Reply {
    Authenticated {
        user: User,
        dm: Option<DmSession>,
    },
    Sent(Sent),
    /// Done, nothing to return (typing).
    Done,
    Read(ReadState),
    /// The user's unread count over all rooms (after a mark-all-read).
    UnreadTotal(u64),
    History {
        room_id: RoomId,
        page: HistoryPage,
    },
    Rooms(Vec<RoomSummary>),
    Sync(SyncPage),
    Pong,
    /// What a room-scoped socket gets right after it opens.
    Welcome {
        room_id: RoomId,
        online: Vec<User>,
        page: HistoryPage,
    },
    Error {
        code: ErrorCode,
        message: String,
        retry_after_ms: Option<u64>,
    },
}

impl Reply {
    pub fn error(e: &ChatError) -> Self {
        Self::Error {
            code: e.code(),
            message: e.client_message(),
            retry_after_ms: e.retry_after_ms(),
        }
    }

    /// Makes the reply smaller, for a frame over the push limit. Only a
    /// history page can shrink (the client pages on from what it got).
    pub fn shrink(&mut self) -> bool {
        match self {
            Self::History { page, .. } | Self::Welcome { page, .. } => page.halve(),
            Self::Sync(page) => page.halve(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Sent {
    pub message: Message,
    /// True when the client message id was seen before: nothing new was stored.
    pub duplicate: bool,
}

/// A member's read state in a room after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadState {
    pub room_id: RoomId,
    pub unread_count: u64,
    pub last_read_id: Option<MessageId>,
}
