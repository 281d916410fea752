//! The chat domain: plain data and the rules that need no storage.

pub mod connection;
pub mod event;
pub mod ids;
pub mod limits;
pub mod message;
pub mod room;
pub mod time;
pub mod user;

pub use connection::{Connection, Scope};
pub use event::Event;
pub use ids::{ConnectionId, MessageId, RoomId, UserId};
pub use message::{FileAttachment, Message, NewMessage};
pub use room::{Membership, Room, RoomKind, RoomSummary};
pub use time::Timestamp;
pub use user::{User, UserRecord, Username};
