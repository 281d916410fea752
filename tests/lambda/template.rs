//! template.yaml against the code: each function's IAM grants every AWS call
//! its handlers make for the sample events (recorded by SDK interceptors
//! against DynamoDB Local and moto), and every grant is scoped to this
//! stack's table, bucket prefix or WebSocket API; every function has a log
//! group with a retention; the environment is what banter-lambda reads; and
//! every route has a sample event.

use crate::support::events::{self, Kind};
use crate::support::inprocess::{self, Stack};
use crate::support::scenario::{Invoke, Run};
use async_trait::async_trait;
use serde_json::Value as Json;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

fn template() -> Value {
    let path = events::root().join("template.yaml");
    banter_template::SamTemplate::load(&path)
        .expect("template.yaml parses")
        .document()
        .clone()
}

/// `AWS::Serverless::Function` resources: logical id → resource.
fn functions(template: &Value) -> BTreeMap<String, Value> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| (id.as_str().unwrap_or_default().to_owned(), r.clone()))
        .collect()
}

fn binary(function: &Value) -> String {
    function["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A YAML scalar or list of scalars, as strings.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        other => vec![render(other)],
    }
}

/// An intrinsic as text: `!GetAtt ChatTable.Arn` → `GetAtt ChatTable.Arn`.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => format!(
            "{} {}",
            tagged.tag.to_string().trim_start_matches('!'),
            render(&tagged.value)
        ),
        Value::Sequence(items) => items.iter().map(render).collect::<Vec<_>>().join(" "),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

#[derive(Debug)]
struct Statement {
    actions: Vec<String>,
    resources: Vec<String>,
    conditional: bool,
}

/// The inline statements of a function's `Policies`.
fn statements(id: &str, function: &Value) -> Vec<Statement> {
    let policies = function["Properties"]["Policies"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{id} has no Policies: give it least-privilege inline statements like the other functions"));
    let mut out = Vec::new();
    for policy in policies {
        let list = policy["Statement"].as_sequence().unwrap_or_else(|| {
            panic!("{id}: write Policies as inline `- Statement:` lists so this test can check them, not {policy:?}")
        });
        for statement in list {
            assert_eq!(statement["Effect"], "Allow", "{id}: {statement:?}");
            out.push(Statement {
                actions: strings(&statement["Action"]),
                resources: strings(&statement["Resource"]),
                conditional: !statement["Condition"].is_null(),
            });
        }
    }
    out
}

#[test]
fn given_the_template_then_every_grant_is_scoped_to_this_stack() {
    let template = template();
    for (id, function) in functions(&template) {
        for statement in statements(&id, &function) {
            for action in &statement.actions {
                assert!(!action.contains('*'), "{id}: wildcard action {action}");
                let (service, name) = action.split_once(':').expect("service:Action");
                let scoped = statement.resources.iter().all(|resource| match service {
                    "dynamodb" => {
                        resource == "GetAtt ChatTable.Arn"
                            || resource == "Sub ${ChatTable.Arn}/index/*"
                            || (resource == "GetAtt ChatTable.StreamArn" && name.contains("Stream"))
                    }
                    "s3" if name == "ListBucket" => resource == "GetAtt FilesBucket.Arn",
                    "s3" => resource == "Sub ${FilesBucket.Arn}/rooms/*",
                    "execute-api" => {
                        name == "ManageConnections"
                            && ["POST", "GET", "DELETE"].iter().any(|method| {
                                *resource == format!(
                                    "Sub arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{WebSocketApi}}/${{StageName}}/{method}/@connections/*"
                                )
                            })
                    }
                    _ => false,
                });
                assert!(
                    scoped && !statement.resources.is_empty(),
                    "{id}: {action} on {:?} is not scoped to this stack's table, bucket prefix or WebSocket API",
                    statement.resources
                );
            }
        }
    }
}

#[test]
fn given_the_template_then_every_function_can_read_or_create_the_jwt_secret_at_cold_start() {
    let template = template();
    for (id, function) in functions(&template) {
        let statements = statements(&id, &function);
        let grants = |action: &str| {
            statements
                .iter()
                .any(|s| s.actions.iter().any(|a| a == action))
        };
        assert!(
            grants("dynamodb:GetItem") && grants("dynamodb:PutItem"),
            "{id}: every function loads (or creates) the JWT secret item at cold start \
             (banter_dynamodb::jwt_secret): grant GetItem and PutItem (PutItem may be limited \
             to dynamodb:LeadingKeys CONFIG, as JwtSecretCreate)"
        );
        for statement in statements.iter().filter(|s| s.conditional) {
            assert_eq!(
                statement.actions,
                ["dynamodb:PutItem"],
                "{id}: only the JWT secret's PutItem is conditional"
            );
        }
    }
    let text = std::fs::read_to_string(events::root().join("template.yaml")).expect("template");
    assert!(
        text.contains("dynamodb:LeadingKeys: [CONFIG]"),
        "JwtSecretCreate is limited to the CONFIG partition"
    );
    assert_eq!(banter_dynamodb::keys::jwt_secret().pk, "CONFIG");
}

#[test]
fn given_the_template_then_every_function_has_a_log_group_with_a_retention() {
    let template = template();
    let groups: Vec<(String, Value)> = template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Logs::LogGroup")
        .map(|(_, r)| (render(&r["Properties"]["LogGroupName"]), r.clone()))
        .collect();
    for id in functions(&template).keys() {
        let name = format!("Sub /aws/lambda/${{{id}}}");
        let group = groups
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| {
                panic!("{id} has no log group: add {id}Logs (AWS::Logs::LogGroup, LogGroupName !Sub \"/aws/lambda/${{{id}}}\", RetentionInDays !Ref LogRetentionDays)")
            });
        assert!(
            !group.1["Properties"]["RetentionInDays"].is_null(),
            "{id}'s log group keeps logs forever"
        );
    }
}

