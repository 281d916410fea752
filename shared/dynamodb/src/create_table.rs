//! Making the template's table elsewhere (DynamoDB Local in tests) from its
//! [`TableDefinition`], so the two cannot drift.

use crate::table::{KeyDef, TableDefinition};
use anyhow::{Context, bail};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

fn key_schema(keys: &[KeyDef]) -> anyhow::Result<Vec<KeySchemaElement>> {
    keys.iter()
        .map(|key| {
            let key_type = match key.key_type.as_str() {
                "HASH" => KeyType::Hash,
                "RANGE" => KeyType::Range,
                other => bail!("unknown key type {other:?}"),
            };
            Ok(KeySchemaElement::builder()
                .attribute_name(&key.attribute_name)
                .key_type(key_type)
                .build()?)
        })
        .collect()
}

/// Creates `name` as `definition` says (key schema, attributes, billing
/// mode, indexes) and turns on its TTL. Point-in-time recovery and
/// encryption are left to CloudFormation: DynamoDB Local has neither.
pub async fn create_table(
    client: &Client,
    name: &str,
    definition: &TableDefinition,
) -> anyhow::Result<()> {
    let attributes = definition
        .attribute_definitions
        .iter()
        .map(|attribute| {
            let kind = match attribute.attribute_type.as_str() {
                "S" => ScalarAttributeType::S,
                "N" => ScalarAttributeType::N,
                "B" => ScalarAttributeType::B,
                other => bail!("unknown attribute type {other:?}"),
            };
            Ok(AttributeDefinition::builder()
                .attribute_name(&attribute.attribute_name)
                .attribute_type(kind)
                .build()?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let indexes = definition
        .global_secondary_indexes
        .iter()
        .map(|index| {
            let projection = Projection::builder()
                .set_projection_type(
                    index
                        .projection
                        .projection_type
                        .as_deref()
                        .map(ProjectionType::from),
                )
                .set_non_key_attributes(
                    (!index.projection.non_key_attributes.is_empty())
                        .then(|| index.projection.non_key_attributes.clone()),
                )
                .build();
            Ok(GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(projection)
                .build()?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let billing = match definition.billing_mode.as_deref() {
        None | Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        Some(other) => bail!("only on-demand tables are supported here, not {other:?}"),
    };
    client
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&definition.key_schema)?))
        .billing_mode(billing)
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .send()
        .await
        .with_context(|| format!("creating table {name}"))?;
    if let Some(attribute) = definition.ttl_attribute() {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await
            .with_context(|| format!("enabling TTL on {attribute} of table {name}"))?;
    }
    Ok(())
}
