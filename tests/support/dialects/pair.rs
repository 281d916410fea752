//! Seed 000's pair chat (docs/protocol/pair.md): a socket at
//! `/chat/{user_id}/{opponent_id}`, `fetch-token` for a conversation token,
//! then `new-message` and `is-typing` carrying it.

use crate::json::JsonExt;
use crate::ws::{Refusal, WsClient};
use crate::{QUIET, TestApp, TestUser, WAIT};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// The message seed 000 documents for an expired conversation token.
pub const EXPIRED_MESSAGE: &str = "Invalid conversation_token. Fetch a new one!";

/// A pair-chat socket, with the conversation token once it has one.
pub struct PairClient {
    ws: WsClient,
    pub user_id: u64,
    pub opponent_id: u64,
    pub conversation_token: Option<String>,
}

/// `ws://HOST/chat/{user_id}/{opponent_id}`, the seed's exact path.
pub fn url(
    app: &TestApp,
    user_id: impl std::fmt::Display,
    opponent_id: impl std::fmt::Display,
) -> String {
    format!("{}/chat/{user_id}/{opponent_id}", app.ws_url())
}

impl PairClient {
    /// Opens `/chat/{user_id}/{opponent_id}`; fails the test if refused.
    pub async fn connect(app: &TestApp, user_id: u64, opponent_id: u64) -> Self {
        match WsClient::connect_raw(&url(app, user_id, opponent_id)).await {
            Ok(ws) => Self {
                ws,
                user_id,
                opponent_id,
                conversation_token: None,
            },
            Err(refusal) => panic!("pair handshake refused: {refusal:?}"),
        }
    }

    /// Opens any pair path; the refusal if refused.
    pub async fn connect_path(
        app: &TestApp,
        user_id: &str,
        opponent_id: &str,
    ) -> Result<WsClient, Refusal> {
        WsClient::connect_raw(&url(app, user_id, opponent_id)).await
    }

    /// Connects as `me` to `opponent` and fetches a conversation token;
    /// returns the client and whether the opponent was online.
    pub async fn authenticated(app: &TestApp, me: &TestUser, opponent: &TestUser) -> (Self, bool) {
        let mut client = Self::connect(app, me.id, opponent.id).await;
        let online = client.fetch_token(&me.token).await;
        (client, online)
    }

    pub async fn send(&mut self, frame: &Value) {
        self.ws.send_json(frame).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send_text(text).await;
    }

    /// The seed's `fetch-token` frame for this socket's ids.
    pub fn fetch_token_frame(&self, auth_token: &str) -> Value {
        json!({
            "type": "fetch-token",
            "user_id": self.user_id,
            "auth_token": auth_token,
            "opponent_id": self.opponent_id,
        })
    }

    /// Sends `fetch-token`, asserts the two answers in order
    /// (`conversation-token`, then `online-check`), keeps the token and
    /// returns `is_online`.
    pub async fn fetch_token(&mut self, auth_token: &str) -> bool {
        let frame = self.fetch_token_frame(auth_token);
        self.send(&frame).await;
        let token = self.next().await;
        assert_eq!(token.str_at("/type"), "conversation-token", "{token}");
        assert_eq!(
            token.sorted_keys(),
            ["conversation_token", "type"],
            "{token}"
        );
        let conversation_token = token.str_at("/conversation_token");
        assert!(!conversation_token.is_empty(), "{token}");
        self.conversation_token = Some(conversation_token.to_owned());
        let check = self.next().await;
        assert_online_check(&check);
        check.bool_at("/is_online")
    }

    fn token(&self) -> &str {
        self.conversation_token
            .as_deref()
            .expect("fetch a conversation token first")
    }

    /// The seed's `new-message` frame with this socket's ids and token.
    pub fn new_message_frame(&self, text: &str) -> Value {
        json!({
            "type": "new-message",
            "message": text,
            "user_id": self.user_id,
            "opponent_id": self.opponent_id,
            "conversation_token": self.token(),
        })
    }

    /// Sends `new-message` and returns the `received-message` echo.
    pub async fn new_message(&mut self, text: &str) -> Value {
        let frame = self.new_message_frame(text);
        self.send(&frame).await;
        let echo = self.received().await;
        assert_eq!(echo.str_at("/message"), text, "{echo}");
        echo
    }

