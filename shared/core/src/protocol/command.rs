//! The commands a WebSocket frame can carry, whatever its dialect: dialects
//! decode frames into these, the service runs them.

use crate::domain::{MessageId, RoomId, UserId};
use crate::ports::HistoryQuery;
use std::collections::BTreeMap;

/// Which room a command means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomTarget {
    Id(RoomId),
    /// The DM with this user (created on a first send).
    DmWith(UserId),
    /// The one room the connection was opened for (its scope).
    Scoped,
}

#[derive(Clone, Debug)]
pub enum Command {
    /// First-frame authentication, for dialects whose token is not on the URL.
    Authenticate {
        token: String,
        expect: AuthExpect,
    },
    Send {
        room: RoomTarget,
        draft: Draft,
    },
    Typing {
        room: RoomTarget,
        typing: bool,
    },
    MarkRead {
        room: RoomTarget,
        up_to: Option<MessageId>,
    },
    /// Marks every room of the user read (a notification socket's read).
    MarkAllRead,
    History {
        room: RoomTarget,
        query: HistoryQuery,
    },
    ListRooms,
    /// Everything missed since per-room cursors (after a reconnect).
    Sync {
        /// Room → newest id the client holds (`None`: from the start).
        cursors: BTreeMap<RoomId, Option<MessageId>>,
        limit: usize,
    },
    Ping,
    /// Runs `command` only if `token` is a valid conversation token for this
    /// user and the connection's room.
    WithConversationToken {
        token: String,
        command: Box<Command>,
    },
}

/// What a first-frame authentication must also establish.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthExpect {
    /// The user the client claims to be: the token must speak for them.
    pub user: Option<UserId>,
    /// Open the DM with this user and scope the connection to it.
    pub dm_with: Option<UserId>,
}

/// What a client asks to send.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub text: String,
    pub client_message_id: Option<String>,
    /// An uploaded file (see `create_upload`) to attach.
    pub file_id: Option<String>,
}

/// What a socket is sent right after it opens, for dialects that greet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Greeting {
    /// Who is online in the scoped room, and its latest page.
    RoomWelcome,
    /// The user's unread count over all rooms.
    UnreadTotal,
}
