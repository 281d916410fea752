//! Starting up: the template and the functions must agree; the data dir.

use crate::support::{Recorder, stand_ins};
use banter_local::{Functions, LocalServer, Options};
use std::sync::Arc;

#[tokio::test]
async fn given_a_template_binary_without_a_function_then_startup_fails_naming_it() {
    let functions = stand_ins(Arc::new(Recorder::default()));
    // Everything but the message function.
    let mut partial = Functions::empty();
    for binary in functions.binaries().filter(|b| *b != "banter-ws-message") {
        if let Some(banter_local::LocalFunction::WebSocket(f)) = functions.get(binary) {
            let f = f.clone();
            partial = partial.with_ws(binary, move |s, e| f(s, e));
        } else if let Some(banter_local::LocalFunction::Http(f)) = functions.get(binary) {
            let f = f.clone();
            partial = partial.with_http(binary, move |s, r| f(s, r));
        }
    }
    let error = LocalServer::start(Options::in_memory().functions(partial))
        .await
        .err()
        .expect("startup must fail");
    let message = format!("{error:#}");
    assert!(message.contains("banter-ws-message"), "{message}");
    assert!(message.contains("drifted"), "{message}");
}

#[tokio::test]
async fn given_a_missing_template_then_startup_says_where_it_looked() {
    let mut options = Options::in_memory().functions(Functions::empty());
    options.template = "/nowhere/template.yaml".into();
    let message = format!(
        "{:#}",
        LocalServer::start(options).await.err().expect("must fail")
    );
    assert!(
        message.contains("/nowhere/template.yaml") && message.contains("--template"),
        "{message}"
    );
}

#[tokio::test]
async fn given_a_data_dir_then_it_is_created_and_the_secret_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let start = || {
        let mut options = Options::in_memory().functions(stand_ins(Arc::new(Recorder::default())));
        options.data_dir = Some(data.clone());
        LocalServer::start(options)
    };
    let first = start().await.expect("starts");
    let token = first
        .issue_token(banter_core::domain::UserId(7))
        .expect("token");
    first.shutdown().await.expect("shutdown");
    assert!(data.join("jwt-secret").is_file());
    assert!(data.join("banter.sqlite3").is_file());
    assert!(data.join("blobs").is_dir());

    let second = start().await.expect("restarts");
    assert_eq!(
        second.services().tokens.verify(&token),
        Ok(banter_core::domain::UserId(7))
    );
    second.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn given_config_overrides_then_the_services_use_them() {
    let options = Options::in_memory()
        .functions(stand_ins(Arc::new(Recorder::default())))
        .config(|config| config.fanout_concurrency = 3);
    let server = LocalServer::start(options).await.expect("starts");
    assert_eq!(server.services().config.fanout_concurrency, 3);
}

#[tokio::test]
async fn given_the_real_handlers_then_every_template_route_has_its_function() {
    // `Options::in_memory()` defaults to `Functions::banter()`, i.e.
    // `banter_handlers::FUNCTIONS`: the template and the code agree.
    let server = LocalServer::start(Options::in_memory())
        .await
        .expect("starts with the real handlers");
    server.shutdown().await.expect("shutdown");
}
