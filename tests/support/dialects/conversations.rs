//! Seed 003 (docs/protocol/conversations.md): conversation sockets at
//! `/ws/chat/{name}/`, the notification socket at `/ws/notification/`, and
//! the REST routes `/conversation/{name}`, `/messages/` and
//! `/filesmessage/{name}/`, all at the seed's exact paths.

use super::is_iso_millis_utc;
use crate::json::JsonExt;
use crate::reply::Reply;
use crate::ws::{Refusal, WsClient};
use crate::{QUIET, TestApp, TestUser, WAIT};
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// `ws://HOST/ws/chat/{name}/?token=..`, the seed's exact URL.
pub fn chat_url(app: &TestApp, name: &str, token: &str) -> String {
    format!("{}/ws/chat/{name}/?token={token}", app.ws_url())
}

/// `ws://HOST/ws/notification/?token=..`.
pub fn notification_url(app: &TestApp, token: &str) -> String {
    format!("{}/ws/notification/?token={token}", app.ws_url())
}

/// The DM name of two users, as the seed writes it (`yugan_test`).
pub fn dm_name(a: &TestUser, b: &TestUser) -> String {
    format!("{}_{}", a.username, b.username)
}

/// The room id of the DM of `a` and `b`, created or already there.
pub async fn dm_room(app: &TestApp, a: &TestUser, b: &TestUser) -> u64 {
    let reply = app.open_dm(&a.token, b.id).await;
    assert!(
        reply.status == 200 || reply.status == 201,
        "POST /rooms/dm: {} {}",
        reply.status,
        reply.text
    );
    reply.body.u64_at("/room/id")
}

/// The group name of users by id (`1_2_3`).
pub fn group_name(users: &[&TestUser]) -> String {
    users
        .iter()
        .map(|u| u.id.to_string())
        .collect::<Vec<_>>()
        .join("_")
}

/// A seed-003 socket: a conversation's or the notification one. Its frames
/// carry `type`, so [`WsClient`]'s typed waits serve it.
pub struct SeedSocket {
    pub ws: WsClient,
}

impl SeedSocket {
    /// Opens `url`; the refusal if the handshake is refused.
    pub async fn try_open(url: &str) -> Result<Self, Refusal> {
        WsClient::connect_raw(url).await.map(|ws| Self { ws })
    }

    /// Opens a conversation socket, failing the test if refused. The
    /// welcome frames are left unread.
    pub async fn chat(app: &TestApp, name: &str, user: &TestUser) -> Self {
        let url = chat_url(app, name, &user.token);
        match Self::try_open(&url).await {
            Ok(socket) => socket,
            Err(refusal) => panic!("{url} refused: {refusal:?}"),
        }
    }

    /// Opens a conversation socket and reads its welcome: the online
    /// usernames and the `last_50_messages` frame.
    pub async fn chat_welcomed(app: &TestApp, name: &str, user: &TestUser) -> (Self, Value) {
        let mut socket = Self::chat(app, name, user).await;
        let welcome = socket.welcome().await;
        (socket, welcome)
    }

    /// Opens the notification socket, failing the test if refused; its
    /// welcome (`unread_count`) is left unread.
    pub async fn notifications(app: &TestApp, user: &TestUser) -> Self {
        let url = notification_url(app, &user.token);
        match Self::try_open(&url).await {
            Ok(socket) => socket,
            Err(refusal) => panic!("{url} refused: {refusal:?}"),
        }
    }

    /// The two frames a conversation socket gets first, in order:
    /// `online_user_list` then `last_50_messages`. Returns
    /// `{"users": [..], "messages": [..], "has_more": ..}`.
    pub async fn welcome(&mut self) -> Value {
        let online = self.ws.next_frame(WAIT).await;
        assert_eq!(online.str_at("/type"), "online_user_list", "{online}");
        assert_eq!(online.sorted_keys(), ["type", "users"], "{online}");
        let last = self.ws.next_frame(WAIT).await;
        assert_eq!(last.str_at("/type"), "last_50_messages", "{last}");
        assert_eq!(
            last.sorted_keys(),
            ["has_more", "messages", "type"],
            "{last}"
        );
        for message in last.array_at("/messages") {
            assert_seed_message(message);
        }
        json!({
            "users": online.at("/users"),
            "messages": last.at("/messages"),
            "has_more": last.at("/has_more"),
        })
    }

