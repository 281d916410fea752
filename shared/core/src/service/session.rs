//! Per-connection state shared by the dialects: first-frame authentication,
//! conversation tokens, which room a command means, and the welcome a
//! room-scoped socket gets right after it opens.

use super::Services;
use crate::domain::limits::DEFAULT_PAGE;
use crate::domain::{Connection, RoomId, Scope, Timestamp, UserId};
use crate::ports::HistoryQuery;
use crate::protocol::{AuthExpect, DmSession, Greeting, Reply, RoomTarget};
use crate::protocol::{ChatError, ChatResult, ErrorCode};

impl Services {
    /// Binds a not-yet-authenticated connection to the token's user.
    pub(crate) async fn authenticate_connection(
        &self,
        connection: &Connection,
        token: &str,
        expect: AuthExpect,
    ) -> ChatResult<Reply> {
        let user = self.authenticate(token)?;
        if expect.user.is_some_and(|claimed| claimed != user) {
            return Err(ChatError::new(
                ErrorCode::Unauthorized,
                "the token is not for that user",
            ));
        }
        let scope = match expect.dm_with {
            Some(peer) => Scope::Room(self.open_dm(user, peer).await?.0.room.id),
            None => connection.scope,
        };
        self.bind(&connection.id, user, scope).await?;
        let bound = Connection {
            user_id: Some(user),
            scope,
            ..connection.clone()
        };
        self.authenticated_reply(&bound, user, expect).await
    }

    pub(crate) async fn authenticated_reply(
        &self,
        connection: &Connection,
        me: UserId,
        expect: AuthExpect,
    ) -> ChatResult<Reply> {
        let user = self.user(me).await?;
        let dm = match (expect.dm_with, connection.scope) {
            (Some(peer), Scope::Room(room_id)) => {
                let peer = self.user(peer).await?;
                let peer_online = self.online_among(&[peer.id]).await?.contains(&peer.id);
                let conversation_token =
                    self.tokens
                        .issue_conversation(me, room_id, Timestamp::now())?;
                Some(DmSession {
                    room_id,
                    peer,
                    peer_online,
                    conversation_token,
                })
            }
            _ => None,
        };
        Ok(Reply::Authenticated { user, dm })
    }

    /// A conversation token must be for this user and the connection's room.
    pub(crate) fn check_conversation_token(
        &self,
        connection: &Connection,
        me: UserId,
        token: &str,
    ) -> ChatResult<()> {
        let invalid = || {
            ChatError::new(
                ErrorCode::ConversationTokenInvalid,
                "the conversation token is invalid, expired or for another conversation",
            )
        };
        let (user, room) = self
            .tokens
            .verify_conversation(token)
            .map_err(|_| invalid())?;
        match connection.scope {
            Scope::Room(scoped) if user == me && room == scoped => Ok(()),
            _ => Err(invalid()),
        }
    }

    /// The room a command means; a DM must already exist.
    pub(crate) async fn resolve(
        &self,
        connection: &Connection,
        me: UserId,
        target: RoomTarget,
    ) -> ChatResult<RoomId> {
        match target {
            RoomTarget::Id(room) => Ok(room),
            RoomTarget::Scoped => scoped_room(connection),
            RoomTarget::DmWith(peer) => self
                .store
                .find_dm(me, peer)
                .await?
                .map(|room| room.id)
                .ok_or_else(|| ChatError::not_found("conversation")),
        }
    }

    /// Like `resolve`, but a first message to someone opens the DM.
    pub(crate) async fn resolve_for_send(
        &self,
        connection: &Connection,
        me: UserId,
        target: RoomTarget,
    ) -> ChatResult<RoomId> {
        match target {
            RoomTarget::DmWith(peer) => Ok(self.open_dm(me, peer).await?.0.room.id),
            other => self.resolve(connection, me, other).await,
        }
    }

    /// What a connection gets right after `$connect` returns, for dialects
    /// that greet: API Gateway cannot post to a connection before then, so
    /// this runs from a separate invocation (see docs/architecture.md).
    pub async fn welcome(
        &self,
        connection: &Connection,
        greeting: Greeting,
    ) -> ChatResult<Option<Reply>> {
        let Some(me) = connection.user_id else {
            return Ok(None);
        };
        match greeting {
            Greeting::RoomWelcome => {
                let room_id = scoped_room(connection)?;
                let members = self.member_ids(room_id).await?;
                let online_ids = self.online_among(&members).await?;
                let online_ids: Vec<UserId> = online_ids.into_iter().collect();
                let online = self.store.users(&online_ids).await?;
                let page = self
                    .history(
                        me,
                        room_id,
                        HistoryQuery::Latest {
                            limit: DEFAULT_PAGE,
                        },
                    )
                    .await?;
                Ok(Some(Reply::Welcome {
                    room_id,
                    online,
                    page,
                }))
            }
            Greeting::UnreadTotal => Ok(Some(Reply::UnreadTotal(self.total_unread(me).await?))),
        }
    }
}

fn scoped_room(connection: &Connection) -> ChatResult<RoomId> {
    match connection.scope {
        Scope::Room(room) => Ok(room),
        _ => Err(ChatError::invalid(
            "this connection is not opened for one room",
        )),
    }
}
