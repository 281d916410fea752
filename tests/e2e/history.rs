//! History: 250 messages paged backwards and forwards, over REST and over
//! the WebSocket, with no gap and no duplicate.

use banter_e2e::{JsonExt, Page, TestApp, TestUser, WsClient};
use serde_json::{Value, json};

const TOTAL: u64 = 250;

/// A DM holding `TOTAL` messages "m1".."m250"; their ids, oldest first.
async fn seeded(app: &TestApp) -> (TestUser, TestUser, u64, Vec<u64>) {
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut ids = Vec::new();
    for n in 1..=TOTAL {
        let sender = if n % 3 == 0 { &bob } else { &alice };
        let message = app
            .send_text(&sender.token, room_id, &format!("m{n}"))
            .await;
        ids.push(message.u64_at("/id"));
    }
    (alice, bob, room_id, ids)
}

/// A page without its texts, for failure messages.
fn summary(page: &Value) -> String {
    let ids: Vec<u64> = page
        .get("messages")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m.get("id").and_then(Value::as_u64))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "type {:?}, code {:?}, has_more {:?}, {} ids {ids:?}",
        page.get("type"),
        page.get("code"),
        page.get("has_more"),
        ids.len()
    )
}

/// Checks one page's own order and returns its messages.
fn page_messages(page: &Value, room_id: u64) -> Vec<Value> {
    let messages = page.array_at("/messages").clone();
    assert!(
        messages
            .windows(2)
            .all(|w| w[0].u64_at("/id") < w[1].u64_at("/id")),
        "a page is oldest first: {}",
        summary(page)
    );
    for m in &messages {
        assert_eq!(m.u64_at("/room_id"), room_id);
    }
    messages
}

/// The whole room, in order, exactly once each.
fn assert_complete(collected: &[Value], ids: &[u64]) {
    let got: Vec<u64> = collected.iter().map(|m| m.u64_at("/id")).collect();
    assert_eq!(got, ids, "paging lost or repeated messages");
    for (i, m) in collected.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(m.u64_at("/seq"), n);
        assert_eq!(m.str_at("/text"), format!("m{n}"));
    }
}

/// Pages from the newest back to the start; the messages and the number of
/// pages. `full_pages`: a page with `has_more` holds exactly `limit` (REST);
/// over WebSocket a page may be cut short to fit the 128 KB push limit.
async fn backwards<F, Fut>(
    limit: u64,
    mut fetch: F,
    room_id: u64,
    full_pages: bool,
) -> (Vec<Value>, usize)
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let mut collected: Vec<Value> = Vec::new();
    let mut page = fetch(Page::latest().limit(limit)).await;
    let mut pages = 1;
    loop {
        let mut messages = page_messages(&page, room_id);
        assert!(messages.len() as u64 <= limit, "{}", summary(&page));
        let has_more = page.bool_at("/has_more");
        if has_more && full_pages {
            assert_eq!(
                messages.len() as u64,
                limit,
                "a partial page claims more: {}",
                summary(&page)
            );
        }
        assert!(
            !has_more || !messages.is_empty(),
            "an empty page claims more: {}",
            summary(&page)
        );
        let oldest = messages.first().map(|m| m.u64_at("/id"));
        messages.append(&mut collected);
        collected = messages;
        match (has_more, oldest) {
            (true, Some(oldest)) => {
                page = fetch(Page::before(oldest).limit(limit)).await;
                pages += 1;
                assert!(pages < 100, "paging does not end");
            }
            _ => return (collected, pages),
        }
    }
}

