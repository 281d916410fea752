//! `SqliteStore`: one SQLite connection behind a mutex, each call run on
//! tokio's blocking pool, and the `Store` port mapped onto the modules.

use crate::error::OrUnexpected;
use crate::rate_windows::RateWindows;
use crate::{connections, delivery, messages, rooms, schema, users};
use anyhow::Context;
use async_trait::async_trait;
use banter_core::domain::{
    Connection, ConnectionId, Membership, Message, MessageId, NewMessage, Room, RoomId, Scope,
    Timestamp, User, UserId, UserRecord, Username,
};
use banter_core::ports::store::StoreResult;
use banter_core::ports::{AppendOutcome, Claim, HistoryQuery, Release, Store};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The store on SQLite. Cloning shares the one connection.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Mutex<rusqlite::Connection>>,
    rate_windows: Arc<RateWindows>,
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

    /// Forgets every stored connection, for a server starting on the data of
    /// an earlier run (its sockets died with it). Blocking: call it at startup.
    pub fn forget_connections(&self) -> anyhow::Result<usize> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(connections::forget_all(&db)?)
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

    /// Runs `work` with the connection on the blocking pool.
    async fn call<T, F>(&self, work: F) -> StoreResult<T>
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

#[async_trait]
impl Store for SqliteStore {
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User> {
        let (username, display_name, password_hash) = (
            username.clone(),
            display_name.to_owned(),
            password_hash.to_owned(),
        );
        self.call(move |db| users::create_user(db, &username, &display_name, &password_hash, now))
            .await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        self.call(move |db| users::user_by_id(db, id)).await
    }

    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        let username = username.clone();
        self.call(move |db| users::user_by_username(db, &username))
            .await
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let ids = ids.to_vec();
        self.call(move |db| users::users(db, &ids)).await
    }

    async fn find_or_create_dm(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        self.call(move |db| rooms::find_or_create_dm(db, a, b, now))
            .await
    }

    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
        self.call(move |db| rooms::find_dm(db, a, b)).await
    }

    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room> {
        let (name, members) = (name.to_owned(), members.to_vec());
        self.call(move |db| rooms::create_group(db, &name, created_by, &members, now))
            .await
    }

    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        let (key, name, members) = (key.to_owned(), name.to_owned(), members.to_vec());
        self.call(move |db| {
            rooms::find_or_create_keyed_group(db, &key, &name, created_by, &members, now)
        })
        .await
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.call(move |db| rooms::room(db, id)).await
    }

    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
        let ids = ids.to_vec();
        self.call(move |db| rooms::rooms(db, &ids)).await
    }

    async fn add_member(&self, room: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool> {
        self.call(move |db| rooms::add_member(db, room, user, now))
            .await
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool> {
        self.call(move |db| rooms::remove_member(db, room, user))
            .await
    }

    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>> {
        self.call(move |db| rooms::membership(db, room, user)).await
    }

    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>> {
        self.call(move |db| rooms::members(db, room)).await
    }

    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        self.call(move |db| rooms::memberships_of(db, user)).await
    }

    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome> {
        self.call(move |db| messages::append_message(db, message))
            .await
    }

    async fn message(&self, room: RoomId, id: MessageId) -> StoreResult<Option<Message>> {
        self.call(move |db| messages::message(db, room, id)).await
    }

    async fn history(&self, room: RoomId, query: HistoryQuery) -> StoreResult<Vec<Message>> {
        self.call(move |db| messages::history(db, room, query))
            .await
    }

    async fn mark_read(
        &self,
        room: RoomId,
        user: UserId,
        message: &Message,
    ) -> StoreResult<Membership> {
        let message = message.clone();
        self.call(move |db| messages::mark_read(db, room, user, &message))
            .await
    }

    async fn set_typing(
        &self,
        room: RoomId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<()> {
        self.call(move |db| rooms::set_typing(db, room, user, until))
            .await
    }

    async fn claim_delivery(
        &self,
        room: RoomId,
        courier: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Claim> {
        let courier = courier.to_owned();
        self.call(move |db| delivery::claim(db, room, &courier, now, until))
            .await
    }

    async fn release_delivery(
        &self,
        room: RoomId,
        courier: &str,
        delivered: u64,
    ) -> StoreResult<Release> {
        let courier = courier.to_owned();
        self.call(move |db| delivery::release(db, room, &courier, delivered))
            .await
    }

    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64> {
        Ok(self.rate_windows.count(key, window_start, expires_at))
    }

    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize> {
        let connection = connection.clone();
        self.call(move |db| connections::put_connection(db, &connection))
            .await
    }

    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize> {
        let id = id.clone();
        self.call(move |db| connections::bind_connection(db, &id, user, scope))
            .await
    }

    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>> {
        let id = id.clone();
        self.call(move |db| connections::connection(db, &id)).await
    }

    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>> {
        let id = id.clone();
        self.call(move |db| connections::delete_connection(db, &id))
            .await
    }

    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>> {
        let users = users.to_vec();
        self.call(move |db| connections::connections_of(db, &users, now))
            .await
    }
}
