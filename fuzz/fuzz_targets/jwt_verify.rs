//! Any text as an access token and as a conversation token: refused unless
//! really signed with the secret, never a panic.
#![no_main]

use banter_core::auth::Tokens;
use banter_core::config::Config;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn tokens() -> &'static Tokens {
    static TOKENS: OnceLock<Tokens> = OnceLock::new();
    TOKENS.get_or_init(|| Tokens::new(Config::with_secret(b"fuzzing secret".to_vec()).jwt))
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let tokens = tokens();
    assert!(
        tokens.verify(token).is_err(),
        "a forged token verified: {token}"
    );
    assert!(
        tokens.verify_conversation(token).is_err(),
        "a forged conversation token verified: {token}"
    );
});
