//! Authentication: password hashing and access tokens.

pub mod hash_gate;
pub mod password;
pub mod token;

pub use token::{TokenError, Tokens};
