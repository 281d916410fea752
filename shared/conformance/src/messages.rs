//! Appending messages: ids, sequence numbers, room counters, the sender's
//! read state, and idempotency by client message id.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, append_new, assert_safe_id, assert_strictly_increasing, ids, membership_of, message_ids,
    new_group, new_message, new_users, random_hex, room_of, send_many, some_file, some_text,
    some_time, sorted,
};
use banter_core::domain::{Message, MessageId, RoomId};
use banter_core::ports::{AppendOutcome, HistoryQuery, StoreError};
use tokio::task::JoinSet;

pub async fn given_messages_when_appending_then_seq_counts_from_one_and_ids_increase(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let mut sent = Vec::new();
    for index in 0..10 {
        let new = new_message(group.id, users[index % 2].id);
        let stored = append_new(&*store, new.clone()).await;
        assert_safe_id(stored.id.0, "a new message's id");
        assert_eq!(
            stored.seq,
            index as u64 + 1,
            "seq must count 1, 2, 3, ... in a room"
        );
        assert_eq!(stored.room_id, new.room_id, "a message keeps its room");
        assert_eq!(
            stored.sender_id, new.sender_id,
            "a message keeps its sender"
        );
        assert_eq!(stored.text, new.text, "a message keeps its text exactly");
        assert_eq!(stored.sent_at, new.sent_at, "a message keeps its sent_at");
        assert_eq!(stored.file, None, "a message without a file has none");
        assert_eq!(
            stored.client_message_id, None,
            "no client id given, none stored"
        );
        sent.push(stored);
    }
    assert_strictly_increasing(&message_ids(&sent), "message ids within a room");
}

pub async fn given_two_rooms_when_appending_alternately_then_ids_are_unique_across_rooms(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let first = new_group(&*store, &ids(&users)).await;
    let (second, _) = store
        .find_or_create_dm(users[0].id, users[1].id, some_time())
        .await
        .must("creating a DM");
    let mut in_first = Vec::new();
    let mut in_second = Vec::new();
    for index in 0..12 {
        let sender = users[index % 2].id;
        in_first.push(append_new(&*store, new_message(first.id, sender)).await);
        in_second.push(append_new(&*store, new_message(second.id, sender)).await);
    }
    for (room, sent) in [(first.id, &in_first), (second.id, &in_second)] {
        assert_strictly_increasing(&message_ids(sent), &format!("message ids in room {room}"));
        let seqs: Vec<u64> = sent.iter().map(|m| m.seq).collect();
        assert_eq!(
            seqs,
            (1..=12).collect::<Vec<u64>>(),
            "each room counts its own seq from 1"
        );
    }
    let mut all = message_ids(&in_first);
    all.extend(message_ids(&in_second));
    let mut distinct = sorted(&all);
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        all.len(),
        "message ids must be unique across rooms: {all:?}"
    );
}

pub async fn given_a_message_when_appended_then_the_room_counters_and_last_message_follow(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    for index in 0..5 {
        let stored = append_new(&*store, new_message(group.id, users[index % 2].id)).await;
        let room = room_of(&*store, group.id).await;
        assert_eq!(
            room.message_count, stored.seq,
            "the room's message_count is the newest message's seq"
        );
        assert_eq!(
            room.last_message.as_ref(),
            Some(&stored),
            "the room's last_message is the message just appended"
        );
        let listed = store.rooms(&[group.id]).await.must("rooms()");
        assert_eq!(
            listed,
            vec![room],
            "rooms() must show the same counters as room()"
        );
    }
}

