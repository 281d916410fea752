//! Messages and accounts survive a restart over the same data directory.

use banter_e2e::{JsonExt, Page, TestApp, WsClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_data_dir_when_banter_local_restarts_then_history_accounts_and_tokens_survive() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let mut app = TestApp::builder().data_dir(dir.path()).spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut sent = Vec::new();
    for n in 1..=3 {
        sent.push(
            app.send_text(&alice.token, room_id, &format!("before restart {n}"))
                .await,
        );
    }
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
    let upload = app
        .create_upload(
            &alice.token,
            room_id,
            "kept.bin",
            "application/octet-stream",
            bytes.len() as u64,
        )
        .await
        .expect(201);
    let put = app.put_upload(upload.at("/upload"), bytes.clone()).await;
    assert!((200..300).contains(&put.status), "{}", put.text);
    let file_id = upload.str_at("/file_id").to_owned();

    app.restart().await;

    // The old token still verifies (same secret), the history is all there.
    let history = app
        .history(&bob.token, room_id, Page::latest())
        .await
        .expect(200);
    let messages = history.array_at("/messages");
    assert_eq!(messages.len(), 3, "{history}");
    for (got, want) in messages.iter().zip(&sent) {
        assert_eq!(got, want);
    }
    // Logging in still works with the same password.
    let login = app
        .login(&alice.username, &alice.password)
        .await
        .expect(200);
    assert_eq!(login.u64_at("/user_id"), alice.id);
    // The room keeps counting where it left off.
    let mut ws = WsClient::connect(&app, &alice.token).await;
    let next = ws.send_message(room_id, "after restart").await;
    assert_eq!(next.u64_at("/seq"), 4);
    assert!(next.u64_at("/id") > sent[2].u64_at("/id"));
    // Files too.
    let reply = app.download(&bob.token, room_id, &file_id).await;
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").expect("a Location").to_owned();
    let (status, got) = app.fetch(&location).await;
    assert_eq!(status, 200);
    assert!(got == bytes, "the file changed across the restart");
    // Usernames stay taken.
    app.register(&bob.username, "whatever123")
        .await
        .expect_error(409, "USERNAME_TAKEN");

    app.shutdown().await;
}
