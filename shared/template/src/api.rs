//! The routes of the SAM template, so banter-local serves exactly what
//! `sam deploy` would: the WebSocket API's routes (raw
//! `AWS::ApiGatewayV2::*` resources) and every function's `HttpApi` events,
//! each resolved to the binary its function builds.
//!
//! CloudFormation's short tags (`!Sub`, `!Ref`, `!GetAtt`) arrive from
//! serde_yaml as `Value::Tagged`; the long forms (`Fn::Sub`, `Ref`,
//! `Fn::GetAtt`) as one-key mappings. Both are accepted.

use crate::sam::{self, SamTemplate};
use anyhow::{Context, anyhow, bail};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// Everything banter-local needs from the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTemplate {
    /// `None` if the template has no WebSocket API.
    pub websocket: Option<WebSocketApi>,
    pub http: HttpApi,
    /// Functions fed by the table's DynamoDB stream.
    pub streams: Vec<StreamConsumer>,
}

/// A function with a `DynamoDB` stream event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamConsumer {
    pub function: String,
    pub binary: String,
    /// The event source mapping's `FilterCriteria` patterns (parsed JSON);
    /// empty means every record.
    pub patterns: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSocketApi {
    pub logical_id: String,
    pub route_selection_expression: String,
    /// The stage clients connect to (`requestContext.stage`).
    pub stage: String,
    pub routes: Vec<WsRoute>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsRoute {
    /// `$connect`, `$disconnect`, `$default` or a custom key.
    pub route_key: String,
    /// The function's logical id, for error messages.
    pub function: String,
    pub binary: String,
    /// The route has a `RouteResponse`: the handler's body goes back to the client.
    pub two_way: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpApi {
    pub routes: Vec<HttpRoute>,
    pub cors: Option<Cors>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRoute {
    /// Upper case, or `ANY`.
    pub method: String,
    /// `/rooms/{room_id}`, `/files/{proxy+}` or `$default`.
    pub path: String,
    pub function: String,
    pub binary: String,
}

impl HttpRoute {
    /// API Gateway's route key: `POST /rooms/{room_id}/read`, or `$default`.
    pub fn route_key(&self) -> String {
        if self.path == "$default" {
            "$default".to_owned()
        } else {
            format!("{} {}", self.method, self.path)
        }
    }
}

/// An HttpApi's `CorsConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_methods: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    pub allow_credentials: bool,
}

impl ApiTemplate {
    /// `template.yaml` at the workspace root.
    pub fn default_path() -> PathBuf {
        sam::default_path()
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        Self::of(&SamTemplate::load(path)?)
            .with_context(|| format!("in the SAM template {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Self::of(&SamTemplate::parse(text)?)
    }

    /// The APIs of a parsed template.
    pub fn of(sam: &SamTemplate) -> anyhow::Result<Self> {
        let template = Template::new(sam.document())?;
        Ok(Self {
            websocket: template.websocket_api()?,
            http: template.http_api()?,
            streams: template.stream_consumers()?,
        })
    }
}

/// The parsed document and lookups over its `Resources`.
struct Template<'a> {
    root: &'a Value,
    resources: &'a Mapping,
}

impl<'a> Template<'a> {
    fn new(root: &'a Value) -> anyhow::Result<Self> {
        let resources = root
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| anyhow!("no Resources section"))?;
        Ok(Self { root, resources })
    }

    /// `(logical id, properties)` of every resource of this type.
    fn resources_of_type(&self, kind: &str) -> Vec<(&'a str, &'a Value)> {
        self.resources
            .iter()
            .filter(|(_, resource)| resource.get("Type").and_then(Value::as_str) == Some(kind))
            .filter_map(|(id, resource)| {
                Some((
                    id.as_str()?,
                    resource.get("Properties").unwrap_or(&Value::Null),
                ))
            })
            .collect()
    }

    fn resource(&self, logical_id: &str) -> Option<&'a Value> {
        self.resources.get(logical_id)
    }

    fn websocket_api(&self) -> anyhow::Result<Option<WebSocketApi>> {
        let apis: Vec<_> = self
            .resources_of_type("AWS::ApiGatewayV2::Api")
            .into_iter()
            .filter(|(_, p)| p.get("ProtocolType").and_then(Value::as_str) == Some("WEBSOCKET"))
            .collect();
        let (api_id, properties) = match apis.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            _ => bail!("more than one WEBSOCKET AWS::ApiGatewayV2::Api: banter-local serves one"),
        };
        let route_selection_expression = properties
            .get("RouteSelectionExpression")
            .and_then(|v| self.literal(v))
            .ok_or_else(|| anyhow!("{api_id} has no RouteSelectionExpression"))?;

        let mut routes = Vec::new();
        for (route_id, route) in self.resources_of_type("AWS::ApiGatewayV2::Route") {
            if !self.belongs_to(route, api_id) {
                continue;
            }
            let route_key = route
                .get("RouteKey")
                .and_then(|v| self.literal(v))
                .ok_or_else(|| anyhow!("route {route_id} has no RouteKey"))?;
            let function = self
                .route_function(route)
                .with_context(|| format!("route {route_id} ({route_key})"))?;
            let binary = self.binary_of(&function)?;
            let two_way = self.has_route_response(route_id);
            routes.push(WsRoute {
                route_key,
                function,
                binary,
                two_way,
            });
        }
        if let Some(key) = duplicate(routes.iter().map(|r| r.route_key.as_str())) {
            bail!("two WebSocket routes have the route key {key}");
        }
        Ok(Some(WebSocketApi {
            logical_id: api_id.to_owned(),
            route_selection_expression,
            stage: self.websocket_stage(api_id),
            routes,
        }))
    }

    /// Whether a resource's `ApiId` refers to `api_id` (a missing one counts).
    fn belongs_to(&self, properties: &Value, api_id: &str) -> bool {
        match properties.get("ApiId").map(intrinsic) {
            Some(Some(Intrinsic::Ref(id))) => id == api_id,
            _ => true,
        }
    }

    /// Route → `Target: integrations/${X}` → integration X → its
    /// `IntegrationUri`'s `${Fn.Arn}` → function Fn.
    fn route_function(&self, route: &Value) -> anyhow::Result<String> {
        let target = route.get("Target").ok_or_else(|| anyhow!("no Target"))?;
        let integration_id = match intrinsic(target) {
            Some(Intrinsic::Sub(text, vars)) => sub_variables(text, vars)
                .into_iter()
                .find(|v| !v.contains('.') && !v.starts_with("AWS::"))
                .filter(|_| text.starts_with("integrations/")),
            Some(Intrinsic::Join(parts)) => parts.iter().find_map(|p| match p {
                Intrinsic::Ref(id) => Some((*id).to_owned()),
                _ => None,
            }),
            _ => None,
        }
        .ok_or_else(|| anyhow!("Target must be !Sub \"integrations/${{SomeIntegration}}\""))?;

        let integration = self
            .resource(&integration_id)
            .filter(|r| {
                r.get("Type").and_then(Value::as_str) == Some("AWS::ApiGatewayV2::Integration")
            })
            .ok_or_else(|| {
                anyhow!("Target names {integration_id}, not an AWS::ApiGatewayV2::Integration")
            })?;
        let uri = integration
            .get("Properties")
            .and_then(|p| p.get("IntegrationUri"))
            .ok_or_else(|| anyhow!("integration {integration_id} has no IntegrationUri"))?;
        let function = match intrinsic(uri) {
            Some(Intrinsic::Sub(text, vars)) => sub_variables(text, vars)
                .into_iter()
                .find_map(|v| v.strip_suffix(".Arn").map(str::to_owned)),
            Some(Intrinsic::GetAtt(id, "Arn")) => Some(id.to_owned()),
            _ => None,
        }
        .ok_or_else(|| {
            anyhow!("integration {integration_id}'s IntegrationUri names no ${{Function.Arn}}")
        })?;
        Ok(function)
    }

    /// Every function's `Type: DynamoDB` events, with their filter patterns.
    fn stream_consumers(&self) -> anyhow::Result<Vec<StreamConsumer>> {
        let mut consumers = Vec::new();
        for (function, properties) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(events) = properties.get("Events").and_then(Value::as_mapping) else {
                continue;
            };
            for (name, event) in events {
                if event.get("Type").and_then(Value::as_str) != Some("DynamoDB") {
                    continue;
                }
                let filters = event
                    .get("Properties")
                    .and_then(|p| p.get("FilterCriteria"))
                    .and_then(|f| f.get("Filters"))
                    .and_then(Value::as_sequence)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let patterns = filters
                    .iter()
                    .map(|filter| {
                        let text = filter
                            .get("Pattern")
                            .and_then(|p| self.literal(p))
                            .ok_or_else(|| {
                                anyhow!("{function}'s event {name:?}: a filter without a Pattern")
                            })?;
                        serde_json::from_str(&text).with_context(|| {
                            format!("{function}'s event {name:?}: Pattern is not JSON")
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                consumers.push(StreamConsumer {
                    function: function.to_owned(),
                    binary: self.binary_of(function)?,
                    patterns,
                });
            }
        }
        Ok(consumers)
    }

    fn has_route_response(&self, route_id: &str) -> bool {
        self.resources_of_type("AWS::ApiGatewayV2::RouteResponse").into_iter().any(|(_, p)| {
            matches!(p.get("RouteId").map(intrinsic), Some(Some(Intrinsic::Ref(id))) if id == route_id)
        })
    }

    /// The stage of the `AWS::ApiGatewayV2::Stage` on this API, else `$default`.
    fn websocket_stage(&self, api_id: &str) -> String {
        self.resources_of_type("AWS::ApiGatewayV2::Stage")
            .into_iter()
            .filter(|(_, p)| self.belongs_to(p, api_id))
            .find_map(|(_, p)| p.get("StageName").and_then(|v| self.literal(v)))
            .unwrap_or_else(|| "$default".to_owned())
    }

    /// A string, or a `!Ref` to a parameter with a string default.
    fn literal(&self, value: &Value) -> Option<String> {
        match intrinsic(value)? {
            Intrinsic::Plain(text) => Some(text.to_owned()),
            Intrinsic::Ref(name) => self
                .root
                .get("Parameters")
                .and_then(|p| p.get(name))
                .and_then(|p| p.get("Default"))
                .and_then(scalar_text),
            _ => None,
        }
    }

    /// `Metadata.BuildProperties.Binary` of an `AWS::Serverless::Function`.
    fn binary_of(&self, function: &str) -> anyhow::Result<String> {
        let resource = self
            .resource(function)
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Function"))
            .ok_or_else(|| anyhow!("{function} is not an AWS::Serverless::Function"))?;
        resource
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("function {function} has no Metadata.BuildProperties.Binary"))
    }

    fn http_api(&self) -> anyhow::Result<HttpApi> {
        let mut routes = Vec::new();
        let mut api_ids = Vec::new();
        for (function, properties) in self.resources_of_type("AWS::Serverless::Function") {
            let Some(events) = properties.get("Events").and_then(Value::as_mapping) else {
                continue;
            };
            for (event_name, event) in events {
                if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                    continue;
                }
                let event_name = event_name.as_str().unwrap_or("?");
                let props = event.get("Properties").unwrap_or(&Value::Null);
                let method = match props.get("Method").and_then(|v| self.literal(v)) {
                    Some(m) if m.eq_ignore_ascii_case("any") || m == "*" => "ANY".to_owned(),
                    Some(m) => m.to_ascii_uppercase(),
                    None => "ANY".to_owned(),
                };
                let path = props
                    .get("Path")
                    .and_then(|v| self.literal(v))
                    .unwrap_or_else(|| "$default".to_owned());
                if path != "$default" && !path.starts_with('/') {
                    bail!("{function}'s HttpApi event {event_name}: Path {path} must start with /");
                }
                if let Some(Some(Intrinsic::Ref(api))) = props.get("ApiId").map(intrinsic) {
                    api_ids.push(api.to_owned());
                }
                let binary = self
                    .binary_of(function)
                    .with_context(|| format!("HttpApi event {event_name}"))?;
                routes.push(HttpRoute {
                    method,
                    path,
                    function: function.to_owned(),
                    binary,
                });
            }
        }
        if let Some(key) = duplicate(routes.iter().map(HttpRoute::route_key)) {
            bail!("two HttpApi events declare the route {key}");
        }
        Ok(HttpApi {
            routes,
            cors: self.cors(&api_ids)?,
        })
    }

    /// CORS of the HttpApi the events name, else the implicit API's
    /// (`Globals.HttpApi.CorsConfiguration`).
    fn cors(&self, api_ids: &[String]) -> anyhow::Result<Option<Cors>> {
        let explicit = api_ids.iter().find_map(|id| {
            self.resource(id)
                .and_then(|r| r.get("Properties"))
                .and_then(|p| p.get("CorsConfiguration"))
        });
        let global = self
            .root
            .get("Globals")
            .and_then(|g| g.get("HttpApi"))
            .and_then(|h| h.get("CorsConfiguration"));
        match explicit.or(global) {
            None => Ok(None),
            Some(config) => self.parse_cors(config).map(Some),
        }
    }

    fn parse_cors(&self, config: &Value) -> anyhow::Result<Cors> {
        // SAM also accepts `CorsConfiguration: true` (allow everything) or
        // an origin string.
        if config.as_bool() == Some(true) {
            return Ok(Cors {
                allow_origins: vec!["*".into()],
                allow_headers: vec!["*".into()],
                allow_methods: vec!["*".into()],
                ..Cors::default()
            });
        }
        if let Some(origin) = self.literal(config) {
            return Ok(Cors {
                allow_origins: vec![origin.trim_matches('\'').to_owned()],
                allow_headers: vec!["*".into()],
                allow_methods: vec!["*".into()],
                ..Cors::default()
            });
        }
        let list = |key: &str| -> Vec<String> {
            config
                .get(key)
                .and_then(Value::as_sequence)
                .map(|items| items.iter().filter_map(|v| self.literal(v)).collect())
                .unwrap_or_default()
        };
        Ok(Cors {
            allow_origins: list("AllowOrigins"),
            allow_headers: list("AllowHeaders"),
            allow_methods: list("AllowMethods"),
            expose_headers: list("ExposeHeaders"),
            max_age: config.get("MaxAge").and_then(Value::as_u64),
            allow_credentials: config.get("AllowCredentials").and_then(Value::as_bool)
                == Some(true),
        })
    }
}

/// The CloudFormation intrinsics banter-local understands.
#[derive(Debug, PartialEq, Eq)]
enum Intrinsic<'a> {
    Plain(&'a str),
    Ref(&'a str),
    /// The text and its variables map (`!Sub [text, {vars}]`).
    Sub(&'a str, Option<&'a Mapping>),
    GetAtt(&'a str, &'a str),
    Join(Vec<Intrinsic<'a>>),
}

fn intrinsic(value: &Value) -> Option<Intrinsic<'_>> {
    let (name, arg) = match value {
        Value::String(text) => return Some(Intrinsic::Plain(text)),
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = match tag.trim_start_matches('!') {
                "Ref" => "Ref",
                "Sub" => "Fn::Sub",
                "GetAtt" => "Fn::GetAtt",
                "Join" => "Fn::Join",
                _ => return None,
            };
            (name, &tagged.value)
        }
        Value::Mapping(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            (key.as_str()?, arg)
        }
        _ => return None,
    };
    match name {
        "Ref" => arg.as_str().map(Intrinsic::Ref),
        // `!Sub [text, {vars}]`: the text is what names resources.
        "Fn::Sub" => match arg {
            Value::String(text) => Some(Intrinsic::Sub(text, None)),
            Value::Sequence(items) => Some(Intrinsic::Sub(
                items.first()?.as_str()?,
                items.get(1)?.as_mapping(),
            )),
            _ => None,
        },
        "Fn::GetAtt" => match arg {
            Value::String(text) => {
                let (id, attr) = text.split_once('.')?;
                Some(Intrinsic::GetAtt(id, attr))
            }
            Value::Sequence(items) => Some(Intrinsic::GetAtt(
                items.first()?.as_str()?,
                items.get(1)?.as_str()?,
            )),
            _ => None,
        },
        "Fn::Join" => {
            let parts = arg.as_sequence()?.get(1)?.as_sequence()?;
            Some(Intrinsic::Join(
                parts.iter().filter_map(intrinsic).collect(),
            ))
        }
        _ => None,
    }
}

/// The `${...}` names in a `!Sub` string (`${!Literal}` is an escape),
/// each replaced by what its entry in the variables map refers to
/// (`Name` for `!Ref Name`, `Name.Attr` for `!GetAtt Name.Attr`).
fn sub_variables(text: &str, vars: Option<&Mapping>) -> Vec<String> {
    let resolve = |name: &str| -> String {
        match vars.and_then(|v| v.get(name)).and_then(intrinsic) {
            Some(Intrinsic::Ref(id)) => id.to_owned(),
            Some(Intrinsic::GetAtt(id, attr)) => format!("{id}.{attr}"),
            _ => name.to_owned(),
        }
    };
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim();
        if !name.starts_with('!') {
            names.push(resolve(name));
        }
        rest = &after[end + 1..];
    }
    names
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn duplicate<T: Ord + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut seen = std::collections::BTreeSet::new();
    items.into_iter().find(|item| !seen.insert(item.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> ApiTemplate {
        ApiTemplate::load(&ApiTemplate::default_path()).expect("the real template parses")
    }

    #[test]
    fn given_the_real_template_then_every_websocket_route_resolves_to_its_binary() {
        let ws = real().websocket.expect("the template has a WebSocket API");
        assert_eq!(ws.route_selection_expression, "$request.body.action");
        assert_eq!(ws.stage, "prod");
        let binary = |key: &str| {
            ws.routes
                .iter()
                .find(|r| r.route_key == key)
                .map(|r| r.binary.as_str())
                .unwrap_or_else(|| panic!("route {key} is missing"))
        };
        assert_eq!(binary("$connect"), "banter-ws-connect");
        assert_eq!(binary("$disconnect"), "banter-ws-disconnect");
        for key in ["$default", "send", "typing", "read", "history"] {
            assert_eq!(binary(key), "banter-ws-message", "route {key}");
        }
        assert_eq!(ws.routes.len(), 7);
        assert!(ws.routes.iter().all(|r| !r.two_way));
    }

    #[test]
    fn given_the_real_template_then_every_http_event_becomes_a_route() {
        let http = real().http;
        let key = |method: &str, path: &str| {
            http.routes
                .iter()
                .find(|r| r.method == method && r.path == path)
                .map(|r| r.binary.as_str())
                .unwrap_or_else(|| panic!("{method} {path} is missing"))
        };
        assert_eq!(key("POST", "/auth/login"), "banter-http-auth");
        assert_eq!(key("GET", "/rooms"), "banter-http-rooms");
        assert_eq!(
            key("DELETE", "/rooms/{room_id}/members/{user_id}"),
            "banter-http-rooms"
        );
        assert_eq!(key("POST", "/rooms/{room_id}/read"), "banter-http-messages");
        assert_eq!(
            key("GET", "/rooms/{room_id}/files/{file_id}"),
            "banter-http-files"
        );
        let cors = http.cors.expect("the HttpApi configures CORS");
        assert_eq!(cors.allow_origins, ["*"]);
        assert_eq!(cors.allow_headers, ["authorization", "content-type"]);
        assert_eq!(cors.allow_methods, ["GET", "POST", "DELETE", "OPTIONS"]);
    }

    const LONG_FORM: &str = r#"
Parameters:
  Stage: { Type: String, Default: live }
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.op" }
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: { ApiId: { Ref: Api }, StageName: { Ref: Stage } }
  EchoRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: { Ref: Api }
      RouteKey: echo
      Target: { "Fn::Join": ["/", ["integrations", { Ref: EchoIntegration }]] }
  EchoResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: { ApiId: { Ref: Api }, RouteId: { Ref: EchoRoute }, RouteResponseKey: $default }
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: { Ref: Api }
      RouteKey: $default
      Target: { "Fn::Sub": ["integrations/${I}", { I: { Ref: EchoIntegration } }] }
  EchoIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationUri: { "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations" }
  Echo:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: echo-bin } }
    Properties:
      Events:
        Any: { Type: HttpApi }
        Files: { Type: HttpApi, Properties: { Method: any, Path: "/files/{proxy+}" } }
"#;

    #[test]
    fn given_long_form_intrinsics_then_they_resolve_like_the_short_tags() {
        let t = ApiTemplate::parse(LONG_FORM).expect("parses");
        let ws = t.websocket.expect("ws api");
        assert_eq!(ws.route_selection_expression, "$request.body.op");
        assert_eq!(ws.stage, "live");
        assert_eq!(ws.routes.len(), 2);
        assert!(ws.routes.iter().all(|r| r.binary == "echo-bin"));
        assert!(ws.routes.iter().any(|r| r.route_key == "echo" && r.two_way));
        assert!(
            ws.routes
                .iter()
                .any(|r| r.route_key == "$default" && !r.two_way)
        );
        let keys: Vec<_> = t.http.routes.iter().map(HttpRoute::route_key).collect();
        assert_eq!(keys, ["$default", "ANY /files/{proxy+}"]);
        assert_eq!(t.http.cors, None);
    }

    #[test]
    fn given_a_route_to_a_function_without_a_binary_then_parsing_says_which() {
        let broken = LONG_FORM.replace("Metadata: { BuildProperties: { Binary: echo-bin } }", "");
        let error = format!("{:#}", ApiTemplate::parse(&broken).expect_err("must fail"));
        assert!(
            error.contains("Echo has no Metadata.BuildProperties.Binary"),
            "{error}"
        );
    }

    #[test]
    fn sub_variables_skip_escapes() {
        assert_eq!(
            sub_variables("a/${X}/${!Literal}/${Y.Arn}", None),
            ["X", "Y.Arn"]
        );
    }
}
