//! History pages: Latest and Before newest first, After oldest first, by
//! id; Seqs newest first, by position.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, append_new, ids, message_ids, new_group, new_message, new_users, send_many,
};
use banter_core::domain::ids::MAX_SAFE_ID;
use banter_core::domain::limits::MAX_PAGE;
use banter_core::domain::{Message, MessageId, RoomId};
use banter_core::ports::HistoryQuery;

async fn page(store: &SharedStore, room: RoomId, query: HistoryQuery) -> Vec<Message> {
    store
        .history(room, query)
        .await
        .must(&format!("history({room}, {query:?})"))
}

/// The same messages, newest first.
fn newest_first(messages: &[Message]) -> Vec<Message> {
    messages.iter().rev().cloned().collect()
}

pub async fn given_an_empty_room_when_reading_history_then_every_query_is_empty(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let empty = new_group(&*store, &ids(&users)).await;
    let busy = new_group(&*store, &ids(&users)).await;
    let elsewhere = send_many(&*store, busy.id, &ids(&users), 2).await;
    for query in [
        HistoryQuery::Latest { limit: 50 },
        HistoryQuery::Before {
            before: MessageId(MAX_SAFE_ID),
            limit: 50,
        },
        HistoryQuery::After {
            after: Some(MessageId(1)),
            limit: 50,
        },
        HistoryQuery::After {
            after: Some(elsewhere[0].id),
            limit: 50,
        },
    ] {
        let got = page(&store, empty.id, query).await;
        assert!(
            got.is_empty(),
            "{query:?} of an empty room must be empty, got {got:?}"
        );
    }
}

pub async fn given_messages_when_reading_the_latest_then_newest_first_up_to_the_limit(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &ids(&users), 12).await;

    let got = page(&store, group.id, HistoryQuery::Latest { limit: 5 }).await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&sent[7..])),
        "Latest {{ limit: 5 }} must be the 5 newest, newest first"
    );
    assert_eq!(
        got,
        newest_first(&sent[7..]),
        "history returns messages as stored"
    );

    let got = page(&store, group.id, HistoryQuery::Latest { limit: 1 }).await;
    assert_eq!(
        got,
        vec![sent[11].clone()],
        "Latest {{ limit: 1 }} is the newest message"
    );

    let got = page(&store, group.id, HistoryQuery::Latest { limit: MAX_PAGE }).await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&sent)),
        "a limit above the count must return every message, newest first"
    );
}

pub async fn given_a_cursor_when_reading_before_then_older_messages_newest_first(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &ids(&users), 12).await;

    let got = page(
        &store,
        group.id,
        HistoryQuery::Before {
            before: sent[6].id,
            limit: 4,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&sent[2..6])),
        "Before {{ m6, 4 }} must be m5, m4, m3, m2 (ids below the cursor, newest first)"
    );

    let got = page(
        &store,
        group.id,
        HistoryQuery::Before {
            before: sent[2].id,
            limit: 10,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&sent[..2])),
        "Before near the start must stop at the oldest message"
    );

    let got = page(
        &store,
        group.id,
        HistoryQuery::Before {
            before: sent[0].id,
            limit: 10,
        },
    )
    .await;
    assert!(
        got.is_empty(),
        "Before the oldest message must be empty, got {got:?}"
    );

    let beyond = MessageId(sent[11].id.0 + 1_000);
    let got = page(
        &store,
        group.id,
        HistoryQuery::Before {
            before: beyond,
            limit: 3,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&sent[9..])),
        "Before an id past the newest must be the newest messages"
    );
}

pub async fn given_a_cursor_when_reading_after_then_newer_messages_oldest_first(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &ids(&users), 12).await;

    let got = page(
        &store,
        group.id,
        HistoryQuery::After {
            after: Some(sent[3].id),
            limit: 4,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&sent[4..8]),
        "After {{ m3, 4 }} must be m4, m5, m6, m7 (ids above the cursor, oldest first)"
    );
    assert_eq!(
        got,
        sent[4..8].to_vec(),
        "history returns messages as stored"
    );

    let got = page(
        &store,
        group.id,
        HistoryQuery::After {
            after: Some(sent[9].id),
            limit: 10,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&sent[10..]),
        "After near the end must stop at the newest message"
    );

    let got = page(
        &store,
        group.id,
        HistoryQuery::After {
            after: Some(sent[11].id),
            limit: 10,
        },
    )
    .await;
    assert!(
        got.is_empty(),
        "After the newest message must be empty, got {got:?}"
    );
}

async fn two_hundred_fifty(store: &SharedStore) -> (RoomId, Vec<Message>) {
    let users = new_users(&**store, 3).await;
    let group = new_group(&**store, &ids(&users)).await;
    let sent = send_many(&**store, group.id, &ids(&users), 250).await;
    (group.id, sent)
}

