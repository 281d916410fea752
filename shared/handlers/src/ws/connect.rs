//! `$connect`: authenticate from the query string (browsers cannot set
//! headers on a WebSocket), choose the dialect once, record the connection.

use super::response::{ok, refuse};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::domain::connection::DialectKind;
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp};
use banter_core::service::{ChatError, ErrorCode, Services};

pub async fn handle(
    services: &Services,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    match connect(services, &event).await {
        Ok(()) => ok(),
        Err(e) => {
            e.log("$connect");
            refuse(&e)
        }
    }
}

async fn connect(
    services: &Services,
    event: &ApiGatewayWebsocketProxyRequest,
) -> Result<(), ChatError> {
    let id = event
        .request_context
        .connection_id
        .clone()
        .ok_or_else(|| ChatError::invalid("the event has no connectionId"))?;
    let query = &event.query_string_parameters;
    let dialect = match query.first("dialect") {
        None => DialectKind::Native,
        Some(name) => DialectKind::parse(name)
            .ok_or_else(|| ChatError::invalid(format!("unknown dialect {name:?}")))?,
    };
    let token = query
        .first("token")
        .ok_or_else(|| ChatError::new(ErrorCode::Unauthorized, "add ?token=<JWT> to the URL"))?;
    let user = services.authenticate(token)?;
    let now = Timestamp::now();
    let connection = Connection {
        id: ConnectionId(id),
        dialect,
        user_id: Some(user),
        scope: Scope::AllRooms,
        connected_at: now,
        expires_at: now.plus(services.config.connection_ttl),
        dialect_state: String::new(),
    };
    services.connect(&connection).await
}
