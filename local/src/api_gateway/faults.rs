//! Fault injection, off by default: the failures API Gateway inflicts on
//! real deployments, on demand, so the handlers can be seen to cope. Set by
//! `--faults SPEC` (or `BANTER_FAULTS`), e.g.
//! `slow_connect_ms=300,drop_disconnect=0.2,push_429=0.05,push_5xx=0.05,push_410=0.01`.
//!
//! - `slow_connect_ms`: `$connect` takes this much longer after its handler
//!   returned, so pushes to the stored connection meet 410 meanwhile.
//! - `drop_disconnect`: the share of closed sockets whose `$disconnect` is
//!   never delivered (API Gateway delivers it on a best-effort basis).
//! - `push_429`, `push_5xx`: the share of Management API posts answered
//!   429 (throttled) or 500.
//! - `push_410`: the share of posts answered 410 because the client
//!   vanished: the socket is dropped without a close frame.

use rand::Rng;
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    pub slow_connect: Duration,
    pub drop_disconnect: f64,
    pub push_429: f64,
    pub push_5xx: f64,
    pub push_410: f64,
}

impl Faults {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut faults = Self::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected NAME=VALUE"))?;
            let share = || -> Result<f64, String> {
                match value.trim().parse::<f64>() {
                    Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
                    _ => Err(format!("{name}: {value:?} is not a share from 0 to 1")),
                }
            };
            match name.trim() {
                "slow_connect_ms" => {
                    let millis = value
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{name}: {value:?} is not milliseconds"))?;
                    faults.slow_connect = Duration::from_millis(millis);
                }
                "drop_disconnect" => faults.drop_disconnect = share()?,
                "push_429" => faults.push_429 = share()?,
                "push_5xx" => faults.push_5xx = share()?,
                "push_410" => faults.push_410 = share()?,
                other => {
                    return Err(format!(
                        "unknown fault {other:?} (slow_connect_ms, drop_disconnect, push_429, push_5xx, push_410)"
                    ));
                }
            }
        }
        Ok(faults)
    }

    /// What an injected fault does to one post, if any.
    pub fn on_post(&self) -> Option<PostFault> {
        let roll = |share: f64| share > 0.0 && rand::rng().random_bool(share);
        if roll(self.push_410) {
            Some(PostFault::Vanished)
        } else if roll(self.push_429) {
            Some(PostFault::Throttled)
        } else if roll(self.push_5xx) {
            Some(PostFault::ServerError)
        } else {
            None
        }
    }

    pub fn drops_disconnect(&self) -> bool {
        self.drop_disconnect > 0.0 && rand::rng().random_bool(self.drop_disconnect)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostFault {
    Vanished,
    Throttled,
    ServerError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_sets_each_fault_and_bad_ones_are_explained() {
        let faults = Faults::parse("slow_connect_ms=250, push_429=0.5,push_410=1").expect("parses");
        assert_eq!(faults.slow_connect, Duration::from_millis(250));
        assert_eq!(faults.push_429, 0.5);
        assert_eq!(faults.on_post(), Some(PostFault::Vanished));
        assert_eq!(Faults::parse(""), Ok(Faults::none()));
        assert_eq!(Faults::none().on_post(), None);
        assert!(!Faults::none().drops_disconnect());
        for bad in ["push_429=2", "push_429", "nope=1", "slow_connect_ms=x"] {
            assert!(Faults::parse(bad).is_err(), "{bad}");
        }
    }
}
