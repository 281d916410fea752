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
use banter_testkit::{LocalServer, workspace_root};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const INSTALL: &str = "scripts/lib/moto.sh";

/// The running moto server (started on first use).
fn server() -> &'static LocalServer {
    static SERVER: OnceLock<LocalServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = find_server();
        LocalServer::start("moto_server", "moto", INSTALL, |port| {
            let mut moto = Command::new(&bin);
            moto.arg("-H")
                .arg("127.0.0.1")
                .arg("-p")
                .arg(port.to_string());
            Ok(moto)
        })
    })
}

fn find_server() -> PathBuf {
    let bin = workspace_root().join(".tools/moto/venv/bin/moto_server");
    if !bin.is_file() {
        panic!(
            "moto is not installed (no {}).\nRun {INSTALL} (scripts/test does) to install \
             moto[server] from PyPI.",
            bin.display()
        );
    }
    bin
}

/// The server's endpoint, `http://127.0.0.1:<port>` (started on first use):
/// for processes that are not given a client, like the Lambda functions of
/// tests/lambda (`AWS_ENDPOINT_URL_*`).
pub fn endpoint() -> String {
    server().endpoint()
}

/// A client for moto: dummy credentials, a fixed region, the server's
/// endpoint, path-style addressing (no bucket subdomains on 127.0.0.1). No
/// environment is read.
pub fn client() -> Client {
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
        .endpoint_url(server().endpoint())
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
