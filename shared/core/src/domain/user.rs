//! Users and the username rule.

use super::{Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// A validated username: 3 to 32 characters of `a-z 0-9 . -`, with at least
/// one letter (so it can never be mistaken for a user id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let len = text.chars().count();
        if !(3..=32).contains(&len) {
            return Err("username must be 3 to 32 characters");
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Err("username may only contain a-z, 0-9, '.' and '-'");
        }
        if !text.chars().any(|c| c.is_ascii_lowercase()) {
            return Err("username must contain at least one letter");
        }
        Ok(Self(text.to_owned()))
    }

    /// For adapters reading back what was validated when it was stored.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What everyone may know about a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub created_at: Timestamp,
}

/// A user as stored, with the password hash (PHC string, argon2id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rule() {
        for ok in [
            "abc",
            "mark.s",
            "a-1",
            "x23",
            "abcdefghijabcdefghijabcdefghijab",
        ] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "123",
            "Mark",
            "a_b",
            "a b",
            "é-ab",
            "",
            "abcdefghijabcdefghijabcdefghijabc",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
