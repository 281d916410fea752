//! Every sample event of `events/`, in an order that makes each one valid
//! on a fresh table (the samples name user 1 "mark", users 2-4, room 1 a
//! group and room 2 a DM), sent to the function that serves it, with the
//! status codes and side effects checked in DynamoDB and S3.
//!
//! The same run drives the real binaries under `cargo lambda watch`
//! (functions.rs) and the handlers in process (template.rs, which records
//! the AWS calls each function makes against the IAM the template grants).

use super::events::{self, Kind, body, status, with_body, with_connection, with_token};
use async_trait::async_trait;
use banter_core::domain::{ConnectionId, RoomId, UserId, Username};
use banter_core::ports::{ConnectionStore, HistoryQuery, MessageStore, RoomStore, UserStore};
use banter_dynamodb::DynamoStore;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Runs one event through one function and returns what it returned (for
/// HTTP and WebSocket functions, `statusCode`, `headers`, `body`).
#[async_trait]
pub trait Invoke: Sync {
    async fn invoke(&self, binary: &str, event: &Value) -> Value;
}

/// What the run saw.
#[derive(Debug, Default)]
pub struct Report {
    /// Event file (or step) → (binary, status).
    pub calls: Vec<(String, String, u64)>,
    pub mark_token: String,
    pub sam_token: String,
    /// The uploaded file's id and bytes.
    pub file: Option<(String, Vec<u8>)>,
}

/// The events this run sends itself, in this order; any other file in
/// `events/` (new dialects' samples) is sent afterwards with a token.
pub const ORDERED: &[&str] = &[
    "http-register.json",
    "http-login.json",
    "http-create-group.json",
    "http-add-member.json",
    "http-remove-member.json",
    "http-create-dm.json",
    "http-list-rooms.json",
    "http-room-info.json",
    "http-send.json",
    "http-history.json",
    "http-mark-read.json",
    "http-create-upload.json",
    "http-download.json",
    "ws-connect-no-token.json",
    "ws-connect.json",
    "ws-send.json",
    "ws-typing.json",
    "ws-read.json",
    "ws-history.json",
    "ws-rooms.json",
    "ws-ping.json",
    "ws-default-bad-json.json",
    "ws-disconnect.json",
];

pub struct Run<'a> {
    pub invoker: &'a dyn Invoke,
    /// The table the functions use, read directly to check side effects.
    pub store: &'a DynamoStore,
    /// Mark's and Sam's WebSocket connection ids.
    pub mark_connection: String,
    pub sam_connection: String,
    pub report: Report,
}

