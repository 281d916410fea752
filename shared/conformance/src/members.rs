//! Memberships: adding, removing, and listing by room and by user.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, ids, membership_of, new_group, new_users, room_of, send_many, some_time, sorted,
};
use banter_core::domain::{RoomId, UserId};
use banter_core::ports::StoreError;

pub async fn given_a_non_member_when_adding_then_true_and_read_state_starts_at_the_newest_message(
    store: SharedStore,
) {
    let users = new_users(&*store, 3).await;
    let group = new_group(&*store, &[users[0].id, users[1].id]).await;
    let sent = send_many(&*store, group.id, &[users[0].id, users[1].id], 3).await;
    let newcomer = users[2].id;
    let now = some_time();

    let added = store
        .add_member(group.id, newcomer, now)
        .await
        .must("adding a new member");
    assert!(added, "add_member of a non-member must return true");

    let membership = membership_of(&*store, group.id, newcomer).await;
    let room = room_of(&*store, group.id).await;
    assert_eq!(
        membership.room_id, group.id,
        "the membership names its room"
    );
    assert_eq!(
        membership.user_id, newcomer,
        "the membership names its user"
    );
    assert_eq!(
        membership.joined_at, now,
        "a new member joined at the given now"
    );
    assert_eq!(
        membership.read_seq, room.message_count,
        "a new member's read_seq starts at the room's message_count (nothing unread)"
    );
    assert_eq!(
        membership.last_read_id,
        Some(sent[2].id),
        "a new member's last_read_id starts at the room's newest message"
    );
    assert_eq!(membership.typing_until, None, "a new member is not typing");

    let members = store.members(group.id).await.must("members after adding");
    assert_eq!(
        sorted(&members.iter().map(|m| m.user_id).collect::<Vec<_>>()),
        sorted(&ids(&users)),
        "members() must include the new member"
    );
    let mine = store
        .memberships_of(newcomer)
        .await
        .must("memberships_of the newcomer");
    assert_eq!(
        mine,
        vec![membership],
        "memberships_of must list the new membership"
    );
}

pub async fn given_a_member_when_adding_again_then_false_and_read_state_is_kept(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    send_many(&*store, group.id, &[users[0].id], 2).await;
    let before = membership_of(&*store, group.id, users[1].id).await;

    let added = store
        .add_member(group.id, users[1].id, some_time())
        .await
        .must("adding an existing member");
    assert!(!added, "add_member of an existing member must return false");
    assert_eq!(
        membership_of(&*store, group.id, users[1].id).await,
        before,
        "adding an existing member must not change their membership or read state"
    );
    assert_eq!(
        store.members(group.id).await.must("members").len(),
        2,
        "adding an existing member must not add a second membership"
    );
}

pub async fn given_an_unknown_room_when_adding_a_member_then_not_found_room(store: SharedStore) {
    let users = new_users(&*store, 1).await;
    let group = new_group(&*store, &ids(&users)).await;
    let unknown = RoomId(group.id.0 + 1_000_000);
    let outcome = store.add_member(unknown, users[0].id, some_time()).await;
    assert!(
        matches!(outcome, Err(StoreError::NotFound("room"))),
        "add_member to an unknown room must fail with NotFound(\"room\"), got {outcome:?}"
    );
    assert_eq!(
        store
            .membership(unknown, users[0].id)
            .await
            .must("membership"),
        None,
        "a failed add_member must store no membership"
    );
}

pub async fn given_a_member_when_removing_then_true_and_gone_everywhere(store: SharedStore) {
    let users = new_users(&*store, 3).await;
    let group = new_group(&*store, &ids(&users)).await;
    let other = new_group(&*store, &[users[1].id, users[2].id]).await;
    let leaving = users[1].id;

    let removed = store
        .remove_member(group.id, leaving)
        .await
        .must("removing a member");
    assert!(removed, "remove_member of a member must return true");
    assert_eq!(
        store.membership(group.id, leaving).await.must("membership"),
        None,
        "a removed member has no membership"
    );
    let members = store.members(group.id).await.must("members after removing");
    assert_eq!(
        sorted(&members.iter().map(|m| m.user_id).collect::<Vec<_>>()),
        sorted(&[users[0].id, users[2].id]),
        "members() must leave the removed member out and keep the others"
    );
    let theirs = store.memberships_of(leaving).await.must("memberships_of");
    assert_eq!(
        theirs.iter().map(|m| m.room_id).collect::<Vec<_>>(),
        vec![other.id],
        "memberships_of must drop the room left and keep the others"
    );
}

pub async fn given_a_non_member_when_removing_then_false(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &[users[0].id]).await;
    let removed = store
        .remove_member(group.id, users[1].id)
        .await
        .must("removing a non-member");
    assert!(!removed, "remove_member of a non-member must return false");
    let removed = store
        .remove_member(RoomId(group.id.0 + 1_000_000), users[0].id)
        .await
        .must("removing from an unknown room");
    assert!(
        !removed,
        "remove_member from an unknown room must return false"
    );
    assert_eq!(
        store.members(group.id).await.must("members").len(),
        1,
        "removing a non-member must leave the members alone"
    );
}

pub async fn given_a_removed_member_when_added_back_then_read_state_starts_at_the_newest_message(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (stays, leaves) = (users[0].id, users[1].id);
    let group = new_group(&*store, &[stays, leaves]).await;
    send_many(&*store, group.id, &[stays], 2).await;
    assert!(
        store.remove_member(group.id, leaves).await.must("removing"),
        "remove_member of a member must return true"
    );
    let missed = send_many(&*store, group.id, &[stays], 3).await;

    assert!(
        store
            .add_member(group.id, leaves, some_time())
            .await
            .must("adding back"),
        "adding back a removed member must return true"
    );
    let membership = membership_of(&*store, group.id, leaves).await;
    assert_eq!(
        membership.read_seq, 5,
        "a re-added member starts at message_count"
    );
    assert_eq!(
        membership.last_read_id,
        Some(missed[2].id),
        "a re-added member starts at the newest message"
    );
}

pub async fn given_a_user_in_several_rooms_when_listing_memberships_then_exactly_those_rooms(
    store: SharedStore,
) {
    let users = new_users(&*store, 4).await;
    let me = users[0].id;
    let first = new_group(&*store, &[me, users[1].id]).await;
    let second = new_group(&*store, &[users[2].id, me, users[3].id]).await;
    let _not_mine = new_group(&*store, &[users[1].id, users[2].id]).await;
    let (dm, _) = store
        .find_or_create_dm(users[3].id, me, some_time())
        .await
        .must("creating a DM");

    let mine = store.memberships_of(me).await.must("memberships_of");
    assert!(
        mine.iter().all(|m| m.user_id == me),
        "memberships_of must only return the user's memberships, got {mine:?}"
    );
    assert_eq!(
        sorted(&mine.iter().map(|m| m.room_id).collect::<Vec<_>>()),
        sorted(&[first.id, second.id, dm.id]),
        "memberships_of must list every room of the user once, DMs included"
    );
    for membership in &mine {
        assert_eq!(
            membership,
            &membership_of(&*store, membership.room_id, me).await,
            "memberships_of and membership() must agree"
        );
    }
    let nobody = UserId(users.iter().map(|u| u.id.0).max().unwrap_or(0) + 1_000_000);
    assert!(
        store
            .memberships_of(nobody)
            .await
            .must("memberships_of")
            .is_empty(),
        "memberships_of an unknown user must be empty"
    );
    assert!(
        store
            .members(RoomId(dm.id.0 + 1_000_000))
            .await
            .must("members")
            .is_empty(),
        "members of an unknown room must be empty"
    );
}
