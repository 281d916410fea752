//! The table's stream as Banter reads it: the INSERT of a connection's
//! lookup item (`CONN#<id>`/`CONN`), which the welcome function subscribes
//! to. Emulators without DynamoDB write the same record with
//! [`connection_insert`], so the item layout is known in this crate only.
//! Free of the AWS SDK: banter-local and the handlers use it without it.

use crate::attr;
use crate::keys;
use aws_lambda_events::dynamodb::EventRecord;
use banter_core::domain::{Connection, ConnectionId};
use serde_json::{Value, json};

/// The stream record of a connection's lookup item being inserted, with the
/// attributes the template's `FilterCriteria` and the welcome read.
pub fn connection_insert(connection: &Connection) -> Value {
    let key = keys::connection(&connection.id);
    let mut image = json!({
        keys::PK: { "S": key.pk },
        keys::SK: { "S": key.sk },
        attr::CONNECTION_ID: { "S": connection.id.0 },
        attr::DIALECT: { "S": connection.dialect.as_str() },
    });
    if let (Some(user), Some(map)) = (connection.user_id, image.as_object_mut()) {
        map.insert(attr::USER_ID.to_owned(), json!({ "N": user.to_string() }));
    }
    json!({
        "eventID": connection.id.0,
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "local",
        "eventSourceARN": "arn:aws:dynamodb:local:000000000000:table/banter/stream/local",
        "dynamodb": {
            "Keys": { keys::PK: { "S": key.pk }, keys::SK: { "S": key.sk } },
            "NewImage": image,
            "SequenceNumber": "0",
            "SizeBytes": 0,
            "StreamViewType": "NEW_IMAGE"
        }
    })
}

/// The connection an INSERT record stored, from its `connection_id`.
pub fn inserted_connection(record: &EventRecord) -> Option<ConnectionId> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = serde_json::to_value(&record.change.new_image).ok()?;
    image[attr::CONNECTION_ID]["S"]
        .as_str()
        .map(|id| ConnectionId(id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::domain::connection::DialectKind;
    use banter_core::domain::{Scope, Timestamp, UserId};

    fn record(json: Value) -> EventRecord {
        serde_json::from_value(json).expect("a stream record")
    }

    #[test]
    fn only_inserts_with_a_connection_id_are_read() {
        let connection = Connection {
            id: ConnectionId("abc=".into()),
            dialect: DialectKind::Conversations,
            user_id: Some(UserId(4)),
            scope: Scope::AllRooms,
            connected_at: Timestamp(0),
            expires_at: Timestamp(1),
            dialect_state: Default::default(),
        };
        let insert = record(connection_insert(&connection));
        assert_eq!(
            inserted_connection(&insert),
            Some(ConnectionId("abc=".into()))
        );
        let mut modify = insert.clone();
        modify.event_name = "MODIFY".into();
        assert_eq!(inserted_connection(&modify), None);
        let mut other = insert;
        other.change.new_image.clear();
        assert_eq!(inserted_connection(&other), None);
    }
}
