//! Banter's native dialect (docs/protocol/native.md): JSON frames with an
//! `action` from the client and a `type` from the server, request ids for
//! replies, client message ids for idempotent sends, cursors, typed errors.

pub mod decode;
mod encode;
pub mod wire;

pub use decode::{decode, history_query};
pub use encode::{encode_event, encode_reply};
