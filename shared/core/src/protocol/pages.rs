//! The pages replies carry: one room's history, and a sync over many rooms.
//! Each can halve itself to fit the push limit without leaving a gap.

use crate::domain::{Message, MessageId, RoomId, User};

/// A room member as a history page needs them: who sent what, who read what.
#[derive(Clone, Debug)]
pub struct MemberState {
    pub user: User,
    pub read_seq: u64,
}

/// One page of history, oldest first.
#[derive(Clone, Debug)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// The room's current members, for dialects that name senders or show
    /// read receipts (a sender who left is not among them).
    pub members: Vec<MemberState>,
    /// Whether more messages lie further in the direction of the query.
    pub has_more: bool,
    /// True when paging towards older messages (`before`, or the newest page).
    pub backwards: bool,
}

impl HistoryPage {
    /// Halves the page, keeping the half next to the cursor the client came
    /// from, so the next page continues without a gap. False if it cannot.
    pub fn halve(&mut self) -> bool {
        let len = self.messages.len();
        if len < 2 {
            return false;
        }
        if self.backwards {
            self.messages.drain(..len / 2);
        } else {
            self.messages.truncate(len - len / 2);
        }
        self.has_more = true;
        true
    }
}

/// Messages one sync returns when the client does not say.
pub const DEFAULT_SYNC_LIMIT: usize = 200;
/// Most messages one sync returns.
pub const MAX_SYNC_LIMIT: usize = 500;
/// Most rooms one sync may name in its cursors (a user's rooms are bounded
/// by what they joined; this bounds the request itself).
pub const MAX_SYNC_CURSORS: usize = 1_000;

/// One room's part of a sync.
#[derive(Clone, Debug)]
pub struct SyncRoom {
    pub room_id: RoomId,
    /// Oldest first, all after the client's cursor for this room.
    pub messages: Vec<Message>,
    /// More messages follow in this room: sync again from the last one.
    pub has_more: bool,
    pub unread_count: u64,
    pub last_read_id: Option<MessageId>,
}

/// What a sync returns: the rooms with news, by room id.
#[derive(Clone, Debug)]
pub struct SyncPage {
    pub rooms: Vec<SyncRoom>,
    /// Some room has more: sync again with the cursors moved on.
    pub has_more: bool,
}

impl SyncPage {
    /// Halves the messages, dropping from the end (the newest of the last
    /// rooms), so the client's next sync continues without a gap. False if
    /// nothing is left to drop.
    pub fn halve(&mut self) -> bool {
        let total: usize = self.rooms.iter().map(|r| r.messages.len()).sum();
        if total < 2 {
            return false;
        }
        let mut keep = total - total / 2;
        for room in &mut self.rooms {
            if room.messages.len() > keep {
                room.messages.truncate(keep);
                room.has_more = true;
            }
            keep -= room.messages.len();
        }
        self.rooms
            .retain(|room| !room.messages.is_empty() || !room.has_more);
        self.has_more = true;
        true
    }
}
