//! Running a Banter handler as a Lambda function. Each function crate's
//! `main` is `banter_lambda::serve(env!("CARGO_PKG_NAME"))`: it reads the
//! [`settings`] once per cold start, loads the AWS SDK configuration once,
//! builds the adapters (DynamoDB store, S3 blobs, Management API push) and
//! the JWT secret (`banter_dynamodb::jwt_secret`), then serves every invocation with the
//! handler `banter_handlers::function` registers for that binary.
//!
//! This crate is the only one that links both the handlers and the AWS
//! SDK: banter-local runs the same handlers without it.
//!
//! Pointing a function elsewhere (e.g. `cargo lambda watch` against DynamoDB
//! Local, moto and banter-local): `AWS_ENDPOINT_URL_DYNAMODB`,
//! `AWS_ENDPOINT_URL_S3` (with `BANTER_S3_FORCE_PATH_STYLE=true`) and
//! `BANTER_WS_ENDPOINT`.

pub mod settings;

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use banter_apigw::ManagementApiPush;
use banter_core::dialect::Dialects;
use banter_core::service::Services;
use banter_dynamodb::DynamoStore;
use banter_handlers::{Function, function};
use banter_s3::S3BlobStore;
use lambda_runtime::{LambdaEvent, service_fn};
use settings::Settings;
use std::sync::Arc;

pub type Error = lambda_runtime::Error;

/// The whole `main` of a function crate: `serve(env!("CARGO_PKG_NAME"))`.
pub async fn serve(binary: &str) -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let handler =
        function(binary).ok_or_else(|| format!("no handler is registered for {binary}"))?;
    let services = match services_from_env().await {
        Ok(services) => services,
        Err(error) => {
            // The full chain, in the log and as the init error Lambda reports.
            let message = format!("{binary} cannot start: {error:#}");
            tracing::error!("{message}");
            return Err(message.into());
        }
    };
    // Lives for the whole process, like the execution environment itself.
    let services: &'static Services = Box::leak(Box::new(services));
    match handler {
        Function::WebSocket(handle) => {
            lambda_runtime::run(service_fn(
                move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| async move {
                    Ok::<_, Error>(handle(services, event.payload).await)
                },
            ))
            .await
        }
        Function::Http(handle) => {
            lambda_http::run(service_fn(
                move |request: lambda_http::Request| async move {
                    Ok::<_, Error>(handle(services, request).await)
                },
            ))
            .await
        }
        Function::Stream(handle) => {
            lambda_runtime::run(service_fn(
                move |event: LambdaEvent<aws_lambda_events::dynamodb::Event>| async move {
                    handle(services, event.payload).await;
                    Ok::<_, Error>(())
                },
            ))
            .await
        }
    }
}

/// The services from the process environment and the SDK's default
/// configuration (region and credentials from the Lambda environment).
pub async fn services_from_env() -> anyhow::Result<Services> {
    let settings = Settings::from_env()?;
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    services(&settings, &sdk).await
}

/// The services on the resources `settings` names, through clients built
/// from `sdk` (one configuration, loaded once, for every client).
pub async fn services(
    settings: &Settings,
    sdk: &aws_config::SdkConfig,
) -> anyhow::Result<Services> {
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let secret = banter_dynamodb::jwt_secret::load_or_create(&dynamodb, &settings.table)
        .await
        .context("the JWT secret")?;
    let store = DynamoStore::new(dynamodb, settings.table.clone());
    let s3 = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(settings.s3_force_path_style)
        .build();
    let blobs = S3BlobStore::new(aws_sdk_s3::Client::from_conf(s3), settings.bucket.clone());
    // One attempt per call: core's push retries 429/5xx itself, with
    // jitter and a bound, and never counts a 410 as retryable.
    let push_config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
    let push = ManagementApiPush::with_endpoint(push_config, &settings.ws_endpoint);
    tracing::info!(
        table = %settings.table,
        bucket = %settings.bucket,
        ws_endpoint = %settings.ws_endpoint,
        "services ready"
    );
    Ok(Services::new(
        Arc::new(store),
        Arc::new(blobs),
        Arc::new(push),
        Arc::new(Dialects),
        settings.config(secret),
    ))
}
