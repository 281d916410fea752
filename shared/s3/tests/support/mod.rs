//! moto's S3 for tests: one `moto_server` per test binary on a free loopback
//! port, started on first use and stopped when the binary exits; one fresh
//! bucket per test.
//!
//! moto comes from PyPI (`moto[server]`, pinned), installed by
//! `scripts/lib/moto.sh` into `.tools/moto/venv/`. If it is missing or will
//! not start, the test fails and says to run that script: a test never
//! passes without it.

#![allow(dead_code)]

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use banter_s3::S3BlobStore;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const INSTALL: &str = "scripts/lib/moto.sh";
const STARTUP: Duration = Duration::from_secs(60);

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running moto server. Its wrapper shell kills it once our end of its
/// stdin closes, which happens however this process ends.
struct Server {
    port: u16,
    _stdin: Mutex<ChildStdin>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = find_server();
        let mut last_error = String::new();
        // A free port can be taken between our check and moto's bind: retry.
        for _ in 0..3 {
            match start(&bin) {
                Ok(server) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("moto_server did not start: {last_error}\nRun {INSTALL} (scripts/test does).")
    })
}

fn find_server() -> PathBuf {
    let bin = root().join(".tools/moto/venv/bin/moto_server");
    if !bin.is_file() {
        panic!(
            "moto is not installed (no {}).\nRun {INSTALL} (scripts/test does) to install \
             moto[server] from PyPI.",
            bin.display()
        );
    }
    bin
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

fn start(bin: &Path) -> Result<Server, String> {
    let port = free_port();
    let log_path = std::env::temp_dir().join(format!("banter-moto-{port}.log"));
    let log = File::create(&log_path).map_err(|error| format!("creating its log: {error}"))?;
    let log_err = log.try_clone().map_err(|error| error.to_string())?;
    // `read` returns when our end of stdin closes (this process exited): then
    // the shell stops moto. So no test run leaves a server behind.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$@" & moto=$!; read -r _ || true; kill "$moto" 2>/dev/null; wait "$moto""#)
        .arg("moto")
        .arg(bin)
        .arg("-H")
        .arg("127.0.0.1")
        .arg("-p")
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|error| format!("running sh/moto_server: {error}"))?;
    let stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let started = Instant::now();
    while started.elapsed() < STARTUP {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(Server {
                port,
                _stdin: Mutex::new(stdin),
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "it exited ({status}) on port {port}:\n{}",
                tail(&log_path)
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(stdin);
    let _ = child.wait();
    Err(format!(
        "it did not answer on port {port} within {STARTUP:?}:\n{}",
        tail(&log_path)
    ))
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let length = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(length.saturating_sub(4000)));
        let _ = file.read_to_string(&mut text);
    }
    text
}

/// The server's endpoint, `http://127.0.0.1:<port>` (started on first use):
/// for processes that are not given a client, like the Lambda functions of
/// tests/lambda (`AWS_ENDPOINT_URL_*`).
pub fn endpoint() -> String {
    format!("http://127.0.0.1:{}", server().port)
}

/// A client for moto: dummy credentials, a fixed region, the server's
/// endpoint, path-style addressing (no bucket subdomains on 127.0.0.1). No
/// environment is read.
pub fn client() -> Client {
    let server = server();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "bantertests",
            "bantertests",
            None,
            None,
            "static",
        ))
        .endpoint_url(format!("http://127.0.0.1:{}", server.port))
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

/// A store on a fresh bucket with a random name.
pub async fn fresh_store() -> S3BlobStore {
    let client = client();
    let bucket = format!("banter-test-{:016x}", rand::random::<u64>());
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|error| {
            panic!(
                "creating bucket {bucket} in moto: {}\nRun {INSTALL}.",
                aws_sdk_s3::error::DisplayErrorContext(&error)
            )
        });
    S3BlobStore::new(client, bucket)
}

/// A key like the ones core passes.
pub fn room_key() -> String {
    format!(
        "rooms/{}/files/{:032x}",
        rand::random::<u32>(),
        rand::random::<u128>()
    )
}

/// The value of query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| {
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}
