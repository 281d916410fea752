//! Reading a room's messages by position (`HistoryQuery::Seqs`). Messages
//! sort by id under the room (`MSG#<id>`), not by seq, and ids rise with seq
//! within a room; a GSI by seq would double every message's write cost for
//! the one route that pages by number. So the range is found by searching the
//! id space for a message just above it: each probe is a one-message query
//! ("the newest message with id <= p") that returns that message's seq; the
//! probe points interpolate between the known (id, seq) pairs and fall back
//! to bisection every other step, so the search takes a few probes for
//! evenly spread ids and at most about a hundred (ids are below 2^53) for
//! any. A range among the newest three spans needs no probe at all.

use banter_core::domain::{Message, MessageId};
use banter_core::ports::store::StoreResult;

/// Reads a room's history by message id.
pub(crate) trait Older {
    /// The newest `limit` messages with an id below `before` (any id when
    /// `None`), newest first.
    async fn older(&self, before: Option<MessageId>, limit: usize) -> StoreResult<Vec<Message>>;
}

/// Probes allowed before settling for a larger final read.
const MAX_PROBES: usize = 128;

/// The messages with `first <= seq <= last`, newest first.
pub(crate) async fn read<S: Older>(source: &S, first: u64, last: u64) -> StoreResult<Vec<Message>> {
    let Some(newest) = source.older(None, 1).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let count = newest.seq;
    let top = last.min(count);
    let bottom = first.max(1);
    if bottom > top {
        return Ok(Vec::new());
    }
    let span = top - bottom + 1;
    if top == count {
        return source.older(None, to_usize(span)).await;
    }
    // Find a message a little above the range (seq in top+1 ..= top+1+slack),
    // then read down from it.
    let slack = 2 * span;
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
    // Everything below `hi` down to the range's oldest: seqs hi-1 ..= bottom.
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

        fn count(&self) -> u64 {
            self.messages.len() as u64
        }

        fn pages(&self) -> u64 {
            self.count().div_ceil(50).max(1)
        }
    }

    impl Older for Room {
        async fn older(
            &self,
            before: Option<MessageId>,
            limit: usize,
        ) -> StoreResult<Vec<Message>> {
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

    /// Page `n` of 50, newest first, as a numbered page asks for it.
    async fn page(room: &Room, n: u64) -> Vec<Message> {
        let last = room.count().saturating_sub(50 * (n - 1));
        let first = last.saturating_sub(50) + 1;
        read(room, first, last).await.unwrap_or_default()
    }

    /// Every page of `room` is exactly its slice, read cheaply.
    async fn check_every_page(room: &Room) {
        let count = room.count();
        for n in 1..=room.pages() {
            room.queries.set(0);
            room.read.set(0);
            let got = page(room, n).await;
            let top = count - 50 * (n - 1);
            let expected: Vec<u64> = (top.saturating_sub(49).max(1)..=top).rev().collect();
            assert_eq!(seqs(&got), expected, "page {n} of {count}");
            assert!(
                room.read.get() <= 200,
                "page {n} read {} messages",
                room.read.get()
            );
            assert!(
                room.queries.get() <= MAX_PROBES + 2,
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
        let got = page(&room, 80).await;
        assert_eq!(seqs(&got).first(), Some(&(5_000 - 50 * 79)));
        assert!(room.queries.get() <= 5, "{} queries", room.queries.get());
    }

    #[tokio::test]
    async fn small_rooms_and_edges() {
        let empty = Room::with_ids(&[]);
        assert!(page(&empty, 1).await.is_empty());

        let room = Room::with_ids(&(1..=120).collect::<Vec<_>>());
        assert_eq!(room.pages(), 3);
        check_every_page(&room).await;
        // Page 2 is one read after the newest; page 3 (20 messages) one
        // probe more, as the slack is twice the range.
        for (n, queries) in [(2, 2), (3, 3)] {
            room.queries.set(0);
            let _ = page(&room, n).await;
            assert_eq!(room.queries.get(), queries, "page {n}");
        }
        assert!(read(&room, 121, 130).await.is_ok_and(|m| m.is_empty()));
        assert!(read(&room, 5, 4).await.is_ok_and(|m| m.is_empty()));
    }
}
