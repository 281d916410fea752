//! Hand-made JWTs, valid and otherwise, shaped like the ones banter issues
//! (HS256; `sub` is the user id; `iat`, `exp`, `iss`, `aud`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

/// banter's default issuer and audience (`Config::with_secret`).
pub const ISSUER: &str = "banter";
pub const AUDIENCE: &str = "banter-clients";

fn now() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    i64::try_from(seconds).expect("seconds fit in i64")
}

/// An HS256 token with exactly these claims.
pub fn signed(secret: &[u8], user_id: u64, iat: i64, exp: i64) -> String {
    let claims = json!({
        "sub": user_id.to_string(),
        "iat": iat,
        "exp": exp,
        "iss": ISSUER,
        "aud": AUDIENCE,
    });
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("signing a test token")
}

/// Valid for the next hour.
pub fn valid(secret: &[u8], user_id: u64) -> String {
    let now = now();
    signed(secret, user_id, now, now + 3600)
}

/// Correctly signed, but expired an hour ago.
pub fn expired(secret: &[u8], user_id: u64) -> String {
    let now = now();
    signed(secret, user_id, now - 7200, now - 3600)
}

/// Well formed and unexpired, signed with some other secret.
pub fn forged(user_id: u64) -> String {
    valid(b"not the server's secret", user_id)
}

/// `token`'s claims under an `alg: none` header and no signature.
pub fn unsigned(token: &str) -> String {
    let payload = token
        .split('.')
        .nth(1)
        .expect("a JWT has a payload segment");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{payload}.")
}

/// `token` with its payload swapped for one naming `user_id`, keeping the
/// original signature.
pub fn tampered(token: &str, user_id: u64) -> String {
    let mut parts = token.split('.');
    let header = parts.next().expect("a JWT has a header");
    let payload = parts.next().expect("a JWT has a payload");
    let signature = parts.next().expect("a JWT has a signature");
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(payload)
            .expect("the payload is base64url"),
    )
    .expect("the payload is JSON");
    let mut claims = claims;
    claims["sub"] = json!(user_id.to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.{signature}")
}
