//! The commands a WebSocket frame can carry, whatever its dialect, and the
//! replies they produce. Dialects decode frames into `Command`s and encode
//! `Reply`s; this file runs them for one connection.

use super::messages::{Draft, HistoryPage, ReadState, Sent};
use super::sync::SyncPage;
use super::{ChatError, ChatResult, ErrorCode, Services};
use crate::domain::{Connection, MessageId, RoomId, RoomSummary, User, UserId};
use crate::ports::HistoryQuery;
use std::collections::BTreeMap;

/// Which room a command means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomTarget {
    Id(RoomId),
    /// The DM with this user (created on a first send).
    DmWith(UserId),
    /// The one room the connection was opened for (its scope).
    Scoped,
}

#[derive(Clone, Debug)]
pub enum Command {
    /// First-frame authentication, for dialects whose token is not on the URL.
    Authenticate {
        token: String,
        expect: AuthExpect,
    },
    Send {
        room: RoomTarget,
        draft: Draft,
    },
    Typing {
        room: RoomTarget,
        typing: bool,
    },
    MarkRead {
        room: RoomTarget,
        up_to: Option<MessageId>,
    },
    /// Marks every room of the user read (a notification socket's read).
    MarkAllRead,
    History {
        room: RoomTarget,
        query: HistoryQuery,
    },
    ListRooms,
    /// Everything missed since per-room cursors (after a reconnect).
    Sync {
        cursors: BTreeMap<RoomId, MessageId>,
        limit: usize,
    },
    Ping,
    /// Runs `command` only if `token` is a valid conversation token for this
    /// user and the connection's room.
    WithConversationToken {
        token: String,
        command: Box<Command>,
    },
}

/// What a first-frame authentication must also establish.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthExpect {
    /// The user the client claims to be: the token must speak for them.
    pub user: Option<UserId>,
    /// Open the DM with this user and scope the connection to it.
    pub dm_with: Option<UserId>,
}

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

impl Services {
    /// Runs one command on behalf of a connection. Failures become an error
    /// reply: the connection stays up and nothing stored is touched.
    pub async fn execute(&self, connection: &Connection, command: Command) -> Reply {
        let result = match connection.user_id {
            None => match command {
                Command::Authenticate { token, expect } => {
                    self.authenticate_connection(connection, &token, expect)
                        .await
                }
                _ => Err(ChatError::new(
                    ErrorCode::Unauthorized,
                    "authenticate first",
                )),
            },
            Some(me) => Box::pin(self.run(connection, me, command)).await,
        };
        result.unwrap_or_else(|e| {
            e.log("websocket command");
            Reply::error(&e)
        })
    }

    async fn run(
        &self,
        connection: &Connection,
        me: UserId,
        command: Command,
    ) -> ChatResult<Reply> {
        match command {
            Command::Authenticate { token, expect } => {
                // Re-authenticating as the same user is harmless; anyone else is refused.
                let user = self.authenticate(&token)?;
                if user != me {
                    return Err(ChatError::new(
                        ErrorCode::Unauthorized,
                        "already authenticated as another user",
                    ));
                }
                self.authenticated_reply(connection, me, expect).await
            }
            Command::Send { room, draft } => {
                let room_id = self.resolve_for_send(connection, me, room).await?;
                self.send_from(me, room_id, draft, Some(&connection.id))
                    .await
                    .map(Reply::Sent)
            }
            Command::Typing { room, typing } => {
                let room_id = self.resolve(connection, me, room).await?;
                self.set_typing(me, room_id, typing)
                    .await
                    .map(|()| Reply::Done)
            }
            Command::MarkRead { room, up_to } => {
                let room_id = self.resolve(connection, me, room).await?;
                self.mark_read(me, room_id, up_to).await.map(Reply::Read)
            }
            Command::MarkAllRead => {
                self.mark_all_read(me).await?;
                self.total_unread(me).await.map(Reply::UnreadTotal)
            }
            Command::History { room, query } => {
                let room_id = self.resolve(connection, me, room).await?;
                self.history(me, room_id, query)
                    .await
                    .map(|page| Reply::History { room_id, page })
            }
            Command::ListRooms => self.list_rooms(me).await.map(Reply::Rooms),
            Command::Sync { cursors, limit } => {
                self.sync(me, &cursors, limit).await.map(Reply::Sync)
            }
            Command::Ping => Ok(Reply::Pong),
            Command::WithConversationToken { token, command } => {
                self.check_conversation_token(connection, me, &token)?;
                Box::pin(self.run(connection, me, *command)).await
            }
        }
    }
}
