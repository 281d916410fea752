//! The REST API of docs/protocol/native.md, one module per HTTP function of
//! `template.yaml`. Each module lists its routes by API Gateway route key;
//! everything else a route needs (the caller, the body, path ids, the
//! mapping of errors to statuses) lives once in `request` and `response`.

pub mod auth;
pub mod chat;
pub mod conversations;
pub mod files;
pub mod messages;
pub mod rooms;

pub(crate) mod request;
mod response;

use banter_core::protocol::{ChatError, ChatResult, ErrorCode};
use banter_core::service::Services;
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};

pub(crate) use request::Call;
pub(crate) use response::RouteReply;

/// One route's work: the call in, a reply or a `ChatError` out.
pub(crate) type RouteFn = for<'a> fn(Call<'a>) -> BoxFuture<'a, ChatResult<RouteReply>>;

/// A function's routes, by route key exactly as API Gateway spells it
/// (`"POST /rooms/{room_id}/read"`).
pub(crate) type Routes = &'static [(&'static str, RouteFn)];

/// Runs the route the request's route key names, and turns its outcome into
/// the HTTP response. The one place a `ChatError` becomes a status.
pub(crate) async fn dispatch(
    services: &Services,
    request: Request,
    routes: Routes,
) -> Response<Body> {
    let key = request::route_key(&request);
    let label = key.as_deref().unwrap_or("(no route key)");
    let result = match find(routes, key.as_deref()) {
        Some(run) => {
            run(Call {
                services,
                request: &request,
            })
            .await
        }
        None => Err(unknown_route(key.as_deref())),
    };
    match result {
        Ok(reply) => reply.into_response(),
        Err(e) => response::error(&e, label),
    }
}

fn find(routes: Routes, key: Option<&str>) -> Option<RouteFn> {
    let key = key?;
    routes
        .iter()
        .find(|(route, _)| *route == key)
        .map(|(_, run)| *run)
}

fn unknown_route(key: Option<&str>) -> ChatError {
    match key {
        Some(key) => ChatError::new(ErrorCode::NotFound, format!("no route {key}")),
        None => ChatError::new(ErrorCode::NotFound, "no such route"),
    }
}

/// The sample events of `events/`, as lambda_http hands them to a handler.
#[cfg(test)]
pub(crate) mod samples {
    use lambda_http::Request;
    use std::path::PathBuf;

    pub fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events")
    }

    pub fn event(name: &str) -> Request {
        let path = dir().join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banter_core::domain::{RoomId, UserId};

    /// The HTTP API routes of `template.yaml`, as (binary, route key).
    fn template_routes() -> Vec<(String, String)> {
        let template = banter_template::ApiTemplate::load(&banter_template::default_path())
            .unwrap_or_else(|e| panic!("template.yaml: {e:#}"));
        template
            .http
            .routes
            .iter()
            .map(|route| (route.binary.clone(), route.route_key()))
            .collect()
    }

    fn table(binary: &str) -> Option<Routes> {
        match binary {
            "banter-http-auth" => Some(auth::ROUTES),
            "banter-http-rooms" => Some(rooms::ROUTES),
            "banter-http-messages" => Some(messages::ROUTES),
            "banter-http-files" => Some(files::ROUTES),
            "banter-http-chat" => Some(chat::ROUTES),
            "banter-http-conversations" => Some(conversations::ROUTES),
            _ => None,
        }
    }

    #[test]
    fn every_template_route_has_a_handler_and_no_handler_is_unrouted() {
        let template = template_routes();
        assert_eq!(template.len(), 23, "{template:?}");
        for (binary, key) in &template {
            let routes = table(binary).unwrap_or_else(|| panic!("{binary} has no routes"));
            assert!(
                find(routes, Some(key)).is_some(),
                "{binary} does not serve {key}"
            );
        }
        for binary in [
            "banter-http-auth",
            "banter-http-rooms",
            "banter-http-messages",
            "banter-http-files",
            "banter-http-chat",
            "banter-http-conversations",
        ] {
            for (key, _) in table(binary).unwrap_or_default() {
                assert!(
                    template.iter().any(|(b, k)| b == binary && k == key),
                    "{binary} serves {key}, which template.yaml does not route to it"
                );
            }
        }
    }

    #[test]
    fn an_unknown_or_missing_route_key_is_a_404() {
        assert!(find(rooms::ROUTES, Some("GET /rooms")).is_some());
        assert!(find(rooms::ROUTES, Some("GET /rooms/")).is_none());
        assert!(find(rooms::ROUTES, Some("POST /auth/login")).is_none());
        assert!(find(rooms::ROUTES, None).is_none());
        let e = unknown_route(Some("PUT /rooms"));
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert_eq!(e.client_message(), "no route PUT /rooms");
        assert_eq!(unknown_route(None).code().http_status(), 404);
    }

    #[test]
    fn every_sample_http_event_reaches_a_route_with_ids_that_parse() {
        let mut names: Vec<String> = std::fs::read_dir(samples::dir())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|name| name.starts_with("http-") && name.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        assert_eq!(names.len(), 23, "{names:?}");
        let all = [
            auth::ROUTES,
            rooms::ROUTES,
            messages::ROUTES,
            files::ROUTES,
            chat::ROUTES,
            conversations::ROUTES,
        ];
        for name in &names {
            let request = samples::event(name);
            let key = request::route_key(&request);
            let serving = all
                .iter()
                .filter(|routes| find(routes, key.as_deref()).is_some())
                .count();
            assert_eq!(serving, 1, "{name}: {key:?}");
            let key = key.unwrap_or_default();
            if key.contains("{room_id}") {
                let room = request::path_id(&request, "room_id", RoomId::parse_str);
                assert!(room.is_ok(), "{name}");
            }
            if key.contains("{user_id}") {
                let user = request::path_id(&request, "user_id", UserId::parse_str);
                assert!(user.is_ok(), "{name}");
            }
        }
    }
}
