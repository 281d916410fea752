//! `TestApp`: banter-local in process on 127.0.0.1 port 0 with its own state,
//! and one helper per REST endpoint.
//!
//! Only [`start_server`] knows banter-local's library API: if that API
//! changes, that function is the one place to adapt.

use crate::json::{JsonExt, random_id};
use crate::reply::Reply;
use crate::{WAIT, tokens};
pub use banter_core::config::rate_limits::{RateLimit, RateLimits};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

/// What a test may choose about the server it starts.
#[derive(Clone)]
pub struct AppBuilder {
    data_dir: Option<PathBuf>,
    typing_ttl: Option<Duration>,
    jwt_ttl: Option<Duration>,
    idle_timeout: Option<Duration>,
    max_connection_age: Option<Duration>,
    functions: Option<banter_local::Functions>,
    rate_limits: Option<RateLimits>,
    faults: Option<banter_local::Faults>,
}

impl AppBuilder {
    /// Inject API Gateway's failures (see `banter_local::Faults`).
    pub fn faults(mut self, spec: &str) -> Self {
        self.faults = Some(
            banter_local::Faults::parse(spec)
                .unwrap_or_else(|why| panic!("faults {spec:?}: {why}")),
        );
        self
    }

    /// Rate limits other than the production defaults.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Persist to this directory instead of in-memory SQLite and a temporary
    /// blob directory (needed to restart over the same data).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// How long a `typing: true` holds without a refresh.
    pub fn typing_ttl(mut self, ttl: Duration) -> Self {
        self.typing_ttl = Some(ttl);
        self
    }

    /// How long issued tokens live.
    pub fn jwt_ttl(mut self, ttl: Duration) -> Self {
        self.jwt_ttl = Some(ttl);
        self
    }

    /// Close sockets with no data frame from the client for this long
    /// (API Gateway: 10 min).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Close every socket this long after it opened (API Gateway: 2 h).
    pub fn max_connection_age(mut self, age: Duration) -> Self {
        self.max_connection_age = Some(age);
        self
    }

    /// Serve these functions instead of the real handlers: for the suite's
    /// own checks, which inject faults a test must catch.
    pub fn functions(mut self, functions: banter_local::Functions) -> Self {
        self.functions = Some(functions);
        self
    }

    pub async fn spawn(self) -> TestApp {
        init_tracing();
        let server = start_server(&self).await;
        TestApp::around(server, self)
    }
}

/// A running banter-local plus clients for it.
pub struct TestApp {
    server: Option<banter_local::RunningServer>,
    options: AppBuilder,
    http: reqwest::Client,
    http_url: String,
    ws_url: String,
}

/// A registered user with a valid token.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: u64,
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub token: String,
}

/// Which history page to ask for; the same for REST and WebSocket.
#[derive(Clone, Copy, Debug, Default)]
pub struct Page {
    pub before: Option<u64>,
    pub after: Option<u64>,
    pub limit: Option<u64>,
}

impl Page {
    /// The newest page.
    pub fn latest() -> Self {
        Self::default()
    }
    pub fn before(id: u64) -> Self {
        Self {
            before: Some(id),
            ..Self::default()
        }
    }
    /// `after(0)` pages from the very start.
    pub fn after(id: u64) -> Self {
        Self {
            after: Some(id),
            ..Self::default()
        }
    }
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// `?before=..&limit=..` for REST.
    pub fn query(&self) -> String {
        let parts: Vec<String> = [
            ("before", self.before),
            ("after", self.after),
            ("limit", self.limit),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}={v}")))
        .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The same as fields of a WebSocket `history` frame.
    pub fn fields(&self) -> Value {
        let mut fields = json!({});
        for (name, value) in [
            ("before", self.before),
            ("after", self.after),
            ("limit", self.limit),
        ] {
            if let Some(v) = value {
                fields[name] = json!(v);
            }
        }
        fields
    }
}

fn init_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .init();
        }
    });
}

