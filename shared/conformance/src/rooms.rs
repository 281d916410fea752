//! Rooms: DMs found or created once per pair, groups, room lookups.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, assert_safe_id, ids, new_group, new_users, present, random_hex, room_of, some_time,
    sorted,
};
use banter_core::domain::{Membership, RoomId, RoomKind, UserId};
use tokio::task::JoinSet;

fn member_ids(members: &[Membership]) -> Vec<UserId> {
    sorted(&members.iter().map(|m| m.user_id).collect::<Vec<_>>())
}

pub async fn given_two_users_when_finding_or_creating_their_dm_both_ways_then_one_room_created_once(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (a, b) = (users[0].id, users[1].id);
    let first_time = some_time();

    let (room, created) = store
        .find_or_create_dm(a, b, first_time)
        .await
        .must("find_or_create_dm(a, b) the first time");
    assert!(
        created,
        "the first find_or_create_dm must report created = true"
    );
    assert_safe_id(room.id.0, "a new room's id");
    assert_eq!(room.kind, RoomKind::Dm, "a DM's kind must be Dm");
    assert_eq!(room.name, None, "a DM has no name");
    assert!(
        room.created_by == a || room.created_by == b,
        "a DM's creator must be one of its two users, got {}",
        room.created_by
    );
    assert_eq!(
        room.created_at, first_time,
        "a DM's created_at is the first call's now"
    );
    assert_eq!(room.message_count, 0, "a new DM has no messages");
    assert_eq!(room.last_message, None, "a new DM has no last message");

    let later = some_time();
    let (again, created) = store
        .find_or_create_dm(b, a, later)
        .await
        .must("find_or_create_dm(b, a) after (a, b)");
    assert!(
        !created,
        "find_or_create_dm(b, a) after (a, b) must report created = false"
    );
    assert_eq!(
        again, room,
        "(b, a) must find the very room (a, b) created, unchanged"
    );

    let (third, created) = store
        .find_or_create_dm(a, b, later)
        .await
        .must("find_or_create_dm(a, b) again");
    assert!(
        !created,
        "a repeated find_or_create_dm must report created = false"
    );
    assert_eq!(
        third, room,
        "a repeated find_or_create_dm must find the same room"
    );

    let members = store.members(room.id).await.must("members of the DM");
    assert_eq!(
        member_ids(&members),
        sorted(&[a, b]),
        "a DM's members are exactly its two users"
    );
    for member in &members {
        assert_eq!(member.room_id, room.id, "a membership names its room");
        assert_eq!(
            member.joined_at, first_time,
            "DM members joined when it was created"
        );
        assert_eq!(member.read_seq, 0, "DM members start with nothing read");
        assert_eq!(
            member.last_read_id, None,
            "DM members start with nothing read"
        );
        assert_eq!(member.typing_until, None, "DM members start not typing");
    }
    assert_eq!(
        room_of(&*store, room.id).await,
        room,
        "room() must return the DM"
    );
}

pub async fn given_different_pairs_when_finding_or_creating_dms_then_different_rooms(
    store: SharedStore,
) {
    let users = new_users(&*store, 3).await;
    let (a, b, c) = (users[0].id, users[1].id, users[2].id);
    let mut rooms = Vec::new();
    for (x, y) in [(a, b), (a, c), (c, b)] {
        let (room, created) = store
            .find_or_create_dm(x, y, some_time())
            .await
            .must("find_or_create_dm of a new pair");
        assert!(created, "a new pair ({x}, {y}) must create a DM");
        rooms.push(room.id);
    }
    let mut distinct = sorted(&rooms);
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        3,
        "three pairs must get three rooms, got {rooms:?}"
    );
}

pub async fn given_a_dm_when_finding_it_either_way_then_it_is_found(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let (a, b) = (users[0].id, users[1].id);
    let (room, _) = store
        .find_or_create_dm(b, a, some_time())
        .await
        .must("creating a DM");
    for (x, y) in [(a, b), (b, a)] {
        let found = present(
            store.find_dm(x, y).await.must("find_dm"),
            &format!("find_dm({x}, {y}) of an existing DM"),
        );
        assert_eq!(found, room, "find_dm({x}, {y}) must return the DM");
    }
}

