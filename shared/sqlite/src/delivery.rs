//! The room's delivery courier (see `banter_core::ports::Delivery`): a
//! lease on the room row, and how far its messages have been pushed.

use crate::error::OrUnexpected;
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::Release;
use banter_core::ports::store::StoreResult;
use rusqlite::{OptionalExtension, params};

type Db = rusqlite::Connection;

/// Takes the room's lease unless a live courier holds it; returns the seq
/// delivered so far.
pub(crate) fn claim(
    db: &Db,
    room: RoomId,
    courier: &str,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Option<u64>> {
    db.prepare_cached(
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
    .or_unexpected("claiming a room's delivery")
}

/// Records `delivered` and hands the lease back if that is the room's
/// newest message; otherwise keeps (renews) it.
pub(crate) fn release(
    db: &Db,
    room: RoomId,
    courier: &str,
    delivered: u64,
    until: Timestamp,
) -> StoreResult<Release> {
    let done = db
        .prepare_cached(
            "UPDATE rooms SET delivered_seq = ?3, courier = NULL, courier_until = NULL
             WHERE id = ?1 AND courier = ?2 AND message_count = ?3",
        )
        .and_then(|mut statement| statement.execute(params![room.0, courier, delivered]))
        .or_unexpected("releasing a room's delivery")?;
    if done == 1 {
        return Ok(Release::Done);
    }
    let kept = db
        .prepare_cached(
            "UPDATE rooms SET delivered_seq = max(delivered_seq, ?3), courier_until = ?4
             WHERE id = ?1 AND courier = ?2",
        )
        .and_then(|mut statement| {
            statement.execute(params![room.0, courier, delivered, until.millis()])
        })
        .or_unexpected("renewing a room's delivery")?;
    Ok(if kept == 1 {
        Release::More
    } else {
        Release::Lost
    })
}
