//! The single table's keys: every item has a string partition key `pk` and a
//! string sort key `sk`. Numbers inside sort keys are zero-padded to 16 digits
//! (every id is below 2^53 < 10^16), so text order is number order.
//!
//! | item                  | pk                         | sk                  |
//! |-----------------------|----------------------------|---------------------|
//! | user                  | `USER#<user>`              | `PROFILE`           |
//! | membership pointer    | `USER#<user>`              | `ROOM#<room:016>`   |
//! | connection (by user)  | `USER#<user>`              | `CONN#<connection>` |
//! | presence version      | `USER#<user>`              | `PRESENCE`          |
//! | username (unique)     | `USERNAME#<name>`          | `USERNAME`          |
//! | room                  | `ROOM#<room>`              | `ROOM`              |
//! | membership            | `ROOM#<room>`              | `MEMBER#<user:016>` |
//! | message               | `ROOM#<room>`              | `MSG#<id:016>`      |
//! | DM pair (unique)      | `DM#<low>#<high>`          | `DM`                |
//! | group key (unique)    | `GROUPKEY#<key>`           | `GROUPKEY`          |
//! | client message id     | `CMID#<room>#<sender>#<id>`| `CMID`              |
//! | connection (by id)    | `CONN#<connection>`        | `CONN`              |
//! | id counter            | `COUNTER#<name>`           | `COUNTER`           |
//! | JWT secret (banter-lambda) | `CONFIG`              | `JWT_SECRET`        |
//! | rate-limit window     | `RATE#<key>`               | `W#<start ms:016>`  |

use banter_core::domain::room::dm_pair;
use banter_core::domain::{ConnectionId, MessageId, RoomId, UserId};

/// The partition key attribute.
pub const PK: &str = "pk";
/// The sort key attribute.
pub const SK: &str = "sk";

/// Sort key prefixes queried with `begins_with` or `BETWEEN`.
pub const MEMBER_PREFIX: &str = "MEMBER#";
pub const MESSAGE_PREFIX: &str = "MSG#";
pub const ROOM_POINTER_PREFIX: &str = "ROOM#";
pub const CONNECTION_PREFIX: &str = "CONN#";

/// One item's primary key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub(crate) fn new(pk: String, sk: impl Into<String>) -> Self {
        Self { pk, sk: sk.into() }
    }
}

/// A sort key with a zero-padded number, e.g. `MSG#0000000000000042`.
pub fn padded(prefix: &str, number: u64) -> String {
    format!("{prefix}{number:016}")
}

pub fn user_partition(user: UserId) -> String {
    format!("USER#{user}")
}

pub fn room_partition(room: RoomId) -> String {
    format!("ROOM#{room}")
}

pub fn user(user: UserId) -> Key {
    Key::new(user_partition(user), "PROFILE")
}

pub fn username(name: &str) -> Key {
    Key::new(format!("USERNAME#{name}"), "USERNAME")
}

pub fn room(room: RoomId) -> Key {
    Key::new(room_partition(room), "ROOM")
}

pub fn member(room: RoomId, user: UserId) -> Key {
    Key::new(room_partition(room), padded(MEMBER_PREFIX, user.0))
}

/// The copy under the user's partition that makes `memberships_of` one
/// consistent query.
pub fn room_pointer(user: UserId, room: RoomId) -> Key {
    Key::new(user_partition(user), padded(ROOM_POINTER_PREFIX, room.0))
}

pub fn message(room: RoomId, id: MessageId) -> Key {
    Key::new(room_partition(room), padded(MESSAGE_PREFIX, id.0))
}

/// The DM of two users, the same whichever way round they are given.
pub fn dm(a: UserId, b: UserId) -> Key {
    let (low, high) = dm_pair(a, b);
    Key::new(format!("DM#{low}#{high}"), "DM")
}

/// A keyed group's name (seed 003's `1_2_3`), unique.
pub fn group_key(key: &str) -> Key {
    Key::new(format!("GROUPKEY#{key}"), "GROUPKEY")
}

/// A sender's client message id in a room. The id comes last, so whatever
/// characters it holds cannot make two keys collide.
pub fn client_message_id(room: RoomId, sender: UserId, id: &str) -> Key {
    Key::new(format!("CMID#{room}#{sender}#{id}"), "CMID")
}

pub fn connection(id: &ConnectionId) -> Key {
    Key::new(format!("CONN#{id}"), "CONN")
}

/// The copy of a bound connection under its user's partition.
pub fn user_connection(user: UserId, id: &ConnectionId) -> Key {
    Key::new(user_partition(user), format!("{CONNECTION_PREFIX}{id}"))
}

/// A user's presence version: bumped by every connection write of that user,
/// so a live count and the write it follows commit together or not at all.
/// The JWT signing secret (`jwt_secret.rs`); no store item uses `CONFIG`.
pub fn jwt_secret() -> Key {
    Key::new("CONFIG".to_owned(), "JWT_SECRET")
}

pub fn presence(user: UserId) -> Key {
    Key::new(user_partition(user), "PRESENCE")
}

/// The id counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    User,
    Room,
    Message,
}

/// One fixed window of one rate limit (expired by the table's TTL).
pub fn rate_window(key: &str, window_start_ms: u64) -> Key {
    Key::new(format!("RATE#{key}"), padded("W#", window_start_ms))
}

pub fn counter(counter: Counter) -> Key {
    let name = match counter {
        Counter::User => "user",
        Counter::Room => "room",
        Counter::Message => "message",
    };
    Key::new(format!("COUNTER#{name}"), "COUNTER")
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::domain::ids::MAX_SAFE_ID;

    #[test]
    fn padded_numbers_sort_as_numbers() {
        let small = message(RoomId(1), MessageId(9));
        let large = message(RoomId(1), MessageId(10));
        let largest = message(RoomId(1), MessageId(MAX_SAFE_ID));
        assert!(small.sk < large.sk && large.sk < largest.sk);
        assert_eq!(largest.sk.len(), MESSAGE_PREFIX.len() + 16);
    }

    #[test]
    fn a_dm_key_ignores_the_order_of_its_users() {
        assert_eq!(dm(UserId(7), UserId(3)), dm(UserId(3), UserId(7)));
        assert_eq!(dm(UserId(3), UserId(7)).pk, "DM#3#7");
    }

    #[test]
    fn prefixes_of_one_partition_do_not_overlap() {
        let room = RoomId(5);
        let member = member(room, UserId(1)).sk;
        let message = message(room, MessageId(1)).sk;
        let meta = self::room(room).sk;
        assert!(!member.starts_with(MESSAGE_PREFIX) && !message.starts_with(MEMBER_PREFIX));
        assert!(!meta.starts_with(MEMBER_PREFIX) && !meta.starts_with(MESSAGE_PREFIX));
        let user = UserId(2);
        for sk in [
            self::user(user).sk,
            presence(user).sk,
            room_pointer(user, room).sk,
        ] {
            assert!(!sk.starts_with(CONNECTION_PREFIX), "{sk}");
        }
        assert!(
            !user_connection(user, &ConnectionId("x".into()))
                .sk
                .starts_with(ROOM_POINTER_PREFIX)
        );
        assert!(!self::user(user).sk.starts_with(ROOM_POINTER_PREFIX));
    }
}
