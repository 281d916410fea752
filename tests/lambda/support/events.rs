//! The sample events of `events/` and which function each one reaches,
//! by the routes `template.yaml` declares (read with banter-local's parser).

use banter_local::ApiTemplate;
use banter_template::{HttpRoute, WsRoute};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The token placeholder of the samples (`sam local invoke -e` users paste a
/// real one from `POST /auth/login`).
pub const TOKEN_PLACEHOLDER: &str = "REPLACE_WITH_A_TOKEN_FROM_POST_/auth/login";

pub use banter_testkit::workspace_root as root;

pub fn dir() -> PathBuf {
    root().join("events")
}

/// Every `events/*.json`, sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir().display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

pub fn load(name: &str) -> Value {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

pub fn template() -> &'static ApiTemplate {
    static TEMPLATE: OnceLock<ApiTemplate> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        ApiTemplate::load(&root().join("template.yaml"))
            .unwrap_or_else(|e| panic!("template.yaml: {e:#}"))
    })
}

/// What kind of event a sample is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// HTTP API payload 2.0, by its route key (`POST /auth/login`).
    Http(String),
    /// WebSocket API, by its route key (`$connect`, `send`, `$default`).
    WebSocket(String),
    /// DynamoDB stream records.
    Stream,
}

pub fn kind(event: &Value) -> Kind {
    if event["Records"].is_array() {
        return Kind::Stream;
    }
    if event["version"] == "2.0" {
        return Kind::Http(event["routeKey"].as_str().unwrap_or_default().to_owned());
    }
    Kind::WebSocket(
        event["requestContext"]["routeKey"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The binary (`Metadata.BuildProperties.Binary`) that serves `event`, as
/// API Gateway would route it: a WebSocket route key the API does not
/// declare goes to `$default`.
pub fn binary_for(event: &Value) -> Option<String> {
    let template = template();
    match kind(event) {
        Kind::Http(key) => template
            .http
            .routes
            .iter()
            .find(|route| route.route_key() == key)
            .map(|route: &HttpRoute| route.binary.clone()),
        Kind::WebSocket(key) => {
            let routes = &template.websocket.as_ref()?.routes;
            let find = |key: &str| {
                routes
                    .iter()
                    .find(|route| route.route_key == key)
                    .map(|route: &WsRoute| route.binary.clone())
            };
            find(&key).or_else(|| find("$default"))
        }
        Kind::Stream => template.streams.first().map(|s| s.binary.clone()),
    }
}

/// `event` with every placeholder token replaced by `token`.
pub fn with_token(event: &Value, token: &str) -> Value {
    let text = event.to_string().replace(TOKEN_PLACEHOLDER, token);
    serde_json::from_str(&text).expect("still JSON")
}

/// A WebSocket event from another connection.
pub fn with_connection(mut event: Value, connection_id: &str) -> Value {
    event["requestContext"]["connectionId"] = Value::String(connection_id.to_owned());
    event
}

/// An event with another JSON body.
pub fn with_body(mut event: Value, body: &Value) -> Value {
    event["body"] = Value::String(body.to_string());
    event
}

/// The body of an invocation's response, parsed as JSON (`Null` if empty).
pub fn body(response: &Value) -> Value {
    match response["body"].as_str() {
        Some(text) if !text.is_empty() => {
            serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()))
        }
        _ => Value::Null,
    }
}

pub fn status(response: &Value) -> u64 {
    response["statusCode"].as_u64().unwrap_or(0)
}
