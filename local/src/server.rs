//! The one process: binds the address, wires SQLite, files and `LocalPush`
//! into `Services`, and routes every request to the WebSocket API, the
//! Management API, the blob endpoint or the HTTP API.

use crate::api_gateway::connections::Connections;
use crate::api_gateway::faults::Faults;
use crate::api_gateway::http::HttpGateway;
use crate::api_gateway::invoke::INTEGRATION_TIMEOUT;
use crate::api_gateway::management_api;
use crate::api_gateway::push::LocalPush;
use crate::api_gateway::websocket::{self, Sessions, WsGateway, WsLimits, WsRoutes};
use crate::data_dir::{self, DataDir};
use crate::dynamodb_stream::table_stream::TableStream;
use crate::functions::Functions;
use crate::s3::{self, FsBlobStore};
use anyhow::Context;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use banter_core::config::Config;
use banter_core::dialect::Dialects;
use banter_core::domain::{Timestamp, UserId};
use banter_core::ports::{BlobStore, Push, Store};
use banter_core::service::Services;
use banter_sqlite::SqliteStore;
use banter_template::ApiTemplate;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// API Gateway's idle timeout.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// API Gateway's maximum connection duration.
pub const MAX_CONNECTION_AGE: Duration = Duration::from_secs(2 * 3600);
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
pub const DEFAULT_DATA_DIR: &str = ".banter";

/// Changes to the production `Config` (for example short token lifetimes in tests).
pub type ConfigOverrides = Box<dyn FnOnce(&mut Config) + Send>;

/// How to run banter-local.
pub struct Options {
    /// `host:port`; port 0 picks a free one.
    pub listen: String,
    /// `None`: in-memory SQLite, blobs in a temporary dir, a fresh secret.
    pub data_dir: Option<PathBuf>,
    pub template: PathBuf,
    pub idle_timeout: Duration,
    pub max_connection_age: Duration,
    /// How long a function may run before API Gateway gives up (29 s).
    pub integration_timeout: Duration,
    /// The functions the template's binaries name.
    pub functions: Functions,
    pub config_overrides: Option<ConfigOverrides>,
    /// Injected faults (none by default; see `Faults`).
    pub faults: Faults,
}

impl Default for Options {
    /// What the binary runs: port 3000, `./.banter`, the real handlers.
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.to_owned(),
            data_dir: Some(PathBuf::from(DEFAULT_DATA_DIR)),
            template: ApiTemplate::default_path(),
            idle_timeout: IDLE_TIMEOUT,
            max_connection_age: MAX_CONNECTION_AGE,
            integration_timeout: INTEGRATION_TIMEOUT,
            functions: Functions::banter(),
            config_overrides: None,
            faults: Faults::none(),
        }
    }
}

impl Options {
    /// For tests: a free port on 127.0.0.1, everything in memory.
    pub fn in_memory() -> Self {
        Self {
            listen: "127.0.0.1:0".to_owned(),
            data_dir: None,
            ..Self::default()
        }
    }

    pub fn functions(mut self, functions: Functions) -> Self {
        self.functions = functions;
        self
    }

    pub fn config(mut self, overrides: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.config_overrides = Some(Box::new(overrides));
        self
    }
}

/// Everything a request may be routed to.
struct App {
    ws: Option<Arc<WsGateway>>,
    http: HttpGateway,
    blobs: Arc<FsBlobStore>,
    connections: Arc<Connections>,
}

pub struct LocalServer;

