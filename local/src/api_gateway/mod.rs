//! API Gateway: the WebSocket API (route selection, limits, the
//! `$connect`/`$disconnect` lifecycle), the HTTP API, the Lambda events both
//! build, the Management API that pushes to connections, and the faults a
//! test may inject into it.

pub mod connections;
pub mod faults;
pub mod http;
pub mod invoke;
pub mod lambda_events;
pub mod management_api;
pub mod push;
pub mod responses;
pub mod route_selection;
pub mod websocket;
pub mod ws_paths;
