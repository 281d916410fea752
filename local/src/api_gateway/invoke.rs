//! Calling a function the way Lambda does: on its own task, so a panic is
//! an invocation error rather than a crash of the emulator, and cut off at
//! API Gateway's integration timeout.

use std::future::Future;
use std::time::Duration;

/// API Gateway gives up on an integration after 29 s.
pub const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    #[error("the function panicked")]
    Panicked,
    #[error("the function did not answer within the integration timeout")]
    TimedOut,
}

pub async fn invoke<T: Send + 'static>(
    what: &str,
    function: impl Future<Output = T> + Send + 'static,
    timeout: Duration,
) -> Result<T, InvokeError> {
    let task = tokio::spawn(function);
    let abort = task.abort_handle();
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            tracing::error!(%what, %error, "function failed");
            Err(InvokeError::Panicked)
        }
        Err(_) => {
            // Lambda would stop the function at its own timeout; stop it now.
            abort.abort();
            tracing::error!(%what, ?timeout, "function timed out");
            Err(InvokeError::TimedOut)
        }
    }
}
