//! API Gateway's Management API, `/@connections/{id}` (optionally after a
//! stage segment, as in `https://{api}.execute-api.{region}.amazonaws.com/{stage}`):
//! POST sends one frame, GET describes the connection, DELETE closes it.
//! Errors carry `x-amzn-ErrorType`, which the AWS SDKs read.

use crate::api_gateway::connections::{ConnectionInfo, Connections, ManagementError};
use crate::api_gateway::responses;
use axum::extract::Request;
use axum::response::Response;
use banter_core::domain::limits::MAX_PUSH_BYTES;
use http::{HeaderValue, Method, StatusCode};
use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The connection id a path addresses, if it is a Management API path.
pub fn connection_id(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let rest = match rest.split_once('/') {
        Some(("@connections", id)) => id,
        Some((_stage, rest)) => rest.strip_prefix("@connections/")?,
        None => return None,
    };
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    Some(
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

pub async fn handle(connections: &Connections, id: &str, request: Request) -> Response {
    match *request.method() {
        Method::POST => {
            // One byte over the limit is enough to know it is too large.
            let body = match axum::body::to_bytes(request.into_body(), MAX_PUSH_BYTES + 1).await {
                Ok(body) => body,
                Err(_) => return error(ManagementError::PayloadTooLarge),
            };
            match connections.post(id, &body) {
                Ok(()) => responses::empty(StatusCode::OK),
                Err(e) => error(e),
            }
        }
        Method::GET => match connections.info(id) {
            Ok(info) => responses::json(StatusCode::OK, &describe(&info)),
            Err(e) => error(e),
        },
        Method::DELETE => match connections.close(id) {
            Ok(()) => responses::empty(StatusCode::NO_CONTENT),
            Err(e) => error(e),
        },
        _ => responses::message(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn describe(info: &ConnectionInfo) -> serde_json::Value {
    // The wire names of the service model (what every AWS SDK parses), not
    // the capitalised names SDKs show after parsing. userAgent is required.
    serde_json::json!({
        "connectedAt": iso8601(info.connected_at),
        "identity": {
            "sourceIp": info.source_ip,
            "userAgent": info.user_agent.clone().unwrap_or_default(),
        },
        "lastActiveAt": iso8601(info.last_active_at),
    })
}

fn iso8601(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    // Millisecond precision, as API Gateway answers.
    let at = at
        .replace_nanosecond(at.millisecond() as u32 * 1_000_000)
        .unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_default()
}

fn error(error: ManagementError) -> Response {
    let (status, kind, message) = match error {
        ManagementError::Gone => (StatusCode::GONE, "GoneException", "Connection is gone"),
        ManagementError::PayloadTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            "Message payload exceeds the 128 KB limit",
        ),
        ManagementError::Throttled => (
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            "Rate exceeded",
        ),
        ManagementError::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerErrorException",
            "Internal server error",
        ),
    };
    let mut response = responses::json(
        status,
        &serde_json::json!({ "__type": kind, "message": message }),
    );
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(kind));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_paths_with_and_without_a_stage_are_recognised() {
        assert_eq!(
            connection_id("/@connections/abc%3D").as_deref(),
            Some("abc=")
        );
        assert_eq!(
            connection_id("/prod/@connections/abc=").as_deref(),
            Some("abc=")
        );
        assert_eq!(connection_id("/@connections/"), None);
        assert_eq!(connection_id("/@connections/a/b"), None);
        assert_eq!(connection_id("/rooms/1"), None);
        assert_eq!(connection_id("/"), None);
    }

    #[test]
    fn timestamps_are_iso_8601_with_milliseconds() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_588_267_297_557);
        assert_eq!(iso8601(at), "2020-04-30T17:21:37.557Z");
    }
}
