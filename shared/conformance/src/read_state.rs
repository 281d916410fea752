//! Read state: mark_read moves forward only; unread = message_count - read_seq.

use crate::fixtures::SharedStore;
use crate::fixtures::{Must, ids, membership_of, new_group, new_users, room_of, send_many};
use banter_core::ports::StoreError;
use rand::seq::SliceRandom;
use tokio::task::JoinSet;

pub async fn given_a_member_when_marking_read_then_read_state_moves_and_unread_follows(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (sender, reader) = (users[0].id, users[1].id);
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &[sender], 5).await;
    let room = room_of(&*store, group.id).await;
    let before = membership_of(&*store, group.id, reader).await;
    assert_eq!(
        room.message_count - before.read_seq,
        5,
        "nothing read yet: 5 unread"
    );

    let after = store
        .mark_read(group.id, reader, &sent[1])
        .await
        .must("marking the second message read");
    assert_eq!(
        after.room_id, group.id,
        "mark_read returns the reader's membership"
    );
    assert_eq!(
        after.user_id, reader,
        "mark_read returns the reader's membership"
    );
    assert_eq!(
        after.joined_at, before.joined_at,
        "mark_read keeps joined_at"
    );
    assert_eq!(
        after.read_seq, sent[1].seq,
        "read_seq moves to the message's seq"
    );
    assert_eq!(
        after.last_read_id,
        Some(sent[1].id),
        "last_read_id moves to the message"
    );
    assert_eq!(
        room.message_count - after.read_seq,
        3,
        "unread = message_count - read_seq"
    );
    assert_eq!(
        membership_of(&*store, group.id, reader).await,
        after,
        "mark_read must return the membership as stored afterwards"
    );

    let last = store
        .mark_read(group.id, reader, &sent[4])
        .await
        .must("marking the newest message read");
    assert_eq!(
        last.read_seq, 5,
        "marking the newest message reads everything"
    );
    assert_eq!(room.message_count - last.read_seq, 0, "nothing unread");
    assert_eq!(
        membership_of(&*store, group.id, sender).await.read_seq,
        5,
        "another member's read state is untouched by mark_read"
    );
}

pub async fn given_a_newer_read_when_marking_an_older_message_then_read_state_stays(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &[users[0].id], 4).await;
    let reader = users[1].id;

    let newer = store
        .mark_read(group.id, reader, &sent[2])
        .await
        .must("marking the third message read");
    let after_older = store
        .mark_read(group.id, reader, &sent[0])
        .await
        .must("marking the first message read afterwards");
    assert_eq!(
        after_older, newer,
        "marking an older message must leave the read state where it was"
    );
    assert_eq!(
        membership_of(&*store, group.id, reader).await,
        newer,
        "read state never moves backwards"
    );

    // The sender's own read state sits on their newest message: same rule.
    let sender = store
        .mark_read(group.id, users[0].id, &sent[1])
        .await
        .must("the sender marking an older message");
    assert_eq!(
        sender.read_seq, 4,
        "the sender's read state never moves backwards"
    );
    assert_eq!(
        sender.last_read_id,
        Some(sent[3].id),
        "the sender's read state stays"
    );
}

pub async fn given_a_read_message_when_marking_it_again_then_nothing_changes(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &[users[0].id], 2).await;
    let first = store
        .mark_read(group.id, users[1].id, &sent[1])
        .await
        .must("marking read");
    let again = store
        .mark_read(group.id, users[1].id, &sent[1])
        .await
        .must("marking the same message read again");
    assert_eq!(again, first, "marking the same message twice is a no-op");
}

pub async fn given_many_tasks_when_marking_read_concurrently_then_the_newest_wins(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let mut sent = send_many(&*store, group.id, &[users[0].id], 20).await;
    let newest = sent[19].clone();
    sent.shuffle(&mut rand::rng());
    let reader = users[1].id;
    let mut tasks = JoinSet::new();
    for message in sent {
        let store = store.clone();
        tasks.spawn(async move {
            let marked = store.mark_read(group.id, reader, &message).await;
            (message.seq, marked)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let (seq, marked) = joined.expect("a marking task panicked");
        let membership = marked.must("marking read concurrently");
        assert!(
            membership.read_seq >= seq,
            "mark_read of seq {seq} must return a read_seq at least that, got {membership:?}"
        );
    }
    let membership = membership_of(&*store, group.id, reader).await;
    assert_eq!(
        (membership.read_seq, membership.last_read_id),
        (newest.seq, Some(newest.id)),
        "after concurrent mark_read calls the newest message must win"
    );
}

pub async fn given_a_non_member_when_marking_read_then_not_found_membership(store: SharedStore) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &[users[0].id]).await;
    let sent = send_many(&*store, group.id, &[users[0].id], 1).await;
    let outcome = store.mark_read(group.id, users[1].id, &sent[0]).await;
    assert!(
        matches!(outcome, Err(StoreError::NotFound("membership"))),
        "mark_read by a non-member must fail with NotFound(\"membership\"), got {outcome:?}"
    );
    assert_eq!(
        store
            .membership(group.id, users[1].id)
            .await
            .must("membership"),
        None,
        "a failed mark_read must not create a membership"
    );
}
