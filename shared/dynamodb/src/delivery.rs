//! The room's delivery courier (see `Store::claim_delivery`): a lease held
//! on the room item, beside its `message_count`, so "is everything
//! delivered?" and "hand the lease back" are one conditional UpdateItem.
//! A room without `delivered_seq` has delivered nothing yet.

use crate::items::{ItemExt, attr, n, s};
use crate::keys;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::Release;
use banter_core::ports::store::StoreResult;

pub(crate) async fn claim(
    db: &DynamoStore,
    room: RoomId,
    courier: &str,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Option<u64>> {
    let doing = "claiming a room's delivery";
    let write = Write::update(keys::room(room), "SET #courier = :me, #until = :until")
        .when("attribute_exists(#pk) AND (attribute_not_exists(#courier) OR #until <= :now)")
        .name("#pk", keys::PK)
        .name("#courier", attr::COURIER)
        .name("#until", attr::COURIER_UNTIL)
        .value(":me", s(courier))
        .value(":until", n(until.millis()))
        .value(":now", n(now.millis()));
    match db.update(write, doing).await? {
        Ok(item) => Ok(Some(
            item.opt_number(attr::DELIVERED_SEQ)
                .context(doing)?
                .unwrap_or(0),
        )),
        Err(_busy) => Ok(None),
    }
}

pub(crate) async fn release(
    db: &DynamoStore,
    room: RoomId,
    courier: &str,
    delivered: u64,
    until: Timestamp,
) -> StoreResult<Release> {
    let doing = "releasing a room's delivery";
    let done = Write::update(
        keys::room(room),
        "SET #delivered = :d REMOVE #courier, #until",
    )
    .when("#courier = :me AND #count = :d")
    .name("#delivered", attr::DELIVERED_SEQ)
    .name("#courier", attr::COURIER)
    .name("#until", attr::COURIER_UNTIL)
    .name("#count", attr::MESSAGE_COUNT)
    .value(":me", s(courier))
    .value(":d", n(delivered));
    let Err(_) = db.update(done, doing).await? else {
        return Ok(Release::Done);
    };
    let keep = Write::update(keys::room(room), "SET #delivered = :d, #until = :until")
        .when("#courier = :me")
        .name("#delivered", attr::DELIVERED_SEQ)
        .name("#courier", attr::COURIER)
        .name("#until", attr::COURIER_UNTIL)
        .value(":me", s(courier))
        .value(":d", n(delivered))
        .value(":until", n(until.millis()));
    Ok(match db.update(keep, "renewing a room's delivery").await? {
        Ok(_) => Release::More,
        Err(_) => Release::Lost,
    })
}