pub async fn given_a_message_when_appended_then_only_the_senders_read_state_moves(
    store: SharedStore,
) {
    let users = new_users(&*store, 3).await;
    let (a, b, c) = (users[0].id, users[1].id, users[2].id);
    let group = new_group(&*store, &[a, b, c]).await;

    let first = append_new(&*store, new_message(group.id, a)).await;
    let of_a = membership_of(&*store, group.id, a).await;
    assert_eq!(
        of_a.read_seq, first.seq,
        "the sender has read their own message"
    );
    assert_eq!(
        of_a.last_read_id,
        Some(first.id),
        "the sender has read their own message"
    );
    for other in [b, c] {
        let membership = membership_of(&*store, group.id, other).await;
        assert_eq!(membership.read_seq, 0, "others' read state must not move");
        assert_eq!(
            membership.last_read_id, None,
            "others' read state must not move"
        );
    }

    let second = append_new(&*store, new_message(group.id, b)).await;
    let room = room_of(&*store, group.id).await;
    let of_a = membership_of(&*store, group.id, a).await;
    let of_b = membership_of(&*store, group.id, b).await;
    assert_eq!(
        of_b.read_seq, second.seq,
        "the second sender has read their message"
    );
    assert_eq!(
        of_b.last_read_id,
        Some(second.id),
        "the second sender has read it"
    );
    assert_eq!(
        room.message_count - of_b.read_seq,
        0,
        "a sender has nothing unread"
    );
    assert_eq!(
        of_a.last_read_id,
        Some(first.id),
        "a's read state stays at a's message"
    );
    assert_eq!(
        room.message_count - of_a.read_seq,
        1,
        "a has b's message unread"
    );
}

pub async fn given_a_file_and_unusual_text_when_appending_then_both_round_trip(store: SharedStore) {
    let users = new_users(&*store, 1).await;
    let group = new_group(&*store, &ids(&users)).await;
    let mut new = new_message(group.id, users[0].id);
    new.text = format!(
        "{} — ünïcödé 🦀 'quotes' \"double\" \\ % _ \0 nul",
        some_text()
    );
    new.file = Some(some_file());
    // A client id as long as allowed, with characters a key format might trip on.
    let client_id = format!("#cid/{}:{}|", random_hex(8), "x".repeat(49));
    assert_eq!(
        client_id.len(),
        banter_core::domain::limits::MAX_CLIENT_MESSAGE_ID
    );
    new.client_message_id = Some(client_id);
    let stored = append_new(&*store, new.clone()).await;
    assert_eq!(stored.text, new.text, "text must round-trip exactly");
    assert_eq!(stored.file, new.file, "the file attachment must round-trip");
    assert_eq!(
        stored.client_message_id, new.client_message_id,
        "the client message id must round-trip"
    );

    let mut file_only = new_message(group.id, users[0].id);
    file_only.text = String::new();
    file_only.file = Some(some_file());
    let file_only = append_new(&*store, file_only).await;
    assert_eq!(file_only.text, "", "an empty text must stay empty");

    for message in [&stored, &file_only] {
        let fetched = store.message(group.id, message.id).await.must("message()");
        assert_eq!(
            fetched.as_ref(),
            Some(message),
            "message() must return it as stored"
        );
    }
    let page = store
        .history(group.id, HistoryQuery::Latest { limit: 10 })
        .await
        .must("history");
    assert_eq!(
        page,
        vec![file_only.clone(), stored],
        "history must return both as stored"
    );
    assert_eq!(
        room_of(&*store, group.id).await.last_message,
        Some(file_only),
        "last_message must carry the file"
    );
}

pub async fn given_a_repeated_client_message_id_when_appending_then_duplicate_and_nothing_stored(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (a, b) = (users[0].id, users[1].id);
    let group = new_group(&*store, &[a, b]).await;
    let client_id = format!("cid-{}", random_hex(16));

    let mut first = new_message(group.id, a);
    first.client_message_id = Some(client_id.clone());
    let original = append_new(&*store, first.clone()).await;
    let from_b = append_new(&*store, new_message(group.id, b)).await;
    let room_before = room_of(&*store, group.id).await;
    let a_before = membership_of(&*store, group.id, a).await;

    // A retry: same key, even if the rest differs (a client retrying late).
    let mut retry = new_message(group.id, a);
    retry.client_message_id = Some(client_id);
    let outcome = store.append_message(retry).await.must("appending a retry");
    assert_eq!(
        outcome,
        AppendOutcome::Duplicate(original.clone()),
        "a repeated (room, sender, client message id) must return Duplicate(original)"
    );
    assert_eq!(
        outcome.message(),
        &original,
        "AppendOutcome::message gives the original"
    );

    assert_eq!(
        room_of(&*store, group.id).await,
        room_before,
        "a duplicate must not change the room's count or last message"
    );
    assert_eq!(
        membership_of(&*store, group.id, a).await,
        a_before,
        "a duplicate must not move the sender's read state"
    );
    let page = store
        .history(group.id, HistoryQuery::Latest { limit: 10 })
        .await
        .must("history");
    assert_eq!(
        page,
        vec![from_b, original],
        "a duplicate must store no message"
    );
}

