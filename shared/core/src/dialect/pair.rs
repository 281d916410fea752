//! Placeholder until the dialect's codec lands: every frame is refused.

use super::{ConnectAuth, ConnectPlan, ConnectTarget, Query, Recipient, Rejection, Request};
use crate::domain::UserId;
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

/// `/chat/{user_id}/{opponent_id}` arrives as `?user_id=..&opponent_id=..`;
/// both are kept so `fetch-token` can be checked against the path.
pub fn connect_plan(query: &Query) -> Result<ConnectPlan, String> {
    let id = |name: &str| {
        query
            .get(name)
            .and_then(|v| UserId::parse_str(v))
            .ok_or_else(|| format!("{name} must be a user id"))
    };
    let state = PathIds {
        user_id: id("user_id")?,
        opponent_id: id("opponent_id")?,
    };
    Ok(ConnectPlan {
        auth: ConnectAuth::FirstFrame,
        target: ConnectTarget::AllRooms,
        dialect_state: serde_json::to_string(&state).map_err(|e| e.to_string())?,
    })
}

/// The two ids from the connection's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathIds {
    pub user_id: UserId,
    pub opponent_id: UserId,
}