impl LocalServer {
    /// Reads the template, checks every route has its function, prepares
    /// the data dir, binds and serves. Returns once it accepts connections.
    pub async fn start(options: Options) -> anyhow::Result<RunningServer> {
        let template = ApiTemplate::load(&options.template).with_context(|| {
            format!(
                "banter-local serves the routes of template.yaml (pass --template PATH if it \
                 is not at {})",
                options.template.display()
            )
        })?;

        let (data_dir, temp_dir, secret, store): (PathBuf, _, _, Arc<dyn Store>) =
            match &options.data_dir {
                Some(dir) => {
                    let prepared = DataDir::prepare(dir)?;
                    let database = prepared.database();
                    let store = tokio::task::spawn_blocking(move || {
                        let store = SqliteStore::open(database)?;
                        // A previous run's sockets died with it (however it ended).
                        let stale = store.forget_connections()?;
                        if stale > 0 {
                            tracing::info!(stale, "forgot the previous run's connections");
                        }
                        anyhow::Ok(store)
                    })
                    .await??;
                    (prepared.root, None, prepared.secret, Arc::new(store))
                }
                None => {
                    let temp = tempfile::tempdir().context("cannot create a temporary dir")?;
                    std::fs::create_dir_all(temp.path().join(data_dir::BLOBS_DIR))?;
                    let store = SqliteStore::in_memory()?;
                    (
                        temp.path().to_owned(),
                        Some(temp),
                        data_dir::random_secret(),
                        Arc::new(store),
                    )
                }
            };

        let listener = tokio::net::TcpListener::bind(&options.listen)
            .await
            .with_context(|| format!("cannot listen on {}", options.listen))?;
        let addr = listener.local_addr()?;

        let mut config = Config::with_secret(secret.clone());
        if let Some(overrides) = options.config_overrides {
            overrides(&mut config);
        }
        let connections = Arc::new(Connections::with_faults(options.faults));
        let blobs = Arc::new(FsBlobStore::new(
            data_dir.join(data_dir::BLOBS_DIR),
            format!("http://{addr}"),
            &secret,
        ));
        let push: Arc<dyn Push> = Arc::new(LocalPush::new(connections.clone()));
        let blob_port: Arc<dyn BlobStore> = blobs.clone();
        let services = Arc::new(Services::new(
            store,
            blob_port.clone(),
            push.clone(),
            Arc::new(Dialects),
            config,
        ));

        let api_id = random_api_id();
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let sessions = Sessions::default();
        let ws = match &template.websocket {
            Some(api) => Some(Arc::new(WsGateway {
                routes: WsRoutes::resolve(api, &options.functions)?,
                api_id: api_id.clone(),
                services: services.clone(),
                connections: connections.clone(),
                limits: WsLimits {
                    idle_timeout: options.idle_timeout,
                    max_connection_age: options.max_connection_age,
                    integration_timeout: options.integration_timeout,
                },
                shutdown: shutdown_rx,
                sessions: sessions.clone(),
                stream: Arc::new(TableStream::resolve(
                    &template.streams,
                    &options.functions,
                    services.clone(),
                )?),
                faults: options.faults,
            })),
            None => None,
        };
        let http = HttpGateway::new(
            &template.http,
            &options.functions,
            api_id,
            services.clone(),
            options.integration_timeout,
        )?;
        let app = Arc::new(App {
            ws,
            http,
            blobs,
            connections: connections.clone(),
        });

        let router = Router::new().fallback(dispatch).with_state(app);
        let (stop_serving, stopped) = oneshot::channel::<()>();
        // Small frames go out at once: without TCP_NODELAY, Nagle's
        // algorithm holds an ack behind the previous unacknowledged one.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "cannot set TCP_NODELAY");
            }
        });
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        let serve = tokio::spawn(async move { serve.await });

        Ok(RunningServer {
            addr,
            services,
            push,
            blobs: blob_port,
            connections,
            data_dir,
            _temp_dir: temp_dir,
            shutdown: shutdown_tx,
            sessions,
            serve: Some(serve),
            stop_serving: Some(stop_serving),
            drain_timeout: options.integration_timeout * 2 + Duration::from_secs(10),
        })
    }
}

/// One request, to whichever part of API Gateway would answer it.
async fn dispatch(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    if websocket::is_upgrade(&request) {
        return match &app.ws {
            Some(ws) => websocket::upgrade(ws.clone(), peer, request).await,
            None => {
                crate::api_gateway::responses::message(http::StatusCode::NOT_FOUND, "Not Found")
            }
        };
    }
    if let Some(id) = management_api::connection_id(request.uri().path()) {
        return management_api::handle(&app.connections, &id, request).await;
    }
    if request.uri().path().starts_with(s3::URL_PREFIX) {
        return app.blobs.serve(request).await;
    }
    app.http.handle(peer, request).await
}

/// API Gateway API ids are 10 lower-case letters and digits.
fn random_api_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// A started banter-local.
pub struct RunningServer {
    addr: SocketAddr,
    services: Arc<Services>,
    push: Arc<dyn Push>,
    blobs: Arc<dyn BlobStore>,
    connections: Arc<Connections>,
    data_dir: PathBuf,
    /// Deletes the in-memory run's blob dir when the server goes.
    _temp_dir: Option<tempfile::TempDir>,
    shutdown: watch::Sender<bool>,
    sessions: Sessions,
    serve: Option<JoinHandle<std::io::Result<()>>>,
    stop_serving: Option<oneshot::Sender<()>>,
    drain_timeout: Duration,
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where WebSocket clients connect: `ws://127.0.0.1:PORT/`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The HTTP API's base URL, without a trailing slash.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Management API endpoint (what `Config` or an SDK client is
    /// given); connections are at `{endpoint}/@connections/{id}`.
    pub fn management_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The services the handlers get (SQLite, files, `LocalPush`).
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The Management API as the services push through it.
    pub fn push(&self) -> &Arc<dyn Push> {
        &self.push
    }

    /// The S3 stand-in as the services store files in it.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// A valid access token for `user`, signed with this server's secret.
    pub fn issue_token(&self, user: UserId) -> anyhow::Result<String> {
        self.services.tokens.issue(user, Timestamp::now())
    }

    /// Ids of the connections past `$connect`.
    pub fn connection_ids(&self) -> Vec<String> {
        self.connections.open_ids()
    }

    /// Closes every socket with 1001, delivers every `$disconnect`, then
    /// stops serving.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        if tokio::time::timeout(self.drain_timeout, self.sessions.wait_until_none())
            .await
            .is_err()
        {
            tracing::warn!("gave up waiting for every $disconnect");
        }
        if let Some(stop) = self.stop_serving.take() {
            let _ = stop.send(());
        }
        if let Some(serve) = self.serve.take() {
            match tokio::time::timeout(self.drain_timeout, serve).await {
                Ok(result) => result
                    .context("the server task failed")?
                    .context("serving failed")?,
                Err(_) => tracing::warn!("gave up waiting for in-flight HTTP requests"),
            }
        }
        Ok(())
    }
}

impl Drop for RunningServer {
    /// Dropped without `shutdown`: close everything in the background.
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(stop) = self.stop_serving.take() {
            let _ = stop.send(());
        }
    }
}
