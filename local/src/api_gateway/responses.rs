//! Small helpers for the responses API Gateway itself writes.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

/// `{"message": "..."}`, API Gateway's own error shape.
pub fn message(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "message": message }))
}

pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// The bytes of a Lambda response body (`aws_lambda_events` encodings).
pub fn lambda_body_bytes(body: Option<&lambda_http::Body>) -> Vec<u8> {
    match body {
        Some(lambda_http::Body::Text(text)) => text.as_bytes().to_vec(),
        Some(lambda_http::Body::Binary(bytes)) => bytes.clone(),
        _ => Vec::new(),
    }
}
