//! Id allocation: one counter row per kind, bumped inside the caller's
//! transaction, so an id is taken only if the write that uses it commits.

use crate::error::OrUnexpected;
use banter_core::domain::ids::MAX_SAFE_ID;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use rusqlite::Connection;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Counter {
    User,
    Room,
    Message,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Room => "room",
            Self::Message => "message",
        }
    }
}

/// The next id of this kind: 1, 2, 3, ... never above 2^53 - 1.
pub(crate) fn next_id(db: &Connection, counter: Counter) -> StoreResult<u64> {
    let value: u64 = db
        .prepare_cached(
            "INSERT INTO counters (name, value) VALUES (?1, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1
             RETURNING value",
        )
        .and_then(|mut statement| statement.query_row([counter.name()], |row| row.get(0)))
        .or_unexpected("bumping an id counter")?;
    if value > MAX_SAFE_ID {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "the {} id counter passed 2^53 - 1",
            counter.name()
        )));
    }
    Ok(value)
}
