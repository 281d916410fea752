//! Rooms and memberships. A room's item and its memberships share the room's
//! partition (`members` is one query); each membership has a pointer under
//! its user's partition, written and deleted in the same transaction, so
//! `memberships_of` is one consistent query plus a consistent batch get of
//! the memberships themselves (read state lives on one item only).

use crate::attr;
use crate::items::{FromItem, Item, ItemExt, ToAttributes, from_items, n};
use crate::keys::{self, Counter, MEMBER_PREFIX, ROOM_POINTER_PREFIX};
use crate::pagination::KeyRange;
use crate::retry::Backoff;
use crate::store::DynamoStore;
use crate::writes::{MAX_TRANSACTION_ITEMS, Write};
use anyhow::{Context, anyhow};
use async_trait::async_trait;
use banter_core::domain::{Membership, Room, RoomId, RoomKind, Timestamp, UserId};
use banter_core::ports::RoomStore;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use std::collections::BTreeSet;

/// A group not stored yet, with a fresh id.
async fn new_group(
    db: &DynamoStore,
    name: &str,
    created_by: UserId,
    now: Timestamp,
) -> StoreResult<Room> {
    Ok(Room {
        id: RoomId(db.next_id(Counter::Room).await?),
        kind: RoomKind::Group,
        name: Some(name.to_owned()),
        created_by,
        created_at: now,
        message_count: 0,
        last_message: None,
    })
}

