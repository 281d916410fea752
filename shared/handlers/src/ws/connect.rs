//! `$connect`: choose the dialect once (`?dialect=`, native by default), let
//! it say how the socket authenticates and what it listens to, and record
//! the connection. Tokens ride in the query string: browsers cannot set
//! headers on a WebSocket.

use super::response::{ok, refuse};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use banter_core::dialect::{self, ConnectAuth, ConnectQuery, ConnectTarget};
use banter_core::domain::connection::DialectKind;
use banter_core::domain::{Connection, ConnectionId, Scope, Timestamp};
use banter_core::protocol::{ChatError, ErrorCode};
use banter_core::service::Services;

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
    let query: ConnectQuery = event
        .query_string_parameters
        .iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    let dialect = match query.get("dialect") {
        None => DialectKind::Native,
        Some(name) => DialectKind::parse(name)
            .ok_or_else(|| ChatError::invalid(format!("unknown dialect {name:?}")))?,
    };
    let plan = dialect::of(dialect)
        .connect_plan(&query)
        .map_err(ChatError::invalid)?;
    let user = match plan.auth {
        ConnectAuth::FirstFrame => None,
        ConnectAuth::QueryToken => {
            let token = query.get("token").ok_or_else(|| {
                ChatError::new(ErrorCode::Unauthorized, "add ?token=<JWT> to the URL")
            })?;
            Some(services.authenticate(token)?)
        }
    };
    let scope = match (&plan.target, user) {
        (ConnectTarget::AllRooms, _) => Scope::AllRooms,
        (ConnectTarget::Notifications, _) => Scope::Notifications,
        (ConnectTarget::Conversation(name), Some(me)) => {
            Scope::Room(services.open_conversation(me, name).await?)
        }
        (ConnectTarget::Conversation(_), None) => {
            return Err(ChatError::new(
                ErrorCode::Unauthorized,
                "add ?token=<JWT> to the URL",
            ));
        }
    };
    let now = Timestamp::now();
    let connection = Connection {
        id: ConnectionId(id),
        dialect,
        user_id: user,
        scope,
        connected_at: now,
        expires_at: now.plus(services.config.connection_ttl),
        dialect_state: plan.dialect_state,
    };
    services.connect(&connection).await
}
