//! The table's DynamoDB stream, as far as Banter uses it: when `$connect`
//! has stored a connection, the stream carries its INSERT to the functions
//! subscribed in the template (the welcome), filtered by their
//! `FilterCriteria`. SQLite has no stream, so banter-local writes the record
//! the DynamoDB adapter's connection lookup item would produce (from
//! `banter_dynamodb::stream`, which owns that layout) and delivers it the
//! same way, after `$connect` returned.

use crate::dynamodb_stream::event_filter;
use crate::functions::{Functions, LocalFunction, StreamFunction};
use anyhow::anyhow;
use aws_lambda_events::dynamodb::Event as StreamEvent;
use banter_core::domain::ConnectionId;
use banter_core::service::Services;
use banter_template::StreamConsumer;
use serde_json::{Value, json};
use std::sync::Arc;

struct Subscriber {
    binary: String,
    function: StreamFunction,
    patterns: Vec<Value>,
}

pub struct TableStream {
    subscribers: Vec<Subscriber>,
    services: Arc<Services>,
}

impl TableStream {
    /// Fails if a stream event names a binary `functions` lacks, or one that
    /// does not take stream events.
    pub fn resolve(
        consumers: &[StreamConsumer],
        functions: &Functions,
        services: Arc<Services>,
    ) -> anyhow::Result<Self> {
        let subscribers = consumers
            .iter()
            .map(|consumer| match functions.get(&consumer.binary) {
                Some(LocalFunction::Stream(function)) => Ok(Subscriber {
                    binary: consumer.binary.clone(),
                    function: function.clone(),
                    patterns: consumer.patterns.clone(),
                }),
                Some(other) => Err(anyhow!(
                    "{}'s DynamoDB stream event names {}, a {} function",
                    consumer.function,
                    consumer.binary,
                    other.kind()
                )),
                None => Err(anyhow!(
                    "{}'s DynamoDB stream event names {}, which banter-local has no handler for",
                    consumer.function,
                    consumer.binary
                )),
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            subscribers,
            services,
        })
    }

    /// Delivers the INSERT of a just-stored connection, in the background
    /// (a stream is asynchronous: `$connect` has returned by then).
    pub fn connection_inserted(self: &Arc<Self>, id: &str) {
        if self.subscribers.is_empty() {
            return;
        }
        let stream = self.clone();
        let id = ConnectionId(id.to_owned());
        tokio::spawn(async move { stream.deliver(&id).await });
    }

    async fn deliver(&self, id: &ConnectionId) {
        let connection = match self.services.connection(id).await {
            Ok(Some(connection)) => connection,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(connection = %id, ?error, "stream: reading the inserted connection");
                return;
            }
        };
        let record = banter_dynamodb::stream::connection_insert(&connection);
        for subscriber in &self.subscribers {
            let wanted = subscriber.patterns.is_empty()
                || subscriber
                    .patterns
                    .iter()
                    .any(|p| event_filter::matches(p, &record));
            if !wanted {
                continue;
            }
            match serde_json::from_value::<StreamEvent>(json!({ "Records": [record.clone()] })) {
                Ok(event) => (subscriber.function)(self.services.clone(), event).await,
                Err(error) => {
                    tracing::error!(binary = subscriber.binary, %error, "stream: building the event");
                }
            }
        }
    }
}
