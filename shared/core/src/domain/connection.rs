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
    /// Pair chat with conversation tokens (docs/protocol/pair.md).
    Pair,
    /// Rooms with a CONNECTED handshake (docs/protocol/rooms.md).
    Rooms,
    /// Event channels (docs/protocol/events.md).
    Events,
    /// One conversation's socket (docs/protocol/conversations.md).
    Conversations,
    /// The unread-count socket of the conversations API (docs/protocol/conversations.md).
    Notifications,
}

impl DialectKind {
    pub const ALL: [Self; 6] = [
        Self::Native,
        Self::Pair,
        Self::Rooms,
        Self::Events,
        Self::Conversations,
        Self::Notifications,
    ];

    /// The name clients give as `?dialect=` (and stores keep).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Pair => "pair",
            Self::Rooms => "rooms",
            Self::Events => "events",
            Self::Conversations => "conversations",
            Self::Notifications => "notifications",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
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

    /// Whether an event about any of `rooms` should reach this connection.
    pub fn covers_any(self, rooms: &[RoomId]) -> bool {
        rooms.iter().any(|room| self.covers(*room))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// What the dialect keeps for this connection.
    pub dialect_state: DialectState,
}

impl Connection {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}

/// What a dialect keeps per connection, beyond what every connection has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DialectState {
    #[default]
    None,
    /// Pair chat: the two ids of the `/chat/{user_id}/{opponent_id}` path,
    /// which `fetch-token` must repeat.
    PairPath {
        user_id: UserId,
        opponent_id: UserId,
    },
}

/// How stores keep a `DialectState`: empty for none, else a small JSON object.
#[derive(Serialize, Deserialize)]
struct PairPathText {
    user_id: UserId,
    opponent_id: UserId,
}

impl DialectState {
    pub fn to_text(self) -> String {
        match self {
            Self::None => String::new(),
            Self::PairPath {
                user_id,
                opponent_id,
            } => serde_json::to_string(&PairPathText {
                user_id,
                opponent_id,
            })
            .unwrap_or_default(),
        }
    }

    /// Reads what `to_text` wrote.
    pub fn from_text(text: &str) -> Result<Self, serde_json::Error> {
        if text.is_empty() {
            return Ok(Self::None);
        }
        let path: PairPathText = serde_json::from_str(text)?;
        Ok(Self::PairPath {
            user_id: path.user_id,
            opponent_id: path.opponent_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_state_survives_its_stored_text() {
        for state in [
            DialectState::None,
            DialectState::PairPath {
                user_id: UserId(1),
                opponent_id: UserId(2),
            },
        ] {
            assert_eq!(DialectState::from_text(&state.to_text()).ok(), Some(state));
        }
        assert!(DialectState::from_text("{").is_err());
    }
}
