//! Reading a request: its route key, its caller, its JSON body, its path ids
//! and its query string. Every failure is a `ChatError` naming the problem;
//! nothing here can panic on what a client sent.

use banter_core::domain::{MessageId, RoomId, UserId};
use banter_core::protocol::{ChatError, ChatResult, ErrorCode};
use banter_core::service::Services;
use http::HeaderMap;
use http::header::AUTHORIZATION;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_json::{Map, Value};
use std::str::FromStr;

/// One request on its way through a route, with the services to serve it.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    pub services: &'a Services,
    pub request: &'a Request,
}

impl Call<'_> {
    /// The user the bearer token speaks for.
    pub fn user(&self) -> ChatResult<UserId> {
        let token = bearer_token(self.request.headers())?;
        self.services.authenticate(token)
    }

    /// The caller's address as API Gateway saw it, for per-IP limits.
    pub fn source_ip(&self) -> Option<&str> {
        match self.request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
            _ => None,
        }
    }

    /// The body, which must be a JSON object of `T`'s fields.
    pub fn body<T: DeserializeOwned>(&self) -> ChatResult<T> {
        parse_body(self.request.body())
    }

    /// The body, or `T::default()` when there is none (every field optional).
    pub fn optional_body<T: DeserializeOwned + Default>(&self) -> ChatResult<T> {
        parse_optional_body(self.request.body())
    }

    /// The `{room_id}` path parameter.
    pub fn room_id(&self) -> ChatResult<RoomId> {
        path_id(self.request, "room_id", RoomId::parse_str)
    }

    /// The `{user_id}` path parameter.
    pub fn path_user_id(&self) -> ChatResult<UserId> {
        path_id(self.request, "user_id", UserId::parse_str)
    }

    /// A path parameter as sent (API Gateway has already decoded it).
    pub fn path(&self, name: &str) -> ChatResult<&str> {
        path_param(self.request, name)
    }

    /// A query string parameter that must be a non-negative integer.
    pub fn query_number<N: FromStr>(&self, name: &str) -> ChatResult<Option<N>> {
        query_number(self.request, name)
    }
}

fn path_param<'r>(request: &'r Request, name: &str) -> ChatResult<&'r str> {
    request
        .path_parameters_ref()
        .and_then(|params| params.first(name))
        .ok_or_else(|| ChatError::invalid(format!("{name} is missing from the path")))
}

pub(crate) fn path_id<Id>(
    request: &Request,
    name: &str,
    parse: fn(&str) -> Option<Id>,
) -> ChatResult<Id> {
    let text = path_param(request, name)?;
    parse(text).ok_or_else(|| out_of_range(name, text))
}

/// The first value of a query string parameter, parsed if given.
pub(crate) fn query_number<N: FromStr>(request: &Request, name: &str) -> ChatResult<Option<N>> {
    request
        .query_string_parameters_ref()
        .and_then(|params| params.first(name))
        .map(|text| {
            text.parse()
                .map_err(|_| ChatError::invalid(format!("{name} must be a non-negative integer")))
        })
        .transpose()
}

/// The route key API Gateway matched, e.g. `"POST /rooms/{room_id}/read"`.
pub(crate) fn route_key(request: &Request) -> Option<String> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.clone(),
        _ => None,
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> ChatResult<&str> {
    let unauthorized = |why: &str| ChatError::new(ErrorCode::Unauthorized, why);
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| unauthorized("an Authorization: Bearer <token> header is required"))?;
    let value = header
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not text"))?;
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(unauthorized(
                "the Authorization header must be Bearer <token>",
            ));
        }
    };
    if token.is_empty() {
        return Err(unauthorized("the bearer token is empty"));
    }
    Ok(token)
}

/// A client-given id from a body field: 1 ..= 2^53 - 1.
pub(crate) fn user_id(field: &str, value: u64) -> ChatResult<UserId> {
    UserId::parse(value).ok_or_else(|| out_of_range(field, value))
}

