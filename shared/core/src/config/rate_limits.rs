//! Rate limits a deployment sets: at most so many requests of a kind per
//! window, per user, IP or username. Enforced by `service/rate_limits.rs`.

use std::time::Duration;

/// At most `max` requests per `window`. `max == 0` means unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u64,
    pub window: Duration,
}

impl RateLimit {
    pub const fn per(max: u64, window: Duration) -> Self {
        Self { max, window }
    }

    pub const UNLIMITED: Self = Self::per(0, Duration::from_secs(1));
}

/// Every limit a deployment sets (docs/protocol/native.md lists the defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Messages sent by one user, over every connection and REST.
    pub send_per_user: RateLimit,
    /// Typing updates by one user.
    pub typing_per_user: RateLimit,
    /// Registrations from one source IP.
    pub register_per_ip: RateLimit,
    /// Login attempts from one source IP.
    pub login_per_ip: RateLimit,
    /// Login attempts for one username, from anywhere (password guessing).
    pub login_per_username: RateLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            send_per_user: RateLimit::per(100, Duration::from_secs(1)),
            typing_per_user: RateLimit::per(20, Duration::from_secs(1)),
            register_per_ip: RateLimit::per(60, Duration::from_secs(60)),
            login_per_ip: RateLimit::per(120, Duration::from_secs(60)),
            login_per_username: RateLimit::per(20, Duration::from_secs(60)),
        }
    }
}

impl RateLimits {
    pub fn unlimited() -> Self {
        Self {
            send_per_user: RateLimit::UNLIMITED,
            typing_per_user: RateLimit::UNLIMITED,
            register_per_ip: RateLimit::UNLIMITED,
            login_per_ip: RateLimit::UNLIMITED,
            login_per_username: RateLimit::UNLIMITED,
        }
    }

    /// Reads a limits setting: `off`, `default`, or overrides of the
    /// defaults such as `send=50/1s,login=10/60s` (`0` turns one off).
    /// Names: `send`, `typing`, `register`, `login`, `login_username`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        match spec {
            "off" => return Ok(Self::unlimited()),
            "" | "default" => return Ok(Self::default()),
            _ => {}
        }
        let mut limits = Self::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected NAME=COUNT/WINDOW, e.g. send=100/1s"))?;
            let limit = parse_limit(value).map_err(|why| format!("{name}: {why}"))?;
            let slot = match name.trim() {
                "send" => &mut limits.send_per_user,
                "typing" => &mut limits.typing_per_user,
                "register" => &mut limits.register_per_ip,
                "login" => &mut limits.login_per_ip,
                "login_username" => &mut limits.login_per_username,
                other => {
                    return Err(format!(
                        "unknown limit {other:?} (send, typing, register, login, login_username)"
                    ));
                }
            };
            *slot = limit;
        }
        Ok(limits)
    }
}

/// `COUNT/WINDOW` with the window in `ms`, `s` or `m`, e.g. `100/1s`.
fn parse_limit(value: &str) -> Result<RateLimit, String> {
    let (count, window) = value
        .split_once('/')
        .ok_or_else(|| format!("{value:?}: expected COUNT/WINDOW, e.g. 100/1s"))?;
    let max: u64 = count
        .trim()
        .parse()
        .map_err(|_| format!("{count:?} is not a count"))?;
    let window = window.trim();
    let (number, unit) = window.split_at(
        window
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(window.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{window:?} is not a window such as 1s"))?;
    let window = match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        _ => return Err(format!("{window:?}: the window's unit is ms, s or m")),
    };
    if window.is_zero() {
        return Err("the window must be longer than zero".into());
    }
    Ok(RateLimit::per(max, window))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_overrides_of_the_defaults() {
        assert_eq!(RateLimits::parse("off"), Ok(RateLimits::unlimited()));
        assert_eq!(RateLimits::parse("default"), Ok(RateLimits::default()));
        let limits = RateLimits::parse("send=5/500ms, login=0/1m").expect("parses");
        assert_eq!(
            limits.send_per_user,
            RateLimit::per(5, Duration::from_millis(500))
        );
        assert_eq!(limits.login_per_ip.max, 0);
        assert_eq!(
            limits.typing_per_user,
            RateLimits::default().typing_per_user
        );
        for bad in [
            "send",
            "send=5",
            "send=x/1s",
            "send=5/1h",
            "send=5/0s",
            "nope=1/1s",
        ] {
            assert!(RateLimits::parse(bad).is_err(), "{bad}");
        }
    }
}
