//! The WebSocket API's route selection: the template's expression on any
//! frame body, and any expression parsed and evaluated.
#![no_main]

use banter_local::api_gateway::route_selection::RouteSelection;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const KEYS: &[&str] = &["$default", "send", "typing", "read", "history"];

fn template_selection() -> &'static RouteSelection {
    static SELECTION: OnceLock<RouteSelection> = OnceLock::new();
    SELECTION.get_or_init(|| {
        RouteSelection::parse("$request.body.action").expect("the template's expression parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = template_selection().select(Some(text), KEYS.iter().copied());
    if let Some((expression, body)) = text.split_once('\n')
        && let Ok(selection) = RouteSelection::parse(expression)
    {
        let _ = selection.evaluate(body);
    }
});
