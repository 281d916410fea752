//! The real `banter-local` binary as a process: what a crash (kill -9) and a
//! login flood do to it. Each test starts its own process on a free port and
//! a fresh data dir, and kills it at the end.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// A running banter-local process.
struct Process {
    child: Child,
    http: String,
    ws: String,
}

impl Process {
    /// Starts the binary on a free port over `data_dir`, with `extra` flags,
    /// and waits until it prints its URLs.
    fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_banter-local"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("banter-local starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (found, url) = std::sync::mpsc::channel();
        // Keep reading to the end: a closed pipe would fail its next print.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.trim().strip_prefix("HTTP API") {
                    let _ = found.send(url.trim().to_owned());
                }
            }
        });
        let http = url
            .recv_timeout(Duration::from_secs(60))
            .expect("banter-local prints its HTTP URL");
        let ws = http.replacen("http://", "ws://", 1);
        Self { child, http, ws }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// kill -9: no shutdown, no `$disconnect`, nothing flushed by us.
    fn kill_hard(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the request is answered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn register(client: &reqwest::Client, p: &Process, name: &str) -> (u64, String) {
    let (status, body) = post(
        client,
        &format!("{}/auth/register", p.http),
        None,
        json!({"username": name, "password": "correct horse battery"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["user_id"].as_u64().expect("user_id"),
        body["token"].as_str().expect("token").to_owned(),
    )
}

fn vm_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn online(client: &reqwest::Client, p: &Process, token: &str, room: u64, user: u64) -> bool {
    let info: Value = client
        .get(format!("{}/rooms/{room}", p.http))
        .bearer_auth(token)
        .send()
        .await
        .expect("room info")
        .json()
        .await
        .expect("room info JSON");
    info["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user"]["id"].as_u64() == Some(user))
        .and_then(|m| m["online"].as_bool())
        .expect("the member's online flag")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_kill_9_mid_load_when_restarted_then_every_acked_message_is_kept_and_nobody_shows_online()
 {
    let dir = tempfile::tempdir().expect("a data dir");
    let client = reqwest::Client::new();
    let p = Process::start(dir.path(), &["--rate-limits", "off"]);
    let (alice, alice_token) = register(&client, &p, "alice").await;
    let (bob, bob_token) = register(&client, &p, "bob").await;
    let (status, dm) = post(
        &client,
        &format!("{}/rooms/dm", p.http),
        Some(&alice_token),
        json!({"user_id": bob}),
    )
    .await;
    assert!(status == 200 || status == 201, "{dm}");
    let room = dm["room"]["id"].as_u64().expect("room id");
    let (_bob_ws, _) = connect_async(format!("{}/?token={bob_token}", p.ws))
        .await
        .expect("bob connects");
    let (mut alice_ws, _) = connect_async(format!("{}/?token={alice_token}", p.ws))
        .await
        .expect("alice connects");
    assert!(online(&client, &p, &bob_token, room, alice).await);

    // Alice sends as fast as she can; the server dies under her.
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(800);
    let mut next = 0;
    let mut killer = Some(p);
    loop {
        if Instant::now() >= deadline
            && let Some(p) = killer.take()
        {
            p.kill_hard();
        }
        let frame = json!({"action": "send", "room_id": room, "text": format!("m{next}"), "client_message_id": format!("c{next}")});
        next += 1;
        if alice_ws
            .send(Message::text(frame.to_string()))
            .await
            .is_err()
        {
            break;
        }
        // Read what came back until this send's reply (or the socket dies).
        let mut dead = false;
        loop {
            match tokio::time::timeout(Duration::from_secs(5), alice_ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    let reply: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                    if reply["type"] == "sent" {
                        acked.push(reply["message"]["id"].as_u64().expect("an id"));
                        break;
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => {
                    dead = true;
                    break;
                }
            }
        }
        if dead {
            break;
        }
    }
    assert!(killer.is_none(), "the server was killed mid-load");
    assert!(
        acked.len() > 5,
        "some sends were acked before the crash ({})",
        acked.len()
    );

    let p = Process::start(dir.path(), &["--rate-limits", "off"]);
    // Every acked message is in history.
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = client
            .get(format!(
                "{}/rooms/{room}/messages?after={after}&limit=100",
                p.http
            ))
            .bearer_auth(&bob_token)
            .send()
            .await
            .expect("history")
            .json()
            .await
            .expect("history JSON");
        let messages = page["messages"].as_array().expect("messages").clone();
        stored.extend(messages.iter().filter_map(|m| m["id"].as_u64()));
        match messages.last() {
            Some(last) if page["has_more"] == true => after = last["id"].as_u64().expect("id"),
            _ => break,
        }
    }
    let missing: Vec<&u64> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "acked but lost in the crash: {missing:?}"
    );
    // The sockets died with the process: nobody is online until they return.
    assert!(
        !online(&client, &p, &bob_token, room, alice).await,
        "alice shows online after the crash"
    );
    assert!(
        !online(&client, &p, &alice_token, room, bob).await,
        "bob shows online after the crash"
    );
    let (_alice_ws, _) = connect_async(format!("{}/?token={alice_token}", p.ws))
        .await
        .expect("alice reconnects");
    assert!(
        online(&client, &p, &bob_token, room, alice).await,
        "online again once back"
    );
    eprintln!(
        "kill -9: {} sends acked before the crash, all {} in history after the restart",
        acked.len(),
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_128_concurrent_logins_then_memory_stays_under_300_mb_and_the_excess_is_told_to_wait()
{
    let dir = tempfile::tempdir().expect("a data dir");
    let client = reqwest::Client::new();
    let p = Process::start(dir.path(), &["--rate-limits", "off"]);
    register(&client, &p, "carol").await;
    let before = vm_rss_kib(p.pid());

    let pid = p.pid();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Acquire) {
                peak = peak.max(vm_rss_kib(pid));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            peak
        })
    };
    let login_url = format!("{}/auth/login", p.http);
    let logins = (0..128).map(|_| {
        post(
            &client,
            &login_url,
            None,
            json!({"username": "carol", "password": "correct horse battery"}),
        )
    });
    let results = futures::future::join_all(logins).await;
    sampling.store(false, std::sync::atomic::Ordering::Release);
    let peak = sampler.await.expect("the sampler");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = vm_rss_kib(pid);

    let ok = results.iter().filter(|(status, _)| *status == 200).count();
    let busy: Vec<&Value> = results
        .iter()
        .filter(|(status, _)| *status == 503)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(
        ok + busy.len(),
        128,
        "every login is 200 or 503: {results:?}"
    );
    for body in &busy {
        assert_eq!(body["error_code"], "SERVER_BUSY", "{body}");
        assert!(
            body["retry_after_ms"].as_u64().is_some_and(|ms| ms > 0),
            "{body}"
        );
    }
    eprintln!(
        "128 concurrent logins: {ok} signed in, {} told SERVER_BUSY; RSS {} MiB before, \
         {} MiB peak, {} MiB after",
        busy.len(),
        before / 1024,
        peak / 1024,
        after / 1024
    );
    assert!(ok > 0, "some logins get through");
    assert!(
        peak < 300 * 1024,
        "peak RSS {} MiB must stay under 300 MiB",
        peak / 1024
    );
    assert!(
        after < 300 * 1024,
        "RSS after the flood {} MiB",
        after / 1024
    );
}
