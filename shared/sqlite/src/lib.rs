//! Banter's [`Store`](banter_core::ports::Store) on SQLite: the embedded
//! database behind banter-local, and the reference the DynamoDB store is held
//! to by the shared conformance suite.
//!
//! Access stays DynamoDB-shaped: key lookups, range queries under one key,
//! counters kept on rows and one transaction per write that must be atomic.
//! One connection sits behind a mutex and every call runs on tokio's blocking
//! pool, so the async runtime never waits on SQLite.

mod connections;
mod counters;
mod delivery;
mod error;
mod messages;
mod rate_limits;
mod rate_windows;
mod rooms;
mod rows;
mod schema;
mod store;
mod users;

pub use store::SqliteStore;
