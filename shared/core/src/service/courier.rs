//! Delivery in `seq` order. Appends are serialised per room by the store,
//! but the handlers that made them push concurrently (several Lambda
//! instances, or tasks in banter-local), so their pushes could overtake one
//! another. Instead, one *courier* at a time delivers a room's messages, in
//! order, from the room's `delivered_seq` on: the sender whose claim on the
//! room's lease succeeds. A sender whose claim finds it taken waits (polling
//! with backoff) until its message has been delivered or the lease is free,
//! then takes over; so nothing is left undelivered when a courier hands the
//! lease back with newer messages waiting, which it does after
//! `HANDOVER_AFTER` to bound its own request's latency. The lease expires,
//! so a courier that crashes is replaced by a waiting sender.
//!
//! Cost per uncontended send: two conditional writes on the room item (claim
//! and release). A contended sender polls claims while it waits (at most one
//! per `POLL_MAX`). docs/architecture.md has the latency figures.

use super::Services;
use super::rooms::room_ref;
use crate::domain::{ConnectionId, Event, Message, MessageId, Timestamp, UserId};
use crate::ports::{Claim, HistoryQuery, Release};
use crate::protocol::ChatResult;
use rand::Rng;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// How long a courier's lease lasts: if it dies, a waiting sender takes
/// over at most this long after.
const LEASE: Duration = Duration::from_secs(5);
/// Most messages a courier pushes in one go; a crashed courier's backlog
/// beyond this is left to `sync` (clients see the `seq` gap).
const BATCH: usize = 100;
/// Once its own message is out, a courier keeps delivering others' for at
/// most this long, then hands over to their (waiting) senders.
const HANDOVER_AFTER: Duration = Duration::from_millis(250);
/// A sender gives up waiting for a courier after this long: its message is
/// stored, and clients catch up with `sync`.
const WAIT_FOR_COURIER: Duration = Duration::from_secs(6);
const POLL_FIRST: Duration = Duration::from_millis(2);
const POLL_MAX: Duration = Duration::from_millis(40);

impl Services {
    /// Sees a just-stored message delivered in `seq` order: as the room's
    /// courier, or by waiting for the courier at work to deliver it.
    pub(crate) async fn deliver_in_order(
        &self,
        message: &Message,
        origin: Option<ConnectionId>,
    ) -> ChatResult<()> {
        let courier = courier_id();
        let started = Instant::now();
        let mut poll = POLL_FIRST;
        loop {
            let now = Timestamp::now();
            match self
                .store
                .claim_delivery(message.room_id, &courier, now, now.plus(LEASE))
                .await?
            {
                Claim::Taken { delivered } => {
                    return self
                        .run_courier(&courier, message, origin, delivered, started)
                        .await;
                }
                Claim::Busy { delivered } if delivered >= message.seq => return Ok(()),
                Claim::Busy { .. } if started.elapsed() >= WAIT_FOR_COURIER => {
                    tracing::warn!(room = %message.room_id, seq = message.seq, "courier: gave up waiting; the message is stored but not pushed");
                    return Ok(());
                }
                Claim::Busy { .. } => {
                    tokio::time::sleep(poll).await;
                    poll = (poll * 2).min(POLL_MAX);
                }
            }
        }
    }

    /// Holding the lease: delivers up to `own` at least, then whatever came
    /// meanwhile until the room is caught up or it is time to hand over.
    async fn run_courier(
        &self,
        courier: &str,
        own: &Message,
        origin: Option<ConnectionId>,
        delivered: u64,
        started: Instant,
    ) -> ChatResult<()> {
        let room_id = own.room_id;
        let mut batch = self.undelivered_up_to(own, delivered).await?;
        // The first batch ends with `own` (or is empty: someone delivered it).
        let mut delivered = delivered.max(own.seq);
        let mut anchor = own.id;
        loop {
            self.push_messages(&batch, own, origin.as_ref()).await?;
            match self
                .store
                .release_delivery(room_id, courier, delivered)
                .await?
            {
                Release::Done | Release::Lost => return Ok(()),
                // The newer messages' senders are waiting: one takes over.
                Release::More if started.elapsed() >= HANDOVER_AFTER => return Ok(()),
                Release::More => {}
            }
            let now = Timestamp::now();
            let Claim::Taken {
                delivered: now_delivered,
            } = self
                .store
                .claim_delivery(room_id, courier, now, now.plus(LEASE))
                .await?
            else {
                return Ok(()); // a waiting sender took over
            };
            batch = self
                .store
                .history(
                    room_id,
                    HistoryQuery::After {
                        after: Some(anchor),
                        limit: BATCH,
                    },
                )
                .await?;
            batch.retain(|m| m.seq > now_delivered);
            delivered = batch.last().map_or(now_delivered, |m| m.seq);
            anchor = batch.last().map_or(anchor, |m| m.id);
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
                    before: MessageId(message.id.0 + 1),
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
        let room = self.room_record(room_id).await?;
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
            // The append moved the sender's read state to it: theirs is 0.
            let unread_counts = members
                .iter()
                .map(|m| (m.user_id, message.seq.saturating_sub(m.read_seq)))
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