/// Pages from the start forwards; see [`backwards`].
async fn forwards<F, Fut>(
    limit: u64,
    mut fetch: F,
    room_id: u64,
    full_pages: bool,
) -> (Vec<Value>, usize)
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let mut collected: Vec<Value> = Vec::new();
    let mut page = fetch(Page::after(0).limit(limit)).await;
    let mut pages = 1;
    loop {
        let messages = page_messages(&page, room_id);
        assert!(messages.len() as u64 <= limit, "{}", summary(&page));
        let has_more = page.bool_at("/has_more");
        if has_more && full_pages {
            assert_eq!(
                messages.len() as u64,
                limit,
                "a partial page claims more: {}",
                summary(&page)
            );
        }
        assert!(
            !has_more || !messages.is_empty(),
            "an empty page claims more: {}",
            summary(&page)
        );
        let newest = messages.last().map(|m| m.u64_at("/id"));
        collected.extend(messages);
        match (has_more, newest) {
            (true, Some(newest)) => {
                page = fetch(Page::after(newest).limit(limit)).await;
                pages += 1;
                assert!(pages < 100, "paging does not end");
            }
            _ => return (collected, pages),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_250_messages_when_paging_over_rest_both_ways_then_there_is_no_gap_or_duplicate() {
    let app = TestApp::spawn_unthrottled().await;
    let (_alice, bob, room_id, ids) = seeded(&app).await;
    let fetch = |page: Page| {
        let app = &app;
        let token = bob.token.clone();
        async move { app.history(&token, room_id, page).await.expect(200) }
    };

    let (older, pages) = backwards(100, fetch, room_id, true).await;
    assert_complete(&older, &ids);
    assert_eq!(pages, 3, "100 + 100 + 50");

    let (newer, pages) = forwards(100, fetch, room_id, true).await;
    assert_complete(&newer, &ids);
    assert_eq!(pages, 3);

    // Odd page sizes too, so no boundary hides an off-by-one.
    let (older, pages) = backwards(7, fetch, room_id, true).await;
    assert_complete(&older, &ids);
    assert_eq!(pages, 36);
    let (newer, _) = forwards(7, fetch, room_id, true).await;
    assert_complete(&newer, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_250_messages_when_paging_over_the_websocket_both_ways_then_there_is_no_gap_or_duplicate()
 {
    let app = TestApp::spawn_unthrottled().await;
    let (alice, _bob, room_id, ids) = seeded(&app).await;
    let ws = tokio::sync::Mutex::new(WsClient::connect(&app, &alice.token).await);
    let fetch = |page: Page| {
        let ws = &ws;
        async move {
            let reply = ws.lock().await.history(room_id, page).await;
            assert_eq!(reply.str_at("/type"), "history", "{reply}");
            assert_eq!(reply.u64_at("/room_id"), room_id);
            reply
        }
    };

    let (older, pages) = backwards(64, fetch, room_id, true).await;
    assert_complete(&older, &ids);
    // Short messages: every page fits the 128 KB push limit, so none is cut.
    assert_eq!(pages, 4, "64 × 3 + 58");

    let (newer, pages) = forwards(64, fetch, room_id, true).await;
    assert_complete(&newer, &ids);
    assert_eq!(pages, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_history_queries_then_defaults_and_edges_follow_the_spec() {
    let app = TestApp::spawn_unthrottled().await;
    let (alice, _bob, room_id, ids) = seeded(&app).await;

    // No cursor, no limit: the newest 50, oldest first, more before them.
    let newest = app
        .history(&alice.token, room_id, Page::latest())
        .await
        .expect(200);
    let got: Vec<u64> = page_messages(&newest, room_id)
        .iter()
        .map(|m| m.u64_at("/id"))
        .collect();
    assert_eq!(got, ids[200..].to_vec());
    assert!(newest.bool_at("/has_more"));

    // Exactly at the ends.
    let first = app
        .history(&alice.token, room_id, Page::before(ids[1]).limit(100))
        .await
        .expect(200);
    assert_eq!(page_messages(&first, room_id).len(), 1);
    assert!(
        !first.bool_at("/has_more"),
        "nothing is older than the first: {first}"
    );
    let last = app
        .history(&alice.token, room_id, Page::after(ids[249]))
        .await
        .expect(200);
    assert!(page_messages(&last, room_id).is_empty());
    assert!(!last.bool_at("/has_more"));
    let all = app
        .history(&alice.token, room_id, Page::after(0).limit(100))
        .await
        .expect(200);
    assert_eq!(page_messages(&all, room_id)[0].u64_at("/id"), ids[0]);

    // Out of range and contradictory queries are refused.
    for page in [
        Page::latest().limit(0),
        Page::latest().limit(101),
        Page {
            before: Some(ids[10]),
            after: Some(ids[2]),
            limit: None,
        },
    ] {
        app.history(&alice.token, room_id, page)
            .await
            .expect_error(400, "INVALID_FIELD");
    }
    app.get(
        &format!("/rooms/{room_id}/messages?limit=lots"),
        Some(&alice.token),
    )
    .await
    .expect_error(400, "INVALID_FIELD");

    let mut ws = WsClient::connect(&app, &alice.token).await;
    let reply = ws.history(room_id, Page::latest().limit(101)).await;
    banter_e2e::assert_error_frame(&reply, "INVALID_FIELD");
    ws.ping().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_pages_too_big_for_one_push_when_paging_over_the_websocket_then_pages_shrink_without_gaps()
 {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    // 100 messages of 4,000 characters: about 400 KB, three times one push.
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for n in 1..=100u64 {
        let text = format!("{n:04}{}", "x".repeat(3_996));
        ids.push(
            app.send_text(&alice.token, room_id, &text)
                .await
                .u64_at("/id"),
        );
        texts.push(text);
    }
    let ws = tokio::sync::Mutex::new(WsClient::connect(&app, &bob.token).await);
    let fetch = |page: Page| {
        let ws = &ws;
        async move {
            let reply = ws.lock().await.history(room_id, page).await;
            assert_eq!(
                reply.get("type"),
                Some(&json!("history")),
                "error {:?}",
                reply.get("code")
            );
            reply
        }
    };

    for (collected, pages) in [
        backwards(100, fetch, room_id, false).await,
        forwards(100, fetch, room_id, false).await,
    ] {
        let got: Vec<u64> = collected.iter().map(|m| m.u64_at("/id")).collect();
        assert_eq!(got, ids, "paging lost or repeated messages");
        for (m, text) in collected.iter().zip(&texts) {
            assert_eq!(m.str_at("/text"), text);
        }
        assert!(
            pages >= 4,
            "400 KB cannot come in fewer than 4 pushes, got {pages} pages"
        );
    }
}
