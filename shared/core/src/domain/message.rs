//! Messages: text, optionally with one file attached.

use super::{MessageId, RoomId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAttachment {
    /// Blob key suffix, unique within the room.
    pub file_id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub room_id: RoomId,
    /// 1-based position in the room; the room's `message_count` after it.
    pub seq: u64,
    pub sender_id: UserId,
    pub sent_at: Timestamp,
    pub text: String,
    pub file: Option<FileAttachment>,
    /// The sender's idempotency key, if the client gave one.
    pub client_message_id: Option<String>,
}

/// What a store needs to append a message; it assigns id, seq and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub room_id: RoomId,
    pub sender_id: UserId,
    pub text: String,
    pub file: Option<FileAttachment>,
    pub client_message_id: Option<String>,
    pub sent_at: Timestamp,
}
