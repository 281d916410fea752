//! The room's delivery courier (see `Store::claim_delivery`): a lease held
//! on the room item, beside its `message_count` and `delivered_seq`, so a
//! claim and a release are one conditional UpdateItem each. A room without
//! `delivered_seq` has delivered nothing yet.

use crate::attr;
use crate::items::{Item, ItemExt, n, s};
use crate::keys;
use crate::store::DynamoStore;
use crate::writes::Write;
use anyhow::Context;
use async_trait::async_trait;
use banter_core::domain::{RoomId, Timestamp};
use banter_core::ports::DeliveryStore;
use banter_core::ports::store::StoreResult;
use banter_core::ports::{Claim, Release, StoreError};

fn delivered(item: &Item) -> anyhow::Result<u64> {
    Ok(item.opt_number(attr::DELIVERED_SEQ)?.unwrap_or(0))
}

#[async_trait]
impl DeliveryStore for DynamoStore {
    async fn claim_delivery(
        &self,
        room: RoomId,
        courier: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Claim> {
        let doing = "claiming a room's delivery";
        let write = Write::update(keys::room(room), "SET #courier = :me, #until = :until")
            .when("attribute_exists(#pk) AND (attribute_not_exists(#courier) OR #until <= :now)")
            .name("#pk", keys::PK)
            .name("#courier", attr::COURIER)
            .name("#until", attr::COURIER_UNTIL)
            .value(":me", s(courier))
            .value(":until", n(until.millis()))
            .value(":now", n(now.millis()));
        match self.update(write, doing).await? {
            Ok(item) => Ok(Claim::Taken {
                delivered: delivered(&item).context(doing)?,
            }),
            // The item as it was: busy, or no room at all.
            Err(failed) => match failed.0 {
                Some(item) if !item.is_empty() => Ok(Claim::Busy {
                    delivered: delivered(&item).context(doing)?,
                }),
                _ => Err(StoreError::NotFound("room")),
            },
        }
    }

    async fn release_delivery(
        &self,
        room: RoomId,
        courier: &str,
        delivered_now: u64,
    ) -> StoreResult<Release> {
        let doing = "releasing a room's delivery";
        let write = Write::update(
            keys::room(room),
            "SET #delivered = :d REMOVE #courier, #until",
        )
        .when("#courier = :me")
        .name("#delivered", attr::DELIVERED_SEQ)
        .name("#courier", attr::COURIER)
        .name("#until", attr::COURIER_UNTIL)
        .value(":me", s(courier))
        .value(":d", n(delivered_now));
        Ok(match self.update(write, doing).await? {
            Err(_) => Release::Lost,
            Ok(item) => {
                let count: u64 = item.number(attr::MESSAGE_COUNT).context(doing)?;
                if count > delivered_now {
                    Release::More
                } else {
                    Release::Done
                }
            }
        })
    }
}
