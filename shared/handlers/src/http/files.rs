//! Files: a presigned upload, then a redirect to a presigned download for
//! current members.

use super::{Call, RouteReply, Routes};
use banter_core::protocol::ChatResult;
use banter_core::service::Services;
use banter_core::service::files::{DownloadTicket, UploadTicket};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

pub(crate) const ROUTES: Routes = &[
    ("POST /rooms/{room_id}/uploads", |call| {
        Box::pin(create_upload(call))
    }),
    ("GET /rooms/{room_id}/files/{file_id}", |call| {
        Box::pin(download(call))
    }),
];

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

#[derive(Deserialize)]
struct UploadRequest {
    file_name: String,
    content_type: String,
    size: u64,
}

#[derive(Serialize)]
struct UploadBody<'a> {
    file_id: &'a str,
    upload: UploadTarget<'a>,
    expires_at: i64,
}

/// Where and how to PUT the bytes; `headers` as `[[name, value], …]`.
#[derive(Serialize)]
struct UploadTarget<'a> {
    url: &'a str,
    method: &'a str,
    headers: &'a [(String, String)],
}

impl<'a> From<&'a UploadTicket> for UploadBody<'a> {
    fn from(ticket: &'a UploadTicket) -> Self {
        Self {
            file_id: &ticket.file_id,
            upload: UploadTarget {
                url: &ticket.upload.url,
                method: &ticket.upload.method,
                headers: &ticket.upload.headers,
            },
            expires_at: ticket.expires_at.millis(),
        }
    }
}

#[derive(Serialize)]
struct DownloadBody<'a> {
    url: &'a str,
    expires_at: i64,
}

impl<'a> From<&'a DownloadTicket> for DownloadBody<'a> {
    fn from(ticket: &'a DownloadTicket) -> Self {
        Self {
            url: &ticket.url,
            expires_at: ticket.expires_at.millis(),
        }
    }
}

async fn create_upload(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let body: UploadRequest = call.body()?;
    let ticket = call
        .services
        .create_upload(me, room_id, &body.file_name, &body.content_type, body.size)
        .await?;
    RouteReply::created(&UploadBody::from(&ticket))
}

async fn download(call: Call<'_>) -> ChatResult<RouteReply> {
    let me = call.user()?;
    let room_id = call.room_id()?;
    let file_id = call.path("file_id")?;
    let ticket = call.services.download(me, room_id, file_id).await?;
    RouteReply::found(&ticket.url, &DownloadBody::from(&ticket))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::parse_body;
    use crate::http::samples;
    use banter_core::domain::Timestamp;
    use banter_core::ports::PresignedUpload;
    use lambda_http::RequestExt;
    use serde_json::json;

    #[test]
    fn an_upload_ticket_answers_with_headers_as_pairs() {
        let ticket = UploadTicket {
            file_id: "ab".into(),
            upload: PresignedUpload {
                url: "https://b/k".into(),
                method: "PUT".into(),
                headers: vec![("content-type".into(), "image/png".into())],
            },
            expires_at: Timestamp(1_000),
        };
        assert_eq!(
            serde_json::to_value(UploadBody::from(&ticket)).ok(),
            Some(json!({
                "file_id": "ab",
                "upload": {"url": "https://b/k", "method": "PUT",
                           "headers": [["content-type", "image/png"]]},
                "expires_at": 1_000
            }))
        );
    }

    #[test]
    fn the_sample_events_bodies_and_paths_parse() {
        let upload = samples::event("http-create-upload.json");
        assert!(parse_body::<UploadRequest>(upload.body()).is_ok_and(|u| u.size == 48213));
        let download = samples::event("http-download.json");
        let file_id = download
            .path_parameters_ref()
            .and_then(|p| p.first("file_id"));
        assert!(file_id.is_some_and(|id| !id.is_empty()));
    }
}