/// Starts banter-local as `options` say. The one place that knows its API.
async fn start_server(options: &AppBuilder) -> banter_local::RunningServer {
    let typing_ttl = options.typing_ttl;
    let jwt_ttl = options.jwt_ttl;
    let rate_limits = options.rate_limits;
    let mut local = banter_local::Options::in_memory().config(move |config| {
        if let Some(limits) = rate_limits {
            config.rate_limits = limits;
        }
        if let Some(ttl) = typing_ttl {
            config.typing_ttl = ttl;
        }
        if let Some(ttl) = jwt_ttl {
            config.jwt.ttl = ttl;
        }
    });
    local.data_dir = options.data_dir.clone();
    if let Some(timeout) = options.idle_timeout {
        local.idle_timeout = timeout;
    }
    if let Some(age) = options.max_connection_age {
        local.max_connection_age = age;
    }
    if let Some(functions) = &options.functions {
        local.functions = functions.clone();
    }
    if let Some(faults) = options.faults {
        local.faults = faults;
    }
    banter_local::LocalServer::start(local)
        .await
        .expect("banter-local should start on 127.0.0.1:0")
}

impl TestApp {
    /// banter-local with in-memory state and default settings.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    /// banter-local without rate limits: for tests that seed hundreds of
    /// messages or users as fast as they can, which is not what they test.
    pub async fn spawn_unthrottled() -> Self {
        Self::builder()
            .rate_limits(RateLimits::unlimited())
            .spawn()
            .await
    }

    pub fn builder() -> AppBuilder {
        AppBuilder {
            data_dir: None,
            typing_ttl: None,
            jwt_ttl: None,
            idle_timeout: None,
            max_connection_age: None,
            functions: None,
            rate_limits: None,
            faults: None,
        }
    }

    fn around(server: banter_local::RunningServer, options: AppBuilder) -> Self {
        let http = reqwest::Client::builder()
            // Downloads answer 302; tests look at it before following.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(WAIT)
            .build()
            .expect("building the HTTP client");
        let http_url = server.http_url().trim_end_matches('/').to_owned();
        let ws_url = server.ws_url().trim_end_matches('/').to_owned();
        Self {
            server: Some(server),
            options,
            http,
            http_url,
            ws_url,
        }
    }

    /// Stops the server and waits until it has let go of its port and data.
    pub async fn shutdown(&mut self) {
        if let Some(server) = self.server.take() {
            tokio::time::timeout(WAIT, server.shutdown())
                .await
                .expect("banter-local should shut down in time")
                .expect("banter-local should shut down cleanly");
        }
    }

    /// Stops the server and starts a new one with the same options (same
    /// data directory, hence the same JWT secret): a restart. The port
    /// changes.
    pub async fn restart(&mut self) {
        self.shutdown().await;
        let server = start_server(&self.options).await;
        let options = self.options.clone();
        *self = Self::around(server, options);
    }

    /// The HMAC secret tokens are signed with, for hand-made tokens.
    pub fn jwt_secret(&self) -> &[u8] {
        &self.server().services().config.jwt.secret
    }

    fn server(&self) -> &banter_local::RunningServer {
        self.server.as_ref().expect("the server is running")
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn http_url(&self) -> &str {
        &self.http_url
    }

    /// `ws://127.0.0.1:PORT`, no trailing slash, no token.
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The WebSocket URL carrying `token`.
    pub fn ws_url_with_token(&self, token: &str) -> String {
        format!("{}/?token={token}", self.ws_url)
    }

    /// The ids of the WebSocket connections open right now (past `$connect`).
    pub fn connection_ids(&self) -> Vec<String> {
        self.server().connection_ids()
    }

    // ---- plain HTTP ---------------------------------------------------------

    async fn send(&self, what: &str, request: reqwest::RequestBuilder) -> Reply {
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: request failed: {e}"));
        Reply::read(response, what).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.http_url)
    }

