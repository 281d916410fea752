//! Shared by the dialect targets: one frame through one dialect's decoder,
//! on a connection that has authenticated and on one that has not.

use banter_core::dialect;
use banter_core::domain::connection::{DialectKind, DialectState};
use banter_core::domain::{Connection, ConnectionId, RoomId, Scope, Timestamp, UserId};

pub fn decode_as(dialect: DialectKind, data: &[u8]) {
    let Ok(frame) = std::str::from_utf8(data) else {
        return; // API Gateway hands text frames only as UTF-8
    };
    for user in [None, Some(UserId(7))] {
        let connection = Connection {
            id: ConnectionId("fuzz=".into()),
            dialect,
            user_id: user,
            scope: Scope::Room(RoomId(3)),
            connected_at: Timestamp(0),
            expires_at: Timestamp(i64::MAX),
            dialect_state: DialectState::PairPath {
                user_id: UserId(7),
                opponent_id: UserId(8),
            },
        };
        let _ = dialect::of(dialect).decode(&connection, frame);
    }
}
