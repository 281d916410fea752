//! Seed 003's REST routes (docs/protocol/conversations.md): a conversation
//! by name, its history in numbered pages, and file messages sent as
//! multipart form data. Conversations are named as on the seed's sockets
//! (`alice_bob`, `1_2_3`) and opened on first use, as there.
//!
//! The seed writes `/messages/` and `/filesmessage/{name}/` with a trailing
//! slash. An HTTP API route cannot end in `/`, and API Gateway does not match
//! `/messages/` to `GET /messages` (it answers 404), so each route comes
//! twice: as written without the slash, and with a greedy `{rest+}` after
//! it, served only when that rest is empty. banter-local matches the same.

mod multipart;

use super::{Call, RouteReply, Routes};
use banter_core::dialect::conversations::ChatMessage;
use banter_core::domain::limits::DEFAULT_PAGE;
use banter_core::domain::{RoomId, UserId};
use banter_core::protocol::{ChatError, ChatResult, Draft, ErrorCode, MemberState};
use banter_core::service::Services;
use banter_core::service::numbered_pages::PageNumber;
use http::Uri;
use http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

pub(crate) const ROUTES: Routes = &[
    ("GET /conversation/{name}", |call| {
        Box::pin(conversation(call))
    }),
    ("GET /conversation/{name}/{rest+}", |call| {
        Box::pin(slash(call, conversation))
    }),
    ("GET /messages", |call| Box::pin(messages(call))),
    ("GET /messages/{rest+}", |call| {
        Box::pin(slash(call, messages))
    }),
    ("POST /filesmessage/{name}", |call| {
        Box::pin(files_message(call))
    }),
    ("POST /filesmessage/{name}/{rest+}", |call| {
        Box::pin(slash(call, files_message))
    }),
];

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

/// A route reached through its trailing-slash twin (`/messages/`): served
/// only when nothing follows the slash, as there is no deeper resource.
async fn slash<'a, F>(call: Call<'a>, route: fn(Call<'a>) -> F) -> ChatResult<RouteReply>
where
    F: Future<Output = ChatResult<RouteReply>>,
{
    let rest = call
        .request
        .path_parameters_ref()
        .and_then(|params| params.first("rest"))
        .unwrap_or_default();
    if rest.is_empty() {
        route(call).await
    } else {
        let path = call.request.uri().path();
        Err(ChatError::new(
            ErrorCode::NotFound,
            format!("no route {path}"),
        ))
    }
}

/// Messages a history page holds.
const PER_PAGE: u64 = DEFAULT_PAGE as u64;

/// The multipart field that carries the files.
const FILES_FIELD: &str = "files";

#[derive(Serialize)]
struct ConversationBody<'a> {
    /// The room id, as a string (as `ChatMessage::conversation`).
    id: String,
    /// The name as the client wrote it.
    name: &'a str,
    /// Usernames, in order of user id.
    members: Vec<&'a str>,
    last_message: Option<ChatMessage<'a>>,
}

#[derive(Serialize)]
struct PageBody<'a> {
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<ChatMessage<'a>>,
}

/// The room `name` denotes, for a member of it (else 403 or 404).
async fn member_room(services: &Services, me: UserId, name: &str) -> ChatResult<RoomId> {
    let room_id = services.open_conversation(me, name).await?;
    services.require_member(room_id, me).await?;
    Ok(room_id)
}

/// The room's members, in order of user id.
async fn members(services: &Services, room_id: RoomId) -> ChatResult<Vec<MemberState>> {
    let mut members = services.member_states(room_id).await?;
    members.sort_by_key(|m| m.user.id);
    Ok(members)
}

async fn conversation(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let name = call.path("name")?;
    let room_id = member_room(call.services, me, name).await?;
    let members = members(call.services, room_id).await?;
    let last = call.services.newest_message(me, room_id).await?;
    RouteReply::ok(&ConversationBody {
        id: room_id.to_string(),
        name,
        members: members.iter().map(|m| m.user.username.as_str()).collect(),
        last_message: last
            .as_ref()
            .map(|m| ChatMessage::from_members(m, &members)),
    })
}

/// `page=N` (1-based) or `page=last`; anything else names no page.
fn page_number(text: Option<&str>) -> ChatResult<PageNumber> {
    match text {
        None => Ok(PageNumber::Nth(1)),
        Some("last") => Ok(PageNumber::Last),
        Some(text) => text
            .parse::<u64>()
            .map(PageNumber::Nth)
            .map_err(|_| ChatError::new(ErrorCode::NotFound, "Invalid page.")),
    }
}

