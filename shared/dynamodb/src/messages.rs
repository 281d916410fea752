//! Messages and read state. Messages live in their room's partition under
//! `MSG#<id>`, so history is one range query by id.
//!
//! Appending is optimistic: read the room's counters (and the sender's
//! membership and client message id) consistently, allocate an id from the
//! message counter, then write everything in one transaction conditioned on
//! the room's `message_count` being unchanged. Two appends that read the same
//! count cannot both commit; the loser retries with fresh reads and a fresh
//! (larger) id. So seqs are dense and ids increase in commit order within a
//! room, and they are unique everywhere because the counter is.

use crate::attr;
use crate::items::{FromItem, Item, ItemExt, ToAttributes, from_items, n};
use crate::keys::{self, Counter, MESSAGE_PREFIX, padded};
use crate::pagination::{KeyRange, find};
use crate::retry::Backoff;
use crate::seq_range;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::{Context, anyhow};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use banter_core::domain::ids::MAX_SAFE_ID;
use banter_core::domain::{Membership, Message, MessageId, NewMessage, RoomId, UserId};
use banter_core::ports::MessageStore;
use banter_core::ports::store::StoreResult;
use banter_core::ports::{AppendOutcome, HistoryQuery, StoreError};

/// Positions of the writes in an append transaction (the message is 0).
const ROOM: usize = 1;
const CLIENT_ID: usize = 2;

/// Message, room counters, client message id (if any), sender's read state
/// (if a member), in that order.
fn append_writes(message: &Message, old_count: u64, is_member: bool) -> Vec<Write> {
    let (room, id, seq) = (message.room_id, message.id, message.seq);
    let mut writes = vec![
        Write::put(keys::message(room, id).with(message.to_attributes())).if_new(),
        Write::update(
            keys::room(room),
            "SET #count = :seq, #last = :last, #last_id = :id",
        )
        .when("#count = :old AND (attribute_not_exists(#last_id) OR #last_id < :id)")
        .name("#count", attr::MESSAGE_COUNT)
        .name("#last", attr::LAST_MESSAGE)
        .name("#last_id", attr::LAST_MESSAGE_ID)
        .value(":seq", n(seq))
        .value(":old", n(old_count))
        .value(":id", n(id))
        .value(":last", AttributeValue::M(message.to_attributes())),
    ];
    if let Some(client_id) = &message.client_message_id {
        writes.push(
            Write::put(
                keys::client_message_id(room, message.sender_id, client_id)
                    .with(Item::from([(attr::MESSAGE_ID.to_owned(), n(id))])),
            )
            .if_new(),
        );
    }
    if is_member {
        writes.push(
            Write::update(
                keys::member(room, message.sender_id),
                "SET #read = :seq, #read_id = :id",
            )
            .when("attribute_exists(#pk) AND #read < :seq")
            .name("#pk", keys::PK)
            .name("#read", attr::READ_SEQ)
            .name("#read_id", attr::LAST_READ_ID)
            .value(":seq", n(seq))
            .value(":id", n(id)),
        );
    }
    writes
}

/// The message a client message id item points at.
async fn original(db: &DynamoStore, room: RoomId, pointer: &Item) -> StoreResult<Message> {
    let doing = "reading the original of a repeated client message id";
    let id = MessageId(pointer.number(attr::MESSAGE_ID).context(doing)?);
    db.message(room, id)
        .await?
        .ok_or_else(|| StoreError::Unexpected(anyhow!("{doing}: message {id} is missing")))
}

/// One room's history read by id, for the search by seq.
struct RoomById<'a> {
    db: &'a DynamoStore,
    room: RoomId,
}

impl seq_range::Older for RoomById<'_> {
    async fn older(&self, before: Option<MessageId>, limit: usize) -> StoreResult<Vec<Message>> {
        let high = before.map_or(MAX_SAFE_ID, |b| b.0.saturating_sub(1));
        by_id(self.db, self.room, 1, high, false, limit).await
    }
}

/// The messages with ids in `low..=high`: one range of sort keys under the
/// room, read page after page until the limit is met.
async fn by_id(
    db: &DynamoStore,
    room: RoomId,
    low: u64,
    high: u64,
    forward: bool,
    limit: usize,
) -> StoreResult<Vec<Message>> {
    let doing = "reading a room's history";
    if limit == 0 || low > high {
        return Ok(Vec::new());
    }
    let mut range = KeyRange::between(
        keys::room_partition(room),
        padded(MESSAGE_PREFIX, low),
        padded(MESSAGE_PREFIX, high),
    );
    if !forward {
        range = range.backwards();
    }
    let items = db.query_items(&range, Some(limit), doing).await?;
    Ok(from_items(&items, "message").context(doing)?)
}

