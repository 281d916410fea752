//! Fan-out: one event to every live connection of the given users, each
//! frame encoded in its connection's dialect, pushed with bounded
//! concurrency. The cost is O(audience): connections are looked up per
//! user, never by scanning all connections.

use super::Services;
use crate::dialect;
use crate::domain::{Connection, Event, Timestamp, UserId};
use crate::ports::PushError;
use futures::StreamExt;

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
        let room = event.room_id();
        let frames = connections.into_iter().filter_map(|connection| {
            let recipient = connection.user_id?;
            if room.is_some_and(|room| !connection.scope.covers(room)) {
                return None;
            }
            let frame = dialect::encode_event(&connection, recipient, event)?;
            Some((connection, frame))
        });
        let gone: Vec<Option<UserId>> = futures::stream::iter(frames)
            .map(|(connection, frame)| async move { self.push_frame(&connection, &frame).await })
            .buffer_unordered(self.config.fanout_concurrency.max(1))
            .collect()
            .await;
        gone.into_iter().flatten().collect()
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
