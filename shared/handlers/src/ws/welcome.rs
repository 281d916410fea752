//! The welcome: what a seed-003 socket gets right after it opens (the
//! online users and the last 50 messages, or the unread count). API Gateway
//! refuses posts to a connection until its `$connect` handler has returned,
//! so `$connect` cannot send it. Instead the table's stream invokes this
//! function when a greeting dialect's connection item is inserted (the
//! template's FilterCriteria select those), and it posts, retrying the 410
//! that means "`$connect` has not returned yet" for a few seconds.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use banter_core::dialect;
use banter_core::domain::ConnectionId;
use banter_core::protocol::ChatError;
use banter_core::service::Services;
use banter_core::service::push_retry::{Pushed, WELCOME_OPENING_BUDGET};

pub async fn handle(services: &Services, event: Event) {
    for record in &event.records {
        let Some(id) = inserted_connection(record) else {
            continue;
        };
        if let Err(e) = welcome(services, &id).await {
            e.log("welcome");
        }
    }
}

/// The connection id of an INSERT record, from the item's `connection_id`.
fn inserted_connection(record: &EventRecord) -> Option<ConnectionId> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image = serde_json::to_value(&record.change.new_image).ok()?;
    image["connection_id"]["S"]
        .as_str()
        .map(|id| ConnectionId(id.to_owned()))
}

async fn welcome(services: &Services, id: &ConnectionId) -> Result<(), ChatError> {
    let Some(connection) = services.connection(id).await? else {
        return Ok(()); // closed again before we got here
    };
    let dialect = dialect::of(connection.dialect);
    let Some(greeting) = dialect.greeting() else {
        return Ok(());
    };
    let Some(reply) = services.welcome(&connection, greeting).await? else {
        return Ok(());
    };
    // push_frame waits out a `$connect` still in flight (410 then is "not
    // open yet", not "gone").
    for frame in dialect.encode_reply_to_fit(&connection, None, reply) {
        let pushed = services
            .push_frame_within(&connection, &frame, WELCOME_OPENING_BUDGET)
            .await;
        if pushed != Pushed::Delivered {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: serde_json::Value) -> EventRecord {
        serde_json::from_value(json).expect("a stream record")
    }

    #[test]
    fn only_inserts_with_a_connection_id_are_welcomed() {
        let insert = record(serde_json::json!({
            "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
            "dynamodb": {
                "Keys": { "pk": { "S": "CONN#abc=" }, "sk": { "S": "CONN" } },
                "NewImage": { "connection_id": { "S": "abc=" }, "dialect": { "S": "conversations" } },
                "SequenceNumber": "1", "SizeBytes": 10, "StreamViewType": "NEW_IMAGE"
            }
        }));
        assert_eq!(
            inserted_connection(&insert),
            Some(ConnectionId("abc=".into()))
        );
        let mut modify = insert.clone();
        modify.event_name = "MODIFY".into();
        assert_eq!(inserted_connection(&modify), None);
    }
}
