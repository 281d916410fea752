//! JWT access tokens: HS256, with `exp`, `iat`, `iss`, `aud` and `sub` (the
//! user id). Verification pins the algorithm, so `alg: none` or any other
//! algorithm in a token's header is refused.

use crate::config::JwtConfig;
use crate::domain::{RoomId, Timestamp, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// A conversation token: proof, for the pair dialect's chat, that this user
/// fetched a token for this DM recently. Its own audience keeps it from ever
/// passing as an access token, and the other way round.
#[derive(Debug, Serialize, Deserialize)]
struct ConversationClaims {
    sub: String,
    room: u64,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

const CONVERSATION_AUDIENCE_SUFFIX: &str = "#conversation";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("invalid token")]
    Invalid,
}

/// Issues and verifies access tokens.
pub struct Tokens {
    config: JwtConfig,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    conversation_validation: Validation,
}

impl Tokens {
    pub fn new(config: JwtConfig) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let mut conversation_validation = validation.clone();
        conversation_validation.set_audience(&[conversation_audience(&config)]);
        Self {
            encoding: EncodingKey::from_secret(&config.secret),
            decoding: DecodingKey::from_secret(&config.secret),
            validation,
            conversation_validation,
            config,
        }
    }

    pub fn issue_conversation(
        &self,
        user: UserId,
        room: RoomId,
        now: Timestamp,
    ) -> anyhow::Result<String> {
        let iat = now.seconds();
        let ttl = i64::try_from(self.config.conversation_ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = ConversationClaims {
            sub: user.to_string(),
            room: room.0,
            iat,
            exp: iat.saturating_add(ttl),
            iss: self.config.issuer.clone(),
            aud: conversation_audience(&self.config),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify_conversation(&self, token: &str) -> Result<(UserId, RoomId), TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            decode::<ConversationClaims>(token, &self.decoding, &self.conversation_validation)
                .map_err(|e| match e.kind() {
                    ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                })?;
        let user = UserId::parse_str(&data.claims.sub).ok_or(TokenError::Invalid)?;
        let room = RoomId::parse(data.claims.room).ok_or(TokenError::Invalid)?;
        Ok((user, room))
    }

    pub fn issue(&self, user: UserId, now: Timestamp) -> anyhow::Result<String> {
        let iat = now.seconds();
        let ttl = i64::try_from(self.config.ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            sub: user.to_string(),
            iat,
            exp: iat.saturating_add(ttl),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify(&self, token: &str) -> Result<UserId, TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        UserId::parse_str(&data.claims.sub).ok_or(TokenError::Invalid)
    }
}

fn conversation_audience(config: &JwtConfig) -> String {
    format!("{}{CONVERSATION_AUDIENCE_SUFFIX}", config.audience)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use std::time::Duration;

    fn config(secret: &[u8]) -> JwtConfig {
        JwtConfig {
            secret: secret.to_vec(),
            issuer: "banter".into(),
            audience: "banter-clients".into(),
            ttl: Duration::from_secs(60),
            conversation_ttl: Duration::from_secs(60),
        }
    }

    #[test]
    fn conversation_tokens_and_access_tokens_never_pass_for_each_other() {
        let tokens = Tokens::new(config(b"k"));
        let now = Timestamp::now();
        let conversation = tokens
            .issue_conversation(UserId(7), RoomId(3), now)
            .unwrap_or_default();
        assert_eq!(
            tokens.verify_conversation(&conversation),
            Ok((UserId(7), RoomId(3)))
        );
        assert_eq!(tokens.verify(&conversation), Err(TokenError::Invalid));
        let access = tokens.issue(UserId(7), now).unwrap_or_default();
        assert_eq!(
            tokens.verify_conversation(&access),
            Err(TokenError::Invalid)
        );
        let old = Timestamp(now.millis() - 3_600_000);
        let expired = tokens
            .issue_conversation(UserId(7), RoomId(3), old)
            .unwrap_or_default();
        assert_eq!(
            tokens.verify_conversation(&expired),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_fresh_token_verifies_to_its_user() {
        let tokens = Tokens::new(config(b"k"));
        let t = tokens
            .issue(UserId(7), Timestamp::now())
            .unwrap_or_default();
        assert_eq!(tokens.verify(&t), Ok(UserId(7)));
    }

    #[test]
    fn expired_forged_and_unsigned_tokens_are_refused() {
        let tokens = Tokens::new(config(b"k"));
        let old = Timestamp(Timestamp::now().millis() - 3_600_000);
        let expired = tokens.issue(UserId(7), old).unwrap_or_default();
        assert_eq!(tokens.verify(&expired), Err(TokenError::Expired));

        let forged = Tokens::new(config(b"other"))
            .issue(UserId(7), Timestamp::now())
            .unwrap_or_default();
        assert_eq!(tokens.verify(&forged), Err(TokenError::Invalid));

        let good = tokens
            .issue(UserId(7), Timestamp::now())
            .unwrap_or_default();
        let payload = good.split('.').nth(1).unwrap_or_default();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            tokens.verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );

        let other_issuer = Tokens::new(JwtConfig {
            issuer: "evil".into(),
            ..config(b"k")
        })
        .issue(UserId(7), Timestamp::now())
        .unwrap_or_default();
        assert_eq!(tokens.verify(&other_issuer), Err(TokenError::Invalid));
    }
}
