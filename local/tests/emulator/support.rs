//! Test harness: banter-local on a free port with stand-in functions for
//! the template's binaries, so these tests exercise the emulator, not the
//! chat logic.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::domain::ConnectionId;
use banter_core::ports::{Push, PushError};
use banter_local::{Functions, LocalServer, Options, RunningServer};
use banter_template::ApiTemplate;
use futures::{SinkExt, StreamExt};
use lambda_http::{Body, RequestExt, Response};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every WebSocket event the stand-in functions saw, plus what they observed.
#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<ApiGatewayWebsocketProxyRequest>>,
    /// Results of pushes the stand-in `$connect` made to its own connection.
    pub pushes_during_connect: Mutex<Vec<Result<(), String>>>,
    changed: Notify,
    /// The server's Management API, as a function would reach it.
    push: OnceLock<Arc<dyn Push>>,
}

impl Recorder {
    fn push(&self) -> &Arc<dyn Push> {
        self.push.get().expect("the server has started")
    }

    fn record(&self, event: &ApiGatewayWebsocketProxyRequest) {
        self.events
            .lock()
            .expect("recorder lock")
            .push(event.clone());
        self.changed.notify_waiters();
    }

    pub fn events(&self, route_key: &str) -> Vec<ApiGatewayWebsocketProxyRequest> {
        let events = self.events.lock().expect("recorder lock");
        events
            .iter()
            .filter(|e| e.request_context.route_key.as_deref() == Some(route_key))
            .cloned()
            .collect()
    }

    /// Waits (up to 5 s) until `count` events of `route_key` were seen.
    pub async fn wait_for(
        &self,
        route_key: &str,
        count: usize,
    ) -> Vec<ApiGatewayWebsocketProxyRequest> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let notified = self.changed.notified();
            let events = self.events(route_key);
            if events.len() >= count {
                return events;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "waited 5 s for {count} {route_key} events, saw {}",
                    events.len()
                );
            }
        }
    }
}

fn query<'a>(event: &'a ApiGatewayWebsocketProxyRequest, name: &str) -> Option<&'a str> {
    event.query_string_parameters.first(name)
}

fn ok() -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 200;
    response
}

fn connection_id(event: &ApiGatewayWebsocketProxyRequest) -> ConnectionId {
    ConnectionId(
        event
            .request_context
            .connection_id
            .clone()
            .unwrap_or_default(),
    )
}