impl Run<'_> {
    async fn call(&mut self, step: &str, event: Value) -> Value {
        let binary = events::binary_for(&event).unwrap_or_else(|| {
            panic!(
                "{step}: no function in template.yaml serves {:?}",
                events::kind(&event)
            )
        });
        let response = self.invoker.invoke(&binary, &event).await;
        self.report
            .calls
            .push((step.to_owned(), binary, status(&response)));
        response
    }

    async fn expect(&mut self, step: &str, event: Value, expected: u64) -> Value {
        let response = self.call(step, event).await;
        assert_eq!(
            status(&response),
            expected,
            "{step}: expected {expected}, got {response}"
        );
        body(&response)
    }

    fn sample(&self, name: &str) -> Value {
        with_token(&events::load(name), &self.report.mark_token)
    }

    fn ws(&self, name: &str) -> Value {
        with_connection(self.sample(name), &self.mark_connection)
    }

    async fn user_id(&self, name: &str) -> UserId {
        let username = Username::parse(name).expect("a username");
        self.store
            .user_by_username(&username)
            .await
            .expect("reading DynamoDB")
            .unwrap_or_else(|| panic!("{name} is not in DynamoDB"))
            .user
            .id
    }

    pub async fn run(&mut self) {
        // ---- accounts ----------------------------------------------------
        let registered = self
            .expect(
                "http-register.json",
                events::load("http-register.json"),
                201,
            )
            .await;
        assert_eq!(registered["username"], "mark", "{registered}");
        assert_eq!(
            self.user_id("mark").await,
            UserId(1),
            "register stores the user in DynamoDB; the samples expect mark to be user 1"
        );
        for (i, name) in ["sam", "alex", "kim"].into_iter().enumerate() {
            let event = with_body(
                events::load("http-register.json"),
                &json!({"username": name, "password": "battery staple"}),
            );
            let user = self.expect(&format!("register {name}"), event, 201).await;
            if name == "sam" {
                self.report.sam_token = user["token"].as_str().unwrap_or_default().to_owned();
            }
            assert_eq!(self.user_id(name).await, UserId(i as u64 + 2), "{name}");
        }
        let login = self
            .expect("http-login.json", events::load("http-login.json"), 200)
            .await;
        self.report.mark_token = login["token"]
            .as_str()
            .expect("login returns a token")
            .to_owned();

        // ---- rooms -------------------------------------------------------
        let group = self
            .expect(
                "http-create-group.json",
                self.sample("http-create-group.json"),
                201,
            )
            .await;
        assert_eq!(group["room"]["id"], 1, "the samples use room 1: {group}");
        self.expect(
            "http-add-member.json",
            self.sample("http-add-member.json"),
            200,
        )
        .await;
        assert!(self.member(1, 4).await, "add member is stored");
        self.expect(
            "http-remove-member.json",
            self.sample("http-remove-member.json"),
            204,
        )
        .await;
        assert!(!self.member(1, 4).await, "remove member is stored");
        let dm = self
            .expect(
                "http-create-dm.json",
                self.sample("http-create-dm.json"),
                201,
            )
            .await;
        assert_eq!(dm["room"]["id"], 2, "{dm}");
        let rooms = self
            .expect(
                "http-list-rooms.json",
                self.sample("http-list-rooms.json"),
                200,
            )
            .await;
        assert_eq!(rooms["rooms"].as_array().map(Vec::len), Some(2), "{rooms}");
        self.expect(
            "http-room-info.json",
            self.sample("http-room-info.json"),
            200,
        )
        .await;

        // ---- messages ----------------------------------------------------
        let sent = self
            .expect("http-send.json", self.sample("http-send.json"), 201)
            .await;
        assert_eq!(sent["message"]["text"], "Hello Sam", "{sent}");
        assert!(
            self.stored(1, "Hello Sam").await,
            "the sent message is in DynamoDB"
        );
        let page = self
            .expect("http-history.json", self.sample("http-history.json"), 200)
            .await;
        assert_eq!(page["messages"][0]["text"], "Hello Sam", "{page}");
        self.expect(
            "http-mark-read.json",
            self.sample("http-mark-read.json"),
            200,
        )
        .await;

        // ---- files: presigned PUT into S3, attach, presigned GET -----------
        let upload = self
            .expect(
                "http-create-upload.json",
                self.sample("http-create-upload.json"),
                201,
            )
            .await;
        let file_id = upload["file_id"].as_str().expect("a file id").to_owned();
        let bytes = put_presigned(&upload).await;
        let attached = with_body(
            self.sample("http-send.json"),
            &json!({"file_id": file_id, "client_message_id": "c-file"}),
        );
        let sent = self.expect("send with file_id", attached, 201).await;
        assert_eq!(sent["message"]["file"]["size"], bytes.len(), "{sent}");
        let mut download = self.sample("http-download.json");
        let sample_id = download["pathParameters"]["file_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        download = serde_json::from_str(&download.to_string().replace(&sample_id, &file_id))
            .expect("JSON");
        let response = self.call("http-download.json", download).await;
        assert_eq!(status(&response), 302, "{response}");
        let url = body(&response)["url"].as_str().expect("a URL").to_owned();
        let got = reqwest::get(&url).await.expect("GET the presigned URL");
        assert_eq!(got.status(), 200, "S3 serves the presigned GET");
        assert_eq!(got.bytes().await.expect("bytes").as_ref(), bytes.as_slice());
        self.report.file = Some((file_id, bytes));

        // ---- WebSocket -----------------------------------------------------
        let refused = self
            .call(
                "ws-connect-no-token.json",
                with_connection(events::load("ws-connect-no-token.json"), "no-token-conn"),
            )
            .await;
        assert_eq!(status(&refused), 401, "{refused}");
        assert!(self.connection("no-token-conn").await.is_none());

        self.expect("ws-connect.json", self.ws("ws-connect.json"), 200)
            .await;
        assert_eq!(
            self.connection(&self.mark_connection.clone()).await,
            Some(Some(UserId(1))),
            "$connect stores mark's connection"
        );
        let sam = with_connection(
            with_token(&events::load("ws-connect.json"), &self.report.sam_token),
            &self.sam_connection,
        );
        self.expect("ws-connect.json (sam)", sam, 200).await;
        assert_eq!(
            self.connection(&self.sam_connection.clone()).await,
            Some(Some(UserId(2)))
        );

        self.expect("ws-send.json", self.ws("ws-send.json"), 200)
            .await;
        assert!(
            self.stored(1, "Hello Sam").await,
            "the WebSocket send is stored"
        );
        for name in [
            "ws-typing.json",
            "ws-read.json",
            "ws-history.json",
            "ws-rooms.json",
            "ws-ping.json",
            "ws-default-bad-json.json",
        ] {
            self.expect(name, self.ws(name), 200).await;
        }

        // ---- samples this run does not know (other dialects) --------------
        for name in events::names() {
            if ORDERED.contains(&name.as_str()) {
                continue;
            }
            let mut event = self.sample(&name);
            if matches!(events::kind(&event), Kind::WebSocket(_)) {
                event = with_connection(event, &self.mark_connection);
            }
            let response = self.call(&name, event).await;
            let code = status(&response);
            assert!(
                code < 500,
                "{name}: a sample event must not fail the function: {response}"
            );
        }

        self.expect("ws-disconnect.json", self.ws("ws-disconnect.json"), 200)
            .await;
        assert!(
            self.connection(&self.mark_connection.clone())
                .await
                .is_none(),
            "$disconnect deletes the connection"
        );
    }

    async fn member(&self, room: u64, user: u64) -> bool {
        self.store
            .membership(RoomId(room), UserId(user))
            .await
            .expect("reading DynamoDB")
            .is_some()
    }

    async fn stored(&self, room: u64, text: &str) -> bool {
        self.store
            .history(RoomId(room), HistoryQuery::Latest { limit: 100 })
            .await
            .expect("reading DynamoDB")
            .iter()
            .any(|m| m.text == text)
    }

    /// `None`: no such connection; `Some(user)`: stored, with its user.
    async fn connection(&self, id: &str) -> Option<Option<UserId>> {
        self.store
            .connection(&ConnectionId(id.to_owned()))
            .await
            .expect("reading DynamoDB")
            .map(|c| c.user_id)
    }
}

/// PUTs as many bytes as the upload asked for, with exactly the signed
/// headers, to the presigned URL; returns the bytes.
async fn put_presigned(upload: &Value) -> Vec<u8> {
    let target = &upload["upload"];
    let url = target["url"].as_str().expect("an upload URL");
    let headers: BTreeMap<String, String> = target["headers"]
        .as_array()
        .expect("upload headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap_or_default().to_ascii_lowercase(),
                pair[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let size: usize = headers
        .get("content-length")
        .and_then(|n| n.parse().ok())
        .expect("the upload signs content-length");
    let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let mut request = reqwest::Client::new().put(url).body(bytes.clone());
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("PUT to the presigned URL");
    let code = response.status();
    assert!(
        code.is_success(),
        "S3 refused the presigned PUT: {code} {}",
        response.text().await.unwrap_or_default()
    );
    bytes
}
