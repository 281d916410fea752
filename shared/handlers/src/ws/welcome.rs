//! The welcome: what a seed-003 socket gets right after it opens (the
//! online users and the last 50 messages, or the unread count). API Gateway
//! refuses posts to a connection until its `$connect` handler has returned,
//! so `$connect` cannot send it. Instead the table's stream invokes this
//! function when a greeting dialect's connection item is inserted (the
//! template's FilterCriteria select those), and it posts, retrying the 410
//! that means "`$connect` has not returned yet" for a few seconds.

use aws_lambda_events::dynamodb::Event as StreamEvent;
use banter_core::dialect;
use banter_core::domain::ConnectionId;
use banter_core::protocol::ChatError;
use banter_core::service::Services;
use banter_core::service::push_retry::{Pushed, WELCOME_OPENING_BUDGET};

pub async fn handle(services: &Services, event: StreamEvent) {
    for record in &event.records {
        let Some(id) = banter_dynamodb::stream::inserted_connection(record) else {
            continue;
        };
        if let Err(e) = welcome(services, &id).await {
            e.log("welcome");
        }
    }
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
    use banter_core::dialect;
    use banter_core::domain::connection::DialectKind;
    use banter_template::ApiTemplate;
    use std::collections::BTreeSet;

    /// The welcome's stream filter in template.yaml names exactly the
    /// dialects that greet, so no greeting socket goes unwelcomed and no
    /// other connection costs an invocation.
    #[test]
    fn the_template_filter_selects_exactly_the_greeting_dialects() {
        let template = ApiTemplate::load(&ApiTemplate::default_path())
            .unwrap_or_else(|e| panic!("template.yaml: {e:#}"));
        let welcome = template
            .streams
            .iter()
            .find(|s| s.binary == "banter-ws-welcome")
            .expect("the welcome subscribes to the table's stream");
        let filtered: BTreeSet<String> = welcome
            .patterns
            .iter()
            .flat_map(|p| {
                p["dynamodb"]["NewImage"]["dialect"]["S"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let greeting: BTreeSet<String> = DialectKind::ALL
            .into_iter()
            .filter(|kind| dialect::of(*kind).greeting().is_some())
            .map(|kind| kind.as_str().to_owned())
            .collect();
        assert!(!greeting.is_empty());
        assert_eq!(filtered, greeting);
    }
}