    /// The seed's `is-typing` frame.
    pub fn is_typing_frame(&self) -> Value {
        json!({
            "type": "is-typing",
            "conversation_token": self.token(),
            "user_id": self.user_id,
            "opponent_id": self.opponent_id,
        })
    }

    pub async fn is_typing(&mut self) {
        let frame = self.is_typing_frame();
        self.send(&frame).await;
    }

    /// The next frame of any type.
    pub async fn next(&mut self) -> Value {
        self.ws.next_frame(WAIT).await
    }

    /// The next frame of this `type`; frames of other types stay unread.
    pub async fn next_of_type(&mut self, kind: &str) -> Value {
        self.ws.event(kind).await
    }

    /// The next `received-message`, checked for the seed's exact shape.
    pub async fn received(&mut self) -> Value {
        let frame = self.next_of_type("received-message").await;
        assert_received_message(&frame);
        frame
    }

    /// The next frame, which must be the error `error_type`.
    pub async fn expect_error(&mut self, error_type: &str) -> Value {
        let frame = self.next().await;
        assert_pair_error(&frame, error_type);
        frame
    }

    /// Fails if a frame of this type is unread or arrives soon.
    pub async fn expect_no(&mut self, kind: &str) {
        self.ws.expect_quiet(kind).await;
    }

    /// Fails if any frame is unread or arrives soon.
    pub async fn expect_silence(&mut self) {
        self.ws.expect_no_frame(QUIET).await;
    }

    pub async fn close(self) {
        self.ws.close().await;
    }
}

/// `{"type":"online-check","is_online":<bool>}` and nothing else.
#[track_caller]
pub fn assert_online_check(frame: &Value) {
    assert_eq!(frame.str_at("/type"), "online-check", "{frame}");
    assert_eq!(frame.sorted_keys(), ["is_online", "type"], "{frame}");
    frame.bool_at("/is_online");
}

/// `{"type":"received-message","created","sender_name","message","id"}`,
/// `created` being RFC 3339 in UTC.
#[track_caller]
pub fn assert_received_message(frame: &Value) {
    assert_eq!(frame.str_at("/type"), "received-message", "{frame}");
    assert_eq!(
        frame.sorted_keys(),
        ["created", "id", "message", "sender_name", "type"],
        "{frame}"
    );
    frame.u64_at("/id");
    frame.str_at("/message");
    frame.str_at("/sender_name");
    let created = frame.str_at("/created");
    assert!(
        is_rfc3339_utc(created),
        "created is not RFC 3339 UTC: {frame}"
    );
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn is_rfc3339_utc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19)
        && text.ends_with('Z')
}

/// `{"type":"error","error_type":<error_type>,"message":<non-empty>}`.
#[track_caller]
pub fn assert_pair_error(frame: &Value, error_type: &str) {
    assert_eq!(
        frame.str_at("/type"),
        "error",
        "expected {error_type}, got {frame}"
    );
    assert_eq!(
        frame.sorted_keys(),
        ["error_type", "message", "type"],
        "{frame}"
    );
    assert_eq!(frame.str_at("/error_type"), error_type, "{frame}");
    assert!(!frame.str_at("/message").is_empty(), "{frame}");
}

/// A user registered with this display name (the pair dialect's
/// `sender_name`).
pub async fn user_named(app: &TestApp, display_name: &str) -> TestUser {
    let username = crate::random_id("u");
    let password = crate::random_id("pw-");
    let body = app
        .register_body(&json!({
            "username": username,
            "password": password,
            "display_name": display_name,
        }))
        .await
        .expect(201);
    TestUser {
        id: body.u64_at("/user_id"),
        username,
        password,
        display_name: body.str_at("/display_name").to_owned(),
        token: body.str_at("/token").to_owned(),
    }
}

/// A conversation token for `user_id` and `room_id` signed with the
/// server's secret, but expired an hour ago.
pub fn expired_conversation_token(app: &TestApp, user_id: u64, room_id: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let now = i64::try_from(now).expect("seconds fit in i64");
    let claims = json!({
        "sub": user_id.to_string(),
        "room": room_id,
        "iat": now - 7200,
        "exp": now - 3600,
        "iss": crate::tokens::ISSUER,
        "aud": format!("{}#conversation", crate::tokens::AUDIENCE),
    });
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(app.jwt_secret()),
    )
    .expect("signing a test token")
}
