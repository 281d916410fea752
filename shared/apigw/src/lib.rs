//! Banter's [`Push`] on API Gateway's Management API:
//! `POST /@connections/{id}` sends one frame, `DELETE /@connections/{id}`
//! closes the connection.
//!
//! **Endpoint.** The Management API of a WebSocket API lives at
//! `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}` (also when
//! clients connect through a custom domain). Every event carries `apiId`
//! and `stage` in its request context, but the push port is built once per
//! cold start, before any event arrives, so the endpoint comes from
//! configuration instead: [`execute_api_endpoint`] from `BANTER_WS_API_ID`,
//! `AWS_REGION` and `BANTER_WS_STAGE`, or `BANTER_WS_ENDPOINT` verbatim
//! (banter-local, tests, a proxy). `banter-lambda`'s settings read them.
//!
//! **Errors.** `GoneException` (410) is [`PushError::Gone`]: the connection
//! is closed or its `$connect` has not returned yet. `PayloadTooLargeException`
//! (413) is [`PushError::PayloadTooLarge`]; payloads over 128 KB are refused
//! here before any call. 429, 5xx, throttling codes and calls that got no
//! answer are [`PushError::Transient`] (core retries them with backoff).
//! Everything else is `Unexpected`, with the connection id and the SDK's
//! error chain.
//!
//! **Sharing.** [`ManagementApiPush`] is a cheap `Clone` (the SDK client is
//! an `Arc` around one connection pool). Bounded concurrency is the caller's
//! job (core's fan-out).
//!
//! IAM: `execute-api:ManageConnections` on
//! `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/POST/@connections/*`
//! and `.../DELETE/@connections/*`.

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::Builder;
use aws_sdk_apigatewaymanagement::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_apigatewaymanagement::primitives::Blob;
use banter_core::domain::ConnectionId;
use banter_core::domain::limits::MAX_PUSH_BYTES;
use banter_core::ports::{Push, PushError};

/// The environment variable that sets the endpoint verbatim.
pub const ENDPOINT_ENV: &str = "BANTER_WS_ENDPOINT";
/// The WebSocket API's id (`!Ref` of the `AWS::ApiGatewayV2::Api`).
pub const API_ID_ENV: &str = "BANTER_WS_API_ID";
/// The WebSocket API's stage name.
pub const STAGE_ENV: &str = "BANTER_WS_STAGE";

/// The Management API endpoint of a WebSocket API stage.
pub fn execute_api_endpoint(api_id: &str, region: &str, stage: &str) -> String {
    format!("https://{api_id}.execute-api.{region}.amazonaws.com/{stage}")
}

/// The push port on the Management API. Clones share one client.
#[derive(Clone, Debug)]
pub struct ManagementApiPush {
    client: Client,
}

impl ManagementApiPush {
    /// Pushes through `client`, which must have the stage's endpoint
    /// (`endpoint_url`), e.g. from [`Self::with_endpoint`].
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Pushes to `endpoint` with the rest of `config` (region, credentials,
    /// retries): `Builder::from(&sdk_config)` on Lambda.
    pub fn with_endpoint(config: Builder, endpoint: &str) -> Self {
        Self::new(Client::from_conf(config.endpoint_url(endpoint).build()))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `POST /@connections/{id}` without the local size check.
    async fn post_unchecked(
        &self,
        connection: &ConnectionId,
        payload: &str,
    ) -> Result<(), PushError> {
        self.client
            .post_to_connection()
            .connection_id(&connection.0)
            .data(Blob::new(payload.as_bytes()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e, "PostToConnection", connection))
    }
}

#[async_trait]
impl Push for ManagementApiPush {
    async fn post(&self, connection: &ConnectionId, payload: &str) -> Result<(), PushError> {
        if payload.len() > MAX_PUSH_BYTES {
            return Err(PushError::PayloadTooLarge);
        }
        self.post_unchecked(connection, payload).await
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        self.client
            .delete_connection()
            .connection_id(&connection.0)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e, "DeleteConnection", connection))
    }
}

/// Maps an SDK error by its modelled code, or by the HTTP status when a
/// proxy answered without one.
fn classify<E>(error: SdkError<E>, operation: &str, connection: &ConnectionId) -> PushError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let throttled = matches!(
        error.code(),
        Some("LimitExceededException" | "ThrottlingException" | "TooManyRequestsException")
    ) || matches!(status, Some(429 | 500..=599));
    // No answer at all (timeout, connection reset): try again too.
    let unanswered = matches!(
        error,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    );
    match (error.code(), status) {
        (Some("GoneException"), _) | (_, Some(410)) => PushError::Gone,
        (Some("PayloadTooLargeException"), _) | (_, Some(413)) => PushError::PayloadTooLarge,
        _ => {
            let described = anyhow::anyhow!(
                "{operation} on connection {}: {}",
                connection.0,
                DisplayErrorContext(&error)
            );
            if throttled || unanswered {
                PushError::Transient(described)
            } else {
                PushError::Unexpected(described)
            }
        }
    }
}

#[cfg(test)]
mod tests;
