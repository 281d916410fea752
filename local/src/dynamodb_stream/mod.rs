//! The table's DynamoDB stream, as far as Banter uses it: a connection's
//! INSERT delivered to its subscribers, filtered as Lambda filters it.

pub mod event_filter;
pub mod table_stream;