#[test]
fn given_the_template_environment_then_banter_lambda_reads_its_settings_from_it() {
    use banter_lambda::settings::Settings;
    let template = template();
    let variables = template["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .expect("Globals.Function.Environment.Variables");
    let names: BTreeSet<String> = variables
        .keys()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    // Lambda sets AWS_REGION itself; every other value is a stand-in for
    // what CloudFormation fills in, numbers as in the parameters' defaults.
    let value = |name: &str| -> Option<String> {
        if name == "AWS_REGION" {
            return Some("eu-west-1".into());
        }
        let value = variables.get(name)?;
        Some(match value {
            Value::Tagged(tagged) => {
                let parameter = tagged.value.as_str().unwrap_or_default();
                let default = &template["Parameters"][parameter]["Default"];
                match default {
                    Value::Null => format!("resolved-{parameter}"),
                    Value::Number(n) => n.to_string(),
                    other => other.as_str().unwrap_or_default().to_owned(),
                }
            }
            other => other
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| render(other)),
        })
    };
    let settings = Settings::from_lookup(value)
        .unwrap_or_else(|e| panic!("the template's environment is not enough: {e}"));
    assert_eq!(settings.table, "resolved-ChatTable");
    assert_eq!(settings.bucket, "resolved-FilesBucket");
    assert_eq!(
        settings.ws_endpoint,
        "https://resolved-WebSocketApi.execute-api.eu-west-1.amazonaws.com/prod"
    );
    for name in &names {
        assert!(
            name == "RUST_LOG" || name.starts_with("BANTER_"),
            "unexpected variable {name}"
        );
    }
    for name in [
        banter_lambda::settings::JWT_ISSUER_ENV,
        banter_lambda::settings::JWT_AUDIENCE_ENV,
        banter_lambda::settings::JWT_TTL_ENV,
        banter_lambda::settings::TYPING_TTL_ENV,
    ] {
        assert!(names.contains(name), "the template does not set {name}");
    }
    assert!(
        !names.iter().any(|n| n.contains("SECRET")),
        "the JWT secret lives in the table, never in the environment"
    );
}

