//! Every message route (`$default` and the native actions): decode the frame
//! in the connection's dialect, run the command, push the reply back through
//! the Management API. Bad input gets an error frame; the socket stays up.

use super::response::ok;
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::dialect;
use banter_core::domain::{Connection, ConnectionId};
use banter_core::protocol::{ErrorCode, Reply};
use banter_core::service::Services;
use banter_core::service::push_retry::Pushed;

pub async fn handle(
    services: &Services,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let Some(id) = event.request_context.connection_id else {
        return ok();
    };
    let connection = match services.connection(&ConnectionId(id)).await {
        Ok(Some(connection)) => connection,
        Ok(None) => {
            // Deleted after a 410 or expired: the client must reconnect.
            tracing::warn!("frame from an unknown connection");
            return ok();
        }
        Err(e) => {
            e.log("loading connection");
            return ok();
        }
    };
    let frame = event.body.unwrap_or_default();
    let (request_id, reply) = respond(services, &connection, &frame).await;
    let internal = matches!(
        reply,
        Reply::Error {
            code: ErrorCode::Internal,
            ..
        }
    );
    let dialect = dialect::of(connection.dialect);
    for frame in dialect.encode_reply_to_fit(&connection, request_id.as_deref(), reply) {
        if services.push_frame(&connection, &frame).await != Pushed::Delivered {
            break;
        }
    }
    if internal && dialect.closes_on_internal_error() {
        if let Err(e) = services.close(&connection.id).await {
            e.log("closing after an internal error");
        }
    }
    ok()
}

async fn respond(
    services: &Services,
    connection: &Connection,
    frame: &str,
) -> (Option<String>, Reply) {
    match dialect::of(connection.dialect).decode(connection, frame) {
        Ok(request) => {
            let reply = services.execute(connection, request.command).await;
            (request.request_id, reply)
        }
        Err(rejection) => rejection.into_reply(),
    }
}
