//! `WsClient`: a native-protocol WebSocket client for tests. Frames that a
//! wait is not looking for are kept, in order, for later waits, so nothing
//! the server sends is lost or silently skipped.

use crate::app::{Page, TestApp};
use crate::json::{JsonExt, random_id};
use crate::{QUIET, WAIT};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A refused WebSocket handshake.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub body: String,
}

/// What came off the socket.
#[derive(Debug)]
enum Incoming {
    Json(Value),
    /// A close frame and its code, if it had one.
    Close(Option<u16>),
    /// The connection ended without a close frame.
    Ended(String),
}

pub struct WsClient {
    stream: Stream,
    /// Frames read while waiting for something else, oldest first.
    pending: VecDeque<Value>,
}

/// Whether `frame` is an event (not a reply: no `request_id`) of type `kind`.
fn is_event(frame: &Value, kind: &str) -> bool {
    frame.get("type").and_then(Value::as_str) == Some(kind)
        && frame.get("request_id").is_none_or(Value::is_null)
}

/// Asserts a WebSocket error frame: `{"type": "error", "code", "message"}`.
#[track_caller]
pub fn assert_error_frame(frame: &Value, code: &str) {
    assert_eq!(
        frame.get("type").and_then(Value::as_str),
        Some("error"),
        "expected an error frame {code}, got {frame}"
    );
    assert_eq!(
        frame.get("code").and_then(Value::as_str),
        Some(code),
        "wrong error code in {frame}"
    );
    assert!(
        frame
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty()),
        "an error frame needs a non-empty message: {frame}"
    );
}

impl WsClient {
    /// Connects with `token`; fails the test if the handshake is refused.
    pub async fn connect(app: &TestApp, token: &str) -> Self {
        let url = app.ws_url_with_token(token);
        match Self::connect_raw(&url).await {
            Ok(client) => client,
            Err(refusal) => panic!("WebSocket handshake refused: {refusal:?}"),
        }
    }

    /// Connects to any URL: the refusal's status and body if refused.
    pub async fn connect_raw(url: &str) -> Result<Self, Refusal> {
        let attempt = tokio::time::timeout(WAIT, connect_async(url))
            .await
            .unwrap_or_else(|_| panic!("WebSocket handshake with {url} timed out"));
        match attempt {
            Ok((stream, _response)) => Ok(Self {
                stream,
                pending: VecDeque::new(),
            }),
            Err(tungstenite::Error::Http(response)) => Err(Refusal {
                status: response.status().as_u16(),
                body: response
                    .body()
                    .as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            }),
            Err(e) => panic!("WebSocket handshake with {url} failed: {e}"),
        }
    }

    // ---- sending --------------------------------------------------------------

