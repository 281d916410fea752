//! Rooms: list, open a DM, create a group, details, add and remove members.

use super::request::user_id;
use super::{Call, RouteReply, Routes};
use banter_core::dialect::native::wire::{WireRoom, WireUser};
use banter_core::domain::{RoomSummary, UserId};
use banter_core::protocol::{ChatError, ChatResult};
use banter_core::service::Services;
use banter_core::service::rooms::{MemberView, RoomDetails};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

pub(crate) const ROUTES: Routes = &[
    ("GET /rooms", |call| Box::pin(list(call))),
    ("POST /rooms/dm", |call| Box::pin(open_dm(call))),
    ("POST /rooms/group", |call| Box::pin(create_group(call))),
    ("GET /rooms/{room_id}", |call| Box::pin(details(call))),
    ("POST /rooms/{room_id}/members", |call| {
        Box::pin(add_member(call))
    }),
    ("DELETE /rooms/{room_id}/members/{user_id}", |call| {
        Box::pin(remove_member(call))
    }),
];

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

/// `{"user_id": 2}` or `{"username": "sam"}`.
#[derive(Deserialize)]
struct OpenDmRequest {
    user_id: Option<u64>,
    username: Option<String>,
}

#[derive(Deserialize)]
struct CreateGroupRequest {
    name: String,
    member_ids: Vec<u64>,
}

#[derive(Deserialize)]
struct AddMemberRequest {
    user_id: u64,
}

#[derive(Serialize)]
struct RoomsBody<'a> {
    rooms: Vec<WireRoom<'a>>,
}

#[derive(Serialize)]
struct RoomBody<'a> {
    room: WireRoom<'a>,
}

impl<'a> From<&'a RoomSummary> for RoomBody<'a> {
    fn from(summary: &'a RoomSummary) -> Self {
        Self {
            room: WireRoom::from(summary),
        }
    }
}

#[derive(Serialize)]
struct DetailsBody<'a> {
    room: WireRoom<'a>,
    members: Vec<MemberBody<'a>>,
}

#[derive(Serialize)]
struct MemberBody<'a> {
    user: WireUser<'a>,
    online: bool,
    typing: bool,
    read_seq: u64,
}

impl<'a> From<&'a RoomDetails> for DetailsBody<'a> {
    fn from(details: &'a RoomDetails) -> Self {
        Self {
            room: WireRoom::from(&details.summary),
            members: details.members.iter().map(MemberBody::from).collect(),
        }
    }
}

impl<'a> From<&'a MemberView> for MemberBody<'a> {
    fn from(member: &'a MemberView) -> Self {
        Self {
            user: WireUser::from(&member.user),
            online: member.online,
            typing: member.typing,
            read_seq: member.read_seq,
        }
    }
}

async fn list(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let rooms = call.services.list_rooms(me).await?;
    RouteReply::ok(&RoomsBody {
        rooms: rooms.iter().map(WireRoom::from).collect(),
    })
}

async fn open_dm(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: OpenDmRequest = call.body()?;
    let other = match (body.user_id, body.username) {
        (Some(id), None) => user_id("user_id", id)?,
        (None, Some(username)) => call.services.user_by_username(&username).await?.id,
        (Some(_), Some(_)) => return Err(ChatError::invalid("give user_id or username, not both")),
        (None, None) => return Err(ChatError::invalid("user_id or username is required")),
    };
    let (room, created) = call.services.open_dm(me, other).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    RouteReply::json(status, &RoomBody::from(&room))
}

async fn create_group(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let body: CreateGroupRequest = call.body()?;
    let members = body
        .member_ids
        .iter()
        .map(|&id| user_id("member_ids", id))
        .collect::<ChatResult<Vec<UserId>>>()?;
    let room = call.services.create_group(me, &body.name, &members).await?;
    RouteReply::created(&RoomBody::from(&room))
}

async fn details(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let details = call.services.room_details(me, room_id).await?;
    RouteReply::ok(&DetailsBody::from(&details))
}

async fn add_member(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let body: AddMemberRequest = call.body()?;
    let user = user_id("user_id", body.user_id)?;
    let room = call.services.add_member(me, room_id, user).await?;
    RouteReply::ok(&RoomBody::from(&room))
}

async fn remove_member(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let user = call.path_user_id()?;
    call.services.remove_member(me, room_id, user).await?;
    Ok(RouteReply::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::parse_body;
    use crate::http::samples;
    use banter_core::protocol::ErrorCode;

    #[test]
    fn a_dm_is_asked_for_by_id_or_by_username() {
        let by_name: ChatResult<OpenDmRequest> = parse_body(br#"{"username":"sam"}"#);
        assert!(by_name.is_ok_and(|r| r.username.as_deref() == Some("sam") && r.user_id.is_none()));
        let by_id: ChatResult<OpenDmRequest> = parse_body(br#"{"user_id":2}"#);
        assert!(by_id.is_ok_and(|r| r.user_id == Some(2)));
        match parse_body::<OpenDmRequest>(br#"{"user_id":"2"}"#) {
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::InvalidField);
                assert!(e.client_message().starts_with("user_id: "));
            }
            Ok(_) => panic!("accepted a string user_id"),
        }
    }

    #[test]
    fn a_group_needs_a_name_and_member_ids() {
        for body in [&br#"{"name":"Trip"}"#[..], br#"{"member_ids":[2]}"#] {
            let result = parse_body::<CreateGroupRequest>(body);
            assert!(result.is_err_and(|e| e.code() == ErrorCode::InvalidField));
        }
        let group: ChatResult<CreateGroupRequest> =
            parse_body(br#"{"name":"Trip","member_ids":[2,3]}"#);
        assert!(group.is_ok_and(|g| g.name == "Trip" && g.member_ids == [2, 3]));
    }

    #[test]
    fn the_sample_events_bodies_parse() {
        let dm = samples::event("http-create-dm.json");
        assert!(parse_body::<OpenDmRequest>(dm.body()).is_ok());
        let group = samples::event("http-create-group.json");
        assert!(parse_body::<CreateGroupRequest>(group.body()).is_ok());
        let add = samples::event("http-add-member.json");
        assert!(parse_body::<AddMemberRequest>(add.body()).is_ok());
    }
}
