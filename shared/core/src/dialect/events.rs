//! The events dialect, event channels (docs/protocol/events.md): every frame is
//! `{"event": "<channel>", "data": <value>}` both ways, errors arrive on the
//! `info` channel as `{"event": "info", "data": "<message>"}`.
//!
//! The dialect knows direct messages only: a conversation is named by the
//! correspondent's user id, and group rooms never show (their messages and
//! typing are skipped). The socket authenticates with its first
//! `registerMessages` frame; anything before it is answered on `info`.

use super::frames;
use super::{ConnectPlan, ConnectQuery, Dialect, Rejection, Request};
use crate::domain::limits::MAX_PAGE;
use crate::domain::{Connection, Event, Message, MessageId, RoomKind, UserId};
use crate::json_fields::LenientId;
use crate::ports::HistoryQuery;
use crate::protocol::{
    AuthExpect, Command, Draft, ErrorCode, HistoryPage, Recipient, Reply, RoomTarget,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The channels a client may emit on, in the order the seed lists them.
pub const EVENTS: &[&str] = &[
    "registerMessages",
    "snippets",
    "conversation",
    "message",
    "startWriting",
    "stopWriting",
];

// ---- inbound ------------------------------------------------------------

/// Every frame's envelope; `data` is read per channel.
#[derive(Deserialize)]
struct Head {
    event: String,
}

#[derive(Deserialize)]
struct WithData<T> {
    data: T,
}

#[derive(Deserialize)]
struct RegisterData {
    token: String,
}

#[derive(Deserialize)]
struct ConversationData {
    id: LenientId,
    /// Banter's extension: page back from this message id.
    before: Option<u64>,
}

#[derive(Deserialize)]
struct MessageData {
    to: LenientId,
    content: String,
}

#[derive(Deserialize)]
struct WritingData {
    id: LenientId,
    /// `stopWriting` carries the token again; the socket is already
    /// registered, so it is accepted and not used.
    #[serde(default, rename = "token")]
    _token: Option<String>,
}

fn info(code: ErrorCode, message: impl Into<String>) -> Rejection {
    Rejection::new(None, code, message)
}

/// The frame's `data`, as channel `event` expects it (`shape` for the error).
fn data<T: DeserializeOwned>(frame: &str, event: &str, shape: &str) -> Result<T, Rejection> {
    frames::typed::<WithData<T>>(frame)
        .map(|with| with.data)
        .map_err(|why| {
            info(
                ErrorCode::InvalidField,
                format!("{event} takes data {shape}: {why}"),
            )
        })
}

fn peer(id: &LenientId, field: &str) -> Result<UserId, Rejection> {
    id.user().ok_or_else(|| {
        info(
            ErrorCode::InvalidField,
            format!("{field} must be a user id"),
        )
    })
}

// ---- outbound -----------------------------------------------------------

#[derive(Serialize)]
struct Out<'a, T> {
    event: &'a str,
    data: T,
}

/// The seed's Message object.
#[derive(Serialize)]
struct WireMessage<'a> {
    id: u64,
    from: u64,
    to: u64,
    content: &'a str,
    /// RFC 3339, UTC, milliseconds (as JavaScript's `toISOString`).
    created_at: String,
    /// For a file message: the download route, relative to the HTTP API's
    /// base URL (a member's bearer token gets a redirect to the bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_name: Option<&'a str>,
}

impl<'a> WireMessage<'a> {
    /// `message`, sent in the DM of `a` and `b`.
    fn new(message: &'a Message, a: UserId, b: UserId) -> Self {
        let from = message.sender_id;
        let to = if from == a { b } else { a };
        Self {
            id: message.id.0,
            from: from.0,
            to: to.0,
            content: &message.text,
            created_at: message.sent_at.rfc3339(),
            file: message
                .file
                .as_ref()
                .map(|f| super::conversations::download_path(message.room_id, &f.file_id)),
            file_name: message.file.as_ref().map(|f| f.name.as_str()),
        }
    }
}

#[derive(Serialize)]
struct Snippet<'a> {
    id: u64,
    message: WireMessage<'a>,
}

#[derive(Serialize)]
struct ConversationOut<'a> {
    id: u64,
    messages: Vec<WireMessage<'a>>,
}

