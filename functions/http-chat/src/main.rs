//! Lambda function for the seed-001 chat REST routes (`/chat/...`); the handler lives in `banter_handlers`.

#[tokio::main]
async fn main() -> Result<(), banter_lambda::Error> {
    banter_lambda::serve(env!("CARGO_PKG_NAME")).await
}
