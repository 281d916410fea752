//! The pair dialect (docs/protocol/pair.md): a socket per DM at
//! `/chat/{user_id}/{opponent_id}`, a `fetch-token` first frame answered by
//! a short-lived conversation token and the opponent's presence, and
//! `new-message` / `is-typing` frames that carry that token. Every frame has
//! a `type`; errors are `{"type":"error","error_type","message"}`.

use super::frames::{loose_object, shown_text};
use super::{ConnectPlan, ConnectQuery, Dialect, Rejection, Request};
use crate::domain::connection::DialectState;
use crate::domain::{Connection, Event, RoomKind, UserId};
use crate::json_fields::{Field, LenientId, Loose};
use crate::protocol::{AuthExpect, Command, Draft, ErrorCode, Recipient, Reply, RoomTarget};
use serde::{Deserialize, Serialize};

/// The one message the pair API documents for a bad conversation token.
pub const CONVERSATION_TOKEN_MESSAGE: &str = "Invalid conversation_token. Fetch a new one!";

/// The frame types a pair client sends.
pub const TYPES: &[&str] = &["fetch-token", "new-message", "is-typing"];

/// The two ids from the connection's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PathIds {
    pub user_id: UserId,
    pub opponent_id: UserId,
}

// ---- client → server --------------------------------------------------------

/// Every member any pair frame may carry, each optional and loosely typed:
/// which ones a frame needs depends on its `type`.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: Option<Loose<String>>,
    /// `1` (the documented form) or `"1"`.
    user_id: Option<Loose<LenientId>>,
    opponent_id: Option<Loose<LenientId>>,
    auth_token: Option<Loose<String>>,
    conversation_token: Option<Loose<String>>,
    message: Option<Loose<String>>,
}

fn reject(code: ErrorCode, message: impl Into<String>) -> Rejection {
    Rejection::new(None, code, message)
}

fn conversation_token_invalid() -> Rejection {
    reject(
        ErrorCode::ConversationTokenInvalid,
        CONVERSATION_TOKEN_MESSAGE,
    )
}

fn path_ids(connection: &Connection) -> Result<PathIds, Rejection> {
    match connection.dialect_state {
        DialectState::PairPath {
            user_id,
            opponent_id,
        } => Ok(PathIds {
            user_id,
            opponent_id,
        }),
        DialectState::None => Err(reject(
            ErrorCode::Internal,
            "this connection lost its path; reconnect",
        )),
    }
}

