//! Delivery in `seq` order. Appends are serialised per room by the store,
//! but the handlers that made them push concurrently (several Lambda
//! instances, or tasks in banter-local), so their pushes could overtake one
//! another. Instead, one *courier* at a time delivers a room's messages: the
//! sender whose append finds the room's delivery lease free takes it and
//! pushes every message from the room's `delivered_seq` on, in order; a
//! sender who finds it taken just returns, since the holder re-checks the
//! room's count before handing the lease back and delivers whatever arrived
//! meanwhile. The lease expires, so a courier that crashes is replaced by the
//! next sender. Cost: two conditional writes on the room per uncontended
//! send; a contended send costs nothing more (docs/architecture.md).

use super::rooms::room_ref;
use super::{ChatError, ChatResult, Services};
use crate::domain::{ConnectionId, Event, Message, Timestamp, UserId};
use crate::ports::{HistoryQuery, Release};
use rand::Rng;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a courier's lease lasts without renewal: if it dies, the room's
/// messages wait at most this long for the next sender to take over.
const LEASE: Duration = Duration::from_secs(5);
/// Most messages a courier pushes in one go; a crashed courier's backlog
/// beyond this is left to `sync` (clients see the `seq` gap).
const BATCH: usize = 100;

impl Services {
    /// Delivers a just-stored message, and any the room's courier has not
    /// delivered yet, in `seq` order, unless another courier is at work.
    pub(crate) async fn deliver_in_order(
        &self,
        message: &Message,
        origin: Option<ConnectionId>,
    ) -> ChatResult<()> {
        let room_id = message.room_id;
        let courier = courier_id();
        let now = Timestamp::now();
        let Some(delivered) = self
            .store
            .claim_delivery(room_id, &courier, now, now.plus(LEASE))
            .await?
        else {
            return Ok(()); // the courier at work delivers ours too
        };
        let mut batch = self.undelivered_up_to(message, delivered).await?;
        let mut anchor = message.clone();
        loop {
            let delivered_now = batch.last().map_or(delivered.max(message.seq), |m| m.seq);
            if let Some(last) = batch.last() {
                anchor = last.clone();
            }
            self.push_messages(&batch, message, origin.as_ref()).await?;
            let until = Timestamp::now().plus(LEASE);
            match self
                .store
                .release_delivery(room_id, &courier, delivered_now, until)
                .await?
            {
                Release::Done | Release::Lost => return Ok(()),
                Release::More => {
                    batch = self
                        .store
                        .history(
                            room_id,
                            HistoryQuery::After {
                                after: anchor.id,
                                limit: BATCH,
                            },
                        )
                        .await?;
                    batch.retain(|m| m.seq > delivered_now);
                }
            }
        }
    }

    /// The messages after seq `delivered` up to and including `message`,
    /// oldest first (at most `BATCH`, the newest of them).
    async fn undelivered_up_to(
        &self,
        message: &Message,
        delivered: u64,
    ) -> ChatResult<Vec<Message>> {
        if delivered >= message.seq {
            return Ok(Vec::new());
        }
        if delivered + 1 == message.seq {
            return Ok(vec![message.clone()]);
        }
        let behind = usize::try_from(message.seq - delivered).unwrap_or(BATCH);
        let mut earlier = self
            .store
            .history(
                message.room_id,
                HistoryQuery::Before {
                    before: crate::domain::MessageId(message.id.0 + 1),
                    limit: behind.min(BATCH),
                },
            )
            .await?;
        earlier.reverse();
        Ok(earlier)
    }

    /// Fans out one `MessageCreated` per message, in order, to every live
    /// connection of the room's members.
    async fn push_messages(
        &self,
        batch: &[Message],
        own: &Message,
        origin: Option<&ConnectionId>,
    ) -> ChatResult<()> {
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let room_id = first.room_id;
        let members = self.store.members(room_id).await?;
        let room = self
            .store
            .room(room_id)
            .await?
            .ok_or_else(|| ChatError::not_found("room"))?;
        let mut sender_ids: Vec<UserId> = batch.iter().map(|m| m.sender_id).collect();
        sender_ids.sort_unstable();
        sender_ids.dedup();
        let senders: BTreeMap<UserId, _> = self
            .store
            .users(&sender_ids)
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect();
        let member_ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
        let room = room_ref(&room, member_ids.clone());
        let mut events = Vec::with_capacity(batch.len());
        for message in batch {
            let Some(sender) = senders.get(&message.sender_id) else {
                tracing::warn!(message = %message.id, "courier: the sender is unknown; not pushed");
                continue;
            };
            // The sender's own read state moved with the append: theirs is 0.
            let unread_counts = members
                .iter()
                .map(|m| {
                    let unread = if m.user_id == message.sender_id {
                        0
                    } else {
                        message.seq.saturating_sub(m.read_seq)
                    };
                    (m.user_id, unread)
                })
                .collect();
            events.push(Event::MessageCreated {
                message: message.clone(),
                sender: sender.clone(),
                room: room.clone(),
                unread_counts,
                // Only the sending handler knows its connection.
                origin: (message.id == own.id).then(|| origin.cloned()).flatten(),
            });
        }
        self.deliver_all(&member_ids, &events).await;
        Ok(())
    }
}

/// A fresh name for one courier run.
fn courier_id() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}
