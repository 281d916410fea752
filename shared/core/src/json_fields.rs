//! Reading a client's JSON object into a typed struct, with errors in
//! Banter's own words that name the field: `room_id: must be a whole
//! number, 0 or more`, `text is required`. Every dialect and the REST API read
//! their inbound objects here, so clients never see serde's internals
//! (`invalid type: string "seven", expected u64`). The lenient member types
//! the seed APIs need ([`Loose`], [`LenientId`]) live here too.

use crate::domain::{RoomId, UserId};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};
use std::fmt;

/// A field that is missing or does not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field (`cursors.7`), or empty for the object itself.
    pub field: String,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Missing,
    /// What the value must be, e.g. "a string".
    MustBe(String),
    /// A well-typed value that does not fit, in a whole sentence
    /// (`room_id 0 is out of range`).
    Unfit(String),
}

impl FieldError {
    /// A value of the right type that does not fit, said in `sentence`.
    pub fn unfit(field: impl Into<String>, sentence: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: Problem::Unfit(sentence.into()),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.problem, self.field.as_str()) {
            (Problem::Missing, field) => write!(f, "{field} is required"),
            (Problem::MustBe(what), "") => write!(f, "the value must be {what}"),
            (Problem::MustBe(what), field) => write!(f, "{field}: must be {what}"),
            (Problem::Unfit(sentence), _) => f.write_str(sentence),
        }
    }
}

/// `T` from an object's members.
pub fn from_object<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, FieldError> {
    from_value(Value::Object(object))
}

/// `T` from any JSON value.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        describe(if path == "." { "" } else { &path }, &message)
    })
}

/// Turns serde's message into Banter's words.
fn describe(path: &str, message: &str) -> FieldError {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return FieldError {
            field,
            problem: Problem::Missing,
        };
    }
    let expected = message
        .rsplit_once(", expected ")
        .map_or("", |(_, expected)| expected);
    FieldError {
        field: path.to_owned(),
        problem: Problem::MustBe(must_be(expected, message)),
    }
}

fn must_be(expected: &str, message: &str) -> String {
    let what = match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a string" | "a borrowed string" | "a character" => "a string",
        "a boolean" => "true or false",
        "a sequence" => "an array",
        _ if expected.starts_with("struct ") || expected == "a map" => "an object",
        _ if expected.starts_with("one of ") => {
            return format!(
                "one of {}",
                expected.trim_start_matches("one of ").replace('`', "")
            );
        }
        _ if message.starts_with("unknown variant") => "one of the documented values",
        _ => "of the documented type",
    };
    what.to_owned()
}

// ---- lenient members --------------------------------------------------

/// A value of the expected type, or anything else (kept apart so a
/// mistyped field gets its own error instead of failing the whole frame).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Loose<T> {
    Valid(T),
    Invalid(IgnoredAny),
}

impl<T> Loose<T> {
    /// The value, if the field was there with the expected type.
    pub fn valid(this: Option<Self>) -> Option<T> {
        match Self::read(this) {
            Field::Valid(value) => Some(value),
            Field::Absent | Field::Invalid => None,
        }
    }

    /// What an optional member held.
    pub fn read(this: Option<Self>) -> Field<T> {
        match this {
            None => Field::Absent,
            Some(Self::Valid(value)) => Field::Valid(value),
            Some(Self::Invalid(_)) => Field::Invalid,
        }
    }
}

/// What an optional, loosely typed member held: nothing (absent or null),
/// a usable value, or junk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field<T> {
    Absent,
    Valid(T),
    Invalid,
}

/// An id as a client may write it: a number (`7`) or a string of digits
/// (`"7"`), so clients written for either form keep working.
///
/// `expecting` keeps the text of the error serde gives for anything else,
/// which the events dialect passes on to its clients, as it was when that
/// dialect had this type to itself under the name `PeerId`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "data did not match any variant of untagged enum PeerId"
)]
pub enum LenientId {
    Number(u64),
    Text(String),
}

impl LenientId {
    pub fn number(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(text) => text.trim().parse().ok(),
        }
    }

    pub fn user(&self) -> Option<UserId> {
        self.number().and_then(UserId::parse)
    }

    pub fn room(&self) -> Option<RoomId> {
        self.number().and_then(RoomId::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Frame {
        room_id: u64,
        text: String,
        typing: Option<bool>,
        cursors: Option<BTreeMap<String, u64>>,
    }

    fn error(value: Value) -> String {
        match from_value::<Frame>(value) {
            Err(e) => e.to_string(),
            Ok(frame) => panic!("accepted {frame:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_in_our_words() {
        assert_eq!(
            error(json!({"room_id": "seven", "text": "x"})),
            "room_id: must be a whole number, 0 or more"
        );
        assert_eq!(
            error(json!({"room_id": -1, "text": "x"})),
            "room_id: must be a whole number, 0 or more"
        );
        assert_eq!(error(json!({"room_id": 1})), "text is required");
        assert_eq!(
            error(json!({"room_id": 1, "text": 5})),
            "text: must be a string"
        );
        assert_eq!(
            error(json!({"room_id": 1, "text": "x", "typing": "yes"})),
            "typing: must be true or false"
        );
        assert_eq!(
            error(json!({"room_id": 1, "text": "x", "cursors": {"7": "x"}})),
            "cursors.7: must be a whole number, 0 or more"
        );
        assert_eq!(error(json!([1])), "the value must be an object");
    }
}
