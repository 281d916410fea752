//! Churn: many sockets while thousands of messages flow and sockets keep
//! dropping and coming back, each catching up with `sync` as
//! docs/protocol/native.md's "Staying in sync" says. Per device, what came
//! live plus what `sync` returned must be each room's whole history: nothing
//! lost, nothing twice on one socket, nothing out of order.

use banter_e2e::{JsonExt, Page, RateLimits, TestApp, TestUser, WsClient};
use futures::future::join_all;
use rand::Rng;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const USERS: usize = 50;
const DEVICES: usize = 2;
const GROUP_SIZE: usize = 10;
const MESSAGES_PER_USER: usize = 100;

/// What one device (a client app) holds: per room, the seqs it has, and
/// the newest id (its sync cursor).
#[derive(Default)]
struct Device {
    held: BTreeMap<u64, Vec<u64>>,
    cursor: BTreeMap<u64, u64>,
    live: u64,
    synced: u64,
    reconnects: u64,
}

impl Device {
    fn newest_seq(&self, room: u64) -> u64 {
        self.held
            .get(&room)
            .and_then(|seqs| seqs.last().copied())
            .unwrap_or(0)
    }

    /// Applies one message; false if it would leave a gap (caller syncs).
    fn apply(&mut self, message: &Value) -> bool {
        let (room, seq, id) = (
            message.u64_at("/room_id"),
            message.u64_at("/seq"),
            message.u64_at("/id"),
        );
        let newest = self.newest_seq(room);
        if seq <= newest {
            return true; // already held (from sync or the buffer)
        }
        if seq != newest + 1 {
            return false;
        }
        self.held.entry(room).or_default().push(seq);
        self.cursor.insert(room, id);
        true
    }
}

/// Sync until nothing more, applying every message.
async fn sync(ws: &mut WsClient, device: &mut Device) {
    loop {
        let cursors: serde_json::Map<String, Value> = device
            .cursor
            .iter()
            .map(|(room, id)| (room.to_string(), json!(id)))
            .collect();
        let reply = ws
            .request("sync", json!({"cursors": cursors, "limit": 500}))
            .await;
        assert_eq!(reply.str_at("/type"), "sync", "sync failed: {reply}");
        for room in reply.array_at("/rooms") {
            for message in room.array_at("/messages") {
                assert!(
                    device.apply(message),
                    "sync returned a gap: {message} after seq {}",
                    device.newest_seq(message.u64_at("/room_id"))
                );
                device.synced += 1;
            }
        }
        if !reply.bool_at("/has_more") {
            return;
        }
    }
}

