//! Clients for the seed dialects (docs/protocol/): each connects at its
//! seed's exact path on banter-local and speaks that seed's frames, on top
//! of [`WsClient`](crate::WsClient)'s bounded waits.

pub mod conversations;
pub mod events;
pub mod pair;
pub mod rooms;
