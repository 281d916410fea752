//! The WebSocket API: `$connect`, route selection, limits, `$disconnect`.

use crate::support::{close_code, next_text, send_text, start, start_with};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

#[tokio::test]
async fn given_a_client_when_it_connects_then_connect_gets_a_full_event() {
    let h = start().await;
    let url = format!("{}?token=abc&x=1&x=2", h.server.ws_url());
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("request");
    request
        .headers_mut()
        .insert("user-agent", "emulator-test/1".parse().expect("header"));
    let (_client, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake");

    let event = h.recorder.wait_for("$connect", 1).await.remove(0);
    let rc = &event.request_context;
    assert_eq!(rc.event_type.as_deref(), Some("CONNECT"));
    assert_eq!(rc.stage.as_deref(), Some("prod"));
    assert_eq!(rc.message_direction.as_deref(), Some("IN"));
    assert_eq!(rc.identity.source_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(rc.identity.user_agent.as_deref(), Some("emulator-test/1"));
    assert_eq!(
        rc.domain_name.as_deref(),
        Some(h.server.addr().to_string().as_str())
    );
    let id = rc.connection_id.clone().expect("a connection id");
    assert_eq!(id.len(), 16);
    assert!(id.ends_with('='));
    assert!(rc.connected_at > 0 && rc.request_time_epoch >= rc.connected_at);
    assert!(rc.request_id.is_some() && rc.extended_request_id.is_some() && rc.apiid.is_some());
    assert_eq!(event.query_string_parameters.first("token"), Some("abc"));
    assert_eq!(
        event.multi_value_query_string_parameters.all("x"),
        Some(vec!["1", "2"])
    );
    assert!(event.headers.contains_key("sec-websocket-key"));
    assert_eq!(h.server.connection_ids(), vec![id]);
}

#[tokio::test]
async fn given_connect_refuses_then_the_handshake_fails_with_its_status_and_no_disconnect() {
    let h = start().await;
    let url = format!("{}?refuse=401", h.server.ws_url());
    let error = tokio_tungstenite::connect_async(url)
        .await
        .expect_err("handshake refused");
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("expected an HTTP refusal, got {error}");
    };
    assert_eq!(response.status(), 401);
    let body = response.body().clone().unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&body), "refused by $connect");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(h.recorder.events("$disconnect").is_empty());
    assert!(h.server.connection_ids().is_empty());
}

#[tokio::test]
async fn given_connect_answers_a_subprotocol_then_the_handshake_carries_it() {
    let h = start().await;
    let url = format!("{}?protocol=banter.v1", h.server.ws_url());
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "banter.v1".parse().expect("header"),
    );
    let (_client, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("banter.v1")
    );
}

