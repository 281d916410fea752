//! The delivery lease: one courier at a time per room, and "everything is
//! delivered" decided against the room's own message count.

use crate::fixtures::SharedStore;
use crate::fixtures::{Must, ids, new_group, new_users, send_many};
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::{Claim, Release, StoreError};
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(5);

pub async fn given_a_free_room_when_claiming_delivery_then_one_courier_holds_it_until_it_expires(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let now = Timestamp::now();
    let first = store
        .claim_delivery(group.id, "a", now, now.plus(LEASE))
        .await
        .must("the first claim");
    assert_eq!(
        first,
        Claim::Taken { delivered: 0 },
        "a new room has delivered nothing"
    );
    let second = store
        .claim_delivery(group.id, "b", now, now.plus(LEASE))
        .await
        .must("a second claim");
    assert_eq!(
        second,
        Claim::Busy { delivered: 0 },
        "a held lease is not handed to another courier"
    );
    let later = now.plus(LEASE);
    let taken_over = store
        .claim_delivery(group.id, "b", later, later.plus(LEASE))
        .await
        .must("a claim once the lease expired");
    assert_eq!(
        taken_over,
        Claim::Taken { delivered: 0 },
        "an expired lease goes to the next courier"
    );
    assert_eq!(
        store
            .release_delivery(group.id, "a", 0)
            .await
            .must("the first courier's late release"),
        Release::Lost,
        "a courier whose lease was taken over has lost it"
    );
    let unknown = store
        .claim_delivery(RoomId(group.id.0 + 1_000_000), "c", now, now.plus(LEASE))
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound("room"))),
        "an unknown room cannot be claimed: {unknown:?}"
    );
}

pub async fn given_messages_arriving_while_delivering_when_releasing_then_more_and_the_lease_is_free(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    send_many(&*store, group.id, &[users[0].id], 2).await;
    let now = Timestamp::now();
    let claimed = store
        .claim_delivery(group.id, "a", now, now.plus(LEASE))
        .await
        .must("claiming");
    assert_eq!(claimed, Claim::Taken { delivered: 0 });
    // A third message arrives while the courier pushes the first two.
    send_many(&*store, group.id, &[users[1].id], 1).await;
    assert_eq!(
        store
            .claim_delivery(group.id, "b", now, now.plus(LEASE))
            .await
            .must("the third message's sender asks"),
        Claim::Busy { delivered: 0 }
    );
    assert_eq!(
        store
            .release_delivery(group.id, "a", 2)
            .await
            .must("releasing after two"),
        Release::More,
        "a newer message is waiting"
    );
    assert_eq!(
        store
            .claim_delivery(group.id, "b", now, now.plus(LEASE))
            .await
            .must("the waiting sender takes over"),
        Claim::Taken { delivered: 2 },
        "the lease is free after a release, and says how far delivery got"
    );
    assert_eq!(
        store
            .release_delivery(group.id, "b", 3)
            .await
            .must("releasing after three"),
        Release::Done
    );
    assert_eq!(
        store
            .claim_delivery(group.id, "c", now, now.plus(LEASE))
            .await
            .must("claiming after Done"),
        Claim::Taken { delivered: 3 },
        "the next courier starts after what was delivered"
    );
}

pub async fn given_many_couriers_racing_for_one_room_then_exactly_one_claims_it(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let now = Timestamp::now();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .claim_delivery(group.id, &format!("courier-{i}"), now, now.plus(LEASE))
                    .await
                    .must("a racing claim")
            })
        })
        .collect();
    let mut claimed = 0;
    for task in tasks {
        if matches!(task.await.expect("a claim task"), Claim::Taken { .. }) {
            claimed += 1;
        }
    }
    assert_eq!(
        claimed, 1,
        "exactly one of 16 racing couriers holds the lease"
    );
}

pub async fn given_requests_in_windows_when_counting_then_each_key_and_window_counts_alone(
    store: SharedStore,
) {
    let key = format!("send#user#{}", super::fixtures::random_hex(8));
    let other = format!("{key}-other");
    let start = Timestamp(1_700_000_000_000);
    let next = Timestamp(start.millis() + 1_000);
    let expires = Timestamp::now().plus(Duration::from_secs(60));
    for expected in 1..=3 {
        let count = store
            .count_request(&key, start, expires)
            .await
            .must("counting a request");
        assert_eq!(count, expected, "the window counts every request once");
    }
    assert_eq!(
        store
            .count_request(&other, start, expires)
            .await
            .must("another key"),
        1,
        "another key has its own count"
    );
    assert_eq!(
        store
            .count_request(&key, next, expires)
            .await
            .must("the next window"),
        1,
        "the next window starts from one"
    );
}

pub async fn given_many_tasks_when_counting_one_window_then_no_request_is_lost(store: SharedStore) {
    let key = format!("login#ip#{}", super::fixtures::random_hex(8));
    let start = Timestamp(1_700_000_000_000);
    let expires = Timestamp::now().plus(Duration::from_secs(60));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                store
                    .count_request(&key, start, expires)
                    .await
                    .must("a racing count")
            })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.expect("a count task"));
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<u64>>(),
        "every count is seen exactly once"
    );
}
