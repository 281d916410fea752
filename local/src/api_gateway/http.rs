//! The HTTP API: route matching as API Gateway does it, payload format 2.0
//! events, `lambda_http`'s request conversion, CORS from the template.

use crate::api_gateway::invoke::{InvokeError, invoke};
use crate::api_gateway::lambda_events::{self, HttpEventInput};
use crate::api_gateway::responses;
use crate::functions::{Functions, HttpFunction, LocalFunction};
use anyhow::bail;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use banter_core::service::Services;
use banter_template::{Cors, HttpApi};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Lambda's synchronous payload limit, for request and response bodies.
pub const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    /// `{proxy+}`: one or more trailing segments.
    Greedy(String),
}

struct Route {
    /// `None` for `ANY`.
    method: Option<Method>,
    /// `None` for `$default`.
    segments: Option<Vec<Segment>>,
    route_key: String,
    function: HttpFunction,
}

impl Route {
    /// Sort key: most specific first, as API Gateway prefers full matches
    /// over parameters, parameters over greedy variables, any of those over
    /// `$default`, and a named method over `ANY`.
    fn specificity(&self) -> (bool, bool, Vec<u8>, bool) {
        let segments = self.segments.as_deref().unwrap_or_default();
        let kinds = segments
            .iter()
            .map(|s| match s {
                Segment::Literal(_) => 0,
                Segment::Param(_) => 1,
                Segment::Greedy(_) => 2,
            })
            .collect();
        let greedy = segments.iter().any(|s| matches!(s, Segment::Greedy(_)));
        (
            self.segments.is_none(),
            greedy,
            kinds,
            self.method.is_none(),
        )
    }

    /// The path parameters if `path` (split, still percent-encoded) matches.
    fn match_path(&self, path: &[&str]) -> Option<HashMap<String, String>> {
        let Some(segments) = &self.segments else {
            return Some(HashMap::new());
        };
        let mut params = HashMap::new();
        for (i, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Literal(literal) => {
                    if decode(path.get(i)?) != *literal {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let value = path.get(i).filter(|v| !v.is_empty())?;
                    params.insert(name.clone(), decode(value));
                }
                Segment::Greedy(name) => {
                    let rest = path.get(i..).filter(|rest| !rest.is_empty())?;
                    params.insert(name.clone(), decode(&rest.join("/")));
                    return Some(params);
                }
            }
        }
        (path.len() == segments.len()).then_some(params)
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn parse_path(path: &str) -> anyhow::Result<Vec<Segment>> {
    let mut segments = Vec::new();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => match name.strip_suffix('+') {
                Some(name) if i + 1 == parts.len() => Segment::Greedy(name.to_owned()),
                Some(_) => bail!("{path}: a greedy {{name+}} must be the last segment"),
                None => Segment::Param(name.to_owned()),
            },
            None => Segment::Literal((*part).to_owned()),
        };
        segments.push(segment);
    }
    Ok(segments)
}

pub struct HttpGateway {
    routes: Vec<Route>,
    cors: Option<Cors>,
    pub api_id: String,
    pub services: Arc<Services>,
    pub integration_timeout: Duration,
}

impl HttpGateway {
    /// Fails if a route names a binary `functions` lacks, or a WebSocket one.
    pub fn new(
        api: &HttpApi,
        functions: &Functions,
        api_id: String,
        services: Arc<Services>,
        integration_timeout: Duration,
    ) -> anyhow::Result<Self> {
        let mut routes = Vec::new();
        for route in &api.routes {
            let route_key = route.route_key();
            let function = match functions.get(&route.binary) {
                Some(LocalFunction::Http(f)) => f.clone(),
                Some(other) => bail!(
                    "HTTP route {route_key} (function {}) names binary {}, which is a {} handler",
                    route.function,
                    route.binary,
                    other.kind()
                ),
                None => {
                    return Err(crate::api_gateway::websocket::unknown_binary(
                        &route_key,
                        &route.function,
                        &route.binary,
                        functions,
                    ));
                }
            };
            let method = match route.method.as_str() {
                "ANY" => None,
                other => Some(Method::from_bytes(other.as_bytes())?),
            };
            let segments = if route.path == "$default" {
                None
            } else {
                Some(parse_path(&route.path)?)
            };
            routes.push(Route {
                method,
                segments,
                route_key,
                function,
            });
        }
        routes.sort_by_key(Route::specificity);
        Ok(Self {
            routes,
            cors: api.cors.clone(),
            api_id,
            services,
            integration_timeout,
        })
    }

