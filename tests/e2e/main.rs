//! Banter end to end: real HTTP and WebSocket clients against banter-local
//! started in process, one fresh server per test. The spec under test is
//! docs/protocol/native.md.

mod accounts;
mod bad_input;
mod chat;
mod churn;
mod concurrency;
mod cross_dialect;
mod dialect_conversations;
mod dialect_events;
mod dialect_pair;
mod dialect_rooms;
mod files;
mod harness;
mod history;
mod idempotency;
mod limits;
mod management;
mod membership;
mod presence;
mod rate_limits;
mod restart;
mod tokens;
mod typing;
mod unread;