/// One device: connect, sync, take live messages, drop, stay away, again,
/// until `stop`; then one last connection and sync.
async fn run_device(
    app: Arc<TestApp>,
    token: String,
    stop: Arc<AtomicBool>,
    on_socket_violations: Arc<AtomicU64>,
) -> Device {
    let mut device = Device::default();
    loop {
        let finishing = stop.load(Ordering::Acquire);
        let mut ws = WsClient::connect(&app, &token).await;
        device.reconnects += 1;
        sync(&mut ws, &mut device).await;
        if finishing {
            ws.close().await;
            return device;
        }
        let stay = Duration::from_millis(rand::rng().random_range(1_000..8_000));
        let until = Instant::now() + stay;
        let mut on_this_socket: BTreeMap<u64, u64> = BTreeMap::new();
        while Instant::now() < until && !stop.load(Ordering::Acquire) {
            let Some(frame) = ws.try_next_frame(Duration::from_millis(200)).await else {
                continue;
            };
            if frame.get("type").and_then(Value::as_str) != Some("message") {
                continue;
            }
            let message = frame.at("/message");
            let (room, seq) = (message.u64_at("/room_id"), message.u64_at("/seq"));
            // On one socket: strictly increasing per room, never twice.
            let last = on_this_socket.insert(room, seq).unwrap_or(0);
            if seq <= last {
                on_socket_violations.fetch_add(1, Ordering::Relaxed);
            }
            if device.apply(message) {
                device.live += 1;
            } else {
                sync(&mut ws, &mut device).await;
                assert!(device.apply(message), "still a gap after sync: {message}");
            }
        }
        // Half leave cleanly, half just vanish (no close handshake).
        if rand::rng().random_bool(0.5) {
            ws.close().await;
        } else {
            ws.vanish();
        }
        let away = Duration::from_millis(rand::rng().random_range(100..4_000));
        tokio::time::sleep(away).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_sockets_reconnecting_under_injected_faults_while_5000_messages_flow_then_live_plus_sync_is_every_message_once_in_order()
 {
    // With API Gateway's own failures injected: slow `$connect`s (410s to
    // stored connections), throttled and failing pushes, lost `$disconnect`s.
    let app = Arc::new(
        TestApp::builder()
            .rate_limits(RateLimits::unlimited())
            .faults("slow_connect_ms=100,push_429=0.02,push_5xx=0.02,drop_disconnect=0.1")
            .spawn()
            .await,
    );
    let mut people: Vec<TestUser> = Vec::new();
    for _ in 0..USERS / 10 {
        people.extend(join_all((0..10).map(|_| app.new_user())).await);
    }
    // Everyone has one DM and one group of ten.
    let mut rooms_of: Vec<Vec<u64>> = vec![Vec::new(); USERS];
    for pair in 0..USERS / 2 {
        let room = app.dm(&people[2 * pair], &people[2 * pair + 1]).await;
        rooms_of[2 * pair].push(room);
        rooms_of[2 * pair + 1].push(room);
    }
    for group in 0..USERS / GROUP_SIZE {
        let members: Vec<&TestUser> = people[group * GROUP_SIZE + 1..(group + 1) * GROUP_SIZE]
            .iter()
            .collect();
        let room = app.group(&people[group * GROUP_SIZE], &members).await;
        for rooms in &mut rooms_of[group * GROUP_SIZE..(group + 1) * GROUP_SIZE] {
            rooms.push(room);
        }
    }

    let stop = Arc::new(AtomicBool::new(false));
    let violations = Arc::new(AtomicU64::new(0));
    let devices: Vec<_> = (0..USERS * DEVICES)
        .map(|d| {
            tokio::spawn(run_device(
                app.clone(),
                people[d / DEVICES].token.clone(),
                stop.clone(),
                violations.clone(),
            ))
        })
        .collect();

    // Everyone writes, alternating between their two rooms.
    let started = Instant::now();
    let senders = join_all((0..USERS).map(|u| {
        let (app, token, rooms) = (app.clone(), people[u].token.clone(), rooms_of[u].clone());
        async move {
            for n in 0..MESSAGES_PER_USER {
                let room = rooms[n % rooms.len()];
                app.send_text(&token, room, &format!("{u}:{n}")).await;
                tokio::time::sleep(Duration::from_millis(rand::rng().random_range(50..250))).await;
            }
        }
    }));
    senders.await;
    let sending = started.elapsed();
    stop.store(true, Ordering::Release);
    let mut results = Vec::new();
    for device in devices {
        results.push(device.await.expect("a device task"));
    }

    // Each room's final count, from history.
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    for (u, rooms) in rooms_of.iter().enumerate() {
        for room in rooms {
            if !counts.contains_key(room) {
                let page = app
                    .history(&people[u].token, *room, Page::latest().limit(1))
                    .await
                    .expect(200);
                counts.insert(*room, page.u64_at("/messages/0/seq"));
            }
        }
    }
    let total: u64 = counts.values().sum();
    assert_eq!(
        total,
        (USERS * MESSAGES_PER_USER) as u64,
        "every send was stored"
    );
    let (mut live, mut synced, mut reconnects) = (0, 0, 0);
    for (d, device) in results.iter().enumerate() {
        for room in &rooms_of[d / DEVICES] {
            let held = device.held.get(room).cloned().unwrap_or_default();
            assert_eq!(
                held,
                (1..=counts[room]).collect::<Vec<_>>(),
                "device {d}: room {room} must hold every message once, in order"
            );
        }
        live += device.live;
        synced += device.synced;
        reconnects += device.reconnects;
    }
    eprintln!(
        "churn: {total} messages in {sending:?}, {} sockets, {reconnects} connections; \
         per device {live} messages arrived live and {synced} came by sync; 0 lost, \
         {} out of order or twice on one socket",
        USERS * DEVICES,
        violations.load(Ordering::Relaxed)
    );
    assert_eq!(
        violations.load(Ordering::Relaxed),
        0,
        "no socket may see a room's messages out of order or twice"
    );
}
