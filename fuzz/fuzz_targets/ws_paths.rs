//! banter-local's rewrite of the seeds' WebSocket paths (`/chat/1/2`,
//! `/ws/chat/{name}/`, ...) into the `?dialect=` query form.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, query) = match text.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (text, None),
    };
    let _ = banter_local::api_gateway::ws_paths::rewrite(path, query);
});