    /// Sends one text frame as is.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.stream
            .send(Message::text(text))
            .await
            .expect("sending a text frame");
    }

    /// Sends a JSON value as one text frame.
    pub async fn send_json(&mut self, frame: &Value) {
        self.send_text(frame.to_string()).await;
    }

    /// Sends `text` as one message split into text frames of at most
    /// `frame_bytes` each. Returns the first send error (the server may
    /// close midway), if any.
    pub async fn send_fragmented(&mut self, text: &str, frame_bytes: usize) -> Result<(), String> {
        let chunks: Vec<&[u8]> = text.as_bytes().chunks(frame_bytes).collect();
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.into_iter().enumerate() {
            let opcode = if i == 0 {
                OpCode::Data(Data::Text)
            } else {
                OpCode::Data(Data::Continue)
            };
            let frame = Frame::message(chunk.to_vec(), opcode, i == last);
            self.stream
                .send(Message::Frame(frame))
                .await
                .map_err(|e| format!("sending fragment {i}: {e}"))?;
        }
        Ok(())
    }

    /// Sends one text frame whose payload is `bytes` as they are, valid
    /// UTF-8 or not (a text message cannot be built from invalid UTF-8).
    pub async fn send_text_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let frame = Frame::message(bytes.to_vec(), OpCode::Data(Data::Text), true);
        self.stream
            .send(Message::Frame(frame))
            .await
            .map_err(|e| format!("sending raw text bytes: {e}"))
    }

    /// Sends `{"action": action, "request_id": <fresh>, ..fields}` and
    /// returns the frame that answers it (same `request_id`).
    pub async fn request(&mut self, action: &str, fields: Value) -> Value {
        let request_id = random_id("r-");
        let mut frame = match fields {
            Value::Object(map) => Value::Object(map),
            Value::Null => json!({}),
            other => panic!("request fields must be an object, not {other}"),
        };
        frame["action"] = json!(action);
        frame["request_id"] = json!(request_id);
        self.send_json(&frame).await;
        self.reply_to(&request_id).await
    }

    /// The frame carrying `request_id`.
    pub async fn reply_to(&mut self, request_id: &str) -> Value {
        let matches = |f: &Value| f.get("request_id").and_then(Value::as_str) == Some(request_id);
        self.next_matching(&format!("reply to request {request_id}"), matches, WAIT)
            .await
    }

    /// Sends `text` to a room with a fresh client message id; the stored
    /// message from the `sent` reply.
    pub async fn send_message(&mut self, room_id: u64, text: &str) -> Value {
        let reply = self
            .request(
                "send",
                json!({"room_id": room_id, "text": text, "client_message_id": random_id("c-")}),
            )
            .await;
        assert_eq!(reply.str_at("/type"), "sent", "send failed: {reply}");
        reply.at("/message").clone()
    }

    /// `ping`, asserting the `pong` that proves the socket still works.
    pub async fn ping(&mut self) {
        let reply = self.request("ping", json!({})).await;
        assert_eq!(reply.str_at("/type"), "pong", "ping answered {reply}");
    }

    /// `history` for a room.
    pub async fn history(&mut self, room_id: u64, page: Page) -> Value {
        let mut fields = page.fields();
        fields["room_id"] = json!(room_id);
        self.request("history", fields).await
    }

    // ---- receiving ------------------------------------------------------------

    async fn read(&mut self, deadline: Instant) -> Option<Incoming> {
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()?;
            let message = match next {
                None => return Some(Incoming::Ended("the stream ended".into())),
                Some(Err(e)) => return Some(Incoming::Ended(e.to_string())),
                Some(Ok(message)) => message,
            };
            match message {
                Message::Text(text) => {
                    let frame = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("server sent a non-JSON frame ({e}): {text}"));
                    return Some(Incoming::Json(frame));
                }
                Message::Binary(bytes) => {
                    panic!("server sent a binary frame of {} bytes", bytes.len())
                }
                Message::Close(frame) => {
                    return Some(Incoming::Close(frame.map(|f| u16::from(f.code))));
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// The next frame of any kind, unread ones first.
    pub async fn next_frame(&mut self, timeout: Duration) -> Value {
        if let Some(frame) = self.pending.pop_front() {
            return frame;
        }
        match self.read(Instant::now() + timeout).await {
            Some(Incoming::Json(frame)) => frame,
            other => panic!("no frame within {timeout:?} ({})", describe(other)),
        }
    }

    /// The next frame if one arrives within `timeout` (unread ones first);
    /// `None` on silence. Panics if the socket ends.
    pub async fn try_next_frame(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(frame) = self.pending.pop_front() {
            return Some(frame);
        }
        match self.read(Instant::now() + timeout).await {
            Some(Incoming::Json(frame)) => Some(frame),
            None => None,
            other => panic!("the socket ended while reading: {}", describe(other)),
        }
    }

    /// Drops the TCP connection without a close handshake, as a client
    /// that loses its network does.
    pub fn vanish(self) {
        drop(self);
    }

    /// The first frame, unread or arriving within `timeout`, that
    /// `matches`; the others stay unread, in order, for later waits. A
    /// failure names what was awaited (`what`) and lists the unread frames.
    pub async fn next_matching(
        &mut self,
        what: &str,
        matches: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        if let Some(pos) = self.pending.iter().position(&matches) {
            return self.pending.remove(pos).expect("position is in range");
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(deadline).await {
                Some(Incoming::Json(frame)) if matches(&frame) => return frame,
                Some(Incoming::Json(frame)) => self.pending.push_back(frame),
                other => panic!(
                    "no {what} within {timeout:?} ({}); unread: {:?}",
                    describe(other),
                    self.pending
                ),
            }
        }
    }

    /// The next event (a frame without `request_id`) of type `kind`. Frames
    /// of other kinds stay unread for later waits.
    pub async fn next_event_of_type(&mut self, kind: &str, timeout: Duration) -> Value {
        self.next_matching(&format!("{kind:?} event"), |f| is_event(f, kind), timeout)
            .await
    }

    /// The next event of type `kind` within [`WAIT`].
    pub async fn event(&mut self, kind: &str) -> Value {
        self.next_event_of_type(kind, WAIT).await
    }

    /// Fails if an event of type `kind` is unread or arrives `within`.
    pub async fn expect_no_event_of_type(&mut self, kind: &str, within: Duration) {
        if let Some(frame) = self.pending.iter().find(|f| is_event(f, kind)) {
            panic!("unexpected {kind:?} event: {frame}");
        }
        let deadline = Instant::now() + within;
        loop {
            match self.read(deadline).await {
                None => return,
                Some(Incoming::Json(frame)) if is_event(&frame, kind) => {
                    panic!("unexpected {kind:?} event: {frame}")
                }
                Some(Incoming::Json(frame)) => self.pending.push_back(frame),
                other => panic!(
                    "the socket ended while watching for {kind:?} events ({})",
                    describe(other)
                ),
            }
        }
    }

    /// [`expect_no_event_of_type`](Self::expect_no_event_of_type) for [`QUIET`].
    pub async fn expect_quiet(&mut self, kind: &str) {
        self.expect_no_event_of_type(kind, QUIET).await;
    }

    /// Fails if any frame is unread or arrives `within`.
    pub async fn expect_no_frame(&mut self, within: Duration) {
        assert!(
            self.pending.is_empty(),
            "unexpected frames: {:?}",
            self.pending
        );
        if let Some(incoming) = self.read(Instant::now() + within).await {
            panic!("expected silence, got {}", describe(Some(incoming)));
        }
    }

    /// Forgets every unread frame (after setup whose events do not matter).
    pub fn discard_unread(&mut self) -> Vec<Value> {
        self.pending.drain(..).collect()
    }

    /// Waits for the server to close the socket with `code`, skipping any
    /// data frames before the close.
    pub async fn expect_close(&mut self, code: u16) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.read(deadline).await {
                Some(Incoming::Json(frame)) => self.pending.push_back(frame),
                Some(Incoming::Close(got)) => {
                    self.finish_close().await;
                    assert_eq!(got, Some(code), "closed with the wrong code");
                    return;
                }
                other => panic!(
                    "expected a close frame with code {code}, got {}",
                    describe(other)
                ),
            }
        }
    }

    /// Waits for the server to close the socket, with whatever code; the
    /// code, if the close frame had one.
    pub async fn expect_closed(&mut self) -> Option<u16> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.read(deadline).await {
                Some(Incoming::Json(frame)) => self.pending.push_back(frame),
                Some(Incoming::Close(code)) => {
                    self.finish_close().await;
                    return code;
                }
                other => panic!("expected a close frame, got {}", describe(other)),
            }
        }
    }

    /// After the server's close frame: sends ours back, as a well-behaved
    /// client does, and waits for the server to hang up. Until then the
    /// server would wait for our answer before its `$disconnect`.
    async fn finish_close(&mut self) {
        let _ = tokio::time::timeout(WAIT, async {
            while let Some(Ok(_)) = self.stream.next().await {}
        })
        .await;
    }

    /// Closes from the client side (1000) and waits for the server's close.
    pub async fn close(mut self) {
        self.stream
            .close(None)
            .await
            .expect("sending a close frame");
        let deadline = Instant::now() + WAIT;
        loop {
            match self.read(deadline).await {
                Some(Incoming::Json(_)) => {}
                Some(Incoming::Close(_) | Incoming::Ended(_)) => return,
                None => panic!("the server did not complete the close handshake within {WAIT:?}"),
            }
        }
    }
}

fn describe(incoming: Option<Incoming>) -> String {
    match incoming {
        None => "timed out".into(),
        Some(Incoming::Json(frame)) => format!("frame {frame}"),
        Some(Incoming::Close(code)) => format!("closed by the server with code {code:?}"),
        Some(Incoming::Ended(why)) => format!("connection ended: {why}"),
    }
}
