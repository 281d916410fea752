//! The JWT signing secret, kept in the chat table itself instead of the
//! template or the environment: DynamoDB encrypts it at rest, IAM guards
//! it (the same functions that may read the table may read the secret, and
//! no one else), and it never appears in CloudFormation, in the console's
//! environment view or in `sam local` files.
//!
//! At cold start [`load_or_create`] reads the item `pk = CONFIG`,
//! `sk = JWT_SECRET` (strongly consistent). If there is none, it writes 32
//! random bytes with `attribute_not_exists(pk)` and reads the item back:
//! when several cold starts race, the first write wins and everyone uses
//! the stored secret.
//!
//! Rotating: delete the item (or overwrite `secret`). New cold starts use
//! the new secret; warm instances keep the old one until they are recycled
//! (update the functions' configuration to force that), and every token
//! signed with the old one stops verifying.
//!
//! IAM: `dynamodb:GetItem` and `dynamodb:PutItem` on the table, which the
//! store needs anyway.

use crate::attr::{CREATED_AT, SECRET as SECRET_ATTRIBUTE};
use crate::items::n;
use crate::keys::{self, PK};
use anyhow::{Context, bail};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use rand::RngCore;
use std::time::{SystemTime, UNIX_EPOCH};
/// Bytes of a new secret: HS256's key should be at least as long as its hash.
pub const SECRET_BYTES: usize = 32;

/// The stored secret, created by whichever cold start gets there first.
pub async fn load_or_create(client: &Client, table: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = read(client, table).await? {
        tracing::debug!(%table, "loaded the JWT secret");
        return Ok(secret);
    }
    let mut candidate = vec![0; SECRET_BYTES];
    // ThreadRng: a CSPRNG (ChaCha12) seeded from the operating system.
    rand::rng().fill_bytes(&mut candidate);
    let created_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let item = keys::jwt_secret().with(
        [
            (
                SECRET_ATTRIBUTE.to_owned(),
                AttributeValue::B(Blob::new(candidate)),
            ),
            (CREATED_AT.to_owned(), n(created_at)),
        ]
        .into(),
    );
    let put = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .send()
        .await;
    match put {
        Ok(_) => tracing::info!(%table, "created the JWT secret"),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(PutItemError::ConditionalCheckFailedException(_))
            ) =>
        {
            tracing::info!(%table, "another cold start created the JWT secret first");
        }
        Err(e) => {
            return Err(anyhow::anyhow!("{}", DisplayErrorContext(&e)))
                .with_context(|| format!("storing a new JWT secret in {table}"));
        }
    }
    read(client, table).await?.with_context(|| {
        format!("the JWT secret item in {table} is missing right after writing it")
    })
}

async fn read(client: &Client, table: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(keys::jwt_secret().item()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", DisplayErrorContext(&e)))
        .with_context(|| format!("reading the JWT secret from {table}"))?;
    let Some(item) = output.item else {
        return Ok(None);
    };
    match item.get(SECRET_ATTRIBUTE) {
        Some(AttributeValue::B(blob)) if blob.as_ref().len() >= SECRET_BYTES => {
            Ok(Some(blob.as_ref().to_vec()))
        }
        _ => bail!(
            "the item {key:?} in {table} has no binary `{SECRET_ATTRIBUTE}` of at least \
             {SECRET_BYTES} bytes: delete it to have a new secret made",
            key = keys::jwt_secret()
        ),
    }
}
