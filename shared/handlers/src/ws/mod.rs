//! WebSocket API handlers: `$connect`, `$disconnect` and every message route.

pub mod connect;
pub mod disconnect;
pub mod message;
mod response;
pub mod welcome;
