//! A REST body read as a typed request: typed 400s only.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = banter_handlers::fuzzing::json_body(data);
});
