//! Conditional writes inside `TransactWriteItems`, and what a cancelled
//! transaction says about each of its items.
//!
//! Every attribute in an expression goes through a `#name` placeholder (some
//! of ours, like `name`, `size` and `text`, are DynamoDB reserved words), and
//! a [`Write`] carries exactly the placeholders its expressions use, since
//! DynamoDB refuses unused ones.

use crate::items::Item;
use crate::keys::{Key, PK};
use crate::store::DynamoStore;
use anyhow::Context;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use banter_core::ports::StoreError;
use banter_core::ports::store::StoreResult;
use std::collections::HashMap;
use std::fmt;

/// DynamoDB's cap on the items of one transaction.
pub(crate) const MAX_TRANSACTION_ITEMS: usize = 100;

#[derive(Clone, Debug)]
enum Op {
    Put(Item),
    Update(Key, String),
    Delete(Key),
    Check(Key),
}

/// One item's write (or condition check) in a transaction.
#[derive(Clone, Debug)]
pub(crate) struct Write {
    op: Op,
    condition: Option<String>,
    names: HashMap<String, String>,
    values: Item,
}

impl Write {
    fn new(op: Op) -> Self {
        Self {
            op,
            condition: None,
            names: HashMap::new(),
            values: Item::new(),
        }
    }

    pub(crate) fn put(item: Item) -> Self {
        Self::new(Op::Put(item))
    }

    /// `update` is an update expression such as `SET #a = :a`.
    pub(crate) fn update(key: Key, update: impl Into<String>) -> Self {
        Self::new(Op::Update(key, update.into()))
    }

    pub(crate) fn delete(key: Key) -> Self {
        Self::new(Op::Delete(key))
    }

    /// Writes nothing; the transaction only goes through if `condition` holds.
    pub(crate) fn check(key: Key, condition: impl Into<String>) -> Self {
        Self::new(Op::Check(key)).when(condition)
    }

    /// The condition this write needs (replacing any earlier one).
    pub(crate) fn when(mut self, condition: impl Into<String>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// Only if the item does not exist yet.
    pub(crate) fn if_new(self) -> Self {
        self.when("attribute_not_exists(#pk)").name("#pk", PK)
    }

    /// Only if the item exists (so an update never creates one).
    pub(crate) fn if_exists(self) -> Self {
        self.when("attribute_exists(#pk)").name("#pk", PK)
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

    fn into_sdk(self, table: &str) -> anyhow::Result<TransactWriteItem> {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        let item = match self.op {
            Op::Put(item) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()?,
            ),
            Op::Update(key, update) => TransactWriteItem::builder().update(
                Update::builder()
                    .table_name(table)
                    .set_key(Some(key.item()))
                    .update_expression(update)
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()?,
            ),
            Op::Delete(key) => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(key.item()))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()?,
            ),
            Op::Check(key) => TransactWriteItem::builder().condition_check(
                ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(key.item()))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()?,
            ),
        };
        Ok(item.build())
    }
}

/// Why DynamoDB cancelled a transaction: one code per item, in order
/// (`None` for an item that was fine).
#[derive(Clone, Debug)]
pub(crate) struct Canceled {
    codes: Vec<String>,
}

impl Canceled {
    fn from_error(reasons: &[aws_sdk_dynamodb::types::CancellationReason], message: &str) -> Self {
        let mut codes: Vec<String> = reasons
            .iter()
            .map(|reason| reason.code().unwrap_or("None").to_owned())
            .collect();
        if codes.is_empty() {
            // Older DynamoDB Local releases only list the codes in the message:
            // "... specific reasons [None, ConditionalCheckFailed]".
            if let Some(list) = message
                .rsplit_once('[')
                .and_then(|(_, rest)| rest.split_once(']'))
            {
                codes = list
                    .0
                    .split(',')
                    .map(|code| code.trim().to_owned())
                    .collect();
            }
        }
        Self { codes }
    }

    /// Whether item `index`'s condition failed.
    pub(crate) fn condition_failed(&self, index: usize) -> bool {
        self.codes
            .get(index)
            .is_some_and(|code| code == "ConditionalCheckFailed")
    }

    /// Whether trying again may succeed: another transaction held an item,
    /// or the request was throttled.
    pub(crate) fn transient(&self) -> bool {
        self.codes.iter().any(|code| {
            matches!(
                code.as_str(),
                "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
            )
        })
    }

