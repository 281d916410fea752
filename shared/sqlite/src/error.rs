//! Mapping SQLite and other failures onto `StoreError`.

use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use rusqlite::ffi;

/// Turns any failure into `StoreError::Unexpected`, saying what was being done.
pub(crate) trait OrUnexpected<T> {
    fn or_unexpected(self, doing: &'static str) -> StoreResult<T>;
}

impl<T, E: Into<anyhow::Error>> OrUnexpected<T> for Result<T, E> {
    fn or_unexpected(self, doing: &'static str) -> StoreResult<T> {
        self.map_err(|error| StoreError::Unexpected(error.into().context(doing)))
    }
}

/// Maps a uniqueness failure to `Conflict(what)` and anything else to
/// `Unexpected`, saying what was being done.
pub(crate) fn conflict_or_unexpected(
    error: rusqlite::Error,
    what: &'static str,
    doing: &'static str,
) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict(what)
    } else {
        StoreError::Unexpected(anyhow::Error::new(error).context(doing))
    }
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error(),
        Some(ffi::Error { extended_code, .. })
            if *extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
                || *extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn unique_violations_become_conflicts_and_other_errors_stay_unexpected() {
        let db = Connection::open_in_memory().expect("an in-memory database");
        db.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, u TEXT NOT NULL UNIQUE) STRICT")
            .expect("a table");
        db.execute("INSERT INTO t VALUES ('a', 'x')", [])
            .expect("a first row");

        let duplicate_key = db
            .execute("INSERT INTO t VALUES ('a', 'y')", [])
            .expect_err("a duplicate primary key");
        assert!(matches!(
            conflict_or_unexpected(duplicate_key, "k", "inserting"),
            StoreError::Conflict("k")
        ));
        let duplicate_unique = db
            .execute("INSERT INTO t VALUES ('b', 'x')", [])
            .expect_err("a duplicate unique column");
        assert!(matches!(
            conflict_or_unexpected(duplicate_unique, "u", "inserting"),
            StoreError::Conflict("u")
        ));
        // Another constraint, not a uniqueness one.
        let missing = db
            .execute("INSERT INTO t VALUES ('c', NULL)", [])
            .expect_err("a NOT NULL violation");
        let mapped = conflict_or_unexpected(missing, "u", "inserting a row");
        assert!(
            matches!(&mapped, StoreError::Unexpected(e) if format!("{e:#}").starts_with("inserting a row: ")),
            "{mapped:?}"
        );
    }
}
