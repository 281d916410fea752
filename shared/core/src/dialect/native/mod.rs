//! Banter's native dialect (docs/protocol/native.md): JSON frames with an
//! `action` from the client and a `type` from the server, request ids for
//! replies, client message ids for idempotent sends, cursors, typed errors.

pub mod decode;
pub mod encode;
pub mod wire;

pub use decode::history_query;

use super::{ConnectPlan, ConnectQuery, ConnectTarget, Dialect, Rejection, Request};
use crate::domain::{Connection, Event};
use crate::protocol::{Recipient, Reply};

pub struct Native;

impl Dialect for Native {
    fn connect_plan(&self, _query: &ConnectQuery) -> Result<ConnectPlan, String> {
        Ok(ConnectPlan::query_token(ConnectTarget::AllRooms))
    }

    fn decode(&self, _connection: &Connection, frame: &str) -> Result<Request, Rejection> {
        decode::decode(frame)
    }

    fn encode_reply(
        &self,
        _connection: &Connection,
        request_id: Option<&str>,
        reply: &Reply,
    ) -> Vec<String> {
        encode::encode_reply(request_id, reply)
            .into_iter()
            .collect()
    }

    fn encode_event(
        &self,
        _connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String> {
        encode::encode_event(recipient.user_id, event)
            .into_iter()
            .collect()
    }
}
