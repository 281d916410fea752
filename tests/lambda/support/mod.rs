//! Test support: the servers (DynamoDB Local and moto, through the
//! harnesses of banter-dynamodb's and banter-s3's own tests), the runtime
//! emulator, recording SDK interceptors and the sample-event run.

#![allow(dead_code)]

#[path = "../../../shared/dynamodb/tests/support/mod.rs"]
pub mod dynamodb;
#[path = "../../../shared/s3/tests/support/mod.rs"]
pub mod s3;

pub mod emulator;
pub mod events;
pub mod inprocess;
pub mod recorder;
pub mod scenario;
