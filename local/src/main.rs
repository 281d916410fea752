//! `banter-local`: see `banter-local --help`.

use banter_local::cli::{self, Command};
use banter_local::{LocalServer, Options};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match cli::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("banter-local: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    banter_local::init_tracing();
    let rate_limits = args.rate_limits;
    if args.faults != banter_local::Faults::none() {
        tracing::warn!(faults = ?args.faults, "fault injection is on");
    }
    let options = Options {
        listen: args.listen,
        data_dir: Some(args.data_dir),
        template: args.template,
        idle_timeout: args.idle_timeout,
        max_connection_age: args.max_connection_age,
        faults: args.faults,
        ..Options::default()
    }
    .config(move |config| config.rate_limits = rate_limits);
    let server = match LocalServer::start(options).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("banter-local: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("banter-local is running");
    println!(
        "  WebSocket   {}?token=<JWT from POST /auth/login>",
        server.ws_url()
    );
    println!("  HTTP API    {}", server.http_url());
    println!(
        "  Management  {}/@connections/{{connection_id}}",
        server.management_endpoint()
    );
    println!("  Data dir    {}", server.data_dir().display());
    println!("Ctrl-C stops it.");

    wait_for_signal().await;
    tracing::info!("shutting down: closing every connection");
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("banter-local: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
