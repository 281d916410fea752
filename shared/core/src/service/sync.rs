//! Catching up after a reconnect, in one request: every message a client
//! missed in every room it is in, after its own per-room cursors (the id of
//! the newest message it holds there). Since delivery is in `seq` order and
//! history is durable, "live frames since the socket opened" plus "sync
//! after my cursors" is every message exactly once (docs/protocol/native.md
//! gives the client algorithm).

use super::{ChatError, ChatResult, Services};
use crate::domain::{Message, MessageId, RoomId, UserId};
use crate::ports::HistoryQuery;
use std::collections::BTreeMap;

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

impl Services {
    /// Everything after `cursors` (room → newest id the client holds; a room
    /// it does not name is read from its beginning) in every room `me` is
    /// in now, at most `limit` messages in all, rooms in id order.
    ///
    /// Cost: one membership query and one batch room read, then one history
    /// query for each room whose newest message is after its cursor.
    pub async fn sync(
        &self,
        me: UserId,
        cursors: &BTreeMap<RoomId, MessageId>,
        limit: usize,
    ) -> ChatResult<SyncPage> {
        if !(1..=MAX_SYNC_LIMIT).contains(&limit) {
            return Err(ChatError::invalid(format!(
                "limit must be 1 to {MAX_SYNC_LIMIT}"
            )));
        }
        if cursors.len() > MAX_SYNC_CURSORS {
            return Err(ChatError::invalid(format!(
                "cursors may name at most {MAX_SYNC_CURSORS} rooms"
            )));
        }
        let memberships = self.store.memberships_of(me).await?;
        let ids: Vec<RoomId> = memberships.iter().map(|m| m.room_id).collect();
        let mut rooms = self.store.rooms(&ids).await?;
        rooms.sort_by_key(|room| room.id);
        let mut page = SyncPage {
            rooms: Vec::new(),
            has_more: false,
        };
        let mut budget = limit;
        for room in rooms {
            let cursor = cursors.get(&room.id).copied().unwrap_or(MessageId(0));
            let newest = room.last_message.as_ref().map(|m| m.id);
            if newest.is_none_or(|newest| newest <= cursor) {
                continue;
            }
            if budget == 0 {
                page.has_more = true;
                break;
            }
            let mut messages = self
                .store
                .history(
                    room.id,
                    HistoryQuery::After {
                        after: cursor,
                        limit: budget + 1,
                    },
                )
                .await?;
            let has_more = messages.len() > budget;
            messages.truncate(budget);
            budget -= messages.len();
            page.has_more |= has_more;
            let membership = memberships.iter().find(|m| m.room_id == room.id);
            page.rooms.push(SyncRoom {
                room_id: room.id,
                messages,
                has_more,
                unread_count: membership
                    .map_or(0, |m| room.message_count.saturating_sub(m.read_seq)),
                last_read_id: membership.and_then(|m| m.last_read_id),
            });
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Timestamp, UserId};

    fn room(id: u64, messages: u64) -> SyncRoom {
        SyncRoom {
            room_id: RoomId(id),
            messages: (1..=messages)
                .map(|seq| Message {
                    id: MessageId(id * 1000 + seq),
                    room_id: RoomId(id),
                    seq,
                    sender_id: UserId(1),
                    sent_at: Timestamp(0),
                    text: String::new(),
                    file: None,
                    client_message_id: None,
                })
                .collect(),
            has_more: false,
            unread_count: 0,
            last_read_id: None,
        }
    }

    #[test]
    fn halving_drops_the_newest_and_says_more_follows() {
        let mut page = SyncPage {
            rooms: vec![room(1, 3), room(2, 5)],
            has_more: false,
        };
        assert!(page.halve());
        assert!(page.has_more);
        let kept: Vec<(u64, usize, bool)> = page
            .rooms
            .iter()
            .map(|r| (r.room_id.0, r.messages.len(), r.has_more))
            .collect();
        assert_eq!(kept, vec![(1, 3, false), (2, 1, true)]);
        assert!(page.halve());
        let kept: Vec<(u64, usize)> = page
            .rooms
            .iter()
            .map(|r| (r.room_id.0, r.messages.len()))
            .collect();
        assert_eq!(kept, vec![(1, 2)]);
        assert!(page.rooms[0].has_more);
    }
}
