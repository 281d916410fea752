//! Banter's core: the chat domain, the ports its adapters implement, the
//! services that run every use case, and the wire dialects.
//!
//! Nothing here knows about AWS, SQL or Lambda: adapters live in their own
//! crates and depend on this one, never the other way round.

pub mod auth;
pub mod config;
pub mod dialect;
pub mod domain;
pub mod json_fields;
pub mod ports;
pub mod protocol;
pub mod service;
