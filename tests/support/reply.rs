//! One REST answer: status, headers and the body parsed as JSON.

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body as JSON; `Null` when it is empty or not JSON (see `text`).
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub(crate) async fn read(response: reqwest::Response, what: &str) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{what}: reading the body failed: {e}"));
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "expected HTTP {status}, got {} with body {}",
            self.status, self.text
        );
        self.body
    }

    /// Asserts a REST error as the spec shapes it: the status, a JSON body
    /// `{"error": "<non-empty message>", "error_code": code}`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status, status,
            "expected HTTP {status} {code}, got {} with body {}",
            self.status, self.text
        );
        let content_type = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "error body should be JSON, Content-Type is {content_type:?}: {}",
            self.text
        );
        assert_eq!(
            self.body.get("error_code").and_then(Value::as_str),
            Some(code),
            "wrong or missing error_code in {}",
            self.text
        );
        let message = self.body.get("error").and_then(Value::as_str);
        assert!(
            message.is_some_and(|m| !m.is_empty()),
            "error body needs a non-empty \"error\" message: {}",
            self.text
        );
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
