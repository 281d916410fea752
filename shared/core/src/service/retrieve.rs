//! Catching up across rooms: every message newer than a cursor in every room
//! of the caller (the rooms API's `POST /chat/retrieve`).

use super::Services;
use crate::domain::limits::MAX_PAGE;
use crate::domain::{Message, MessageId, Room, UserId};
use crate::ports::HistoryQuery;
use crate::protocol::ChatResult;
use futures::{StreamExt, TryStreamExt};

/// Rooms read concurrently.
const ROOM_CONCURRENCY: usize = 16;
/// Most messages one call returns: the seed has no paging, but its cursor
/// pages by itself (call again with `after` = the last id returned).
pub const RETRIEVE_LIMIT: usize = 500;
/// Most text bytes one call returns, so the response stays far below
/// Lambda's 6 MB even though the seed's shape lists every message twice.
pub const RETRIEVE_TEXT_BUDGET: usize = 2 * 1024 * 1024;

impl Services {
    /// The oldest messages with an id greater than `after` in the rooms `me`
    /// is in now, smallest id first: at most `RETRIEVE_LIMIT` of them and
    /// `RETRIEVE_TEXT_BUDGET` bytes of text. Since ids are global, the caller
    /// gets the rest by asking again after the last id it got. `after` 0
    /// means from the very beginning.
    ///
    /// Cost: one membership query and one batch room read, then, only for
    /// rooms whose last message is newer than `after`, one history query per
    /// page of up to `MAX_PAGE` results, at most `RETRIEVE_LIMIT` per room:
    /// O(my rooms + results) reads, no scan.
    pub async fn messages_after_in_my_rooms(
        &self,
        me: UserId,
        after: Option<MessageId>,
    ) -> ChatResult<Vec<Message>> {
        let room_ids: Vec<_> = self
            .store
            .memberships_of(me)
            .await?
            .into_iter()
            .map(|m| m.room_id)
            .collect();
        let rooms = self.store.rooms(&room_ids).await?;
        let per_room: Vec<Vec<Message>> = futures::stream::iter(
            rooms
                .into_iter()
                .filter_map(|room| newest_after(&room, after).map(|newest| (room, newest))),
        )
        .map(|(room, newest)| self.room_messages_after(room, after, newest))
        .buffer_unordered(ROOM_CONCURRENCY)
        .try_collect()
        .await?;
        let mut messages: Vec<Message> = per_room.into_iter().flatten().collect();
        messages.sort_unstable_by_key(|m| m.id);
        // Each room gave its oldest, so the oldest overall are all here.
        messages.truncate(RETRIEVE_LIMIT);
        let mut text = 0;
        let within_budget = messages
            .iter()
            .take_while(|m| {
                text += m.text.len();
                text <= RETRIEVE_TEXT_BUDGET
            })
            .count()
            .max(1);
        messages.truncate(within_budget);
        Ok(messages)
    }

    /// One room's messages after `after`, paging forward until the page that
    /// reaches `newest` (the room's last message when it was read) or a
    /// short page.
    async fn room_messages_after(
        &self,
        room: Room,
        after: Option<MessageId>,
        newest: MessageId,
    ) -> ChatResult<Vec<Message>> {
        let mut messages = Vec::new();
        let mut cursor = after;
        loop {
            let page = self
                .store
                .history(
                    room.id,
                    HistoryQuery::After {
                        after: cursor,
                        limit: MAX_PAGE,
                    },
                )
                .await?;
            let Some(last) = page.last().map(|m| m.id) else {
                break;
            };
            let short = page.len() < MAX_PAGE;
            messages.extend(page);
            if short || last >= newest || Some(last) <= cursor || messages.len() >= RETRIEVE_LIMIT {
                break;
            }
            cursor = Some(last);
        }
        Ok(messages)
    }
}

/// The room's last message id, if it is newer than `after` (otherwise the
/// room has nothing to read).
fn newest_after(room: &Room, after: Option<MessageId>) -> Option<MessageId> {
    room.last_message
        .as_ref()
        .map(|m| m.id)
        .filter(|id| Some(*id) > after)
}
