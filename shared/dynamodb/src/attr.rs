//! Attribute names, shared by writers, readers, update expressions and the
//! stream records emulators write.

pub const USER_ID: &str = "user_id";
pub const USERNAME: &str = "username";
pub const DISPLAY_NAME: &str = "display_name";
pub const PASSWORD_HASH: &str = "password_hash";
pub const CREATED_AT: &str = "created_at";

pub const ROOM_ID: &str = "room_id";
pub const KIND: &str = "kind";
pub const NAME: &str = "name";
pub const CREATED_BY: &str = "created_by";
pub const MESSAGE_COUNT: &str = "message_count";
pub const LAST_MESSAGE: &str = "last_message";
pub const LAST_MESSAGE_ID: &str = "last_message_id";
pub const DELIVERED_SEQ: &str = "delivered_seq";
pub const HITS: &str = "hits";
pub const COURIER: &str = "courier";
pub const COURIER_UNTIL: &str = "courier_until";

pub const JOINED_AT: &str = "joined_at";
pub const READ_SEQ: &str = "read_seq";
pub const LAST_READ_ID: &str = "last_read_id";
pub const TYPING_UNTIL: &str = "typing_until";

pub const MESSAGE_ID: &str = "message_id";
pub const SEQ: &str = "seq";
pub const SENDER_ID: &str = "sender_id";
pub const SENT_AT: &str = "sent_at";
pub const TEXT: &str = "text";
pub const FILE: &str = "file";
pub const CLIENT_MESSAGE_ID: &str = "client_message_id";
pub const FILE_ID: &str = "file_id";
pub const CONTENT_TYPE: &str = "content_type";
pub const SIZE: &str = "size";

pub const CONNECTION_ID: &str = "connection_id";
pub const DIALECT: &str = "dialect";
pub const SCOPE: &str = "scope";
pub const SCOPE_ROOM_ID: &str = "scope_room_id";
pub const CONNECTED_AT: &str = "connected_at";
/// Exact expiry in milliseconds: what "live" is decided on.
pub const EXPIRES_AT_MS: &str = "expires_at_ms";
/// Expiry in epoch seconds, rounded up, plus a grace: the table's TTL
/// attribute (see `items::ttl_seconds`).
pub const EXPIRES_AT: &str = crate::table::TTL_ATTRIBUTE;
pub const DIALECT_STATE: &str = "dialect_state";
/// A connection's revision: every write of it checks and bumps it.
pub const REVISION: &str = "rev";

/// The JWT signing secret's bytes.
pub const SECRET: &str = "secret";

/// A counter's or presence item's current value.
pub const VALUE: &str = "value";
