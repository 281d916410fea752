//! The native dialect's frame decoder on any text frame: typed rejections only.
#![no_main]

#[path = "dialect.rs"]
mod dialect;

use banter_core::domain::connection::DialectKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dialect::decode_as(DialectKind::Native, data));
