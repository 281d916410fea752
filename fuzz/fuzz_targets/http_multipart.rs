//! A multipart/form-data upload body (seed 003's files), with a fixed
//! boundary and one taken from the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fixed = "multipart/form-data; boundary=XyZ";
    let _ = futures::executor::block_on(banter_handlers::fuzzing::multipart(fixed, data));
    if let Some(split) = data.iter().position(|b| *b == b'\n')
        && let Ok(content_type) = std::str::from_utf8(&data[..split])
    {
        let body = &data[split + 1..];
        let _ =
            futures::executor::block_on(banter_handlers::fuzzing::multipart(content_type, body));
    }
});
