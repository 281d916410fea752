//! The commands a WebSocket frame can carry, whatever its dialect, and the
//! replies they produce. Dialects decode frames into `Command`s and encode
//! `Reply`s; this file runs them.

use super::messages::{Draft, HistoryPage, ReadState, Sent};
use super::{ChatError, ErrorCode, Services};
use crate::domain::{MessageId, RoomId, RoomSummary, UserId};
use crate::ports::HistoryQuery;

#[derive(Clone, Debug)]
pub enum Command {
    Send {
        room_id: RoomId,
        draft: Draft,
    },
    Typing {
        room_id: RoomId,
        typing: bool,
    },
    MarkRead {
        room_id: RoomId,
        up_to: Option<MessageId>,
    },
    History {
        room_id: RoomId,
        query: HistoryQuery,
    },
    ListRooms,
    Ping,
}

#[derive(Clone, Debug)]
pub enum Reply {
    Sent(Sent),
    /// Done, nothing to return (typing).
    Done,
    Read(ReadState),
    History {
        room_id: RoomId,
        page: HistoryPage,
    },
    Rooms(Vec<RoomSummary>),
    Pong,
    Error {
        code: ErrorCode,
        message: String,
    },
}

impl Reply {
    pub fn error(e: &ChatError) -> Self {
        Self::Error {
            code: e.code(),
            message: e.client_message(),
        }
    }

    /// Makes the reply smaller, for a frame over the push limit. Only a
    /// history page can shrink (the client pages on from what it got).
    pub fn shrink(&mut self) -> bool {
        match self {
            Self::History { page, .. } => page.halve(),
            _ => false,
        }
    }
}

impl Services {
    /// Runs one command for `me`. Failures become an error reply: the
    /// connection stays up and nothing stored is touched.
    pub async fn execute(&self, me: UserId, command: Command) -> Reply {
        let result = match command {
            Command::Send { room_id, draft } => {
                self.send(me, room_id, draft).await.map(Reply::Sent)
            }
            Command::Typing { room_id, typing } => self
                .set_typing(me, room_id, typing)
                .await
                .map(|()| Reply::Done),
            Command::MarkRead { room_id, up_to } => {
                self.mark_read(me, room_id, up_to).await.map(Reply::Read)
            }
            Command::History { room_id, query } => self
                .history(me, room_id, query)
                .await
                .map(|page| Reply::History { room_id, page }),
            Command::ListRooms => self.list_rooms(me).await.map(Reply::Rooms),
            Command::Ping => Ok(Reply::Pong),
        };
        result.unwrap_or_else(|e| {
            e.log("websocket command");
            Reply::error(&e)
        })
    }
}
