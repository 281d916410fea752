//! The table definition. Its one source is `template.yaml`'s `ChatTable`
//! resource: [`TableDefinition`] reads that resource's `Properties` (the
//! CloudFormation shape), and [`create_table`] makes the same table
//! elsewhere (DynamoDB Local in tests), so the two cannot drift. The
//! constants say what this crate's code relies on; a test holds the template
//! to them.

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
