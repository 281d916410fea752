//! The rooms dialect (docs/protocol/rooms.md): the first frame
//! `{"auth_token"}` is answered `{"status":"CONNECTED"}` or
//! `{"error","error_code"}`; afterwards every message in any room of the user
//! arrives as `{"message":{...}}` and `{"room","messages"}` sends one. Errors
//! after CONNECTED are never sent to the client (the seed calls that a
//! security feature): they are logged instead.

use super::frames::{loose_object, shown_text};
use super::{ConnectPlan, ConnectQuery, Dialect, Rejection, Request};
use crate::domain::{Connection, Event, Message};
use crate::json_fields::{LenientId, Loose};
use crate::protocol::{AuthExpect, Command, Draft, ErrorCode, Recipient, Reply, RoomTarget};
use serde::{Deserialize, Serialize};

/// A message as the rooms API shows it, on the socket and in `POST /chat/retrieve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoomsMessage<'a> {
    pub id: u64,
    pub message: &'a str,
    /// The sender's user id, as a string.
    pub poster: String,
    /// The room's id, as a string.
    pub room: String,
    /// Unix seconds, server time.
    pub timestamp: i64,
}

impl<'a> From<&'a Message> for RoomsMessage<'a> {
    fn from(m: &'a Message) -> Self {
        Self {
            id: m.id.0,
            message: shown_text(m),
            poster: m.sender_id.to_string(),
            room: m.room_id.to_string(),
            timestamp: m.sent_at.seconds(),
        }
    }
}

/// Every frame a rooms client sends: `{"auth_token"}` first, then
/// `{"room","messages"}` (`message` is accepted as a spelling of `messages`).
#[derive(Deserialize)]
struct Frame {
    auth_token: Option<Loose<String>>,
    /// `"7"` (the documented form) or `7`.
    room: Option<Loose<LenientId>>,
    #[serde(alias = "message")]
    messages: Option<Loose<String>>,
}

impl Frame {
    fn is_send(&self) -> bool {
        self.room.is_some() || self.messages.is_some()
    }
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
}

#[derive(Serialize)]
struct ErrorFrame<'a> {
    error: &'a str,
    error_code: &'static str,
}

#[derive(Serialize)]
struct MessageFrame<'a> {
    message: RoomsMessage<'a>,
}

fn to_json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

pub struct Rooms;

impl Dialect for Rooms {
    fn connect_plan(&self, _query: &ConnectQuery) -> Result<ConnectPlan, String> {
        Ok(ConnectPlan::first_frame())
    }

    fn decode(&self, connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        let reject = |code, message: &str| Rejection::new(None, code, message);
        let frame: Frame = loose_object(frame)?;
        let authenticated = connection.user_id.is_some();
        let command = if !authenticated || !frame.is_send() {
            let token = Loose::valid(frame.auth_token)
                .filter(|token| !token.is_empty())
                .ok_or_else(|| {
                    reject(
                        ErrorCode::Unauthorized,
                        r#"send {"auth_token": "<JWT>"} first"#,
                    )
                })?;
            Command::Authenticate {
                token,
                expect: AuthExpect::default(),
            }
        } else {
            let room = Loose::valid(frame.room)
                .and_then(|id| id.room())
                .ok_or_else(|| reject(ErrorCode::InvalidField, "room must be a room id"))?;
            let text = Loose::valid(frame.messages)
                .ok_or_else(|| reject(ErrorCode::InvalidField, "messages must be a string"))?;
            Command::Send {
                room: RoomTarget::Id(room),
                draft: Draft {
                    text,
                    client_message_id: None,
                    file_id: None,
                },
            }
        };
        Ok(Request {
            request_id: None,
            command,
        })
    }

