//! The conversations dialect (docs/protocol/conversations.md): two kinds of
//! socket, one codec.
//!
//! - A conversation socket (`DialectKind::Conversations`) is opened for one
//!   DM or group, named on the URL, and scoped to it: frames carry a `type`,
//!   messages go to the scoped room, and it hears that room only.
//! - A notification socket (`DialectKind::Notifications`) hears about new
//!   messages in every room of the user and keeps an unread count.
//!
//! The JSON shape of a message (`ChatMessage`) is shared with the REST
//! routes of the same seed (`banter-http-conversations`).

use super::frames;
use super::{ConnectPlan, ConnectQuery, ConnectTarget, Dialect, Rejection, Request};
use crate::domain::{Connection, Event, Message, RoomId, User, UserId};
use crate::protocol::{
    Command, Draft, ErrorCode, Greeting, HistoryPage, MemberState, Recipient, Reply, RoomTarget,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The frame types a conversation socket takes.
pub const CONVERSATION_TYPES: &[&str] = &["chat_message", "typing", "read_messages"];

/// `/ws/chat/{name}/?token=` arrives as `?conversation={name}&token=`.
fn connect_plan(query: &ConnectQuery) -> Result<ConnectPlan, String> {
    let name = query
        .get("conversation")
        .filter(|name| !name.is_empty())
        .ok_or("conversation is required")?;
    Ok(ConnectPlan::query_token(ConnectTarget::Conversation(
        name.clone(),
    )))
}

// ---- inbound ------------------------------------------------------------

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ChatMessageFrame {
    message: String,
}

#[derive(Deserialize)]
struct TypingFrame {
    typing: Flag,
}

/// The seed says `typing` is a boolean but its example sends `"True"`:
/// both are taken.
#[derive(Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

impl Flag {
    fn value(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Text(text) if text.eq_ignore_ascii_case("true") => Some(true),
            Self::Text(text) if text.eq_ignore_ascii_case("false") => Some(false),
            Self::Text(_) => None,
        }
    }
}

fn decode(frame: &str) -> Result<Request, Rejection> {
    let head: Head = frames::head(frame, "a frame is a JSON object with a \"type\"")?;
    let kind = head.kind.as_str();
    let command = match kind {
        "chat_message" => {
            let fields: ChatMessageFrame = fields(frame, kind, "{\"message\": \"<text>\"}")?;
            Command::Send {
                room: RoomTarget::Scoped,
                draft: Draft {
                    text: fields.message,
                    ..Draft::default()
                },
            }
        }
        "typing" => {
            let fields: TypingFrame = fields(frame, kind, "{\"typing\": true|false}")?;
            let typing = fields
                .typing
                .value()
                .ok_or_else(|| reject(ErrorCode::InvalidField, "typing must be true or false"))?;
            Command::Typing {
                room: RoomTarget::Scoped,
                typing,
            }
        }
        "read_messages" => Command::MarkRead {
            room: RoomTarget::Scoped,
            up_to: None,
        },
        other => {
            return Err(reject(
                ErrorCode::UnknownAction,
                format!(
                    "unknown type {other:?}; expected one of {}",
                    CONVERSATION_TYPES.join(", ")
                ),
            ));
        }
    };
    Ok(Request {
        request_id: None,
        command,
    })
}

fn reject(code: ErrorCode, message: impl Into<String>) -> Rejection {
    Rejection::new(None, code, message)
}

fn fields<T: DeserializeOwned>(frame: &str, kind: &str, shape: &str) -> Result<T, Rejection> {
    frames::typed(frame).map_err(|why| {
        reject(
            ErrorCode::InvalidField,
            format!("{kind} takes {shape}: {why}"),
        )
    })
}

// ---- the message shape ----------------------------------------------------

/// A message as the conversations API shows it, on its sockets and its REST routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChatMessage<'a> {
    pub id: u64,
    /// The conversation's id (a room id), as a string.
    pub conversation: String,
    pub from_user: FromUser<'a>,
    pub content: &'a str,
    /// RFC 3339, UTC, milliseconds.
    pub timestamp: String,
    /// Whether every other member has read it.
    pub read: bool,
    /// For a file message: the download route, relative to the HTTP API's
    /// base URL (members only; it redirects to the bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<&'a str>,
}

