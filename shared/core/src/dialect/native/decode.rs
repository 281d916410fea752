//! Client frames → commands. Every failure is a typed rejection that names
//! the problem; nothing here can panic on client input.

use crate::dialect::{Rejection, Request};
use crate::domain::limits::DEFAULT_PAGE;
use crate::domain::{MessageId, RoomId};
use crate::ports::HistoryQuery;
use crate::protocol::Draft;
use crate::protocol::ErrorCode;
use crate::protocol::pages::DEFAULT_SYNC_LIMIT;
use crate::protocol::{Command, RoomTarget};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct SendFrame {
    room_id: u64,
    #[serde(default)]
    text: String,
    client_message_id: Option<String>,
    file_id: Option<String>,
}

#[derive(Deserialize)]
struct TypingFrame {
    room_id: u64,
    typing: bool,
}

#[derive(Deserialize)]
struct ReadFrame {
    room_id: u64,
    message_id: Option<u64>,
}

#[derive(Deserialize)]
struct HistoryFrame {
    room_id: u64,
    before: Option<u64>,
    after: Option<u64>,
    limit: Option<usize>,
}

/// `sync`: per-room cursors (room id → newest message id held), and how
/// many messages at most. Shared with `POST /sync`.
#[derive(Deserialize, Default)]
pub struct SyncFrame {
    #[serde(default)]
    pub cursors: BTreeMap<String, u64>,
    pub limit: Option<usize>,
}

impl SyncFrame {
    /// The cursors by room, and the limit (default `DEFAULT_SYNC_LIMIT`).
    pub fn read(self) -> Result<(BTreeMap<RoomId, MessageId>, usize), String> {
        let mut cursors = BTreeMap::new();
        for (room_id, cursor) in self.cursors {
            let room = room_id
                .parse::<u64>()
                .ok()
                .and_then(RoomId::parse)
                .ok_or_else(|| format!("cursors: {room_id:?} is not a room id"))?;
            let cursor = cursor_or_start(cursor).map_err(|e| format!("cursors.{room_id}: {e}"))?;
            cursors.insert(room, cursor);
        }
        Ok((cursors, self.limit.unwrap_or(DEFAULT_SYNC_LIMIT)))
    }
}

pub const ACTIONS: &[&str] = &["send", "typing", "read", "history", "rooms", "sync", "ping"];

pub fn decode(frame: &str) -> Result<Request, Rejection> {
    let object: Map<String, Value> = serde_json::from_str(frame).map_err(|e| {
        Rejection::new(
            None,
            ErrorCode::InvalidJson,
            format!("frame is not a JSON object: {e}"),
        )
    })?;
    let request_id = match object.get("request_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if (1..=64).contains(&id.len()) => Some(id.clone()),
        Some(_) => {
            return Err(Rejection::new(
                None,
                ErrorCode::InvalidField,
                "request_id must be a string of 1 to 64 bytes",
            ));
        }
    };
    let reject = |code, message: String| Rejection::new(request_id.clone(), code, message);
    let action = match object.get("action") {
        Some(Value::String(action)) => action.clone(),
        Some(_) => {
            return Err(reject(
                ErrorCode::InvalidField,
                "action must be a string".into(),
            ));
        }
        None => return Err(reject(ErrorCode::InvalidField, "action is required".into())),
    };
    let command = match action.as_str() {
        "send" => {
            let f: SendFrame = fields(object).map_err(|m| reject(ErrorCode::InvalidField, m))?;
            Command::Send {
                room: RoomTarget::Id(
                    room(f.room_id).map_err(|m| reject(ErrorCode::InvalidField, m))?,
                ),
                draft: Draft {
                    text: f.text,
                    client_message_id: f.client_message_id,
                    file_id: f.file_id,
                },
            }
        }
        "typing" => {
            let f: TypingFrame = fields(object).map_err(|m| reject(ErrorCode::InvalidField, m))?;
            Command::Typing {
                room: RoomTarget::Id(
                    room(f.room_id).map_err(|m| reject(ErrorCode::InvalidField, m))?,
                ),
                typing: f.typing,
            }
        }
        "read" => {
            let f: ReadFrame = fields(object).map_err(|m| reject(ErrorCode::InvalidField, m))?;
            Command::MarkRead {
                room: RoomTarget::Id(
                    room(f.room_id).map_err(|m| reject(ErrorCode::InvalidField, m))?,
                ),
                up_to: match f.message_id {
                    Some(id) => Some(message(id).map_err(|m| reject(ErrorCode::InvalidField, m))?),
                    None => None,
                },
            }
        }
        "history" => {
            let f: HistoryFrame = fields(object).map_err(|m| reject(ErrorCode::InvalidField, m))?;
            Command::History {
                room: RoomTarget::Id(
                    room(f.room_id).map_err(|m| reject(ErrorCode::InvalidField, m))?,
                ),
                query: history_query(f.before, f.after, f.limit)
                    .map_err(|m| reject(ErrorCode::InvalidField, m))?,
            }
        }
        "rooms" => Command::ListRooms,
        "sync" => {
            let f: SyncFrame = fields(object).map_err(|m| reject(ErrorCode::InvalidField, m))?;
            let (cursors, limit) = f.read().map_err(|m| reject(ErrorCode::InvalidField, m))?;
            Command::Sync { cursors, limit }
        }
        "ping" => Command::Ping,
        other => {
            return Err(reject(
                ErrorCode::UnknownAction,
                format!(
                    "unknown action {other:?}; expected one of {}",
                    ACTIONS.join(", ")
                ),
            ));
        }
    };
    Ok(Request {
        request_id,
        command,
    })
}

