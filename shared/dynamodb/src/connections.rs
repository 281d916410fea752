//! Live connections. Each connection has a lookup item `CONN#<id>` (found by
//! id at `$disconnect` and on 410) and, once it has a user, a copy under the
//! user's partition (`USER#<user>` / `CONN#<id>`), so `connections_of` is one
//! consistent query per user and never touches anyone else's connections.
//! Both carry `expires_at` (epoch seconds, the table's TTL attribute) and
//! `expires_at_ms`; TTL deletion lags by up to days, so reads filter on
//! `expires_at_ms > now` themselves.
//!
//! Exact live counts: a user's presence item carries a version that every
//! connection write of that user checks and bumps in its transaction. A write
//! reads the version, then counts the user's other live connections with a
//! consistent query, then commits only if the version is unchanged; so no
//! other connection of that user was written between the count and the commit
//! and the count it returns is exact, even for racing connects and
//! disconnects of one user (each online/offline flip is seen exactly once).
//! Every connection item also carries a revision, checked and bumped by each
//! write, so its two copies never drift apart.

use crate::attr;
use crate::items::{FromItem, Item, ItemExt, ToAttributes, from_items, n};
use crate::keys::{self, CONNECTION_PREFIX};
use crate::pagination::KeyRange;
use crate::retry::Backoff;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use async_trait::async_trait;
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp, UserId};
use banter_core::ports::ConnectionStore;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use futures::{StreamExt, TryStreamExt, stream};
use std::collections::BTreeSet;

/// Users whose connections `connections_of` reads at once.
const QUERY_CONCURRENCY: usize = 8;

/// A stored connection and the revision it was read at.
struct Stored {
    connection: Connection,
    revision: u64,
}

async fn stored(
    db: &DynamoStore,
    id: &ConnectionId,
    doing: &'static str,
) -> StoreResult<Option<Stored>> {
    let Some(item) = db.get(&keys::connection(id), doing).await? else {
        return Ok(None);
    };
    Ok(Some(Stored {
        connection: Connection::from_item(&item).context(doing)?,
        revision: item.opt_number(attr::REVISION).context(doing)?.unwrap_or(0),
    }))
}

/// A user's presence version and live count, read in that order.
struct Presence {
    user: UserId,
    version: u64,
    others_live: usize,
}

impl Presence {
    /// Reads the version, then counts the user's live connections other than
    /// `except`, by the store's clock.
    async fn read(
        db: &DynamoStore,
        user: UserId,
        except: &ConnectionId,
        doing: &'static str,
    ) -> StoreResult<Self> {
        let version = match db.get(&keys::presence(user), doing).await? {
            Some(item) => item.number(attr::VALUE).context(doing)?,
            None => 0,
        };
        let live = KeyRange::prefix(keys::user_partition(user), CONNECTION_PREFIX)
            .filter("#expires > :now AND #id <> :except")
            .name("#expires", attr::EXPIRES_AT_MS)
            .name("#id", attr::CONNECTION_ID)
            .value(":now", n(Timestamp::now().millis()))
            .value(":except", crate::items::s(&except.0));
        let others_live = db.query_count(&live, doing).await?;
        Ok(Self {
            user,
            version,
            others_live,
        })
    }

    /// Commits only if no other connection write of this user came between.
    fn bump(&self) -> Write {
        let write = Write::update(keys::presence(self.user), "SET #v = :next")
            .name("#v", attr::VALUE)
            .value(":next", n(self.version + 1));
        if self.version == 0 {
            write.if_new()
        } else {
            write
                .when("#v = :version")
                .value(":version", n(self.version))
        }
    }

    /// The live count once `connection` (if still live) is written.
    fn with(&self, connection: &Connection) -> usize {
        self.others_live + usize::from(connection.is_live(Timestamp::now()))
    }
}

/// Bumps a user's presence version unconditionally: for the user a
/// connection is moved away from, so their own racing counts retry.
fn bump_unconditionally(user: UserId) -> Write {
    Write::update(keys::presence(user), "ADD #v :one")
        .name("#v", attr::VALUE)
        .value(":one", n(1))
}

