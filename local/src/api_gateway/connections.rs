//! The live WebSocket connections and the Management API's operations on
//! them (post, get, delete), shared by the HTTP endpoint and `LocalPush`.
//!
//! A connection is registered *before* its `$connect` handler runs, in the
//! `Connecting` phase, where API Gateway answers 410 to posts. Once
//! `$connect` returns 2xx it is `Open`: posts are queued on an unbounded
//! channel that the socket task drains, so nothing posted before the
//! socket task runs is lost.

use crate::api_gateway::faults::{Faults, PostFault};
use banter_core::domain::limits::MAX_PUSH_BYTES;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;
use tokio::sync::mpsc;

/// What the socket task is asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Outbound {
    Text(String),
    Binary(Vec<u8>),
    /// `DELETE /@connections/{id}`: close from the server side.
    Close,
    /// Injected fault: the client vanished; drop the socket without a close.
    Vanish,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManagementError {
    /// 410: unknown, closed, or its `$connect` has not returned yet.
    #[error("connection gone")]
    Gone,
    /// 413: over 128 KB.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 429, injected (see `Faults`).
    #[error("too many requests")]
    Throttled,
    /// 500, injected (see `Faults`).
    #[error("internal server error")]
    ServerError,
}

/// What `GET /@connections/{id}` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub connected_at: SystemTime,
    pub last_active_at: SystemTime,
    pub source_ip: String,
    pub user_agent: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connecting,
    Open,
    /// Closed from the server side; the socket task is finishing.
    Closing,
}

struct Entry {
    phase: Phase,
    outbox: mpsc::UnboundedSender<Outbound>,
    info: ConnectionInfo,
}

#[derive(Default)]
pub struct Connections {
    // A std mutex: it is never held across an await.
    entries: Mutex<HashMap<String, Entry>>,
    faults: Faults,
}

impl Connections {
    pub fn new() -> Self {
        Self::default()
    }

    /// With injected Management API faults (see `Faults`).
    pub fn with_faults(faults: Faults) -> Self {
        Self {
            faults,
            ..Self::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding this lock cannot leave the map half-updated
        // (every operation is a single insert/update/remove), so poisoning
        // is safe to ignore.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a connection whose `$connect` is about to run. Returns the
    /// receiving end of its outbox, for the socket task.
    pub fn register(
        &self,
        id: &str,
        source_ip: String,
        user_agent: Option<String>,
    ) -> mpsc::UnboundedReceiver<Outbound> {
        let (outbox, inbox) = mpsc::unbounded_channel();
        let now = SystemTime::now();
        let info = ConnectionInfo {
            connected_at: now,
            last_active_at: now,
            source_ip,
            user_agent,
        };
        self.lock().insert(
            id.to_owned(),
            Entry {
                phase: Phase::Connecting,
                outbox,
                info,
            },
        );
        inbox
    }

    /// `$connect` returned 2xx: posts are accepted from now on.
    pub fn open(&self, id: &str) {
        if let Some(entry) = self.lock().get_mut(id) {
            entry.phase = Phase::Open;
        }
    }

    /// Forgets a connection. Returns whether it was still known, so exactly
    /// one caller goes on to deliver `$disconnect`.
    pub fn remove(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    /// Client activity (a data frame), for `LastActiveAt`.
    pub fn touch(&self, id: &str) {
        if let Some(entry) = self.lock().get_mut(id) {
            entry.info.last_active_at = SystemTime::now();
        }
    }

    /// `POST /@connections/{id}`: one frame to the client.
    pub fn post(&self, id: &str, payload: &[u8]) -> Result<(), ManagementError> {
        if payload.len() > MAX_PUSH_BYTES {
            return Err(ManagementError::PayloadTooLarge);
        }
        let frame = match std::str::from_utf8(payload) {
            Ok(text) => Outbound::Text(text.to_owned()),
            Err(_) => Outbound::Binary(payload.to_vec()),
        };
        let entries = self.lock();
        let entry = entries.get(id).filter(|e| e.phase == Phase::Open);
        let entry = entry.ok_or(ManagementError::Gone)?;
        match self.faults.on_post() {
            None => entry.outbox.send(frame).map_err(|_| ManagementError::Gone),
            Some(PostFault::Vanished) => {
                let _ = entry.outbox.send(Outbound::Vanish);
                Err(ManagementError::Gone)
            }
            Some(PostFault::Throttled) => Err(ManagementError::Throttled),
            Some(PostFault::ServerError) => Err(ManagementError::ServerError),
        }
    }

    /// `GET /@connections/{id}`.
    pub fn info(&self, id: &str) -> Result<ConnectionInfo, ManagementError> {
        let entries = self.lock();
        let entry = entries.get(id).filter(|e| e.phase == Phase::Open);
        entry.map(|e| e.info.clone()).ok_or(ManagementError::Gone)
    }

    /// `DELETE /@connections/{id}`: the socket task closes it and delivers
    /// `$disconnect`; from now on it is gone to the Management API.
    pub fn close(&self, id: &str) -> Result<(), ManagementError> {
        let mut entries = self.lock();
        let entry = entries.get_mut(id).filter(|e| e.phase == Phase::Open);
        let entry = entry.ok_or(ManagementError::Gone)?;
        entry.phase = Phase::Closing;
        entry
            .outbox
            .send(Outbound::Close)
            .map_err(|_| ManagementError::Gone)
    }

    /// Ids of every connection past `$connect`.
    pub fn open_ids(&self) -> Vec<String> {
        let entries = self.lock();
        entries
            .iter()
            .filter(|(_, e)| e.phase == Phase::Open)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_a_connecting_connection_then_posts_are_gone_until_it_opens() {
        let connections = Connections::new();
        let mut inbox = connections.register("c1", "127.0.0.1".into(), None);
        assert_eq!(connections.post("c1", b"early"), Err(ManagementError::Gone));
        assert_eq!(connections.info("c1"), Err(ManagementError::Gone));
        connections.open("c1");
        assert_eq!(connections.post("c1", b"hello"), Ok(()));
        assert_eq!(inbox.try_recv().ok(), Some(Outbound::Text("hello".into())));
    }

    #[test]
    fn given_an_oversized_or_unknown_target_then_post_fails_with_the_right_error() {
        let connections = Connections::new();
        let _inbox = connections.register("c1", "127.0.0.1".into(), None);
        connections.open("c1");
        let big = vec![b'x'; MAX_PUSH_BYTES + 1];
        assert_eq!(
            connections.post("c1", &big),
            Err(ManagementError::PayloadTooLarge)
        );
        assert_eq!(connections.post("c1", &big[..MAX_PUSH_BYTES]), Ok(()));
        assert_eq!(connections.post("nope", b"x"), Err(ManagementError::Gone));
    }

    #[test]
    fn given_a_deleted_connection_then_it_is_gone_and_removal_happens_once() {
        let connections = Connections::new();
        let mut inbox = connections.register("c1", "127.0.0.1".into(), None);
        connections.open("c1");
        assert_eq!(connections.close("c1"), Ok(()));
        assert_eq!(inbox.try_recv().ok(), Some(Outbound::Close));
        assert_eq!(connections.post("c1", b"x"), Err(ManagementError::Gone));
        assert_eq!(connections.close("c1"), Err(ManagementError::Gone));
        assert!(connections.remove("c1"));
        assert!(!connections.remove("c1"));
    }
}
