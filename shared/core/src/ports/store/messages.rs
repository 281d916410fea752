//! Messages, history and read state.

use super::StoreResult;
use crate::domain::{Membership, Message, MessageId, NewMessage, RoomId, UserId};
use async_trait::async_trait;

/// Result of appending a message with an optional client message id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppendOutcome {
    /// Stored now.
    Created(Message),
    /// The same sender already sent this client message id in this room:
    /// nothing was stored, here is the original.
    Duplicate(Message),
}

impl AppendOutcome {
    pub fn message(&self) -> &Message {
        match self {
            Self::Created(m) | Self::Duplicate(m) => m,
        }
    }
}

/// A page of one room's history: by message id from a client's cursor, or
/// by position (`seq`, dense from 1 to the room's message count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryQuery {
    /// The newest `limit` messages, returned newest first.
    Latest { limit: usize },
    /// Messages with id < `before`, newest first.
    Before { before: MessageId, limit: usize },
    /// Messages with id > `after` (from the first when `None`), oldest first.
    After {
        after: Option<MessageId>,
        limit: usize,
    },
    /// Messages with `first <= seq <= last`, newest first.
    Seqs { first: u64, last: u64 },
}

impl HistoryQuery {
    /// Most messages the query can return.
    pub fn limit(self) -> usize {
        match self {
            Self::Latest { limit } | Self::Before { limit, .. } | Self::After { limit, .. } => {
                limit
            }
            Self::Seqs { first, last } => {
                usize::try_from((last + 1).saturating_sub(first)).unwrap_or(usize::MAX)
            }
        }
    }

    /// The same query with another limit (a range of seqs has none).
    pub fn with_limit(self, limit: usize) -> Self {
        match self {
            Self::Latest { .. } => Self::Latest { limit },
            Self::Before { before, .. } => Self::Before { before, limit },
            Self::After { after, .. } => Self::After { after, limit },
            Self::Seqs { .. } => self,
        }
    }

    /// Whether results come newest first.
    pub fn backwards(self) -> bool {
        !matches!(self, Self::After { .. })
    }
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message: assigns an id greater than every id in the room and
    /// unique everywhere, bumps the room's count and last message, and moves
    /// the sender's read state to it, all at once. A repeated
    /// (room, sender, client message id) stores nothing and returns the original.
    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome>;
    async fn message(&self, room: RoomId, id: MessageId) -> StoreResult<Option<Message>>;
    async fn history(&self, room: RoomId, query: HistoryQuery) -> StoreResult<Vec<Message>>;
    /// Moves a member's read state forward to `message` (never backwards).
    /// Returns the membership as it is afterwards.
    async fn mark_read(
        &self,
        room: RoomId,
        user: UserId,
        message: &Message,
    ) -> StoreResult<Membership>;
}