#[async_trait]
impl MessageStore for DynamoStore {
    async fn append_message(&self, new: NewMessage) -> StoreResult<AppendOutcome> {
        let doing = "appending a message";
        let (room_id, sender) = (new.room_id, new.sender_id);
        let room_key = keys::room(room_id);
        let member_key = keys::member(room_id, sender);
        let client_key = new
            .client_message_id
            .as_deref()
            .map(|id| keys::client_message_id(room_id, sender, id));
        let mut backoff = Backoff::new(doing);
        loop {
            let mut wanted = vec![room_key.clone(), member_key.clone()];
            wanted.extend(client_key.clone());
            let found = self.batch_get(wanted, doing).await?;
            let Some(room) = find(&found, &room_key) else {
                return Err(StoreError::NotFound("room"));
            };
            if let Some(pointer) = client_key.as_ref().and_then(|key| find(&found, key)) {
                return Ok(AppendOutcome::Duplicate(
                    original(self, room_id, pointer).await?,
                ));
            }
            let count: u64 = room.number(attr::MESSAGE_COUNT).context(doing)?;
            let is_member = find(&found, &member_key).is_some();

            let message = Message {
                id: MessageId(self.next_id(Counter::Message).await?),
                room_id,
                seq: count + 1,
                sender_id: sender,
                sent_at: new.sent_at,
                text: new.text.clone(),
                file: new.file.clone(),
                client_message_id: new.client_message_id.clone(),
            };
            let writes = append_writes(&message, count, is_member);
            match self.transact(&writes, doing).await? {
                Ok(()) => return Ok(AppendOutcome::Created(message)),
                Err(canceled) if client_key.is_some() && canceled.condition_failed(CLIENT_ID) => {
                    // A concurrent retry of the same client message id won.
                    let pointer = match &client_key {
                        Some(key) => self.get(key, doing).await?,
                        None => None,
                    };
                    let pointer = pointer.ok_or_else(|| {
                        anyhow!("{doing}: the client message id that failed its condition is gone")
                    })?;
                    return Ok(AppendOutcome::Duplicate(
                        original(self, room_id, &pointer).await?,
                    ));
                }
                // Another message took this seq, the membership changed, or
                // another transaction held an item: read again, take a new id.
                Err(canceled) if canceled.condition_failed(ROOM) || canceled.transient() => {
                    backoff.retry(canceled).await?;
                }
                Err(canceled) if is_member && canceled.condition_failed(writes.len() - 1) => {
                    backoff.retry(canceled).await?;
                }
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }

    async fn message(&self, room: RoomId, id: MessageId) -> StoreResult<Option<Message>> {
        let doing = "reading a message";
        self.get(&keys::message(room, id), doing)
            .await?
            .map(|item| Message::from_item(&item).context(doing))
            .transpose()
            .map_err(StoreError::from)
    }

    /// Latest, Before and Seqs newest first, After oldest first.
    async fn history(&self, room: RoomId, query: HistoryQuery) -> StoreResult<Vec<Message>> {
        match query {
            HistoryQuery::Latest { limit } => by_id(self, room, 1, MAX_SAFE_ID, false, limit).await,
            HistoryQuery::Before { before, limit } => {
                by_id(self, room, 1, before.0.saturating_sub(1), false, limit).await
            }
            HistoryQuery::After { after, limit } => {
                let low = after.map_or(1, |id| id.0.saturating_add(1));
                by_id(self, room, low, MAX_SAFE_ID, true, limit).await
            }
            HistoryQuery::Seqs { first, last } => {
                seq_range::read(&RoomById { db: self, room }, first, last).await
            }
        }
    }

    /// Moves the read state forward only: the update's condition is
    /// `read_seq < seq`; when it fails the membership comes back unchanged.
    async fn mark_read(
        &self,
        room: RoomId,
        user: UserId,
        message: &Message,
    ) -> StoreResult<Membership> {
        let doing = "marking a message read";
        if message.room_id != room {
            return Err(StoreError::Unexpected(anyhow!(
                "marking message {} of room {} read in room {room}",
                message.id,
                message.room_id
            )));
        }
        let write = Write::update(keys::member(room, user), "SET #read = :seq, #read_id = :id")
            .when("attribute_exists(#pk) AND #read < :seq")
            .name("#pk", keys::PK)
            .name("#read", attr::READ_SEQ)
            .name("#read_id", attr::LAST_READ_ID)
            .value(":seq", n(message.seq))
            .value(":id", n(message.id));
        let item = match self.update(write, doing).await? {
            Ok(updated) => updated,
            Err(failed) => match failed.0 {
                Some(unchanged) => unchanged,
                // Older DynamoDB Local releases return no item on failure.
                None => self
                    .get(&keys::member(room, user), doing)
                    .await?
                    .ok_or(StoreError::NotFound("membership"))?,
            },
        };
        Ok(Membership::from_item(&item).context(doing)?)
    }
}
