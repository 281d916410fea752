//! A raw query string through banter-local's HTTP event (as API Gateway
//! parses it), lambda_http's request, and the history routes' readers.
#![no_main]

use banter_local::api_gateway::lambda_events::{HttpEventInput, http_v2, into_lambda_request};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Ok(raw_query) = std::str::from_utf8(data) else {
        return;
    };
    // Both API Gateway and banter-local's HTTP server only ever hand on a
    // query that is part of a valid request target (lambda_http panics on
    // one that is not, e.g. with a raw NUL: unreachable from a client).
    if http::Uri::try_from(format!("/rooms/1/messages?{raw_query}")).is_err() {
        return;
    }
    let headers = http::HeaderMap::new();
    let event = http_v2(HttpEventInput {
        api_id: "fuzz",
        route_key: "GET /rooms/{room_id}/messages".into(),
        method: &http::Method::GET,
        raw_path: "/rooms/1/messages",
        raw_query,
        headers: &headers,
        path_parameters: HashMap::from([("room_id".to_owned(), "1".to_owned())]),
        body: b"",
        source_ip: "127.0.0.1",
        request_id: "fuzz",
    });
    if let Ok(request) = into_lambda_request(&event, "fuzz", Duration::from_secs(1)) {
        let _ = banter_handlers::fuzzing::query(&request);
    }
});
