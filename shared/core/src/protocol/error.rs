//! The one protocol-neutral error of every use case. Each dialect maps the
//! code to its own error frame or HTTP status; the message is safe to show
//! the client; unexpected failures are logged with their whole chain and
//! reach the client only as `INTERNAL`.

use crate::json_fields::FieldError;
use crate::ports::StoreError;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The frame or body is not valid JSON.
    InvalidJson,
    /// The frame's `action` (or the dialect's equivalent) is not one we know.
    UnknownAction,
    /// A field is missing, of the wrong type, or out of range.
    InvalidField,
    /// A message text is over Banter's own length limit.
    TextTooLong,
    /// No token, or a token that does not verify.
    Unauthorized,
    /// A token that verified but has expired.
    TokenExpired,
    /// Wrong username or password.
    InvalidCredentials,
    UsernameTaken,
    /// The room, user, message or file does not exist, or is not visible.
    NotFound,
    /// The caller is not a member of the room.
    NotAMember,
    /// A member, but not allowed this (e.g. removing others from a group
    /// one did not create).
    Forbidden,
    /// The request conflicts with the current state (e.g. removing from a DM).
    Conflict,
    PayloadTooLarge,
    /// A pair-chat conversation token that is expired, forged or for
    /// another conversation (the pair dialect's EXPIRED_CONVERSATION_TOKEN).
    ConversationTokenInvalid,
    /// Too many requests of this kind: retry after `retry_after_ms`.
    RateLimited,
    /// The server is at capacity for this kind of work (password hashing):
    /// retry after `retry_after_ms`.
    ServerBusy,
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (the protocol docs list exactly these).
    pub const ALL: &[ErrorCode] = &[
        Self::InvalidJson,
        Self::UnknownAction,
        Self::InvalidField,
        Self::TextTooLong,
        Self::Unauthorized,
        Self::TokenExpired,
        Self::InvalidCredentials,
        Self::UsernameTaken,
        Self::NotFound,
        Self::NotAMember,
        Self::Forbidden,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::ConversationTokenInvalid,
        Self::RateLimited,
        Self::ServerBusy,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "INVALID_JSON",
            Self::UnknownAction => "UNKNOWN_ACTION",
            Self::InvalidField => "INVALID_FIELD",
            Self::TextTooLong => "TEXT_TOO_LONG",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::UsernameTaken => "USERNAME_TAKEN",
            Self::NotFound => "NOT_FOUND",
            Self::NotAMember => "NOT_A_MEMBER",
            Self::Forbidden => "FORBIDDEN",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::ConversationTokenInvalid => "CONVERSATION_TOKEN_INVALID",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServerBusy => "SERVER_BUSY",
            Self::Internal => "INTERNAL",
        }
    }

    /// The HTTP status for REST responses.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::UnknownAction | Self::InvalidField | Self::TextTooLong => 400,
            Self::Unauthorized
            | Self::TokenExpired
            | Self::InvalidCredentials
            | Self::ConversationTokenInvalid => 401,
            Self::NotAMember | Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::UsernameTaken | Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::ServerBusy => 503,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// An expected refusal, with a message fit for the client.
    #[error("{message}")]
    Rejected {
        code: ErrorCode,
        message: String,
        /// For `RATE_LIMITED` and `SERVER_BUSY`: when to try again.
        retry_after_ms: Option<u64>,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ChatError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Rejected {
            code,
            message: message.into(),
            retry_after_ms: None,
        }
    }

    /// A refusal the client may retry after a pause.
    pub fn retry_after(code: ErrorCode, message: impl Into<String>, retry_after_ms: u64) -> Self {
        Self::Rejected {
            code,
            message: message.into(),
            retry_after_ms: Some(retry_after_ms),
        }
    }

    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Self::Rejected { retry_after_ms, .. } => *retry_after_ms,
            Self::Unexpected(_) => None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidField, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn not_a_member() -> Self {
        Self::new(ErrorCode::NotAMember, "you are not a member of this room")
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Rejected { code, .. } => *code,
            Self::Unexpected(_) => ErrorCode::Internal,
        }
    }

    /// The text a client may see: never the internal chain.
    pub fn client_message(&self) -> String {
        match self {
            Self::Rejected { message, .. } => message.clone(),
            Self::Unexpected(_) => "internal error".to_owned(),
        }
    }

    /// Logs unexpected errors with their whole chain; expected ones at debug.
    pub fn log(&self, operation: &str) {
        match self {
            Self::Unexpected(e) => tracing::error!(operation, error = ?e, "unexpected failure"),
            Self::Rejected { code, message, .. } => {
                tracing::debug!(operation, code = code.as_str(), message, "rejected")
            }
        }
    }
}

impl From<FieldError> for ChatError {
    fn from(e: FieldError) -> Self {
        Self::invalid(e.to_string())
    }
}

impl From<StoreError> for ChatError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => {
                Self::new(ErrorCode::Conflict, format!("{what} conflict"))
            }
            StoreError::NotFound(what) => Self::not_found(what),
            StoreError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

pub type ChatResult<T> = Result<T, ChatError>;
