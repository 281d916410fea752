//! Numbered history pages (`?page=N`, 50 a page, newest first) over the
//! store's cursor queries, without reading the pages before the one asked.
//!
//! A room's messages carry `seq`, their 1-based position, and the room
//! keeps `message_count`, so page N is exactly the messages with seq in
//! `(count - 50N, count - 50(N-1)]`. The store pages by message id, not by
//! seq; ids rise with seq within a room. So the page is found by searching
//! the id space for a message just above it: each probe is a one-message
//! query ("the newest message with id <= p") that returns that message's
//! seq; the probe points interpolate between the known (id, seq) pairs and
//! fall back to bisection every other step, so the search takes a few
//! probes for evenly spread ids and at most about a hundred (ids are below
//! 2^53) for any. Pages 1 to 3 need no probe at all.

use banter_core::domain::{Message, MessageId};
use banter_core::service::ChatResult;

/// Reads a room's history by message id.
pub(crate) trait Older {
    /// The newest `limit` messages with an id below `before` (any id when
    /// `None`), newest first.
    async fn older(&self, before: Option<MessageId>, limit: usize) -> ChatResult<Vec<Message>>;
}

/// How the page sits in the room: its size and the room's newest message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout<'a> {
    pub per_page: u64,
    /// The room's newest message (its seq is the room's message count).
    pub newest: Option<&'a Message>,
}

impl Layout<'_> {
    pub fn count(&self) -> u64 {
        self.newest.map_or(0, |m| m.seq)
    }

    /// How many pages there are; an empty room has one, empty, page.
    pub fn pages(&self) -> u64 {
        self.count().div_ceil(self.per_page.max(1)).max(1)
    }
}

/// Probes allowed before settling for a larger final read.
const MAX_PROBES: usize = 128;

/// Page `page` (1-based, at most `layout.pages()`), newest first.
pub(crate) async fn page<S: Older>(
    source: &S,
    layout: Layout<'_>,
    page: u64,
) -> ChatResult<Vec<Message>> {
    let per_page = layout.per_page.max(1);
    let Some(newest) = layout.newest else {
        return Ok(Vec::new());
    };
    let count = newest.seq;
    let skipped = per_page.saturating_mul(page.saturating_sub(1));
    if page == 0 || skipped >= count {
        return Ok(Vec::new());
    }
    // The page's newest and oldest seq.
    let top = count - skipped;
    let bottom = top.saturating_sub(per_page) + 1;
    if page == 1 {
        return source.older(None, to_usize(per_page)).await;
    }
    // Find a message a little above the page (seq in top+1 ..= top+1+slack),
    // then read down from it.
    let slack = 2 * per_page;
    let mut hi = Point {
        id: newest.id.0,
        seq: count,
    };
    let mut lo = Point { id: 0, seq: 0 };
    for probe in 0..MAX_PROBES {
        if hi.seq - (top + 1) <= slack || hi.id <= lo.id + 1 {
            break;
        }
        let aim = top + 1 + slack / 2;
        let p = if probe % 2 == 0 {
            lo.interpolate(hi, aim)
        } else {
            lo.id + (hi.id - lo.id) / 2
        }
        .clamp(lo.id + 1, hi.id - 1);
        match source.older(Some(MessageId(p + 1)), 1).await?.first() {
            Some(m) if m.seq > top => {
                hi = Point {
                    id: m.id.0,
                    seq: m.seq,
                }
            }
            Some(m) => lo = Point { id: p, seq: m.seq },
            None => lo = Point { id: p, seq: 0 },
        }
    }
    // Everything below `hi` down to the page's oldest: seqs hi-1 ..= bottom.
    let read = hi.seq - bottom;
    let above = hi.seq - 1 - top;
    let messages = source.older(Some(MessageId(hi.id)), to_usize(read)).await?;
    Ok(messages.into_iter().skip(to_usize(above)).collect())
}

/// A message id with the seq of the newest message at or below it.
#[derive(Clone, Copy, Debug)]
struct Point {
    id: u64,
    seq: u64,
}

