//! What the JSON dialects share to read a client's frame and to show a
//! message: pure helpers, no wire format of their own. Each dialect still
//! says its errors its own way (`encode_reply`).

use super::Rejection;
use crate::domain::{Message, RoomId, UserId};
use crate::protocol::ErrorCode;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};

/// The frame's head as `T` (the members that say what the frame is). Bad
/// JSON is `InvalidJson`; JSON that is not an object, or an object without
/// the head, is `InvalidField` with `shape`, the dialect's description of a
/// frame.
pub(super) fn head<T: DeserializeOwned>(frame: &str, shape: &str) -> Result<T, Rejection> {
    let wrong_shape = || Rejection::new(None, ErrorCode::InvalidField, shape);
    match serde_json::from_str(frame) {
        // serde reads a struct from an array too; the seeds' frames are objects.
        Ok(head) if frame.trim_start().starts_with('{') => Ok(head),
        Ok(_) => Err(wrong_shape()),
        Err(e) if e.is_data() => Err(wrong_shape()),
        Err(e) => Err(Rejection::new(
            None,
            ErrorCode::InvalidJson,
            format!("the frame is not JSON: {e}"),
        )),
    }
}

/// The frame as `T`, read through `json_fields`: the error, in Banter's
/// words, names the field (the dialect wraps it in its own sentence).
pub(super) fn typed<T: DeserializeOwned>(frame: &str) -> Result<T, String> {
    let value: Value =
        serde_json::from_str(frame).map_err(|_| "the frame is not JSON".to_owned())?;
    crate::json_fields::from_value(value).map_err(|e| e.to_string())
}

/// The frame as `T`, a struct whose members are all optional and
/// [`Loose`], so that only a frame that is not a JSON object fails (with
/// `InvalidJson`). Read through a map: a repeated member counts once, the
/// last.
pub(super) fn loose_object<T: DeserializeOwned>(frame: &str) -> Result<T, Rejection> {
    let not_an_object = || {
        Rejection::new(
            None,
            ErrorCode::InvalidJson,
            "the frame must be a JSON object",
        )
    };
    let object: Map<String, Value> = serde_json::from_str(frame).map_err(|_| not_an_object())?;
    T::deserialize(Value::Object(object)).map_err(|_| not_an_object())
}

/// A value of the expected type, or anything else (kept apart so a
/// mistyped field gets its own error instead of failing the whole frame).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Loose<T> {
    Valid(T),
    Invalid(IgnoredAny),
}

impl<T> Loose<T> {
    /// The value, if the field was there with the expected type.
    pub(super) fn valid(this: Option<Self>) -> Option<T> {
        match this {
            Some(Self::Valid(value)) => Some(value),
            Some(Self::Invalid(_)) | None => None,
        }
    }
}

/// An id as a client may write it: a number (`7`) or a string of digits
/// (`"7"`), so clients written for either form keep working.
///
/// `expecting` keeps the text of the error serde gives for anything else,
/// which the events dialect passes on to its clients, as it was when that
/// dialect had this type to itself under the name `PeerId`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "data did not match any variant of untagged enum PeerId"
)]
pub(super) enum LenientId {
    Number(u64),
    Text(String),
}

impl LenientId {
    fn number(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(text) => text.trim().parse().ok(),
        }
    }

    pub(super) fn user(&self) -> Option<UserId> {
        self.number().and_then(UserId::parse)
    }

    pub(super) fn room(&self) -> Option<RoomId> {
        self.number().and_then(RoomId::parse)
    }
}

/// The text a seed client shows for a message: a file message without text
/// (sent through another dialect) shows its file's name.
pub(super) fn shown_text(m: &Message) -> &str {
    match &m.file {
        Some(file) if m.text.is_empty() => &file.name,
        _ => &m.text,
    }
}
