//! Messages and read state: one transaction per append, history as id ranges
//! under one room, read state that only moves forward.

use crate::counters::{Counter, next_id};
use crate::error::{OrUnexpected, conflict_or_unexpected};
use crate::rows::{self, MEMBERSHIP_COLUMNS, MESSAGE_COLUMNS, to_json};
use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::{Membership, Message, MessageId, NewMessage, RoomId, UserId};
use banter_core::ports::MessageStore;
use banter_core::ports::store::StoreResult;
use banter_core::ports::{AppendOutcome, HistoryQuery, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// Stores the message, bumps the room's count and last message and moves the
/// sender's read state, all in one transaction; or finds the original of a
/// repeated (room, sender, client message id) and stores nothing.
pub(crate) fn append_message(db: &mut Connection, new: NewMessage) -> StoreResult<AppendOutcome> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to append a message")?;
    if let Some(client_id) = &new.client_message_id {
        if let Some(original) = by_client_id(&tx, new.room_id, new.sender_id, client_id)? {
            return Ok(AppendOutcome::Duplicate(original));
        }
    }
    let message_count: u64 = tx
        .prepare_cached("SELECT message_count FROM rooms WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([new.room_id.0], |row| row.get(0))
                .optional()
        })
        .or_unexpected("reading a room's message count")?
        .ok_or(StoreError::NotFound("room"))?;

    let message = Message {
        id: MessageId(next_id(&tx, Counter::Message)?),
        room_id: new.room_id,
        seq: message_count + 1,
        sender_id: new.sender_id,
        sent_at: new.sent_at,
        text: new.text,
        file: new.file,
        client_message_id: new.client_message_id,
    };
    insert_message(&tx, &message)?;
    let last_message = serde_json::to_string(&message).or_unexpected("encoding a last message")?;
    tx.prepare_cached("UPDATE rooms SET message_count = ?2, last_message = ?3 WHERE id = ?1")
        .and_then(|mut statement| {
            statement.execute(params![message.room_id.0, message.seq, last_message])
        })
        .or_unexpected("updating a room's counters")?;
    advance_read_state(&tx, message.room_id, message.sender_id, &message)?;
    tx.commit().or_unexpected("committing a message")?;
    Ok(AppendOutcome::Created(message))
}

pub(crate) fn message(
    db: &Connection,
    room: RoomId,
    id: MessageId,
) -> StoreResult<Option<Message>> {
    db.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1 AND room_id = ?2"
    ))
    .and_then(|mut statement| {
        statement
            .query_row([id.0, room.0], rows::message)
            .optional()
    })
    .or_unexpected("reading a message")
}

/// Latest, Before and Seqs come newest first, After oldest first.
pub(crate) fn history(
    db: &Connection,
    room: RoomId,
    query: HistoryQuery,
) -> StoreResult<Vec<Message>> {
    let (range, order, from, to) = match query {
        HistoryQuery::Latest { .. } => ("", "DESC", None, None),
        HistoryQuery::Before { before, .. } => ("AND id < ?2", "DESC", Some(before.0), None),
        // Ids start at 1: "after 0" is every message.
        HistoryQuery::After { after, .. } => {
            ("AND id > ?2", "ASC", Some(after.map_or(0, |id| id.0)), None)
        }
        HistoryQuery::Seqs { first, last } => {
            ("AND seq BETWEEN ?2 AND ?3", "DESC", Some(first), Some(last))
        }
    };
    let limit = i64::try_from(query.limit()).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = ?1 {range}
         ORDER BY id {order} LIMIT ?4"
    );
    db.prepare_cached(&sql)
        .and_then(|mut statement| {
            statement
                .query_map(params![room.0, from, to, limit], rows::message)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .or_unexpected("reading a room's history")
}

pub(crate) fn mark_read(
    db: &mut Connection,
    room: RoomId,
    user: UserId,
    message: &Message,
) -> StoreResult<Membership> {
    if message.room_id != room {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "marking message {} of room {} read in room {room}",
            message.id,
            message.room_id
        )));
    }
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to mark read")?;
    advance_read_state(&tx, room, user, message)?;
    let membership = tx
        .prepare_cached(&format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ?1 AND user_id = ?2"
        ))
        .and_then(|mut statement| {
            statement
                .query_row([room.0, user.0], rows::membership)
                .optional()
        })
        .or_unexpected("reading a membership")?
        .ok_or(StoreError::NotFound("membership"))?;
    tx.commit().or_unexpected("committing a read state")?;
    Ok(membership)
}

/// Moves a member's read state to `message` if that is forward; a non-member
/// is left alone.
fn advance_read_state(
    db: &Connection,
    room: RoomId,
    user: UserId,
    message: &Message,
) -> StoreResult<()> {
    db.prepare_cached(
        "UPDATE memberships SET read_seq = ?3, last_read_id = ?4
         WHERE room_id = ?1 AND user_id = ?2 AND read_seq < ?3",
    )
    .and_then(|mut statement| statement.execute(params![room.0, user.0, message.seq, message.id.0]))
    .or_unexpected("moving a read state")?;
    Ok(())
}

fn by_client_id(
    db: &Connection,
    room: RoomId,
    sender: UserId,
    client_id: &str,
) -> StoreResult<Option<Message>> {
    db.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages
         WHERE room_id = ?1 AND sender_id = ?2 AND client_message_id = ?3"
    ))
    .and_then(|mut statement| {
        statement
            .query_row(params![room.0, sender.0, client_id], rows::message)
            .optional()
    })
    .or_unexpected("reading a message by client id")
}

fn insert_message(db: &Connection, message: &Message) -> StoreResult<()> {
    let file = to_json(&message.file).or_unexpected("encoding a file attachment")?;
    db.prepare_cached(&format!(
        "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            message.id.0,
            message.room_id.0,
            message.seq,
            message.sender_id.0,
            message.sent_at.millis(),
            message.text,
            file,
            message.client_message_id,
        ])
    })
    .map_err(|error| conflict_or_unexpected(error, "client_message_id", "inserting a message"))?;
    Ok(())
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome> {
        self.call(move |db| append_message(db, message)).await
    }

    async fn message(&self, room: RoomId, id: MessageId) -> StoreResult<Option<Message>> {
        self.call(move |db| message(db, room, id)).await
    }

    async fn history(&self, room: RoomId, query: HistoryQuery) -> StoreResult<Vec<Message>> {
        self.call(move |db| history(db, room, query)).await
    }

    async fn mark_read(
        &self,
        room: RoomId,
        user: UserId,
        message: &Message,
    ) -> StoreResult<Membership> {
        let message = message.clone();
        self.call(move |db| mark_read(db, room, user, &message))
            .await
    }
}
