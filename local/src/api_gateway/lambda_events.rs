//! The events API Gateway sends to Lambda, built field by field as AWS
//! fills them, in the real `aws_lambda_events` types.
//!
//! Every event also makes the trip a deployed one makes: serialized to
//! JSON and deserialized again (for HTTP, through `lambda_http`'s own
//! `LambdaRequest`, exactly as `lambda_http::run` does on Lambda). A field
//! that would not survive that trip on AWS does not survive it here.

use aws_lambda_events::apigw::{
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpRequestContextHttpDescription, ApiGatewayWebsocketProxyRequest,
    ApiGatewayWebsocketProxyRequestContext,
};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lambda_http::RequestExt;
use rand::Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::format_description;

/// Placeholder account id in request contexts (AWS's documentation one).
const ACCOUNT_ID: &str = "123456789012";

/// An id shaped like API Gateway's connection, request and message ids:
/// 16 base64 characters ending in `=` (11 random bytes).
pub fn aws_id() -> String {
    let bytes: [u8; 11] = rand::rng().random();
    // URL-safe, so an id never needs escaping in `/@connections/{id}`.
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

/// A UUID-shaped request id, as Lambda's `Context.request_id`.
pub fn uuid_like() -> String {
    let b: [u8; 16] = rand::rng().random();
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `requestTime` as API Gateway writes it: `09/Feb/2019:10:00:00 +0000`.
pub fn request_time(now: OffsetDateTime) -> String {
    let format =
        format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000");
    now.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

pub fn epoch_millis(now: OffsetDateTime) -> i64 {
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// What stays the same in every event of one WebSocket connection.
#[derive(Clone, Debug)]
pub struct WsConnectionContext {
    pub api_id: String,
    pub stage: String,
    pub connection_id: String,
    /// Epoch millis.
    pub connected_at: i64,
    /// The Host the client connected to (`requestContext.domainName`).
    pub domain_name: String,
    pub source_ip: String,
    pub user_agent: Option<String>,
}

fn ws_event(
    ctx: &WsConnectionContext,
    route_key: &str,
    event_type: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let now = OffsetDateTime::now_utc();
    let mut rc = ApiGatewayWebsocketProxyRequestContext::default();
    rc.route_key = Some(route_key.to_owned());
    rc.event_type = Some(event_type.to_owned());
    rc.extended_request_id = Some(aws_id());
    rc.request_time = Some(request_time(now));
    rc.message_direction = Some("IN".to_owned());
    rc.stage = Some(ctx.stage.clone());
    rc.connected_at = ctx.connected_at;
    rc.request_time_epoch = epoch_millis(now);
    rc.identity.source_ip = Some(ctx.source_ip.clone());
    rc.identity.user_agent = ctx.user_agent.clone();
    rc.request_id = rc.extended_request_id.clone();
    rc.domain_name = Some(ctx.domain_name.clone());
    rc.connection_id = Some(ctx.connection_id.clone());
    rc.apiid = Some(ctx.api_id.clone());
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    event.request_context = rc;
    event.is_base64_encoded = false;
    event
}

/// The `$connect` event: the upgrade request's headers and query string.
pub fn ws_connect(
    ctx: &WsConnectionContext,
    client_headers: &HeaderMap,
    raw_query: Option<&str>,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = ws_event(ctx, "$connect", "CONNECT");
    let mut headers = HeaderMap::new();
    let mut multi = HeaderMap::new();
    for (name, value) in client_headers {
        // Hop-by-hop headers of the upgrade do not reach the integration.
        if name == http::header::CONNECTION || name == http::header::UPGRADE {
            continue;
        }
        if std::str::from_utf8(value.as_bytes()).is_ok() {
            headers.insert(name.clone(), value.clone());
            multi.append(name.clone(), value.clone());
        }
    }
    for (name, value) in forwarded_headers(client_headers, &ctx.source_ip) {
        headers.insert(name.clone(), value.clone());
        multi.insert(name, value);
    }
    event.headers = headers;
    event.multi_value_headers = multi;
    let (single, all) = query_maps(raw_query);
    event.query_string_parameters = single;
    event.multi_value_query_string_parameters = all;
    event
}

/// A MESSAGE event for one client frame.
pub fn ws_message(
    ctx: &WsConnectionContext,
    route_key: &str,
    body: String,
    is_base64_encoded: bool,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = ws_event(ctx, route_key, "MESSAGE");
    event.request_context.message_id = Some(aws_id());
    event.body = Some(body);
    event.is_base64_encoded = is_base64_encoded;
    event
}

/// The `$disconnect` event.
pub fn ws_disconnect(
    ctx: &WsConnectionContext,
    status_code: u16,
    reason: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = ws_event(ctx, "$disconnect", "DISCONNECT");
    event.request_context.disconnect_status_code = Some(i64::from(status_code));
    event.request_context.disconnect_reason = Some(reason.to_owned());
    let mut headers = HeaderMap::new();
    if let Ok(host) = HeaderValue::from_str(&ctx.domain_name) {
        headers.insert(http::header::HOST, host);
    }
    if let Ok(ip) = HeaderValue::from_str(&ctx.source_ip) {
        headers.insert(HeaderName::from_static("x-forwarded-for"), ip);
    }
    event.multi_value_headers = headers.clone();
    event.headers = headers;
    event
}

/// `X-Forwarded-*` as API Gateway adds them.
fn forwarded_headers(client: &HeaderMap, source_ip: &str) -> Vec<(HeaderName, HeaderValue)> {
    let forwarded_for = match client.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {source_ip}"),
        None => source_ip.to_owned(),
    };
    let port = client
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map_or("80", |(_, port)| port)
        .to_owned();
    [
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-port", port),
        ("x-forwarded-proto", "http".into()),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        Some((
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).ok()?,
        ))
    })
    .collect()
}

/// The query string as `queryStringParameters` (last value wins) and
/// `multiValueQueryStringParameters`.
fn query_maps(raw_query: Option<&str>) -> (QueryMap, QueryMap) {
    let mut single: HashMap<String, String> = HashMap::new();
    let mut all: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(raw_query.unwrap_or("").as_bytes()) {
        single.insert(key.to_string(), value.to_string());
        all.entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    (QueryMap::from(single), QueryMap::from(all))
}

/// What the HTTP gateway knows about one request.
pub struct HttpEventInput<'a> {
    pub api_id: &'a str,
    pub route_key: String,
    pub method: &'a Method,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub path_parameters: HashMap<String, String>,
    pub body: &'a [u8],
    pub source_ip: &'a str,
    pub request_id: &'a str,
}

/// An HTTP API payload format 2.0 event.
pub fn http_v2(input: HttpEventInput<'_>) -> ApiGatewayV2httpRequest {
    let now = OffsetDateTime::now_utc();
    let mut headers = HeaderMap::new();
    let mut cookies = Vec::new();
    for name in input.headers.keys() {
        let values: Vec<&str> = input
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .collect();
        if name == http::header::COOKIE {
            // Payload 2.0 moves cookies out of the headers.
            let parts = values.iter().flat_map(|v| v.split(';'));
            cookies.extend(
                parts
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            );
            continue;
        }
        // Repeated headers are joined with commas.
        if let Ok(value) = HeaderValue::from_str(&values.join(",")) {
            headers.insert(name.clone(), value);
        }
    }
    for (name, value) in forwarded_headers(input.headers, input.source_ip) {
        headers.insert(name, value);
    }
    let host = input
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let user_agent = input
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);

    let mut description = ApiGatewayV2httpRequestContextHttpDescription::default();
    description.method = input.method.clone();
    description.path = Some(input.raw_path.to_owned());
    description.protocol = Some("HTTP/1.1".to_owned());
    description.source_ip = Some(input.source_ip.to_owned());
    description.user_agent = user_agent;

    let mut rc = ApiGatewayV2httpRequestContext::default();
    rc.route_key = Some(input.route_key.clone());
    rc.account_id = Some(ACCOUNT_ID.to_owned());
    rc.stage = Some("$default".to_owned());
    rc.request_id = Some(input.request_id.to_owned());
    rc.apiid = Some(input.api_id.to_owned());
    rc.domain_name = Some(host.to_owned());
    rc.domain_prefix = Some(host.split(['.', ':']).next().unwrap_or("").to_owned());
    rc.time = Some(request_time(now));
    rc.time_epoch = epoch_millis(now);
    rc.http = description;

    let mut all: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(input.raw_query.as_bytes()) {
        all.entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }

    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".to_owned());
    event.route_key = Some(input.route_key);
    event.raw_path = Some(input.raw_path.to_owned());
    event.raw_query_string = Some(input.raw_query.to_owned());
    event.cookies = (!cookies.is_empty()).then_some(cookies);
    event.headers = headers;
    event.query_string_parameters = QueryMap::from(all);
    event.path_parameters = input.path_parameters;
    event.request_context = rc;
    if !input.body.is_empty() {
        match std::str::from_utf8(input.body) {
            Ok(text) => {
                event.body = Some(text.to_owned());
                event.is_base64_encoded = false;
            }
            Err(_) => {
                event.body = Some(base64::engine::general_purpose::STANDARD.encode(input.body));
                event.is_base64_encoded = true;
            }
        }
    }
    event
}

