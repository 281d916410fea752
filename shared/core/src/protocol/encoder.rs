//! How fan-out turns events into frames without knowing any wire format:
//! the service is given an `EventEncoder` (the dialects, in every build)
//! and asks it per connection.

use crate::domain::connection::DialectKind;
use crate::domain::{Connection, Event, UserId};

/// Who an event is being encoded for, with what some dialects add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    /// The recipient's unread count over all rooms, for dialects that show
    /// it (`needs_total_unread`); `None` otherwise.
    pub total_unread: Option<u64>,
}

pub trait EventEncoder: Send + Sync {
    /// The frames telling `recipient` about `event` on `connection`; none
    /// when its dialect has no way to say it.
    fn encode_event(
        &self,
        connection: &Connection,
        recipient: &Recipient,
        event: &Event,
    ) -> Vec<String>;

    /// Whether this dialect's events carry the recipient's total unread
    /// count (fan-out reads it only for them).
    fn needs_total_unread(&self, kind: DialectKind) -> bool;
}