#[derive(Serialize)]
struct Success {
    success: bool,
}

#[derive(Serialize)]
struct Writer {
    id: u64,
}

fn frame<T: Serialize>(event: &str, data: T) -> Option<String> {
    serde_json::to_string(&Out { event, data }).ok()
}

fn conversation(me: Option<UserId>, page: &HistoryPage) -> Option<String> {
    let peer = me.and_then(|me| {
        let member = page.members.iter().map(|m| m.user.id).find(|id| *id != me);
        let sender = page
            .messages
            .iter()
            .map(|m| m.sender_id)
            .find(|id| *id != me);
        member.or(sender).map(|peer| (me, peer))
    });
    let Some((me, peer)) = peer else {
        return frame("info", "conversation not found");
    };
    frame(
        "conversation",
        ConversationOut {
            id: peer.0,
            messages: page
                .messages
                .iter()
                .map(|m| WireMessage::new(m, me, peer))
                .collect(),
        },
    )
}

pub struct Events;

impl Dialect for Events {
    fn connect_plan(&self, _query: &ConnectQuery) -> Result<ConnectPlan, String> {
        Ok(ConnectPlan::first_frame())
    }

    fn decode(&self, connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        let head: Head = frames::head(
            frame,
            "a frame is {\"event\": \"<name>\", \"data\": <value>}",
        )?;
        let event = head.event.as_str();
        if connection.user_id.is_none() && event != "registerMessages" {
            return Err(info(
                ErrorCode::Unauthorized,
                "register first: send registerMessages with your token",
            ));
        }
        let command = match event {
            "registerMessages" => {
                let data: RegisterData = data(frame, event, "{\"token\"}")?;
                Command::Authenticate {
                    token: data.token,
                    expect: AuthExpect::default(),
                }
            }
            "snippets" => Command::ListRooms,
            "conversation" => {
                let data: ConversationData = data(frame, event, "{\"id\"}")?;
                let before = match data.before {
                    Some(id) => Some(MessageId::parse(id).ok_or_else(|| {
                        info(ErrorCode::InvalidField, "before must be a message id")
                    })?),
                    None => None,
                };
                let query = match before {
                    Some(before) => HistoryQuery::Before {
                        before,
                        limit: MAX_PAGE,
                    },
                    None => HistoryQuery::Latest { limit: MAX_PAGE },
                };
                Command::History {
                    room: RoomTarget::DmWith(peer(&data.id, "id")?),
                    query,
                }
            }
            "message" => {
                let data: MessageData = data(frame, event, "{\"to\", \"content\"}")?;
                Command::Send {
                    room: RoomTarget::DmWith(peer(&data.to, "to")?),
                    draft: Draft {
                        text: data.content,
                        ..Draft::default()
                    },
                }
            }
            "startWriting" | "stopWriting" => {
                let data: WritingData = data(frame, event, "{\"id\"}")?;
                Command::Typing {
                    room: RoomTarget::DmWith(peer(&data.id, "id")?),
                    typing: event == "startWriting",
                }
            }
            other => {
                return Err(info(
                    ErrorCode::UnknownAction,
                    format!(
                        "unknown event {other:?}; expected one of {}",
                        EVENTS.join(", ")
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
        connection: &Connection,
        _request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String> {
        let me = connection.user_id;
        let frames = match reply {
            Reply::Authenticated { .. } => vec![frame("registerMessages", "OK")],
            Reply::Sent(_) => vec![frame("message", Success { success: true })],
            Reply::History { page, .. } => vec![conversation(me, page)],
            Reply::Rooms(rooms) => rooms
                .iter()
                .filter(|summary| summary.room.kind == RoomKind::Dm)
                .filter_map(|summary| {
                    let me = me?;
                    // A DM shows once it has a message: a snippet carries one.
                    let last = summary.room.last_message.as_ref()?;
                    let peer = *summary.member_ids.iter().find(|id| **id != me)?;
                    Some(frame(
                        "snippets",
                        Snippet {
                            id: peer.0,
                            message: WireMessage::new(last, me, peer),
                        },
                    ))
                })
                .collect(),
            Reply::Error { message, .. } => vec![frame("info", message.as_str())],
            // Typing and the rest answer nothing: "the sender doesn't care".
            Reply::Done
            | Reply::Read(_)
            | Reply::UnreadTotal(_)
            | Reply::Pong
            | Reply::Sync(_)
            | Reply::Welcome { .. } => Vec::new(),
        };
        frames.into_iter().flatten().collect()
    }

    fn encode_event(
        &self,
        connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        let frame = match event {
            Event::MessageCreated {
                message,
                sender,
                room,
                origin,
                ..
            } => {
                // The sending socket got `{"success": true}` instead.
                if room.kind != RoomKind::Dm || origin.as_ref() == Some(&connection.id) {
                    return Vec::new();
                }
                let Some(peer) = room.member_ids.iter().find(|id| **id != sender.id) else {
                    return Vec::new();
                };
                frame("message", WireMessage::new(message, sender.id, *peer))
            }
            Event::Typing {
                room_kind: RoomKind::Dm,
                user,
                typing,
                ..
            } if user.id != recipient.user_id => {
                let channel = if *typing {
                    "startWriting"
                } else {
                    "stopWriting"
                };
                frame(channel, Writer { id: user.id.0 })
            }
            Event::Typing { .. }
            | Event::Presence { .. }
            | Event::ReadState { .. }
            | Event::MemberAdded { .. }
            | Event::MemberRemoved { .. } => None,
        };
        frame.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::test_fixtures::{
        self, command, json_frames, message, recipient, refused, user,
    };
    use crate::domain::connection::DialectKind;
    use crate::domain::event::RoomRef;
    use crate::domain::{
        ConnectionId, FileAttachment, Membership, Room, RoomId, RoomSummary, Scope, Timestamp,
    };
    use crate::protocol::{MemberState, Sent};
    use serde_json::json;

    fn connection(user: Option<u64>) -> Connection {
        test_fixtures::connection("me-1", DialectKind::Events, user, Scope::AllRooms)
    }

    #[test]
    fn nothing_but_register_messages_is_taken_before_it() {
        let anonymous = connection(None);
        match command(
            &anonymous,
            r#"{"event":"registerMessages","data":{"token":"t"}}"#,
        ) {
            Command::Authenticate { token, expect } => {
                assert_eq!(token, "t");
                assert_eq!(expect, AuthExpect::default());
            }
            other => panic!("{other:?}"),
        }
        let rejection = refused(&anonymous, r#"{"event":"snippets"}"#);
        assert_eq!(rejection.code, ErrorCode::Unauthorized);
        assert!(rejection.message.contains("registerMessages"));
    }

    #[test]
    fn each_channel_decodes_into_its_command() {
        let me = connection(Some(1));
        assert!(matches!(
            command(&me, r#"{"event":"snippets"}"#),
            Command::ListRooms
        ));
        assert!(matches!(
            command(&me, r#"{"event":"snippets","data":{}}"#),
            Command::ListRooms
        ));
        match command(&me, r#"{"event":"conversation","data":{"id":2}}"#) {
            Command::History { room, query } => {
                assert_eq!(room, RoomTarget::DmWith(UserId(2)));
                assert_eq!(query, HistoryQuery::Latest { limit: MAX_PAGE });
            }
            other => panic!("{other:?}"),
        }
        match command(
            &me,
            r#"{"event":"conversation","data":{"id":"2","before":40}}"#,
        ) {
            Command::History { query, .. } => assert_eq!(
                query,
                HistoryQuery::Before {
                    before: MessageId(40),
                    limit: MAX_PAGE
                }
            ),
            other => panic!("{other:?}"),
        }
        match command(&me, r#"{"event":"message","data":{"to":2,"content":"hi"}}"#) {
            Command::Send { room, draft } => {
                assert_eq!(room, RoomTarget::DmWith(UserId(2)));
                assert_eq!(draft.text, "hi");
                assert_eq!(draft.client_message_id, None);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            command(&me, r#"{"event":"startWriting","data":{"id":2}}"#),
            Command::Typing {
                room: RoomTarget::DmWith(UserId(2)),
                typing: true
            }
        ));
        assert!(matches!(
            command(
                &me,
                r#"{"event":"stopWriting","data":{"token":"t","id":2}}"#
            ),
            Command::Typing {
                room: RoomTarget::DmWith(UserId(2)),
                typing: false
            }
        ));
    }

    #[test]
    fn bad_frames_are_refused_with_a_message_and_never_panic() {
        let me = connection(Some(1));
        for (frame, code) in [
            ("", ErrorCode::InvalidJson),
            ("not json", ErrorCode::InvalidJson),
            ("[1]", ErrorCode::InvalidField),
            (r#"["snippets"]"#, ErrorCode::InvalidField),
            ("{}", ErrorCode::InvalidField),
            (r#"{"event":7}"#, ErrorCode::InvalidField),
            (r#"{"event":"dance"}"#, ErrorCode::UnknownAction),
            (r#"{"event":"message"}"#, ErrorCode::InvalidField),
            (
                r#"{"event":"message","data":{"to":2}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"message","data":{"to":0,"content":"x"}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"message","data":{"to":"bob","content":"x"}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"message","data":{"to":-1,"content":"x"}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"conversation","data":{"id":2,"before":0}}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"startWriting","data":[]}"#,
                ErrorCode::InvalidField,
            ),
            (
                r#"{"event":"registerMessages","data":"tok"}"#,
                ErrorCode::InvalidField,
            ),
        ] {
            let rejection = refused(&me, frame);
            assert_eq!(rejection.code, code, "{frame}: {rejection:?}");
            assert!(!rejection.message.is_empty());
            let (_, reply) = rejection.into_reply();
            let frames = json_frames(Events.encode_reply(&me, None, &reply));
            assert_eq!(frames.len(), 1, "{frame}");
            assert_eq!(frames[0]["event"], "info", "{frame}");
            assert!(frames[0]["data"].is_string(), "{frame}");
        }
    }

    #[test]
    fn replies_answer_on_their_channels() {
        let me = connection(Some(1));
        let registered = Reply::Authenticated {
            user: user(1),
            dm: None,
        };
        assert_eq!(
            json_frames(Events.encode_reply(&me, None, &registered)),
            vec![json!({"event": "registerMessages", "data": "OK"})]
        );
        let sent = Reply::Sent(Sent {
            message: message(5, 1, "hi"),
            duplicate: false,
        });
        assert_eq!(
            json_frames(Events.encode_reply(&me, None, &sent)),
            vec![json!({"event": "message", "data": {"success": true}})]
        );
        assert!(Events.encode_reply(&me, None, &Reply::Done).is_empty());
        let error = Reply::Error {
            code: ErrorCode::NotFound,
            message: "conversation not found".into(),
            retry_after_ms: None,
        };
        assert_eq!(
            json_frames(Events.encode_reply(&me, None, &error)),
            vec![json!({"event": "info", "data": "conversation not found"})]
        );
    }

    #[test]
    fn a_conversation_is_oldest_first_with_from_and_to() {
        let me = connection(Some(1));
        let page = HistoryPage {
            messages: vec![message(3, 2, "hello"), message(4, 1, "hi")],
            members: vec![
                MemberState {
                    user: user(1),
                    read_seq: 4,
                },
                MemberState {
                    user: user(2),
                    read_seq: 4,
                },
            ],
            has_more: false,
            backwards: true,
        };
        let reply = Reply::History {
            room_id: RoomId(9),
            page,
        };
        let frames = json_frames(Events.encode_reply(&me, None, &reply));
        assert_eq!(
            frames,
            vec![
                json!({"event": "conversation", "data": {"id": 2, "messages": [
                    {"id": 3, "from": 2, "to": 1, "content": "hello",
                     "created_at": "2026-11-27T02:01:30.123Z"},
                    {"id": 4, "from": 1, "to": 2, "content": "hi",
                     "created_at": "2026-11-27T02:01:30.123Z"},
                ]}})
            ]
        );
    }

    fn summary(id: u64, kind: RoomKind, members: &[u64], last: Option<Message>) -> RoomSummary {
        RoomSummary {
            room: Room {
                id: RoomId(id),
                kind,
                name: None,
                created_by: UserId(1),
                created_at: Timestamp(0),
                message_count: u64::from(last.is_some()),
                last_message: last,
            },
            membership: Membership {
                room_id: RoomId(id),
                user_id: UserId(1),
                joined_at: Timestamp(0),
                read_seq: 0,
                last_read_id: None,
                typing_until: None,
            },
            member_ids: members.iter().copied().map(UserId).collect(),
        }
    }

    #[test]
    fn snippets_are_one_frame_per_dm_with_a_message() {
        let me = connection(Some(1));
        let rooms = Reply::Rooms(vec![
            summary(1, RoomKind::Dm, &[1, 2], Some(message(7, 2, "latest"))),
            summary(2, RoomKind::Group, &[1, 2, 3], Some(message(8, 3, "group"))),
            summary(3, RoomKind::Dm, &[3, 1], None),
            summary(4, RoomKind::Dm, &[1, 4], Some(message(6, 1, "mine"))),
        ]);
        let frames = json_frames(Events.encode_reply(&me, None, &rooms));
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert_eq!(frames[0]["event"], "snippets");
        assert_eq!(frames[0]["data"]["id"], 2);
        assert_eq!(frames[0]["data"]["message"]["content"], "latest");
        assert_eq!(frames[0]["data"]["message"]["to"], 1);
        assert_eq!(frames[1]["data"]["id"], 4);
        assert_eq!(frames[1]["data"]["message"]["from"], 1);
        assert_eq!(frames[1]["data"]["message"]["to"], 4);
    }

    fn created(room_kind: RoomKind, origin: Option<&str>) -> Event {
        let mut message = message(11, 1, "hey");
        message.file = Some(FileAttachment {
            file_id: "ab".into(),
            name: "cat.png".into(),
            content_type: "image/png".into(),
            size: 3,
        });
        Event::MessageCreated {
            message,
            sender: user(1),
            room: RoomRef {
                id: RoomId(9),
                kind: room_kind,
                name: None,
                member_ids: vec![UserId(1), UserId(2)],
            },
            unread_counts: vec![(UserId(1), 0), (UserId(2), 1)],
            origin: origin.map(|o| ConnectionId(o.into())),
        }
    }

    #[test]
    fn a_dm_message_reaches_everyone_but_the_sending_socket() {
        let bob = Connection {
            id: ConnectionId("bob-1".into()),
            ..connection(Some(2))
        };
        let to_bob = recipient(2, None);
        let frames =
            json_frames(Events.encode_event(&bob, &to_bob, &created(RoomKind::Dm, Some("me-1"))));
        assert_eq!(
            frames,
            vec![json!({"event": "message", "data": {
                "id": 11, "from": 1, "to": 2, "content": "hey",
                "created_at": "2026-11-27T02:01:30.123Z",
                "file": "/rooms/9/files/ab", "file_name": "cat.png"}})]
        );
        let sender = connection(Some(1));
        let to_sender = recipient(1, None);
        let event = created(RoomKind::Dm, Some("me-1"));
        assert!(Events.encode_event(&sender, &to_sender, &event).is_empty());
        let other_socket = created(RoomKind::Dm, Some("laptop"));
        assert_eq!(
            Events
                .encode_event(&sender, &to_sender, &other_socket)
                .len(),
            1
        );
        let group = created(RoomKind::Group, None);
        assert!(Events.encode_event(&bob, &to_bob, &group).is_empty());
    }

    #[test]
    fn dm_typing_becomes_start_and_stop_writing_and_group_typing_is_skipped() {
        let bob = connection(Some(2));
        let to_bob = recipient(2, None);
        let typing = |kind, typing| Event::Typing {
            room_id: RoomId(9),
            room_kind: kind,
            user: user(1),
            typing,
            expires_at: None,
        };
        assert_eq!(
            json_frames(Events.encode_event(&bob, &to_bob, &typing(RoomKind::Dm, true))),
            vec![json!({"event": "startWriting", "data": {"id": 1}})]
        );
        assert_eq!(
            json_frames(Events.encode_event(&bob, &to_bob, &typing(RoomKind::Dm, false))),
            vec![json!({"event": "stopWriting", "data": {"id": 1}})]
        );
        assert!(
            Events
                .encode_event(&bob, &to_bob, &typing(RoomKind::Group, true))
                .is_empty()
        );
        let presence = Event::Presence {
            user: user(1),
            online: true,
            room_ids: vec![RoomId(9)],
        };
        assert!(Events.encode_event(&bob, &to_bob, &presence).is_empty());
    }
}
