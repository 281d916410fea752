//! Rooms and memberships: DMs found through their pair row, groups, and
//! members keyed by (room, user) with an index by user.

use crate::counters::{Counter, next_id};
use crate::error::OrUnexpected;
use crate::rows::{self, MEMBERSHIP_COLUMNS, ROOM_COLUMNS, room_kind_text, to_json};
use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::room::dm_pair;
use banter_core::domain::{Membership, Room, RoomId, RoomKind, Timestamp, UserId};
use banter_core::ports::RoomStore;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeSet;

pub(crate) fn find_or_create_dm(
    db: &mut Connection,
    a: UserId,
    b: UserId,
    now: Timestamp,
) -> StoreResult<(Room, bool)> {
    if a == b {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "a DM needs two distinct users, got {a} twice"
        )));
    }
    // Immediate: two callers can't both see "no DM" and both create one.
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to find or create a DM")?;
    if let Some(room) = find_dm(&tx, a, b)? {
        return Ok((room, false));
    }
    let room = Room {
        id: RoomId(next_id(&tx, Counter::Room)?),
        kind: RoomKind::Dm,
        name: None,
        created_by: a,
        created_at: now,
        message_count: 0,
        last_message: None,
    };
    insert_room(&tx, &room)?;
    let (low, high) = dm_pair(a, b);
    tx.execute(
        "INSERT INTO dm_pairs (low_user_id, high_user_id, room_id) VALUES (?1, ?2, ?3)",
        params![low.0, high.0, room.id.0],
    )
    .or_unexpected("inserting a DM pair")?;
    for user in [a, b] {
        insert_membership(&tx, &Membership::joining(&room, user, now))?;
    }
    tx.commit().or_unexpected("committing a new DM")?;
    Ok((room, true))
}

pub(crate) fn find_dm(db: &Connection, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
    let (low, high) = dm_pair(a, b);
    let room_id: Option<u64> = db
        .prepare_cached("SELECT room_id FROM dm_pairs WHERE low_user_id = ?1 AND high_user_id = ?2")
        .and_then(|mut statement| {
            statement
                .query_row([low.0, high.0], |row| row.get(0))
                .optional()
        })
        .or_unexpected("reading a DM pair")?;
    let Some(room_id) = room_id else {
        return Ok(None);
    };
    match room(db, RoomId(room_id))? {
        Some(room) => Ok(Some(room)),
        None => Err(StoreError::Unexpected(anyhow::anyhow!(
            "the DM of users {low} and {high} points at missing room {room_id}"
        ))),
    }
}

pub(crate) fn create_group(
    db: &mut Connection,
    name: &str,
    created_by: UserId,
    members: &[UserId],
    now: Timestamp,
) -> StoreResult<Room> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to create a group")?;
    let room = insert_group(&tx, name, created_by, members, now)?;
    tx.commit().or_unexpected("committing a new group")?;
    Ok(room)
}

pub(crate) fn find_or_create_keyed_group(
    db: &mut Connection,
    key: &str,
    name: &str,
    created_by: UserId,
    members: &[UserId],
    now: Timestamp,
) -> StoreResult<(Room, bool)> {
    // Immediate: two callers can't both see "no group" and both create one.
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to find or create a keyed group")?;
    let existing: Option<u64> = tx
        .prepare_cached("SELECT room_id FROM group_keys WHERE key = ?1")
        .and_then(|mut statement| statement.query_row([key], |row| row.get(0)).optional())
        .or_unexpected("reading a group key")?;
    if let Some(room_id) = existing {
        return match room(&tx, RoomId(room_id))? {
            Some(room) => Ok((room, false)),
            None => Err(StoreError::Unexpected(anyhow::anyhow!(
                "group key {key:?} points at missing room {room_id}"
            ))),
        };
    }
    let room = insert_group(&tx, name, created_by, members, now)?;
    tx.execute(
        "INSERT INTO group_keys (key, room_id) VALUES (?1, ?2)",
        params![key, room.id.0],
    )
    .or_unexpected("inserting a group key")?;
    tx.commit().or_unexpected("committing a new keyed group")?;
    Ok((room, true))
}

fn insert_group(
    tx: &rusqlite::Transaction<'_>,
    name: &str,
    created_by: UserId,
    members: &[UserId],
    now: Timestamp,
) -> StoreResult<Room> {
    let room = Room {
        id: RoomId(next_id(tx, Counter::Room)?),
        kind: RoomKind::Group,
        name: Some(name.to_owned()),
        created_by,
        created_at: now,
        message_count: 0,
        last_message: None,
    };
    insert_room(tx, &room)?;
    let distinct: BTreeSet<UserId> = members.iter().copied().collect();
    for user in distinct {
        insert_membership(tx, &Membership::joining(&room, user, now))?;
    }
    Ok(room)
}

pub(crate) fn room(db: &Connection, id: RoomId) -> StoreResult<Option<Room>> {
    db.prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?1"))
        .and_then(|mut statement| statement.query_row([id.0], rows::room).optional())
        .or_unexpected("reading a room")
}

/// One key lookup per distinct id, like a DynamoDB batch get.
pub(crate) fn rooms(db: &Connection, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
    let distinct: BTreeSet<RoomId> = ids.iter().copied().collect();
    let mut found = Vec::with_capacity(distinct.len());
    for id in distinct {
        if let Some(room) = room(db, id)? {
            found.push(room);
        }
    }
    Ok(found)
}

