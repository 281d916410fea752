//! Delivery in order: one courier at a time pushes a room's messages.

use super::StoreResult;
use crate::domain::{RoomId, Timestamp};
use async_trait::async_trait;

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
pub trait DeliveryStore: Send + Sync {
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
}
