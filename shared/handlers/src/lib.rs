//! The Lambda handlers, one per function in `template.yaml`. Each takes the
//! event API Gateway sends and returns what API Gateway expects. Lambda
//! mains and banter-local call the very same functions.

#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod ws;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::service::Services;
use futures::future::BoxFuture;

pub type WsHandler = for<'a> fn(
    &'a Services,
    ApiGatewayWebsocketProxyRequest,
) -> BoxFuture<'a, ApiGatewayProxyResponse>;

pub type HttpHandler = for<'a> fn(
    &'a Services,
    lambda_http::Request,
) -> BoxFuture<'a, lambda_http::Response<lambda_http::Body>>;

/// A DynamoDB stream consumer (the welcome after `$connect`).
pub type StreamHandler =
    for<'a> fn(&'a Services, aws_lambda_events::dynamodb::Event) -> BoxFuture<'a, ()>;

/// A function's handler, by the kind of event it takes. The type
/// parameters say how a handler is held: plain `fn`s for Banter's own (the
/// defaults), closures for banter-local's stand-ins in tests.
#[derive(Clone, Copy)]
pub enum Function<W = WsHandler, H = HttpHandler, S = StreamHandler> {
    WebSocket(W),
    Http(H),
    Stream(S),
}

impl<W, H, S> Function<W, H, S> {
    /// The kind of event it takes, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::WebSocket(_) => "WebSocket",
            Self::Http(_) => "HTTP",
            Self::Stream(_) => "DynamoDB stream",
        }
    }

    /// The same function with its handler held another way.
    pub fn map<W2, H2, S2>(
        self,
        ws: impl FnOnce(W) -> W2,
        http: impl FnOnce(H) -> H2,
        stream: impl FnOnce(S) -> S2,
    ) -> Function<W2, H2, S2> {
        match self {
            Self::WebSocket(handler) => Function::WebSocket(ws(handler)),
            Self::Http(handler) => Function::Http(http(handler)),
            Self::Stream(handler) => Function::Stream(stream(handler)),
        }
    }
}

/// Every function, by the binary name its template entry builds
/// (`Metadata.BuildProperties.Binary`). banter-local refuses to start if the
/// template names a binary missing here, so the two cannot drift.
pub const FUNCTIONS: &[(&str, Function)] = &[
    (
        "banter-ws-connect",
        Function::WebSocket(|s, e| Box::pin(ws::connect::handle(s, e))),
    ),
    (
        "banter-ws-disconnect",
        Function::WebSocket(|s, e| Box::pin(ws::disconnect::handle(s, e))),
    ),
    (
        "banter-ws-message",
        Function::WebSocket(|s, e| Box::pin(ws::message::handle(s, e))),
    ),
    (
        "banter-ws-welcome",
        Function::Stream(|s, e| Box::pin(ws::welcome::handle(s, e))),
    ),
    (
        "banter-http-auth",
        Function::Http(|s, r| Box::pin(http::auth::handle(s, r))),
    ),
    (
        "banter-http-rooms",
        Function::Http(|s, r| Box::pin(http::rooms::handle(s, r))),
    ),
    (
        "banter-http-messages",
        Function::Http(|s, r| Box::pin(http::messages::handle(s, r))),
    ),
    (
        "banter-http-files",
        Function::Http(|s, r| Box::pin(http::files::handle(s, r))),
    ),
    (
        "banter-http-chat",
        Function::Http(|s, r| Box::pin(http::chat::handle(s, r))),
    ),
    (
        "banter-http-conversations",
        Function::Http(|s, r| Box::pin(http::conversations::handle(s, r))),
    ),
];

pub fn function(binary: &str) -> Option<Function> {
    FUNCTIONS
        .iter()
        .find(|(name, _)| *name == binary)
        .map(|(_, f)| *f)
}