    fn encode_reply(
        &self,
        connection: &Connection,
        _request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String> {
        let frame = match reply {
            Reply::Authenticated { .. } => to_json(&Status {
                status: "CONNECTED",
            }),
            // Before CONNECTED the client learns why; afterwards it never does.
            Reply::Error { code, message, .. } if connection.user_id.is_none() => {
                to_json(&ErrorFrame {
                    error: message,
                    error_code: code.as_str(),
                })
            }
            Reply::Error { code, message, .. } => {
                tracing::info!(
                    connection = %connection.id,
                    code = code.as_str(),
                    message,
                    "rooms dialect: error not sent to the client"
                );
                None
            }
            // A sent message comes back as the event every member's socket gets.
            Reply::Sent(_)
            | Reply::Done
            | Reply::Read(_)
            | Reply::UnreadTotal(_)
            | Reply::History { .. }
            | Reply::Rooms(_)
            | Reply::Sync(_)
            | Reply::Pong
            | Reply::Welcome { .. } => None,
        };
        frame.into_iter().collect()
    }

    fn encode_event(
        &self,
        _connection: &Connection,
        _recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        match event {
            Event::MessageCreated { message, .. } => to_json(&MessageFrame {
                message: RoomsMessage::from(message),
            })
            .into_iter()
            .collect(),
            Event::Typing { .. }
            | Event::Presence { .. }
            | Event::ReadState { .. }
            | Event::MemberAdded { .. }
            | Event::MemberRemoved { .. } => Vec::new(),
        }
    }

    fn closes_on_internal_error(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::test_fixtures::{self, command, json_frames, recipient, rejected, user};
    use crate::domain::connection::DialectKind;
    use crate::domain::event::RoomRef;
    use crate::domain::{FileAttachment, RoomId, RoomKind, Scope, Timestamp, UserId};
    use crate::protocol::Sent;
    use serde_json::json;

    fn connection(user: Option<u64>) -> Connection {
        test_fixtures::connection("c1", DialectKind::Rooms, user, Scope::AllRooms)
    }

    fn message(id: u64, text: &str, file: Option<&str>) -> Message {
        Message {
            room_id: RoomId(7),
            seq: 3,
            sent_at: Timestamp(1_795_744_890_999),
            file: file.map(|name| FileAttachment {
                file_id: "f1".into(),
                name: name.into(),
                content_type: "image/png".into(),
                size: 10,
            }),
            ..test_fixtures::message(id, 2, text)
        }
    }

    #[test]
    fn the_first_frame_authenticates_with_nothing_else_expected() {
        match command(&connection(None), r#"{"auth_token":"a.b.c"}"#) {
            Command::Authenticate { token, expect } => {
                assert_eq!(token, "a.b.c");
                assert_eq!(expect, AuthExpect::default());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn anything_but_a_token_before_connected_is_unauthorized() {
        let fresh = connection(None);
        for frame in [
            r#"{}"#,
            r#"{"auth_token":""}"#,
            r#"{"auth_token":42}"#,
            r#"{"auth_token":null}"#,
            r#"{"room":"1","messages":"hi"}"#,
        ] {
            assert_eq!(
                rejected(&fresh, frame).0,
                ErrorCode::Unauthorized,
                "{frame}"
            );
        }
        for frame in ["", "nope", "[1]", "[null,null,null]", "\"x\"", "{", "null"] {
            assert_eq!(rejected(&fresh, frame).0, ErrorCode::InvalidJson, "{frame}");
        }
    }

    #[test]
    fn a_send_takes_the_room_as_a_string_or_a_number_and_the_text_from_messages() {
        let open = connection(Some(1));
        for frame in [
            r#"{"room":"7","messages":"Hello"}"#,
            r#"{"room":7,"messages":"Hello"}"#,
            r#"{"room":" 7 ","message":"Hello"}"#,
        ] {
            match command(&open, frame) {
                Command::Send { room, draft } => {
                    assert_eq!(room, RoomTarget::Id(RoomId(7)), "{frame}");
                    assert_eq!(draft.text, "Hello");
                    assert_eq!(draft.client_message_id, None);
                    assert_eq!(draft.file_id, None);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_bad_send_is_a_typed_rejection() {
        let open = connection(Some(1));
        for frame in [
            r#"{"room":"0","messages":"x"}"#,
            r#"{"room":"seven","messages":"x"}"#,
            r#"{"room":-1,"messages":"x"}"#,
            r#"{"room":9007199254740992,"messages":"x"}"#,
            r#"{"messages":"x"}"#,
            r#"{"room":"7"}"#,
            r#"{"room":"7","messages":5}"#,
        ] {
            assert_eq!(rejected(&open, frame).0, ErrorCode::InvalidField, "{frame}");
        }
        assert_eq!(rejected(&open, "{}").0, ErrorCode::Unauthorized);
        assert_eq!(rejected(&open, "]").0, ErrorCode::InvalidJson);
    }

    #[test]
    fn no_input_panics_the_decoder() {
        let frames = [
            r#"{"auth_token":"a.b.c"}"#,
            r#"{"room":"7","messages":"Hé 👋","auth_token":[{"x":null}]}"#,
            r#"{"room":1e99,"message":-0.5}"#,
        ];
        for connection in [connection(None), connection(Some(1))] {
            for frame in frames {
                for (cut, _) in frame.char_indices() {
                    let _ = Rooms.decode(&connection, &frame[..cut]);
                }
            }
        }
    }

    #[test]
    fn a_token_after_connected_authenticates_again() {
        let command = command(&connection(Some(1)), r#"{"auth_token":"t"}"#);
        assert!(
            matches!(command, Command::Authenticate { .. }),
            "{command:?}"
        );
    }

    #[test]
    fn connected_and_errors_before_it_are_exact() {
        let fresh = connection(None);
        let connected = Reply::Authenticated {
            user: user(1),
            dm: None,
        };
        assert_eq!(
            json_frames(Rooms.encode_reply(&fresh, None, &connected)),
            [json!({"status": "CONNECTED"})]
        );
        let error = Reply::Error {
            code: ErrorCode::TokenExpired,
            message: "the token has expired".into(),
            retry_after_ms: None,
        };
        assert_eq!(
            json_frames(Rooms.encode_reply(&fresh, None, &error)),
            [json!({"error": "the token has expired", "error_code": "TOKEN_EXPIRED"})]
        );
    }

    #[test]
    fn after_connected_errors_and_acknowledgements_say_nothing() {
        let open = connection(Some(1));
        let error = Reply::Error {
            code: ErrorCode::NotAMember,
            message: "you are not a member of this room".into(),
            retry_after_ms: None,
        };
        assert!(Rooms.encode_reply(&open, None, &error).is_empty());
        let sent = Reply::Sent(Sent {
            message: message(1, "x", None),
            duplicate: false,
        });
        for reply in [sent, Reply::Done, Reply::Pong, Reply::UnreadTotal(3)] {
            assert!(
                Rooms.encode_reply(&open, None, &reply).is_empty(),
                "{reply:?}"
            );
        }
    }

    fn created(message: Message) -> Event {
        Event::MessageCreated {
            sender: user(2),
            room: RoomRef {
                id: message.room_id,
                kind: RoomKind::Group,
                name: Some("Trip".into()),
                member_ids: vec![UserId(1), UserId(2)],
            },
            message,
            unread_counts: vec![(UserId(1), 1)],
            origin: None,
        }
    }

    #[test]
    fn a_message_event_has_exactly_the_seed_shape() {
        let recipient = recipient(1, None);
        let frames = Rooms.encode_event(
            &connection(Some(1)),
            &recipient,
            &created(message(42, "Hello Sam", None)),
        );
        assert_eq!(
            json_frames(frames),
            [json!({"message": {
                "id": 42,
                "message": "Hello Sam",
                "poster": "2",
                "room": "7",
                "timestamp": 1_795_744_890_i64,
            }})]
        );
        let file_only = Rooms.encode_event(
            &connection(Some(1)),
            &recipient,
            &created(message(43, "", Some("cat.png"))),
        );
        assert_eq!(json_frames(file_only)[0]["message"]["message"], "cat.png");
    }

    #[test]
    fn other_events_are_not_spoken_by_this_dialect() {
        let recipient = recipient(1, None);
        let events = [
            Event::Typing {
                room_id: RoomId(7),
                room_kind: RoomKind::Dm,
                user: user(2),
                typing: true,
                expires_at: None,
            },
            Event::Presence {
                user: user(2),
                online: true,
                room_ids: vec![RoomId(7)],
            },
            Event::ReadState {
                room_id: RoomId(7),
                unread_count: 0,
                last_read_id: None,
            },
            Event::MemberRemoved {
                room_id: RoomId(7),
                user_id: UserId(2),
                removed_by: UserId(2),
            },
        ];
        for event in &events {
            assert!(
                Rooms
                    .encode_event(&connection(Some(1)), &recipient, event)
                    .is_empty()
            );
        }
    }
}
