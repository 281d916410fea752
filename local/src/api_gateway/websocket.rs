//! The WebSocket API: handshake, `$connect`, route selection, MESSAGE
//! events, API Gateway's limits, and exactly one `$disconnect` per
//! accepted connection.
//!
//! The upgrade is done by hand (hyper's `OnUpgrade` + tokio-tungstenite)
//! rather than through a framework, because `$connect` must run *before*
//! the handshake completes and an oversized frame must still get its close
//! frame (1009) out cleanly.
//!
//! Ordering: one connection's frames are handled one after the other, in
//! the order they arrived. AWS gives no such guarantee (each frame is its
//! own Lambda invocation); clients and handlers must not rely on it.

use crate::api_gateway::connections::{Connections, Outbound};
use crate::api_gateway::faults::Faults;
use crate::api_gateway::invoke::{InvokeError, invoke};
use crate::api_gateway::lambda_events::{self, WsConnectionContext};
use crate::api_gateway::responses;
use crate::api_gateway::route_selection::RouteSelection;
use crate::api_gateway::ws_paths;
use crate::dynamodb_stream::table_stream::TableStream;
use crate::functions::{Functions, LocalFunction, WsFunction};
use anyhow::{anyhow, bail};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use banter_core::domain::limits::MAX_PUSH_BYTES;
use banter_core::service::Services;
use banter_template::WebSocketApi;
use base64::Engine;
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// API Gateway's limit on one frame.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// How long a closing handshake may take before the socket is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Timeouts of the WebSocket API.
#[derive(Clone, Copy, Debug)]
pub struct WsLimits {
    /// No data frame from the client for this long: close 1001.
    pub idle_timeout: Duration,
    /// Connected this long: close 1001.
    pub max_connection_age: Duration,
    pub integration_timeout: Duration,
}

/// One resolved route.
#[derive(Clone)]
struct WsTarget {
    function: WsFunction,
    two_way: bool,
}

/// The template's WebSocket routes, each with its function.
pub struct WsRoutes {
    selection: RouteSelection,
    stage: String,
    by_key: BTreeMap<String, WsTarget>,
}

impl WsRoutes {
    /// Fails if a route names a binary `functions` lacks, or an HTTP one.
    pub fn resolve(api: &WebSocketApi, functions: &Functions) -> anyhow::Result<Self> {
        let selection = RouteSelection::parse(&api.route_selection_expression)?;
        let mut by_key = BTreeMap::new();
        for route in &api.routes {
            let function = match functions.get(&route.binary) {
                Some(LocalFunction::WebSocket(f)) => f.clone(),
                Some(other) => bail!(
                    "WebSocket route {} (function {}) names binary {}, which is an {} handler",
                    route.route_key,
                    route.function,
                    route.binary,
                    other.kind()
                ),
                None => {
                    return Err(unknown_binary(
                        &route.route_key,
                        &route.function,
                        &route.binary,
                        functions,
                    ));
                }
            };
            by_key.insert(
                route.route_key.clone(),
                WsTarget {
                    function,
                    two_way: route.two_way,
                },
            );
        }
        Ok(Self {
            selection,
            stage: api.stage.clone(),
            by_key,
        })
    }

    fn get(&self, key: &str) -> Option<&WsTarget> {
        self.by_key.get(key)
    }

    fn select(&self, text: Option<&str>) -> Option<&str> {
        self.selection
            .select(text, self.by_key.keys().map(String::as_str))
    }
}

pub(crate) fn unknown_binary(
    route: &str,
    function: &str,
    binary: &str,
    functions: &Functions,
) -> anyhow::Error {
    let known: Vec<&str> = functions.binaries().collect();
    anyhow!(
        "route {route} (function {function}) names binary {binary:?}, which \
         banter_handlers::FUNCTIONS does not define (known: {}): template.yaml and the \
         handlers have drifted apart",
        known.join(", ")
    )
}

/// Counts accepted-or-connecting sessions so shutdown can wait until every
/// `$disconnect` has been delivered.
#[derive(Clone)]
pub struct Sessions {
    live: Arc<watch::Sender<usize>>,
}

