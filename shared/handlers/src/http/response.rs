//! Writing a response: a route's `RouteReply`, or the one mapping of a
//! `ChatError` to its status and `{"error", "error_code"}` body.

use anyhow::Context;
use banter_core::protocol::{ChatError, ChatResult};
use http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

/// What a route answers: a status, a JSON body or none, and for redirects
/// a `Location`.
#[derive(Debug)]
pub(crate) struct RouteReply {
    status: StatusCode,
    body: Option<String>,
    location: Option<HeaderValue>,
}

impl RouteReply {
    pub fn json(status: StatusCode, body: &impl Serialize) -> ChatResult<Self> {
        let body = serde_json::to_string(body).context("serializing a response body")?;
        Ok(Self {
            status,
            body: Some(body),
            location: None,
        })
    }

    pub fn ok(body: &impl Serialize) -> ChatResult<Self> {
        Self::json(StatusCode::OK, body)
    }

    pub fn created(body: &impl Serialize) -> ChatResult<Self> {
        Self::json(StatusCode::CREATED, body)
    }

    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
        }
    }

    /// `302 Found` to `location`, with a JSON body for clients that do not
    /// follow redirects.
    pub fn found(location: &str, body: &impl Serialize) -> ChatResult<Self> {
        let location = HeaderValue::from_str(location)
            .with_context(|| format!("a redirect location is not a header value: {location:?}"))?;
        Ok(Self {
            location: Some(location),
            ..Self::json(StatusCode::FOUND, body)?
        })
    }

    pub fn into_response(self) -> Response<Body> {
        let has_body = self.body.is_some();
        let mut response = Response::new(self.body.map_or(Body::Empty, Body::Text));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if has_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if let Some(location) = self.location {
            headers.insert(LOCATION, location);
        }
        response
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_ms: Option<u64>,
}

/// The response for a failed call; the error's chain goes to the log
/// (under `route`), never to the client.
pub(crate) fn error(e: &ChatError, route: &str) -> Response<Body> {
    e.log(route);
    let code = e.code();
    let message = e.client_message();
    let body = ErrorBody {
        error: &message,
        error_code: code.as_str(),
        retry_after_ms: e.retry_after_ms(),
    };
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match RouteReply::json(status, &body) {
        Ok(reply) => {
            let mut response = reply.into_response();
            if let Some(ms) = e.retry_after_ms() {
                // Retry-After counts whole seconds (RFC 9110); round up.
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(ms.div_ceil(1000)));
            }
            response
        }
        // Two strings always serialize; keep a body-less answer just in case.
        Err(_) => RouteReply {
            status,
            body: None,
            location: None,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::protocol::ErrorCode;

    fn json_of(response: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body()).unwrap_or_default()
    }

    fn content_type(response: &Response<Body>) -> Option<&str> {
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    #[test]
    fn a_rejection_keeps_its_code_status_and_message() {
        for (code, status) in [
            (ErrorCode::InvalidJson, 400),
            (ErrorCode::InvalidField, 400),
            (ErrorCode::TextTooLong, 400),
            (ErrorCode::Unauthorized, 401),
            (ErrorCode::TokenExpired, 401),
            (ErrorCode::InvalidCredentials, 401),
            (ErrorCode::NotAMember, 403),
            (ErrorCode::Forbidden, 403),
            (ErrorCode::NotFound, 404),
            (ErrorCode::UsernameTaken, 409),
            (ErrorCode::Conflict, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::ServerBusy, 503),
        ] {
            let response = error(&ChatError::new(code, "why"), "GET /test");
            assert_eq!(response.status().as_u16(), status, "{code:?}");
            assert_eq!(content_type(&response), Some("application/json"));
            assert_eq!(
                json_of(&response),
                serde_json::json!({"error": "why", "error_code": code.as_str()})
            );
        }
    }

    #[test]
    fn a_retryable_refusal_says_when_in_its_body_and_retry_after() {
        let e = ChatError::retry_after(ErrorCode::RateLimited, "slow down", 1_200);
        let response = error(&e, "POST /test");
        assert_eq!(response.status().as_u16(), 429);
        assert_eq!(
            json_of(&response),
            serde_json::json!({"error": "slow down", "error_code": "RATE_LIMITED", "retry_after_ms": 1200})
        );
        assert_eq!(
            response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("2")
        );
    }

    #[test]
    fn an_unexpected_error_is_a_500_that_keeps_its_chain_to_itself() {
        let e = ChatError::from(anyhow::anyhow!("db password is hunter2").context("reading"));
        let response = error(&e, "GET /test");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            json_of(&response),
            serde_json::json!({"error": "internal error", "error_code": "INTERNAL"})
        );
    }

    #[test]
    fn replies_carry_status_json_and_location() -> ChatResult<()> {
        let created = RouteReply::created(&serde_json::json!({"a": 1}))?.into_response();
        assert_eq!(created.status(), StatusCode::CREATED);
        assert_eq!(content_type(&created), Some("application/json"));
        assert_eq!(json_of(&created), serde_json::json!({"a": 1}));

        let none = RouteReply::no_content().into_response();
        assert_eq!(none.status(), StatusCode::NO_CONTENT);
        assert_eq!(content_type(&none), None);
        assert!(none.body().is_empty());

        let found = RouteReply::found("http://x/f?sig=1", &serde_json::json!({}))?.into_response();
        assert_eq!(found.status(), StatusCode::FOUND);
        assert_eq!(
            found.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
            Some("http://x/f?sig=1")
        );
        assert!(RouteReply::found("bad\nurl", &()).is_err());
        Ok(())
    }
}
