//! Live WebSocket connections. One user may hold many (one per device and
//! dialect); presence is "at least one live connection".

use super::{ConnectionId, RoomId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// Which wire dialect a connection speaks, chosen once at `$connect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialectKind {
    /// Banter's own protocol (docs/protocol/native.md).
    Native,
}

impl DialectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Native => "native",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "native" => Some(Self::Native),
            _ => None,
        }
    }
}

/// Which events a connection wants. Fan-out filters on it so a socket opened
/// for one conversation never sees another's traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "room_id", rename_all = "snake_case")]
pub enum Scope {
    /// Every room the user is in.
    AllRooms,
    /// Only this room.
    Room(RoomId),
    /// Only new-message notifications and unread counts, for every room.
    Notifications,
}

impl Scope {
    /// Whether an event about `room` should reach this connection.
    pub fn covers(self, room: RoomId) -> bool {
        match self {
            Self::AllRooms | Self::Notifications => true,
            Self::Room(only) => only == room,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: ConnectionId,
    pub dialect: DialectKind,
    /// `None` until the client authenticates, for dialects whose first frame
    /// carries the token. Unauthenticated connections receive no fan-out.
    pub user_id: Option<UserId>,
    pub scope: Scope,
    pub connected_at: Timestamp,
    /// When the store may forget it: a little past API Gateway's 2 h maximum.
    pub expires_at: Timestamp,
    /// Opaque per-connection state owned by the dialect (JSON text or empty).
    pub dialect_state: String,
}

impl Connection {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}