impl Point {
    /// The id where seq `aim` should sit if ids grew evenly from `self` to `hi`.
    fn interpolate(self, hi: Point, aim: u64) -> u64 {
        let span_seq = u128::from(hi.seq.saturating_sub(self.seq).max(1));
        let span_id = u128::from(hi.id - self.id);
        let along = u128::from(aim.saturating_sub(self.seq));
        let offset = along * span_id / span_seq;
        self.id + u64::try_from(offset).unwrap_or(hi.id - self.id)
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::domain::{RoomId, Timestamp, UserId};
    use std::cell::Cell;

    /// One room's messages, oldest first, counting the queries made.
    struct Room {
        messages: Vec<Message>,
        queries: Cell<usize>,
        read: Cell<usize>,
    }

    impl Room {
        fn with_ids(ids: &[u64]) -> Self {
            let messages = ids
                .iter()
                .zip(1..)
                .map(|(id, seq)| Message {
                    id: MessageId(*id),
                    room_id: RoomId(1),
                    seq,
                    sender_id: UserId(1),
                    sent_at: Timestamp(0),
                    text: format!("m{seq}"),
                    file: None,
                    client_message_id: None,
                })
                .collect();
            Self {
                messages,
                queries: Cell::new(0),
                read: Cell::new(0),
            }
        }

        fn layout(&self) -> Layout<'_> {
            Layout {
                per_page: 50,
                newest: self.messages.last(),
            }
        }
    }

    impl Older for Room {
        async fn older(&self, before: Option<MessageId>, limit: usize) -> ChatResult<Vec<Message>> {
            self.queries.set(self.queries.get() + 1);
            let found: Vec<Message> = self
                .messages
                .iter()
                .rev()
                .filter(|m| before.is_none_or(|b| m.id < b))
                .take(limit)
                .cloned()
                .collect();
            self.read.set(self.read.get() + found.len());
            Ok(found)
        }
    }

    fn seqs(messages: &[Message]) -> Vec<u64> {
        messages.iter().map(|m| m.seq).collect()
    }

    /// Every page of `room` is exactly its slice, read cheaply.
    async fn check_every_page(room: &Room) {
        let layout = room.layout();
        let count = layout.count();
        for n in 1..=layout.pages() {
            room.queries.set(0);
            room.read.set(0);
            let got = page(room, layout, n).await.unwrap_or_default();
            let top = count - 50 * (n - 1);
            let expected: Vec<u64> = (top.saturating_sub(49).max(1)..=top).rev().collect();
            assert_eq!(seqs(&got), expected, "page {n} of {count}");
            assert!(
                room.read.get() <= 200,
                "page {n} read {} messages",
                room.read.get()
            );
            assert!(
                room.queries.get() <= MAX_PROBES + 1,
                "page {n}: {} queries",
                room.queries.get()
            );
        }
    }

    #[tokio::test]
    async fn every_page_holds_exactly_its_fifty_whatever_the_id_spacing() {
        // Dense ids, evenly spread ids, and ids in bursts far apart.
        let dense: Vec<u64> = (1..=1_234).collect();
        let spread: Vec<u64> = (1..=777).map(|i| i * 37 + 5).collect();
        let mut bursts = Vec::new();
        let mut id = 3;
        for i in 0..900_u64 {
            id += if i % 100 == 0 { 1 << 40 } else { 1 + i % 7 };
            bursts.push(id);
        }
        for ids in [dense, spread, bursts] {
            check_every_page(&Room::with_ids(&ids)).await;
        }
    }

    #[tokio::test]
    async fn evenly_spread_ids_take_few_probes() {
        let ids: Vec<u64> = (1..=5_000).map(|i| i * 3).collect();
        let room = Room::with_ids(&ids);
        let got = page(&room, room.layout(), 80).await.unwrap_or_default();
        assert_eq!(seqs(&got).first(), Some(&(5_000 - 50 * 79)));
        assert!(room.queries.get() <= 4, "{} queries", room.queries.get());
    }

    #[tokio::test]
    async fn small_rooms_and_edges() {
        let empty = Room::with_ids(&[]);
        assert_eq!(empty.layout().pages(), 1);
        assert!(
            page(&empty, empty.layout(), 1)
                .await
                .is_ok_and(|m| m.is_empty())
        );

        let room = Room::with_ids(&(1..=120).collect::<Vec<_>>());
        assert_eq!(room.layout().pages(), 3);
        check_every_page(&room).await;
        // Pages 2 and 3 are one read each.
        room.queries.set(0);
        let _ = page(&room, room.layout(), 3).await;
        assert_eq!(room.queries.get(), 1);
        assert!(
            page(&room, room.layout(), 4)
                .await
                .is_ok_and(|m| m.is_empty())
        );
        assert!(
            page(&room, room.layout(), 0)
                .await
                .is_ok_and(|m| m.is_empty())
        );
    }
}