    /// Whether the transaction lost a race: a condition failed or an item was
    /// busy. Callers whose conditions only guard against concurrent writers
    /// read again and retry.
    pub(crate) fn lost_race(&self) -> bool {
        self.transient()
            || self
                .codes
                .iter()
                .any(|code| code == "ConditionalCheckFailed")
    }

    /// The cancellation as an unexpected failure of `doing`.
    pub(crate) fn unexpected(&self, doing: &'static str) -> StoreError {
        StoreError::Unexpected(anyhow::anyhow!("{self}").context(doing))
    }
}

/// A single-item update whose condition failed, with the item as it was
/// (`None` if there was no item).
#[derive(Debug)]
pub(crate) struct ConditionFailed(pub(crate) Option<Item>);

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transaction cancelled: [{}]", self.codes.join(", "))
    }
}

impl DynamoStore {
    /// Runs the writes as one transaction. `Ok(Err(canceled))` when DynamoDB
    /// cancelled it (a condition failed, or it conflicted with another
    /// transaction); `Err` for anything else.
    pub(crate) async fn transact(
        &self,
        writes: &[Write],
        doing: &'static str,
    ) -> StoreResult<Result<(), Canceled>> {
        let items = writes
            .iter()
            .map(|write| write.clone().into_sdk(self.table()))
            .collect::<anyhow::Result<Vec<_>>>()
            .context(doing)?;
        match self
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Ok(())),
            Err(error) => match error.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(canceled) => {
                    Ok(Err(Canceled::from_error(
                        canceled.cancellation_reasons(),
                        canceled.message().unwrap_or_default(),
                    )))
                }
                // Another request with the same client token is still running.
                TransactWriteItemsError::TransactionInProgressException(_) => Ok(Err(Canceled {
                    codes: vec!["TransactionConflict".to_owned()],
                })),
                other => Err(StoreError::Unexpected(
                    anyhow::Error::new(other).context(doing),
                )),
            },
        }
    }
}

impl DynamoStore {
    /// One UpdateItem (the write must be an update). Returns the item as it
    /// is afterwards, or, if its condition failed, the item as it was.
    pub(crate) async fn update(
        &self,
        write: Write,
        doing: &'static str,
    ) -> StoreResult<Result<Item, ConditionFailed>> {
        let Op::Update(key, update) = write.op else {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "{doing}: DynamoStore::update takes an update, got {:?}",
                write.op
            )));
        };
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key.item()))
            .update_expression(update)
            .set_condition_expression(write.condition)
            .set_expression_attribute_names((!write.names.is_empty()).then_some(write.names))
            .set_expression_attribute_values((!write.values.is_empty()).then_some(write.values))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Ok(output.attributes.unwrap_or_default())),
            Err(error) => match error.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(failed) => {
                    Ok(Err(ConditionFailed(failed.item)))
                }
                other => Err(StoreError::Unexpected(
                    anyhow::Error::new(other).context(doing),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::CancellationReason;

    #[test]
    fn reasons_come_from_the_list_or_else_from_the_message() {
        let reasons = [
            CancellationReason::builder().code("None").build(),
            CancellationReason::builder()
                .code("ConditionalCheckFailed")
                .build(),
        ];
        let listed = Canceled::from_error(&reasons, "");
        assert!(!listed.condition_failed(0) && listed.condition_failed(1));
        assert!(!listed.transient());

        let parsed = Canceled::from_error(
            &[],
            "Transaction cancelled, please refer cancellation reasons for specific reasons \
             [TransactionConflict, None]",
        );
        assert!(parsed.transient() && !parsed.condition_failed(0));
        assert_eq!(
            parsed.to_string(),
            "transaction cancelled: [TransactionConflict, None]"
        );
    }

    #[test]
    fn writes_carry_only_the_placeholders_they_use() {
        let key = crate::keys::room(banter_core::domain::RoomId(1));
        let item = Write::update(key, "SET #c = :c")
            .name("#c", "message_count")
            .value(":c", AttributeValue::N("1".into()))
            .if_exists()
            .into_sdk("t")
            .expect("a valid update");
        let update = item.update().expect("an update");
        assert_eq!(update.condition_expression(), Some("attribute_exists(#pk)"));
        assert_eq!(
            update.expression_attribute_names().map(HashMap::len),
            Some(2)
        );
        let put = Write::put(Item::new()).into_sdk("t").expect("a valid put");
        assert!(
            put.put()
                .expect("a put")
                .expression_attribute_names()
                .is_none()
        );
    }
}