pub async fn given_the_same_client_message_id_from_another_sender_or_room_then_new_messages(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let (a, b) = (users[0].id, users[1].id);
    let first_room = new_group(&*store, &[a, b]).await;
    let second_room = new_group(&*store, &[a, b]).await;
    let client_id = format!("shared-{}", random_hex(10));
    let keyed = |room: RoomId, sender| {
        let mut new = new_message(room, sender);
        new.client_message_id = Some(client_id.clone());
        new
    };

    let by_a = append_new(&*store, keyed(first_room.id, a)).await;
    let by_b = append_new(&*store, keyed(first_room.id, b)).await;
    let elsewhere = append_new(&*store, keyed(second_room.id, a)).await;
    assert_ne!(
        by_a.id, by_b.id,
        "another sender's same client id is a new message"
    );
    assert_eq!(by_b.seq, 2, "another sender's same client id is counted");
    assert_eq!(
        elsewhere.seq, 1,
        "the same client id in another room is a new message"
    );

    for (room, sender, original) in [
        (first_room.id, a, &by_a),
        (first_room.id, b, &by_b),
        (second_room.id, a, &elsewhere),
    ] {
        let outcome = store
            .append_message(keyed(room, sender))
            .await
            .must("retrying a keyed message");
        assert_eq!(
            outcome,
            AppendOutcome::Duplicate(original.clone()),
            "each (room, sender, client id) must find its own original"
        );
    }
    assert_eq!(room_of(&*store, first_room.id).await.message_count, 2);
    assert_eq!(room_of(&*store, second_room.id).await.message_count, 1);
}

pub async fn given_no_client_message_id_when_appending_twice_then_two_messages(store: SharedStore) {
    let users = new_users(&*store, 1).await;
    let group = new_group(&*store, &ids(&users)).await;
    let new = new_message(group.id, users[0].id);
    let first = append_new(&*store, new.clone()).await;
    let second = append_new(&*store, new).await;
    assert_ne!(
        first.id, second.id,
        "without a client id, every append is a new message"
    );
    assert_eq!(room_of(&*store, group.id).await.message_count, 2);
}

pub async fn given_an_unknown_room_when_appending_then_not_found_room(store: SharedStore) {
    let users = new_users(&*store, 1).await;
    let group = new_group(&*store, &ids(&users)).await;
    let unknown = RoomId(group.id.0 + 1_000_000);
    for client_id in [None, Some(format!("cid-{}", random_hex(8)))] {
        let mut new = new_message(unknown, users[0].id);
        new.client_message_id = client_id;
        let outcome = store.append_message(new).await;
        assert!(
            matches!(outcome, Err(StoreError::NotFound("room"))),
            "appending to an unknown room must fail with NotFound(\"room\"), got {outcome:?}"
        );
    }
    assert_eq!(
        store.room(unknown).await.must("room()"),
        None,
        "a failed append must not create the room"
    );
    let page = store
        .history(unknown, HistoryQuery::Latest { limit: 10 })
        .await
        .must("history of an unknown room");
    assert!(page.is_empty(), "a failed append must store no message");
}

