//! Banter's AWS side, proved on this machine against real implementations
//! of the AWS APIs: Amazon's DynamoDB Local, moto's S3, banter-local's
//! Management API and cargo lambda's Lambda runtime emulator.
//!
//! - `functions`: every function binary, built for real, under
//!   `cargo lambda watch`, invoked with every sample event of `events/`
//!   (`cargo lambda invoke --data-file`): status codes, items in DynamoDB,
//!   objects in S3, frames on banter-local sockets, cold starts.
//! - `requests`: DynamoDB requests per operation, counted by an SDK
//!   interceptor, and a send's count independent of the connections of
//!   other rooms.
//! - `template`: each function's IAM grants every AWS call its code paths
//!   make for the sample events (and nothing unscoped); log groups; the
//!   environment banter-lambda reads; a sample event for every route.
//!
//! Needs `scripts/lib/dynamodb-local.sh`, `scripts/lib/moto.sh` and
//! `scripts/lib/cargo-lambda.sh` to have run (scripts/test runs them); a
//! test fails and names the script otherwise.

mod functions;
mod requests;
mod support;
mod template;