/// This request's URL with `page` set (or removed, for the first page),
/// every other parameter kept as the client wrote it.
fn page_url(uri: &Uri, page: u64) -> String {
    let mut url = match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{}", uri.path()),
        _ => uri.path().to_owned(),
    };
    let mut pairs: Vec<String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("page"))
        .map(str::to_owned)
        .collect();
    if page > 1 {
        pairs.push(format!("page={page}"));
    }
    if !pairs.is_empty() {
        url.push('?');
        url.push_str(&pairs.join("&"));
    }
    url
}

async fn messages(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let query = call.request.query_string_parameters_ref();
    let name = query
        .and_then(|q| q.first("conversation"))
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ChatError::invalid("?conversation=<name> is required"))?;
    let room_id = member_room(call.services, me, name).await?;
    let number = page_number(query.and_then(|q| q.first("page")))?;
    let numbered = call
        .services
        .numbered_page(me, room_id, number, PER_PAGE)
        .await?;
    let (page, pages) = (numbered.number, numbered.pages);
    let members = members(call.services, room_id).await?;
    let uri = call.request.uri();
    RouteReply::ok(&PageBody {
        count: numbered.count,
        next: (page < pages).then(|| page_url(uri, page + 1)),
        previous: (page > 1).then(|| page_url(uri, page - 1)),
        // Newest first, as the seed pages.
        results: numbered
            .page
            .messages
            .iter()
            .rev()
            .map(|m| ChatMessage::from_members(m, &members))
            .collect(),
    })
}

async fn files_message(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let name = call.path("name")?;
    let room_id = member_room(call.services, me, name).await?;
    let content_type = call
        .request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // Read the whole form before storing anything: a bad part sends nothing.
    let files = multipart::files(content_type, call.request.body(), FILES_FIELD).await?;
    let mut sent = Vec::with_capacity(files.len());
    for file in files {
        let file_id = call
            .services
            .store_file(me, room_id, &file.file_name, &file.content_type, file.bytes)
            .await?;
        let draft = Draft {
            file_id: Some(file_id),
            ..Draft::default()
        };
        sent.push(call.services.send(me, room_id, draft).await?.message);
    }
    let members = members(call.services, room_id).await?;
    let body: Vec<ChatMessage<'_>> = sent
        .iter()
        .map(|m| ChatMessage::from_members(m, &members))
        .collect();
    RouteReply::created(&body)
}

/// The files of an upload form, for the fuzz targets (`crate::fuzzing`).
pub(crate) async fn read_files(content_type: Option<&str>, body: &[u8]) -> bool {
    multipart::files(content_type, body, FILES_FIELD)
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::samples;

    #[test]
    fn page_numbers_are_numbers_or_last() {
        assert_eq!(page_number(None).ok(), Some(PageNumber::Nth(1)));
        assert_eq!(page_number(Some("2")).ok(), Some(PageNumber::Nth(2)));
        assert_eq!(page_number(Some("last")).ok(), Some(PageNumber::Last));
        for bad in ["-1", "two", ""] {
            let e = page_number(Some(bad)).err();
            assert_eq!(e.map(|e| e.code()), Some(ErrorCode::NotFound), "{bad}");
        }
    }

    #[test]
    fn page_links_keep_the_url_and_its_other_parameters() {
        let uri: Uri = "https://api.example.com/prod/messages/?conversation=alice_bob&page=2"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            page_url(&uri, 3),
            "https://api.example.com/prod/messages/?conversation=alice_bob&page=3"
        );
        assert_eq!(
            page_url(&uri, 1),
            "https://api.example.com/prod/messages/?conversation=alice_bob"
        );
        let relative: Uri = "/messages/?page=1&conversation=a_b"
            .parse()
            .unwrap_or_default();
        assert_eq!(page_url(&relative, 2), "/messages/?conversation=a_b&page=2");
    }

    #[tokio::test]
    async fn the_sample_events_reach_these_routes_with_their_parameters() {
        let get = samples::event("http-conversations-get.json");
        assert_eq!(
            get.path_parameters_ref().and_then(|p| p.first("name")),
            Some("yugan_test")
        );
        let page = samples::event("http-conversations-messages.json");
        assert_eq!(page.uri().path(), "/messages/");
        let query = page.query_string_parameters_ref();
        assert_eq!(
            query.and_then(|q| q.first("conversation")),
            Some("yugan_test")
        );
        assert_eq!(query.and_then(|q| q.first("page")), Some("2"));
        let upload = samples::event("http-conversations-files.json");
        assert_eq!(
            upload.path_parameters_ref().and_then(|p| p.first("name")),
            Some("yugan_test")
        );
        let content_type = upload
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let files = multipart::files(content_type, upload.body(), FILES_FIELD)
            .await
            .unwrap_or_default();
        assert_eq!(files.len(), 2, "the sample uploads two files");
        assert_eq!(files[0].file_name, "notes.txt");
        assert_eq!(files[1].content_type, "image/png");
    }
}
