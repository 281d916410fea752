//! What the dialects' unit tests share: a connection, decoding a frame one
//! expects to pass or to be refused (through [`super::decode`], so through
//! the connection's dialect), frames read back as JSON, a user, a message
//! and a recipient. Each test module adjusts them to its own seed.

use super::{Rejection, of};
use crate::domain::Event;
use crate::domain::connection::DialectKind;
use crate::domain::connection::DialectState;
use crate::domain::{
    Connection, ConnectionId, Message, MessageId, RoomId, Scope, Timestamp, User, UserId, Username,
};
use crate::protocol::Command;
use crate::protocol::ErrorCode;
use crate::protocol::Recipient;
use serde_json::Value;

/// A connection of `dialect`, authenticated as `user` if given.
pub(crate) fn connection(
    id: &str,
    dialect: DialectKind,
    user: Option<u64>,
    scope: Scope,
) -> Connection {
    Connection {
        id: ConnectionId(id.into()),
        dialect,
        user_id: user.map(UserId),
        scope,
        connected_at: Timestamp(0),
        expires_at: Timestamp(1),
        dialect_state: DialectState::None,
    }
}

/// The command `frame` decodes into; fails the test if it is refused.
pub(crate) fn command(connection: &Connection, frame: &str) -> Command {
    match of(connection.dialect).decode(connection, frame) {
        Ok(request) => request.command,
        Err(rejection) => panic!("{frame} was refused: {rejection:?}"),
    }
}

/// Why `frame` is refused; fails the test if it decodes.
pub(crate) fn refused(connection: &Connection, frame: &str) -> Rejection {
    match of(connection.dialect).decode(connection, frame) {
        Err(rejection) => rejection,
        Ok(request) => panic!("{frame} decoded into {request:?}"),
    }
}

/// [`refused`]'s code and message, checking it answers no request id.
pub(crate) fn rejected(connection: &Connection, frame: &str) -> (ErrorCode, String) {
    let rejection = refused(connection, frame);
    assert_eq!(rejection.request_id, None);
    (rejection.code, rejection.message)
}

/// Encoded frames, read back; fails the test on one that is not JSON.
pub(crate) fn json_frames(frames: impl AsRef<[String]>) -> Vec<Value> {
    frames
        .as_ref()
        .iter()
        .map(|f| serde_json::from_str(f).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect()
}

/// `user<id>`, shown as `User <id>`.
pub(crate) fn user(id: u64) -> User {
    User {
        id: UserId(id),
        username: Username::from_trusted(format!("user{id}")),
        display_name: format!("User {id}"),
        created_at: Timestamp(0),
    }
}

/// A text message in room 9, its sequence number being its id.
pub(crate) fn message(id: u64, sender: u64, text: &str) -> Message {
    Message {
        id: MessageId(id),
        room_id: RoomId(9),
        seq: id,
        sender_id: UserId(sender),
        sent_at: Timestamp(1_795_744_890_123),
        text: text.into(),
        file: None,
        client_message_id: None,
    }
}

pub(crate) fn recipient(user: u64, total_unread: Option<u64>) -> Recipient {
    Recipient {
        user_id: UserId(user),
        total_unread,
    }
}

/// What `connection`'s dialect says of `event` to `recipient`.
pub(crate) fn event_frames(
    connection: &Connection,
    recipient: &Recipient,
    event: &Event,
) -> Vec<String> {
    of(connection.dialect).encode_event(connection, recipient, event)
}