pub async fn given_250_messages_when_paging_backwards_then_every_message_once_in_order(
    store: SharedStore,
) {
    let (room, sent) = two_hundred_fifty(&store).await;
    let expected = message_ids(&newest_first(&sent));
    for limit in [MAX_PAGE, 7, 50] {
        let mut seen = page(&store, room, HistoryQuery::Latest { limit }).await;
        let mut pages = 1;
        while let Some(oldest) = seen.last().map(|m| m.id) {
            let next = page(
                &store,
                room,
                HistoryQuery::Before {
                    before: oldest,
                    limit,
                },
            )
            .await;
            assert!(
                next.len() <= limit,
                "a page must hold at most {limit} messages"
            );
            if next.is_empty() {
                break;
            }
            seen.extend(next);
            pages += 1;
            assert!(pages <= 250, "paging backwards by {limit} must end");
        }
        assert_eq!(
            message_ids(&seen),
            expected,
            "paging backwards by {limit} must see all 250 messages once, newest first"
        );
        assert_eq!(
            pages,
            250_usize.div_ceil(limit),
            "pages of {limit} must be full but the last"
        );
    }
}

pub async fn given_250_messages_when_paging_forwards_then_every_message_once_in_order(
    store: SharedStore,
) {
    let (room, sent) = two_hundred_fifty(&store).await;
    let expected = message_ids(&sent);
    for limit in [MAX_PAGE, 7, 50] {
        let mut seen = vec![sent[0].clone()];
        while let Some(newest) = seen.last().map(|m| m.id) {
            let next = page(
                &store,
                room,
                HistoryQuery::After {
                    after: Some(newest),
                    limit,
                },
            )
            .await;
            assert!(
                next.len() <= limit,
                "a page must hold at most {limit} messages"
            );
            if next.is_empty() {
                break;
            }
            seen.extend(next);
            assert!(
                seen.len() <= 250,
                "paging forwards by {limit} returned too much"
            );
        }
        assert_eq!(
            message_ids(&seen),
            expected,
            "paging forwards by {limit} must see all 250 messages once, oldest first"
        );
    }
}

pub async fn given_two_interleaved_rooms_when_reading_history_then_only_that_rooms_messages(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let first = new_group(&*store, &ids(&users)).await;
    let second = new_group(&*store, &ids(&users)).await;
    let mut in_first = Vec::new();
    let mut in_second = Vec::new();
    for index in 0..10 {
        let sender = users[index % 2].id;
        in_second.push(append_new(&*store, new_message(second.id, sender)).await);
        in_first.push(append_new(&*store, new_message(first.id, sender)).await);
    }

    let got = page(&store, first.id, HistoryQuery::Latest { limit: MAX_PAGE }).await;
    assert_eq!(
        got,
        newest_first(&in_first),
        "Latest must hold only the room's own messages"
    );

    // Cursors are ids, so an id from another room still splits this one's history.
    let cursor = in_second[5].id; // between in_first[4] and in_first[5]
    let got = page(
        &store,
        first.id,
        HistoryQuery::Before {
            before: cursor,
            limit: MAX_PAGE,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&newest_first(&in_first[..5])),
        "Before another room's id must be this room's older messages"
    );
    let got = page(
        &store,
        first.id,
        HistoryQuery::After {
            after: Some(cursor),
            limit: MAX_PAGE,
        },
    )
    .await;
    assert_eq!(
        message_ids(&got),
        message_ids(&in_first[5..]),
        "After another room's id must be this room's newer messages"
    );
    let got = page(
        &store,
        second.id,
        HistoryQuery::After {
            after: Some(in_second[0].id),
            limit: 3,
        },
    )
    .await;
    assert_eq!(
        got,
        in_second[1..4].to_vec(),
        "the other room pages on its own"
    );
}

pub async fn given_messages_in_two_rooms_when_reading_a_range_of_seqs_then_exactly_those_newest_first(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let room = new_group(&*store, &ids(&users)).await;
    let other = new_group(&*store, &ids(&users)).await;
    let mut sent = Vec::new();
    for index in 0..130 {
        let sender = users[index % 2].id;
        sent.push(append_new(&*store, new_message(room.id, sender)).await);
        // Ids of another room in between, so ids here are not dense.
        if index % 3 == 0 {
            append_new(&*store, new_message(other.id, sender)).await;
        }
    }
    for (first, last) in [(1, 50), (31, 80), (81, 130), (130, 130), (1, 1), (101, 200)] {
        let got = page(&store, room.id, HistoryQuery::Seqs { first, last }).await;
        let top = usize::try_from(last.min(130)).unwrap_or(130);
        let bottom = usize::try_from(first).unwrap_or(1);
        assert_eq!(
            message_ids(&got),
            message_ids(&newest_first(&sent[bottom - 1..top])),
            "Seqs {first}..={last} must be exactly those messages, newest first"
        );
    }
    for (first, last) in [(131, 140), (50, 49)] {
        let got = page(&store, room.id, HistoryQuery::Seqs { first, last }).await;
        assert!(
            got.is_empty(),
            "Seqs {first}..={last} must be empty, got {got:?}"
        );
    }
}
