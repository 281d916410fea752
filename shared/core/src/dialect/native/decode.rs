//! Client frames → commands. Every failure is a typed rejection that names
//! the problem; nothing here can panic on client input.

use crate::dialect::{Rejection, Request};
use crate::domain::limits::DEFAULT_PAGE;
use crate::domain::{MessageId, RoomId};
use crate::json_fields::{self, FieldError};
use crate::ports::HistoryQuery;
use crate::protocol::pages::DEFAULT_SYNC_LIMIT;
use crate::protocol::{Command, Draft, ErrorCode, RoomTarget};
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

/// A sync's cursors by room (`None`: from the start), and its limit.
pub type SyncRequest = (BTreeMap<RoomId, Option<MessageId>>, usize);

impl SyncFrame {
    /// The cursors by room, and the limit (default `DEFAULT_SYNC_LIMIT`).
    pub fn read(self) -> Result<SyncRequest, FieldError> {
        let mut cursors = BTreeMap::new();
        for (room_id, cursor) in self.cursors {
            let room = room_id
                .parse::<u64>()
                .ok()
                .and_then(RoomId::parse)
                .ok_or_else(|| {
                    FieldError::unfit("cursors", format!("cursors: {room_id:?} is not a room id"))
                })?;
            let field = format!("cursors.{room_id}");
            let cursor = cursor_or_start(&field, cursor)?;
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
    let invalid =
        |e: FieldError| Rejection::new(request_id.clone(), ErrorCode::InvalidField, e.to_string());
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
            let f: SendFrame = fields(object).map_err(invalid)?;
            Command::Send {
                room: RoomTarget::Id(room(f.room_id).map_err(invalid)?),
                draft: Draft {
                    text: f.text,
                    client_message_id: f.client_message_id,
                    file_id: f.file_id,
                },
            }
        }
        "typing" => {
            let f: TypingFrame = fields(object).map_err(invalid)?;
            Command::Typing {
                room: RoomTarget::Id(room(f.room_id).map_err(invalid)?),
                typing: f.typing,
            }
        }
        "read" => {
            let f: ReadFrame = fields(object).map_err(invalid)?;
            Command::MarkRead {
                room: RoomTarget::Id(room(f.room_id).map_err(invalid)?),
                up_to: match f.message_id {
                    Some(id) => Some(message(id).map_err(invalid)?),
                    None => None,
                },
            }
        }
        "history" => {
            let f: HistoryFrame = fields(object).map_err(invalid)?;
            Command::History {
                room: RoomTarget::Id(room(f.room_id).map_err(invalid)?),
                query: history_query(f.before, f.after, f.limit).map_err(invalid)?,
            }
        }
        "rooms" => Command::ListRooms,
        "sync" => {
            let f: SyncFrame = fields(object).map_err(invalid)?;
            let (cursors, limit) = f.read().map_err(invalid)?;
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
) -> Result<HistoryQuery, FieldError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    match (before, after) {
        (Some(_), Some(_)) => Err(FieldError::unfit(
            "before",
            "give before or after, not both",
        )),
        (Some(before), None) => Ok(HistoryQuery::Before {
            before: cursor("before", before)?,
            limit,
        }),
        (None, Some(after)) => Ok(HistoryQuery::After {
            after: cursor_or_start("after", after)?,
            limit,
        }),
        (None, None) => Ok(HistoryQuery::Latest { limit }),
    }
}

fn fields<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, FieldError> {
    json_fields::from_object(object)
}

fn room(id: u64) -> Result<RoomId, FieldError> {
    RoomId::parse(id)
        .ok_or_else(|| FieldError::unfit("room_id", format!("room_id {id} is out of range")))
}

fn message(id: u64) -> Result<MessageId, FieldError> {
    MessageId::parse(id)
        .ok_or_else(|| FieldError::unfit("message_id", format!("message_id {id} is out of range")))
}

fn cursor(field: &str, id: u64) -> Result<MessageId, FieldError> {
    MessageId::parse(id)
        .ok_or_else(|| FieldError::unfit(field, format!("{field}: cursor {id} is out of range")))
}

/// A cursor of `0` means "from the very beginning".
fn cursor_or_start(field: &str, id: u64) -> Result<Option<MessageId>, FieldError> {
    if id == 0 {
        Ok(None)
    } else {
        cursor(field, id).map(Some)
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
