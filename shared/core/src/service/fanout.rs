//! Fan-out: one event to every live connection of the given users, each
//! frame encoded in its connection's dialect, pushed with bounded
//! concurrency. The cost is O(audience): connections are looked up per
//! user, never by scanning all connections.

use super::Services;
use crate::dialect::{self, Recipient};
use crate::domain::event::EventRooms;
use crate::domain::{Connection, Event, Timestamp, UserId};
use crate::ports::PushError;
use futures::StreamExt;
use std::collections::BTreeMap;

impl Services {
    /// Delivers `event`, then announces anyone whose last connection turned
    /// out to be gone (410) as offline.
    pub(crate) async fn deliver(&self, users: &[UserId], event: &Event) {
        for user in self.deliver_once(users, event).await {
            if let Err(e) = self.announce_presence(user, false).await {
                e.log("announce offline after 410");
            }
        }
    }

    /// Delivers `event` and returns the users who went offline because a
    /// push found their last connection gone.
    pub(crate) async fn deliver_once(&self, users: &[UserId], event: &Event) -> Vec<UserId> {
        let connections = match self.store.connections_of(users, Timestamp::now()).await {
            Ok(connections) => connections,
            Err(e) => {
                tracing::error!(error = ?e, "fan-out: looking up connections");
                return Vec::new();
            }
        };
        let connections: Vec<Connection> = connections
            .into_iter()
            .filter(|c| c.user_id.is_some() && wants(c, event))
            .collect();
        let totals = self.totals_for(&connections).await;
        let frames = connections.into_iter().flat_map(|connection| {
            let recipient = Recipient {
                user_id: connection.user_id.unwrap_or(UserId(0)),
                total_unread: connection.user_id.and_then(|u| totals.get(&u).copied()),
            };
            dialect::encode_event(&connection, &recipient, event)
                .into_iter()
                .map(move |frame| (connection.clone(), frame))
        });
        let gone: Vec<Option<UserId>> = futures::stream::iter(frames)
            .map(|(connection, frame)| async move { self.push_frame(&connection, &frame).await })
            .buffer_unordered(self.config.fanout_concurrency.max(1))
            .collect()
            .await;
        let mut gone: Vec<UserId> = gone.into_iter().flatten().collect();
        gone.sort_unstable();
        gone.dedup();
        gone
    }

    /// Total unread counts, only for users with a connection whose dialect
    /// shows them (one room-list read per such user, never for the others).
    async fn totals_for(&self, connections: &[Connection]) -> BTreeMap<UserId, u64> {
        let mut totals = BTreeMap::new();
        for connection in connections {
            let Some(user) = connection.user_id else {
                continue;
            };
            if !dialect::needs_total_unread(connection.dialect) || totals.contains_key(&user) {
                continue;
            }
            match self.total_unread(user).await {
                Ok(total) => {
                    totals.insert(user, total);
                }
                Err(e) => e.log("fan-out: total unread"),
            }
        }
        totals
    }

    /// Pushes one frame. On 410 the stale connection (never the sender's
    /// live one) is deleted; returns its user if that was their last.
    pub async fn push_frame(&self, connection: &Connection, frame: &str) -> Option<UserId> {
        match self.push.post(&connection.id, frame).await {
            Ok(()) => None,
            Err(PushError::Gone) => match self.store.delete_connection(&connection.id).await {
                Ok(Some((gone, 0))) => gone.user_id,
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(connection = %connection.id, error = ?e, "deleting a gone connection");
                    None
                }
            },
            Err(PushError::PayloadTooLarge) => {
                tracing::warn!(connection = %connection.id, bytes = frame.len(), "frame over 128 KB not pushed");
                None
            }
            Err(PushError::Unexpected(e)) => {
                tracing::warn!(connection = %connection.id, error = ?e, "push failed");
                None
            }
        }
    }
}

/// Whether the connection's scope covers the event's rooms.
fn wants(connection: &Connection, event: &Event) -> bool {
    match event.rooms() {
        EventRooms::One(room) => connection.scope.covers(room),
        EventRooms::Any(rooms) => connection.scope.covers_any(rooms),
    }
}
