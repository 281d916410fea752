//! Messages: history pages, sending (idempotent by `client_message_id`) and
//! read state.

use super::request::message_id;
use super::{Call, RouteReply, Routes};
use banter_core::dialect::native::decode::SyncFrame;
use banter_core::dialect::native::history_query;
use banter_core::dialect::native::wire::{WireMessage, WireSyncRoom};
use banter_core::protocol::ChatResult;
use banter_core::protocol::{Draft, HistoryPage, ReadState, Sent};
use banter_core::service::Services;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

pub(crate) const ROUTES: Routes = &[
    ("GET /rooms/{room_id}/messages", |call| {
        Box::pin(history(call))
    }),
    ("POST /rooms/{room_id}/messages", |call| {
        Box::pin(send(call))
    }),
    ("POST /rooms/{room_id}/read", |call| {
        Box::pin(mark_read(call))
    }),
    ("POST /sync", |call| Box::pin(sync(call))),
];

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

#[derive(Deserialize)]
struct SendRequest {
    /// May be empty when a file is attached (as on the WebSocket).
    #[serde(default)]
    text: String,
    client_message_id: Option<String>,
    file_id: Option<String>,
}

#[derive(Default, Deserialize)]
struct ReadRequest {
    message_id: Option<u64>,
}

#[derive(Serialize)]
struct PageBody<'a> {
    messages: Vec<WireMessage<'a>>,
    has_more: bool,
}

impl<'a> From<&'a HistoryPage> for PageBody<'a> {
    fn from(page: &'a HistoryPage) -> Self {
        Self {
            messages: page.messages.iter().map(WireMessage::from).collect(),
            has_more: page.has_more,
        }
    }
}

#[derive(Serialize)]
struct SentBody<'a> {
    message: WireMessage<'a>,
    duplicate: bool,
}

impl<'a> From<&'a Sent> for SentBody<'a> {
    fn from(sent: &'a Sent) -> Self {
        Self {
            message: WireMessage::from(&sent.message),
            duplicate: sent.duplicate,
        }
    }
}

#[derive(Serialize)]
struct ReadBody {
    room_id: u64,
    unread_count: u64,
    last_read_id: Option<u64>,
}

impl From<ReadState> for ReadBody {
    fn from(state: ReadState) -> Self {
        Self {
            room_id: state.room_id.0,
            unread_count: state.unread_count,
            last_read_id: state.last_read_id.map(|id| id.0),
        }
    }
}

async fn history(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let query = history_query(
        call.query_number("before")?,
        call.query_number("after")?,
        call.query_number("limit")?,
    )?;
    let page = call.services.history(me, room_id, query).await?;
    RouteReply::ok(&PageBody::from(&page))
}

async fn send(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let body: SendRequest = call.body()?;
    let draft = Draft {
        text: body.text,
        client_message_id: body.client_message_id,
        file_id: body.file_id,
    };
    let sent = call.services.send(me, room_id, draft).await?;
    let status = if sent.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    RouteReply::json(status, &SentBody::from(&sent))
}

#[derive(Serialize)]
struct SyncBody<'a> {
    rooms: Vec<WireSyncRoom<'a>>,
    has_more: bool,
}

async fn sync(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: SyncFrame = call.optional_body()?;
    let (cursors, limit) = body.read()?;
    let page = call.services.sync(me, &cursors, limit).await?;
    RouteReply::ok(&SyncBody {
        rooms: page.rooms.iter().map(WireSyncRoom::from).collect(),
        has_more: page.has_more,
    })
}

async fn mark_read(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let body: ReadRequest = call.optional_body()?;
    let up_to = body
        .message_id
        .map(|id| message_id("message_id", id))
        .transpose()?;
    let state = call.services.mark_read(me, room_id, up_to).await?;
    RouteReply::ok(&ReadBody::from(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::parse_body;
    use crate::http::request::{parse_optional_body, query_number};
    use crate::http::samples;
    use banter_core::domain::RoomId;
    use serde_json::json;

    #[test]
    fn a_send_may_leave_out_text_for_a_file() {
        let send: ChatResult<SendRequest> = parse_body(br#"{"file_id":"ab"}"#);
        assert!(send.is_ok_and(|s| s.text.is_empty() && s.file_id.as_deref() == Some("ab")));
    }

    #[test]
    fn read_state_answers_with_a_null_last_read_id_before_any_read() {
        let state = ReadState {
            room_id: RoomId(7),
            unread_count: 0,
            last_read_id: None,
        };
        assert_eq!(
            serde_json::to_value(ReadBody::from(state)).ok(),
            Some(json!({"room_id": 7, "unread_count": 0, "last_read_id": null}))
        );
    }

    #[test]
    fn the_sample_events_bodies_and_queries_parse() {
        let send = samples::event("http-send.json");
        assert!(parse_body::<SendRequest>(send.body()).is_ok());
        let read = samples::event("http-mark-read.json");
        assert!(parse_optional_body::<ReadRequest>(read.body()).is_ok());
        let page = samples::event("http-history.json");
        let query = history_query(
            query_number(&page, "before").ok().flatten(),
            query_number(&page, "after").ok().flatten(),
            query_number(&page, "limit").ok().flatten(),
        );
        assert!(matches!(
            query,
            Ok(banter_core::ports::HistoryQuery::Before { limit: 50, .. })
        ));
    }
}
