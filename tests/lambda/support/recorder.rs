//! SDK interceptors that record what a client asks of AWS: every HTTP
//! request DynamoDB receives (its `X-Amz-Target` operation), and the IAM
//! actions each call needs (a `TransactWriteItems` is authorised item by
//! item as `PutItem`, `UpdateItem`, `DeleteItem` or `ConditionCheckItem`; a
//! `HeadObject` as `s3:GetObject`; a presigned URL as the action it signs).
//! Plus a `Push` that records Management API calls.

use async_trait::async_trait;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation as ddb;
use aws_sdk_s3::operation as s3;
use banter_core::domain::ConnectionId;
use banter_core::ports::{Push, PushError};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Default)]
struct Log {
    /// One entry per HTTP request (retries included), in order.
    requests: Vec<String>,
    /// IAM actions the calls need, e.g. `dynamodb:GetItem`.
    actions: BTreeSet<String>,
}

/// Records DynamoDB requests and the IAM actions they need.
#[derive(Clone, Debug, Default)]
pub struct DynamoRecorder(Arc<Mutex<Log>>);

impl DynamoRecorder {
    /// A client like `base` (same endpoint, credentials, region) that reports here.
    pub fn client(&self, base: &aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
        let config = base.config().to_builder().interceptor(self.clone()).build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets everything recorded so far.
    pub fn reset(&self) {
        *self.log() = Log::default();
    }

    /// The operations of the requests since the last reset, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log().requests.clone()
    }

    /// The IAM actions needed since the last reset.
    pub fn actions(&self) -> BTreeSet<String> {
        self.log().actions.clone()
    }
}

impl Intercept for DynamoRecorder {
    fn name(&self) -> &'static str {
        "DynamoRecorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let actions = dynamodb_actions(context);
        self.log().actions.extend(actions);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // `X-Amz-Target: DynamoDB_20120810.GetItem`
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("?")
            .to_owned();
        self.log().requests.push(operation);
        Ok(())
    }
}

fn dynamodb_actions(context: &BeforeSerializationInterceptorContextRef<'_>) -> Vec<String> {
    let input = context.input();
    let one = |action: &str| vec![format!("dynamodb:{action}")];
    if input
        .downcast_ref::<ddb::get_item::GetItemInput>()
        .is_some()
    {
        return one("GetItem");
    }
    if input
        .downcast_ref::<ddb::put_item::PutItemInput>()
        .is_some()
    {
        return one("PutItem");
    }
    if input
        .downcast_ref::<ddb::update_item::UpdateItemInput>()
        .is_some()
    {
        return one("UpdateItem");
    }
    if input
        .downcast_ref::<ddb::delete_item::DeleteItemInput>()
        .is_some()
    {
        return one("DeleteItem");
    }
    if input.downcast_ref::<ddb::query::QueryInput>().is_some() {
        return one("Query");
    }
    if input.downcast_ref::<ddb::scan::ScanInput>().is_some() {
        return one("Scan");
    }
    if input
        .downcast_ref::<ddb::batch_get_item::BatchGetItemInput>()
        .is_some()
    {
        return one("BatchGetItem");
    }
    if input
        .downcast_ref::<ddb::batch_write_item::BatchWriteItemInput>()
        .is_some()
    {
        return one("BatchWriteItem");
    }
    if input
        .downcast_ref::<ddb::transact_get_items::TransactGetItemsInput>()
        .is_some()
    {
        return one("GetItem");
    }
    if let Some(transaction) =
        input.downcast_ref::<ddb::transact_write_items::TransactWriteItemsInput>()
    {
        return transaction
            .transact_items()
            .iter()
            .map(|item| {
                let action = if item.put().is_some() {
                    "PutItem"
                } else if item.update().is_some() {
                    "UpdateItem"
                } else if item.delete().is_some() {
                    "DeleteItem"
                } else {
                    "ConditionCheckItem"
                };
                format!("dynamodb:{action}")
            })
            .collect();
    }
    vec![format!("dynamodb:UNRECOGNISED {input:?}")]
}

/// Records the S3 IAM actions a client's calls need (presigning included).
#[derive(Clone, Debug, Default)]
pub struct S3Recorder(Arc<Mutex<Log>>);

impl S3Recorder {
    pub fn client(&self, base: &aws_sdk_s3::Client) -> aws_sdk_s3::Client {
        let config = base.config().to_builder().interceptor(self.clone()).build();
        aws_sdk_s3::Client::from_conf(config)
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn reset(&self) {
        *self.log() = Log::default();
    }

    pub fn actions(&self) -> BTreeSet<String> {
        self.log().actions.clone()
    }
}

impl aws_sdk_s3::config::Intercept for S3Recorder {
    fn name(&self) -> &'static str {
        "S3Recorder"
    }

    fn read_before_execution(
        &self,
        context: &aws_sdk_s3::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let input = context.input();
        let action = if input
            .downcast_ref::<s3::head_object::HeadObjectInput>()
            .is_some()
            || input
                .downcast_ref::<s3::get_object::GetObjectInput>()
                .is_some()
        {
            "s3:GetObject".to_owned()
        } else if input
            .downcast_ref::<s3::put_object::PutObjectInput>()
            .is_some()
        {
            "s3:PutObject".to_owned()
        } else {
            format!("s3:UNRECOGNISED {input:?}")
        };
        self.log().actions.insert(action);
        Ok(())
    }
}

/// A `Push` that records which Management API calls were made and answers
/// every post with success (no socket is behind these connection ids).
#[derive(Debug, Default)]
pub struct RecordingPush(Mutex<Log>);

impl RecordingPush {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn reset(&self) {
        *self.log() = Log::default();
    }

    /// `POST` and `DELETE` as `execute-api:ManageConnections` resources
    /// (`<method>/@connections/*`).
    pub fn actions(&self) -> BTreeSet<String> {
        self.log().actions.clone()
    }

    /// Connections posted to since the last reset.
    pub fn posts(&self) -> Vec<String> {
        self.log().requests.clone()
    }
}

#[async_trait]
impl Push for RecordingPush {
    async fn post(&self, connection: &ConnectionId, _payload: &str) -> Result<(), PushError> {
        let mut log = self.log();
        log.actions.insert("POST/@connections/*".to_owned());
        log.requests.push(connection.0.clone());
        Ok(())
    }

    async fn close(&self, _connection: &ConnectionId) -> Result<(), PushError> {
        self.log()
            .actions
            .insert("DELETE/@connections/*".to_owned());
        Ok(())
    }
}