/// The sender. `username` and `name` are null for a sender who has left
/// the conversation (a group member who left).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FromUser<'a> {
    pub id: u64,
    pub username: Option<&'a str>,
    /// The display name.
    pub name: Option<&'a str>,
}

impl<'a> ChatMessage<'a> {
    pub fn new(message: &'a Message, sender: Option<&'a User>, read: bool) -> Self {
        Self {
            id: message.id.0,
            conversation: message.room_id.to_string(),
            from_user: FromUser {
                id: message.sender_id.0,
                username: sender.map(|u| u.username.as_str()),
                name: sender.map(|u| u.display_name.as_str()),
            },
            content: &message.text,
            timestamp: message.sent_at.rfc3339(),
            read,
            file: message
                .file
                .as_ref()
                .map(|f| download_path(message.room_id, &f.file_id)),
            file_name: message.file.as_ref().map(|f| f.name.as_str()),
        }
    }

    /// `message` with its sender and read flag taken from the room's
    /// members (as a history page carries them).
    pub fn from_members(message: &'a Message, members: &'a [MemberState]) -> Self {
        let sender = members
            .iter()
            .find(|m| m.user.id == message.sender_id)
            .map(|m| &m.user);
        Self::new(message, sender, read_by_others(message, members))
    }
}

/// Whether every member other than the sender has read up to `message`.
pub fn read_by_others(message: &Message, members: &[MemberState]) -> bool {
    members
        .iter()
        .filter(|m| m.user.id != message.sender_id)
        .all(|m| m.read_seq >= message.seq)
}

/// The native download route of a file, relative to the HTTP API's base URL.
pub fn download_path(room: RoomId, file_id: &str) -> String {
    format!("/rooms/{room}/files/{file_id}")
}

// ---- outbound -------------------------------------------------------------

#[derive(Serialize)]
#[serde(tag = "type")]
enum Out<'a> {
    #[serde(rename = "online_user_list")]
    OnlineUserList { users: Vec<&'a str> },
    #[serde(rename = "last_50_messages")]
    Last50Messages {
        messages: Vec<ChatMessage<'a>>,
        has_more: bool,
    },
    #[serde(rename = "chat_message_echo")]
    ChatMessageEcho {
        name: &'a str,
        message: ChatMessage<'a>,
    },
    #[serde(rename = "typing")]
    Typing { user: &'a str, typing: bool },
    #[serde(rename = "user_join")]
    UserJoin { user: &'a str },
    #[serde(rename = "user_leave")]
    UserLeave { user: &'a str },
    #[serde(rename = "unread_count")]
    UnreadCount { unread_count: u64 },
    #[serde(rename = "new_message_notification")]
    NewMessageNotification {
        name: &'a str,
        message: ChatMessage<'a>,
    },
    #[serde(rename = "error")]
    Error { code: ErrorCode, message: &'a str },
}

fn encode(frames: Vec<Out<'_>>) -> Vec<String> {
    frames
        .iter()
        .filter_map(|frame| serde_json::to_string(frame).ok())
        .collect()
}

fn last_messages(page: &HistoryPage) -> Out<'_> {
    Out::Last50Messages {
        messages: page
            .messages
            .iter()
            .map(|m| ChatMessage::from_members(m, &page.members))
            .collect(),
        has_more: page.has_more,
    }
}

/// Replies read the same on both kinds of socket.
pub(super) fn encode_reply(reply: &Reply) -> Vec<String> {
    let frames = match reply {
        Reply::Welcome { online, page, .. } => {
            let mut users: Vec<&str> = online.iter().map(|u| u.username.as_str()).collect();
            users.sort_unstable();
            users.dedup();
            vec![Out::OnlineUserList { users }, last_messages(page)]
        }
        Reply::History { page, .. } => vec![last_messages(page)],
        Reply::UnreadTotal(unread_count) => vec![Out::UnreadCount {
            unread_count: *unread_count,
        }],
        Reply::Error { code, message, .. } => vec![Out::Error {
            code: *code,
            message,
        }],
        // A sent message comes back to every socket as chat_message_echo;
        // typing and reading answer nothing.
        Reply::Sent(_)
        | Reply::Done
        | Reply::Read(_)
        | Reply::Authenticated { .. }
        | Reply::Rooms(_)
        | Reply::Sync(_)
        | Reply::Pong => Vec::new(),
    };
    encode(frames)
}

/// What a notification socket hears of `event`.
pub(super) fn encode_notification(recipient: &Recipient, event: &Event) -> Vec<String> {
    encode(notification(recipient, event))
}

fn read_from_counts(message: &Message, unread_counts: &[(UserId, u64)]) -> bool {
    unread_counts
        .iter()
        .filter(|(user, _)| *user != message.sender_id)
        .all(|(_, unread)| *unread == 0)
}

fn conversation<'a>(recipient: &Recipient, event: &'a Event) -> Vec<Out<'a>> {
    match event {
        Event::MessageCreated {
            message,
            sender,
            unread_counts,
            ..
        } => vec![Out::ChatMessageEcho {
            name: sender.username.as_str(),
            message: ChatMessage::new(
                message,
                Some(sender),
                read_from_counts(message, unread_counts),
            ),
        }],
        Event::Typing { user, typing, .. } if user.id != recipient.user_id => vec![Out::Typing {
            user: user.username.as_str(),
            typing: *typing,
        }],
        Event::Presence { user, online, .. } if user.id != recipient.user_id => {
            let user = user.username.as_str();
            vec![if *online {
                Out::UserJoin { user }
            } else {
                Out::UserLeave { user }
            }]
        }
        _ => Vec::new(),
    }
}

fn notification<'a>(recipient: &Recipient, event: &'a Event) -> Vec<Out<'a>> {
    let count = recipient
        .total_unread
        .map(|unread_count| Out::UnreadCount { unread_count });
    match event {
        // One's own messages (from another device) notify nothing.
        Event::MessageCreated {
            message,
            sender,
            unread_counts,
            ..
        } if sender.id != recipient.user_id => {
            let notice = Out::NewMessageNotification {
                name: sender.username.as_str(),
                message: ChatMessage::new(
                    message,
                    Some(sender),
                    read_from_counts(message, unread_counts),
                ),
            };
            std::iter::once(notice).chain(count).collect()
        }
        Event::ReadState { .. } => count.into_iter().collect(),
        _ => Vec::new(),
    }
}

