//! Files: presigned upload, a message that carries the file, download by
//! redirect; only current members get one.

use banter_e2e::{JsonExt, TestApp, TestUser, WsClient};
use serde_json::{Value, json};

fn random_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|_| rand::random::<u8>()).collect()
}

/// Uploads `bytes` into `room_id` as `user`; the upload answer.
async fn upload(app: &TestApp, user: &TestUser, room_id: u64, name: &str, bytes: &[u8]) -> Value {
    let created = app
        .create_upload(
            &user.token,
            room_id,
            name,
            "application/octet-stream",
            bytes.len() as u64,
        )
        .await
        .expect(201);
    let put = app.put_upload(created.at("/upload"), bytes.to_vec()).await;
    assert!(
        (200..300).contains(&put.status),
        "the presigned PUT failed: {} {}",
        put.status,
        put.text
    );
    created
}

/// Downloads as `user`: checks the 302 and its body, follows it, returns the bytes.
async fn download(app: &TestApp, user: &TestUser, room_id: u64, file_id: &str) -> Vec<u8> {
    let reply = app.download(&user.token, room_id, file_id).await;
    assert_eq!(
        reply.status, 302,
        "download should redirect: {}",
        reply.text
    );
    let location = reply
        .header("location")
        .expect("a 302 has a Location")
        .to_owned();
    assert_eq!(reply.body.str_at("/url"), location, "body url = Location");
    assert!(reply.body.u64_at("/expires_at") > 0);
    let (status, bytes) = app.fetch(&location).await;
    assert_eq!(status, 200, "GET {location}");
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_uploaded_file_sent_in_a_message_then_members_download_the_same_bytes() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut bob_ws = WsClient::connect(&app, &bob.token).await;
    let bytes = random_bytes(200_000);

    let created = app
        .create_upload(
            &alice.token,
            room_id,
            "cat.png",
            "image/png",
            bytes.len() as u64,
        )
        .await
        .expect(201);
    let file_id = created.str_at("/file_id").to_owned();
    assert_eq!(created.str_at("/upload/method"), "PUT");
    assert!(created.u64_at("/expires_at") > 0);
    let put = app.put_upload(created.at("/upload"), bytes.clone()).await;
    assert!(
        (200..300).contains(&put.status),
        "{} {}",
        put.status,
        put.text
    );

    let sent = app
        .send_rest(
            &alice.token,
            room_id,
            &json!({"text": "", "file_id": file_id}),
        )
        .await
        .expect(201);

    let file = sent.at("/message/file");
    assert_eq!(file.str_at("/file_id"), file_id);
    assert_eq!(file.str_at("/name"), "cat.png");
    assert_eq!(file.str_at("/content_type"), "image/png");
    assert_eq!(file.u64_at("/size"), bytes.len() as u64);
    let event = bob_ws.event("message").await;
    assert_eq!(event.at("/message/file"), file);

    assert!(
        download(&app, &bob, room_id, &file_id).await == bytes,
        "bob got other bytes"
    );
    assert!(
        download(&app, &alice, room_id, &file_id).await == bytes,
        "alice got other bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_file_message_sent_over_the_websocket_then_it_carries_the_file() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let bytes = random_bytes(1_000);
    let created = upload(&app, &alice, room_id, "notes.txt", &bytes).await;
    let file_id = created.str_at("/file_id");
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;

    let reply = alice_ws
        .request(
            "send",
            json!({"room_id": room_id, "text": "see attached", "file_id": file_id}),
        )
        .await;

    assert_eq!(reply.str_at("/type"), "sent", "{reply}");
    assert_eq!(reply.str_at("/message/file/file_id"), file_id);
    assert_eq!(reply.str_at("/message/file/name"), "notes.txt");
    assert!(download(&app, &bob, room_id, file_id).await == bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_file_in_a_room_then_non_members_and_removed_members_cannot_download_it() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let mallory = app.new_user().await;
    let room_id = app.group(&alice, &[&bob, &carol]).await;
    let bytes = random_bytes(5_000);
    let created = upload(&app, &alice, room_id, "plan.pdf", &bytes).await;
    let file_id = created.str_at("/file_id").to_owned();
    app.send_rest(
        &alice.token,
        room_id,
        &json!({"text": "plan", "file_id": file_id}),
    )
    .await
    .expect(201);
    assert!(download(&app, &carol, room_id, &file_id).await == bytes);
    assert!(download(&app, &bob, room_id, &file_id).await == bytes);

    // Never a member.
    app.download(&mallory.token, room_id, &file_id)
        .await
        .expect_error(403, "NOT_A_MEMBER");
    app.create_upload(
        &mallory.token,
        room_id,
        "x.bin",
        "application/octet-stream",
        10,
    )
    .await
    .expect_error(403, "NOT_A_MEMBER");

    // Removed by the creator.
    app.remove_member(&alice.token, room_id, carol.id)
        .await
        .expect(204);
    app.download(&carol.token, room_id, &file_id)
        .await
        .expect_error(403, "NOT_A_MEMBER");

    // Left by themselves.
    app.remove_member(&bob.token, room_id, bob.id)
        .await
        .expect(204);
    app.download(&bob.token, room_id, &file_id)
        .await
        .expect_error(403, "NOT_A_MEMBER");

    // The remaining member still can.
    assert!(download(&app, &alice, room_id, &file_id).await == bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_file_of_another_room_or_no_file_then_download_is_not_found() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let carol = app.new_user().await;
    let ours = app.dm(&alice, &bob).await;
    let theirs = app.dm(&alice, &carol).await;
    let created = upload(&app, &alice, theirs, "secret.txt", b"for carol only").await;
    let file_id = created.str_at("/file_id").to_owned();

    // bob is in `ours`, and asks for carol's file through it.
    app.download(&bob.token, ours, &file_id)
        .await
        .expect_error(404, "NOT_FOUND");
    app.download(&bob.token, ours, "no-such-file")
        .await
        .expect_error(404, "NOT_FOUND");
    // A message cannot borrow a file of another room either.
    let reply = app
        .send_rest(&bob.token, ours, &json!({"text": "", "file_id": file_id}))
        .await;
    reply.expect_error(404, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_file_over_25_mib_when_creating_an_upload_then_413_payload_too_large() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;

    app.create_upload(
        &alice.token,
        room_id,
        "big.iso",
        "application/octet-stream",
        25 * 1024 * 1024 + 1,
    )
    .await
    .expect_error(413, "PAYLOAD_TOO_LARGE");
    app.create_upload(
        &alice.token,
        room_id,
        "edge.iso",
        "application/octet-stream",
        25 * 1024 * 1024,
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_an_upload_that_was_never_put_when_sending_it_then_the_message_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let created = app
        .create_upload(
            &alice.token,
            room_id,
            "ghost.bin",
            "application/octet-stream",
            10,
        )
        .await
        .expect(201);

    let reply = app
        .send_rest(
            &alice.token,
            room_id,
            &json!({"text": "", "file_id": created.str_at("/file_id")}),
        )
        .await;

    reply.expect_error(404, "NOT_FOUND");
    let history = app
        .history(&alice.token, room_id, banter_e2e::Page::latest())
        .await
        .expect(200);
    assert!(history.array_at("/messages").is_empty(), "{history}");
}
