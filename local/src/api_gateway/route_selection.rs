//! API Gateway's route selection for WebSocket messages: evaluate the API's
//! `RouteSelectionExpression` on the message's JSON, pick the route with
//! that key, else `$default`, else none (the client gets "Forbidden").

use serde_json::Value;

/// A parsed `RouteSelectionExpression`: either one selector
/// (`$request.body.action`, the usual form) or a template mixing literals
/// and `${request.body.x}` selectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSelection {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A path into the JSON body, one member name per segment.
    Body(Vec<String>),
}

impl RouteSelection {
    pub fn parse(expression: &str) -> anyhow::Result<Self> {
        let expression = expression.trim();
        if let Some(path) = expression.strip_prefix("$request.body.") {
            return Ok(Self {
                parts: vec![Part::Body(body_path(path)?)],
            });
        }
        let mut parts = Vec::new();
        let mut rest = expression;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| anyhow::anyhow!("unclosed ${{ in {expression:?}"))?;
            let selector = after[..end].trim();
            let path = selector.strip_prefix("request.body.").ok_or_else(|| {
                anyhow::anyhow!(
                    "RouteSelectionExpression {expression:?}: only request.body selectors \
                     are supported, not {selector:?}"
                )
            })?;
            parts.push(Part::Body(body_path(path)?));
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        if !parts.iter().any(|p| matches!(p, Part::Body(_))) {
            anyhow::bail!(
                "RouteSelectionExpression {expression:?} selects nothing: use $request.body.<field>"
            );
        }
        Ok(Self { parts })
    }

    /// The route key a message selects, if its body yields one: `None` for
    /// non-JSON text or a missing/non-scalar member.
    pub fn evaluate(&self, body: &str) -> Option<String> {
        let json: Value = serde_json::from_str(body).ok()?;
        let mut key = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => key.push_str(text),
                Part::Body(path) => {
                    let value = path.iter().try_fold(&json, |v, name| v.get(name))?;
                    match value {
                        Value::String(s) => key.push_str(s),
                        Value::Number(n) => key.push_str(&n.to_string()),
                        Value::Bool(b) => key.push_str(&b.to_string()),
                        _ => return None,
                    }
                }
            }
        }
        Some(key)
    }

    /// The route for a message among `route_keys`: the selected key if such
    /// a route exists (`$connect`/`$disconnect` are never selectable), else
    /// `$default` if it exists.
    pub fn select<'k>(
        &self,
        body: Option<&str>,
        route_keys: impl IntoIterator<Item = &'k str> + Clone,
    ) -> Option<&'k str> {
        let selected = body.and_then(|b| self.evaluate(b));
        let routable = |key: &&str| *key != "$connect" && *key != "$disconnect";
        if let Some(selected) = selected {
            if let Some(key) = route_keys
                .clone()
                .into_iter()
                .filter(routable)
                .find(|k| *k == selected)
            {
                return Some(key);
            }
        }
        route_keys.into_iter().find(|k| *k == "$default")
    }
}

fn body_path(path: &str) -> anyhow::Result<Vec<String>> {
    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
    if segments.iter().any(String::is_empty) {
        anyhow::bail!("bad body path {path:?} in RouteSelectionExpression");
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 5] = ["$connect", "$disconnect", "$default", "send", "typing"];

    fn action() -> RouteSelection {
        RouteSelection::parse("$request.body.action").expect("valid")
    }

    #[test]
    fn given_a_known_action_then_its_route_wins() {
        assert_eq!(
            action().select(Some(r#"{"action":"send","x":1}"#), KEYS),
            Some("send")
        );
    }

    #[test]
    fn given_an_unknown_action_non_json_or_no_action_then_default() {
        for body in [
            r#"{"action":"nope"}"#,
            "not json",
            r#"{"type":"send"}"#,
            r#"["send"]"#,
        ] {
            assert_eq!(
                action().select(Some(body), KEYS),
                Some("$default"),
                "{body}"
            );
        }
        assert_eq!(action().select(None, KEYS), Some("$default"));
    }

    #[test]
    fn given_a_reserved_key_as_action_then_it_is_not_selected() {
        assert_eq!(
            action().select(Some(r#"{"action":"$connect"}"#), KEYS),
            Some("$default")
        );
    }

    #[test]
    fn given_no_default_route_then_nothing_is_selected() {
        assert_eq!(
            action().select(Some(r#"{"action":"nope"}"#), ["send"]),
            None
        );
    }

    #[test]
    fn dotted_paths_and_templates_are_evaluated() {
        let nested = RouteSelection::parse("$request.body.meta.kind").expect("valid");
        assert_eq!(
            nested.evaluate(r#"{"meta":{"kind":"typing"}}"#).as_deref(),
            Some("typing")
        );
        assert_eq!(nested.evaluate(r#"{"meta":{"kind":{"x":1}}}"#), None);
        let template =
            RouteSelection::parse("${request.body.service}/${request.body.v}").expect("valid");
        assert_eq!(
            template.evaluate(r#"{"service":"chat","v":2}"#).as_deref(),
            Some("chat/2")
        );
        assert!(RouteSelection::parse("$request.header.x").is_err());
        assert!(RouteSelection::parse("$request.body.").is_err());
    }
}
