//! The store port, shaped after DynamoDB's access patterns: every method is a
//! key lookup, a range query under one partition, or a conditional write.
//! No method scans, joins or counts rows: counters are kept on the items.

use crate::domain::{
    Connection, ConnectionId, Membership, Message, MessageId, NewMessage, Room, RoomId, Scope,
    Timestamp, User, UserId, UserRecord, Username,
};
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness condition failed (for example a taken username).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A write that needed an item found none (for example an unknown room).
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

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
    /// Messages with id > `after`, oldest first.
    After { after: MessageId, limit: usize },
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

/// What asking for a room's delivery lease found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The lease is yours; the room's messages are delivered up to this seq.
    Taken { delivered: u64 },
    /// Another courier holds it; delivered up to this seq so far.
    Busy { delivered: u64 },
}

/// What handing back a room's delivery lease found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// The lease is free and everything stored is delivered.
    Done,
    /// The lease is free, but newer messages arrived meanwhile.
    More,
    /// The lease expired and another courier took it over.
    Lost,
}

#[async_trait]
pub trait Store: Send + Sync {
    // ---- users ----------------------------------------------------------

    /// Allocates the next user id and stores the user, unless the username
    /// is taken (`StoreError::Conflict("username")`).
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>>;
    /// Batch get; unknown ids are left out; order is not significant.
    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;

    // ---- rooms and members ----------------------------------------------

    /// The DM of these two distinct users, created with both as members on
    /// first use. Returns the room and whether it was created now.
    async fn find_or_create_dm(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Room, bool)>;
    /// The DM of these two users, if it exists.
    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>>;
    /// A new group with these members (the creator among them).
    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room>;
    /// The group known by `key` (unique), created on first use with these
    /// members. Returns the room and whether it was created now. Serves
    /// seed 003's `1_2_3` names: the group of exactly those users.
    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)>;
    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    /// Batch get; unknown ids are left out.
    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>>;
    /// Adds a member whose read state starts at the room's newest message.
    /// Returns false if already a member.
    async fn add_member(&self, room: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Returns false if the user was not a member.
    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool>;
    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>>;
    /// Every member of one room (one partition).
    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>>;
    /// Every room membership of one user (an index by user).
    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>>;

    // ---- messages and read state ----------------------------------------

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

    /// Sets (or with `None` clears) a member's ephemeral typing deadline.
    async fn set_typing(
        &self,
        room: RoomId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<()>;

    // ---- delivery in order ----------------------------------------------

    /// Takes the room's delivery lease for `courier` until `until`, unless
    /// another courier holds a lease that has not expired at `now`.
    /// `NotFound("room")` for an unknown room.
    async fn claim_delivery(
        &self,
        room: RoomId,
        courier: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Claim>;
    /// Records that `courier` delivered up to seq `delivered` and frees the
    /// lease; says whether newer messages are waiting (`More`). `Lost` (and
    /// nothing recorded) if the courier no longer holds it.
    async fn release_delivery(
        &self,
        room: RoomId,
        courier: &str,
        delivered: u64,
    ) -> StoreResult<Release>;

    // ---- rate limits ----------------------------------------------------

    /// Counts one request against `key` (e.g. `send#user#42`) in the fixed
    /// window starting at `window_start`, and returns the window's count so
    /// far, this one included. The store may forget the window after
    /// `expires_at`. Shared by every instance, so limits hold across them.
    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64>;

    // ---- live connections -------------------------------------------------

    /// Stores a connection and returns how many live connections its user
    /// holds now, this one included (0 for a connection with no user yet).
    /// Reads are consistent so presence flips are seen exactly once.
    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize>;
    /// Gives a not-yet-authenticated connection its user and scope.
    /// Returns the user's live connection count afterwards.
    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize>;
    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>>;
    /// Deletes a connection. Returns it and its user's remaining live count
    /// if it existed; `None` if it was already gone (deletes are idempotent).
    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>>;
    /// The live connections of these users: one query per user, so the cost
    /// follows the room, never the number of connections overall.
    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>>;
}
