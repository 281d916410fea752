//! The table in template.yaml is the table the code expects: same keys, the
//! TTL attribute the connection items carry, and every index the code
//! queries (and no other).

mod support;

use banter_dynamodb::attr;
use banter_dynamodb::keys::{PK, SK};
use banter_dynamodb::table::{INDEXES, TTL_ATTRIBUTE};

#[test]
fn given_the_template_when_reading_chat_table_then_keys_are_generic_strings() {
    let table = support::table_definition();
    assert_eq!(
        table.primary_key(),
        vec![(PK, "HASH"), (SK, "RANGE")],
        "ChatTable's key schema must be pk (HASH), sk (RANGE)"
    );
    let mut defined: Vec<(&str, &str)> = table
        .attribute_definitions
        .iter()
        .map(|a| (a.attribute_name.as_str(), a.attribute_type.as_str()))
        .collect();
    defined.sort();
    assert_eq!(
        defined,
        vec![(PK, "S"), (SK, "S")],
        "only key attributes are defined, both strings"
    );
    assert_eq!(table.billing_mode.as_deref(), Some("PAY_PER_REQUEST"));
}

#[test]
fn given_the_template_when_reading_chat_table_then_ttl_is_on_the_connections_expiry() {
    let table = support::table_definition();
    assert_eq!(
        table.ttl_attribute(),
        Some(TTL_ATTRIBUTE),
        "ChatTable must have TTL enabled on {TTL_ATTRIBUTE}"
    );
    assert_eq!(
        attr::EXPIRES_AT,
        TTL_ATTRIBUTE,
        "connection items must write the TTL attribute"
    );
}

#[test]
fn given_the_template_when_reading_chat_table_then_it_has_exactly_the_indexes_the_code_queries() {
    let table = support::table_definition();
    let mut in_template = table.index_names();
    in_template.sort_unstable();
    let mut in_code = INDEXES.to_vec();
    in_code.sort_unstable();
    assert_eq!(
        in_template, in_code,
        "template.yaml's GSIs must be exactly those banter-dynamodb queries"
    );
}

#[test]
fn given_the_template_when_reading_chat_table_then_backups_and_encryption_are_on() {
    let table = support::table_definition();
    assert_eq!(
        table
            .point_in_time_recovery_specification
            .map(|pitr| pitr.point_in_time_recovery_enabled),
        Some(true),
        "point-in-time recovery must be enabled"
    );
    assert_eq!(
        table.sse_specification.map(|sse| sse.sse_enabled),
        Some(true),
        "server-side encryption must be enabled"
    );
}
