//! Seed 002's event channels (docs/protocol/events.md): a socket at
//! `/events` whose frames are `{"event": "<channel>", "data": <value>}` both
//! ways, registered by its first `registerMessages`.

use super::is_iso_millis_utc;
use crate::json::JsonExt;
use crate::ws::{Refusal, WsClient};
use crate::{QUIET, TestApp, WAIT};
use serde_json::{Value, json};

/// An event-channel socket. Frames read while waiting for another channel
/// are kept, in order, for later waits (by its [`WsClient`]).
pub struct EventsClient {
    ws: WsClient,
}

/// `ws://HOST/events`, the seed's exact path.
pub fn url(app: &TestApp) -> String {
    format!("{}/events", app.ws_url())
}

impl EventsClient {
    /// Opens `/events` without registering.
    pub async fn connect(app: &TestApp) -> Self {
        match Self::try_connect(app).await {
            Ok(client) => client,
            Err(refusal) => panic!("events handshake refused: {refusal:?}"),
        }
    }

    pub async fn try_connect(app: &TestApp) -> Result<Self, Refusal> {
        WsClient::connect_raw(&url(app)).await.map(|ws| Self { ws })
    }

    /// Opens `/events` and registers, asserting the `OK`.
    pub async fn registered(app: &TestApp, token: &str) -> Self {
        let mut client = Self::connect(app).await;
        client
            .emit("registerMessages", json!({"token": token}))
            .await;
        assert_eq!(client.on("registerMessages").await, json!("OK"));
        client
    }

    /// Sends `{"event": event, "data": data}`.
    pub async fn emit(&mut self, event: &str, data: Value) {
        self.ws
            .send_json(&json!({"event": event, "data": data}))
            .await;
    }

    /// Sends one text frame as is.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send_text(text).await;
    }

    /// The next frame of any channel, as received.
    pub async fn next(&mut self) -> Value {
        self.ws.next_frame(WAIT).await
    }

    /// The `data` of the next frame on `channel`, checking the envelope.
    pub async fn on(&mut self, channel: &str) -> Value {
        let is_on = |f: &Value| f.get("event").and_then(Value::as_str) == Some(channel);
        let frame = self
            .ws
            .next_matching(&format!("{channel:?} frame"), is_on, WAIT)
            .await;
        data_of(&frame)
    }

    /// The message of the next `info` frame: errors arrive there.
    pub async fn info(&mut self) -> String {
        let data = self.on("info").await;
        match data.as_str() {
            Some(message) if !message.is_empty() => message.to_owned(),
            _ => panic!("info data should be a non-empty string, got {data}"),
        }
    }

    /// Sends `message` `{"to", "content"}` and asserts `{"success": true}`.
    pub async fn send_message(&mut self, to: u64, content: &str) {
        self.emit("message", json!({"to": to, "content": content}))
            .await;
        assert_eq!(self.on("message").await, json!({"success": true}));
    }

    /// Fails if any frame is unread or arrives soon.
    pub async fn expect_silence(&mut self) {
        self.ws.expect_no_frame(QUIET).await;
    }

    pub async fn close(self) {
        self.ws.close().await;
    }
}

/// `{"event", "data"}` and nothing else; the data.
#[track_caller]
fn data_of(frame: &Value) -> Value {
    assert_eq!(frame.sorted_keys(), ["data", "event"], "{frame}");
    frame.at("/data").clone()
}

/// The seed's Message: `{"id","from","to","content","created_at"}` with an
/// RFC 3339 UTC time (file messages add `file` and `file_name`).
#[track_caller]
pub fn assert_seed_message(message: &Value, from: u64, to: u64, content: &str) {
    assert_eq!(
        message.sorted_keys(),
        ["content", "created_at", "from", "id", "to"],
        "{message}"
    );
    message.u64_at("/id");
    assert_eq!(message.u64_at("/from"), from, "{message}");
    assert_eq!(message.u64_at("/to"), to, "{message}");
    assert_eq!(message.str_at("/content"), content, "{message}");
    assert!(
        is_iso_millis_utc(message.str_at("/created_at")),
        "created_at is not RFC 3339 UTC: {message}"
    );
}
