//! Clients for the seed dialects (docs/protocol/): each connects at its
//! seed's exact path on banter-local and speaks that seed's frames, on top
//! of [`WsClient`](crate::WsClient)'s bounded waits.

pub mod conversations;
pub mod events;
pub mod pair;
pub mod rooms;

/// Whether `text` looks like `YYYY-MM-DDTHH:MM:SS.mmmZ`, JavaScript's
/// `toISOString` (the events and conversations seeds' times): 24
/// characters, a `T` at 10, a `Z` at the end.
fn is_iso_millis_utc(text: &str) -> bool {
    text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T'
}
