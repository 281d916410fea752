//! Wire dialects: pure codecs between one client API's frames and the core's
//! commands, replies and events. A connection records its dialect at
//! `$connect`; every frame to or from it goes through the matches below.
//! Dialects never touch storage or AWS.

pub mod conversations;
pub mod events;
mod frames;
pub mod native;
pub mod pair;
pub mod rooms;
#[cfg(test)]
pub(crate) mod test_fixtures;

use crate::domain::connection::DialectKind;
use crate::domain::{Connection, Event, UserId};
use crate::service::ErrorCode;
use crate::service::commands::{Command, Reply};
use std::collections::BTreeMap;

/// A decoded frame: the command and the client's id for correlating replies.
#[derive(Clone, Debug)]
pub struct Request {
    pub request_id: Option<String>,
    pub command: Command,
}

/// A frame that could not be decoded, with what to tell the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub request_id: Option<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl Rejection {
    pub fn new(request_id: Option<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            request_id,
            code,
            message: message.into(),
        }
    }

    pub fn into_reply(self) -> (Option<String>, Reply) {
        (
            self.request_id,
            Reply::Error {
                code: self.code,
                message: self.message,
                retry_after_ms: None,
            },
        )
    }
}

/// The `$connect` query string (first value of each parameter).
pub type Query = BTreeMap<String, String>;

/// How a dialect's connection is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectPlan {
    pub auth: ConnectAuth,
    pub target: ConnectTarget,
    /// Opaque per-connection state the dialect wants kept (JSON or empty).
    pub dialect_state: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectAuth {
    /// `?token=` on the URL; the handshake is refused (401) without it.
    QueryToken,
    /// The first frame carries the token; until then the socket hears nothing.
    FirstFrame,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectTarget {
    AllRooms,
    Notifications,
    /// One conversation by its seed-003 name (`alice_bob`, `1_2_3`).
    Conversation(String),
}

/// Who an event is being encoded for, with what some dialects add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    /// The recipient's unread count over all rooms, for dialects that show
    /// it (`needs_total_unread`); `None` otherwise.
    pub total_unread: Option<u64>,
}

/// The dialect's connect plan for this query, or why it cannot connect.
pub fn connect_plan(kind: DialectKind, query: &Query) -> Result<ConnectPlan, String> {
    match kind {
        DialectKind::Native => Ok(ConnectPlan {
            auth: ConnectAuth::QueryToken,
            target: ConnectTarget::AllRooms,
            dialect_state: String::new(),
        }),
        DialectKind::Pair => pair::connect_plan(query),
        DialectKind::Rooms | DialectKind::Events => Ok(ConnectPlan {
            auth: ConnectAuth::FirstFrame,
            target: ConnectTarget::AllRooms,
            dialect_state: String::new(),
        }),
        DialectKind::Conversations => conversations::connect_plan(query),
        DialectKind::Notifications => Ok(ConnectPlan {
            auth: ConnectAuth::QueryToken,
            target: ConnectTarget::Notifications,
            dialect_state: String::new(),
        }),
    }
}

pub fn decode(connection: &Connection, frame: &str) -> Result<Request, Rejection> {
    match connection.dialect {
        DialectKind::Native => native::decode(frame),
        DialectKind::Pair => pair::decode(connection, frame),
        DialectKind::Rooms => rooms::decode(connection, frame),
        DialectKind::Events => events::decode(connection, frame),
        DialectKind::Conversations | DialectKind::Notifications => {
            conversations::decode(connection, frame)
        }
    }
}

/// The frames answering a request; none when the dialect stays silent.
pub fn encode_reply(
    connection: &Connection,
    request_id: Option<&str>,
    reply: &Reply,
) -> Vec<String> {
    match connection.dialect {
        DialectKind::Native => native::encode_reply(request_id, reply)
            .into_iter()
            .collect(),
        DialectKind::Pair => pair::encode_reply(connection, reply),
        DialectKind::Rooms => rooms::encode_reply(connection, reply),
        DialectKind::Events => events::encode_reply(connection, reply),
        DialectKind::Conversations | DialectKind::Notifications => {
            conversations::encode_reply(connection, reply)
        }
    }
}

/// API Gateway refuses to push more than 128 KB to a connection (413).
pub const MAX_PUSH_BYTES: usize = 128 * 1024;

/// Like `encode_reply`, shrinking the reply until every frame can be pushed.
pub fn encode_reply_to_fit(
    connection: &Connection,
    request_id: Option<&str>,
    mut reply: Reply,
) -> Vec<String> {
    loop {
        let frames = encode_reply(connection, request_id, &reply);
        if frames.iter().all(|f| f.len() <= MAX_PUSH_BYTES) || !reply.shrink() {
            return frames;
        }
    }
}

/// The frames telling `recipient` about `event`; none when this dialect has
/// no way to say it.
pub fn encode_event(connection: &Connection, recipient: &Recipient, event: &Event) -> Vec<String> {
    match connection.dialect {
        DialectKind::Native => native::encode_event(recipient.user_id, event)
            .into_iter()
            .collect(),
        DialectKind::Pair => pair::encode_event(connection, recipient, event),
        DialectKind::Rooms => rooms::encode_event(connection, recipient, event),
        DialectKind::Events => events::encode_event(connection, recipient, event),
        DialectKind::Conversations | DialectKind::Notifications => {
            conversations::encode_event(connection, recipient, event)
        }
    }
}

/// Whether this dialect's clients expect the socket closed after an
/// internal error (seed 001: "the connection will be closed").
pub fn closes_on_internal_error(kind: DialectKind) -> bool {
    kind == DialectKind::Rooms
}

/// Whether this dialect's events carry the recipient's total unread count.
pub fn needs_total_unread(kind: DialectKind) -> bool {
    kind == DialectKind::Notifications
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Message, MessageId, RoomId, Scope, Timestamp};
    use crate::service::messages::HistoryPage;

    #[test]
    fn an_oversized_history_reply_is_halved_until_it_can_be_pushed() {
        let connection =
            test_fixtures::connection("c", DialectKind::Native, Some(1), Scope::AllRooms);
        let messages: Vec<Message> = (1..=100)
            .map(|id| Message {
                id: MessageId(id),
                room_id: RoomId(1),
                seq: id,
                sender_id: UserId(1),
                sent_at: Timestamp(0),
                text: "é".repeat(4_000),
                file: None,
                client_message_id: None,
            })
            .collect();
        let page = HistoryPage {
            messages,
            members: Vec::new(),
            has_more: false,
            backwards: true,
        };
        let reply = Reply::History {
            room_id: RoomId(1),
            page,
        };
        let frame = encode_reply_to_fit(&connection, Some("r"), reply)
            .pop()
            .unwrap_or_default();
        assert!(frame.len() <= MAX_PUSH_BYTES, "{} bytes", frame.len());
        let value: serde_json::Value = serde_json::from_str(&frame).unwrap_or_default();
        assert_eq!(value["has_more"], true);
        let kept = value["messages"].as_array().map_or(0, Vec::len);
        assert!(kept >= 10, "kept only {kept}");
        assert_eq!(
            value["messages"][kept - 1]["id"],
            100,
            "the newest are kept when paging back"
        );
    }
}
