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
use banter_core::ports::PushError;
use banter_core::service::{ChatError, Services};
use std::time::Duration;

/// First wait before retrying a 410, doubled each time.
const FIRST_RETRY: Duration = Duration::from_millis(25);
/// Give up on a connection that still answers 410 after this long: it closed.
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);

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
    let Some(connection) = services.store.connection(id).await? else {
        return Ok(()); // closed again before we got here
    };
    let Some(reply) = services.welcome(&connection).await? else {
        return Ok(());
    };
    for frame in dialect::encode_reply_to_fit(&connection, None, reply) {
        post_when_open(services, id, &frame).await?;
    }
    Ok(())
}

/// Posts, waiting out the window in which `$connect` has not returned yet.
/// A 410 here does not delete the connection: it may simply be too early.
async fn post_when_open(
    services: &Services,
    id: &ConnectionId,
    frame: &str,
) -> Result<(), ChatError> {
    let started = tokio::time::Instant::now();
    let mut wait = FIRST_RETRY;
    loop {
        match services.push.post(id, frame).await {
            Ok(()) => return Ok(()),
            Err(PushError::Gone) if started.elapsed() < GIVE_UP_AFTER => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_millis(500));
            }
            Err(PushError::Gone) => {
                tracing::info!(connection = %id, "welcome: the connection never opened");
                return Ok(());
            }
            Err(PushError::PayloadTooLarge) => {
                tracing::warn!(connection = %id, bytes = frame.len(), "welcome frame over 128 KB");
                return Ok(());
            }
            Err(PushError::Unexpected(e)) => return Err(e.into()),
        }
    }
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
