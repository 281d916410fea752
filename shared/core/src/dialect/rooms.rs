//! Placeholder until the dialect's codec lands: every frame is refused.

use super::{Recipient, Rejection, Request};
use crate::domain::{Connection, Event};
use crate::service::ErrorCode;
use crate::service::commands::Reply;

pub fn decode(_connection: &Connection, _frame: &str) -> Result<Request, Rejection> {
    Err(Rejection::new(
        None,
        ErrorCode::UnknownAction,
        "this dialect is not served yet",
    ))
}

pub fn encode_reply(_connection: &Connection, _reply: &Reply) -> Vec<String> {
    Vec::new()
}

pub fn encode_event(
    _connection: &Connection,
    _recipient: &Recipient,
    _event: &Event,
) -> Vec<String> {
    Vec::new()
}
