//! What a WebSocket route handler returns to API Gateway. For `$connect` a
//! non-2xx status refuses the handshake; for other routes API Gateway only
//! logs it (replies travel through the Management API instead).

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use aws_lambda_events::encodings::Body;
use banter_core::protocol::ChatError;

pub fn ok() -> ApiGatewayProxyResponse {
    status(200, None)
}

/// A refusal with the REST error body, so a client that can read the
/// handshake response learns why.
pub fn refuse(error: &ChatError) -> ApiGatewayProxyResponse {
    let code = error.code();
    let body = serde_json::json!({ "error": error.client_message(), "error_code": code.as_str() });
    status(i64::from(code.http_status()), Some(body.to_string()))
}

fn status(code: i64, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = code;
    if let Some(body) = body {
        response.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response.body = Some(Body::Text(body));
    }
    response
}
