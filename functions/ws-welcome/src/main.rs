//! Lambda function for the welcome after `$connect`, fed by the table's
//! DynamoDB stream; the handler lives in `banter_handlers`.

#[tokio::main]
async fn main() -> Result<(), banter_lambda::Error> {
    banter_lambda::serve(env!("CARGO_PKG_NAME")).await
}
