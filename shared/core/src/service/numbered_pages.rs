//! History in numbered pages, newest first (page 1 holds the newest
//! messages), as the conversations dialect's REST route pages it. `seq` is
//! dense (1 to the room's message count), so page N is exactly the messages
//! with seq in `(count - N·size, count - (N-1)·size]`: one range read,
//! whichever page is asked.

use super::Services;
use crate::domain::{Message, RoomId, UserId};
use crate::ports::HistoryQuery;
use crate::protocol::{ChatError, ChatResult, ErrorCode, HistoryPage};

/// Which page a client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageNumber {
    /// 1-based.
    Nth(u64),
    Last,
}

#[derive(Clone, Debug)]
pub struct NumberedPage {
    /// The page served, 1-based.
    pub number: u64,
    /// How many pages there are; an empty room has one, empty, page.
    pub pages: u64,
    /// Messages in the room.
    pub count: u64,
    /// The page's messages, oldest first.
    pub page: HistoryPage,
}

impl Services {
    pub async fn numbered_page(
        &self,
        me: UserId,
        room_id: RoomId,
        number: PageNumber,
        per_page: u64,
    ) -> ChatResult<NumberedPage> {
        self.require_member(room_id, me).await?;
        let count = self.room_record(room_id).await?.message_count;
        let per_page = per_page.max(1);
        let pages = count.div_ceil(per_page).max(1);
        let number = match number {
            PageNumber::Last => pages,
            PageNumber::Nth(n) if (1..=pages).contains(&n) => n,
            PageNumber::Nth(_) => return Err(ChatError::new(ErrorCode::NotFound, "Invalid page.")),
        };
        let last = count.saturating_sub(per_page * (number - 1));
        let page = if last == 0 {
            HistoryPage {
                messages: Vec::new(),
                members: self.member_states(room_id).await?,
                has_more: false,
                backwards: true,
            }
        } else {
            let first = last.saturating_sub(per_page) + 1;
            // Membership was checked above.
            self.read_page(room_id, HistoryQuery::Seqs { first, last })
                .await?
        };
        Ok(NumberedPage {
            number,
            pages,
            count,
            page,
        })
    }

    /// The room's newest message, for a member.
    pub async fn newest_message(&self, me: UserId, room_id: RoomId) -> ChatResult<Option<Message>> {
        self.require_member(room_id, me).await?;
        Ok(self.room_record(room_id).await?.last_message)
    }
}