/// Stand-ins for every binary the real template names.
///
/// `$connect` understands `?refuse=STATUS`, `?delay_ms=N` (sleeps after
/// recording), `?push_self=1` (posts to itself, recording the result) and
/// `?protocol=P` (answers with that subprotocol).
/// Message routes record; a body containing `echo` is pushed back, one
/// containing `panic` panics.
/// HTTP functions answer with a JSON description of the request they got.
pub fn stand_ins(recorder: Arc<Recorder>) -> Functions {
    let on_connect = recorder.clone();
    let on_disconnect = recorder.clone();
    let on_message = recorder;
    let mut functions = Functions::empty()
        .with_ws("banter-ws-connect", move |_, event| {
            let recorder = on_connect.clone();
            async move {
                recorder.record(&event);
                if let Some(ms) = query(&event, "delay_ms").and_then(|v| v.parse().ok()) {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                if query(&event, "push_self").is_some() {
                    let result = recorder.push().post(&connection_id(&event), "early").await;
                    let result = result.map_err(|e| match e {
                        PushError::Gone => "gone".to_owned(),
                        other => other.to_string(),
                    });
                    recorder
                        .pushes_during_connect
                        .lock()
                        .expect("lock")
                        .push(result);
                }
                let mut response = ok();
                if let Some(status) = query(&event, "refuse").and_then(|v| v.parse().ok()) {
                    response.status_code = status;
                    response.body = Some(lambda_http::Body::Text("refused by $connect".into()));
                }
                if let Some(protocol) = query(&event, "protocol") {
                    if let Ok(value) = protocol.parse() {
                        response.headers.insert("sec-websocket-protocol", value);
                    }
                }
                response
            }
        })
        .with_ws("banter-ws-disconnect", move |_, event| {
            let recorder = on_disconnect.clone();
            async move {
                recorder.record(&event);
                ok()
            }
        })
        .with_ws("banter-ws-message", move |_, event| {
            let recorder = on_message.clone();
            async move {
                recorder.record(&event);
                let body = event.body.clone().unwrap_or_default();
                if body.contains("panic") {
                    panic!("a stand-in function panicking on purpose");
                }
                if body.contains("echo") {
                    let reply = format!(
                        "echo:{}",
                        event.request_context.route_key.as_deref().unwrap_or("")
                    );
                    let _ = recorder.push().post(&connection_id(&event), &reply).await;
                }
                ok()
            }
        });
    // Every other function the template names gets a stand-in too, so new
    // routes never break the emulator's own tests.
    let template =
        ApiTemplate::load(&ApiTemplate::default_path()).expect("the SAM template parses");
    for route in &template.http.routes {
        let binary: &'static str = Box::leak(route.binary.clone().into_boxed_str());
        functions = functions
            .with_http(binary, move |_, request: lambda_http::Request| async move {
                describe(binary, request)
            });
    }
    for consumer in &template.streams {
        functions = functions.with_stream(&consumer.binary, |_, _| async {});
    }
    functions
}

fn describe(binary: &str, request: lambda_http::Request) -> Response<Body> {
    let route_key = match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.clone(),
        _ => None,
    };
    let params: serde_json::Map<String, serde_json::Value> = request
        .path_parameters()
        .iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
        .collect();
    let body = match request.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => format!("binary:{}", bytes.len()),
        _ => String::new(),
    };
    let description = serde_json::json!({
        "binary": binary,
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "route_key": route_key,
        "path_parameters": params,
        "query_q": request.query_string_parameters().all("q"),
        "cookie": request.headers().get("cookie").and_then(|v| v.to_str().ok()),
        "body": body,
    });
    Response::builder()
        .status(if request.uri().path().ends_with("/teapot") {
            418
        } else {
            200
        })
        .header("content-type", "application/json")
        .header("set-cookie", "a=1")
        .header("set-cookie", "b=2")
        .body(Body::Text(description.to_string()))
        .expect("a valid response")
}

pub struct Harness {
    pub server: RunningServer,
    pub recorder: Arc<Recorder>,
}

pub async fn start() -> Harness {
    start_with(|options| options).await
}

pub async fn start_with(customise: impl FnOnce(Options) -> Options) -> Harness {
    banter_local::init_test_tracing();
    let recorder = Arc::new(Recorder::default());
    let options = customise(Options::in_memory().functions(stand_ins(recorder.clone())));
    let server = LocalServer::start(options)
        .await
        .expect("banter-local starts");
    let _ = recorder.push.set(server.push().clone());
    Harness { server, recorder }
}

impl Harness {
    /// Connects with a query string (no leading `?`), waits for the handshake.
    pub async fn connect(&self, query: &str) -> (Client, String) {
        let url = format!("{}?{query}", self.server.ws_url());
        let (client, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("handshake succeeds");
        let events = self.recorder.events("$connect");
        let id = events
            .last()
            .and_then(|e| e.request_context.connection_id.clone())
            .expect("$connect saw the connection");
        (client, id)
    }

    pub fn management_url(&self, id: &str) -> String {
        format!("{}/@connections/{id}", self.server.management_endpoint())
    }
}

/// The next data frame's text, within 5 s.
pub async fn next_text(client: &mut Client) -> String {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), client.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match frame {
            Message::Text(text) => return text.as_str().to_owned(),
            Message::Close(close) => panic!("closed instead: {close:?}"),
            _ => {}
        }
    }
}

/// The close code the server sends, within 5 s.
pub async fn close_code(client: &mut Client) -> CloseCode {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), client.next())
            .await
            .expect("a frame within 5 s");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => return close.code,
            Some(Ok(Message::Close(None))) => panic!("closed without a code"),
            Some(Ok(_)) => {}
            Some(Err(error)) => panic!("socket error before a close frame: {error}"),
            None => panic!("socket ended without a close frame"),
        }
    }
}

pub async fn send_text(client: &mut Client, text: &str) {
    client.send(Message::text(text)).await.expect("send");
}
