//! Rate-limit windows, kept in memory: they are ephemeral (a restart may
//! forget them) and one banter-local process is the only instance, so they
//! need neither disk nor the database lock.

use banter_core::domain::Timestamp;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Windows kept before expired ones are swept, to bound memory.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub(crate) struct RateWindows {
    windows: Mutex<HashMap<(String, i64), Window>>,
}

struct Window {
    hits: u64,
    expires_at: Timestamp,
}

impl RateWindows {
    pub(crate) fn count(&self, key: &str, window_start: Timestamp, expires_at: Timestamp) -> u64 {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= SWEEP_ABOVE {
            let now = Timestamp::now();
            windows.retain(|_, window| window.expires_at > now);
        }
        let window = windows
            .entry((key.to_owned(), window_start.millis()))
            .or_insert(Window {
                hits: 0,
                expires_at,
            });
        window.hits += 1;
        window.hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_and_window_counts_on_its_own() {
        let windows = RateWindows::default();
        let (w1, w2, end) = (Timestamp(1_000), Timestamp(2_000), Timestamp(i64::MAX));
        assert_eq!(windows.count("a", w1, end), 1);
        assert_eq!(windows.count("a", w1, end), 2);
        assert_eq!(windows.count("b", w1, end), 1);
        assert_eq!(windows.count("a", w2, end), 1);
    }

    #[test]
    fn expired_windows_are_swept_once_there_are_many() {
        let windows = RateWindows::default();
        for i in 0..SWEEP_ABOVE {
            windows.count(&format!("k{i}"), Timestamp(0), Timestamp(1));
        }
        windows.count("fresh", Timestamp(0), Timestamp(i64::MAX));
        let kept = windows.windows.lock().map(|w| w.len()).unwrap_or(0);
        assert_eq!(kept, 1, "the expired windows are gone");
    }
}
