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

// The item layout and the stream records, free of the AWS SDK.
pub mod attr;
pub mod keys;
pub mod stream;
pub mod table;

// The store on the SDK.
#[cfg(feature = "sdk")]
mod connections;
#[cfg(feature = "sdk")]
mod counters;
#[cfg(feature = "sdk")]
mod create_table;
#[cfg(feature = "sdk")]
mod delivery;
#[cfg(feature = "sdk")]
pub mod items;
#[cfg(feature = "sdk")]
pub mod jwt_secret;
#[cfg(feature = "sdk")]
mod messages;
#[cfg(feature = "sdk")]
mod pagination;
#[cfg(feature = "sdk")]
mod rate_limits;
#[cfg(feature = "sdk")]
mod retry;
#[cfg(feature = "sdk")]
mod rooms;
#[cfg(feature = "sdk")]
mod seq_range;
#[cfg(feature = "sdk")]
mod store;
#[cfg(feature = "sdk")]
mod users;
#[cfg(feature = "sdk")]
mod writes;

#[cfg(feature = "sdk")]
pub use create_table::create_table;
#[cfg(feature = "sdk")]
pub use store::{DynamoStore, TABLE_ENV};
pub use table::TableDefinition;
