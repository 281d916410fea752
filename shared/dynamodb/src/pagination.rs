//! The read loops: a Query continues from `LastEvaluatedKey` until it has
//! what it needs (DynamoDB stops every page at 1 MB, whatever the limit), and
//! a batch get goes 100 keys at a time and asks again for `UnprocessedKeys`
//! (DynamoDB stops a response at 16 MB, or when throttled) with backoff.
//! Every read here is strongly consistent.

use crate::items::Item;
use crate::keys::{Key, PK, SK};
use crate::retry::Backoff;
use crate::store::DynamoStore;
use anyhow::Context;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Select};
use banter_core::ports::store::StoreResult;
use std::collections::{BTreeSet, HashMap};

/// DynamoDB's cap on the keys of one BatchGetItem call.
pub(crate) const MAX_BATCH_GET_KEYS: usize = 100;

/// A Query under one partition: a key condition, a direction and an
/// optional filter (applied after reading, so it saves no read capacity).
#[derive(Clone, Debug)]
pub(crate) struct KeyRange {
    key_condition: &'static str,
    filter: Option<&'static str>,
    names: HashMap<String, String>,
    values: Item,
    forward: bool,
}

impl KeyRange {
    fn new(key_condition: &'static str, pk: String) -> Self {
        Self {
            key_condition,
            filter: None,
            names: HashMap::from([("#pk".to_owned(), PK.to_owned())]),
            values: Item::from([(":pk".to_owned(), AttributeValue::S(pk))]),
            forward: true,
        }
    }

    /// The items of partition `pk` whose sort key starts with `prefix`.
    pub(crate) fn prefix(pk: String, prefix: &str) -> Self {
        let mut query = Self::new("#pk = :pk AND begins_with(#sk, :prefix)", pk);
        query.names.insert("#sk".to_owned(), SK.to_owned());
        query.value(":prefix", AttributeValue::S(prefix.to_owned()))
    }

    /// The items of partition `pk` with `low <= sk <= high`.
    pub(crate) fn between(pk: String, low: String, high: String) -> Self {
        let mut query = Self::new("#pk = :pk AND #sk BETWEEN :low AND :high", pk);
        query.names.insert("#sk".to_owned(), SK.to_owned());
        query
            .value(":low", AttributeValue::S(low))
            .value(":high", AttributeValue::S(high))
    }

    /// Highest sort key first.
    pub(crate) fn backwards(mut self) -> Self {
        self.forward = false;
        self
    }

    pub(crate) fn filter(mut self, filter: &'static str) -> Self {
        self.filter = Some(filter);
        self
    }

    pub(crate) fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names
            .insert(placeholder.to_owned(), attribute.to_owned());
        self
    }

    pub(crate) fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }
}

impl DynamoStore {
    /// A consistent GetItem.
    pub(crate) async fn get(&self, key: &Key, doing: &'static str) -> StoreResult<Option<Item>> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key.item()))
            .consistent_read(true)
            .send()
            .await
            .context(doing)?;
        Ok(output.item)
    }

    /// One consistent page of `query`, from `start` (a `LastEvaluatedKey`)
    /// or from the beginning; callers add what they need (direction, limit,
    /// count only).
    fn query_page(&self, query: &KeyRange, start: Option<Item>) -> QueryFluentBuilder {
        self.client()
            .query()
            .table_name(self.table())
            .key_condition_expression(query.key_condition)
            .set_filter_expression(query.filter.map(str::to_owned))
            .set_expression_attribute_names(Some(query.names.clone()))
            .set_expression_attribute_values(Some(query.values.clone()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
    }

    /// Every item the query matches, or the first `limit` of them, in sort
    /// key order, page after page.
    pub(crate) async fn query_items(
        &self,
        query: &KeyRange,
        limit: Option<usize>,
        doing: &'static str,
    ) -> StoreResult<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let remaining = limit.map(|limit| limit - items.len());
            let page_limit = remaining
                .map(|remaining| i32::try_from(remaining).unwrap_or(i32::MAX))
                .filter(|_| query.filter.is_none());
            let output = self
                .query_page(query, start.take())
                .scan_index_forward(query.forward)
                .set_limit(page_limit)
                .send()
                .await
                .context(doing)?;
            items.extend(output.items.unwrap_or_default());
            if let Some(limit) = limit {
                items.truncate(limit);
                if items.len() == limit {
                    return Ok(items);
                }
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// How many items the query matches (after its filter), page after page.
    pub(crate) async fn query_count(
        &self,
        query: &KeyRange,
        doing: &'static str,
    ) -> StoreResult<usize> {
        let mut count = 0;
        let mut start = None;
        loop {
            let output = self
                .query_page(query, start.take())
                .select(Select::Count)
                .send()
                .await
                .context(doing)?;
            count += usize::try_from(output.count).unwrap_or_default();
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(count),
            }
        }
    }

    /// The items of these keys that exist, each once, in no particular order:
    /// 100 keys per BatchGetItem, unprocessed keys asked for again.
    pub(crate) async fn batch_get(
        &self,
        keys: impl IntoIterator<Item = Key>,
        doing: &'static str,
    ) -> StoreResult<Vec<Item>> {
        let distinct: Vec<Key> = keys
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut found = Vec::with_capacity(distinct.len());
        for chunk in distinct.chunks(MAX_BATCH_GET_KEYS) {
            let mut pending: Vec<Item> = chunk.iter().map(Key::item).collect();
            let mut backoff = Backoff::with_attempts(doing, 12);
            while !pending.is_empty() {
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .context(doing)?;
                let output = self
                    .client()
                    .batch_get_item()
                    .request_items(self.table(), request)
                    .send()
                    .await
                    .context(doing)?;
                if let Some(mut responses) = output.responses {
                    found.extend(responses.remove(self.table()).unwrap_or_default());
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut unprocessed| unprocessed.remove(self.table()))
                    .map(|left| left.keys)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    backoff
                        .retry(format!("{} keys left unprocessed", pending.len()))
                        .await?;
                }
            }
        }
        Ok(found)
    }
}

/// Looks an item up by key among batch results.
pub(crate) fn find<'a>(items: &'a [Item], key: &Key) -> Option<&'a Item> {
    items
        .iter()
        .find(|item| Key::of(item).is_some_and(|found| &found == key))
}
