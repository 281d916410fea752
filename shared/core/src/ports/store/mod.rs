//! The store port, shaped after DynamoDB's access patterns: every method is a
//! key lookup, a range query under one partition, or a conditional write.
//! No method scans, joins or counts rows: counters are kept on the items.
//!
//! One trait per aggregate, each implemented by an adapter's module for
//! those items; `Store` is all of them, which is what the services hold.

mod connections;
mod delivery;
mod messages;
mod rate_limits;
mod rooms;
mod users;

pub use connections::ConnectionStore;
pub use delivery::{Claim, DeliveryStore, Release};
pub use messages::{AppendOutcome, HistoryQuery, MessageStore};
pub use rate_limits::RateLimitStore;
pub use rooms::RoomStore;
pub use users::UserStore;

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

/// Every aggregate's store: what an adapter provides and the services hold.
pub trait Store:
    UserStore + RoomStore + MessageStore + DeliveryStore + RateLimitStore + ConnectionStore
{
}

impl<T> Store for T where
    T: UserStore + RoomStore + MessageStore + DeliveryStore + RateLimitStore + ConnectionStore
{
}
