//! Lambda function for the seed 003 REST routes (conversations, history pages, file messages); the handler lives in `banter_handlers`.

#[tokio::main]
async fn main() -> Result<(), banter_lambda::Error> {
    banter_lambda::serve(env!("CARGO_PKG_NAME")).await
}
