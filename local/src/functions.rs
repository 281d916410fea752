//! The functions banter-local can invoke, by the binary name the template's
//! `Metadata.BuildProperties.Binary` gives them.
//!
//! By default this is `banter_handlers::FUNCTIONS`, the very handlers the
//! Lambda mains run. Tests inject their own (closures may capture state),
//! so the emulator can be tested without the chat logic.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::service::Services;
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

/// A WebSocket route's handler: the event in, API Gateway's response out.
pub type WsFunction = Arc<
    dyn Fn(
            Arc<Services>,
            ApiGatewayWebsocketProxyRequest,
        ) -> BoxFuture<'static, ApiGatewayProxyResponse>
        + Send
        + Sync,
>;

/// An HTTP API route's handler, as `lambda_http` hands it a request.
pub type HttpFunction =
    Arc<dyn Fn(Arc<Services>, Request) -> BoxFuture<'static, Response<Body>> + Send + Sync>;

/// A DynamoDB stream consumer, as the event source mapping invokes it.
pub type StreamFunction = Arc<
    dyn Fn(Arc<Services>, aws_lambda_events::dynamodb::Event) -> BoxFuture<'static, ()>
        + Send
        + Sync,
>;

/// One function, by the kind of event it takes, its handler a closure.
pub type LocalFunction = banter_handlers::Function<WsFunction, HttpFunction, StreamFunction>;

/// Binary name → function.
#[derive(Clone, Default)]
pub struct Functions {
    by_binary: BTreeMap<String, LocalFunction>,
}

impl Functions {
    /// No functions at all: every template route will fail to resolve.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The real handlers, from `banter_handlers::FUNCTIONS`.
    pub fn banter() -> Self {
        let mut functions = Self::empty();
        for (binary, function) in banter_handlers::FUNCTIONS {
            let local: LocalFunction = function.map(
                |handler| -> WsFunction {
                    Arc::new(move |services: Arc<Services>, event| {
                        Box::pin(async move { handler(&services, event).await })
                    })
                },
                |handler| -> HttpFunction {
                    Arc::new(move |services: Arc<Services>, request| {
                        Box::pin(async move { handler(&services, request).await })
                    })
                },
                |handler| -> StreamFunction {
                    Arc::new(move |services: Arc<Services>, event| {
                        Box::pin(async move { handler(&services, event).await })
                    })
                },
            );
            functions.by_binary.insert((*binary).to_owned(), local);
        }
        functions
    }

    /// Adds (or replaces) a WebSocket function.
    pub fn with_ws<F, Fut>(mut self, binary: &str, handler: F) -> Self
    where
        F: Fn(Arc<Services>, ApiGatewayWebsocketProxyRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiGatewayProxyResponse> + Send + 'static,
    {
        let function: WsFunction = Arc::new(move |s, e| Box::pin(handler(s, e)));
        self.by_binary
            .insert(binary.to_owned(), LocalFunction::WebSocket(function));
        self
    }

    /// Adds (or replaces) an HTTP function.
    pub fn with_http<F, Fut>(mut self, binary: &str, handler: F) -> Self
    where
        F: Fn(Arc<Services>, Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response<Body>> + Send + 'static,
    {
        let function: HttpFunction = Arc::new(move |s, r| Box::pin(handler(s, r)));
        self.by_binary
            .insert(binary.to_owned(), LocalFunction::Http(function));
        self
    }

    /// Adds (or replaces) a DynamoDB stream function.
    pub fn with_stream<F, Fut>(mut self, binary: &str, handler: F) -> Self
    where
        F: Fn(Arc<Services>, aws_lambda_events::dynamodb::Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let function: StreamFunction = Arc::new(move |s, e| Box::pin(handler(s, e)));
        self.by_binary
            .insert(binary.to_owned(), LocalFunction::Stream(function));
        self
    }

    pub fn get(&self, binary: &str) -> Option<&LocalFunction> {
        self.by_binary.get(binary)
    }

    pub fn binaries(&self) -> impl Iterator<Item = &str> {
        self.by_binary.keys().map(String::as_str)
    }
}
