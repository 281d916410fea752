//! The HTTP API: routes from the template's HttpApi events.

use crate::support::start;
use serde_json::Value;

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn given_template_routes_then_requests_reach_their_function_with_path_parameters() {
    let h = start().await;
    let http = reqwest::Client::new();
    let base = h.server.http_url();

    let read = http
        .post(format!("{base}/rooms/42/read?q=a%20b&q=c"))
        .header("cookie", "session=1; theme=dark")
        .body(r#"{"up_to":7}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(read.status(), 200);
    assert!(read.headers().contains_key("apigw-requestid"));
    let cookies: Vec<_> = read.headers().get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2, "every Set-Cookie comes back");
    let read = json(read).await;
    assert_eq!(read["binary"], "banter-http-messages");
    assert_eq!(read["route_key"], "POST /rooms/{room_id}/read");
    assert_eq!(read["path"], "/rooms/42/read");
    assert_eq!(read["path_parameters"]["room_id"], "42");
    assert_eq!(read["query_q"], serde_json::json!(["a b", "c"]));
    assert_eq!(read["cookie"], "session=1; theme=dark");
    assert_eq!(read["body"], r#"{"up_to":7}"#);

    let remove = json(
        http.delete(format!("{base}/rooms/5/members/9"))
            .send()
            .await
            .expect("delete"),
    )
    .await;
    assert_eq!(remove["binary"], "banter-http-rooms");
    assert_eq!(
        remove["path_parameters"],
        serde_json::json!({"room_id": "5", "user_id": "9"})
    );
}

#[tokio::test]
async fn given_a_literal_and_a_parameter_route_then_the_literal_wins_for_its_method() {
    let h = start().await;
    let http = reqwest::Client::new();
    let base = h.server.http_url();
    let dm = json(
        http.post(format!("{base}/rooms/dm"))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(dm["route_key"], "POST /rooms/dm");
    let info = json(
        http.get(format!("{base}/rooms/dm"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(info["route_key"], "GET /rooms/{room_id}");
    assert_eq!(info["path_parameters"]["room_id"], "dm");
}

#[tokio::test]
async fn given_no_matching_route_then_404_not_found() {
    let h = start().await;
    let http = reqwest::Client::new();
    let base = h.server.http_url();
    for (method, path) in [
        ("GET", "/nope"),
        ("PUT", "/rooms"),
        ("GET", "/rooms/1/read"),
        ("GET", "/rooms/"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = http
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_eq!(
            json(response).await,
            serde_json::json!({"message": "Not Found"})
        );
    }
}

#[tokio::test]
async fn given_a_body_over_6_mb_then_413() {
    let h = start().await;
    let response = reqwest::Client::new()
        .post(format!("{}/auth/login", h.server.http_url()))
        .body(vec![b'x'; 6 * 1024 * 1024 + 1])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn given_a_binary_body_then_the_function_gets_the_bytes() {
    let h = start().await;
    let response = reqwest::Client::new()
        .post(format!("{}/auth/register", h.server.http_url()))
        .body(vec![0xff_u8, 0x00, 0x80, 0x81])
        .send()
        .await
        .expect("post");
    assert_eq!(json(response).await["body"], "binary:4");
}

#[tokio::test]
async fn given_cors_in_the_template_then_preflights_are_answered_and_responses_carry_the_origin() {
    let h = start().await;
    let http = reqwest::Client::new();
    let base = h.server.http_url();
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/rooms/1/messages"))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status(), 204);
    let header = |name: &str| {
        preflight
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(
        header("access-control-allow-methods").as_deref(),
        Some("GET,POST,DELETE,OPTIONS")
    );
    assert_eq!(
        header("access-control-allow-headers").as_deref(),
        Some("authorization,content-type")
    );

    let actual = http
        .get(format!("{base}/rooms"))
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .expect("get");
    assert_eq!(
        actual
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
}