    pub async fn send(&mut self, frame: &Value) {
        self.ws.send_json(frame).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send_text(text).await;
    }

    /// `{"type": "chat_message", "message": text}`.
    pub async fn chat_message(&mut self, text: &str) {
        self.send(&json!({"type": "chat_message", "message": text}))
            .await;
    }

    /// The next frame of this type (others stay unread for later waits).
    pub async fn event(&mut self, kind: &str) -> Value {
        self.ws.event(kind).await
    }

    /// The next `chat_message_echo`, checked: `{"type","name","message"}`.
    pub async fn echo(&mut self) -> Value {
        let frame = self.event("chat_message_echo").await;
        assert_eq!(frame.sorted_keys(), ["message", "name", "type"], "{frame}");
        assert_seed_message(frame.at("/message"));
        frame
    }

    /// The next `unread_count`'s count.
    pub async fn unread_count(&mut self) -> u64 {
        let frame = self.event("unread_count").await;
        assert_eq!(frame.sorted_keys(), ["type", "unread_count"], "{frame}");
        frame.u64_at("/unread_count")
    }

    /// The next error frame, checked: `{"type":"error","code","message"}`.
    pub async fn error(&mut self, code: &str) -> Value {
        let frame = self.event("error").await;
        assert_eq!(frame.sorted_keys(), ["code", "message", "type"], "{frame}");
        assert_eq!(frame.str_at("/code"), code, "{frame}");
        assert!(!frame.str_at("/message").is_empty(), "{frame}");
        frame
    }

    /// Fails if a frame of this type is unread or arrives soon.
    pub async fn expect_quiet(&mut self, kind: &str) {
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

/// The seed's Message: `{"id","conversation","from_user","content",
/// "timestamp","read"}`, plus `file` and `file_name` for a file message.
#[track_caller]
pub fn assert_seed_message(message: &Value) {
    let keys = message.sorted_keys();
    let base = [
        "content",
        "conversation",
        "from_user",
        "id",
        "read",
        "timestamp",
    ];
    let with_file = [
        "content",
        "conversation",
        "file",
        "file_name",
        "from_user",
        "id",
        "read",
        "timestamp",
    ];
    assert!(
        keys == base || keys == with_file,
        "not a seed-003 message: {message}"
    );
    message.u64_at("/id");
    assert!(
        message.str_at("/conversation").parse::<u64>().is_ok(),
        "conversation is not an id string: {message}"
    );
    message.u64_at("/from_user/id");
    message.str_at("/content");
    message.bool_at("/read");
    assert!(
        is_iso_millis_utc(message.str_at("/timestamp")),
        "timestamp is not RFC 3339 UTC: {message}"
    );
}

/// `GET /conversation/{name}`.
pub async fn conversation(app: &TestApp, token: Option<&str>, name: &str) -> Reply {
    app.get(&format!("/conversation/{name}"), token).await
}

/// `GET /messages/?conversation={name}[&page=N]`, the seed's exact URL.
pub async fn messages(app: &TestApp, token: Option<&str>, name: &str, page: Option<&str>) -> Reply {
    let page = page.map(|p| format!("&page={p}")).unwrap_or_default();
    app.get(&format!("/messages/?conversation={name}{page}"), token)
        .await
}

/// One file of a multipart upload: its name, content type and bytes.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A `multipart/form-data` body with each file as a `files` part; the
/// body and its content type.
pub fn form(files: &[Upload<'_>]) -> (Vec<u8>, String) {
    let boundary = crate::random_id("----banterBoundary");
    let mut body = Vec::new();
    for file in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                file.file_name, file.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// `POST /filesmessage/{name}/` with any body and content type.
pub async fn post_form(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    body: Vec<u8>,
    content_type: &str,
) -> Reply {
    let url = format!("{}/filesmessage/{name}/", app.http_url());
    let mut request = reqwest::Client::new()
        .post(&url)
        .timeout(WAIT)
        .header(CONTENT_TYPE, content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url} failed: {e}"));
    Reply::read(response, &format!("POST {url}")).await
}

/// `POST /filesmessage/{name}/` with these files as form data.
pub async fn files_message(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    files: &[Upload<'_>],
) -> Reply {
    let (body, content_type) = form(files);
    post_form(app, token, name, body, &content_type).await
}
