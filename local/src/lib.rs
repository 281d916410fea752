//! banter-local: one process that serves Banter's SAM application on
//! 127.0.0.1 the way API Gateway serves it on AWS — the WebSocket API with
//! its route selection, limits and Management API, and the HTTP API —
//! calling the very same handler code in process, with SQLite and files on
//! disk in place of DynamoDB and S3.
//!
//! Routes come from `template.yaml`; a route whose binary has no handler
//! stops startup, so the template and the code cannot drift.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use banter_local::{LocalServer, Options};
//! let server = LocalServer::start(Options::in_memory()).await?;
//! println!("{}", server.ws_url());
//! server.shutdown().await?; // every $disconnect delivered
//! # Ok(()) }
//! ```

// Grouped by what each part emulates.
pub mod api_gateway;
pub mod dynamodb_stream;
pub mod s3;

pub mod cli;
pub mod data_dir;
pub mod functions;
pub mod server;

pub use api_gateway::faults::Faults;
pub use api_gateway::push::LocalPush;
pub use banter_template::ApiTemplate;
pub use functions::{Functions, LocalFunction};
pub use s3::FsBlobStore;
pub use server::{LocalServer, Options, RunningServer};

/// Logs to stderr following `RUST_LOG` (default `info`). The binary calls
/// it; tests stay silent unless they call it too.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

/// For tests: logs through the test harness's capture, only if `RUST_LOG` is set.
pub fn init_test_tracing() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}
