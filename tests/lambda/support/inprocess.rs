//! The handlers in this process, on the AWS adapters banter-lambda wires
//! (DynamoDB store, S3 blobs) with recording clients: DynamoDB Local and
//! moto behind them, a recording `Push` in front of the Management API.

use super::recorder::{DynamoRecorder, RecordingPush, S3Recorder};
use super::scenario::Invoke;
use super::{dynamodb, s3};
use async_trait::async_trait;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use banter_core::config::Config;
use banter_core::dialect::Dialects;
use banter_core::service::Services;
use banter_dynamodb::DynamoStore;
use banter_handlers::Function;
use banter_s3::S3BlobStore;
use serde_json::{Value, json};
use std::sync::Arc;

pub struct Stack {
    /// The same table through a client that records nothing, for checks.
    pub store: DynamoStore,
    pub services: Services,
    pub dynamo: DynamoRecorder,
    pub s3: S3Recorder,
    pub push: Arc<RecordingPush>,
}

impl Stack {
    /// A fresh table and bucket; the JWT secret created as at a cold start.
    pub async fn new() -> Self {
        let store = dynamodb::fresh_store().await;
        let dynamo = DynamoRecorder::default();
        let client = dynamo.client(store.client());
        let secret = banter_dynamodb::jwt_secret::load_or_create(&client, store.table())
            .await
            .expect("the JWT secret");
        let bucket = new_bucket().await;
        let s3_recorder = S3Recorder::default();
        let blobs = S3BlobStore::new(s3_recorder.client(&s3::client()), bucket);
        let push = Arc::new(RecordingPush::default());
        let services = Services::new(
            Arc::new(DynamoStore::new(client, store.table().to_owned())),
            Arc::new(blobs),
            push.clone(),
            Arc::new(Dialects),
            Config::with_secret(secret),
        );
        let stack = Self {
            store,
            services,
            dynamo,
            s3: s3_recorder,
            push,
        };
        stack.reset();
        stack
    }

    pub fn reset(&self) {
        self.dynamo.reset();
        self.s3.reset();
        self.push.reset();
    }
}

/// A fresh bucket in moto.
pub async fn new_bucket() -> String {
    let bucket = format!("banter-test-{:016x}", rand::random::<u64>());
    s3::client()
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "creating bucket {bucket} in moto: {}\nRun scripts/lib/moto.sh.",
                aws_sdk_s3::error::DisplayErrorContext(&e)
            )
        });
    bucket
}

#[async_trait]
impl Invoke for Stack {
    async fn invoke(&self, binary: &str, event: &Value) -> Value {
        invoke(&self.services, binary, event).await
    }
}

/// What the Lambda runtime would return for `event`, in process.
pub async fn invoke(services: &Services, binary: &str, event: &Value) -> Value {
    let function = banter_handlers::function(binary)
        .unwrap_or_else(|| panic!("banter_handlers has no function {binary}"));
    match function {
        Function::WebSocket(handle) => {
            let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event.clone())
                .unwrap_or_else(|e| panic!("not a WebSocket event for {binary}: {e}"));
            serde_json::to_value(handle(services, request).await).expect("a response")
        }
        Function::Http(handle) => {
            let request = lambda_http::request::from_str(&event.to_string())
                .unwrap_or_else(|e| panic!("not an HTTP API event for {binary}: {e}"));
            let response = handle(services, request).await;
            let headers: serde_json::Map<String, Value> = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        Value::String(v.to_str().unwrap_or_default().to_owned()),
                    )
                })
                .collect();
            let body = match response.body() {
                lambda_http::Body::Text(text) => text.clone(),
                lambda_http::Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                _ => String::new(),
            };
            json!({"statusCode": response.status().as_u16(), "headers": headers, "body": body})
        }
        // Event-source functions (the stream-triggered welcome) are run by
        // the emulator test only.
        #[allow(unreachable_patterns)]
        _ => Value::Null,
    }
}
