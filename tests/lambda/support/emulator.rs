//! The real function binaries under cargo lambda's Lambda runtime emulator.
//!
//! `cargo lambda watch --only-lambda-apis` serves the Lambda Runtime API
//! (`/.rt/<function>/2018-06-01/runtime/invocation/next`, …) and the Invoke
//! API on one free loopback port, without starting anything itself. Each
//! function binary (built in debug by [`build`]) is started here on its
//! first invocation, with the environment a deployed function gets from the
//! template, pointed at DynamoDB Local, moto and banter-local, and invoked
//! with `cargo lambda invoke --data-file`.
//!
//! Starting the functions here (rather than letting `cargo lambda watch`
//! run `cargo run` for them) measures a cold start honestly: from the
//! process start to the first event answered, SDK clients and the JWT
//! secret included, with no cargo in between.
//!
//! Every process runs under a small `sh` that kills it when our end of its
//! stdin closes: on [`Emulator::shutdown`], on drop (a failing test), or when
//! this test process dies. `shutdown` checks that every one of them is gone.

use banter_testkit::{free_port, workspace_root};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const INSTALL: &str = "scripts/lib/cargo-lambda.sh";
/// How long an invocation may take, cold start included (debug build).
const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);
/// Time for `cargo lambda invoke` to reach the emulator before the
/// function starts polling (a poll for a function never invoked is
/// answered 204, which ends the runtime).
const INVOKE_HEAD_START: Duration = Duration::from_millis(500);
/// How much of a process's log a failure message shows.
const LOG_TAIL: u64 = 6000;

pub fn cargo_lambda() -> PathBuf {
    let bin = workspace_root().join(".tools/cargo-lambda/venv/bin/cargo-lambda");
    assert!(
        bin.is_file(),
        "cargo-lambda is not installed (no {}).\nRun {INSTALL} (scripts/test does).",
        bin.display()
    );
    bin
}

/// `target/debug`, where this test binary's sibling binaries are built.
fn target_debug() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/lambda-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_owned()
}

/// Set to a folder of already built binaries (`<dir>/<binary>` or
/// `<dir>/<binary>/bootstrap`, as `cargo lambda build` leaves them in
/// `target/lambda`) to run those instead of building debug ones.
pub const BIN_DIR_ENV: &str = "BANTER_LAMBDA_BIN_DIR";

/// Builds the function binaries (debug) and returns their folder, unless
/// [`BIN_DIR_ENV`] names one.
pub fn build(binaries: &[String]) -> PathBuf {
    if let Ok(dir) = std::env::var(BIN_DIR_ENV) {
        eprintln!("running the function binaries in {dir} ({BIN_DIR_ENV})");
        return PathBuf::from(dir);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .args(["build", "--locked", "--quiet"]);
    // The feature set `cargo test --workspace --all-features` resolves
    // (dev-dependencies add tokio's test-util), so the functions link the
    // dependencies that test build compiled instead of a second copy of
    // the SDK stack (about 4 minutes on a fresh 2-core machine). The
    // deployed build (`sam build`) has neither extra; both are unused code
    // in a function.
    command.args(["--all-features", "--features", "tokio/test-util"]);
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    let started = Instant::now();
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("running cargo build: {e}"));
    assert!(status.success(), "cargo build of the functions failed");
    eprintln!(
        "built {} function binaries (debug) in {:.1} s",
        binaries.len(),
        started.elapsed().as_secs_f64()
    );
    target_debug()
}

/// A process run as `sh -c '"$@" >>log 2>&1 & …; read; kill'`: it lives as
/// long as we hold its shell's stdin.
struct Guarded {
    shell: Child,
    stdin: Option<ChildStdin>,
    /// The real process (the shell's child).
    pid: u32,
    log: PathBuf,
}

