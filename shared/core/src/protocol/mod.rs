//! The language between the service and the dialects: the commands a frame
//! asks for, the replies and pages they produce, the error codes, and how a
//! service hands events to whoever encodes them. The service and every
//! dialect depend on this module; it depends on neither.

pub mod command;
pub mod encoder;
pub mod error;
pub mod pages;
pub mod reply;

pub use command::{AuthExpect, Command, Draft, Greeting, RoomTarget};
pub use encoder::{EventEncoder, Recipient};
pub use error::{ChatError, ChatResult, ErrorCode};
pub use pages::{HistoryPage, MemberState, SyncPage, SyncRoom};
pub use reply::{DmSession, ReadState, Reply, Sent};
