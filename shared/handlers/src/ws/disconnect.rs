//! `$disconnect`: best effort on API Gateway's side, so it is idempotent
//! here; stale connections are also removed on 410 and by the store's TTL.

use super::response::{ok, refuse};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::domain::ConnectionId;
use banter_core::service::Services;

pub async fn handle(
    services: &Services,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let Some(id) = event.request_context.connection_id else {
        return ok();
    };
    match services.disconnect(&ConnectionId(id)).await {
        Ok(_) => ok(),
        Err(e) => {
            e.log("$disconnect");
            refuse(&e)
        }
    }
}
