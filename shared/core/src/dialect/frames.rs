//! What the JSON dialects share to read a client's frame and to show a
//! message: pure helpers, no wire format of their own. Each dialect still
//! says its errors its own way (`encode_reply`).

use super::Rejection;
use crate::domain::Message;
use crate::protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The frame's head as `T` (the members that say what the frame is). Bad
/// JSON is `InvalidJson`; JSON that is not an object, or an object without
/// the head, is `InvalidField` with `shape`, the dialect's description of a
/// frame.
pub(super) fn head<T: DeserializeOwned>(frame: &str, shape: &str) -> Result<T, Rejection> {
    let wrong_shape = || Rejection::new(None, ErrorCode::InvalidField, shape);
    match serde_json::from_str(frame) {
        // serde reads a struct from an array too; these APIs' frames are objects.
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
/// `json_fields::Loose`, so that only a frame that is not a JSON object fails (with
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

/// The text a seed client shows for a message: a file message without text
/// (sent through another dialect) shows its file's name.
pub(super) fn shown_text(m: &Message) -> &str {
    match &m.file {
        Some(file) if m.text.is_empty() => &file.name,
        _ => &m.text,
    }
}
