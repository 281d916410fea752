//! Catching up after a reconnect, in one request: every message a client
//! missed in every room it is in, after its own per-room cursors (the id of
//! the newest message it holds there). Since delivery is in `seq` order and
//! history is durable, "live frames since the socket opened" plus "sync
//! after my cursors" is every message exactly once (docs/protocol/native.md
//! gives the client algorithm).

use super::Services;
use crate::domain::{MessageId, RoomId, UserId};
use crate::ports::HistoryQuery;
use crate::protocol::pages::{MAX_SYNC_CURSORS, MAX_SYNC_LIMIT};
use crate::protocol::{ChatError, ChatResult};
use crate::protocol::{SyncPage, SyncRoom};
use std::collections::BTreeMap;

impl Services {
    /// Everything after `cursors` (room → newest id the client holds; a room
    /// it does not name, or names with `None`, is read from its beginning) in every room `me` is
    /// in now, at most `limit` messages in all, rooms in id order.
    ///
    /// Cost: one membership query and one batch room read, then one history
    /// query for each room whose newest message is after its cursor.
    pub async fn sync(
        &self,
        me: UserId,
        cursors: &BTreeMap<RoomId, Option<MessageId>>,
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
            let cursor = cursors.get(&room.id).copied().flatten();
            let newest = room.last_message.as_ref().map(|m| m.id);
            if newest.is_none_or(|newest| Some(newest) <= cursor) {
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
    use crate::domain::Message;
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
