//! The suite checks itself: a server with an injected fault must fail the
//! very assertions the real tests rely on, so a green run means something.

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use banter_e2e::{TestApp, WsClient, tokens};
use banter_local::{Functions, LocalFunction};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "accepted a bad token")]
async fn given_a_connect_handler_that_lets_every_token_in_then_the_token_check_fails() {
    let lets_everyone_in = Functions::banter().with_ws("banter-ws-connect", |_, _| async {
        let mut ok = ApiGatewayProxyResponse::default();
        ok.status_code = 200;
        ok
    });
    let app = TestApp::builder().functions(lets_everyone_in).spawn().await;
    let alice = app.new_user().await;

    crate::tokens::assert_refused(&app, &tokens::forged(alice.id), "UNAUTHORIZED").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "unexpected \"message\" event")]
async fn given_a_message_handler_that_runs_every_frame_twice_then_the_exactly_once_check_fails() {
    let real = match Functions::banter().get("banter-ws-message") {
        Some(LocalFunction::WebSocket(handler)) => handler.clone(),
        _ => panic!("banter-local has no banter-ws-message function"),
    };
    let twice = Functions::banter().with_ws("banter-ws-message", move |services, event| {
        let real = real.clone();
        async move {
            let _ = real(services.clone(), event.clone()).await;
            real(services, event).await
        }
    });
    let app = TestApp::builder().functions(twice).spawn().await;
    let alice = app.new_user().await;
    let bob = app.new_user().await;
    let room_id = app.dm(&alice, &bob).await;
    let mut alice_ws = WsClient::connect(&app, &alice.token).await;

    // No client message id, so the second run stores a second message.
    alice_ws
        .send_json(&json!({"action": "send", "room_id": room_id, "text": "once?"}))
        .await;

    alice_ws.event("message").await;
    alice_ws.expect_quiet("message").await;
}
