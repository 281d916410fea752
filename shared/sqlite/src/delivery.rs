//! The room's delivery courier (see `banter_core::ports::Store::claim_delivery`):
//! a lease on the room row, and how far its messages have been pushed.

use crate::error::OrUnexpected;
use crate::store::SqliteStore;
use async_trait::async_trait;
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::DeliveryStore;
use banter_core::ports::store::StoreResult;
use banter_core::ports::{Claim, Release, StoreError};
use rusqlite::{OptionalExtension, params};

type Db = rusqlite::Connection;

pub(crate) fn claim(
    db: &Db,
    room: RoomId,
    courier: &str,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Claim> {
    let taken: Option<u64> = db
        .prepare_cached(
            "UPDATE rooms SET courier = ?2, courier_until = ?4
             WHERE id = ?1 AND (courier IS NULL OR courier_until <= ?3)
             RETURNING delivered_seq",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![room.0, courier, now.millis(), until.millis()],
                    |row| row.get(0),
                )
                .optional()
        })
        .or_unexpected("claiming a room's delivery")?;
    if let Some(delivered) = taken {
        return Ok(Claim::Taken { delivered });
    }
    let busy: Option<u64> = db
        .prepare_cached("SELECT delivered_seq FROM rooms WHERE id = ?1")
        .and_then(|mut statement| statement.query_row([room.0], |row| row.get(0)).optional())
        .or_unexpected("reading a room's delivery")?;
    busy.map(|delivered| Claim::Busy { delivered })
        .ok_or(StoreError::NotFound("room"))
}

pub(crate) fn release(
    db: &Db,
    room: RoomId,
    courier: &str,
    delivered: u64,
) -> StoreResult<Release> {
    let count: Option<u64> = db
        .prepare_cached(
            "UPDATE rooms SET delivered_seq = max(delivered_seq, ?3),
                              courier = NULL, courier_until = NULL
             WHERE id = ?1 AND courier = ?2
             RETURNING message_count",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![room.0, courier, delivered], |row| row.get(0))
                .optional()
        })
        .or_unexpected("releasing a room's delivery")?;
    Ok(match count {
        None => Release::Lost,
        Some(count) if count > delivered => Release::More,
        Some(_) => Release::Done,
    })
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn claim_delivery(
        &self,
        room: RoomId,
        courier: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Claim> {
        let courier = courier.to_owned();
        self.call(move |db| claim(db, room, &courier, now, until))
            .await
    }

    async fn release_delivery(
        &self,
        room: RoomId,
        courier: &str,
        delivered: u64,
    ) -> StoreResult<Release> {
        let courier = courier.to_owned();
        self.call(move |db| release(db, room, &courier, delivered))
            .await
    }
}
