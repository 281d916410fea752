//! The real function binaries under `cargo lambda watch`, with every sample
//! event, against DynamoDB Local, moto's S3 and banter-local's Management
//! API (two sockets connected to banter-local stand for two browsers: the
//! functions push to them by connection id, as they would through API
//! Gateway).

use crate::support::emulator::{self, Backends, Emulator};
use crate::support::scenario::{Invoke, Run};
use crate::support::{dynamodb, events, inprocess, s3};
use async_trait::async_trait;
use banter_core::domain::UserId;
use banter_local::{LocalServer, Options, RunningServer};
use futures::StreamExt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[async_trait]
impl Invoke for Emulator {
    async fn invoke(&self, binary: &str, event: &Value) -> Value {
        Emulator::invoke(self, binary, event).await
    }
}

/// Every binary template.yaml builds.
fn template_binaries() -> Vec<String> {
    let template = events::template();
    let mut binaries: BTreeSet<String> = template
        .http
        .routes
        .iter()
        .map(|route| route.binary.clone())
        .collect();
    if let Some(ws) = &template.websocket {
        binaries.extend(ws.routes.iter().map(|route| route.binary.clone()));
    }
    binaries.extend(template.streams.iter().map(|s| s.binary.clone()));
    binaries.into_iter().collect()
}