/// Shared with the REST API's history query string.
pub fn history_query(
    before: Option<u64>,
    after: Option<u64>,
    limit: Option<usize>,
) -> Result<HistoryQuery, String> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    match (before, after) {
        (Some(_), Some(_)) => Err("give before or after, not both".into()),
        (Some(before), None) => Ok(HistoryQuery::Before {
            before: cursor(before)?,
            limit,
        }),
        (None, Some(after)) => Ok(HistoryQuery::After {
            after: cursor_or_start(after)?,
            limit,
        }),
        (None, None) => Ok(HistoryQuery::Latest { limit }),
    }
}

fn fields<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, String> {
    crate::json_fields::from_object(object).map_err(|e| e.to_string())
}

fn room(id: u64) -> Result<RoomId, String> {
    RoomId::parse(id).ok_or_else(|| format!("room_id {id} is out of range"))
}

fn message(id: u64) -> Result<MessageId, String> {
    MessageId::parse(id).ok_or_else(|| format!("message_id {id} is out of range"))
}

fn cursor(id: u64) -> Result<MessageId, String> {
    MessageId::parse(id).ok_or_else(|| format!("cursor {id} is out of range"))
}

/// `after: 0` means "from the very beginning".
fn cursor_or_start(id: u64) -> Result<MessageId, String> {
    if id == 0 {
        Ok(MessageId(0))
    } else {
        cursor(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(frame: &str) -> ErrorCode {
        match decode(frame) {
            Err(rejection) => rejection.code,
            Ok(request) => panic!("decoded {frame} into {request:?}"),
        }
    }

    #[test]
    fn bad_frames_get_typed_errors() {
        assert_eq!(code("not json"), ErrorCode::InvalidJson);
        assert_eq!(code("[1,2]"), ErrorCode::InvalidJson);
        assert_eq!(code(r#"{"action":"dance"}"#), ErrorCode::UnknownAction);
        assert_eq!(code(r#"{"room_id":1}"#), ErrorCode::InvalidField);
        assert_eq!(
            code(r#"{"action":"send","room_id":"one","text":"x"}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(
            code(r#"{"action":"send","room_id":0,"text":"x"}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(
            code(r#"{"action":"typing","room_id":1,"typing":"yes"}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(
            code(r#"{"action":"history","room_id":1,"before":5,"after":2}"#),
            ErrorCode::InvalidField
        );
        assert_eq!(
            code(r#"{"action":"ping","request_id":7}"#),
            ErrorCode::InvalidField
        );
    }

    #[test]
    fn the_request_id_comes_back_with_an_error() {
        let rejection = decode(r#"{"action":"nope","request_id":"r1"}"#).err();
        assert_eq!(rejection.and_then(|r| r.request_id).as_deref(), Some("r1"));
    }

    #[test]
    fn a_send_decodes_with_its_idempotency_key() {
        let request = decode(
            r#"{"action":"send","request_id":"r","room_id":3,"text":"hi","client_message_id":"c1"}"#,
        );
        match request.map(|r| r.command) {
            Ok(Command::Send { room, draft }) => {
                assert_eq!(room, RoomTarget::Id(RoomId(3)));
                assert_eq!(draft.text, "hi");
                assert_eq!(draft.client_message_id.as_deref(), Some("c1"));
            }
            other => panic!("{other:?}"),
        }
    }
}
