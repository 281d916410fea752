//! Use cases. Each file is one group of operations on `Services`, the
//! dependencies a Lambda main (or banter-local) builds once and lends out.

pub mod accounts;
pub mod commands;
pub mod connections;
pub mod conversation_names;
pub mod courier;
pub mod error;
pub mod fanout;
pub mod files;
pub mod membership;
pub mod messages;
pub mod push_retry;
pub mod rate_limits;
pub mod retrieve;
pub mod rooms;
pub mod session;
pub mod sync;
pub mod typing;

pub use error::{ChatError, ChatResult, ErrorCode};

use crate::auth::Tokens;
use crate::auth::hash_gate::HashGate;
use crate::config::Config;
use crate::ports::{BlobStore, Push, Store};
use std::sync::Arc;

/// Everything a handler needs, built once per process.
pub struct Services {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub push: Arc<dyn Push>,
    pub tokens: Tokens,
    pub config: Config,
    pub(crate) hash_gate: HashGate,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        push: Arc<dyn Push>,
        config: Config,
    ) -> Self {
        Self {
            store,
            blobs,
            push,
            tokens: Tokens::new(config.jwt.clone()),
            hash_gate: HashGate::new(config.hash_slots, config.hash_queue),
            config,
        }
    }
}
