//! `SqliteStore`: one SQLite connection behind a mutex, each call run on
//! tokio's blocking pool. Each module implements the port of its items.

use crate::error::OrUnexpected;
use crate::rate_windows::RateWindows;
use crate::schema;
use anyhow::Context;
use banter_core::ports::store::StoreResult;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The store on SQLite. Cloning shares the one connection.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Mutex<rusqlite::Connection>>,
    pub(crate) rate_windows: Arc<RateWindows>,
    /// Where the database lives; `None` in memory.
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) a database file, creating its folder, switching it
    /// to the write-ahead log and bringing its schema up to date. Blocking:
    /// call it at startup, not from a request.
    pub fn open(path: impl AsRef<Path>) -> anyhow::Result<Self> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let mut db = rusqlite::Connection::open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        schema::configure_file(&db).with_context(|| format!("configuring {}", path.display()))?;
        schema::migrate(&mut db).with_context(|| format!("migrating {}", path.display()))?;
        Ok(Self::wrap(db, Some(path.to_owned())))
    }

    /// A fresh, private database that lives as long as this store (and its clones).
    pub fn in_memory() -> anyhow::Result<Self> {
        let mut db =
            rusqlite::Connection::open_in_memory().context("opening an in-memory database")?;
        schema::migrate(&mut db).context("migrating an in-memory database")?;
        Ok(Self::wrap(db, None))
    }

    /// Where the database file lives; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn wrap(db: rusqlite::Connection, path: Option<PathBuf>) -> Self {
        Self {
            db: Arc::new(Mutex::new(db)),
            rate_windows: Arc::default(),
            path,
        }
    }

    /// The connection, for work that must block (startup).
    pub(crate) fn lock(&self) -> MutexGuard<'_, rusqlite::Connection> {
        // A panic mid-call rolled its transaction back when it unwound,
        // so the connection is still sound.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` with the connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || {
            // A panic mid-call rolled its transaction back when it unwound,
            // so the connection is still sound.
            let mut db = db.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut db)
        })
        .await
        .or_unexpected("running a SQLite call on the blocking pool")?
    }
}