pub struct SessionGuard {
    live: Arc<watch::Sender<usize>>,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.live.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            live: Arc::new(watch::channel(0).0),
        }
    }
}

impl Sessions {
    fn begin(&self) -> SessionGuard {
        self.live.send_modify(|n| *n += 1);
        SessionGuard {
            live: self.live.clone(),
        }
    }

    pub async fn wait_until_none(&self) {
        let mut rx = self.live.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// Everything the WebSocket API needs, shared by every connection.
pub struct WsGateway {
    pub routes: WsRoutes,
    pub api_id: String,
    pub services: Arc<Services>,
    pub connections: Arc<Connections>,
    pub limits: WsLimits,
    pub shutdown: watch::Receiver<bool>,
    pub sessions: Sessions,
    /// The table's stream: told about each connection `$connect` stored.
    pub stream: Arc<TableStream>,
    /// Injected faults (none by default).
    pub faults: Faults,
}

/// Why a connection ended: the close code and reason `$disconnect` reports.
#[derive(Debug)]
enum Ending {
    /// The client sent a close frame (or the TCP connection dropped).
    ByClient { code: u16, reason: String },
    /// We close it: idle, max age, DELETE, shutdown.
    ByServer { code: u16, reason: &'static str },
    /// A frame or message over the limits: 1009.
    TooBig,
    /// Injected: the client vanished; the TCP connection just drops.
    Vanished,
}

impl Ending {
    fn disconnect(&self) -> (u16, String) {
        match self {
            Self::ByClient { code, reason } => (*code, reason.clone()),
            Self::ByServer { code, reason } => (*code, (*reason).to_owned()),
            Self::TooBig => (1009, "Message too big".to_owned()),
            Self::Vanished => (1006, "Connection closed abnormally".to_owned()),
        }
    }
}

const GOING_AWAY: Ending = Ending::ByServer {
    code: 1001,
    reason: "Going away",
};

/// Whether a request asks for a WebSocket upgrade.
pub fn is_upgrade(request: &Request) -> bool {
    request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Handles an upgrade request: runs `$connect`, then either refuses the
/// handshake with the handler's status or completes it.
pub async fn upgrade(gateway: Arc<WsGateway>, peer: SocketAddr, mut request: Request) -> Response {
    let key = match handshake_key(&request) {
        Ok(key) => key,
        Err(refusal) => return *refusal,
    };
    // Counted before the shutdown check, so shutdown either sees this
    // session or this session sees shutdown.
    let session = gateway.sessions.begin();
    if *gateway.shutdown.borrow() {
        return responses::message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
    }
    let ctx = connection_context(&gateway, peer, &request);
    let outbox = gateway.connections.register(
        &ctx.connection_id,
        ctx.source_ip.clone(),
        ctx.user_agent.clone(),
    );
    // Forgets the registration if this request ends before the session
    // task takes over (refused, or the client hung up mid-`$connect`).
    let registration = Registration {
        connections: gateway.connections.clone(),
        id: Some(ctx.connection_id.clone()),
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    let query = ws_paths::rewrite(request.uri().path(), request.uri().query());
    let connect = lambda_events::ws_connect(&ctx, request.headers(), query.as_deref());
    let subprotocol = match run_connect(&gateway, connect).await {
        Ok(subprotocol) => subprotocol,
        // Refused at `$connect`: API Gateway sends no `$disconnect`.
        Err(refusal) => return *refusal,
    };
    if !gateway.faults.slow_connect.is_zero() {
        // Injected: `$connect` is still "running"; posts meet 410 meanwhile.
        tokio::time::sleep(gateway.faults.slow_connect).await;
    }
    gateway.connections.open(&ctx.connection_id);
    gateway.stream.connection_inserted(&ctx.connection_id);
    registration.hand_over();
    tracing::info!(connection = %ctx.connection_id, peer = %peer, "connected");
    tokio::spawn(async move {
        serve_session(&gateway, &ctx, on_upgrade, outbox).await;
        drop(session);
    });
    switching_protocols(&key, subprotocol)
}

/// The client's `Sec-WebSocket-Key` if this is a WebSocket handshake API
/// Gateway would take, else the answer it would give.
fn handshake_key(request: &Request) -> Result<HeaderValue, Box<Response>> {
    let headers = request.headers();
    let connection_upgrade = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    let Some(key) = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|_| request.method() == http::Method::GET && connection_upgrade)
    else {
        return Err(Box::new(responses::message(
            StatusCode::BAD_REQUEST,
            "Bad Request",
        )));
    };
    let version_ok = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v.as_bytes() == b"13");
    if !version_ok {
        let mut response = responses::message(StatusCode::UPGRADE_REQUIRED, "Upgrade Required");
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return Err(Box::new(response));
    }
    Ok(key.clone())
}

/// The `requestContext` every event of this connection carries.
fn connection_context(
    gateway: &WsGateway,
    peer: SocketAddr,
    request: &Request,
) -> WsConnectionContext {
    WsConnectionContext {
        api_id: gateway.api_id.clone(),
        stage: gateway.routes.stage.clone(),
        connection_id: lambda_events::aws_id(),
        connected_at: lambda_events::epoch_millis(time::OffsetDateTime::now_utc()),
        domain_name: header_text(request.headers(), header::HOST).unwrap_or_default(),
        source_ip: peer.ip().to_string(),
        user_agent: header_text(request.headers(), header::USER_AGENT),
    }
}

/// Runs the `$connect` route, if there is one: the subprotocol its answer
/// chose, or the refusal API Gateway answers the handshake with.
async fn run_connect(
    gateway: &WsGateway,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<Option<HeaderValue>, Box<Response>> {
    let Some(route) = gateway.routes.get("$connect") else {
        return Ok(None);
    };
    match call(gateway, route, event, "$connect").await {
        Ok(answer) if (200..300).contains(&answer.status_code) => Ok(answer
            .headers
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .or_else(|| {
                answer
                    .multi_value_headers
                    .get(header::SEC_WEBSOCKET_PROTOCOL)
            })
            .cloned()),
        Ok(answer) => Err(Box::new(refusal(&answer))),
        Err(InvokeError::Panicked) => Err(Box::new(responses::message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error",
        ))),
        Err(InvokeError::TimedOut) => Err(Box::new(responses::message(
            StatusCode::GATEWAY_TIMEOUT,
            "Endpoint request timed out",
        ))),
    }
}

/// The socket's life after the handshake, ending with its `$disconnect`.
async fn serve_session(
    gateway: &Arc<WsGateway>,
    ctx: &WsConnectionContext,
    on_upgrade: hyper::upgrade::OnUpgrade,
    outbox: mpsc::UnboundedReceiver<Outbound>,
) {
    let ending = match on_upgrade.await {
        Ok(upgraded) => {
            let config = WebSocketConfig::default()
                .max_frame_size(Some(MAX_FRAME_BYTES))
                .max_message_size(Some(MAX_PUSH_BYTES));
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            converse(gateway, ctx, socket, outbox).await
        }
        Err(error) => {
            tracing::warn!(connection = %ctx.connection_id, %error, "upgrade failed");
            Ending::ByClient {
                code: 1006,
                reason: "Connection closed abnormally".into(),
            }
        }
    };
    let (code, reason) = ending.disconnect();
    disconnect(gateway, ctx, code, &reason).await;
}

/// `101 Switching Protocols`, accepting `key`.
fn switching_protocols(key: &HeaderValue, subprotocol: Option<HeaderValue>) -> Response {
    let mut response = responses::empty(StatusCode::SWITCHING_PROTOCOLS);
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    if let Some(protocol) = subprotocol {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    response
}

struct Registration {
    connections: Arc<Connections>,
    id: Option<String>,
}

impl Registration {
    /// The session task owns the connection from now on.
    fn hand_over(mut self) {
        self.id = None;
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.connections.remove(&id);
        }
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A non-2xx `$connect` answer, as the handshake's HTTP response.
fn refusal(answer: &ApiGatewayProxyResponse) -> Response {
    let status = u16::try_from(answer.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(responses::lambda_body_bytes(
        answer.body.as_ref(),
    )));
    *response.status_mut() = status;
    for (name, value) in answer
        .multi_value_headers
        .iter()
        .chain(answer.headers.iter())
    {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response
}

async fn call(
    gateway: &WsGateway,
    route: &WsTarget,
    event: ApiGatewayWebsocketProxyRequest,
    what: &'static str,
) -> Result<ApiGatewayProxyResponse, InvokeError> {
    let event = lambda_events::through_json(&event).map_err(|error| {
        tracing::error!(%error, "event does not survive the JSON trip");
        InvokeError::Panicked
    })?;
    let future = (route.function)(gateway.services.clone(), event);
    invoke(what, future, gateway.limits.integration_timeout).await
}

/// A client frame waiting for its route's function.
enum Inbound {
    Text(String),
    Binary(Vec<u8>),
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Runs one accepted connection until it ends, and closes it.
async fn converse(
    gateway: &Arc<WsGateway>,
    ctx: &WsConnectionContext,
    mut socket: Socket,
    mut outbox: mpsc::UnboundedReceiver<Outbound>,
) -> Ending {
    let id = ctx.connection_id.as_str();
    let (inbound_tx, inbound_rx) = mpsc::unbounded_channel();
    let (reply_tx, mut replies) = mpsc::unbounded_channel();
    let dispatcher = tokio::spawn(dispatch(gateway.clone(), ctx.clone(), inbound_rx, reply_tx));

    let max_age = Instant::now() + gateway.limits.max_connection_age;
    let mut idle = Instant::now() + gateway.limits.idle_timeout;
    let mut shutdown = gateway.shutdown.clone();
    let ending = loop {
        tokio::select! {
            () = stopping(&mut shutdown) => break GOING_AWAY,
            _ = sleep_until(idle) => break GOING_AWAY,
            _ = sleep_until(max_age) => break GOING_AWAY,
            out = outbox.recv() => {
                let message = match out {
                    Some(Outbound::Text(text)) => Message::text(text),
                    Some(Outbound::Binary(bytes)) => Message::binary(bytes),
                    Some(Outbound::Vanish) => break Ending::Vanished,
                    Some(Outbound::Close) | None => {
                        break Ending::ByServer { code: 1000, reason: "Connection closed by server" };
                    }
                };
                if socket.send(message).await.is_err() {
                    break abnormal();
                }
            }
            Some(reply) = replies.recv() => {
                if socket.send(Message::text(reply)).await.is_err() {
                    break abnormal();
                }
            }
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    idle = Instant::now() + gateway.limits.idle_timeout;
                    gateway.connections.touch(id);
                    let _ = inbound_tx.send(Inbound::Text(text.as_str().to_owned()));
                }
                Some(Ok(Message::Binary(bytes))) => {
                    idle = Instant::now() + gateway.limits.idle_timeout;
                    gateway.connections.touch(id);
                    let _ = inbound_tx.send(Inbound::Binary(bytes.to_vec()));
                }
                // Pings are answered by tungstenite; control frames do not
                // count as activity.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(frame))) => {
                    break match frame {
                        Some(f) => Ending::ByClient { code: u16::from(f.code), reason: f.reason.as_str().to_owned() },
                        None => Ending::ByClient { code: 1005, reason: "Client-side close frame status not set".into() },
                    };
                }
                Some(Err(WsError::Utf8(error))) => {
                    // RFC 6455 section 8.1: invalid UTF-8 in a text frame fails the connection with 1007.
                    tracing::info!(connection = %id, %error, "text frame is not UTF-8");
                    break Ending::ByServer { code: 1007, reason: "Invalid frame payload data" };
                }
                Some(Err(WsError::Capacity(error))) => {
                    tracing::info!(connection = %id, %error, "frame or message over the limit");
                    break Ending::TooBig;
                }
                Some(Err(error)) => {
                    tracing::debug!(connection = %id, %error, "socket error");
                    break abnormal();
                }
                None => break abnormal(),
            },
        }
    };
    close(socket, &ending).await;
    // Gone for the Management API from now on; frames already received are
    // still handled (AWS would already have invoked their functions).
    gateway.connections.remove(id);
    drop(inbound_tx);
    drop(replies);
    let _ = dispatcher.await;
    ending
}

/// Resolves once shutdown starts (or the server is gone).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

fn abnormal() -> Ending {
    Ending::ByClient {
        code: 1006,
        reason: "Connection closed abnormally".into(),
    }
}

/// Finishes the closing handshake, or starts and finishes it.
async fn close(mut socket: Socket, ending: &Ending) {
    match ending {
        Ending::Vanished => drop(socket),
        Ending::ByClient { .. } => {
            // tungstenite has queued the reply to the client's close; send it.
            let _ = timeout(CLOSE_GRACE, socket.close(None)).await;
        }
        Ending::ByServer { code, reason } => {
            let frame = CloseFrame {
                code: CloseCode::from(*code),
                reason: (*reason).into(),
            };
            let _ = timeout(CLOSE_GRACE, socket.close(Some(frame))).await;
            // Wait for the client's close frame, ignoring data after ours.
            let _ = timeout(CLOSE_GRACE, async {
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_close() {
                        break;
                    }
                }
            })
            .await;
        }
        Ending::TooBig => {
            let frame = CloseFrame {
                code: CloseCode::Size,
                reason: "Message too big".into(),
            };
            let _ = timeout(CLOSE_GRACE, socket.close(Some(frame))).await;
            // The rest of the oversized frame may still be unread: closing
            // now would reset the connection and the client could lose our
            // close frame. Half-close, then drain raw bytes until the client
            // hangs up.
            let raw = socket.get_mut();
            let _ = timeout(CLOSE_GRACE, async {
                let _ = raw.shutdown().await;
                let mut sink = vec![0_u8; 16 * 1024];
                while matches!(raw.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
        }
    }
}

/// Handles a connection's frames in arrival order.
async fn dispatch(
    gateway: Arc<WsGateway>,
    ctx: WsConnectionContext,
    mut inbound: mpsc::UnboundedReceiver<Inbound>,
    replies: mpsc::UnboundedSender<String>,
) {
    while let Some(frame) = inbound.recv().await {
        let (body, is_base64, text) = match frame {
            Inbound::Text(text) => (text.clone(), false, Some(text)),
            // Binary frames are not JSON to select on: they go to $default.
            Inbound::Binary(bytes) => (
                base64::engine::general_purpose::STANDARD.encode(bytes),
                true,
                None,
            ),
        };
        let Some(route_key) = gateway.routes.select(text.as_deref()) else {
            let _ = replies.send(gateway_error("Forbidden", &ctx, &lambda_events::aws_id()));
            continue;
        };
        let Some(route) = gateway.routes.get(route_key).cloned() else {
            continue;
        };
        let event = lambda_events::ws_message(&ctx, route_key, body, is_base64);
        let request_id = event.request_context.request_id.clone().unwrap_or_default();
        match call(&gateway, &route, event, "message route").await {
            Ok(answer) => {
                if route.two_way {
                    let body = responses::lambda_body_bytes(answer.body.as_ref());
                    if !body.is_empty() {
                        let _ = replies.send(String::from_utf8_lossy(&body).into_owned());
                    }
                }
            }
            Err(InvokeError::Panicked) => {
                let _ = replies.send(gateway_error("Internal server error", &ctx, &request_id));
            }
            Err(InvokeError::TimedOut) => {
                let _ = replies.send(gateway_error(
                    "Endpoint request timed out",
                    &ctx,
                    &request_id,
                ));
            }
        }
    }
}

/// The frame API Gateway itself sends when it cannot deliver a message.
fn gateway_error(message: &str, ctx: &WsConnectionContext, request_id: &str) -> String {
    serde_json::json!({
        "message": message,
        "connectionId": ctx.connection_id,
        "requestId": request_id,
    })
    .to_string()
}

/// Delivers the connection's one `$disconnect`.
async fn disconnect(gateway: &WsGateway, ctx: &WsConnectionContext, code: u16, reason: &str) {
    gateway.connections.remove(&ctx.connection_id);
    tracing::info!(connection = %ctx.connection_id, code, reason, "disconnected");
    if gateway.faults.drops_disconnect() {
        tracing::info!(connection = %ctx.connection_id, "fault injection: $disconnect dropped");
        return;
    }
    if let Some(route) = gateway.routes.get("$disconnect") {
        let event = lambda_events::ws_disconnect(ctx, code, reason);
        let _ = call(gateway, route, event, "$disconnect").await;
    }
}