    fn find(&self, method: &Method, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        let split: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.method.as_ref().is_none_or(|m| m == method))
            .find_map(|r| r.match_path(&split).map(|params| (r, params)))
    }

    /// The route key and path parameters a request would get.
    pub fn route_for(
        &self,
        method: &Method,
        path: &str,
    ) -> Option<(String, HashMap<String, String>)> {
        self.find(method, path)
            .map(|(r, params)| (r.route_key.clone(), params))
    }

    pub async fn handle(&self, peer: SocketAddr, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let origin = parts.headers.get(header::ORIGIN).cloned();
        if let Some(cors) = &self.cors {
            if parts.method == Method::OPTIONS
                && parts
                    .headers
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
            {
                return preflight(cors, origin.as_ref());
            }
        }
        let mut response = self.invoke_route(peer, parts, body).await;
        if let Some(cors) = &self.cors {
            apply_cors(cors, origin.as_ref(), response.headers_mut());
        }
        response
    }

    async fn invoke_route(
        &self,
        peer: SocketAddr,
        parts: http::request::Parts,
        body: Body,
    ) -> Response {
        let raw_path = parts.uri.path();
        let Some((route, path_parameters)) = self.find(&parts.method, raw_path) else {
            return responses::message(StatusCode::NOT_FOUND, "Not Found");
        };
        let body = match axum::body::to_bytes(body, MAX_PAYLOAD_BYTES).await {
            Ok(body) => body,
            Err(_) => {
                return responses::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Request Entity Too Large",
                );
            }
        };
        let request_id = lambda_events::aws_id();
        let source_ip = peer.ip().to_string();
        let event = lambda_events::http_v2(HttpEventInput {
            api_id: &self.api_id,
            route_key: route.route_key.clone(),
            method: &parts.method,
            raw_path,
            raw_query: parts.uri.query().unwrap_or(""),
            headers: &parts.headers,
            path_parameters,
            body: &body,
            source_ip: &source_ip,
            request_id: &request_id,
        });
        let request = match lambda_events::into_lambda_request(
            &event,
            &lambda_events::uuid_like(),
            self.integration_timeout,
        ) {
            Ok(request) => request,
            Err(error) => {
                tracing::error!(%error, "event does not survive the JSON trip");
                return responses::message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                );
            }
        };
        let future = (route.function)(self.services.clone(), request);
        let mut response = match invoke(&route.route_key, future, self.integration_timeout).await {
            Ok(answer) => write_back(answer),
            Err(InvokeError::Panicked) => {
                responses::message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            Err(InvokeError::TimedOut) => {
                responses::message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
            }
        };
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("apigw-requestid", id);
        }
        tracing::debug!(route = %route.route_key, status = %response.status(), "http");
        response
    }
}

/// The function's response as API Gateway returns it to the client after
/// `lambda_http` turned it into a payload 2.0 response.
fn write_back(answer: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = answer.into_parts();
    let bytes = responses::lambda_body_bytes(Some(&body));
    let wire_size = match body {
        // Binary bodies travel base64-encoded.
        lambda_http::Body::Binary(_) => bytes.len() / 3 * 4,
        _ => bytes.len(),
    };
    if wire_size > MAX_PAYLOAD_BYTES {
        tracing::error!(size = wire_size, "function response over Lambda's 6 MB");
        return responses::message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = parts.status;
    let headers = response.headers_mut();
    for name in parts.headers.keys() {
        if name == header::SET_COOKIE {
            // Cookies travel in their own list and come back one header each.
            for value in parts.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        } else if let Some(value) = parts.headers.get(name) {
            // The 2.0 response's `headers` is a map: only the first value of
            // a repeated header survives serialization on Lambda.
            headers.insert(name.clone(), value.clone());
        }
    }
    response
}

fn origin_allowed(cors: &Cors, origin: &str) -> bool {
    cors.allow_origins.iter().any(|allowed| {
        allowed == "*"
            || allowed.eq_ignore_ascii_case(origin)
            || allowed.split_once('*').is_some_and(|(prefix, suffix)| {
                origin.len() >= prefix.len() + suffix.len()
                    && origin.starts_with(prefix)
                    && origin.ends_with(suffix)
            })
    })
}

fn allow_origin_value(cors: &Cors, origin: &str) -> Option<HeaderValue> {
    if !origin_allowed(cors, origin) {
        return None;
    }
    if cors.allow_origins.iter().any(|o| o == "*") && !cors.allow_credentials {
        return Some(HeaderValue::from_static("*"));
    }
    HeaderValue::from_str(origin).ok()
}

/// API Gateway answers preflights itself when CORS is configured.
fn preflight(cors: &Cors, origin: Option<&HeaderValue>) -> Response {
    let mut response = responses::empty(StatusCode::NO_CONTENT);
    let Some(origin) = origin.and_then(|o| o.to_str().ok()) else {
        return response;
    };
    let Some(allow_origin) = allow_origin_value(cors, origin) else {
        return response;
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    let mut set = |name: HeaderName, values: &[String]| {
        if let Ok(value) = HeaderValue::from_str(&values.join(",")) {
            if !values.is_empty() {
                headers.insert(name, value);
            }
        }
    };
    set(header::ACCESS_CONTROL_ALLOW_METHODS, &cors.allow_methods);
    set(header::ACCESS_CONTROL_ALLOW_HEADERS, &cors.allow_headers);
    if let Some(max_age) = cors.max_age {
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(max_age));
    }
    if cors.allow_credentials {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// With CORS configured, API Gateway replaces the integration's CORS
/// headers with its own.
fn apply_cors(cors: &Cors, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    let ours = [
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::ACCESS_CONTROL_ALLOW_METHODS,
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        header::ACCESS_CONTROL_MAX_AGE,
    ];
    for name in ours {
        headers.remove(name);
    }
    let Some(origin) = origin.and_then(|o| o.to_str().ok()) else {
        return;
    };
    let Some(allow_origin) = allow_origin_value(cors, origin) else {
        return;
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if !cors.expose_headers.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&cors.expose_headers.join(",")) {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
        }
    }
    if cors.allow_credentials {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_into_literals_params_and_a_trailing_greedy() {
        assert_eq!(
            parse_path("/rooms/{room_id}/files/{proxy+}").expect("valid"),
            [
                Segment::Literal("rooms".into()),
                Segment::Param("room_id".into()),
                Segment::Literal("files".into()),
                Segment::Greedy("proxy".into()),
            ]
        );
        assert!(parse_path("/{proxy+}/x").is_err());
    }

    #[test]
    fn cors_origins_match_exactly_by_wildcard_or_star() {
        let cors = Cors {
            allow_origins: vec![
                "https://*.example.com".into(),
                "http://localhost:5173".into(),
            ],
            ..Cors::default()
        };
        assert!(origin_allowed(&cors, "https://app.example.com"));
        assert!(origin_allowed(&cors, "http://localhost:5173"));
        assert!(!origin_allowed(&cors, "https://evil.com"));
    }
}
