//! Runs one decoded command for one connection.

use super::Services;
use crate::domain::{Connection, UserId};
use crate::protocol::{ChatError, ChatResult, ErrorCode};
use crate::protocol::{Command, Reply};

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
