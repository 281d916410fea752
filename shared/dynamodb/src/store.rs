//! `DynamoStore`: the handle on the one table (client and name) that every
//! module implements its port on; the modules own their items.

use anyhow::Context;
use aws_sdk_dynamodb::Client;

/// The environment variable naming the table (set from the template).
pub const TABLE_ENV: &str = "BANTER_TABLE";

/// The store on DynamoDB. Cloning shares the client's connection pool.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A store on the table named by `BANTER_TABLE`, with the SDK's default
    /// configuration (region and credentials from the Lambda environment;
    /// `AWS_ENDPOINT_URL_DYNAMODB` points it elsewhere, e.g. DynamoDB Local).
    pub async fn from_env() -> anyhow::Result<Self> {
        let table = std::env::var(TABLE_ENV)
            .with_context(|| format!("{TABLE_ENV} must name the DynamoDB table"))?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(Client::new(&config), table))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}
