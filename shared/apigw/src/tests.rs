//! The real SDK client against banter-local's Management API, which answers
//! as API Gateway does (410 `GoneException`, 413 `PayloadTooLargeException`,
//! `x-amzn-ErrorType`), with a real WebSocket client on the other end.
//! In-crate so one test can skip the local size check and see the server's 413.

use super::*;
use aws_sdk_apigatewaymanagement::config::{BehaviorVersion, Credentials, Region};
use banter_local::{LocalServer, Options, RunningServer};
use futures::StreamExt;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A push client for `endpoint` with dummy static credentials (banter-local,
/// like any endpoint override, does not check SigV4).
fn push_to(endpoint: &str) -> ManagementApiPush {
    let config = aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"));
    ManagementApiPush::with_endpoint(config, endpoint)
}

struct Harness {
    server: RunningServer,
    push: ManagementApiPush,
}

/// banter-local in memory with the real handlers; the push client on its
/// Management API under a stage path, like the endpoint on AWS.
async fn start() -> Harness {
    let server = LocalServer::start(Options::in_memory())
        .await
        .expect("banter-local starts");
    let push = push_to(&format!("{}/prod", server.management_endpoint()));
    Harness { server, push }
}

impl Harness {
    /// A registered user's socket, past `$connect`, and its connection id.
    async fn connect(&self) -> (Socket, ConnectionId) {
        let name = format!("user{:08x}", rand::random::<u32>());
        let session = self
            .server
            .services()
            .register(&name, "correct horse battery", None, None)
            .await
            .expect("register");
        let token = self
            .server
            .issue_token(session.user.id)
            .expect("issue a token");
        let before = self.server.connection_ids();
        let url = format!("{}?token={token}", self.server.ws_url());
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the WebSocket handshake");
        for _ in 0..100 {
            let ids = self.server.connection_ids();
            if let Some(id) = ids.into_iter().find(|id| !before.contains(id)) {
                return (socket, ConnectionId(id));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the new connection never showed up in banter-local");
    }
}

/// The next text frame, within 5 s.
async fn next_text(socket: &mut Socket) -> String {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match frame {
            Message::Text(text) => return text.to_string(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn given_an_open_socket_when_posting_then_the_frame_arrives() {
    let h = start().await;
    let (mut socket, id) = h.connect().await;

    h.push
        .post(&id, r#"{"hello":"world"}"#)
        .await
        .expect("post");
    h.push.clone().post(&id, "ünïcödé ✓").await.expect("post");

    assert_eq!(next_text(&mut socket).await, r#"{"hello":"world"}"#);
    assert_eq!(next_text(&mut socket).await, "ünïcödé ✓");
}

#[tokio::test]
async fn given_exactly_128_kb_when_posting_then_it_arrives() {
    let h = start().await;
    let (mut socket, id) = h.connect().await;
    let payload = "x".repeat(MAX_PUSH_BYTES);

    h.push.post(&id, &payload).await.expect("post 128 KB");

    assert_eq!(next_text(&mut socket).await.len(), MAX_PUSH_BYTES);
}

#[tokio::test]
async fn given_an_unknown_connection_when_posting_or_closing_then_gone() {
    let h = start().await;
    let nobody = ConnectionId("bm9ib2R5aGVyZQ=".to_owned());

    assert!(matches!(
        h.push.post(&nobody, "hi").await,
        Err(PushError::Gone)
    ));
    assert!(matches!(h.push.close(&nobody).await, Err(PushError::Gone)));
}

#[tokio::test]
async fn given_129_kb_when_posting_then_payload_too_large_and_the_socket_stays() {
    let h = start().await;
    let (mut socket, id) = h.connect().await;
    let too_big = "x".repeat(129 * 1024);

    // Refused locally, before any call...
    assert!(matches!(
        h.push.post(&id, &too_big).await,
        Err(PushError::PayloadTooLarge)
    ));
    // ...and API Gateway's own 413 maps to the same error.
    assert!(matches!(
        h.push.post_unchecked(&id, &too_big).await,
        Err(PushError::PayloadTooLarge)
    ));

    h.push.post(&id, "still here").await.expect("post");
    assert_eq!(next_text(&mut socket).await, "still here");
}

#[tokio::test]
async fn given_an_open_socket_when_closing_then_it_closes_and_then_is_gone() {
    let h = start().await;
    let (mut socket, id) = h.connect().await;

    h.push.close(&id).await.expect("close");

    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the socket did not close within 5 s");
    assert!(matches!(h.push.close(&id).await, Err(PushError::Gone)));
    assert!(matches!(
        h.push.post(&id, "late").await,
        Err(PushError::Gone)
    ));
}

#[tokio::test]
async fn given_no_server_when_posting_then_transient_naming_the_connection() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let push = push_to(&format!("http://127.0.0.1:{port}/prod"));

    // No answer at all is worth retrying (core backs off); it names the
    // connection for the log.
    match push.post(&ConnectionId("abc=".to_owned()), "hi").await {
        Err(PushError::Transient(e)) => {
            let text = format!("{e:#}");
            assert!(
                text.contains("PostToConnection on connection abc="),
                "{text}"
            );
        }
        other => panic!("expected Transient, got {other:?}"),
    }
}

#[test]
fn the_endpoint_is_the_stage_url_of_the_api() {
    assert_eq!(
        execute_api_endpoint("a1b2c3", "eu-west-1", "prod"),
        "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod"
    );
}
