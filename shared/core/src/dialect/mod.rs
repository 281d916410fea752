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

/// The frame telling `recipient` about `event`, or `None` when this
/// dialect has no way to say it.
pub fn encode_event(connection: &Connection, recipient: UserId, event: &Event) -> Option<String> {
    match connection.dialect {
        DialectKind::Native => native::encode_event(recipient, event),
    }
}
