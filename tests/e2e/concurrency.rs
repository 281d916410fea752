//! What many clients at once do to delivery: sockets that connect while
//! their partners write to them stay alive and get everything, and every
//! connection sees a room's messages in strictly increasing `seq`.

use banter_e2e::{JsonExt, RateLimit, RateLimits, TestApp, TestUser, WsClient};
use futures::future::join_all;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a storm's frames may take to arrive on a loaded 2-core machine.
const ARRIVAL: Duration = Duration::from_secs(30);

/// The `message` events a socket has received so far, as (room, seq).
fn seqs(frames: &[Value]) -> Vec<(u64, u64)> {
    frames
        .iter()
        .filter(|f| f.get("type").and_then(Value::as_str) == Some("message"))
        .map(|f| (f.u64_at("/message/room_id"), f.u64_at("/message/seq")))
        .collect()
}

/// Asserts each room's seqs on one socket strictly increase.
#[track_caller]
fn assert_in_order(received: &[(u64, u64)], socket: &str) {
    let mut last: BTreeMap<u64, u64> = BTreeMap::new();
    for &(room, seq) in received {
        let previous = last.insert(room, seq).unwrap_or(0);
        assert!(
            seq > previous,
            "{socket}: room {room} seq {seq} arrived after seq {previous} (all: {received:?})"
        );
    }
}

/// Reads `message` events until `count` have arrived for `room`.
async fn collect_messages(ws: &mut WsClient, room: u64, count: usize, socket: &str) -> Vec<u64> {
    let mut got = Vec::new();
    while got.len() < count {
        let frame = ws
            .next_matching(
                &format!(
                    "{socket}: message {} of {count} in room {room}",
                    got.len() + 1
                ),
                |f| {
                    f.get("type").and_then(Value::as_str) == Some("message")
                        && f.pointer("/message/room_id").and_then(Value::as_u64) == Some(room)
                },
                ARRIVAL,
            )
            .await;
        got.push(frame.u64_at("/message/seq"));
    }
    got
}

async fn users(app: &TestApp, count: usize) -> Vec<TestUser> {
    let mut all = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(8) {
        all.extend(join_all(chunk.iter().map(|_| app.new_user())).await);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_200_sockets_connecting_at_once_while_partners_write_then_none_is_dead_and_all_traffic_arrives()
 {
    connect_storm(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_connect_storm_under_slow_connects_throttling_5xx_and_lost_disconnects_then_still_none_is_dead()
 {
    connect_storm(Some(
        "slow_connect_ms=150,push_429=0.05,push_5xx=0.05,drop_disconnect=0.5",
    ))
    .await;
}

async fn connect_storm(faults: Option<&str>) {
    const PAIRS: usize = 50;
    const DEVICES: usize = 2;
    const DURING: usize = 3;
    const AFTER: usize = 3;
    // 100 registrations from one address: more than the per-IP default.
    let mut builder = TestApp::builder().rate_limits(RateLimits {
        register_per_ip: RateLimit::UNLIMITED,
        ..RateLimits::default()
    });
    if let Some(faults) = faults {
        builder = builder.faults(faults);
    }
    let app = builder.spawn().await;
    let people = users(&app, PAIRS * 2).await;
    let rooms: Vec<u64> =
        join_all((0..PAIRS).map(|p| app.dm(&people[2 * p], &people[2 * p + 1]))).await;

    // Every device of every user connects at once, while every user writes
    // to their partner over REST.
    let connects = join_all(
        people
            .iter()
            .flat_map(|user| std::iter::repeat_n(user, DEVICES))
            .map(|user| WsClient::connect(&app, &user.token)),
    );
    let writes = join_all((0..PAIRS * 2).map(|i| {
        let (app, user, room) = (&app, &people[i], rooms[i / 2]);
        async move {
            for n in 0..DURING {
                app.send_text(&user.token, room, &format!("during {n}"))
                    .await;
            }
        }
    }));
    let (mut sockets, ()) = futures::join!(connects, async {
        writes.await;
    });

    // Every socket still works: it answers a ping.
    for ws in &mut sockets {
        ws.ping().await;
    }
    // And gets live traffic: each user writes again, every socket sees all of it.
    join_all((0..PAIRS * 2).map(|i| {
        let (app, user, room) = (&app, &people[i], rooms[i / 2]);
        async move {
            for n in 0..AFTER {
                app.send_text(&user.token, room, &format!("after {n}"))
                    .await;
            }
        }
    }))
    .await;
    let total = ((DURING + AFTER) * 2) as u64;
    let first_after = (DURING * 2) as u64 + 1;
    for (index, ws) in sockets.iter_mut().enumerate() {
        let socket = format!("socket {index}");
        let room = rooms[index / (DEVICES * 2)];
        // Messages written while it connected arrive live or are caught up
        // from history (a socket cannot get what was sent before it opened);
        // every message written after all sockets opened must arrive.
        let mut live = seqs(&ws.discard_unread());
        while !live.contains(&(room, total)) {
            let next = collect_messages(ws, room, 1, &socket).await;
            live.push((room, next[0]));
        }
        assert_in_order(&live, &socket);
        let after: Vec<u64> = live
            .iter()
            .map(|&(_, seq)| seq)
            .filter(|&seq| seq >= first_after)
            .collect();
        assert_eq!(
            after,
            (first_after..=total).collect::<Vec<_>>(),
            "{socket}: every message written after all sockets opened arrives once, in order"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_16_concurrent_senders_in_one_group_then_every_connection_sees_strictly_increasing_seq()
 {
    const SENDERS: usize = 16;
    const EACH: usize = 25;
    let app = TestApp::spawn().await;
    let people = users(&app, SENDERS).await;
    let others: Vec<&TestUser> = people[1..].iter().collect();
    let room = app.group(&people[0], &others).await;
    let mut sockets = join_all(people.iter().map(|u| WsClient::connect(&app, &u.token))).await;

    // Everyone sends at once, each waiting for its own `sent` reply.
    join_all(sockets.iter_mut().enumerate().map(|(i, ws)| async move {
        for n in 0..EACH {
            let frame = json!({
                "action": "send", "room_id": room, "text": format!("{i}:{n}"),
                "client_message_id": format!("c-{i}-{n}"),
            });
            ws.send_json(&frame).await;
        }
    }))
    .await;
    let total = SENDERS * EACH;
    for (index, ws) in sockets.iter_mut().enumerate() {
        let socket = format!("sender {index}");
        let got = collect_messages(ws, room, total, &socket).await;
        assert_eq!(
            got,
            (1..=total as u64).collect::<Vec<_>>(),
            "{socket}: every message once, in seq order"
        );
    }
}