#[tokio::test]
async fn given_frames_then_route_selection_picks_the_action_route_or_default() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    for body in [
        r#"{"action":"send","text":"hi"}"#,
        r#"{"action":"nope"}"#,
        "plain text",
        r#"{"action":"typing"}"#,
    ] {
        send_text(&mut client, body).await;
    }
    let send = h.recorder.wait_for("send", 1).await;
    let default = h.recorder.wait_for("$default", 2).await;
    let typing = h.recorder.wait_for("typing", 1).await;
    let event = &send[0];
    assert_eq!(
        event.body.as_deref(),
        Some(r#"{"action":"send","text":"hi"}"#)
    );
    assert_eq!(event.request_context.event_type.as_deref(), Some("MESSAGE"));
    assert_eq!(
        event.request_context.connection_id.as_deref(),
        Some(id.as_str())
    );
    assert!(event.request_context.message_id.is_some());
    assert!(!event.is_base64_encoded);
    let default_bodies: Vec<_> = default.iter().filter_map(|e| e.body.as_deref()).collect();
    assert_eq!(default_bodies, [r#"{"action":"nope"}"#, "plain text"]);
    assert_eq!(typing.len(), 1);
}

#[tokio::test]
async fn given_frames_then_they_are_handled_in_order_and_replies_arrive() {
    let h = start().await;
    let (mut client, _) = h.connect("").await;
    for i in 0..20 {
        send_text(
            &mut client,
            &format!(r#"{{"action":"send","n":{i},"echo":true}}"#),
        )
        .await;
    }
    for _ in 0..20 {
        assert_eq!(next_text(&mut client).await, "echo:send");
    }
    let bodies: Vec<String> = h
        .recorder
        .events("send")
        .into_iter()
        .filter_map(|e| e.body)
        .collect();
    let expected: Vec<String> = (0..20)
        .map(|i| format!(r#"{{"action":"send","n":{i},"echo":true}}"#))
        .collect();
    assert_eq!(bodies, expected);
}

#[tokio::test]
async fn given_a_panicking_function_then_the_client_gets_api_gateways_error_and_stays_connected() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    send_text(&mut client, r#"{"action":"send","panic":true}"#).await;
    let error: serde_json::Value =
        serde_json::from_str(&next_text(&mut client).await).expect("json");
    assert_eq!(error["message"], "Internal server error");
    assert_eq!(error["connectionId"], id.as_str());
    send_text(&mut client, r#"{"action":"send","echo":true}"#).await;
    assert_eq!(next_text(&mut client).await, "echo:send");
}

#[tokio::test]
async fn given_a_frame_over_32_kb_then_the_client_gets_close_1009_and_disconnect_follows() {
    let h = start().await;
    let (mut client, _) = h.connect("").await;
    // One frame: tungstenite does not fragment what it sends.
    send_text(&mut client, &"x".repeat(33 * 1024)).await;
    assert_eq!(close_code(&mut client).await, CloseCode::Size);
    let event = h.recorder.wait_for("$disconnect", 1).await.remove(0);
    assert_eq!(event.request_context.disconnect_status_code, Some(1009));
    assert_eq!(
        event.request_context.event_type.as_deref(),
        Some("DISCONNECT")
    );
    assert!(h.recorder.events("$default").is_empty());
}

#[tokio::test]
async fn given_a_message_over_128_kb_in_small_frames_then_the_client_gets_close_1009() {
    let h = start().await;
    let (mut client, _) = h.connect("").await;
    let chunk = "y".repeat(30 * 1024);
    // 5 × 30 KB frames: each under the frame limit, together over 128 KB.
    for i in 0..5 {
        let opcode = if i == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let frame = Frame::message(chunk.clone().into_bytes(), opcode, i == 4);
        if client.send(Message::Frame(frame)).await.is_err() {
            break; // the server may already have closed
        }
    }
    assert_eq!(close_code(&mut client).await, CloseCode::Size);
    h.recorder.wait_for("$disconnect", 1).await;
}

#[tokio::test]
async fn given_a_message_of_exactly_the_limits_then_it_is_delivered() {
    let h = start().await;
    let (mut client, _) = h.connect("").await;
    send_text(&mut client, &"z".repeat(32 * 1024)).await;
    let event = h.recorder.wait_for("$default", 1).await.remove(0);
    assert_eq!(event.body.map(|b| b.len()), Some(32 * 1024));
}

#[tokio::test]
async fn given_an_idle_connection_then_it_is_closed_with_1001_and_disconnect_says_so() {
    let h = start_with(|mut o| {
        o.idle_timeout = Duration::from_millis(300);
        o
    })
    .await;
    let (mut client, _) = h.connect("").await;
    assert_eq!(close_code(&mut client).await, CloseCode::Away);
    let event = h.recorder.wait_for("$disconnect", 1).await.remove(0);
    assert_eq!(event.request_context.disconnect_status_code, Some(1001));
    assert_eq!(
        event.request_context.disconnect_reason.as_deref(),
        Some("Going away")
    );
}

#[tokio::test]
async fn given_an_active_connection_then_it_is_closed_at_its_maximum_age() {
    let h = start_with(|mut o| {
        o.idle_timeout = Duration::from_millis(400);
        o.max_connection_age = Duration::from_millis(900);
        o
    })
    .await;
    let (mut client, _) = h.connect("").await;
    let started = tokio::time::Instant::now();
    // Activity keeps it from idling out, not from ageing out.
    let closed = loop {
        send_text(&mut client, r#"{"action":"typing"}"#).await;
        tokio::select! {
            frame = client.next() => break frame,
            () = tokio::time::sleep(Duration::from_millis(150)) => {}
        }
    };
    assert!(
        matches!(closed, Some(Ok(Message::Close(Some(ref f)))) if f.code == CloseCode::Away),
        "{closed:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
}

#[tokio::test]
async fn given_a_client_close_then_exactly_one_disconnect_with_its_code() {
    let h = start().await;
    let (mut client, id) = h.connect("").await;
    client.close(None).await.expect("close");
    let events = h.recorder.wait_for("$disconnect", 1).await;
    assert_eq!(
        events[0].request_context.connection_id.as_deref(),
        Some(id.as_str())
    );
    assert_eq!(events[0].request_context.disconnect_status_code, Some(1005));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.recorder.events("$disconnect").len(), 1);
    assert!(h.server.connection_ids().is_empty());
}

#[tokio::test]
async fn given_open_connections_when_the_server_shuts_down_then_every_disconnect_is_delivered() {
    let h = start().await;
    let (mut a, _) = h.connect("").await;
    let (mut b, _) = h.connect("").await;
    let recorder = h.recorder.clone();
    let closes = tokio::spawn(async move { (close_code(&mut a).await, close_code(&mut b).await) });
    h.server.shutdown().await.expect("clean shutdown");
    assert_eq!(
        recorder.events("$disconnect").len(),
        2,
        "delivered before shutdown returned"
    );
    assert_eq!(
        closes.await.expect("join"),
        (CloseCode::Away, CloseCode::Away)
    );
}

#[tokio::test]
async fn given_a_client_that_hangs_up_mid_connect_then_nothing_is_left_behind() {
    use tokio::io::AsyncWriteExt;
    let h = start().await;
    let mut raw = tokio::net::TcpStream::connect(h.server.addr())
        .await
        .expect("tcp");
    let handshake = format!(
        "GET /?delay_ms=300 HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        h.server.addr()
    );
    raw.write_all(handshake.as_bytes()).await.expect("write");
    h.recorder.wait_for("$connect", 1).await;
    drop(raw);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(h.server.connection_ids().is_empty());
    assert!(h.recorder.events("$disconnect").len() <= 1);
    h.server
        .shutdown()
        .await
        .expect("shutdown does not wait for it");
}
