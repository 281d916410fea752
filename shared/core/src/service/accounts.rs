//! Registration, login and token checks.

use super::Services;
use crate::auth::{TokenError, password};
use crate::domain::limits::MAX_DISPLAY_NAME_CHARS;
use crate::domain::{Timestamp, User, UserId, Username};
use crate::ports::StoreError;
use crate::protocol::{ChatError, ChatResult, ErrorCode};
use anyhow::Context;

const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 1024;
/// When a client turned away by a full hash queue should come back.
const HASH_BUSY_RETRY_MS: u64 = 1_000;

/// A signed-in user and their fresh access token.
#[derive(Debug)]
pub struct Session {
    pub user: User,
    pub token: String,
}

impl Services {
    /// `source_ip`: where the request came from, for the per-IP limit.
    pub async fn register(
        &self,
        username: &str,
        password: &str,
        display_name: Option<&str>,
        source_ip: Option<&str>,
    ) -> ChatResult<Session> {
        if let Some(ip) = source_ip {
            self.check_rate(
                "register",
                &format!("ip#{ip}"),
                self.config.rate_limits.register_per_ip,
            )
            .await?;
        }
        let username = Username::parse(username)
            .map_err(|why| ChatError::new(ErrorCode::InvalidField, why))?;
        let chars = password.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(ChatError::invalid(format!(
                "password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
            )));
        }
        let display_name = match display_name.map(str::trim) {
            None | Some("") => username.as_str().to_owned(),
            Some(name) if name.chars().count() > MAX_DISPLAY_NAME_CHARS => {
                return Err(ChatError::invalid(format!(
                    "display_name must be at most {MAX_DISPLAY_NAME_CHARS} characters"
                )));
            }
            Some(name) if name.chars().any(char::is_control) => {
                return Err(ChatError::invalid(
                    "display_name must not contain control characters",
                ));
            }
            Some(name) => name.to_owned(),
        };
        let password = password.to_owned();
        let hash = self
            .hashing(move || password::hash(&password))
            .await?
            .context("hashing a password")?;
        let now = Timestamp::now();
        let user = match self
            .store
            .create_user(&username, &display_name, &hash, now)
            .await
        {
            Ok(user) => user,
            Err(StoreError::Conflict(_)) => {
                return Err(ChatError::new(
                    ErrorCode::UsernameTaken,
                    "that username is taken",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let token = self.tokens.issue(user.id, now)?;
        Ok(Session { user, token })
    }

    /// `source_ip`: where the request came from, for the per-IP limit.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        source_ip: Option<&str>,
    ) -> ChatResult<Session> {
        let limits = self.config.rate_limits;
        if let Some(ip) = source_ip {
            self.check_rate("login", &format!("ip#{ip}"), limits.login_per_ip)
                .await?;
        }
        // Per username too, so guessing one account's password from many
        // addresses is slowed all the same.
        let subject = format!("username#{}", username.trim().to_lowercase());
        self.check_rate("login", &subject, limits.login_per_username)
            .await?;
        let bad = || ChatError::new(ErrorCode::InvalidCredentials, "wrong username or password");
        let record = match Username::parse(username) {
            Ok(username) => self.store.user_by_username(&username).await?,
            Err(_) => None,
        };
        // Verify against a decoy when the user is unknown, so both cost the same.
        let phc = record.as_ref().map(|r| r.password_hash.clone());
        let password = password.to_owned();
        // The decoy is made (once) on a hashing thread too, in its memory.
        let matches = self
            .hashing(move || match &phc {
                Some(phc) => password::verify(&password, phc),
                None => password::verify(&password, password::decoy_hash()),
            })
            .await?;
        match record {
            Some(record) if matches => {
                let token = self.tokens.issue(record.user.id, Timestamp::now())?;
                Ok(Session {
                    user: record.user,
                    token,
                })
            }
            _ => Err(bad()),
        }
    }

    /// Runs argon2id work on the hashing threads, or `SERVER_BUSY` if too
    /// many wait already.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> ChatResult<T> {
        self.hash_gate.run(work).await.map_err(|_| {
            ChatError::retry_after(
                ErrorCode::ServerBusy,
                "too many sign-ins at once; try again shortly",
                HASH_BUSY_RETRY_MS,
            )
        })
    }

    /// The user a token speaks for.
    pub fn authenticate(&self, token: &str) -> ChatResult<UserId> {
        self.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => ChatError::new(ErrorCode::TokenExpired, "token expired"),
            TokenError::Invalid => ChatError::new(ErrorCode::Unauthorized, "invalid token"),
        })
    }

    pub async fn user(&self, id: UserId) -> ChatResult<User> {
        self.store
            .user_by_id(id)
            .await?
            .map(|record| record.user)
            .ok_or_else(|| ChatError::not_found("user"))
    }

    pub async fn user_by_username(&self, username: &str) -> ChatResult<User> {
        let username = Username::parse(username).map_err(|_| ChatError::not_found("user"))?;
        self.store
            .user_by_username(&username)
            .await?
            .map(|record| record.user)
            .ok_or_else(|| ChatError::not_found("user"))
    }
}
