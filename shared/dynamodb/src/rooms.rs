//! Rooms and memberships. A room's item and its memberships share the room's
//! partition (`members` is one query); each membership has a pointer under
//! its user's partition, written and deleted in the same transaction, so
//! `memberships_of` is one consistent query plus a consistent batch get of
//! the memberships themselves (read state lives on one item only).

use crate::items::{FromItem, Item, ItemExt, ToAttributes, attr, from_items, n};
use crate::keys::{self, Counter, MEMBER_PREFIX, ROOM_POINTER_PREFIX};
use crate::pagination::Query;
use crate::retry::Backoff;
use crate::store::DynamoStore;
use crate::writes::{MAX_TRANSACTION_ITEMS, Write};
use anyhow::{Context, anyhow};
use banter_core::domain::{Membership, Room, RoomId, RoomKind, Timestamp, UserId};
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use std::collections::BTreeSet;

pub(crate) async fn find_or_create_dm(
    db: &DynamoStore,
    a: UserId,
    b: UserId,
    now: Timestamp,
) -> StoreResult<(Room, bool)> {
    let doing = "finding or creating a DM";
    if a == b {
        return Err(StoreError::Unexpected(anyhow!(
            "a DM needs two distinct users, got {a} twice"
        )));
    }
    let mut backoff = Backoff::new(doing);
    let mut id = None;
    loop {
        if let Some(room) = find_dm(db, a, b).await? {
            return Ok((room, false));
        }
        // One id per call: a lost race retries with the same one.
        let room_id = match id {
            Some(id) => id,
            None => RoomId(db.next_id(Counter::Room).await?),
        };
        id = Some(room_id);
        let room = Room {
            id: room_id,
            kind: RoomKind::Dm,
            name: None,
            created_by: a,
            created_at: now,
            message_count: 0,
            last_message: None,
        };
        let mut writes = vec![
            Write::put(keys::dm(a, b).with(Item::from([(attr::ROOM_ID.to_owned(), n(room.id))])))
                .if_new(),
        ];
        writes.extend(new_room_writes(&room, &[a, b], now));
        match db.transact(&writes, doing).await? {
            Ok(()) => return Ok((room, true)),
            // Someone else created it: the next round finds theirs.
            Err(canceled) if canceled.condition_failed(0) => {}
            Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

pub(crate) async fn find_dm(db: &DynamoStore, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
    let doing = "reading a DM pair";
    let Some(pair) = db.get(&keys::dm(a, b), doing).await? else {
        return Ok(None);
    };
    let room_id = RoomId(pair.number(attr::ROOM_ID).context(doing)?);
    match room(db, room_id).await? {
        Some(room) => Ok(Some(room)),
        None => Err(StoreError::Unexpected(anyhow!(
            "the DM of users {a} and {b} points at missing room {room_id}"
        ))),
    }
}

/// Creates a group. Up to 49 members it is one transaction; a bigger group
/// needs more than DynamoDB's 100 items per transaction, so its members go
/// first in several transactions and the room item last: until the room
/// exists nobody can reach the half-written group.
pub(crate) async fn create_group(
    db: &DynamoStore,
    name: &str,
    created_by: UserId,
    members: &[UserId],
    now: Timestamp,
) -> StoreResult<Room> {
    let doing = "creating a group";
    let room = Room {
        id: RoomId(db.next_id(Counter::Room).await?),
        kind: RoomKind::Group,
        name: Some(name.to_owned()),
        created_by,
        created_at: now,
        message_count: 0,
        last_message: None,
    };
    let distinct: Vec<UserId> = members
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let writes = new_room_writes(&room, &distinct, now);
    // The room item is the first write: move it to the end, into the last chunk.
    let mut ordered = writes;
    ordered.rotate_left(1);
    for chunk in ordered.chunks(MAX_TRANSACTION_ITEMS) {
        let mut backoff = Backoff::new(doing);
        loop {
            match db.transact(chunk, doing).await? {
                Ok(()) => break,
                Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }
    Ok(room)
}

/// The room item, then each member's membership and pointer.
fn new_room_writes(room: &Room, members: &[UserId], now: Timestamp) -> Vec<Write> {
    let mut writes = vec![Write::put(keys::room(room.id).with(room.to_attributes())).if_new()];
    for &user in members {
        writes.extend(membership_writes(&new_membership(room, user, now)));
    }
    writes
}

/// A membership (only if new) and its pointer under the user.
fn membership_writes(membership: &Membership) -> [Write; 2] {
    let (room, user) = (membership.room_id, membership.user_id);
    [
        Write::put(keys::member(room, user).with(membership.to_attributes())).if_new(),
        Write::put(keys::room_pointer(user, room).with(Item::from([
            (attr::ROOM_ID.to_owned(), n(room)),
            (attr::USER_ID.to_owned(), n(user)),
        ]))),
    ]
}

/// A member who has read everything the room holds so far.
fn new_membership(room: &Room, user: UserId, now: Timestamp) -> Membership {
    Membership {
        room_id: room.id,
        user_id: user,
        joined_at: now,
        read_seq: room.message_count,
        last_read_id: room.last_message.as_ref().map(|message| message.id),
        typing_until: None,
    }
}

pub(crate) async fn room(db: &DynamoStore, id: RoomId) -> StoreResult<Option<Room>> {
    let doing = "reading a room";
    db.get(&keys::room(id), doing)
        .await?
        .map(|item| Room::from_item(&item).context(doing))
        .transpose()
        .map_err(StoreError::from)
}

pub(crate) async fn rooms(db: &DynamoStore, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
    let doing = "batch getting rooms";
    let items = db
        .batch_get(ids.iter().map(|id| keys::room(*id)), doing)
        .await?;
    Ok(from_items(&items, "room").context(doing)?)
}

/// Adds a member whose read state is the room's newest message, checked in
/// the same transaction: a message appended meanwhile makes it try again.
pub(crate) async fn add_member(
    db: &DynamoStore,
    room_id: RoomId,
    user: UserId,
    now: Timestamp,
) -> StoreResult<bool> {
    let doing = "adding a member";
    let mut backoff = Backoff::new(doing);
    loop {
        let Some(room) = room(db, room_id).await? else {
            return Err(StoreError::NotFound("room"));
        };
        let [membership, pointer] = membership_writes(&new_membership(&room, user, now));
        let writes = [
            membership,
            pointer,
            Write::check(keys::room(room_id), "#count = :count")
                .name("#count", attr::MESSAGE_COUNT)
                .value(":count", n(room.message_count)),
        ];
        match db.transact(&writes, doing).await? {
            Ok(()) => return Ok(true),
            Err(canceled) if canceled.condition_failed(0) => return Ok(false),
            Err(canceled) if canceled.condition_failed(2) || canceled.transient() => {
                backoff.retry(canceled).await?;
            }
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

pub(crate) async fn remove_member(
    db: &DynamoStore,
    room: RoomId,
    user: UserId,
) -> StoreResult<bool> {
    let doing = "removing a member";
    let writes = [
        Write::delete(keys::member(room, user)).if_exists(),
        Write::delete(keys::room_pointer(user, room)),
    ];
    let mut backoff = Backoff::new(doing);
    loop {
        match db.transact(&writes, doing).await? {
            Ok(()) => return Ok(true),
            Err(canceled) if canceled.condition_failed(0) => return Ok(false),
            Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

pub(crate) async fn membership(
    db: &DynamoStore,
    room: RoomId,
    user: UserId,
) -> StoreResult<Option<Membership>> {
    let doing = "reading a membership";
    db.get(&keys::member(room, user), doing)
        .await?
        .map(|item| Membership::from_item(&item).context(doing))
        .transpose()
        .map_err(StoreError::from)
}

pub(crate) async fn members(db: &DynamoStore, room: RoomId) -> StoreResult<Vec<Membership>> {
    let doing = "reading a room's members";
    let query = Query::prefix(keys::room_partition(room), MEMBER_PREFIX);
    let items = db.query_items(&query, None, doing).await?;
    Ok(from_items(&items, "membership").context(doing)?)
}

/// The user's pointers (one query), then their memberships (batch gets).
/// A membership removed between the two is left out.
pub(crate) async fn memberships_of(db: &DynamoStore, user: UserId) -> StoreResult<Vec<Membership>> {
    let doing = "reading a user's memberships";
    let query = Query::prefix(keys::user_partition(user), ROOM_POINTER_PREFIX);
    let pointers = db.query_items(&query, None, doing).await?;
    let rooms = pointers
        .iter()
        .map(|pointer| pointer.number(attr::ROOM_ID).map(RoomId))
        .collect::<anyhow::Result<Vec<_>>>()
        .context(doing)?;
    let items = db
        .batch_get(rooms.iter().map(|room| keys::member(*room, user)), doing)
        .await?;
    let mut memberships: Vec<Membership> = from_items(&items, "membership").context(doing)?;
    memberships.sort_by_key(|membership| membership.room_id);
    Ok(memberships)
}

/// Sets or clears a member's typing deadline; never creates a membership.
pub(crate) async fn set_typing(
    db: &DynamoStore,
    room: RoomId,
    user: UserId,
    until: Option<Timestamp>,
) -> StoreResult<()> {
    let doing = "setting a typing deadline";
    let write = match until {
        Some(until) => Write::update(keys::member(room, user), "SET #typing = :until")
            .value(":until", n(until.millis())),
        None => Write::update(keys::member(room, user), "REMOVE #typing"),
    }
    .name("#typing", attr::TYPING_UNTIL)
    .if_exists();
    db.update(write, doing)
        .await?
        .map(|_| ())
        .map_err(|_| StoreError::NotFound("membership"))
}
