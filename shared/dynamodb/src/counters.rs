//! Id allocation: one counter item per kind of id, bumped with an atomic
//! `ADD` that returns the new value. Ids are unique and increase in
//! allocation order; an id allocated for a write that then fails is skipped,
//! never reused. One counter item takes about 1,000 writes a second (one
//! partition's limit): see docs/dynamodb.md for how to shard it.

use crate::attr;
use crate::items::{ItemExt, n};
use crate::keys::{self, Counter};
use crate::store::DynamoStore;
use anyhow::{Context, anyhow};
use aws_sdk_dynamodb::types::ReturnValue;
use banter_core::domain::ids::MAX_SAFE_ID;
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;

impl DynamoStore {
    /// The next id of this kind: 1, 2, 3, ... up to 2^53 - 1.
    pub(crate) async fn next_id(&self, counter: Counter) -> StoreResult<u64> {
        let doing = "allocating an id";
        let output = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(keys::counter(counter).item()))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", attr::VALUE)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .context(doing)?;
        let id: u64 = output
            .attributes
            .unwrap_or_default()
            .number(attr::VALUE)
            .context(doing)?;
        if !(1..=MAX_SAFE_ID).contains(&id) {
            return Err(StoreError::Unexpected(anyhow!(
                "the {counter:?} counter is at {id}, outside 1..=2^53-1"
            )));
        }
        Ok(id)
    }
}
