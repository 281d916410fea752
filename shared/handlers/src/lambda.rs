//! Running a handler as a Lambda function: build the services once per cold
//! start, then serve every invocation with them.

use crate::{Function, function};
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use banter_core::service::Services;
use lambda_runtime::{LambdaEvent, service_fn};

pub type Error = lambda_runtime::Error;

/// The whole `main` of a function crate: `serve(env!("CARGO_PKG_NAME"))`.
pub async fn serve(binary: &str) -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let handler =
        function(binary).ok_or_else(|| format!("no handler is registered for {binary}"))?;
    // Lives for the whole process, like the execution environment itself.
    let services: &'static Services = Box::leak(Box::new(services_from_env().await?));
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
    }
}

/// The AWS adapters (DynamoDB, S3, API Gateway Management API) are wired
/// here from the environment. They are the next milestone (issue 3); until
/// then a deployed function fails at cold start with this message instead
/// of pretending to work.
async fn services_from_env() -> Result<Services, Error> {
    Err("the AWS adapters are not built yet: run Banter with banter-local".into())
}