pub async fn given_many_tasks_when_appending_to_one_room_then_seqs_are_dense_and_ids_follow_seq(
    store: SharedStore,
) {
    const TASKS: usize = 48;
    let users = new_users(&*store, 3).await;
    let group = new_group(&*store, &ids(&users)).await;
    let mut tasks = JoinSet::new();
    for index in 0..TASKS {
        let store = store.clone();
        let mut new = new_message(group.id, users[index % 3].id);
        if index % 2 == 0 {
            new.client_message_id = Some(format!("race-{index}-{}", random_hex(6)));
        }
        tasks.spawn(async move { store.append_message(new).await });
    }
    let mut sent: Vec<Message> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined
            .expect("an appending task panicked")
            .must("appending concurrently")
        {
            AppendOutcome::Created(message) => sent.push(message),
            AppendOutcome::Duplicate(message) => {
                panic!(
                    "distinct concurrent appends must all be Created, got Duplicate({message:?})"
                )
            }
        }
    }
    sent.sort_by_key(|message| message.seq);
    let seqs: Vec<u64> = sent.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=TASKS as u64).collect::<Vec<u64>>(),
        "concurrent appends must get seqs 1..=n, each once"
    );
    assert_strictly_increasing(
        &message_ids(&sent),
        "message ids taken in seq order after concurrent appends",
    );
    let room = room_of(&*store, group.id).await;
    assert_eq!(
        room.message_count, TASKS as u64,
        "every concurrent append is counted"
    );
    assert_eq!(
        room.last_message.as_ref(),
        sent.last(),
        "last_message is the highest seq"
    );
    let mut page = store
        .history(group.id, HistoryQuery::Latest { limit: 100 })
        .await
        .must("history after concurrent appends");
    page.reverse();
    assert_eq!(
        page, sent,
        "history must hold exactly the concurrent appends"
    );
}

pub async fn given_many_tasks_when_retrying_one_client_message_id_then_exactly_one_is_stored(
    store: SharedStore,
) {
    let users = new_users(&*store, 2).await;
    let group = new_group(&*store, &ids(&users)).await;
    let mut new = new_message(group.id, users[1].id);
    new.client_message_id = Some(format!("retry-{}", random_hex(12)));
    let mut tasks = JoinSet::new();
    for _ in 0..16 {
        let store = store.clone();
        let new = new.clone();
        tasks.spawn(async move { store.append_message(new).await });
    }
    let mut created = Vec::new();
    let mut messages = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined
            .expect("a retrying task panicked")
            .must("retrying concurrently");
        if let AppendOutcome::Created(message) = &outcome {
            created.push(message.clone());
        }
        messages.push(outcome.message().clone());
    }
    assert_eq!(
        created.len(),
        1,
        "exactly one of 16 concurrent retries must be Created"
    );
    assert!(
        messages.iter().all(|message| message == &created[0]),
        "every concurrent retry must return the one stored message"
    );
    assert_eq!(
        room_of(&*store, group.id).await.message_count,
        1,
        "concurrent retries must store one message"
    );
}

pub async fn given_a_message_when_getting_it_by_room_and_id_then_only_its_room_finds_it(
    store: SharedStore,
) {
    let users = new_users(&*store, 1).await;
    let group = new_group(&*store, &ids(&users)).await;
    let other = new_group(&*store, &ids(&users)).await;
    let sent = send_many(&*store, group.id, &ids(&users), 3).await;
    send_many(&*store, other.id, &ids(&users), 1).await;

    for message in &sent {
        let fetched = store.message(group.id, message.id).await.must("message()");
        assert_eq!(
            fetched.as_ref(),
            Some(message),
            "message() must return the stored message"
        );
        assert_eq!(
            store
                .message(other.id, message.id)
                .await
                .must("message() in another room"),
            None,
            "message() must not find a message under another room"
        );
    }
    let unknown = MessageId(sent[2].id.0 + 1_000_000);
    assert_eq!(
        store
            .message(group.id, unknown)
            .await
            .must("message() of an unknown id"),
        None,
        "message() of an unknown id must be None"
    );
}
