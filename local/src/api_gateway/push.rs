//! `LocalPush`: the push port served in process by the same registry the
//! Management API endpoint uses, with the same 410/413 semantics.

use crate::api_gateway::connections::{Connections, ManagementError};
use async_trait::async_trait;
use banter_core::domain::ConnectionId;
use banter_core::ports::{Push, PushError};
use std::sync::Arc;

pub struct LocalPush {
    connections: Arc<Connections>,
}

impl LocalPush {
    pub fn new(connections: Arc<Connections>) -> Self {
        Self { connections }
    }
}

fn push_error(error: ManagementError) -> PushError {
    match error {
        ManagementError::Gone => PushError::Gone,
        ManagementError::PayloadTooLarge => PushError::PayloadTooLarge,
        ManagementError::Throttled | ManagementError::ServerError => {
            PushError::Transient(anyhow::Error::new(error))
        }
    }
}

#[async_trait]
impl Push for LocalPush {
    async fn post(&self, connection: &ConnectionId, payload: &str) -> Result<(), PushError> {
        self.connections
            .post(&connection.0, payload.as_bytes())
            .map_err(push_error)
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        self.connections.close(&connection.0).map_err(push_error)
    }
}