const GUARD: &str = r#""$@" >>"$GUARDED_LOG" 2>&1 &
p=$!
echo "$p"
read -r _ || true
kill "$p" 2>/dev/null
i=0
while kill -0 "$p" 2>/dev/null && [ "$i" -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
kill -9 "$p" 2>/dev/null
wait "$p" 2>/dev/null
exit 0"#;

impl Guarded {
    fn spawn(program: &Path, args: &[&str], env: &[(String, String)], log: PathBuf) -> Self {
        let mut shell = Command::new("sh")
            .arg("-c")
            .arg(GUARD)
            .arg("guarded")
            .arg(program)
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("GUARDED_LOG", &log)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        let stdin = shell.stdin.take();
        let mut line = String::new();
        if let Some(stdout) = shell.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let pid = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{} did not start", program.display()));
        Self {
            shell,
            stdin,
            pid,
            log,
        }
    }

    fn alive(&self) -> bool {
        Path::new(&format!("/proc/{}", self.pid)).exists()
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 s) and waits for its shell.
    fn stop(&mut self) {
        drop(self.stdin.take());
        let _ = self.shell.wait();
    }

    fn log_tail(&self) -> String {
        banter_testkit::tail(&self.log, LOG_TAIL)
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where the functions' AWS clients go.
pub struct Backends {
    pub dynamodb_endpoint: String,
    pub table: String,
    pub s3_endpoint: String,
    pub bucket: String,
    pub management_endpoint: String,
}

pub struct Emulator {
    port: u16,
    watch: Guarded,
    bin_dir: PathBuf,
    env: Vec<(String, String)>,
    scratch: tempfile::TempDir,
    functions: Mutex<BTreeMap<String, Guarded>>,
    /// Process start → first event answered, per function.
    cold_starts: Mutex<BTreeMap<String, Duration>>,
    /// Every process ever started (pids), to check they are all gone.
    started: Mutex<Vec<(String, u32)>>,
    invocations: Mutex<usize>,
}

impl Emulator {
    pub fn start(bin_dir: PathBuf, backends: &Backends) -> Self {
        let scratch = tempfile::tempdir().expect("a scratch dir");
        let port = free_port();
        let watch = Guarded::spawn(
            &cargo_lambda(),
            &[
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.to_string(),
            ],
            &[("HOME".to_owned(), std::env::var("HOME").unwrap_or_default())],
            scratch.path().join("watch.log"),
        );
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                watch.alive() && started.elapsed() < Duration::from_secs(30),
                "cargo lambda watch did not listen on {port}:\n{}",
                watch.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let env = [
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "bantertests"),
            ("AWS_SECRET_ACCESS_KEY", "bantertests"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_ENDPOINT_URL_DYNAMODB", &backends.dynamodb_endpoint),
            ("AWS_ENDPOINT_URL_S3", &backends.s3_endpoint),
            ("BANTER_S3_FORCE_PATH_STYLE", "true"),
            ("BANTER_TABLE", &backends.table),
            ("BANTER_BUCKET", &backends.bucket),
            ("BANTER_WS_ENDPOINT", &backends.management_endpoint),
            ("RUST_LOG", "info"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let pid = watch.pid;
        Self {
            port,
            watch,
            bin_dir,
            env,
            scratch,
            functions: Mutex::new(BTreeMap::new()),
            cold_starts: Mutex::new(BTreeMap::new()),
            started: Mutex::new(vec![("cargo lambda watch".to_owned(), pid)]),
            invocations: Mutex::new(0),
        }
    }

    fn function_env(&self, binary: &str) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        env.extend(
            [
                (
                    "AWS_LAMBDA_RUNTIME_API",
                    format!("http://127.0.0.1:{}/.rt/{binary}", self.port),
                ),
                ("AWS_LAMBDA_FUNCTION_NAME", binary.to_owned()),
                ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        env
    }

    fn spawn_function(&self, binary: &str) -> Guarded {
        let mut program = self.bin_dir.join(binary);
        if program.is_dir() {
            program = program.join("bootstrap");
        }
        assert!(program.is_file(), "no binary {}", program.display());
        let function = Guarded::spawn(
            &program,
            &[],
            &self.function_env(binary),
            self.scratch.path().join(format!("{binary}.log")),
        );
        self.started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((binary.to_owned(), function.pid));
        function
    }

    /// `cargo lambda invoke <binary> --data-file <event>`; the function's
    /// answer. The first invocation of a binary starts it and times the
    /// cold start.
    pub async fn invoke(&self, binary: &str, event: &serde_json::Value) -> serde_json::Value {
        self.invoke_timed(binary, event).await.0
    }

    /// Stops `binary`'s process: its next invocation is a cold start.
    pub fn stop_function(&self, binary: &str) {
        let function = self
            .functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(binary);
        drop(function);
    }

    /// Like [`Emulator::invoke`], with how long it took: from the process
    /// start to the answer for a cold start, else from running `cargo
    /// lambda invoke` to its exit.
    pub async fn invoke_timed(
        &self,
        binary: &str,
        event: &serde_json::Value,
    ) -> (serde_json::Value, Duration) {
        let n = {
            let mut n = self
                .invocations
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *n += 1;
            *n
        };
        let file = self.scratch.path().join(format!("event-{n}.json"));
        File::create(&file)
            .and_then(|mut f| f.write_all(event.to_string().as_bytes()))
            .expect("writing the event");
        let invoke = Command::new(cargo_lambda())
            .args(["lambda", "invoke", binary])
            .args(["--invoke-address", "127.0.0.1"])
            .args(["--invoke-port", &self.port.to_string()])
            .arg("--data-file")
            .arg(&file)
            .args(["--output-format", "json", "--color", "never"])
            .env_clear()
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running cargo lambda invoke");
        let invoke_pid = invoke.id();
        // No tokio "process" feature here: wait on a blocking thread.
        let pending = tokio::task::spawn_blocking(move || invoke.wait_with_output());
        let (output, elapsed) = match self.answer(binary, pending).await {
            Some(answer) => answer,
            None => {
                let _ = Command::new("kill").arg(invoke_pid.to_string()).status();
                panic!(
                    "{binary} did not answer within {INVOKE_TIMEOUT:?}; its log:\n{}",
                    self.function_log(binary)
                )
            }
        };
        let output = output
            .expect("waiting for cargo lambda invoke")
            .expect("cargo lambda invoke");
        assert!(
            output.status.success(),
            "cargo lambda invoke {binary} failed: {}\n{}\nfunction log:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            self.function_log(binary)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let answer = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
            panic!("{binary} answered something that is not JSON ({e}): {stdout}")
        });
        (answer, elapsed)
    }

    /// Waits for a pending invocation of `binary`, starting the function
    /// first if it is not running (a cold start) and again if it exits
    /// before answering: a function that polls before its first invocation
    /// has reached the emulator is answered 204 and its runtime ends, but
    /// the invocation stays queued for the next process. Returns the
    /// result and the time since the function's (last) start for a cold
    /// start, else since the call; `None` after [`INVOKE_TIMEOUT`].
    async fn answer<T>(
        &self,
        binary: &str,
        mut pending: tokio::task::JoinHandle<T>,
    ) -> Option<(Result<T, tokio::task::JoinError>, Duration)> {
        let deadline = Instant::now() + INVOKE_TIMEOUT;
        let mut started = Instant::now();
        let cold = !self.function_alive(binary);
        let mut starts = 0;
        if cold {
            tokio::select! {
                done = &mut pending => return Some((done, started.elapsed())),
                () = tokio::time::sleep(INVOKE_HEAD_START) => {}
            }
        }
        loop {
            if !self.function_alive(binary) {
                starts += 1;
                assert!(
                    starts <= 3,
                    "{binary} keeps exiting before it answers; its log:\n{}",
                    self.function_log(binary)
                );
                let function = self.spawn_function(binary);
                started = Instant::now();
                self.functions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(binary.to_owned(), function);
            }
            tokio::select! {
                done = &mut pending => {
                    let elapsed = started.elapsed();
                    if cold {
                        self.cold_starts
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(binary.to_owned(), elapsed);
                    }
                    return Some((done, elapsed));
                }
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            if Instant::now() > deadline {
                pending.abort();
                return None;
            }
        }
    }

    /// Like [`Emulator::invoke_timed`], but through the emulator's Invoke
    /// API directly (`POST /2015-03-31/functions/<binary>/invocations`, what
    /// `cargo lambda invoke` sends), so no CLI start-up is in the figure.
    pub async fn invoke_api_timed(
        &self,
        binary: &str,
        event: &serde_json::Value,
    ) -> (serde_json::Value, Duration) {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{binary}/invocations",
            self.port
        );
        let request = reqwest::Client::new()
            .post(url)
            .body(event.to_string())
            .timeout(INVOKE_TIMEOUT);
        let pending = tokio::spawn(request.send());
        let (response, elapsed) = self.answer(binary, pending).await.unwrap_or_else(|| {
            panic!(
                "{binary} did not answer within {INVOKE_TIMEOUT:?}; its log:\n{}",
                self.function_log(binary)
            )
        });
        let response = response
            .expect("the invoke task")
            .unwrap_or_else(|e| panic!("invoking {binary}: {e}\n{}", self.function_log(binary)));
        let body = response.text().await.expect("the answer");
        let answer = serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!("{binary} answered something that is not JSON ({e}): {body}")
        });
        (answer, elapsed)
    }

    fn function_alive(&self, binary: &str) -> bool {
        self.functions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(binary)
            .is_some_and(Guarded::alive)
    }

    pub fn function_log(&self, binary: &str) -> String {
        banter_testkit::tail(&self.scratch.path().join(format!("{binary}.log")), LOG_TAIL)
    }

    pub fn cold_starts(&self) -> BTreeMap<String, Duration> {
        self.cold_starts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops every function and the emulator, and checks none is left.
    pub fn shutdown(self) {
        let started = self
            .started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut functions = std::mem::take(
            &mut *self
                .functions
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for function in functions.values_mut() {
            function.stop();
        }
        drop(functions);
        let mut watch = self.watch;
        watch.stop();
        let left: Vec<_> = started
            .iter()
            .filter(|(_, pid)| Path::new(&format!("/proc/{pid}")).exists())
            .collect();
        assert!(
            left.is_empty(),
            "processes still running after shutdown: {left:?}"
        );
    }
}
