//! `POST /auth/register` and `POST /auth/login`, and their errors.

use banter_e2e::{JsonExt, TestApp, random_id};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_free_username_when_registering_then_201_with_user_and_working_token() {
    let app = TestApp::spawn().await;
    let username = random_id("u");

    let body = app.register(&username, "correct horse").await.expect(201);

    assert!(body.u64_at("/user_id") > 0, "{body}");
    assert_eq!(body.str_at("/username"), username);
    assert_eq!(
        body.str_at("/display_name"),
        username,
        "display name defaults to the username"
    );
    let token = body.str_at("/token");
    assert_eq!(
        token.split('.').count(),
        3,
        "token should be a JWT: {token}"
    );
    app.rooms(token).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_display_name_when_registering_then_it_is_kept() {
    let app = TestApp::spawn().await;
    let username = random_id("u");

    let body = app
        .register_body(&json!({"username": username, "password": "correct horse", "display_name": "Mark Twain"}))
        .await
        .expect(201);

    assert_eq!(body.str_at("/display_name"), "Mark Twain");
    assert_eq!(body.str_at("/username"), username);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_taken_username_when_registering_then_409_username_taken() {
    let app = TestApp::spawn().await;
    let user = app.new_user().await;

    let reply = app.register(&user.username, "another password").await;

    reply.expect_error(409, "USERNAME_TAKEN");
    // The first account is untouched.
    app.login(&user.username, &user.password).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_invalid_usernames_when_registering_then_400_invalid_field() {
    let app = TestApp::spawn().await;
    let too_long = format!("a{}", "b".repeat(32));
    for username in [
        "ab",              // too short
        too_long.as_str(), // 33 characters
        "Mark",            // upper case
        "has space",
        "under_score",
        "1234", // no letter
        "..-",  // no letter
        "",
    ] {
        let reply = app.register(username, "correct horse").await;
        assert_eq!(reply.status, 400, "username {username:?}: {}", reply.text);
        reply.expect_error(400, "INVALID_FIELD");
    }

    // The limits themselves are fine.
    let edge = format!("a{}", random_id("").repeat(3))[..32].to_owned();
    app.register(&edge, "correct horse").await.expect(201);
    let short = format!("x{}", &random_id("")[..2]);
    app.register(&short, "correct horse").await.expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_invalid_passwords_when_registering_then_400_invalid_field() {
    let app = TestApp::spawn().await;
    for password in ["1234567".to_owned(), "p".repeat(1025), String::new()] {
        let reply = app.register(&random_id("u"), &password).await;
        reply.expect_error(400, "INVALID_FIELD");
    }
    app.register(&random_id("u"), "12345678").await.expect(201);
    app.register(&random_id("u"), &"p".repeat(1024))
        .await
        .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_missing_or_mistyped_fields_when_registering_then_400_invalid_field() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"password": "correct horse"}),
        json!({"username": random_id("u")}),
        json!({"username": 42, "password": "correct horse"}),
        json!({"username": random_id("u"), "password": ["correct horse"]}),
        json!({"username": random_id("u"), "password": "correct horse", "display_name": "d".repeat(65)}),
    ] {
        let reply = app.register_body(&body).await;
        assert_eq!(reply.status, 400, "body {body}: {}", reply.text);
        reply.expect_error(400, "INVALID_FIELD");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_body_that_is_not_a_json_object_when_registering_then_400_invalid_json() {
    let app = TestApp::spawn().await;
    for body in ["{\"username\": ", "not json", "[1, 2]"] {
        let reply = app.post_raw("/auth/register", None, body).await;
        assert_eq!(reply.status, 400, "body {body}: {}", reply.text);
        reply.expect_error(400, "INVALID_JSON");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_registered_user_when_logging_in_then_200_with_the_same_body_and_a_working_token() {
    let app = TestApp::spawn().await;
    let user = app.new_user().await;

    let body = app.login(&user.username, &user.password).await.expect(200);

    assert_eq!(body.u64_at("/user_id"), user.id);
    assert_eq!(body.str_at("/username"), user.username);
    assert_eq!(body.str_at("/display_name"), user.display_name);
    app.rooms(body.str_at("/token")).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_wrong_password_or_unknown_user_when_logging_in_then_401_invalid_credentials() {
    let app = TestApp::spawn().await;
    let user = app.new_user().await;

    app.login(&user.username, "wrong password")
        .await
        .expect_error(401, "INVALID_CREDENTIALS");
    app.login(&random_id("nobody"), &user.password)
        .await
        .expect_error(401, "INVALID_CREDENTIALS");
    // Case matters: usernames are lower case only, so this is someone else.
    app.login(&user.username.to_uppercase(), &user.password)
        .await
        .expect_error(401, "INVALID_CREDENTIALS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_no_token_when_calling_a_rest_route_then_401_unauthorized() {
    let app = TestApp::spawn().await;

    app.get("/rooms", None)
        .await
        .expect_error(401, "UNAUTHORIZED");
    app.post_json(
        "/rooms/group",
        None,
        &json!({"name": "x", "member_ids": []}),
    )
    .await
    .expect_error(401, "UNAUTHORIZED");
}
