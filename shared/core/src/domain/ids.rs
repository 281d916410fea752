//! Identifiers. Numeric ids stay below 2^53 so every JSON client can hold
//! them exactly as numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_ID: u64 = (1 << 53) - 1;

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// Accepts only ids a client could have been given: 1 ..= 2^53 - 1.
            pub fn parse(value: u64) -> Option<Self> {
                (1..=MAX_SAFE_ID).contains(&value).then_some(Self(value))
            }

            /// Parses the decimal form used in paths and query strings.
            pub fn parse_str(text: &str) -> Option<Self> {
                text.parse::<u64>().ok().and_then(Self::parse)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// A user's id: a positive integer, allocated once at registration.
    UserId
);
numeric_id!(
    /// A room's id (DM or group).
    RoomId
);
numeric_id!(
    /// A message's id: unique everywhere, strictly increasing within a room.
    MessageId
);

/// An API Gateway connection id (opaque text, as API Gateway hands it out).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(pub String);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_outside_the_json_safe_range_are_refused() {
        assert_eq!(UserId::parse(0), None);
        assert_eq!(UserId::parse(MAX_SAFE_ID + 1), None);
        assert_eq!(UserId::parse(MAX_SAFE_ID), Some(UserId(MAX_SAFE_ID)));
        assert_eq!(RoomId::parse_str("42"), Some(RoomId(42)));
        assert_eq!(RoomId::parse_str("-1"), None);
        assert_eq!(RoomId::parse_str("x"), None);
    }
}
