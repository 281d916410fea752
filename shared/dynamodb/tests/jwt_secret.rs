//! The JWT secret bootstrap against DynamoDB Local, on a fresh table made
//! from template.yaml's definition (banter-dynamodb's test harness).

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use banter_dynamodb::jwt_secret::{SECRET_BYTES, load_or_create};
use banter_dynamodb::keys;

#[tokio::test]
async fn given_a_fresh_table_when_cold_starts_race_then_all_use_the_one_stored_secret() {
    let store = support::fresh_store().await;
    let (client, table) = (store.client(), store.table());

    let (a, b, c, d) = tokio::join!(
        load_or_create(client, table),
        load_or_create(client, table),
        load_or_create(client, table),
        load_or_create(client, table),
    );
    let a = a.expect("first");
    assert_eq!(a.len(), SECRET_BYTES);
    assert_eq!(b.expect("second"), a);
    assert_eq!(c.expect("third"), a);
    assert_eq!(d.expect("fourth"), a);

    // A later cold start reads the same secret.
    assert_eq!(load_or_create(client, table).await.expect("later"), a);
}

#[tokio::test]
async fn given_two_tables_then_their_secrets_differ() {
    let one = support::fresh_store().await;
    let two = support::fresh_store().await;

    let a = load_or_create(one.client(), one.table())
        .await
        .expect("one");
    let b = load_or_create(two.client(), two.table())
        .await
        .expect("two");

    assert_ne!(a, b);
}

#[tokio::test]
async fn given_a_corrupt_secret_item_then_the_error_says_what_to_do() {
    let store = support::fresh_store().await;
    store
        .client()
        .put_item()
        .table_name(store.table())
        .set_item(Some(keys::jwt_secret().with(
            [("secret".to_owned(), AttributeValue::S("hunter2".to_owned()))].into(),
        )))
        .send()
        .await
        .expect("put a corrupt item");

    let error = load_or_create(store.client(), store.table())
        .await
        .expect_err("a string secret");

    let text = format!("{error:#}");
    assert!(text.contains("delete it"), "{text}");
}

#[tokio::test]
async fn given_a_missing_table_then_the_error_names_it() {
    let client = support::client();

    let error = load_or_create(&client, "banter-no-such-table")
        .await
        .expect_err("no table");

    let text = format!("{error:#}");
    assert!(text.contains("banter-no-such-table"), "{text}");
}
