//! Banter's [`Store`](banter_core::ports::Store) on DynamoDB: one table with
//! generic `pk`/`sk` string keys ([`keys`] lists every item), held to the
//! same conformance suite as the SQLite store.
//!
//! Every method is a GetItem, a BatchGetItem (100 keys a call, unprocessed
//! keys asked again), a Query under one partition key (page after page past
//! 1 MB), a conditional write or a TransactWriteItems; never a Scan. Reads
//! are strongly consistent. Uniqueness (usernames, DM pairs, client message
//! ids) is a conditional put of a key item in the same transaction as the
//! write it guards. docs/dynamodb.md has the design and the cost of each
//! access pattern.

mod connections;
mod counters;
mod delivery;
pub mod items;
pub mod keys;
mod messages;
mod pagination;
mod rate_limits;
mod retry;
mod rooms;
mod seq_range;
mod store;
pub mod table;
mod users;
mod writes;

pub use store::{DynamoStore, TABLE_ENV};
pub use table::{TableDefinition, create_table};
