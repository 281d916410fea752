//! The unread-count socket of the conversations dialect
//! (docs/protocol/conversations.md): opened with `?token=`, it hears about
//! new messages in every room of the user, keeps a total unread count, and
//! takes one frame, `read_messages`, which marks everything read. Frames
//! share their shapes with the conversation socket (`conversations.rs`).

use super::conversations::{encode_notification, encode_reply};
use super::frames;
use super::{ConnectPlan, ConnectQuery, ConnectTarget, Dialect, Rejection, Request};
use crate::domain::{Connection, Event};
use crate::protocol::{Command, ErrorCode, Greeting, Recipient, Reply};
use serde::Deserialize;

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
}

pub struct Notifications;

impl Dialect for Notifications {
    fn connect_plan(&self, _query: &ConnectQuery) -> Result<ConnectPlan, String> {
        Ok(ConnectPlan::query_token(ConnectTarget::Notifications))
    }

    fn decode(&self, _connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        let head: Head = frames::head(frame, "a frame is a JSON object with a \"type\"")?;
        match head.kind.as_str() {
            // A notification socket's read covers every conversation of the user.
            "read_messages" => Ok(Request {
                request_id: None,
                command: Command::MarkAllRead,
            }),
            other => Err(Rejection::new(
                None,
                ErrorCode::UnknownAction,
                format!("unknown type {other:?}; a notification socket takes read_messages"),
            )),
        }
    }

    fn encode_reply(
        &self,
        _connection: &Connection,
        _request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String> {
        encode_reply(reply)
    }

    fn encode_event(
        &self,
        _connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        encode_notification(recipient, event)
    }

    fn greeting(&self) -> Option<Greeting> {
        Some(Greeting::UnreadTotal)
    }

    fn needs_total_unread(&self) -> bool {
        true
    }
}