pub async fn given_no_dm_when_finding_one_then_none_even_if_a_group_has_both(store: SharedStore) {
    let users = new_users(&*store, 3).await;
    let (a, b, c) = (users[0].id, users[1].id, users[2].id);
    assert_eq!(
        store.find_dm(a, b).await.must("find_dm before any room"),
        None,
        "find_dm of two users without a DM must be None"
    );
    new_group(&*store, &[a, b]).await;
    store
        .find_or_create_dm(a, c, some_time())
        .await
        .must("creating another DM");
    assert_eq!(
        store.find_dm(b, a).await.must("find_dm with only a group"),
        None,
        "a group of two is not a DM"
    );
    assert_eq!(
        store.find_dm(b, c).await.must("find_dm of another pair"),
        None,
        "a's DM with c is not b's DM with c"
    );
}

pub async fn given_many_tasks_when_racing_to_find_or_create_one_dm_then_exactly_one_room(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (a, b) = (users[0].id, users[1].id);
    let mut tasks = JoinSet::new();
    for index in 0..24 {
        let store = store.clone();
        let (x, y) = if index % 2 == 0 { (a, b) } else { (b, a) };
        tasks.spawn(async move { store.find_or_create_dm(x, y, some_time()).await });
    }
    let mut rooms = Vec::new();
    let mut created = 0;
    while let Some(joined) = tasks.join_next().await {
        let (room, was_created) = joined
            .expect("a racing find_or_create_dm task panicked")
            .must("racing find_or_create_dm");
        created += usize::from(was_created);
        rooms.push(room.id);
    }
    let mut distinct = sorted(&rooms);
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        1,
        "24 racing find_or_create_dm calls for one pair must give one room, got {distinct:?}"
    );
    assert_eq!(
        created, 1,
        "exactly one racing call must report created = true"
    );
    let members = store
        .members(distinct[0])
        .await
        .must("members of the raced DM");
    assert_eq!(
        member_ids(&members),
        sorted(&[a, b]),
        "the raced DM must have exactly its two members, once each"
    );
}

pub async fn given_members_when_creating_a_group_then_a_group_with_that_name_and_those_members(
    store: SharedStore,
) {
    let users = new_users(&*store, 4).await;
    let members = ids(&users);
    let name = format!("Crab Club 🦀 «{}»", random_hex(4));
    let now = some_time();
    let room = store
        .create_group(&name, members[1], &members, now)
        .await
        .must("creating a group");
    assert_safe_id(room.id.0, "a new room's id");
    assert_eq!(room.kind, RoomKind::Group, "a group's kind must be Group");
    assert_eq!(
        room.name.as_deref(),
        Some(name.as_str()),
        "a group keeps its name"
    );
    assert_eq!(room.created_by, members[1], "a group keeps its creator");
    assert_eq!(
        room.created_at, now,
        "a group's created_at is the given now"
    );
    assert_eq!(room.message_count, 0, "a new group has no messages");
    assert_eq!(room.last_message, None, "a new group has no last message");
    assert_eq!(
        room_of(&*store, room.id).await,
        room,
        "room() must return the group"
    );

    let stored = store.members(room.id).await.must("members of the group");
    assert_eq!(
        member_ids(&stored),
        sorted(&members),
        "a group's members are exactly those given"
    );
    for member in &stored {
        assert_eq!(member.room_id, room.id, "a membership names its room");
        assert_eq!(
            member.joined_at, now,
            "group members joined when it was created"
        );
        assert_eq!(member.read_seq, 0, "group members start with nothing read");
        assert_eq!(
            member.last_read_id, None,
            "group members start with nothing read"
        );
        assert_eq!(member.typing_until, None, "group members start not typing");
    }
    let outsider = new_users(&*store, 1).await;
    assert_eq!(
        store
            .membership(room.id, outsider[0].id)
            .await
            .must("membership of an outsider"),
        None,
        "a user not given to create_group is not a member"
    );
}