#[test]
fn given_the_template_routes_then_every_route_has_a_sample_event() {
    let template = events::template();
    let samples: Vec<(String, Kind)> = events::names()
        .into_iter()
        .map(|name| {
            let kind = events::kind(&events::load(&name));
            (name, kind)
        })
        .collect();
    for route in &template.http.routes {
        let key = route.route_key();
        assert!(
            samples.iter().any(|(_, k)| *k == Kind::Http(key.clone())),
            "no sample event in events/ for the HTTP route {key}"
        );
    }
    if let Some(ws) = &template.websocket {
        for route in &ws.routes {
            assert!(
                samples
                    .iter()
                    .any(|(_, k)| *k == Kind::WebSocket(route.route_key.clone())),
                "no sample event in events/ for the WebSocket route {}",
                route.route_key
            );
        }
    }
    for (name, kind) in &samples {
        let event = events::load(name);
        assert!(
            events::binary_for(&event).is_some(),
            "{name} ({kind:?}) reaches no function of template.yaml"
        );
        if let Kind::WebSocket(_) = kind {
            let context = &event["requestContext"];
            for field in [
                "connectedAt",
                "requestTimeEpoch",
                "connectionId",
                "eventType",
            ] {
                assert!(
                    !context[field].is_null(),
                    "{name}: requestContext.{field} is required"
                );
            }
        }
    }
}

/// Runs each event in process and notes, per binary, the IAM actions its
/// AWS calls needed.
struct Attributing<'a> {
    stack: &'a Stack,
    used: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

#[async_trait]
impl Invoke for Attributing<'_> {
    async fn invoke(&self, binary: &str, event: &Json) -> Json {
        self.stack.reset();
        let response = inprocess::invoke(&self.stack.services, binary, event).await;
        let mut actions = self.stack.dynamo.actions();
        actions.extend(self.stack.s3.actions());
        actions.extend(
            self.stack
                .push
                .actions()
                .into_iter()
                .map(|resource| format!("execute-api:ManageConnections {resource}")),
        );
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(binary.to_owned())
            .or_default()
            .extend(actions);
        response
    }
}

#[tokio::test]
async fn given_every_sample_event_then_each_function_is_granted_every_aws_call_it_makes() {
    let stack = Stack::new().await;
    let attributing = Attributing {
        stack: &stack,
        used: Mutex::new(BTreeMap::new()),
    };
    let mut run = Run {
        invoker: &attributing,
        store: &stack.store,
        mark_connection: "Yk3bVdnwoAMCJNQ=".to_owned(),
        sam_connection: "sam-connection".to_owned(),
        report: Default::default(),
    };
    run.run().await;

    let template = template();
    let by_binary: BTreeMap<String, (String, Value)> = functions(&template)
        .into_iter()
        .map(|(id, f)| (binary(&f), (id, f)))
        .collect();
    let used = attributing
        .used
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    eprintln!("\nAWS calls per function for the sample events (IAM actions):");
    for (binary, actions) in &used {
        let (id, function) = by_binary
            .get(binary)
            .unwrap_or_else(|| panic!("{binary} is not in template.yaml"));
        let statements = statements(id, function);
        let granted: BTreeSet<String> = statements
            .iter()
            .filter(|s| !s.conditional)
            .flat_map(|s| {
                s.actions.iter().flat_map(|a| {
                    if a == "execute-api:ManageConnections" {
                        s.resources
                            .iter()
                            .filter_map(|r| r.rsplit_once("}/"))
                            .map(|(_, tail)| format!("{a} {tail}"))
                            .collect::<Vec<_>>()
                    } else {
                        vec![a.clone()]
                    }
                })
            })
            .collect();
        let missing: Vec<&String> = actions.difference(&granted).collect();
        let unused: Vec<&String> = granted.difference(actions).collect();
        eprintln!("  {binary:<24} uses {actions:?}");
        if !unused.is_empty() {
            eprintln!(
                "  {:<24} granted for paths the samples do not take: {unused:?}",
                ""
            );
        }
        assert!(
            missing.is_empty(),
            "{id} ({binary}) makes AWS calls its Policies do not allow: {missing:?}"
        );
    }
}
