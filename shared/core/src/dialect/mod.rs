//! Wire dialects: pure codecs between one client API's frames and the
//! protocol's commands, replies and events. A connection records its
//! dialect at `$connect`; [`of`] gives the codec for it. Each dialect is one
//! implementation of [`Dialect`], in its own file. Dialects never touch
//! storage or AWS.

pub mod conversations;
pub mod events;
mod frames;
pub mod native;
pub mod notifications;
pub mod pair;
pub mod rooms;
#[cfg(test)]
pub(crate) mod test_fixtures;

use crate::domain::connection::{DialectKind, DialectState};
use crate::domain::limits::MAX_PUSH_BYTES;
use crate::domain::{Connection, Event};
use crate::protocol::{Command, ErrorCode, EventEncoder, Greeting, Recipient, Reply};
use std::collections::BTreeMap;

/// One client API's wire format and connection rules.
pub trait Dialect: Sync {
    /// How a connection with this `$connect` query is opened, or why it
    /// cannot be.
    fn connect_plan(&self, query: &ConnectQuery) -> Result<ConnectPlan, String>;

    fn decode(&self, connection: &Connection, frame: &str) -> Result<Request, Rejection>;

    /// The frames answering a request; none when the dialect stays silent.
    fn encode_reply(
        &self,
        connection: &Connection,
        request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String>;

    /// The frames telling `recipient` about `event`; none when this dialect
    /// has no way to say it.
    fn encode_event(
        &self,
        connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String>;

    /// What the socket is sent right after it opens, if anything.
    fn greeting(&self) -> Option<Greeting> {
        None
    }

    /// Whether clients expect the socket closed after an internal error
    /// (the rooms dialect: "the connection will be closed").
    fn closes_on_internal_error(&self) -> bool {
        false
    }

    /// Whether events carry the recipient's total unread count.
    fn needs_total_unread(&self) -> bool {
        false
    }

    /// Like `encode_reply`, shrinking the reply until every frame can be pushed.
    fn encode_reply_to_fit(
        &self,
        connection: &Connection,
        request_id: Option<&str>,
        mut reply: Reply,
    ) -> Vec<String> {
        loop {
            let frames = self.encode_reply(connection, request_id, &reply);
            if frames.iter().all(|f| f.len() <= MAX_PUSH_BYTES) || !reply.shrink() {
                return frames;
            }
        }
    }
}

/// The codec for connections of `kind`.
pub fn of(kind: DialectKind) -> &'static dyn Dialect {
    match kind {
        DialectKind::Native => &native::Native,
        DialectKind::Pair => &pair::Pair,
        DialectKind::Rooms => &rooms::Rooms,
        DialectKind::Events => &events::Events,
        DialectKind::Conversations => &conversations::Conversations,
        DialectKind::Notifications => &notifications::Notifications,
    }
}

/// Every dialect, as the service's event encoder.
pub struct Dialects;

impl EventEncoder for Dialects {
    fn encode_event(
        &self,
        connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        of(connection.dialect).encode_event(connection, recipient, event)
    }

    fn needs_total_unread(&self, kind: DialectKind) -> bool {
        of(kind).needs_total_unread()
    }
}

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
pub type ConnectQuery = BTreeMap<String, String>;

/// How a dialect's connection is opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectPlan {
    pub auth: ConnectAuth,
    pub target: ConnectTarget,
    /// What the dialect keeps per connection.
    pub dialect_state: DialectState,
}

impl ConnectPlan {
    /// Authenticated by `?token=`, hearing every room of the user.
    pub(crate) fn query_token(target: ConnectTarget) -> Self {
        Self {
            auth: ConnectAuth::QueryToken,
            target,
            dialect_state: DialectState::None,
        }
    }

    /// Authenticated by the first frame, hearing every room of the user.
    pub(crate) fn first_frame() -> Self {
        Self {
            auth: ConnectAuth::FirstFrame,
            target: ConnectTarget::AllRooms,
            dialect_state: DialectState::None,
        }
    }
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
    /// One conversation by its name in the conversations dialect
    /// (`alice_bob`, `1_2_3`).
    Conversation(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Message, MessageId, RoomId, Scope, Timestamp, UserId};
    use crate::protocol::HistoryPage;

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
        let frame = of(DialectKind::Native)
            .encode_reply_to_fit(&connection, Some("r"), reply)
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
