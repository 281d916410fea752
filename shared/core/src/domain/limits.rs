//! Banter's own input limits. They sit well inside API Gateway's 32 KB frame
//! so that a too-long text gets a typed error instead of a closed socket.

/// Longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Longest group name, in characters.
pub const MAX_ROOM_NAME_CHARS: usize = 100;
/// Most members a group may have: fan-out cost is O(room), so the room is bounded.
pub const MAX_GROUP_MEMBERS: usize = 256;
/// Longest client message id (idempotency key), in bytes.
pub const MAX_CLIENT_MESSAGE_ID: usize = 64;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
/// Default and largest history page.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 100;
/// Largest file a client may upload.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Longest file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// How long after its `$connect` began a connection may still be waiting for
/// that handler to return (API Gateway's 29 s integration timeout, plus a
/// second): a 410 in that window means "not open yet", not "gone".
pub const CONNECT_GRACE_MILLIS: i64 = 30_000;

/// API Gateway refuses to push more than 128 KB to a connection (413), and
/// takes no larger inbound message; banter-local enforces the same.
pub const MAX_PUSH_BYTES: usize = 128 * 1024;