pub(crate) fn add_member(
    db: &mut Connection,
    room_id: RoomId,
    user: UserId,
    now: Timestamp,
) -> StoreResult<bool> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_unexpected("starting to add a member")?;
    let Some(room) = room(&tx, room_id)? else {
        return Err(StoreError::NotFound("room"));
    };
    let added = insert_membership(&tx, &Membership::joining(&room, user, now))?;
    tx.commit().or_unexpected("committing a new member")?;
    Ok(added)
}

pub(crate) fn remove_member(db: &Connection, room: RoomId, user: UserId) -> StoreResult<bool> {
    let removed = db
        .prepare_cached("DELETE FROM memberships WHERE room_id = ?1 AND user_id = ?2")
        .and_then(|mut statement| statement.execute([room.0, user.0]))
        .or_unexpected("deleting a membership")?;
    Ok(removed > 0)
}

pub(crate) fn membership(
    db: &Connection,
    room: RoomId,
    user: UserId,
) -> StoreResult<Option<Membership>> {
    db.prepare_cached(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ?1 AND user_id = ?2"
    ))
    .and_then(|mut statement| {
        statement
            .query_row([room.0, user.0], rows::membership)
            .optional()
    })
    .or_unexpected("reading a membership")
}

pub(crate) fn members(db: &Connection, room: RoomId) -> StoreResult<Vec<Membership>> {
    db.prepare_cached(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE room_id = ?1 ORDER BY user_id"
    ))
    .and_then(|mut statement| {
        statement
            .query_map([room.0], rows::membership)?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .or_unexpected("reading a room's members")
}

pub(crate) fn memberships_of(db: &Connection, user: UserId) -> StoreResult<Vec<Membership>> {
    db.prepare_cached(&format!(
        "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE user_id = ?1 ORDER BY room_id"
    ))
    .and_then(|mut statement| {
        statement
            .query_map([user.0], rows::membership)?
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .or_unexpected("reading a user's memberships")
}

/// Sets or clears a member's typing deadline.
pub(crate) fn set_typing(
    db: &Connection,
    room: RoomId,
    user: UserId,
    until: Option<Timestamp>,
) -> StoreResult<()> {
    let updated = db
        .prepare_cached(
            "UPDATE memberships SET typing_until = ?3 WHERE room_id = ?1 AND user_id = ?2",
        )
        .and_then(|mut statement| {
            statement.execute(params![room.0, user.0, until.map(Timestamp::millis)])
        })
        .or_unexpected("setting a typing deadline")?;
    if updated == 0 {
        return Err(StoreError::NotFound("membership"));
    }
    Ok(())
}

fn insert_room(db: &Connection, room: &Room) -> StoreResult<()> {
    let last_message = to_json(&room.last_message).or_unexpected("encoding a last message")?;
    db.prepare_cached(&format!(
        "INSERT INTO rooms ({ROOM_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            room.id.0,
            room_kind_text(room.kind),
            room.name,
            room.created_by.0,
            room.created_at.millis(),
            room.message_count,
            last_message,
        ])
    })
    .or_unexpected("inserting a room")?;
    Ok(())
}

/// Inserts unless the user is already a member; says whether it inserted.
fn insert_membership(db: &Connection, membership: &Membership) -> StoreResult<bool> {
    let inserted = db
        .prepare_cached(&format!(
            "INSERT INTO memberships ({MEMBERSHIP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (room_id, user_id) DO NOTHING"
        ))
        .and_then(|mut statement| {
            statement.execute(params![
                membership.room_id.0,
                membership.user_id.0,
                membership.joined_at.millis(),
                membership.read_seq,
                membership.last_read_id.map(|id| id.0),
                membership.typing_until.map(Timestamp::millis),
            ])
        })
        .or_unexpected("inserting a membership")?;
    Ok(inserted > 0)
}

#[async_trait]
impl RoomStore for SqliteStore {
    async fn find_or_create_dm(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        self.call(move |db| find_or_create_dm(db, a, b, now)).await
    }

    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
        self.call(move |db| find_dm(db, a, b)).await
    }

    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room> {
        let (name, members) = (name.to_owned(), members.to_vec());
        self.call(move |db| create_group(db, &name, created_by, &members, now))
            .await
    }

    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        let (key, name, members) = (key.to_owned(), name.to_owned(), members.to_vec());
        self.call(move |db| find_or_create_keyed_group(db, &key, &name, created_by, &members, now))
            .await
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.call(move |db| room(db, id)).await
    }

    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
        let ids = ids.to_vec();
        self.call(move |db| rooms(db, &ids)).await
    }

    async fn add_member(&self, room: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool> {
        self.call(move |db| add_member(db, room, user, now)).await
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool> {
        self.call(move |db| remove_member(db, room, user)).await
    }

    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>> {
        self.call(move |db| membership(db, room, user)).await
    }

    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>> {
        self.call(move |db| members(db, room)).await
    }

    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        self.call(move |db| memberships_of(db, user)).await
    }

    async fn set_typing(
        &self,
        room: RoomId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<()> {
        self.call(move |db| set_typing(db, room, user, until)).await
    }
}