/// Writes a new room: every distinct member's membership and pointer, and
/// the room item together with `guard` (a uniqueness item, written only if
/// new). Up to 49 members that is one transaction. A bigger group needs more
/// than DynamoDB's 100 items per transaction, so its members go first, in
/// as many transactions as needed, and the room (with the guard) last:
/// until the room item exists nobody can reach the half-written group.
/// Returns false, having deleted the members it wrote, if the guard's
/// condition failed.
async fn insert_room(
    db: &DynamoStore,
    room: &Room,
    members: &[UserId],
    now: Timestamp,
    guard: Option<Write>,
    doing: &'static str,
) -> StoreResult<bool> {
    let distinct: BTreeSet<UserId> = members.iter().copied().collect();
    let member_writes: Vec<Write> = distinct
        .iter()
        .flat_map(|&user| membership_writes(&Membership::joining(room, user, now)))
        .collect();
    let mut last: Vec<Write> = guard.into_iter().collect();
    let guarded = !last.is_empty();
    last.push(Write::put(keys::room(room.id).with(room.to_attributes())).if_new());

    // Members that do not fit beside the room item go first.
    let early = member_writes
        .len()
        .saturating_sub(MAX_TRANSACTION_ITEMS - last.len());
    let (first, rest) = member_writes.split_at(early);
    for chunk in first.chunks(MAX_TRANSACTION_ITEMS) {
        transact_retrying(db, chunk, doing).await?;
    }
    last.extend_from_slice(rest);
    let mut backoff = Backoff::new(doing);
    loop {
        match db.transact(&last, doing).await? {
            Ok(()) => return Ok(true),
            Err(canceled) if guarded && canceled.condition_failed(0) => {
                let undo: Vec<Write> = distinct
                    .iter()
                    .flat_map(|&user| {
                        [
                            Write::delete(keys::member(room.id, user)),
                            Write::delete(keys::room_pointer(user, room.id)),
                        ]
                    })
                    .take(early)
                    .collect();
                for chunk in undo.chunks(MAX_TRANSACTION_ITEMS) {
                    transact_retrying(db, chunk, doing).await?;
                }
                return Ok(false);
            }
            Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

/// A transaction whose conditions cannot fail, retried while it conflicts.
async fn transact_retrying(
    db: &DynamoStore,
    writes: &[Write],
    doing: &'static str,
) -> StoreResult<()> {
    let mut backoff = Backoff::new(doing);
    loop {
        match db.transact(writes, doing).await? {
            Ok(()) => return Ok(()),
            Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
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

#[async_trait]
impl RoomStore for DynamoStore {
    async fn find_or_create_dm(
        &self,
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
        // One id per call: losing the race leaves nothing behind.
        let mut id = None;
        loop {
            if let Some(room) = self.find_dm(a, b).await? {
                return Ok((room, false));
            }
            let room_id = match id {
                Some(id) => id,
                None => RoomId(self.next_id(Counter::Room).await?),
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
            let pair = Write::put(
                keys::dm(a, b).with(Item::from([(attr::ROOM_ID.to_owned(), n(room.id))])),
            )
            .if_new();
            if insert_room(self, &room, &[a, b], now, Some(pair), doing).await? {
                return Ok((room, true));
            }
            // Someone else created it: the next round finds theirs.
        }
    }

    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
        let doing = "reading a DM pair";
        let Some(pair) = self.get(&keys::dm(a, b), doing).await? else {
            return Ok(None);
        };
        let room_id = RoomId(pair.number(attr::ROOM_ID).context(doing)?);
        match self.room(room_id).await? {
            Some(room) => Ok(Some(room)),
            None => Err(StoreError::Unexpected(anyhow!(
                "the DM of users {a} and {b} points at missing room {room_id}"
            ))),
        }
    }

    /// Creates a group (see [`insert_room`] for groups over 49 members).
    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room> {
        let room = new_group(self, name, created_by, now).await?;
        insert_room(self, &room, members, now, None, "creating a group").await?;
        Ok(room)
    }

    /// The group known by `key`, created on first use: a `GROUPKEY#<key>` item
    /// is written, only if new, in the same transaction as the room item.
    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        let doing = "finding or creating a keyed group";
        let mut room = None;
        loop {
            if let Some(pointer) = self.get(&keys::group_key(key), doing).await? {
                let room_id = RoomId(pointer.number(attr::ROOM_ID).context(doing)?);
                return match self.room(room_id).await? {
                    Some(room) => Ok((room, false)),
                    None => Err(StoreError::Unexpected(anyhow!(
                        "group key {key:?} points at missing room {room_id}"
                    ))),
                };
            }
            // One room id per call: losing the race leaves nothing behind.
            let new = match room.take() {
                Some(room) => room,
                None => new_group(self, name, created_by, now).await?,
            };
            let guard = Write::put(
                keys::group_key(key).with(Item::from([(attr::ROOM_ID.to_owned(), n(new.id))])),
            )
            .if_new();
            if insert_room(self, &new, members, now, Some(guard), doing).await? {
                return Ok((new, true));
            }
            // Someone else created it: the next round finds theirs.
            room = Some(new);
        }
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        let doing = "reading a room";
        self.get(&keys::room(id), doing)
            .await?
            .map(|item| Room::from_item(&item).context(doing))
            .transpose()
            .map_err(StoreError::from)
    }

    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
        let doing = "batch getting rooms";
        let items = self
            .batch_get(ids.iter().map(|id| keys::room(*id)), doing)
            .await?;
        Ok(from_items(&items, "room").context(doing)?)
    }

    /// Adds a member whose read state is the room's newest message, checked in
    /// the same transaction: a message appended meanwhile makes it try again.
    async fn add_member(&self, room_id: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool> {
        let doing = "adding a member";
        let mut backoff = Backoff::new(doing);
        loop {
            let Some(room) = self.room(room_id).await? else {
                return Err(StoreError::NotFound("room"));
            };
            let [membership, pointer] = membership_writes(&Membership::joining(&room, user, now));
            let writes = [
                membership,
                pointer,
                Write::check(keys::room(room_id), "#count = :count")
                    .name("#count", attr::MESSAGE_COUNT)
                    .value(":count", n(room.message_count)),
            ];
            match self.transact(&writes, doing).await? {
                Ok(()) => return Ok(true),
                Err(canceled) if canceled.condition_failed(0) => return Ok(false),
                Err(canceled) if canceled.condition_failed(2) || canceled.transient() => {
                    backoff.retry(canceled).await?;
                }
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool> {
        let doing = "removing a member";
        let writes = [
            Write::delete(keys::member(room, user)).if_exists(),
            Write::delete(keys::room_pointer(user, room)),
        ];
        let mut backoff = Backoff::new(doing);
        loop {
            match self.transact(&writes, doing).await? {
                Ok(()) => return Ok(true),
                Err(canceled) if canceled.condition_failed(0) => return Ok(false),
                Err(canceled) if canceled.transient() => backoff.retry(canceled).await?,
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }

    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>> {
        let doing = "reading a membership";
        self.get(&keys::member(room, user), doing)
            .await?
            .map(|item| Membership::from_item(&item).context(doing))
            .transpose()
            .map_err(StoreError::from)
    }

    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>> {
        let doing = "reading a room's members";
        let query = KeyRange::prefix(keys::room_partition(room), MEMBER_PREFIX);
        let items = self.query_items(&query, None, doing).await?;
        Ok(from_items(&items, "membership").context(doing)?)
    }

    /// The user's pointers (one query), then their memberships (batch gets).
    /// A membership removed between the two is left out.
    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        let doing = "reading a user's memberships";
        let query = KeyRange::prefix(keys::user_partition(user), ROOM_POINTER_PREFIX);
        let pointers = self.query_items(&query, None, doing).await?;
        let rooms = pointers
            .iter()
            .map(|pointer| pointer.number(attr::ROOM_ID).map(RoomId))
            .collect::<anyhow::Result<Vec<_>>>()
            .context(doing)?;
        let items = self
            .batch_get(rooms.iter().map(|room| keys::member(*room, user)), doing)
            .await?;
        let mut memberships: Vec<Membership> = from_items(&items, "membership").context(doing)?;
        memberships.sort_by_key(|membership| membership.room_id);
        Ok(memberships)
    }

    /// Sets or clears a member's typing deadline; never creates a membership.
    async fn set_typing(
        &self,
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
        self.update(write, doing)
            .await?
            .map(|_| ())
            .map_err(|_| StoreError::NotFound("membership"))
    }
}
