//! Typing: an ephemeral deadline on the membership, set and cleared, never
//! history.

use crate::fixtures::SharedStore;
use crate::fixtures::{Must, ids, membership_of, new_group, new_users, room_of, send_many};
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::StoreError;
use std::time::Duration;

pub async fn given_a_member_when_setting_typing_then_the_deadline_is_stored_and_cleared(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (typist, other) = (users[0].id, users[1].id);
    let group = new_group(&*store, &ids(&users)).await;
    // The typist has read something, so a careless update that resets the
    // read state would show.
    send_many(&*store, group.id, &[other, typist, other], 3).await;
    let before = membership_of(&*store, group.id, typist).await;
    assert_eq!(
        before.read_seq, 2,
        "the typist has read up to their own message"
    );
    let until = Timestamp::now().plus(Duration::from_secs(5));

    store
        .set_typing(group.id, typist, Some(until))
        .await
        .must("starting to type");
    let typing = membership_of(&*store, group.id, typist).await;
    assert_eq!(
        typing.typing_until,
        Some(until),
        "set_typing(Some) must store the deadline on the membership"
    );
    assert_eq!(
        (typing.read_seq, typing.last_read_id, typing.joined_at),
        (before.read_seq, before.last_read_id, before.joined_at),
        "set_typing must change only the typing deadline"
    );
    let listed = store.members(group.id).await.must("members while typing");
    assert!(
        listed.contains(&typing),
        "members() must show the typing deadline, got {listed:?}"
    );
    assert_eq!(
        membership_of(&*store, group.id, other).await.typing_until,
        None,
        "another member's typing deadline is untouched"
    );
    assert_eq!(
        room_of(&*store, group.id).await.message_count,
        3,
        "typing is never history"
    );

    let later = until.plus(Duration::from_secs(3));
    store
        .set_typing(group.id, typist, Some(later))
        .await
        .must("refreshing typing");
    assert_eq!(
        membership_of(&*store, group.id, typist).await.typing_until,
        Some(later),
        "a refresh moves the deadline"
    );

    store
        .set_typing(group.id, typist, None)
        .await
        .must("stopping typing");
    assert_eq!(
        membership_of(&*store, group.id, typist).await,
        before,
        "set_typing(None) must clear the deadline and leave the rest"
    );
}

pub async fn given_a_non_member_when_setting_typing_then_not_found_membership(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &[users[0].id]).await;
    let until = Some(Timestamp::now().plus(Duration::from_secs(5)));
    for room in [group.id, RoomId(group.id.0 + 1_000_000)] {
        let outcome = store.set_typing(room, users[1].id, until).await;
        assert!(
            matches!(outcome, Err(StoreError::NotFound("membership"))),
            "set_typing by a non-member must fail with NotFound(\"membership\"), got {outcome:?}"
        );
    }
    assert_eq!(
        store
            .membership(group.id, users[1].id)
            .await
            .must("membership"),
        None,
        "a failed set_typing must not create a membership"
    );
}
