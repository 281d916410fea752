//! Where a WebSocket client connects decides nothing yet: the native
//! dialect connects at `/` and every path is accepted.
//!
//! This is the one place for the path → query rewrite table that lets
//! clients of other dialects keep the URLs they already use: API Gateway
//! cannot route `$connect` by path, so a deployment would put the same
//! rewrite in front of it (CloudFront function or custom domain mapping).

/// The query string the `$connect` event should carry for a client that
/// connected at `path` with `query`.
pub fn rewrite(path: &str, query: Option<&str>) -> Option<String> {
    let _ = path;
    query.map(str::to_owned)
}