pub struct Conversations;

impl Dialect for Conversations {
    fn connect_plan(&self, query: &ConnectQuery) -> Result<ConnectPlan, String> {
        connect_plan(query)
    }

    fn decode(&self, _connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        decode(frame)
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
        encode(conversation(recipient, event))
    }

    fn greeting(&self) -> Option<Greeting> {
        Some(Greeting::RoomWelcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::ConnectAuth;
    use crate::dialect::test_fixtures::{self, command, json_frames, recipient, refused};
    use crate::domain::connection::DialectKind;
    use crate::domain::event::RoomRef;
    use crate::domain::{ConnectionId, FileAttachment, RoomKind, Scope, Username};
    use crate::protocol::Sent;
    use serde_json::json;

    fn connection(dialect: DialectKind, user: u64) -> Connection {
        let scope = match dialect {
            DialectKind::Notifications => Scope::Notifications,
            _ => Scope::Room(RoomId(9)),
        };
        test_fixtures::connection("c", dialect, Some(user), scope)
    }

    fn chat(user: u64) -> Connection {
        connection(DialectKind::Conversations, user)
    }

    fn notifications(user: u64) -> Connection {
        connection(DialectKind::Notifications, user)
    }

    /// `name`, shown as `NAME`.
    fn user(id: u64, name: &str) -> User {
        User {
            username: Username::from_trusted(name.into()),
            display_name: name.to_uppercase(),
            ..test_fixtures::user(id)
        }
    }

    fn message(id: u64, seq: u64, sender: u64, text: &str) -> Message {
        Message {
            seq,
            ..test_fixtures::message(id, sender, text)
        }
    }

    #[test]
    fn the_connect_plan_needs_a_conversation_name_and_a_url_token() {
        let mut query = ConnectQuery::new();
        assert!(connect_plan(&query).is_err());
        query.insert("conversation".into(), String::new());
        assert!(connect_plan(&query).is_err());
        query.insert("conversation".into(), "alice_bob".into());
        let plan = connect_plan(&query);
        assert_eq!(
            plan.map(|p| (p.auth, p.target)),
            Ok((
                ConnectAuth::QueryToken,
                ConnectTarget::Conversation("alice_bob".into())
            ))
        );
    }

    #[test]
    fn conversation_frames_decode_into_scoped_commands() {
        let me = chat(1);
        match command(&me, r#"{"type":"chat_message","message":"hi"}"#) {
            Command::Send { room, draft } => {
                assert_eq!(room, RoomTarget::Scoped);
                assert_eq!(draft.text, "hi");
            }
            other => panic!("{other:?}"),
        }
        for (frame, expected) in [
            (r#"{"type":"typing","typing":true}"#, true),
            (r#"{"type":"typing","typing":false}"#, false),
            (r#"{"type":"typing","typing":"True"}"#, true),
            (r#"{"type":"typing","typing":"false"}"#, false),
        ] {
            assert!(
                matches!(
                    command(&me, frame),
                    Command::Typing { room: RoomTarget::Scoped, typing } if typing == expected
                ),
                "{frame}"
            );
        }
        assert!(matches!(
            command(&me, r#"{"type":"read_messages"}"#),
            Command::MarkRead {
                room: RoomTarget::Scoped,
                up_to: None
            }
        ));
    }

    #[test]
    fn a_notification_socket_reads_everything_and_takes_nothing_else() {
        let me = notifications(1);
        assert!(matches!(
            command(&me, r#"{"type":"read_messages"}"#),
            Command::MarkAllRead
        ));
        let rejection = refused(&me, r#"{"type":"chat_message","message":"hi"}"#);
        assert_eq!(rejection.code, ErrorCode::UnknownAction);
    }

    #[test]
    fn bad_frames_get_an_error_frame_and_never_panic() {
        let me = chat(1);
        for (frame, code) in [
            ("", ErrorCode::InvalidJson),
            ("{", ErrorCode::InvalidJson),
            ("[]", ErrorCode::InvalidField),
            (r#"["typing"]"#, ErrorCode::InvalidField),
            ("{}", ErrorCode::InvalidField),
            (r#"{"type":null}"#, ErrorCode::InvalidField),
            (r#"{"type":"dance"}"#, ErrorCode::UnknownAction),
            (r#"{"type":"chat_message"}"#, ErrorCode::InvalidField),
            (
                r#"{"type":"chat_message","message":5}"#,
                ErrorCode::InvalidField,
            ),
            (r#"{"type":"typing"}"#, ErrorCode::InvalidField),
            (
                r#"{"type":"typing","typing":"maybe"}"#,
                ErrorCode::InvalidField,
            ),
            (r#"{"type":"typing","typing":1}"#, ErrorCode::InvalidField),
        ] {
            let rejection = refused(&me, frame);
            assert_eq!(rejection.code, code, "{frame}: {rejection:?}");
            let (_, reply) = rejection.into_reply();
            let frames = json_frames(encode_reply(&reply));
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0]["type"], "error", "{frame}");
            assert_eq!(frames[0]["code"], code.as_str(), "{frame}");
            assert!(frames[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    fn members() -> Vec<MemberState> {
        vec![
            MemberState {
                user: user(1, "alice"),
                read_seq: 2,
            },
            MemberState {
                user: user(2, "bob"),
                read_seq: 1,
            },
        ]
    }

    #[test]
    fn the_welcome_is_the_online_users_then_the_last_messages_oldest_first() {
        let page = HistoryPage {
            messages: vec![message(10, 1, 1, "first"), message(12, 2, 1, "second")],
            members: members(),
            has_more: true,
            backwards: true,
        };
        let reply = Reply::Welcome {
            room_id: RoomId(9),
            online: vec![user(2, "bob"), user(1, "alice")],
            page,
        };
        let frames = json_frames(encode_reply(&reply));
        let from_alice = json!({"id": 1, "username": "alice", "name": "ALICE"});
        assert_eq!(
            frames,
            vec![
                json!({"type": "online_user_list", "users": ["alice", "bob"]}),
                json!({"type": "last_50_messages", "has_more": true, "messages": [
                    {"id": 10, "conversation": "9", "from_user": from_alice,
                     "content": "first", "timestamp": "2026-11-27T02:01:30.123Z", "read": true},
                    {"id": 12, "conversation": "9", "from_user": from_alice,
                     "content": "second", "timestamp": "2026-11-27T02:01:30.123Z", "read": false},
                ]}),
            ]
        );
    }

    #[test]
    fn sends_typing_and_reads_answer_nothing_on_the_socket() {
        let sent = Reply::Sent(Sent {
            message: message(1, 1, 1, "x"),
            duplicate: false,
        });
        assert!(encode_reply(&sent).is_empty());
        assert!(encode_reply(&Reply::Done).is_empty());
        assert_eq!(
            json_frames(encode_reply(&Reply::UnreadTotal(4))),
            vec![json!({"type": "unread_count", "unread_count": 4})]
        );
    }

    fn created(with_file: bool) -> Event {
        let mut message = message(20, 3, 2, "yo");
        if with_file {
            message.file = Some(FileAttachment {
                file_id: "f00d".into(),
                name: "cat.png".into(),
                content_type: "image/png".into(),
                size: 3,
            });
        }
        Event::MessageCreated {
            message,
            sender: user(2, "bob"),
            room: RoomRef {
                id: RoomId(9),
                kind: RoomKind::Dm,
                name: None,
                member_ids: vec![UserId(1), UserId(2)],
            },
            unread_counts: vec![(UserId(1), 1), (UserId(2), 0)],
            origin: Some(ConnectionId("c".into())),
        }
    }

    #[test]
    fn every_conversation_socket_gets_the_echo_even_the_senders() {
        let frames = json_frames(test_fixtures::event_frames(
            &chat(2),
            &recipient(2, None),
            &created(true),
        ));
        assert_eq!(
            frames,
            vec![
                json!({"type": "chat_message_echo", "name": "bob", "message": {
                "id": 20, "conversation": "9",
                "from_user": {"id": 2, "username": "bob", "name": "BOB"},
                "content": "yo", "timestamp": "2026-11-27T02:01:30.123Z", "read": false,
                "file": "/rooms/9/files/f00d", "file_name": "cat.png"}})
            ]
        );
        assert_eq!(
            test_fixtures::event_frames(&chat(1), &recipient(1, None), &created(false)).len(),
            1
        );
    }

    #[test]
    fn typing_and_presence_name_the_user() {
        let typing = Event::Typing {
            room_id: RoomId(9),
            room_kind: RoomKind::Group,
            user: user(2, "bob"),
            typing: true,
            expires_at: None,
        };
        assert_eq!(
            json_frames(test_fixtures::event_frames(
                &chat(1),
                &recipient(1, None),
                &typing
            )),
            vec![json!({"type": "typing", "user": "bob", "typing": true})]
        );
        for (online, kind) in [(true, "user_join"), (false, "user_leave")] {
            let presence = Event::Presence {
                user: user(2, "bob"),
                online,
                room_ids: vec![RoomId(9)],
            };
            assert_eq!(
                json_frames(test_fixtures::event_frames(
                    &chat(1),
                    &recipient(1, None),
                    &presence
                )),
                vec![json!({"type": kind, "user": "bob"})]
            );
            assert!(
                test_fixtures::event_frames(&notifications(1), &recipient(1, Some(0)), &presence)
                    .is_empty()
            );
        }
        let read = Event::ReadState {
            room_id: RoomId(9),
            unread_count: 0,
            last_read_id: None,
        };
        assert!(test_fixtures::event_frames(&chat(1), &recipient(1, None), &read).is_empty());
    }

    #[test]
    fn a_notification_socket_gets_the_message_then_the_new_total() {
        let frames = json_frames(test_fixtures::event_frames(
            &notifications(1),
            &recipient(1, Some(7)),
            &created(false),
        ));
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert_eq!(frames[0]["type"], "new_message_notification");
        assert_eq!(frames[0]["name"], "bob");
        assert_eq!(frames[0]["message"]["content"], "yo");
        assert_eq!(
            frames[1],
            json!({"type": "unread_count", "unread_count": 7})
        );
        // The sender's own notification socket hears nothing.
        assert!(
            test_fixtures::event_frames(&notifications(2), &recipient(2, Some(0)), &created(false))
                .is_empty()
        );
        let read = Event::ReadState {
            room_id: RoomId(9),
            unread_count: 0,
            last_read_id: None,
        };
        assert_eq!(
            json_frames(test_fixtures::event_frames(
                &notifications(1),
                &recipient(1, Some(3)),
                &read
            )),
            vec![json!({"type": "unread_count", "unread_count": 3})]
        );
    }
}
