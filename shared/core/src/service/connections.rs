//! Live connections and presence: a user is online while they hold at
//! least one live connection, on any device and in any dialect.

use super::Services;
use crate::domain::{Connection, ConnectionId, Event, RoomId, Scope, UserId};
use crate::protocol::ChatResult;
use std::collections::BTreeSet;

impl Services {
    /// Records a connection; its user's first one announces them online.
    /// Presence is best effort: failing to announce it does not refuse the
    /// socket (a refused `$connect` would leave its record behind, "online"
    /// until the TTL, since no `$disconnect` follows a refusal).
    pub async fn connect(&self, connection: &Connection) -> ChatResult<()> {
        let live = self.store.put_connection(connection).await?;
        if let Some(user) = connection.user_id
            && live == 1
            && let Err(e) = self.announce_presence(user, true).await
        {
            e.log("announcing a new connection's user online");
        }
        Ok(())
    }

    /// Gives a connection that authenticated in its first frame its user.
    pub async fn bind(&self, id: &ConnectionId, user: UserId, scope: Scope) -> ChatResult<()> {
        let live = self.store.bind_connection(id, user, scope).await?;
        if live == 1 {
            self.announce_presence(user, true).await?;
        }
        Ok(())
    }

    /// Forgets a connection; its user's last one announces them offline.
    /// The connection a frame came from, if it is still known.
    pub async fn connection(&self, id: &ConnectionId) -> ChatResult<Option<Connection>> {
        Ok(self.store.connection(id).await?)
    }

    /// Closes a socket from the server side (its `$disconnect` follows).
    pub async fn close(&self, id: &ConnectionId) -> ChatResult<()> {
        self.push
            .close(id)
            .await
            .map_err(|e| anyhow::anyhow!("closing {id}: {e:?}").into())
    }

    /// Idempotent: `$disconnect` after a 410 clean-up does nothing twice.
    pub async fn disconnect(&self, id: &ConnectionId) -> ChatResult<Option<Connection>> {
        match self.store.delete_connection(id).await? {
            Some((connection, remaining)) => {
                if let Some(user) = connection.user_id
                    && remaining == 0
                {
                    self.announce_presence(user, false).await?;
                }
                Ok(Some(connection))
            }
            None => Ok(None),
        }
    }

    /// Which of these users are online now.
    pub async fn online_among(&self, users: &[UserId]) -> ChatResult<BTreeSet<UserId>> {
        let now = crate::domain::Timestamp::now();
        Ok(self
            .store
            .connections_of(users, now)
            .await?
            .into_iter()
            .filter_map(|c| c.user_id)
            .collect())
    }

    /// Announces a user's presence to everyone sharing a room with them.
    pub(crate) async fn announce_presence(&self, user: UserId, online: bool) -> ChatResult<()> {
        let room_ids: Vec<RoomId> = self
            .store
            .memberships_of(user)
            .await?
            .into_iter()
            .map(|m| m.room_id)
            .collect();
        let mut audience = BTreeSet::new();
        for room in &room_ids {
            audience.extend(self.member_ids(*room).await?);
        }
        audience.remove(&user);
        if audience.is_empty() {
            return Ok(());
        }
        let audience: Vec<UserId> = audience.into_iter().collect();
        let user = self.user(user).await?;
        let event = Event::Presence {
            user,
            online,
            room_ids,
        };
        // Offline users found while announcing are not announced in turn:
        // that would cascade; $disconnect or the TTL covers them.
        let _ = self
            .deliver_once(&audience, std::slice::from_ref(&event))
            .await;
        Ok(())
    }
}
