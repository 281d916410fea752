//! `POST /auth/register` and `POST /auth/login`: the only routes without a
//! bearer token.

use super::{Call, RouteReply, Routes};
use banter_core::protocol::ChatResult;
use banter_core::service::Services;
use banter_core::service::accounts::Session;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

pub(crate) const ROUTES: Routes = &[
    ("POST /auth/register", |call| Box::pin(register(call))),
    ("POST /auth/login", |call| Box::pin(login(call))),
];

pub async fn handle(services: &Services, request: Request) -> Response<Body> {
    super::dispatch(services, request, ROUTES).await
}

#[derive(Deserialize)]
struct RegisterRequest {
    username: String,
    password: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct SessionBody<'a> {
    user_id: u64,
    username: &'a str,
    display_name: &'a str,
    token: &'a str,
}

impl<'a> From<&'a Session> for SessionBody<'a> {
    fn from(session: &'a Session) -> Self {
        Self {
            user_id: session.user.id.0,
            username: session.user.username.as_str(),
            display_name: &session.user.display_name,
            token: &session.token,
        }
    }
}

async fn register(call: Call<'_>) -> ChatResult<RouteReply> {
    let body: RegisterRequest = call.body()?;
    let session = call
        .services
        .register(
            &body.username,
            &body.password,
            body.display_name.as_deref(),
            call.source_ip(),
        )
        .await?;
    RouteReply::created(&SessionBody::from(&session))
}

async fn login(call: Call<'_>) -> ChatResult<RouteReply> {
    let body: LoginRequest = call.body()?;
    let session = call
        .services
        .login(&body.username, &body.password, call.source_ip())
        .await?;
    RouteReply::ok(&SessionBody::from(&session))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::parse_body;
    use crate::http::samples;
    use banter_core::domain::{Timestamp, User, UserId, Username};
    use serde_json::json;

    #[test]
    fn a_session_answers_with_the_spec_fields() {
        let session = Session {
            user: User {
                id: UserId(3),
                username: Username::from_trusted("sam".into()),
                display_name: "Sam".into(),
                created_at: Timestamp(1),
            },
            token: "t.o.k".into(),
        };
        assert_eq!(
            serde_json::to_value(SessionBody::from(&session)).ok(),
            Some(json!({"user_id": 3, "username": "sam", "display_name": "Sam", "token": "t.o.k"}))
        );
    }

    #[test]
    fn the_sample_events_bodies_parse() {
        let register = samples::event("http-register.json");
        let register = parse_body::<RegisterRequest>(register.body());
        assert!(register.is_ok_and(|r| r.display_name.as_deref() == Some("Mark")));
        let login = samples::event("http-login.json");
        assert!(parse_body::<LoginRequest>(login.body()).is_ok());
    }
}
