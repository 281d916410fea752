//! Ports: the narrow capabilities the services need from the outside world.
//! Each adapter crate implements them (SQLite and files locally, DynamoDB,
//! S3 and the API Gateway Management API on AWS).

pub mod blob;
pub mod push;
pub mod store;

pub use blob::{BlobMeta, BlobStore, PresignedUpload};
pub use push::{Push, PushError};
pub use store::{
    AppendOutcome, Claim, ConnectionStore, DeliveryStore, HistoryQuery, MessageStore,
    RateLimitStore, Release, RoomStore, Store, StoreError, UserStore,
};
