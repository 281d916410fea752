//! Reading a client's JSON object into a typed struct, with errors in
//! Banter's own words that name the field: `room_id: must be a whole
//! number, 0 or more`, `text is required`. Every dialect and the REST API read
//! their inbound objects here, so clients never see serde's internals
//! (`invalid type: string "seven", expected u64`).

use serde::de::DeserializeOwned;
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
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.problem, self.field.as_str()) {
            (Problem::Missing, field) => write!(f, "{field} is required"),
            (Problem::MustBe(what), "") => write!(f, "the value must be {what}"),
            (Problem::MustBe(what), field) => write!(f, "{field}: must be {what}"),
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