    fn authorized(
        &self,
        request: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `GET path`, with a bearer token if given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let request = self.authorized(self.http.get(self.url(path)), token);
        self.send(&format!("GET {path}"), request).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let request = self.authorized(self.http.post(self.url(path)).json(body), token);
        self.send(&format!("POST {path}"), request).await
    }

    /// `POST path` with any body, declared as JSON (for malformed bodies).
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let request = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(&format!("POST {path}"), self.authorized(request, token))
            .await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let request = self.authorized(self.http.delete(self.url(path)), token);
        self.send(&format!("DELETE {path}"), request).await
    }

    // ---- accounts -----------------------------------------------------------

    /// `POST /auth/register` with any body.
    pub async fn register_body(&self, body: &Value) -> Reply {
        self.post_json("/auth/register", None, body).await
    }

    /// `POST /auth/register`.
    pub async fn register(&self, username: &str, password: &str) -> Reply {
        self.register_body(&json!({"username": username, "password": password}))
            .await
    }

    /// `POST /auth/login`.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post_json(
            "/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    /// Registers a user with a random username; fails the test unless 201.
    pub async fn new_user(&self) -> TestUser {
        let username = random_id("u");
        let password = random_id("pw-");
        let body = self.register(&username, &password).await.expect(201);
        TestUser {
            id: body.u64_at("/user_id"),
            username: body.str_at("/username").to_owned(),
            display_name: body.str_at("/display_name").to_owned(),
            token: body.str_at("/token").to_owned(),
            password,
        }
    }

    /// A token for `user_id` signed with this server's secret, as the server
    /// would issue it.
    pub fn token_for(&self, user_id: u64) -> String {
        tokens::valid(self.jwt_secret(), user_id)
    }

    // ---- rooms --------------------------------------------------------------

    /// `GET /rooms`.
    pub async fn rooms(&self, token: &str) -> Reply {
        self.get("/rooms", Some(token)).await
    }

    /// `POST /rooms/dm` `{"user_id"}`.
    pub async fn open_dm(&self, token: &str, user_id: u64) -> Reply {
        self.post_json("/rooms/dm", Some(token), &json!({"user_id": user_id}))
            .await
    }

    /// `POST /rooms/group`.
    pub async fn create_group(&self, token: &str, name: &str, member_ids: &[u64]) -> Reply {
        self.post_json(
            "/rooms/group",
            Some(token),
            &json!({"name": name, "member_ids": member_ids}),
        )
        .await
    }

    /// `GET /rooms/{room_id}`.
    pub async fn room(&self, token: &str, room_id: u64) -> Reply {
        self.get(&format!("/rooms/{room_id}"), Some(token)).await
    }

    /// `POST /rooms/{room_id}/members`.
    pub async fn add_member(&self, token: &str, room_id: u64, user_id: u64) -> Reply {
        self.post_json(
            &format!("/rooms/{room_id}/members"),
            Some(token),
            &json!({"user_id": user_id}),
        )
        .await
    }

    /// `DELETE /rooms/{room_id}/members/{user_id}`.
    pub async fn remove_member(&self, token: &str, room_id: u64, user_id: u64) -> Reply {
        self.delete(&format!("/rooms/{room_id}/members/{user_id}"), Some(token))
            .await
    }

    /// A DM between two users; its room id.
    pub async fn dm(&self, a: &TestUser, b: &TestUser) -> u64 {
        let room = self.open_dm(&a.token, b.id).await.expect(201);
        room.u64_at("/room/id")
    }

    /// A group created by `creator` with `others`; its room id.
    pub async fn group(&self, creator: &TestUser, others: &[&TestUser]) -> u64 {
        let ids: Vec<u64> = others.iter().map(|u| u.id).collect();
        let room = self
            .create_group(&creator.token, &random_id("group-"), &ids)
            .await
            .expect(201);
        room.u64_at("/room/id")
    }

    // ---- messages -----------------------------------------------------------

    /// `GET /rooms/{room_id}/messages`.
    pub async fn history(&self, token: &str, room_id: u64, page: Page) -> Reply {
        self.get(
            &format!("/rooms/{room_id}/messages{}", page.query()),
            Some(token),
        )
        .await
    }

    /// `POST /rooms/{room_id}/messages` with any body.
    pub async fn send_rest(&self, token: &str, room_id: u64, body: &Value) -> Reply {
        self.post_json(&format!("/rooms/{room_id}/messages"), Some(token), body)
            .await
    }

    /// Sends `text` over REST with a fresh client message id; the message.
    pub async fn send_text(&self, token: &str, room_id: u64, text: &str) -> Value {
        let body = json!({"text": text, "client_message_id": random_id("c-")});
        let reply = self.send_rest(token, room_id, &body).await.expect(201);
        reply.at("/message").clone()
    }

    /// `POST /rooms/{room_id}/read`, up to `message_id` or the newest.
    pub async fn mark_read(&self, token: &str, room_id: u64, message_id: Option<u64>) -> Reply {
        let body = match message_id {
            Some(id) => json!({"message_id": id}),
            None => json!({}),
        };
        self.post_json(&format!("/rooms/{room_id}/read"), Some(token), &body)
            .await
    }

    // ---- files --------------------------------------------------------------

    /// `POST /rooms/{room_id}/uploads`.
    pub async fn create_upload(
        &self,
        token: &str,
        room_id: u64,
        file_name: &str,
        content_type: &str,
        size: u64,
    ) -> Reply {
        self.post_json(
            &format!("/rooms/{room_id}/uploads"),
            Some(token),
            &json!({"file_name": file_name, "content_type": content_type, "size": size}),
        )
        .await
    }

    /// Sends `bytes` as the `upload` object of a create-upload answer says:
    /// its URL, its method, exactly its headers.
    pub async fn put_upload(&self, upload: &Value, bytes: Vec<u8>) -> Reply {
        let url = upload.str_at("/url");
        let method = reqwest::Method::from_bytes(upload.str_at("/method").as_bytes())
            .expect("upload.method should be an HTTP method");
        let mut request = self.http.request(method, url).body(bytes);
        for header in upload.array_at("/headers") {
            request = request.header(header.str_at("/0"), header.str_at("/1"));
        }
        self.send(&format!("upload to {url}"), request).await
    }

    /// `GET /rooms/{room_id}/files/{file_id}`, without following the 302.
    pub async fn download(&self, token: &str, room_id: u64, file_id: &str) -> Reply {
        self.get(&format!("/rooms/{room_id}/files/{file_id}"), Some(token))
            .await
    }

    /// `GET url` (absolute, or relative to the server): status and bytes.
    pub async fn fetch(&self, url: &str) -> (u16, Vec<u8>) {
        let url = if url.starts_with('/') {
            self.url(url)
        } else {
            url.to_owned()
        };
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url} failed: {e}"));
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("reading GET {url} failed: {e}"));
        (status, bytes.to_vec())
    }

    // ---- API Gateway Management API ------------------------------------------

    fn connection_path(id: &str) -> String {
        format!("/@connections/{id}")
    }

    /// `POST /@connections/{id}`: push `body` to a connection.
    pub async fn post_to_connection(&self, id: &str, body: Vec<u8>) -> Reply {
        let request = self
            .http
            .post(self.url(&Self::connection_path(id)))
            .body(body);
        self.send(&format!("POST /@connections/{id}"), request)
            .await
    }

    /// `GET /@connections/{id}`.
    pub async fn get_connection(&self, id: &str) -> Reply {
        self.get(&Self::connection_path(id), None).await
    }

    /// `DELETE /@connections/{id}`.
    pub async fn delete_connection(&self, id: &str) -> Reply {
        self.delete(&Self::connection_path(id), None).await
    }
}
