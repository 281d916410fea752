//! Wire dialects: pure codecs between one client API's frames and the core's
//! commands, replies and events. A connection records its dialect at
//! `$connect`; every frame to or from it goes through the match below.
//! Dialects never touch storage or AWS.

pub mod native;

use crate::domain::connection::DialectKind;
use crate::domain::{Connection, Event, UserId};
use crate::service::ErrorCode;
use crate::service::commands::{Command, Reply};

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
            },
        )
    }
}

pub fn decode(connection: &Connection, frame: &str) -> Result<Request, Rejection> {
    match connection.dialect {
        DialectKind::Native => native::decode(frame),
    }
}

/// The frame answering a request, or `None` when the dialect stays silent.
pub fn encode_reply(
    connection: &Connection,
    request_id: Option<&str>,
    reply: &Reply,
) -> Option<String> {
    match connection.dialect {
        DialectKind::Native => native::encode_reply(request_id, reply),
    }
}

/// API Gateway refuses to push more than 128 KB to a connection (413).
pub const MAX_PUSH_BYTES: usize = 128 * 1024;

/// Like `encode_reply`, shrinking the reply until its frame can be pushed.
pub fn encode_reply_to_fit(
    connection: &Connection,
    request_id: Option<&str>,
    mut reply: Reply,
) -> Option<String> {
    loop {
        let frame = encode_reply(connection, request_id, &reply)?;
        if frame.len() <= MAX_PUSH_BYTES || !reply.shrink() {
            return Some(frame);
        }
    }
}

/// The frame telling `recipient` about `event`, or `None` when this
/// dialect has no way to say it.
pub fn encode_event(connection: &Connection, recipient: UserId, event: &Event) -> Option<String> {
    match connection.dialect {
        DialectKind::Native => native::encode_event(recipient, event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ConnectionId, Message, MessageId, RoomId, Scope, Timestamp};
    use crate::service::messages::HistoryPage;

    #[test]
    fn an_oversized_history_reply_is_halved_until_it_can_be_pushed() {
        let connection = Connection {
            id: ConnectionId("c".into()),
            dialect: DialectKind::Native,
            user_id: Some(UserId(1)),
            scope: Scope::AllRooms,
            connected_at: Timestamp(0),
            expires_at: Timestamp(1),
            dialect_state: String::new(),
        };
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
            has_more: false,
            backwards: true,
        };
        let reply = Reply::History {
            room_id: RoomId(1),
            page,
        };
        let frame = encode_reply_to_fit(&connection, Some("r"), reply).unwrap_or_default();
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