/// A frame's ids may be left out (the path says them) but, if given, must
/// be the path's.
fn check_ids(
    path: PathIds,
    user_id: Option<Loose<LenientId>>,
    opponent_id: Option<Loose<LenientId>>,
) -> Result<(), Rejection> {
    for (name, given, expected) in [
        ("user_id", user_id, path.user_id),
        ("opponent_id", opponent_id, path.opponent_id),
    ] {
        let given = match Loose::read(given) {
            Field::Absent => continue,
            Field::Valid(id) => id.user(),
            Field::Invalid => None,
        };
        match given {
            None => {
                return Err(reject(
                    ErrorCode::InvalidField,
                    format!("{name} must be a user id"),
                ));
            }
            Some(id) if id != expected => {
                return Err(reject(
                    ErrorCode::Unauthorized,
                    format!("{name} {id} is not the {name} of this connection's path ({expected})"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

// ---- server → client --------------------------------------------------------

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Out<'a> {
    ConversationToken {
        conversation_token: &'a str,
    },
    OnlineCheck {
        is_online: bool,
    },
    ReceivedMessage {
        created: String,
        sender_name: &'a str,
        message: &'a str,
        id: u64,
    },
    OpponentTyping,
    Error {
        error_type: &'static str,
        message: &'a str,
    },
}

impl Out<'_> {
    fn frame(&self) -> Option<String> {
        serde_json::to_string(self).ok()
    }
}

/// The `error_type` a pair client sees for each core error code.
pub fn error_type(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthorized | ErrorCode::TokenExpired | ErrorCode::InvalidCredentials => {
            "INVALID_AUTH_TOKEN"
        }
        ErrorCode::NotFound => "USER_NOT_FOUND",
        ErrorCode::ConversationTokenInvalid => "EXPIRED_CONVERSATION_TOKEN",
        ErrorCode::UnknownAction => "UNKNOWN_TYPE",
        ErrorCode::InvalidJson
        | ErrorCode::InvalidField
        | ErrorCode::TextTooLong
        | ErrorCode::UsernameTaken
        | ErrorCode::NotAMember
        | ErrorCode::Forbidden
        | ErrorCode::Conflict
        | ErrorCode::PayloadTooLarge
        | ErrorCode::RateLimited
        | ErrorCode::ServerBusy
        | ErrorCode::Internal => code.as_str(),
    }
}

pub struct Pair;

impl Dialect for Pair {
    /// `/chat/{user_id}/{opponent_id}` arrives as `?user_id=..&opponent_id=..`;
    /// both are kept so `fetch-token` can be checked against the path.
    fn connect_plan(&self, query: &ConnectQuery) -> Result<ConnectPlan, String> {
        let id = |name: &str| {
            query
                .get(name)
                .and_then(|v| UserId::parse_str(v))
                .ok_or_else(|| format!("{name} must be a user id"))
        };
        Ok(ConnectPlan {
            dialect_state: DialectState::PairPath {
                user_id: id("user_id")?,
                opponent_id: id("opponent_id")?,
            },
            ..ConnectPlan::first_frame()
        })
    }

    fn decode(&self, connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        let frame: Frame = loose_object(frame)?;
        let kind = match Loose::read(frame.kind) {
            Field::Valid(kind) => kind,
            Field::Absent | Field::Invalid => {
                return Err(reject(
                    ErrorCode::InvalidField,
                    format!("type must be one of {}", TYPES.join(", ")),
                ));
            }
        };
        let command = match kind.as_str() {
            "fetch-token" => {
                let path = path_ids(connection)?;
                check_ids(path, frame.user_id, frame.opponent_id)?;
                let token = match Loose::read(frame.auth_token) {
                    Field::Valid(token) if !token.is_empty() => token,
                    _ => {
                        return Err(reject(
                            ErrorCode::Unauthorized,
                            "auth_token must be your access token",
                        ));
                    }
                };
                Command::Authenticate {
                    token,
                    expect: AuthExpect {
                        user: Some(path.user_id),
                        dm_with: Some(path.opponent_id),
                    },
                }
            }
            "new-message" | "is-typing" => {
                // A socket that never fetched a token is told to fetch one: the
                // remedy every pair client already knows.
                if connection.user_id.is_none() {
                    return Err(conversation_token_invalid());
                }
                let path = path_ids(connection)?;
                check_ids(path, frame.user_id, frame.opponent_id)?;
                let token = match Loose::read(frame.conversation_token) {
                    Field::Valid(token) if !token.is_empty() => token,
                    _ => return Err(conversation_token_invalid()),
                };
                let command = if kind == "new-message" {
                    let text = match Loose::read(frame.message) {
                        Field::Valid(text) => text,
                        Field::Absent | Field::Invalid => {
                            return Err(reject(
                                ErrorCode::InvalidField,
                                "message must be a string",
                            ));
                        }
                    };
                    Command::Send {
                        room: RoomTarget::Scoped,
                        draft: Draft {
                            text,
                            client_message_id: None,
                            file_id: None,
                        },
                    }
                } else {
                    Command::Typing {
                        room: RoomTarget::Scoped,
                        typing: true,
                    }
                };
                Command::WithConversationToken {
                    token,
                    command: Box::new(command),
                }
            }
            other => {
                return Err(reject(
                    ErrorCode::UnknownAction,
                    format!(
                        "unknown type {other:?}; expected one of {}",
                        TYPES.join(", ")
                    ),
                ));
            }
        };
        Ok(Request {
            request_id: None,
            command,
        })
    }

    fn encode_reply(
        &self,
        _connection: &Connection,
        _request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String> {
        match reply {
            Reply::Authenticated { dm: Some(dm), .. } => [
                Out::ConversationToken {
                    conversation_token: &dm.conversation_token,
                },
                Out::OnlineCheck {
                    is_online: dm.peer_online,
                },
            ]
            .iter()
            .filter_map(Out::frame)
            .collect(),
            Reply::Error { code, message, .. } => {
                let message = match code {
                    ErrorCode::ConversationTokenInvalid => CONVERSATION_TOKEN_MESSAGE,
                    _ => message,
                };
                Out::Error {
                    error_type: error_type(*code),
                    message,
                }
                .frame()
                .into_iter()
                .collect()
            }
            // A sent message comes back as `received-message`, like the
            // opponent's; typing is not acknowledged.
            Reply::Authenticated { dm: None, .. }
            | Reply::Sent(_)
            | Reply::Done
            | Reply::Read(_)
            | Reply::UnreadTotal(_)
            | Reply::History { .. }
            | Reply::Rooms(_)
            | Reply::Sync(_)
            | Reply::Pong
            | Reply::Welcome { .. } => Vec::new(),
        }
    }

    fn encode_event(
        &self,
        connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        let out = match event {
            Event::MessageCreated {
                message,
                sender,
                room,
                ..
            } if connection.scope.covers(room.id) => Out::ReceivedMessage {
                created: message.sent_at.rfc3339(),
                sender_name: &sender.display_name,
                message: shown_text(message),
                id: message.id.0,
            },
            Event::Typing {
                room_id,
                room_kind: RoomKind::Dm,
                user,
                typing: true,
                ..
            } if user.id != recipient.user_id && connection.scope.covers(*room_id) => {
                Out::OpponentTyping
            }
            Event::Presence {
                user,
                online,
                room_ids,
            } if user.id != recipient.user_id && connection.scope.covers_any(room_ids) => {
                Out::OnlineCheck { is_online: *online }
            }
            _ => return Vec::new(),
        };
        out.frame().into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::test_fixtures::{self, command, json_frames, rejected};
    use crate::domain::connection::DialectKind;
    use crate::domain::event::RoomRef;
    use crate::domain::{ConnectionId, FileAttachment, Message, RoomId, Scope, User};
    use crate::protocol::DmSession;
    use crate::protocol::Sent;
    use serde_json::json;

    const ROOM: RoomId = RoomId(9);

    /// A pair socket at `/chat/1/2`, authenticated or not.
    fn connection(authenticated: bool) -> Connection {
        let query: ConnectQuery = [("user_id", "1"), ("opponent_id", "2")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let plan = Pair.connect_plan(&query).unwrap_or_else(|e| panic!("{e}"));
        let scope = if authenticated {
            Scope::Room(ROOM)
        } else {
            Scope::AllRooms
        };
        let user = authenticated.then_some(1);
        Connection {
            dialect_state: plan.dialect_state,
            ..test_fixtures::connection("c1", DialectKind::Pair, user, scope)
        }
    }

    fn user(id: u64, display_name: &str) -> User {
        User {
            display_name: display_name.into(),
            ..test_fixtures::user(id)
        }
    }

    fn me() -> Recipient {
        test_fixtures::recipient(1, None)
    }

    #[test]
    fn the_connect_plan_keeps_the_path_ids_and_refuses_non_ids() {
        let state = path_ids(&connection(false));
        assert_eq!(
            state,
            Ok(PathIds {
                user_id: UserId(1),
                opponent_id: UserId(2)
            })
        );
        let query: ConnectQuery = [("user_id".to_owned(), "x".to_owned())].into();
        assert!(Pair.connect_plan(&query).is_err());
    }

    #[test]
    fn fetch_token_authenticates_as_the_path_user_for_the_dm_with_the_opponent() {
        for frame in [
            r#"{"type":"fetch-token","user_id":1,"auth_token":"a.b.c","opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":"1","auth_token":"a.b.c","opponent_id":"2"}"#,
            r#"{"type":"fetch-token","auth_token":"a.b.c"}"#,
        ] {
            match command(&connection(false), frame) {
                Command::Authenticate { token, expect } => {
                    assert_eq!(token, "a.b.c");
                    assert_eq!(
                        expect,
                        AuthExpect {
                            user: Some(UserId(1)),
                            dm_with: Some(UserId(2))
                        }
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn fetch_token_with_a_missing_token_or_ids_off_the_path_is_an_auth_error() {
        let fresh = connection(false);
        for frame in [
            r#"{"type":"fetch-token","user_id":1,"opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":1,"auth_token":"","opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":1,"auth_token":7,"opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":3,"auth_token":"t","opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":1,"auth_token":"t","opponent_id":3}"#,
            r#"{"type":"fetch-token","user_id":2,"auth_token":"t","opponent_id":1}"#,
        ] {
            let (code, _) = rejected(&fresh, frame);
            assert_eq!(code, ErrorCode::Unauthorized, "{frame}");
            assert_eq!(error_type(code), "INVALID_AUTH_TOKEN");
        }
        for frame in [
            r#"{"type":"fetch-token","user_id":"one","auth_token":"t","opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":1,"auth_token":"t","opponent_id":-2}"#,
            r#"{"type":"fetch-token","user_id":0,"auth_token":"t","opponent_id":2}"#,
            r#"{"type":"fetch-token","user_id":1.5,"auth_token":"t","opponent_id":2}"#,
        ] {
            assert_eq!(
                rejected(&fresh, frame).0,
                ErrorCode::InvalidField,
                "{frame}"
            );
        }
    }

    #[test]
    fn new_message_and_is_typing_run_in_the_scoped_dm_under_the_conversation_token() {
        let open = connection(true);
        let frame = r#"{"type":"new-message","message":"Hello Sam","user_id":1,"opponent_id":2,"conversation_token":"ct"}"#;
        match command(&open, frame) {
            Command::WithConversationToken { token, command } => {
                assert_eq!(token, "ct");
                match *command {
                    Command::Send { room, draft } => {
                        assert_eq!(room, RoomTarget::Scoped);
                        assert_eq!(draft.text, "Hello Sam");
                        assert_eq!(draft.client_message_id, None);
                        assert_eq!(draft.file_id, None);
                    }
                    other => panic!("{other:?}"),
                }
            }
            other => panic!("{other:?}"),
        }
        let frame = r#"{"type":"is-typing","conversation_token":"ct","user_id":1,"opponent_id":2}"#;
        match command(&open, frame) {
            Command::WithConversationToken { token, command } => {
                assert_eq!(token, "ct");
                assert!(matches!(
                    *command,
                    Command::Typing {
                        room: RoomTarget::Scoped,
                        typing: true
                    }
                ));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_conversation_token_or_no_fetch_token_yet_is_an_expired_conversation_token() {
        let open = connection(true);
        for frame in [
            r#"{"type":"new-message","message":"x","user_id":1,"opponent_id":2}"#,
            r#"{"type":"new-message","message":"x","conversation_token":""}"#,
            r#"{"type":"is-typing","conversation_token":5}"#,
        ] {
            let (code, message) = rejected(&open, frame);
            assert_eq!(code, ErrorCode::ConversationTokenInvalid, "{frame}");
            assert_eq!(message, CONVERSATION_TOKEN_MESSAGE);
        }
        let fresh = connection(false);
        let frame = r#"{"type":"new-message","message":"x","user_id":1,"opponent_id":2,"conversation_token":"ct"}"#;
        assert_eq!(
            rejected(&fresh, frame).0,
            ErrorCode::ConversationTokenInvalid
        );
    }

    #[test]
    fn other_bad_frames_get_typed_errors() {
        let open = connection(true);
        for (frame, code) in [
            ("", ErrorCode::InvalidJson),
            ("nope", ErrorCode::InvalidJson),
            ("[1,2]", ErrorCode::InvalidJson),
            ("null", ErrorCode::InvalidJson),
            (r#"{"type":"dance"}"#, ErrorCode::UnknownAction),
            (r#"{"message":"x"}"#, ErrorCode::InvalidField),
            (r#"{"type":7}"#, ErrorCode::InvalidField),
            (
                r#"{"type":"new-message","conversation_token":"ct"}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"type":"new-message","message":["x"],"conversation_token":"ct"}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"type":"new-message","message":"x","user_id":1,"opponent_id":3,"conversation_token":"ct"}"#,
                ErrorCode::Unauthorized,
            ),
        ] {
            assert_eq!(rejected(&open, frame).0, code, "{frame}");
        }
        let mut lost = connection(true);
        lost.dialect_state = DialectState::None;
        let frame = r#"{"type":"is-typing","conversation_token":"ct"}"#;
        assert_eq!(rejected(&lost, frame).0, ErrorCode::Internal);
    }

    #[test]
    fn no_input_panics_the_decoder() {
        let frames = [
            r#"{"type":"fetch-token","user_id":1,"auth_token":"a.b.c","opponent_id":2}"#,
            r#"{"type":"new-message","message":"Hé 👋","user_id":"1","opponent_id":2,"conversation_token":"ct"}"#,
            r#"{"type":"is-typing","conversation_token":{"a":[1,null]},"user_id":1e99}"#,
        ];
        for connection in [connection(false), connection(true)] {
            for frame in frames {
                for (cut, _) in frame.char_indices() {
                    let _ = Pair.decode(&connection, &frame[..cut]);
                }
            }
        }
    }

    #[test]
    fn every_error_code_has_an_error_type() {
        for code in ErrorCode::ALL {
            assert!(!error_type(*code).is_empty());
        }
        assert_eq!(error_type(ErrorCode::NotFound), "USER_NOT_FOUND");
        assert_eq!(error_type(ErrorCode::TokenExpired), "INVALID_AUTH_TOKEN");
        assert_eq!(error_type(ErrorCode::UnknownAction), "UNKNOWN_TYPE");
        assert_eq!(error_type(ErrorCode::InvalidJson), "INVALID_JSON");
    }

    #[test]
    fn fetch_token_is_answered_by_the_token_then_the_opponent_s_presence() {
        let reply = Reply::Authenticated {
            user: user(1, "Mark"),
            dm: Some(DmSession {
                room_id: ROOM,
                peer: user(2, "Sam"),
                peer_online: false,
                conversation_token: "ct.x.y".into(),
            }),
        };
        assert_eq!(
            json_frames(Pair.encode_reply(&connection(false), None, &reply)),
            [
                json!({"type": "conversation-token", "conversation_token": "ct.x.y"}),
                json!({"type": "online-check", "is_online": false}),
            ]
        );
    }

    #[test]
    fn errors_are_typed_and_the_conversation_token_one_is_verbatim() {
        let open = connection(true);
        let error = |code, message: &str| Reply::Error {
            code,
            message: message.into(),
            retry_after_ms: None,
        };
        assert_eq!(
            json_frames(Pair.encode_reply(
                &open,
                None,
                &error(ErrorCode::ConversationTokenInvalid, "anything")
            )),
            [json!({
                "type": "error",
                "error_type": "EXPIRED_CONVERSATION_TOKEN",
                "message": "Invalid conversation_token. Fetch a new one!"
            })]
        );
        assert_eq!(
            json_frames(Pair.encode_reply(
                &open,
                None,
                &error(ErrorCode::NotFound, "user not found")
            )),
            [json!({"type": "error", "error_type": "USER_NOT_FOUND", "message": "user not found"})]
        );
        assert_eq!(
            json_frames(Pair.encode_reply(
                &open,
                None,
                &error(ErrorCode::TokenExpired, "token expired")
            )),
            [
                json!({"type": "error", "error_type": "INVALID_AUTH_TOKEN", "message": "token expired"})
            ]
        );
    }

    #[test]
    fn acknowledgements_say_nothing_the_echo_does() {
        let open = connection(true);
        let sent = Reply::Sent(Sent {
            message: message(5, "x", None),
            duplicate: false,
        });
        for reply in [sent, Reply::Done, Reply::Pong] {
            assert!(
                Pair.encode_reply(&open, None, &reply).is_empty(),
                "{reply:?}"
            );
        }
    }

    fn message(id: u64, text: &str, file: Option<&str>) -> Message {
        Message {
            room_id: ROOM,
            seq: 1,
            file: file.map(|name| FileAttachment {
                file_id: "f".into(),
                name: name.into(),
                content_type: "text/plain".into(),
                size: 1,
            }),
            ..test_fixtures::message(id, 1, text)
        }
    }

    fn created(message: Message, room: RoomId) -> Event {
        Event::MessageCreated {
            message,
            sender: user(1, "Mark"),
            room: RoomRef {
                id: room,
                kind: RoomKind::Dm,
                name: None,
                member_ids: vec![UserId(1), UserId(2)],
            },
            unread_counts: Vec::new(),
            origin: Some(ConnectionId("c1".into())),
        }
    }

    #[test]
    fn a_message_reaches_both_parties_as_received_message() {
        let frames = Pair.encode_event(
            &connection(true),
            &me(),
            &created(message(123, "Hello Sam", None), ROOM),
        );
        assert_eq!(
            json_frames(frames),
            [json!({
                "type": "received-message",
                "created": "2026-11-27T02:01:30.123Z",
                "sender_name": "Mark",
                "message": "Hello Sam",
                "id": 123
            })]
        );
        let elsewhere = Pair.encode_event(
            &connection(true),
            &me(),
            &created(message(124, "x", None), RoomId(10)),
        );
        assert!(elsewhere.is_empty());
        let file = Pair.encode_event(
            &connection(true),
            &me(),
            &created(message(125, "", Some("notes.txt")), ROOM),
        );
        assert_eq!(json_frames(file)[0]["message"], "notes.txt");
    }

    fn typing(user_id: u64, kind: RoomKind, typing: bool) -> Event {
        Event::Typing {
            room_id: ROOM,
            room_kind: kind,
            user: user(user_id, "Sam"),
            typing,
            expires_at: None,
        }
    }

    #[test]
    fn only_the_opponent_starting_to_type_in_the_dm_is_told() {
        let open = connection(true);
        assert_eq!(
            json_frames(Pair.encode_event(&open, &me(), &typing(2, RoomKind::Dm, true))),
            [json!({"type": "opponent-typing"})]
        );
        for event in [
            typing(2, RoomKind::Dm, false),
            typing(1, RoomKind::Dm, true),
            typing(2, RoomKind::Group, true),
        ] {
            assert!(
                Pair.encode_event(&open, &me(), &event).is_empty(),
                "{event:?}"
            );
        }
    }

    #[test]
    fn the_opponent_coming_and_going_is_an_online_check() {
        let open = connection(true);
        for online in [true, false] {
            let event = Event::Presence {
                user: user(2, "Sam"),
                online,
                room_ids: vec![RoomId(3), ROOM],
            };
            assert_eq!(
                json_frames(Pair.encode_event(&open, &me(), &event)),
                [json!({"type": "online-check", "is_online": online})]
            );
        }
        let elsewhere = Event::Presence {
            user: user(3, "Eve"),
            online: true,
            room_ids: vec![RoomId(3)],
        };
        assert!(Pair.encode_event(&open, &me(), &elsewhere).is_empty());
        let read = Event::ReadState {
            room_id: ROOM,
            unread_count: 0,
            last_read_id: None,
        };
        assert!(Pair.encode_event(&open, &me(), &read).is_empty());
    }
}
