//! Reading JSON answers without ceremony: a missing or mistyped field fails
//! the test with the path and the whole value.

use serde_json::Value;

pub trait JsonExt {
    /// The value at a JSON pointer (`/message/id`); fails the test if absent.
    fn at(&self, pointer: &str) -> &Value;
    /// The unsigned integer at a JSON pointer.
    fn u64_at(&self, pointer: &str) -> u64;
    /// The string at a JSON pointer.
    fn str_at(&self, pointer: &str) -> &str;
    /// The array at a JSON pointer.
    fn array_at(&self, pointer: &str) -> &Vec<Value>;
    /// The boolean at a JSON pointer.
    fn bool_at(&self, pointer: &str) -> bool;
    /// An object's member names, sorted (none for any other value): for
    /// asserting a frame's exact shape.
    fn sorted_keys(&self) -> Vec<&str>;
}

impl JsonExt for Value {
    #[track_caller]
    fn at(&self, pointer: &str) -> &Value {
        match self.pointer(pointer) {
            Some(value) => value,
            None => panic!("no {pointer} in {self}"),
        }
    }

    #[track_caller]
    fn u64_at(&self, pointer: &str) -> u64 {
        match self.at(pointer).as_u64() {
            Some(n) => n,
            None => panic!("{pointer} is not an unsigned integer in {self}"),
        }
    }

    #[track_caller]
    fn str_at(&self, pointer: &str) -> &str {
        match self.at(pointer).as_str() {
            Some(text) => text,
            None => panic!("{pointer} is not a string in {self}"),
        }
    }

    #[track_caller]
    fn array_at(&self, pointer: &str) -> &Vec<Value> {
        match self.at(pointer).as_array() {
            Some(items) => items,
            None => panic!("{pointer} is not an array in {self}"),
        }
    }

    #[track_caller]
    fn bool_at(&self, pointer: &str) -> bool {
        match self.at(pointer).as_bool() {
            Some(b) => b,
            None => panic!("{pointer} is not a boolean in {self}"),
        }
    }

    fn sorted_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        keys
    }
}

/// A random lowercase hex id with a prefix, for usernames, client message
/// ids and request ids: no two tests (or runs) share one.
pub fn random_id(prefix: &str) -> String {
    format!("{prefix}{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}