/// The event as the function receives it after Lambda's JSON trip.
pub fn through_json<T: Serialize + DeserializeOwned>(event: &T) -> anyhow::Result<T> {
    let json = serde_json::to_string(event)?;
    tracing::trace!(event = %json, "lambda event");
    Ok(serde_json::from_str(&json)?)
}

/// The `lambda_http::Request` a deployed function would see for this
/// event: JSON → `LambdaRequest` → `http::Request`, plus the Lambda context.
pub fn into_lambda_request(
    event: &ApiGatewayV2httpRequest,
    request_id: &str,
    timeout: Duration,
) -> anyhow::Result<lambda_http::Request> {
    let json = serde_json::to_string(event)?;
    tracing::trace!(event = %json, "lambda event");
    let lambda_request: lambda_http::request::LambdaRequest = serde_json::from_str(&json)?;
    let request: lambda_http::Request = lambda_request.into();
    let mut context = lambda_http::Context::default();
    context.request_id = request_id.to_owned();
    let deadline = OffsetDateTime::now_utc() + timeout;
    context.deadline = u64::try_from(epoch_millis(deadline)).unwrap_or(0);
    Ok(request.with_lambda_context(context))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt;

    fn ctx() -> WsConnectionContext {
        WsConnectionContext {
            api_id: "abcdef1234".into(),
            stage: "prod".into(),
            connection_id: aws_id(),
            connected_at: 1_700_000_000_000,
            domain_name: "127.0.0.1:3000".into(),
            source_ip: "127.0.0.1".into(),
            user_agent: Some("test-agent".into()),
        }
    }

    #[test]
    fn ids_look_like_api_gateway_ids() {
        let id = aws_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert!(!id.contains('/') && !id.contains('+'));
        assert_eq!(uuid_like().len(), 36);
        let t = OffsetDateTime::from_unix_timestamp(1_549_706_400).expect("valid");
        assert_eq!(request_time(t), "09/Feb/2019:10:00:00 +0000");
    }

    #[test]
    fn given_an_upgrade_request_then_the_connect_event_carries_query_and_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:3000"));
        headers.insert("connection", HeaderValue::from_static("Upgrade"));
        headers.append("x-multi", HeaderValue::from_static("a"));
        headers.append("x-multi", HeaderValue::from_static("b"));
        let ctx = ctx();
        let event =
            through_json(&ws_connect(&ctx, &headers, Some("token=abc&x=1&x=2"))).expect("trip");
        let rc = &event.request_context;
        assert_eq!(rc.route_key.as_deref(), Some("$connect"));
        assert_eq!(rc.event_type.as_deref(), Some("CONNECT"));
        assert_eq!(
            rc.connection_id.as_deref(),
            Some(ctx.connection_id.as_str())
        );
        assert_eq!(rc.message_direction.as_deref(), Some("IN"));
        assert_eq!(rc.identity.user_agent.as_deref(), Some("test-agent"));
        assert_eq!(rc.connected_at, 1_700_000_000_000);
        assert!(rc.request_time_epoch > 0);
        assert_eq!(event.query_string_parameters.first("token"), Some("abc"));
        assert_eq!(event.query_string_parameters.first("x"), Some("2"));
        assert_eq!(
            event.multi_value_query_string_parameters.all("x"),
            Some(vec!["1", "2"])
        );
        assert!(event.headers.get("connection").is_none());
        assert_eq!(
            event.multi_value_headers.get_all("x-multi").iter().count(),
            2
        );
        assert_eq!(
            event
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok()),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn given_an_http_event_then_lambda_http_sees_the_request_as_on_lambda() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:3000"));
        headers.insert("Content-Type", HeaderValue::from_static("application/json"));
        headers.insert("cookie", HeaderValue::from_static("a=1; b=2"));
        let event = http_v2(HttpEventInput {
            api_id: "abcdef1234",
            route_key: "POST /rooms/{room_id}/read".into(),
            method: &Method::POST,
            raw_path: "/rooms/42/read",
            raw_query: "q=x%20y&q=z",
            headers: &headers,
            path_parameters: HashMap::from([("room_id".to_owned(), "42".to_owned())]),
            body: br#"{"up_to":7}"#,
            source_ip: "127.0.0.1",
            request_id: "rid",
        });
        assert_eq!(
            event.cookies,
            Some(vec!["a=1".to_owned(), "b=2".to_owned()])
        );
        assert!(event.headers.get("cookie").is_none());
        let request =
            into_lambda_request(&event, "rid", Duration::from_secs(29)).expect("converts");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri().path(), "/rooms/42/read");
        assert_eq!(request.path_parameters().first("room_id"), Some("42"));
        assert_eq!(
            request.query_string_parameters().all("q"),
            Some(vec!["x y", "z"])
        );
        assert_eq!(
            request
                .headers()
                .get("cookie")
                .and_then(|v| v.to_str().ok()),
            Some("a=1; b=2")
        );
        assert_eq!(
            request.lambda_context_ref().map(|c| c.request_id.as_str()),
            Some("rid")
        );
        match request.body() {
            lambda_http::Body::Text(text) => assert_eq!(text, r#"{"up_to":7}"#),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn given_a_binary_body_then_it_is_base64_encoded_and_decoded_back() {
        let headers = HeaderMap::new();
        let event = http_v2(HttpEventInput {
            api_id: "a",
            route_key: "$default".into(),
            method: &Method::PUT,
            raw_path: "/x",
            raw_query: "",
            headers: &headers,
            path_parameters: HashMap::new(),
            body: &[0xff, 0x00, 0x80],
            source_ip: "127.0.0.1",
            request_id: "rid",
        });
        assert!(event.is_base64_encoded);
        let request = into_lambda_request(&event, "rid", Duration::from_secs(1)).expect("ok");
        assert_eq!(request.body().as_ref(), &[0xff, 0x00, 0x80]);
    }
}
