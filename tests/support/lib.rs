//! Support for Banter's end-to-end tests: banter-local started in process on
//! a free loopback port ([`TestApp`]), one helper per REST endpoint, a
//! WebSocket client that speaks the native protocol ([`WsClient`]), users
//! with random names ([`TestUser`]) and hand-made tokens ([`tokens`]).
//!
//! Every wait is bounded by [`WAIT`] so a broken server fails a test fast
//! instead of hanging it. Tracing stays silent unless `TEST_LOG` is set.

mod app;
pub mod dialects;
mod json;
mod reply;
pub mod tokens;
mod ws;

pub use app::{AppBuilder, Page, RateLimit, RateLimits, TestApp, TestUser};
pub use json::{JsonExt, random_id};
pub use reply::Reply;
pub use ws::{Refusal, WsClient, assert_error_frame};

use std::time::Duration;

/// The longest any test waits for something that should happen.
pub const WAIT: Duration = Duration::from_secs(5);

/// How long a test watches for something that should *not* happen.
pub const QUIET: Duration = Duration::from_millis(400);
