//! Seed 001's REST routes (docs/protocol/rooms.md): open a DM, a room's
//! name and occupants, and every message since a cursor in all of the
//! caller's rooms. Ids travel as strings (`"7"`); numbers are accepted too.

use super::{Call, RouteReply, Routes};
use banter_core::dialect::rooms::RoomsMessage;
use banter_core::domain::{MessageId, UserId};
use banter_core::json_fields::LenientId;
use banter_core::protocol::{ChatError, ChatResult, ErrorCode};
use banter_core::service::Services;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

pub(crate) const ROUTES: Routes = &[
    ("POST /chat/create_dm", |call| Box::pin(create_dm(call))),
    ("POST /chat/room_info", |call| Box::pin(room_info(call))),
    ("POST /chat/retrieve", |call| Box::pin(retrieve(call))),
];

fn bad_after() -> ChatError {
    ChatError::invalid("after must be a message id, or 0 for all")
}

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

#[derive(Deserialize)]
struct CreateDmRequest {
    /// `"7"` as the seed writes it, or `7`.
    other: LenientId,
}

#[derive(Deserialize)]
struct RoomInfoRequest {
    room_id: LenientId,
}

#[derive(Deserialize)]
struct RetrieveRequest {
    /// 0 for everything.
    after: LenientId,
}

#[derive(Serialize)]
struct CreateDmBody {
    room_id: String,
}

#[derive(Serialize)]
struct RoomInfoBody<'a> {
    room_name: Option<&'a str>,
    occupants: Vec<String>,
}

/// The seed documents the list under `occupants` (and a `room_name`, which
/// messages from many rooms cannot have: always null); `messages` is the
/// same list under a name that says what it is.
#[derive(Serialize)]
struct RetrieveBody<'a> {
    room_name: Option<&'a str>,
    occupants: &'a [RoomsMessage<'a>],
    messages: &'a [RoomsMessage<'a>],
}

fn room_not_found() -> ChatError {
    ChatError::not_found("room")
}

/// `{"other": "<user id>"}` → 200 `{"room_id": "<id>"}`, the same room on
/// every call; an unknown user is 404.
async fn create_dm(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: CreateDmRequest = call.body()?;
    let other = body
        .other
        .user()
        .ok_or_else(|| ChatError::not_found("user"))?;
    let (room, _created) = call.services.open_dm(me, other).await?;
    RouteReply::ok(&CreateDmBody {
        room_id: room.room.id.to_string(),
    })
}

/// `{"room_id": "<id>"}` → its name (null for a DM) and occupants; a room
/// that does not exist and one the caller is not in are both 404.
async fn room_info(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: RoomInfoRequest = call.body()?;
    let room_id = body.room_id.room().ok_or_else(room_not_found)?;
    let details = call
        .services
        .room_details(me, room_id)
        .await
        .map_err(|e| match e.code() {
            ErrorCode::NotAMember => room_not_found(),
            _ => e,
        })?;
    let mut occupants = details.summary.member_ids.clone();
    occupants.sort_unstable();
    RouteReply::ok(&RoomInfoBody {
        room_name: details.summary.room.name.as_deref(),
        occupants: occupants.iter().map(UserId::to_string).collect(),
    })
}

/// `{"after": <message id>}` → every newer message in the caller's rooms,
/// oldest first.
async fn retrieve(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: RetrieveRequest = call.body()?;
    // 0 is every message; other numbers must be message ids.
    let after = match body.after.number() {
        Some(0) => None,
        Some(id) => Some(MessageId(id)),
        None => return Err(bad_after()),
    };
    let messages = call.services.messages_after_in_my_rooms(me, after).await?;
    let wire: Vec<RoomsMessage<'_>> = messages.iter().map(RoomsMessage::from).collect();
    RouteReply::ok(&RetrieveBody {
        room_name: None,
        occupants: &wire,
        messages: &wire,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::parse_body;
    use crate::http::samples;

    #[test]
    fn ids_are_read_as_strings_or_numbers() {
        for body in [
            &br#"{"other":"12"}"#[..],
            br#"{"other":12}"#,
            br#"{"other":" 12 "}"#,
        ] {
            let read: ChatResult<CreateDmRequest> = parse_body(body);
            assert_eq!(read.ok().and_then(|r| r.other.user()), Some(UserId(12)));
        }
        assert_eq!(LenientId::Text("abc".into()).user(), None);
        assert_eq!(LenientId::Text("0".into()).room(), None);
    }

    #[test]
    fn a_missing_or_mistyped_id_is_an_invalid_field_named() {
        for body in [
            &br#"{}"#[..],
            br#"{"other":true}"#,
            br#"{"other":-3}"#,
            br#"{"other":1.5}"#,
            br#"{"other":null}"#,
            br#"{"other":["1"]}"#,
        ] {
            match parse_body::<CreateDmRequest>(body) {
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::InvalidField);
                    assert!(e.client_message().contains("other"), "{e}");
                }
                Ok(_) => panic!("accepted {}", String::from_utf8_lossy(body)),
            }
        }
    }

    #[test]
    fn the_bodies_are_exactly_the_seed_shapes() {
        let dm = CreateDmBody {
            room_id: "7".into(),
        };
        assert_eq!(
            serde_json::to_value(dm).ok(),
            Some(serde_json::json!({"room_id": "7"}))
        );
        let info = RoomInfoBody {
            room_name: None,
            occupants: vec!["1".into(), "2".into()],
        };
        assert_eq!(
            serde_json::to_value(info).ok(),
            Some(serde_json::json!({"room_name": null, "occupants": ["1", "2"]}))
        );
        let retrieved = RetrieveBody {
            room_name: None,
            occupants: &[],
            messages: &[],
        };
        assert_eq!(
            serde_json::to_value(retrieved).ok(),
            Some(serde_json::json!({"room_name": null, "occupants": [], "messages": []}))
        );
    }

    #[test]
    fn the_sample_events_bodies_parse() {
        let dm = samples::event("http-chat-create-dm.json");
        assert!(parse_body::<CreateDmRequest>(dm.body()).is_ok());
        let info = samples::event("http-chat-room-info.json");
        assert!(parse_body::<RoomInfoRequest>(info.body()).is_ok());
        let retrieve = samples::event("http-chat-retrieve.json");
        assert!(parse_body::<RetrieveRequest>(retrieve.body()).is_ok());
    }
}
