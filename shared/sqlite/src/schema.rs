//! Opening a database: connection settings and the embedded migrations,
//! tracked by SQLite's `user_version`.

use anyhow::{Context, bail};
use rusqlite::{Connection, TransactionBehavior};
use std::time::Duration;

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_group_keys.sql"),
    include_str!("../migrations/0003_delivery.sql"),
    include_str!("../migrations/0004_history_by_seq.sql"),
];

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for a database file: write-ahead log, wait when busy.
pub(crate) fn configure_file(db: &Connection) -> anyhow::Result<()> {
    db.busy_timeout(BUSY_TIMEOUT)
        .context("setting the busy timeout")?;
    let mode: String = db
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .context("switching to the write-ahead log")?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("SQLite kept journal mode {mode:?} instead of WAL");
    }
    // With WAL, NORMAL loses no committed data on a crash, only on power loss.
    db.pragma_update(None, "synchronous", "NORMAL")
        .context("setting synchronous = NORMAL")?;
    Ok(())
}

/// Brings the schema up to date, all migrations in one transaction.
pub(crate) fn migrate(db: &mut Connection) -> anyhow::Result<()> {
    let tx = db
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("starting the migration")?;
    let version: usize = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .context("reading the schema version")?;
    if version > MIGRATIONS.len() {
        bail!(
            "the database has schema version {version}, newer than this build's {}",
            MIGRATIONS.len()
        );
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {}", index + 1))?;
        tx.pragma_update(None, "user_version", index + 1)
            .context("recording the schema version")?;
    }
    tx.commit().context("committing the migration")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_leaves_the_latest_version() {
        let mut db = Connection::open_in_memory().expect("an in-memory database");
        migrate(&mut db).expect("the first migration");
        migrate(&mut db).expect("a second migration is a no-op");
        let version: usize = db
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("the schema version");
        assert_eq!(version, MIGRATIONS.len());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut db = Connection::open_in_memory().expect("an in-memory database");
        db.pragma_update(None, "user_version", MIGRATIONS.len() + 1)
            .expect("a future version");
        let error = migrate(&mut db).expect_err("a newer schema must be refused");
        assert!(error.to_string().contains("newer"), "{error:#}");
    }
}