pub(crate) fn message_id(field: &str, value: u64) -> ChatResult<MessageId> {
    MessageId::parse(value).ok_or_else(|| out_of_range(field, value))
}

fn out_of_range(field: &str, value: impl std::fmt::Display) -> ChatError {
    ChatError::invalid(format!("{field} {value} is not a valid id"))
}

pub(crate) fn parse_optional_body<T: DeserializeOwned + Default>(body: &[u8]) -> ChatResult<T> {
    if is_blank(body) {
        Ok(T::default())
    } else {
        parse_body(body)
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A JSON object body into `T`: not JSON, or not an object, is
/// `INVALID_JSON`; a missing or mistyped field is `INVALID_FIELD` naming it.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> ChatResult<T> {
    let invalid_json = |why: String| ChatError::new(ErrorCode::InvalidJson, why);
    if is_blank(body) {
        return Err(invalid_json("a JSON object body is required".into()));
    }
    let object: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| match e.classify() {
            Category::Data => invalid_json("the body must be a JSON object".into()),
            Category::Io | Category::Syntax | Category::Eof => {
                invalid_json(format!("the body is not valid JSON: {e}"))
            }
        })?;
    fields(object)
}

/// `T` from an object's members; the error names the field.
fn fields<T: DeserializeOwned>(object: Map<String, Value>) -> ChatResult<T> {
    Ok(banter_core::json_fields::from_object(object)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        name: String,
        count: u64,
        note: Option<String>,
    }

    fn rejected<T: std::fmt::Debug>(result: ChatResult<T>) -> (ErrorCode, String) {
        match result {
            Err(e) => (e.code(), e.client_message()),
            Ok(value) => panic!("accepted {value:?}"),
        }
    }

    #[test]
    fn a_well_formed_body_parses_into_its_struct() {
        let sample: ChatResult<Sample> = parse_body(br#" {"name":"x","count":2,"extra":[1]} "#);
        assert_eq!(
            sample.ok(),
            Some(Sample {
                name: "x".into(),
                count: 2,
                note: None
            })
        );
    }

    #[test]
    fn a_body_that_is_not_a_json_object_is_invalid_json() {
        for body in [
            &b""[..],
            b"  \n",
            b"{",
            b"nope",
            b"[1,2]",
            b"\"text\"",
            b"null",
            b"{}x",
        ] {
            let (code, _) = rejected(parse_body::<Sample>(body));
            assert_eq!(
                code,
                ErrorCode::InvalidJson,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_missing_or_mistyped_field_is_invalid_field_and_named() {
        let (code, message) = rejected(parse_body::<Sample>(br#"{"count":1}"#));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(message.contains("name"), "{message}");

        let (code, message) = rejected(parse_body::<Sample>(br#"{"name":"x","count":"two"}"#));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(message.starts_with("count: "), "{message}");

        let (_, message) = rejected(parse_body::<Sample>(br#"{"name":"x","count":-1}"#));
        assert!(message.starts_with("count: "), "{message}");

        let (_, message) = rejected(parse_body::<Sample>(br#"{"name":"x","count":1,"note":5}"#));
        assert!(message.starts_with("note: "), "{message}");

        // Missing fields are named, in our words, never blamed on another.
        let (_, message) = rejected(parse_body::<Sample>(br#"{"name":"x"}"#));
        assert_eq!(message, "count is required");

        // A mistyped field is named even when a required one is also missing.
        let (_, message) = rejected(parse_body::<Sample>(br#"{"name":7}"#));
        assert!(message.starts_with("name: "), "{message}");
    }

    #[test]
    fn only_a_well_formed_bearer_header_yields_a_token() {
        let headers = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
            headers
        };
        assert_eq!(
            bearer_token(&headers("Bearer abc.def")).ok(),
            Some("abc.def")
        );
        assert_eq!(bearer_token(&headers("bearer  abc ")).ok(), Some("abc"));
        for bad in ["Basic abc", "Bearer", "Bearer ", "abc", "Bearerabc"] {
            let (code, _) = rejected(bearer_token(&headers(bad)));
            assert_eq!(code, ErrorCode::Unauthorized, "{bad}");
        }
        let (code, _) = rejected(bearer_token(&HeaderMap::new()));
        assert_eq!(code, ErrorCode::Unauthorized);
    }

    /// A request as lambda_http builds it from an HTTP API (payload 2.0)
    /// event. lambda_http reads the query from `rawQueryString`.
    fn http_api_event(route_key: &str, path: Value, query: &str, body: Option<&str>) -> Request {
        let (method, raw_path) = route_key.split_once(' ').unwrap_or(("GET", "/"));
        let event = serde_json::json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": {"content-type": "application/json"},
            "pathParameters": path,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "api",
                "domainName": "api.example.com",
                "requestId": "r1",
                "routeKey": route_key,
                "stage": "$default",
                "time": "01/Jan/2026:00:00:00 +0000",
                "timeEpoch": 1767225600000_i64,
                "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                         "sourceIp": "127.0.0.1", "userAgent": "test"}
            },
            "body": body,
            "isBase64Encoded": false
        });
        lambda_http::request::from_str(&event.to_string())
            .unwrap_or_else(|e| panic!("not an HTTP API event: {e}"))
    }

    #[test]
    fn route_key_path_ids_and_query_come_from_the_api_gateway_event() {
        let request = http_api_event(
            "DELETE /rooms/{room_id}/members/{user_id}",
            serde_json::json!({"room_id": "7", "user_id": "x"}),
            "limit=20&before=-1&limit=30",
            None,
        );
        assert_eq!(
            route_key(&request).as_deref(),
            Some("DELETE /rooms/{room_id}/members/{user_id}")
        );
        assert_eq!(
            path_id(&request, "room_id", RoomId::parse_str).ok(),
            Some(RoomId(7))
        );
        let (code, message) = rejected(path_id(&request, "user_id", UserId::parse_str));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(message.contains("user_id"), "{message}");
        assert!(path_id(&request, "file_id", RoomId::parse_str).is_err());

        assert_eq!(
            query_number::<usize>(&request, "limit").ok(),
            Some(Some(20))
        );
        assert_eq!(query_number::<u64>(&request, "after").ok(), Some(None));
        let (code, message) = rejected(query_number::<u64>(&request, "before"));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(message.contains("before"), "{message}");

        #[derive(Debug, Default, Deserialize, PartialEq)]
        struct AllOptional {
            message_id: Option<u64>,
        }
        let empty: ChatResult<AllOptional> = parse_optional_body(request.body());
        assert_eq!(empty.ok(), Some(AllOptional::default()));
        let (code, _) = rejected(parse_body::<AllOptional>(request.body()));
        assert_eq!(code, ErrorCode::InvalidJson);

        let request = http_api_event(
            "POST /rooms/{room_id}/read",
            serde_json::json!({"room_id": "7"}),
            "",
            Some(r#"{"message_id": 12}"#),
        );
        let body: ChatResult<AllOptional> = parse_optional_body(request.body());
        assert_eq!(
            body.ok(),
            Some(AllOptional {
                message_id: Some(12)
            })
        );
    }

    #[test]
    fn a_request_from_another_kind_of_event_has_no_route_key() {
        let request = Request::new(lambda_http::Body::Empty);
        assert_eq!(route_key(&request), None);
    }

    #[test]
    fn ids_outside_the_safe_range_are_invalid_fields() {
        assert_eq!(user_id("user_id", 4).ok(), Some(UserId(4)));
        let (code, message) = rejected(user_id("user_id", 0));
        assert_eq!(code, ErrorCode::InvalidField);
        assert!(message.contains("user_id"), "{message}");
        assert!(message_id("message_id", 1 << 53).is_err());
    }
}