/// A socket on banter-local (its own `$connect` runs), and its connection id.
async fn socket(local: &RunningServer, user: UserId) -> (Socket, String) {
    let before: BTreeSet<String> = local.connection_ids().into_iter().collect();
    let token = local.issue_token(user).expect("a banter-local token");
    let (socket, _) = tokio_tungstenite::connect_async(format!("{}?token={token}", local.ws_url()))
        .await
        .expect("connecting to banter-local");
    for _ in 0..100 {
        let now: BTreeSet<String> = local.connection_ids().into_iter().collect();
        if let Some(id) = now.difference(&before).next() {
            return (socket, id.clone());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("banter-local never listed the new connection");
}

/// The JSON frames that arrive within `wait`.
async fn frames(socket: &mut Socket, wait: Duration) -> Vec<Value> {
    let mut frames = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message {
            frames.push(
                serde_json::from_str(text.as_str()).unwrap_or(Value::String(text.to_string())),
            );
        }
    }
    frames
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_every_sample_event_when_the_real_binaries_run_under_the_emulator_then_status_codes_and_side_effects_hold()
 {
    let binaries = template_binaries();
    let bin_dir = tokio::task::spawn_blocking(move || emulator::build(&binaries))
        .await
        .expect("building");
    let store = dynamodb::fresh_store().await;
    let bucket = inprocess::new_bucket().await;
    let local = LocalServer::start(Options::in_memory())
        .await
        .expect("banter-local");
    let (mut mark_socket, mark_connection) = socket(&local, UserId(1)).await;
    let (mut sam_socket, sam_connection) = socket(&local, UserId(2)).await;

    let emulator = Emulator::start(
        bin_dir,
        &Backends {
            dynamodb_endpoint: dynamodb::endpoint(),
            table: store.table().to_owned(),
            s3_endpoint: s3::endpoint(),
            bucket,
            management_endpoint: local.management_endpoint(),
        },
    );
    let mut run = Run {
        invoker: &emulator,
        store: &store,
        mark_connection,
        sam_connection,
        report: Default::default(),
    };
    run.run().await;

    // Pushed through banter-local's Management API to the sockets.
    let to_sam = frames(&mut sam_socket, Duration::from_secs(2)).await;
    assert!(
        to_sam
            .iter()
            .any(|f| f["type"] == "message" && f["message"]["text"] == "Hello Sam"),
        "sam's socket receives the message: {to_sam:#?}"
    );
    assert!(
        to_sam.iter().any(|f| f["type"] == "typing"),
        "sam's socket receives mark typing: {to_sam:#?}"
    );
    let to_mark = frames(&mut mark_socket, Duration::from_secs(1)).await;
    for (kind, request_id) in [
        ("sent", Some("r1")),
        ("read", Some("r2")),
        ("history", Some("r3")),
        ("rooms", None),
        ("pong", None),
        ("error", None),
    ] {
        assert!(
            to_mark
                .iter()
                .any(|f| f["type"] == kind && request_id.is_none_or(|id| f["request_id"] == id)),
            "mark's socket receives the {kind} reply: {to_mark:#?}"
        );
    }

    eprintln!(
        "\nfirst invocation of each function (process start -> its first sample event answered):"
    );
    for (binary, cold) in emulator.cold_starts() {
        eprintln!("  {binary:<24} {:>6.0} ms", cold.as_secs_f64() * 1000.0);
    }
    eprintln!("calls:");
    for (step, binary, status) in &run.report.calls {
        eprintln!("  {status:>3} {binary:<24} {step}");
    }
    emulator.shutdown();
    local.shutdown().await.expect("banter-local stops");
}

/// An event each function answers without touching its data (a bad token,
/// a bad body, an unknown connection, no records): what is left of the
/// first invocation is the cold start itself.
fn cheap_event(binary: &str) -> Value {
    let template = events::template();
    if template.streams.iter().any(|s| s.binary == binary) {
        return serde_json::json!({"Records": []});
    }
    let samples: Vec<Value> = events::names()
        .iter()
        .map(|name| events::load(name))
        .filter(|event| events::binary_for(event).as_deref() == Some(binary))
        .collect();
    if let Some(refused) = samples.iter().find(|e| {
        matches!(events::kind(e), events::Kind::WebSocket(key) if key == "$connect")
            && e["queryStringParameters"].get("token").is_none()
    }) {
        return refused.clone();
    }
    let sample = samples
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no sample event reaches {binary}"));
    match events::kind(&sample) {
        // Not JSON, and the placeholder token: 400 or 401 before any I/O.
        events::Kind::Http(_) => {
            let mut event = sample;
            event["body"] = Value::String("{".into());
            event["isBase64Encoded"] = Value::Bool(false);
            event
        }
        _ => events::with_connection(sample, "no-such-connection"),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Cold init per function: process start → first event answered, with
/// the real SDK clients built and the JWT secret read from DynamoDB (it
/// exists already, as for every cold start but the very first). Median of
/// `ROUNDS` fresh processes; warm is the same event again. Timed through
/// the emulator's Invoke API (no CLI start-up in the figures). Run with
/// `--nocapture` (and `BANTER_LAMBDA_BIN_DIR=target/lambda` after `cargo
/// lambda build --release` for release binaries) to see the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_init_per_function_under_the_emulator() {
    const ROUNDS: usize = 3;
    let binaries = template_binaries();
    let list = binaries.clone();
    let bin_dir = tokio::task::spawn_blocking(move || emulator::build(&list))
        .await
        .expect("building");
    let store = dynamodb::fresh_store().await;
    banter_dynamodb::jwt_secret::load_or_create(store.client(), store.table())
        .await
        .expect("the JWT secret");
    let local = LocalServer::start(Options::in_memory())
        .await
        .expect("banter-local");
    let emulator = Emulator::start(
        bin_dir,
        &Backends {
            dynamodb_endpoint: dynamodb::endpoint(),
            table: store.table().to_owned(),
            s3_endpoint: s3::endpoint(),
            bucket: inprocess::new_bucket().await,
            management_endpoint: local.management_endpoint(),
        },
    );
    eprintln!("\ncold init under cargo lambda watch (median of {ROUNDS} processes each):");
    eprintln!(
        "  {:<26} {:>9} {:>9} {:>12}",
        "function", "cold", "warm", "cold - warm"
    );
    for binary in &binaries {
        let event = cheap_event(binary);
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for _ in 0..ROUNDS {
            emulator.stop_function(binary);
            let (answer, took) = emulator.invoke_api_timed(binary, &event).await;
            let code = events::status(&answer);
            assert!(code < 500, "{binary}: {answer}");
            cold.push(took);
            warm.push(emulator.invoke_api_timed(binary, &event).await.1);
        }
        let (cold, warm) = (median(cold), median(warm));
        eprintln!(
            "  {binary:<26} {:>6.0} ms {:>6.0} ms {:>9.0} ms",
            cold.as_secs_f64() * 1000.0,
            warm.as_secs_f64() * 1000.0,
            cold.saturating_sub(warm).as_secs_f64() * 1000.0
        );
    }
    emulator.shutdown();
    local.shutdown().await.expect("banter-local stops");
}
