//! The push port: API Gateway's Management API, `POST /@connections/{id}`.

use crate::domain::ConnectionId;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// 410: the connection is gone (or its `$connect` has not returned yet).
    #[error("connection gone")]
    Gone,
    /// 413: the payload is over API Gateway's 128 KB.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 429 or 5xx, or no answer: worth retrying after a pause; the
    /// connection may well be alive.
    #[error("transient push failure: {0:#}")]
    Transient(anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[async_trait]
pub trait Push: Send + Sync {
    /// Sends one text frame to one connection.
    async fn post(&self, connection: &ConnectionId, payload: &str) -> Result<(), PushError>;
    /// Closes a connection from the server side (`DELETE /@connections/{id}`).
    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError>;
}