/// The writes that store `connection` at `revision`, replacing what was
/// stored (`previous`, read at `revision - 1`) or nothing: the lookup item
/// first, then the user's copy, then the presence checks.
fn store_writes(
    connection: &Connection,
    previous: Option<&Stored>,
    presence: Option<&Presence>,
) -> Vec<Write> {
    let revision = previous.map_or(0, |stored| stored.revision) + 1;
    let mut attributes = connection.to_attributes();
    attributes.insert(attr::REVISION.to_owned(), n(revision));
    let lookup = Write::put(keys::connection(&connection.id).with(attributes.clone()));
    let lookup = match previous {
        None => lookup.if_new(),
        Some(stored) => lookup
            .when("#rev = :rev")
            .name("#rev", attr::REVISION)
            .value(":rev", n(stored.revision)),
    };
    let mut writes = vec![lookup];
    if let Some(user) = connection.user_id {
        writes.push(Write::put(
            keys::user_connection(user, &connection.id).with(attributes),
        ));
    }
    let old_user = previous.and_then(|stored| stored.connection.user_id);
    if let Some(old_user) = old_user.filter(|old| Some(*old) != connection.user_id) {
        writes.push(Write::delete(keys::user_connection(
            old_user,
            &connection.id,
        )));
        writes.push(bump_unconditionally(old_user));
    }
    writes.extend(presence.map(Presence::bump));
    writes
}

/// Writes `connection` over what is stored under its id (checked by revision)
/// and returns its user's live count afterwards. `change` turns what is
/// stored (if anything) into what to store, or refuses.
async fn write_connection(
    db: &DynamoStore,
    id: &ConnectionId,
    doing: &'static str,
    change: impl Fn(Option<&Connection>) -> StoreResult<Connection>,
) -> StoreResult<usize> {
    let mut backoff = Backoff::new(doing);
    loop {
        let previous = stored(db, id, doing).await?;
        let connection = change(previous.as_ref().map(|stored| &stored.connection))?;
        let presence = match connection.user_id {
            Some(user) => Some(Presence::read(db, user, id, doing).await?),
            None => None,
        };
        let writes = store_writes(&connection, previous.as_ref(), presence.as_ref());
        match db.transact(&writes, doing).await? {
            Ok(()) => return Ok(presence.map_or(0, |presence| presence.with(&connection))),
            // The connection or one of the users' presence changed meanwhile.
            Err(canceled) if canceled.lost_race() => backoff.retry(canceled).await?,
            Err(canceled) => return Err(canceled.unexpected(doing)),
        }
    }
}

#[async_trait]
impl ConnectionStore for DynamoStore {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize> {
        write_connection(self, &connection.id, "putting a connection", |_| {
            Ok(connection.clone())
        })
        .await
    }

    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize> {
        write_connection(self, id, "binding a connection", |previous| {
            let previous = previous.ok_or(StoreError::NotFound("connection"))?;
            Ok(Connection {
                user_id: Some(user),
                scope,
                ..previous.clone()
            })
        })
        .await
    }

    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>> {
        Ok(stored(self, id, "reading a connection")
            .await?
            .map(|stored| stored.connection))
    }

    /// Deletes both copies (checked by revision) and returns the connection and
    /// its user's remaining live count; `None` if it was already gone.
    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>> {
        let doing = "deleting a connection";
        let mut backoff = Backoff::new(doing);
        loop {
            let Some(previous) = stored(self, id, doing).await? else {
                return Ok(None);
            };
            let mut writes = vec![
                Write::delete(keys::connection(id))
                    .when("#rev = :rev")
                    .name("#rev", attr::REVISION)
                    .value(":rev", n(previous.revision)),
            ];
            let presence = match previous.connection.user_id {
                Some(user) => {
                    let presence = Presence::read(self, user, id, doing).await?;
                    writes.push(Write::delete(keys::user_connection(user, id)));
                    writes.push(presence.bump());
                    Some(presence)
                }
                None => None,
            };
            match self.transact(&writes, doing).await? {
                Ok(()) => {
                    let remaining = presence.map_or(0, |presence| presence.others_live);
                    return Ok(Some((previous.connection, remaining)));
                }
                // Changed or deleted meanwhile: the next round sees what is there.
                Err(canceled) if canceled.lost_race() => backoff.retry(canceled).await?,
                Err(canceled) => return Err(canceled.unexpected(doing)),
            }
        }
    }

    /// One consistent query per distinct user, a few users at a time.
    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>> {
        let doing = "reading users' live connections";
        let distinct: BTreeSet<UserId> = users.iter().copied().collect();
        let pages: Vec<Vec<Item>> = stream::iter(distinct)
            .map(|user| {
                let live = KeyRange::prefix(keys::user_partition(user), CONNECTION_PREFIX)
                    .filter("#expires > :now")
                    .name("#expires", attr::EXPIRES_AT_MS)
                    .value(":now", n(now.millis()));
                async move { self.query_items(&live, None, doing).await }
            })
            .buffered(QUERY_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(from_items(&pages.concat(), "connection").context(doing)?)
    }
}
