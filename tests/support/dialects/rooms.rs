//! Seed 001's rooms dialect (docs/protocol/rooms.md): a socket at
//! `/chat/connect` that authenticates in its first frame, and the REST
//! routes under `/chat/`.

use crate::json::JsonExt;
use crate::reply::Reply;
use crate::ws::{Refusal, WsClient};
use crate::{QUIET, TestApp, WAIT};
use serde_json::{Value, json};

/// A rooms-dialect socket.
pub struct RoomsClient {
    ws: WsClient,
}

/// `ws://HOST/chat/connect`, the seed's exact path.
pub fn url(app: &TestApp) -> String {
    format!("{}/chat/connect", app.ws_url())
}

impl RoomsClient {
    /// Opens `/chat/connect` without authenticating.
    pub async fn connect(app: &TestApp) -> Self {
        match Self::try_connect(app).await {
            Ok(client) => client,
            Err(refusal) => panic!("rooms handshake refused: {refusal:?}"),
        }
    }

    pub async fn try_connect(app: &TestApp) -> Result<Self, Refusal> {
        WsClient::connect_raw(&url(app)).await.map(|ws| Self { ws })
    }

    /// Opens `/chat/connect` and authenticates, asserting `CONNECTED`.
    pub async fn connected(app: &TestApp, token: &str) -> Self {
        let mut client = Self::connect(app).await;
        let answer = client.authenticate(token).await;
        assert_eq!(answer, json!({"status": "CONNECTED"}));
        client
    }

    /// Sends `{"auth_token": token}`; the answer.
    pub async fn authenticate(&mut self, token: &str) -> Value {
        self.send(&json!({"auth_token": token})).await;
        self.next().await
    }

    pub async fn send(&mut self, frame: &Value) {
        self.ws.send_json(frame).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send_text(text).await;
    }

    /// Sends `{"room": "<room_id>", "messages": text}`.
    pub async fn send_message(&mut self, room_id: u64, text: &str) {
        self.send(&json!({"room": room_id.to_string(), "messages": text}))
            .await;
    }

    /// The next frame of any kind.
    pub async fn next(&mut self) -> Value {
        self.ws.next_frame(WAIT).await
    }

    /// The next frame, which must be a message in the seed's exact shape;
    /// the inner message.
    pub async fn message(&mut self) -> Value {
        let frame = self.next().await;
        assert_message_frame(&frame);
        frame.at("/message").clone()
    }

    /// Fails if any frame is unread or arrives soon.
    pub async fn expect_silence(&mut self) {
        self.ws.expect_no_frame(QUIET).await;
    }

    pub async fn close(self) {
        self.ws.close().await;
    }
}

/// `{"id":<int>,"message","poster":"<id>","room":"<id>","timestamp":<int>}`.
#[track_caller]
pub fn assert_seed_message(message: &Value) {
    assert_eq!(
        message.sorted_keys(),
        ["id", "message", "poster", "room", "timestamp"],
        "{message}"
    );
    message.u64_at("/id");
    message.str_at("/message");
    for key in ["/poster", "/room"] {
        let id = message.str_at(key);
        assert!(
            id.parse::<u64>().is_ok(),
            "{key} is not an id string: {message}"
        );
    }
    let timestamp = message.u64_at("/timestamp");
    assert!(
        (1_600_000_000..4_000_000_000).contains(&timestamp),
        "timestamp is not in Unix seconds: {message}"
    );
}

/// `{"message": <seed message>}` and nothing else.
#[track_caller]
pub fn assert_message_frame(frame: &Value) {
    assert_eq!(frame.sorted_keys(), ["message"], "{frame}");
    assert_seed_message(frame.at("/message"));
}

/// `{"error": <non-empty>, "error_code": code}` and nothing else.
#[track_caller]
pub fn assert_rooms_error(frame: &Value, code: &str) {
    assert_eq!(frame.sorted_keys(), ["error", "error_code"], "{frame}");
    assert_eq!(frame.str_at("/error_code"), code, "{frame}");
    assert!(!frame.str_at("/error").is_empty(), "{frame}");
}

/// `POST /chat/create_dm` with any body.
pub async fn create_dm(app: &TestApp, token: Option<&str>, body: &Value) -> Reply {
    app.post_json("/chat/create_dm", token, body).await
}

/// `POST /chat/room_info` with any body.
pub async fn room_info(app: &TestApp, token: Option<&str>, body: &Value) -> Reply {
    app.post_json("/chat/room_info", token, body).await
}

/// `POST /chat/retrieve` with any body.
pub async fn retrieve(app: &TestApp, token: Option<&str>, body: &Value) -> Reply {
    app.post_json("/chat/retrieve", token, body).await
}

/// `POST /chat/create_dm` `{"other": "<id>"}` → the room id (200 asserted).
pub async fn dm_room(app: &TestApp, token: &str, other: u64) -> u64 {
    let body = create_dm(app, Some(token), &json!({"other": other.to_string()}))
        .await
        .expect(200);
    assert_eq!(body.sorted_keys(), ["room_id"], "{body}");
    body.str_at("/room_id")
        .parse()
        .unwrap_or_else(|_| panic!("room_id is not an id string: {body}"))
}

/// `POST /chat/retrieve` `{"after": after}` → the messages (200 asserted),
/// checking that `occupants` and `messages` hold the same list.
pub async fn retrieved(app: &TestApp, token: &str, after: u64) -> Vec<Value> {
    let body = retrieve(app, Some(token), &json!({"after": after}))
        .await
        .expect(200);
    assert_eq!(
        body.sorted_keys(),
        ["messages", "occupants", "room_name"],
        "{body}"
    );
    assert_eq!(body.at("/room_name"), &Value::Null, "{body}");
    assert_eq!(body.at("/occupants"), body.at("/messages"), "{body}");
    let messages = body.array_at("/occupants").clone();
    for message in &messages {
        assert_seed_message(message);
    }
    messages
}