pub async fn given_the_same_members_when_creating_two_groups_then_two_rooms(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let members = ids(&users);
    let first = new_group(&*store, &members).await;
    let second = new_group(&*store, &members).await;
    assert_ne!(
        first.id, second.id,
        "each create_group must create a new room"
    );
    assert_ne!(first, second, "two groups are two rooms");
}

pub async fn given_unknown_room_ids_when_getting_rooms_then_they_are_left_out(store: SharedStore) {
    let users = new_users(&*store, 3).await;
    let group = new_group(&*store, &ids(&users)).await;
    let (dm, _) = store
        .find_or_create_dm(users[0].id, users[2].id, some_time())
        .await
        .must("creating a DM");
    let unknown = RoomId(group.id.0.max(dm.id.0) + 1_000_000);

    assert_eq!(
        store.room(unknown).await.must("room() of an unknown id"),
        None,
        "room() of an unknown id must be None"
    );
    let got = store
        .rooms(&[unknown, dm.id, group.id, RoomId(unknown.0 + 1)])
        .await
        .must("batch getting rooms");
    let mut got_ids: Vec<RoomId> = got.iter().map(|room| room.id).collect();
    got_ids.sort();
    assert_eq!(
        got_ids,
        sorted(&[dm.id, group.id]),
        "rooms() must return the known rooms once and leave unknown ids out"
    );
    assert!(
        got.contains(&dm) && got.contains(&group),
        "rooms() must return the rooms as stored"
    );
    assert!(
        store.rooms(&[]).await.must("rooms of no ids").is_empty(),
        "rooms(&[]) must be empty"
    );
}

pub async fn given_a_new_key_when_finding_or_creating_a_keyed_group_then_created_once_with_those_members(
    store: SharedStore,
) {
    let users = new_users(&*store, 3).await;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let key = format!("key-{}", random_hex(12));
    let (room, created) = store
        .find_or_create_keyed_group(&key, "1_2_3", ids[0], &ids, some_time())
        .await
        .must("first find_or_create_keyed_group");
    assert!(created, "the first call for a key must create the group");
    assert_eq!(room.kind, RoomKind::Group);
    assert_eq!(room.name.as_deref(), Some("1_2_3"));
    let members = store
        .members(room.id)
        .await
        .must("members of the keyed group");
    assert_eq!(
        member_ids(&members),
        sorted(&ids),
        "exactly the given members"
    );

    let (again, created_again) = store
        .find_or_create_keyed_group(&key, "ignored", ids[1], &ids[..2], some_time())
        .await
        .must("second find_or_create_keyed_group");
    assert!(!created_again, "a known key must find, not create");
    assert_eq!(again.id, room.id, "a known key gives its group");
    let (other, _) = store
        .find_or_create_keyed_group(&format!("{key}-other"), "x", ids[0], &ids, some_time())
        .await
        .must("another key");
    assert_ne!(other.id, room.id, "another key is another group");
}

pub async fn given_many_tasks_when_racing_to_find_or_create_one_keyed_group_then_exactly_one_room(
    store: SharedStore,
) {
    let users = new_users(&*store, 3).await;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let key = format!("race-{}", random_hex(12));
    let mut tasks = JoinSet::new();
    for _ in 0..16 {
        let (store, key, ids) = (store.clone(), key.clone(), ids.clone());
        tasks.spawn(async move {
            store
                .find_or_create_keyed_group(&key, "race", ids[0], &ids, some_time())
                .await
        });
    }
    let mut rooms = Vec::new();
    let mut created = 0;
    while let Some(joined) = tasks.join_next().await {
        let (room, was_created) = joined
            .expect("a racing find_or_create_keyed_group task panicked")
            .must("racing find_or_create_keyed_group");
        created += usize::from(was_created);
        rooms.push(room.id);
    }
    let mut distinct = sorted(&rooms);
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        1,
        "16 racing calls for one key must give one room, got {distinct:?}"
    );
    assert_eq!(
        created, 1,
        "exactly one racing call must report created = true"
    );
}
