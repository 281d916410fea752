//! `banter-local`'s command line, by hand (a maintained parser is planned).

use crate::api_gateway::faults::Faults;
use crate::server::{DEFAULT_DATA_DIR, DEFAULT_LISTEN, IDLE_TIMEOUT, MAX_CONNECTION_AGE};
use banter_core::config::rate_limits::RateLimits;
use banter_template::ApiTemplate;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
banter-local: Banter's WebSocket and HTTP APIs on this machine, as API Gateway serves them.

USAGE:
    banter-local [OPTIONS]

OPTIONS:
    --listen ADDR               address to serve on [env BANTER_LISTEN] [default: 127.0.0.1:3000]
    --data-dir DIR              database, files and secret [env BANTER_DATA_DIR] [default: ./.banter]
    --template PATH             the SAM template whose routes to serve [default: the workspace's template.yaml]
    --idle-timeout SECS         close idle WebSockets after SECS [default: 600]
    --max-connection-age SECS   close WebSockets older than SECS [default: 7200]
    --rate-limits SPEC          off, default, or overrides such as send=100/1s,login=120/60s
                                (send, typing, register, login, login_username) [env BANTER_RATE_LIMITS]
    --faults SPEC               inject API Gateway's failures, e.g. slow_connect_ms=300,drop_disconnect=0.2,
                                push_429=0.05,push_5xx=0.05,push_410=0.01 [env BANTER_FAULTS] [default: none]
    -h, --help                  print this help

Logs follow RUST_LOG (default: info).
";

#[derive(Debug, PartialEq)]
pub struct Args {
    pub listen: String,
    pub data_dir: PathBuf,
    pub template: PathBuf,
    pub idle_timeout: Duration,
    pub max_connection_age: Duration,
    pub rate_limits: RateLimits,
    pub faults: Faults,
}

#[derive(Debug, PartialEq)]
pub enum Command {
    Run(Box<Args>),
    Help,
}

/// Parses the arguments after the program name; `env` looks up variables.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut parsed = Args {
        listen: env("BANTER_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
        data_dir: PathBuf::from(
            env("BANTER_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.to_owned()),
        ),
        template: ApiTemplate::default_path(),
        idle_timeout: IDLE_TIMEOUT,
        max_connection_age: MAX_CONNECTION_AGE,
        rate_limits: RateLimits::parse(&env("BANTER_RATE_LIMITS").unwrap_or_default())
            .map_err(|why| format!("BANTER_RATE_LIMITS: {why}"))?,
        faults: Faults::parse(&env("BANTER_FAULTS").unwrap_or_default())
            .map_err(|why| format!("BANTER_FAULTS: {why}"))?,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--listen" => parsed.listen = value()?,
            "--data-dir" => parsed.data_dir = PathBuf::from(value()?),
            "--template" => parsed.template = PathBuf::from(value()?),
            "--idle-timeout" => parsed.idle_timeout = seconds(&name, &value()?)?,
            "--max-connection-age" => parsed.max_connection_age = seconds(&name, &value()?)?,
            "--rate-limits" => {
                parsed.rate_limits =
                    RateLimits::parse(&value()?).map_err(|why| format!("{name}: {why}"))?;
            }
            "--faults" => {
                parsed.faults = Faults::parse(&value()?).map_err(|why| format!("{name}: {why}"))?;
            }
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    Ok(Command::Run(Box::new(parsed)))
}

fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(format!(
            "{name} takes a positive number of seconds, not {value:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults_then_env_then_flags() {
        let Ok(Command::Run(defaults)) = parse(args(&[]), |_| None) else {
            panic!("parses")
        };
        assert_eq!(defaults.listen, "127.0.0.1:3000");
        assert_eq!(defaults.data_dir, PathBuf::from(".banter"));
        assert_eq!(defaults.idle_timeout, Duration::from_secs(600));

        let env = |name: &str| (name == "BANTER_LISTEN").then(|| "0.0.0.0:9".to_owned());
        let Ok(Command::Run(from_env)) = parse(args(&[]), env) else {
            panic!("parses")
        };
        assert_eq!(from_env.listen, "0.0.0.0:9");

        let flags = args(&[
            "--listen",
            "127.0.0.1:1",
            "--data-dir=/tmp/x",
            "--idle-timeout",
            "5",
            "--max-connection-age=7",
            "--template",
            "t.yaml",
        ]);
        let Ok(Command::Run(a)) = parse(flags, env) else {
            panic!("parses")
        };
        assert_eq!(a.listen, "127.0.0.1:1");
        assert_eq!(a.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(a.idle_timeout, Duration::from_secs(5));
        assert_eq!(a.max_connection_age, Duration::from_secs(7));
        assert_eq!(a.template, PathBuf::from("t.yaml"));
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert_eq!(parse(args(&["--help"]), |_| None), Ok(Command::Help));
        assert!(parse(args(&["--nope"]), |_| None).is_err_and(|e| e.contains("--nope")));
        assert!(parse(args(&["--listen"]), |_| None).is_err_and(|e| e.contains("needs a value")));
        assert!(parse(args(&["--idle-timeout", "x"]), |_| None).is_err());
        assert!(parse(args(&["--faults", "push_429=7"]), |_| None).is_err());
        assert!(parse(args(&["--rate-limits", "send=x"]), |_| None).is_err());
        let Ok(Command::Run(a)) = parse(
            args(&["--rate-limits=off", "--faults=push_5xx=0.5"]),
            |_| None,
        ) else {
            panic!("parses")
        };
        assert_eq!(a.rate_limits, RateLimits::unlimited());
        assert_eq!(a.faults.push_5xx, 0.5);
    }
}
