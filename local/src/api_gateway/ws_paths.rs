//! The seed APIs' WebSocket URLs. API Gateway has one WebSocket URL per
//! stage and cannot route `$connect` by path, so on AWS each dialect and its
//! parameters ride in the query string (`?dialect=...`). banter-local also
//! serves the seeds' exact paths by rewriting them to exactly that form,
//! from the one table below, so both reach the same `$connect` logic.

use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// One seed path: its segments (`{name}` captures a segment) and the
/// dialect it selects. Captured segments become query parameters.
struct Route {
    segments: &'static [&'static str],
    dialect: &'static str,
}

/// Path → dialect, in match order. Anything else keeps its query as it is
/// (the native dialect, or whatever `?dialect=` says).
const ROUTES: &[Route] = &[
    Route {
        segments: &["chat", "connect"],
        dialect: "rooms",
    },
    Route {
        segments: &["chat", "{user_id}", "{opponent_id}"],
        dialect: "pair",
    },
    Route {
        segments: &["events"],
        dialect: "events",
    },
    Route {
        segments: &["ws", "chat", "{conversation}"],
        dialect: "conversations",
    },
    Route {
        segments: &["ws", "notification"],
        dialect: "notifications",
    },
];

/// The query string the `$connect` event should carry for a client that
/// connected at `path` with `query`.
pub fn rewrite(path: &str, query: Option<&str>) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((route, captured)) = ROUTES
        .iter()
        .find_map(|route| matches(route, &segments).map(|c| (route, c)))
    else {
        return query.map(str::to_owned);
    };
    let mut params: Vec<(String, String)> = vec![("dialect".to_owned(), route.dialect.to_owned())];
    params.extend(captured);
    // The client's own parameters (the token) follow; the path's win.
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let key = pair.split('=').next().unwrap_or_default();
        if !params.iter().any(|(k, _)| k == key) {
            pairs.push(pair.to_owned());
        }
    }
    Some(pairs.join("&"))
}

fn matches(route: &Route, segments: &[&str]) -> Option<Vec<(String, String)>> {
    if route.segments.len() != segments.len() {
        return None;
    }
    let mut captured = Vec::new();
    for (pattern, segment) in route.segments.iter().zip(segments) {
        match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => {
                let value = percent_decode_str(segment).decode_utf8().ok()?;
                captured.push((name.to_owned(), value.into_owned()));
            }
            None if pattern == segment => {}
            None => return None,
        }
    }
    Some(captured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_seed_path_becomes_its_dialect_and_parameters() {
        assert_eq!(
            rewrite("/chat/connect", None).as_deref(),
            Some("dialect=rooms")
        );
        assert_eq!(
            rewrite("/chat/1/2", None).as_deref(),
            Some("dialect=pair&user_id=1&opponent_id=2")
        );
        assert_eq!(rewrite("/events", None).as_deref(), Some("dialect=events"));
        assert_eq!(
            rewrite("/ws/chat/yugan_test/", Some("token=abc")).as_deref(),
            Some("dialect=conversations&conversation=yugan%5Ftest&token=abc")
        );
        assert_eq!(
            rewrite("/ws/notification/", Some("token=abc")).as_deref(),
            Some("dialect=notifications&token=abc")
        );
    }

    #[test]
    fn other_paths_keep_their_query_and_the_path_wins_a_clash() {
        assert_eq!(rewrite("/", Some("token=t")).as_deref(), Some("token=t"));
        assert_eq!(rewrite("/", None), None);
        assert_eq!(rewrite("/chat/1/2/3", Some("x=1")).as_deref(), Some("x=1"));
        assert_eq!(
            rewrite("/events", Some("dialect=native&token=t")).as_deref(),
            Some("dialect=events&token=t")
        );
    }
}
