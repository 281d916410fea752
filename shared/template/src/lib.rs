//! The one reader of `template.yaml`, the SAM template that `sam deploy`
//! turns into the stack: banter-local serves the APIs it declares
//! ([`ApiTemplate`]), the DynamoDB tests make its table, and the checks that
//! hold the template to the code (routes, IAM grants) read its resources
//! from here. CloudFormation's short tags (`!Ref`, `!Sub`, `!GetAtt`) are
//! understood once, in [`api`].

pub mod api;
mod sam;

pub use api::{ApiTemplate, Cors, HttpApi, HttpRoute, StreamConsumer, WebSocketApi, WsRoute};
pub use sam::{SamTemplate, default_path};
