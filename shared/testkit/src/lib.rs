//! Test support for the crates whose tests run a real server process
//! (DynamoDB Local, moto's S3, cargo lambda's emulator): the workspace root,
//! a free loopback port, the end of a log for failure messages, and
//! [`LocalServer`], a server started on a free port that stops when the test
//! process ends.
//!
//! Only the generic part lives here: each harness finds its own program,
//! says how to run it on a port and sets up what its tests need (a table, a
//! bucket).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a server may take to answer on its port.
const STARTUP: Duration = Duration::from_secs(60);

/// How many ports a server is tried on before giving up.
const ATTEMPTS: usize = 3;

/// How much of a failed server's log a message shows.
const LOG_TAIL: u64 = 4000;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A loopback port nobody listened on a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// The last `max_bytes` of the file at `path` (what it holds if shorter;
/// nothing if it cannot be read), for failure messages.
pub fn tail(path: &Path, max_bytes: u64) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let length = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(length.saturating_sub(max_bytes)));
        let _ = file.read_to_string(&mut text);
    }
    text
}

/// A server process listening on a loopback port. It runs under a small
/// `sh` that kills it once our end of the shell's stdin closes, which
/// happens however the test process ends: no test run leaves one behind.
pub struct LocalServer {
    port: u16,
    _stdin: Mutex<ChildStdin>,
}

/// `read` returns when our end of stdin closes (the test process exited):
/// then the shell stops the server.
const GUARD: &str =
    r#""$@" & server=$!; read -r _ || true; kill "$server" 2>/dev/null; wait "$server""#;

impl LocalServer {
    /// Starts the server `command` builds for a free port and waits until
    /// that port answers. Its output goes to `banter-<tag>-<port>.log` in
    /// the temporary folder. A free port can be taken between our check and
    /// the server's bind, so it tries again on another; if it never
    /// answers, the test fails with why and says to run `install`.
    pub fn start(
        name: &str,
        tag: &str,
        install: &str,
        command: impl Fn(u16) -> Result<Command, String>,
    ) -> Self {
        let mut last_error = String::new();
        for _ in 0..ATTEMPTS {
            match Self::start_once(tag, &command) {
                Ok(server) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("{name} did not start: {last_error}\nRun {install} (scripts/test does).")
    }

    fn start_once(
        tag: &str,
        command: &impl Fn(u16) -> Result<Command, String>,
    ) -> Result<Self, String> {
        let port = free_port();
        let server = command(port)?;
        let log_path = std::env::temp_dir().join(format!("banter-{tag}-{port}.log"));
        let log = File::create(&log_path).map_err(|error| format!("creating its log: {error}"))?;
        let log_err = log.try_clone().map_err(|error| error.to_string())?;
        let program = Path::new(server.get_program());
        let mut guard = Command::new("sh");
        guard
            .arg("-c")
            .arg(GUARD)
            .arg(tag)
            .arg(program)
            .args(server.get_args());
        if let Some(dir) = server.get_current_dir() {
            guard.current_dir(dir);
        }
        for (key, value) in server.get_envs() {
            match value {
                Some(value) => guard.env(key, value),
                None => guard.env_remove(key),
            };
        }
        let mut child = guard
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|error| {
                let name = program.file_name().unwrap_or(program.as_os_str());
                format!("running sh/{}: {error}", name.to_string_lossy())
            })?;
        let stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(Self {
                    port,
                    _stdin: Mutex::new(stdin),
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "it exited ({status}) on port {port}:\n{}",
                    tail(&log_path, LOG_TAIL)
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        drop(stdin);
        let _ = child.wait();
        Err(format!(
            "it did not answer on port {port} within {STARTUP:?}:\n{}",
            tail(&log_path, LOG_TAIL)
        ))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`: for SDK clients, and for processes that
    /// are not given a client, like the Lambda functions of tests/lambda
    /// (`AWS_ENDPOINT_URL_*`).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end_of_a_log_and_is_empty_without_one() {
        let path = std::env::temp_dir().join(format!("banter-testkit-{}.log", free_port()));
        std::fs::write(&path, "first line\nlast line\n").expect("writing a log");
        assert_eq!(tail(&path, 10), "last line\n");
        assert_eq!(tail(&path, 4000), "first line\nlast line\n");
        std::fs::remove_file(&path).expect("removing the log");
        assert_eq!(tail(&path, 4000), "");
    }
}
