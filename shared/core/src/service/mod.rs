//! Use cases. Each file is one group of operations on `Services`, the
//! dependencies a Lambda main (or banter-local) builds once and lends out.

pub mod accounts;
pub mod connections;
pub mod conversation_names;
pub mod courier;
pub mod execute;
pub mod fanout;
pub mod files;
pub mod membership;
pub mod messages;
pub mod numbered_pages;
pub mod push_retry;
pub mod rate_limits;
pub mod retrieve;
pub mod rooms;
pub mod session;
pub mod sync;
pub mod typing;

use crate::auth::Tokens;
use crate::auth::hash_gate::HashGate;
use crate::config::Config;
use crate::ports::{BlobStore, Push, Store};
use crate::protocol::EventEncoder;
use std::sync::Arc;

/// Everything a handler needs, built once per process.
pub struct Services {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    push: Arc<dyn Push>,
    /// Turns events into each connection's frames (the dialects).
    encoder: Arc<dyn EventEncoder>,
    pub tokens: Tokens,
    pub config: Config,
    pub(crate) hash_gate: HashGate,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        push: Arc<dyn Push>,
        encoder: Arc<dyn EventEncoder>,
        config: Config,
    ) -> Self {
        Self {
            store,
            blobs,
            push,
            encoder,
            tokens: Tokens::new(config.jwt.clone()),
            hash_gate: HashGate::new(config.hash_slots, config.hash_queue),
            config,
        }
    }
}
