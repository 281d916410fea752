//! Fan-out: events to every live connection of the given users, each
//! frame encoded in its connection's dialect, pushed with bounded
//! concurrency and in order per connection. The cost is O(audience):
//! connections are looked up per user, never by scanning all connections.

use super::Services;
use super::push_retry::Pushed;
use crate::domain::event::EventRooms;
use crate::domain::{Connection, Event, Timestamp, UserId};
use crate::protocol::Recipient;
use futures::StreamExt;
use std::collections::BTreeMap;

impl Services {
    /// Delivers `event`, then announces anyone whose last connection turned
    /// out to be gone (410) as offline.
    pub(crate) async fn deliver(&self, users: &[UserId], event: &Event) {
        self.deliver_all(users, std::slice::from_ref(event)).await;
    }

    /// Delivers `events` in order, then announces the newly offline.
    pub(crate) async fn deliver_all(&self, users: &[UserId], events: &[Event]) {
        for user in self.deliver_once(users, events).await {
            if let Err(e) = self.announce_presence(user, false).await {
                e.log("announce offline after 410");
            }
        }
    }

    /// Delivers `events` and returns the users who went offline because a
    /// push found their last connection gone. Each connection gets its
    /// frames one after another, in the order of `events`; connections are
    /// served concurrently (bounded), so a slow one delays only itself.
    pub(crate) async fn deliver_once(&self, users: &[UserId], events: &[Event]) -> Vec<UserId> {
        let connections = match self.store.connections_of(users, Timestamp::now()).await {
            Ok(connections) => connections,
            Err(e) => {
                tracing::error!(error = ?e, "fan-out: looking up connections");
                return Vec::new();
            }
        };
        // Unauthenticated connections hear nothing.
        let connections: Vec<(Connection, UserId)> = connections
            .into_iter()
            .filter(|c| events.iter().any(|e| wants(c, e)))
            .filter_map(|c| c.user_id.map(|user| (c, user)))
            .collect();
        let totals = self.totals_for(&connections).await;
        let lanes = connections.into_iter().map(|(connection, user_id)| {
            let recipient = Recipient {
                user_id,
                total_unread: totals.get(&user_id).copied(),
            };
            let frames: Vec<String> = events
                .iter()
                .filter(|event| wants(&connection, event))
                .flat_map(|event| self.encoder.encode_event(&connection, &recipient, event))
                .collect();
            (connection, frames)
        });
        let gone: Vec<Option<UserId>> = futures::stream::iter(lanes)
            .map(|(connection, frames)| async move { self.push_lane(&connection, &frames).await })
            .buffer_unordered(self.config.fanout_concurrency.max(1))
            .collect()
            .await;
        let mut gone: Vec<UserId> = gone.into_iter().flatten().collect();
        gone.sort_unstable();
        gone.dedup();
        gone
    }

    /// One connection's frames, in order; stops at the first that cannot be
    /// delivered, so no frame overtakes an earlier one.
    async fn push_lane(&self, connection: &Connection, frames: &[String]) -> Option<UserId> {
        for frame in frames {
            match self.push_frame(connection, frame).await {
                Pushed::Delivered => {}
                Pushed::Skipped => return None,
                Pushed::Gone(last) => return last,
            }
        }
        None
    }

    /// Total unread counts, only for users with a connection whose dialect
    /// shows them (one room-list read per such user, never for the others).
    async fn totals_for(&self, connections: &[(Connection, UserId)]) -> BTreeMap<UserId, u64> {
        let mut totals = BTreeMap::new();
        for (connection, user) in connections {
            let user = *user;
            if !self.encoder.needs_total_unread(connection.dialect) || totals.contains_key(&user) {
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
}

/// Whether the connection's scope covers the event's rooms.
fn wants(connection: &Connection, event: &Event) -> bool {
    match event.rooms() {
        EventRooms::One(room) => connection.scope.covers(room),
        EventRooms::Any(rooms) => connection.scope.covers_any(rooms),
    }
}
