//! The table definition. Its one source is `template.yaml`'s `ChatTable`
//! resource: [`TableDefinition`] reads that resource's `Properties` (the
//! CloudFormation shape), and [`create_table`] makes the same table
//! elsewhere (DynamoDB Local in tests), so the two cannot drift. The
//! constants say what this crate's code relies on; a test holds the template
//! to them.

use anyhow::{Context, bail};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use serde::Deserialize;
use std::time::Duration;

/// The name of the template resource that defines the table.
pub const RESOURCE: &str = "ChatTable";
/// The table's TTL attribute: epoch seconds.
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// How long after a connection's expiry DynamoDB may delete its items. TTL
/// can delete an item minutes after its time (DynamoDB Local does within
/// seconds); the grace keeps an expired connection findable by a late
/// `$disconnect` or 410 cleanup, which must still report the user's count.
pub const TTL_GRACE: Duration = Duration::from_secs(3600);
/// The global secondary indexes the code queries: none. Every access
/// pattern is a key lookup or a query under one partition key, kept
/// strongly consistent by writing pointer items in the same transaction
/// instead of reading eventually consistent indexes (docs/dynamodb.md).
pub const INDEXES: &[&str] = &[];

/// `AWS::DynamoDB::Table` properties, as far as this crate needs them.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TableDefinition {
    pub attribute_definitions: Vec<AttributeDef>,
    pub key_schema: Vec<KeyDef>,
    pub billing_mode: Option<String>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexDef>,
    pub time_to_live_specification: Option<TtlDef>,
    pub point_in_time_recovery_specification: Option<PitrDef>,
    #[serde(rename = "SSESpecification")]
    pub sse_specification: Option<SseDef>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct KeyDef {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDef {
    pub index_name: String,
    pub key_schema: Vec<KeyDef>,
    pub projection: ProjectionDef,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDef {
    pub projection_type: Option<String>,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TtlDef {
    pub attribute_name: String,
    pub enabled: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PitrDef {
    pub point_in_time_recovery_enabled: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct SseDef {
    #[serde(rename = "SSEEnabled")]
    pub sse_enabled: bool,
}

impl TableDefinition {
    /// The TTL attribute, if TTL is enabled.
    pub fn ttl_attribute(&self) -> Option<&str> {
        self.time_to_live_specification
            .as_ref()
            .filter(|ttl| ttl.enabled)
            .map(|ttl| ttl.attribute_name.as_str())
    }

    /// `(attribute, key type)` pairs of the table's primary key.
    pub fn primary_key(&self) -> Vec<(&str, &str)> {
        self.key_schema
            .iter()
            .map(|key| (key.attribute_name.as_str(), key.key_type.as_str()))
            .collect()
    }

    pub fn index_names(&self) -> Vec<&str> {
        self.global_secondary_indexes
            .iter()
            .map(|index| index.index_name.as_str())
            .collect()
    }
}

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
