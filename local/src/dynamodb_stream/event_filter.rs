//! Lambda event-filtering patterns (the EventBridge pattern syntax of an
//! event source mapping's `FilterCriteria`), the subset banter-local needs
//! to decide which stream records a function would receive: nested objects,
//! lists of allowed values, `exists` and `prefix`.

use serde_json::Value;

/// Whether `event` matches `pattern`. Unknown operators never match, so a
/// pattern banter-local cannot judge fails loudly in tests instead of
/// passing everything.
pub fn matches(pattern: &Value, event: &Value) -> bool {
    let Some(fields) = pattern.as_object() else {
        return false;
    };
    fields.iter().all(|(key, expected)| {
        let actual = event.get(key);
        match expected {
            Value::Object(_) => actual.is_some_and(|inner| matches(expected, inner)),
            Value::Array(allowed) => allowed.iter().any(|rule| rule_matches(rule, actual)),
            _ => false,
        }
    })
}

fn rule_matches(rule: &Value, actual: Option<&Value>) -> bool {
    match rule {
        Value::Object(operator) => match operator.iter().next() {
            Some((name, Value::Bool(wanted))) if name == "exists" => actual.is_some() == *wanted,
            Some((name, Value::String(prefix))) if name == "prefix" => actual
                .and_then(Value::as_str)
                .is_some_and(|text| text.starts_with(prefix.as_str())),
            _ => false,
        },
        literal => actual.is_some_and(|value| value == literal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_welcome_filter_selects_greeting_connections_only() {
        let pattern = json!({
            "eventName": ["INSERT"],
            "dynamodb": {
                "Keys": { "sk": { "S": ["CONN"] } },
                "NewImage": { "dialect": { "S": ["conversations", "notifications"] } }
            }
        });
        let record = |event: &str, sk: &str, dialect: &str| {
            json!({
                "eventName": event,
                "dynamodb": {
                    "Keys": { "pk": { "S": "CONN#x" }, "sk": { "S": sk } },
                    "NewImage": { "dialect": { "S": dialect } }
                }
            })
        };
        assert!(matches(
            &pattern,
            &record("INSERT", "CONN", "conversations")
        ));
        assert!(matches(
            &pattern,
            &record("INSERT", "CONN", "notifications")
        ));
        assert!(!matches(&pattern, &record("INSERT", "CONN", "native")));
        assert!(!matches(
            &pattern,
            &record("MODIFY", "CONN", "conversations")
        ));
        assert!(!matches(
            &pattern,
            &record("INSERT", "CONN#x", "conversations")
        ));
    }

    #[test]
    fn exists_prefix_and_unknown_operators() {
        let event = json!({ "a": { "b": "CONN#1" } });
        assert!(matches(
            &json!({ "a": { "b": [{ "prefix": "CONN#" }] } }),
            &event
        ));
        assert!(matches(
            &json!({ "a": { "b": [{ "exists": true }] } }),
            &event
        ));
        assert!(matches(
            &json!({ "a": { "c": [{ "exists": false }] } }),
            &event
        ));
        assert!(!matches(
            &json!({ "a": { "b": [{ "numeric": [">", 1] }] } }),
            &event
        ));
    }
}
