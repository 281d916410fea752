//! Hostile load meets limits: a flood is answered `RATE_LIMITED` with when
//! to come back, the flooder's socket stays up, and other rooms' traffic
//! goes on. (How much the flood slows others is a benchmark figure, not an
//! assertion here.)

use banter_e2e::{JsonExt, RateLimit, RateLimits, TestApp, WsClient, assert_error_frame};
use serde_json::{Value, json};
use std::time::Duration;

fn is_rate_limited(frame: &Value) -> bool {
    frame.get("code").and_then(Value::as_str) == Some("RATE_LIMITED")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_send_flood_then_rate_limited_with_retry_after_and_another_room_goes_on() {
    let app = TestApp::builder()
        .rate_limits(RateLimits {
            send_per_user: RateLimit::per(20, Duration::from_secs(1)),
            ..RateLimits::default()
        })
        .spawn()
        .await;
    let flooder = app.new_user().await;
    let victim = app.new_user().await;
    let (alice, bob) = (app.new_user().await, app.new_user().await);
    let flood_room = app.dm(&flooder, &victim).await;
    let calm_room = app.dm(&alice, &bob).await;
    let mut flood_ws = WsClient::connect(&app, &flooder.token).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;

    let flood = async {
        let mut limited = Vec::new();
        for n in 0..100 {
            let reply = flood_ws
                .request(
                    "send",
                    json!({"room_id": flood_room, "text": format!("spam {n}"), "client_message_id": format!("f-{n}")}),
                )
                .await;
            if is_rate_limited(&reply) {
                limited.push(reply);
            }
        }
        limited
    };
    let calm = async {
        let mut latencies = Vec::new();
        for n in 0..10 {
            let started = std::time::Instant::now();
            let sent = alice_ws.send_message(calm_room, &format!("calm {n}")).await;
            let event = bob_ws.event("message").await;
            latencies.push(started.elapsed());
            assert_eq!(event.u64_at("/message/id"), sent.u64_at("/id"));
        }
        latencies.sort();
        latencies
    };
    let (limited, latencies) = futures::join!(flood, calm);
    eprintln!(
        "flood: {} of 100 sends refused; another room's send-to-delivery during it: \
         p50 {:?}, max {:?} (a figure, not an assertion)",
        limited.len(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );

    assert!(
        !limited.is_empty(),
        "100 sends at once must exceed 20 per second"
    );
    for reply in &limited {
        assert_error_frame(reply, "RATE_LIMITED");
        let wait = reply.u64_at("/retry_after_ms");
        assert!(
            (1..=1_000).contains(&wait),
            "retry_after_ms {wait} in {reply}"
        );
    }
    // The flooder's socket still works, and sends again once the window passes.
    flood_ws.ping().await;
    tokio::time::sleep(Duration::from_millis(
        limited.last().map_or(0, |r| r.u64_at("/retry_after_ms")) + 50,
    ))
    .await;
    flood_ws.send_message(flood_room, "after the pause").await;
    // A refused send stored nothing: history holds exactly the accepted ones.
    let stored = app
        .history(
            &flooder.token,
            flood_room,
            banter_e2e::Page::latest().limit(100),
        )
        .await
        .expect(200);
    assert_eq!(
        stored.array_at("/messages").len(),
        100 - limited.len() + 1,
        "every accepted send is stored, no refused one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_typing_flood_then_rate_limited() {
    let app = TestApp::builder()
        .rate_limits(RateLimits {
            typing_per_user: RateLimit::per(5, Duration::from_secs(1)),
            ..RateLimits::default()
        })
        .spawn()
        .await;
    let (alice, bob) = (app.new_user().await, app.new_user().await);
    let room = app.dm(&alice, &bob).await;
    let mut ws = WsClient::connect(&app, &alice.token).await;
    let mut refused = 0;
    for _ in 0..20 {
        let reply = ws
            .request("typing", json!({"room_id": room, "typing": true}))
            .await;
        if is_rate_limited(&reply) {
            refused += 1;
        }
    }
    assert!(
        refused >= 10,
        "at most 5 of 20 typing updates a second pass ({refused} refused)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_login_and_register_floods_then_429_with_retry_after() {
    let app = TestApp::builder()
        .rate_limits(RateLimits {
            register_per_ip: RateLimit::per(3, Duration::from_secs(60)),
            login_per_username: RateLimit::per(4, Duration::from_secs(60)),
            ..RateLimits::default()
        })
        .spawn()
        .await;
    let user = app.new_user().await;
    for n in 0..2 {
        app.register(&format!("second-{n}-{}", user.username), "long enough pw")
            .await
            .expect(201);
    }
    let refused = app.register("one-too-many", "long enough pw").await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.body.str_at("/error_code"), "RATE_LIMITED");
    assert!(refused.body.u64_at("/retry_after_ms") >= 1);
    assert!(
        refused.headers.get("retry-after").is_some(),
        "Retry-After header"
    );

    // Guessing one account's password: the fifth try in the window is refused
    // whatever the password, before any hashing.
    for _ in 0..4 {
        app.login(&user.username, "wrong password")
            .await
            .expect(401);
    }
    let refused = app.login(&user.username, &user.password).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.body.str_at("/error_code"), "RATE_LIMITED");
}
