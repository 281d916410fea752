//! Drift test for the formal protocol descriptions in `docs/protocol/`.
//!
//! `openapi.yaml` and `asyncapi.yaml` restate, formally, what `native.md`
//! says and the code does. Nothing generates them, so this test reads them
//! and holds them against the sources of truth:
//!
//! - (a) the OpenAPI paths and methods are exactly the `HttpApi` routes of
//!   `template.yaml`, and every route but register/login needs `bearerAuth`;
//! - (b) the error codes both documents list are exactly `ErrorCode::ALL`,
//!   and every documented error example has its code's HTTP status;
//! - (c) the AsyncAPI client actions are exactly the decoder's `ACTIONS`,
//!   and every documented client frame decodes;
//! - (d) every server frame the native encoder produces (from sample domain
//!   values covering every `Reply` and `Event` variant) is documented, every
//!   documented frame is produced, and each frame has exactly the required
//!   properties of its schema, with the documented types, all the way down.
//!
//! The schema checks use a small validator (`$ref`, `type`, `const`, `enum`,
//! `properties`, `required`, `items`, `oneOf`/`anyOf`, numeric and length
//! bounds); its own tests at the bottom show it rejects drifted frames.

use banter_core::dialect::native::decode::{ACTIONS, decode};
use banter_core::dialect::native::encode::{encode_event, encode_reply};
use banter_core::dialect::native::wire::{WireFile, WireMessage, WireRoom, WireUser};
use banter_core::domain::event::RoomRef;
use banter_core::domain::{
    ConnectionId, Event, FileAttachment, Membership, Message, MessageId, Room, RoomId, RoomKind,
    RoomSummary, Timestamp, User, UserId, Username,
};
use banter_core::protocol::ErrorCode;
use banter_core::protocol::Reply;
use banter_core::protocol::{HistoryPage, ReadState, Sent};
use banter_core::protocol::{SyncPage, SyncRoom};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::PathBuf;

// ---- loading ----------------------------------------------------------------

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn load_yaml(relative: &str) -> serde_yaml::Value {
    let path = repo_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{relative} is not valid YAML: {e}"))
}

/// YAML → JSON, so schemas and frames compare as the same kind of value.
/// Keys become strings (`200:` → `"200"`); CloudFormation-style tags are dropped.
fn to_json(value: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64().expect("a YAML number is an i64, u64 or f64"))
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Mapping(mapping) => Value::Object(
            mapping
                .iter()
                .map(|(k, v)| (yaml_key(k), to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => to_json(&tagged.value),
    }
}

/// The value under any tags (`!Ref x` → `x`).
fn untagged(value: &serde_yaml::Value) -> &serde_yaml::Value {
    match value {
        serde_yaml::Value::Tagged(tagged) => untagged(&tagged.value),
        other => other,
    }
}

fn yaml_key(key: &serde_yaml::Value) -> String {
    match untagged(key) {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        other => panic!("unsupported YAML mapping key {other:?}"),
    }
}

fn openapi() -> Value {
    to_json(&load_yaml("docs/protocol/openapi.yaml"))
}

fn asyncapi() -> Value {
    to_json(&load_yaml("docs/protocol/asyncapi.yaml"))
}

/// Follows `$ref`s (local JSON pointers only) to the value they name.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs are supported, not {reference:?}"));
        value = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference:?}"));
    }
    panic!("$ref cycle at {value}")
}

fn object<'a>(value: &'a Value, what: &str) -> &'a Map<String, Value> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} should be a mapping, found {value}"))
}

fn strings(value: Option<&Value>) -> BTreeSet<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Panics with every difference between what the documents say and the truth.
fn assert_same_set<T: Ord + Debug>(documented: &BTreeSet<T>, truth: &BTreeSet<T>, what: &str) {
    let missing: Vec<_> = truth.difference(documented).collect();
    let extra: Vec<_> = documented.difference(truth).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: missing from the docs {missing:?}; in the docs but not in the code {extra:?}"
    );
}

fn assert_no_errors(errors: &[String], what: &str) {
    assert!(errors.is_empty(), "{what}:\n  {}", errors.join("\n  "));
}

// ---- (a) REST routes ----------------------------------------------------------

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `(METHOD, path)` of every `HttpApi` event in the SAM template.
fn template_routes() -> BTreeSet<(String, String)> {
    let template = banter_template::ApiTemplate::load(&banter_template::default_path())
        .unwrap_or_else(|e| panic!("template.yaml: {e:#}"));
    template
        .http
        .routes
        .iter()
        .map(|route| (route.method.clone(), route.path.clone()))
        .collect()
}

/// `(METHOD, path)` → operation, for every operation in the OpenAPI document.
fn openapi_operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let paths = object(doc.get("paths").unwrap_or(&Value::Null), "openapi paths");
    let mut operations = BTreeMap::new();
    for (path, item) in paths {
        for (key, operation) in object(item, path) {
            if HTTP_METHODS.contains(&key.as_str()) {
                operations.insert((key.to_uppercase(), path.clone()), operation);
            }
        }
    }
    operations
}

#[test]
fn a_openapi_routes_are_exactly_the_template_http_routes() {
    let routes = template_routes();
    assert!(
        routes.len() >= 10,
        "template.yaml yielded only {routes:?}; is the parser still right?"
    );
    let doc = openapi();
    let documented: BTreeSet<_> = openapi_operations(&doc).into_keys().collect();
    assert_same_set(
        &documented,
        &routes,
        "REST routes (openapi.yaml vs template.yaml)",
    );
}

#[test]
fn a_every_route_but_register_and_login_needs_the_bearer_token() {
    let doc = openapi();
    let scheme = resolve(&doc, &doc["components"]["securitySchemes"]["bearerAuth"]);
    assert_eq!(scheme["type"], "http", "bearerAuth is an HTTP scheme");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");

    let bearer = json!([{ "bearerAuth": [] }]);
    let public = [
        ("POST".to_owned(), "/auth/register".to_owned()),
        ("POST".to_owned(), "/auth/login".to_owned()),
    ];
    let mut errors = Vec::new();
    for (route, operation) in openapi_operations(&doc) {
        let effective = operation.get("security").unwrap_or(&doc["security"]);
        let expected = if public.contains(&route) {
            json!([])
        } else {
            bearer.clone()
        };
        if *effective != expected {
            errors.push(format!(
                "{route:?}: security {effective}, expected {expected}"
            ));
        }
    }
    assert_no_errors(&errors, "REST security");
}

// ---- (b) error codes ------------------------------------------------------------

/// Fails to compile when `ErrorCode` gains a variant: then add it here, and
/// `ErrorCode::ALL` (which this test holds to every variant) and the docs.
fn ordinal(code: ErrorCode) -> usize {
    match code {
        ErrorCode::InvalidJson => 0,
        ErrorCode::UnknownAction => 1,
        ErrorCode::InvalidField => 2,
        ErrorCode::TextTooLong => 3,
        ErrorCode::Unauthorized => 4,
        ErrorCode::TokenExpired => 5,
        ErrorCode::InvalidCredentials => 6,
        ErrorCode::UsernameTaken => 7,
        ErrorCode::NotFound => 8,
        ErrorCode::NotAMember => 9,
        ErrorCode::Forbidden => 10,
        ErrorCode::Conflict => 11,
        ErrorCode::PayloadTooLarge => 12,
        ErrorCode::ConversationTokenInvalid => 13,
        ErrorCode::RateLimited => 14,
        ErrorCode::ServerBusy => 15,
        ErrorCode::Internal => 16,
    }
}
const ERROR_CODE_VARIANTS: usize = 17;

fn code_names() -> BTreeSet<String> {
    ErrorCode::ALL
        .iter()
        .map(|code| code.as_str().to_owned())
        .collect()
}

#[test]
fn b_error_code_all_lists_every_variant_once() {
    let ordinals: BTreeSet<usize> = ErrorCode::ALL.iter().copied().map(ordinal).collect();
    assert_eq!(
        ErrorCode::ALL.len(),
        ERROR_CODE_VARIANTS,
        "ErrorCode::ALL has duplicates or gaps"
    );
    assert_eq!(
        ordinals,
        (0..ERROR_CODE_VARIANTS).collect(),
        "ErrorCode::ALL misses a variant"
    );
    for code in ErrorCode::ALL {
        // WebSocket frames serialize the code; REST bodies use as_str.
        assert_eq!(
            serde_json::to_value(code).expect("an ErrorCode serializes"),
            json!(code.as_str()),
            "{code:?}: serde and as_str disagree"
        );
    }
}

#[test]
fn b_documented_error_codes_are_exactly_the_code_s() {
    let truth = code_names();

    let doc = openapi();
    let error = resolve(&doc, &doc["components"]["schemas"]["Error"]);
    assert_eq!(
        strings(error.get("required")),
        BTreeSet::from(["error".to_owned(), "error_code".to_owned()]),
        "openapi Error requires error and error_code"
    );
    let error_code = resolve(&doc, &error["properties"]["error_code"]);
    assert_same_set(
        &strings(error_code.get("enum")),
        &truth,
        "openapi.yaml Error.error_code enum",
    );

    let doc = asyncapi();
    let frame = resolve(&doc, &doc["components"]["schemas"]["ErrorReply"]);
    let code = resolve(&doc, &frame["properties"]["code"]);
    assert_same_set(
        &strings(code.get("enum")),
        &truth,
        "asyncapi.yaml error frame code enum",
    );
}

/// Every example error body in the OpenAPI document, under each status.
fn documented_error_examples(doc: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for ((method, path), operation) in openapi_operations(doc) {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            let response = resolve(doc, response);
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            for media in content.values() {
                let mut examples: Vec<&Value> = media.get("example").into_iter().collect();
                if let Some(named) = media.get("examples").and_then(Value::as_object) {
                    examples.extend(named.values().map(|e| &resolve(doc, e)["value"]));
                }
                for example in examples {
                    if let Some(code) = example.get("error_code").and_then(Value::as_str) {
                        found.push((format!("{method} {path}"), status.clone(), code.to_owned()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn b_documented_error_examples_have_their_code_s_http_status() {
    let doc = openapi();
    let examples = documented_error_examples(&doc);
    assert!(
        examples.len() > 20,
        "found only {} error examples",
        examples.len()
    );
    let mut errors = Vec::new();
    for (route, status, name) in examples {
        match ErrorCode::ALL.iter().find(|c| c.as_str() == name) {
            None => errors.push(format!("{route} {status}: unknown error_code {name}")),
            Some(code) if code.http_status().to_string() != status => errors.push(format!(
                "{route}: {name} documented under {status}, but the code answers {}",
                code.http_status()
            )),
            Some(_) => {}
        }
    }
    assert_no_errors(&errors, "OpenAPI error examples");
}

// ---- AsyncAPI navigation --------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Reply,
    Event,
}

/// The resolved message objects an operation (or its reply) lists.
fn messages_of<'a>(doc: &'a Value, holder: &'a Value) -> Vec<&'a Value> {
    holder
        .get("messages")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().map(|m| resolve(doc, m)).collect())
        .unwrap_or_default()
}

fn payload<'a>(doc: &'a Value, message: &'a Value) -> &'a Value {
    resolve(
        doc,
        message
            .get("payload")
            .unwrap_or_else(|| panic!("message without payload: {message}")),
    )
}

fn const_of<'a>(doc: &'a Value, schema: &'a Value, property: &str) -> &'a str {
    schema
        .get("properties")
        .and_then(|p| p.get(property))
        .map(|s| resolve(doc, s))
        .and_then(|s| s.get("const"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("schema without a const {property}: {schema}"))
}

fn operations(doc: &Value) -> &Map<String, Value> {
    object(
        doc.get("operations").unwrap_or(&Value::Null),
        "asyncapi operations",
    )
}

/// action → payload schema of every client frame (the server's `receive`s).
fn client_frames(doc: &Value) -> BTreeMap<String, &Value> {
    let mut frames = BTreeMap::new();
    for operation in operations(doc).values() {
        if operation["action"] != "receive" {
            continue;
        }
        for message in messages_of(doc, operation) {
            let schema = payload(doc, message);
            let action = const_of(doc, schema, "action").to_owned();
            let previous = frames.insert(action.clone(), schema);
            assert!(
                previous.is_none(),
                "client action {action} is documented twice"
            );
        }
    }
    frames
}

/// (kind, type) → payload schema of every server frame: replies of the
/// `receive` operations, and the messages of the `send` operations.
fn server_frames(doc: &Value) -> BTreeMap<(Kind, String), &Value> {
    let mut messages = Vec::new();
    for operation in operations(doc).values() {
        match operation["action"].as_str() {
            Some("receive") => {
                let reply = operation
                    .get("reply")
                    .unwrap_or_else(|| panic!("a client action without a reply: {operation}"));
                messages.extend(
                    messages_of(doc, reply)
                        .into_iter()
                        .map(|m| (Kind::Reply, m)),
                );
            }
            Some("send") => {
                messages.extend(
                    messages_of(doc, operation)
                        .into_iter()
                        .map(|m| (Kind::Event, m)),
                );
            }
            other => panic!("operation action {other:?}"),
        }
    }
    let mut frames: BTreeMap<(Kind, String), &Value> = BTreeMap::new();
    for (kind, message) in messages {
        let schema = payload(doc, message);
        let key = (kind, const_of(doc, schema, "type").to_owned());
        if let Some(previous) = frames.insert(key.clone(), schema) {
            assert!(
                std::ptr::eq(previous, schema),
                "{key:?} is documented with two different schemas (at {message})"
            );
        }
    }
    frames
}

// ---- (c) client actions ---------------------------------------------------------

#[test]
fn c_asyncapi_client_actions_are_exactly_the_decoder_s() {
    let doc = asyncapi();
    let documented: BTreeSet<String> = client_frames(&doc).into_keys().collect();
    let truth: BTreeSet<String> = ACTIONS.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(truth.len(), ACTIONS.len(), "ACTIONS has duplicates");
    assert_same_set(
        &documented,
        &truth,
        "WebSocket client actions (asyncapi.yaml vs ACTIONS)",
    );
}

#[test]
fn c_every_documented_client_frame_decodes_and_fits_its_schema() {
    let doc = asyncapi();
    let mut errors = Vec::new();
    let mut checked = 0;
    for operation in operations(&doc).values() {
        if operation["action"] != "receive" {
            continue;
        }
        for message in messages_of(&doc, operation) {
            let schema = payload(&doc, message);
            for example in message
                .get("examples")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let frame = &example["payload"];
                checked += 1;
                validate(&doc, frame, schema, "$", Exactness::Loose, &mut errors);
                if let Err(rejection) = decode(&frame.to_string()) {
                    errors.push(format!(
                        "the decoder rejects the example {frame}: {rejection:?}"
                    ));
                }
            }
        }
    }
    assert!(checked >= ACTIONS.len(), "only {checked} client examples");
    assert_no_errors(&errors, "documented client frames");
}

// ---- (d) server frames ------------------------------------------------------------

fn user(id: u64, username: &str, display_name: &str) -> User {
    User {
        id: UserId(id),
        username: Username::parse(username).expect("a valid sample username"),
        display_name: display_name.to_owned(),
        created_at: Timestamp(1_795_744_000_000),
    }
}

fn message(id: u64, seq: u64, with_file: bool) -> Message {
    Message {
        id: MessageId(id),
        room_id: RoomId(7),
        seq,
        sender_id: UserId(1),
        sent_at: Timestamp(1_795_744_890_123 + i64::try_from(seq).expect("small seq")),
        text: if with_file {
            String::new()
        } else {
            "Hello Sam".to_owned()
        },
        file: with_file.then(|| FileAttachment {
            file_id: "9f2c4e1a7b3d".to_owned(),
            name: "cat.png".to_owned(),
            content_type: "image/png".to_owned(),
            size: 48_213,
        }),
        client_message_id: (!with_file).then(|| format!("c-{id}")),
    }
}

fn summary(id: u64, kind: RoomKind, last: Option<Message>) -> RoomSummary {
    let read = last.as_ref().map(|m| (m.id, m.seq - 1));
    RoomSummary {
        room: Room {
            id: RoomId(id),
            kind,
            name: (kind == RoomKind::Group).then(|| "Trip".to_owned()),
            created_by: UserId(1),
            created_at: Timestamp(1_795_744_800_000),
            message_count: last.as_ref().map_or(0, |m| m.seq),
            last_message: last,
        },
        membership: Membership {
            room_id: RoomId(id),
            user_id: UserId(2),
            joined_at: Timestamp(1_795_744_800_000),
            read_seq: read.map_or(0, |(_, seq)| seq),
            last_read_id: read.map(|(id, _)| MessageId(id.0 - 1)),
            typing_until: None,
        },
        member_ids: vec![UserId(1), UserId(2)],
    }
}

fn room_ref(kind: RoomKind) -> RoomRef {
    RoomRef {
        id: RoomId(8),
        kind,
        name: (kind == RoomKind::Group).then(|| "Trip".to_owned()),
        member_ids: vec![UserId(1), UserId(2), UserId(3)],
    }
}

/// Replies only other dialects' sockets receive.
fn never_sent_to_native(reply: &Reply) -> bool {
    matches!(
        reply,
        Reply::Authenticated { .. } | Reply::UnreadTotal(_) | Reply::Welcome { .. }
    )
}

/// Fails to compile when `Reply` gains a variant: add a sample for it.
fn reply_ordinal(reply: &Reply) -> usize {
    match reply {
        Reply::Sent(_) => 0,
        Reply::Done => 1,
        Reply::Read(_) => 2,
        Reply::History { .. } => 3,
        Reply::Rooms(_) => 4,
        Reply::Pong => 5,
        Reply::Error { .. } => 6,
        // Never sent to native sockets (they authenticate on the URL and
        // are not greeted); the samples show the encoder stays silent.
        Reply::Authenticated { .. } => 7,
        Reply::UnreadTotal(_) => 8,
        Reply::Welcome { .. } => 9,
        Reply::Sync(_) => 10,
    }
}
const REPLY_VARIANTS: usize = 11;

/// Fails to compile when `Event` gains a variant: add a sample for it.
fn event_ordinal(event: &Event) -> usize {
    match event {
        Event::MessageCreated { .. } => 0,
        Event::Typing { .. } => 1,
        Event::Presence { .. } => 2,
        Event::ReadState { .. } => 3,
        Event::MemberAdded { .. } => 4,
        Event::MemberRemoved { .. } => 5,
    }
}
const EVENT_VARIANTS: usize = 6;

/// Every reply, with optional values both present and absent.
fn sample_replies() -> Vec<Reply> {
    let mut replies = vec![
        Reply::Sent(Sent {
            message: message(1042, 12, false),
            duplicate: false,
        }),
        Reply::Sent(Sent {
            message: message(1043, 13, true),
            duplicate: true,
        }),
        Reply::Done,
        Reply::Read(ReadState {
            room_id: RoomId(7),
            unread_count: 0,
            last_read_id: Some(MessageId(1042)),
        }),
        Reply::Read(ReadState {
            room_id: RoomId(8),
            unread_count: 0,
            last_read_id: None,
        }),
        Reply::History {
            room_id: RoomId(7),
            page: HistoryPage {
                messages: vec![message(1041, 11, true), message(1042, 12, false)],
                members: Vec::new(),
                has_more: true,
                backwards: true,
            },
        },
        Reply::History {
            room_id: RoomId(8),
            page: HistoryPage {
                messages: Vec::new(),
                members: Vec::new(),
                has_more: false,
                backwards: false,
            },
        },
        Reply::Rooms(vec![
            summary(7, RoomKind::Dm, Some(message(1042, 12, false))),
            summary(8, RoomKind::Group, Some(message(1050, 3, true))),
            summary(9, RoomKind::Group, None),
        ]),
        Reply::Rooms(Vec::new()),
        Reply::Sync(SyncPage {
            rooms: vec![
                SyncRoom {
                    room_id: RoomId(7),
                    messages: vec![message(1041, 11, true), message(1042, 12, false)],
                    has_more: true,
                    unread_count: 2,
                    last_read_id: Some(MessageId(1040)),
                },
                SyncRoom {
                    room_id: RoomId(8),
                    messages: vec![message(1050, 3, false)],
                    has_more: false,
                    unread_count: 0,
                    last_read_id: None,
                },
            ],
            has_more: true,
        }),
        Reply::Sync(SyncPage {
            rooms: Vec::new(),
            has_more: false,
        }),
        Reply::Pong,
        Reply::Authenticated {
            user: user(1, "mark", "Mark"),
            dm: None,
        },
        Reply::UnreadTotal(3),
        Reply::Welcome {
            room_id: RoomId(7),
            online: vec![user(1, "mark", "Mark")],
            page: HistoryPage {
                messages: vec![message(1042, 12, false)],
                members: Vec::new(),
                has_more: false,
                backwards: true,
            },
        },
    ];
    replies.extend(ErrorCode::ALL.iter().map(|code| Reply::Error {
        code: *code,
        message: format!("sample {}", code.as_str()),
        retry_after_ms:
            matches!(code, ErrorCode::RateLimited | ErrorCode::ServerBusy).then_some(1500),
    }));
    replies
}

/// Every event, with optional values both present and absent.
fn sample_events() -> Vec<Event> {
    vec![
        Event::MessageCreated {
            message: message(1042, 12, false),
            sender: user(1, "mark", "Mark"),
            room: room_ref(RoomKind::Dm),
            unread_counts: vec![(UserId(1), 0), (UserId(2), 3)],
            origin: None,
        },
        Event::MessageCreated {
            message: message(1043, 13, true),
            sender: user(1, "mark", "Mark"),
            room: room_ref(RoomKind::Group),
            unread_counts: Vec::new(),
            origin: Some(ConnectionId("c1".to_owned())),
        },
        Event::Typing {
            room_id: RoomId(7),
            room_kind: RoomKind::Group,
            user: user(1, "mark", "Mark"),
            typing: true,
            expires_at: Some(Timestamp(1_795_744_895_123)),
        },
        Event::Typing {
            room_id: RoomId(7),
            room_kind: RoomKind::Group,
            user: user(1, "mark", "Mark"),
            typing: false,
            expires_at: None,
        },
        Event::Presence {
            user: user(3, "ann", "Ann"),
            online: true,
            room_ids: vec![RoomId(7)],
        },
        Event::Presence {
            user: user(3, "ann", "Ann"),
            online: false,
            room_ids: Vec::new(),
        },
        Event::ReadState {
            room_id: RoomId(7),
            unread_count: 0,
            last_read_id: Some(MessageId(1042)),
        },
        Event::ReadState {
            room_id: RoomId(8),
            unread_count: 2,
            last_read_id: None,
        },
        Event::MemberAdded {
            room: room_ref(RoomKind::Dm),
            user_ids: vec![UserId(1), UserId(2)],
            added_by: UserId(1),
        },
        Event::MemberAdded {
            room: room_ref(RoomKind::Group),
            user_ids: vec![UserId(3)],
            added_by: UserId(2),
        },
        Event::MemberRemoved {
            room_id: RoomId(8),
            user_id: UserId(3),
            removed_by: UserId(1),
        },
    ]
}

/// One frame the encoder produced.
struct Produced {
    kind: Kind,
    frame_type: String,
    request_id: Option<&'static str>,
    frame: Value,
    from: String,
}

const REQUEST_ID: &str = "r-42";

fn produced_frames() -> Vec<Produced> {
    let replies = sample_replies();
    let covered: BTreeSet<usize> = replies.iter().map(reply_ordinal).collect();
    assert_eq!(
        covered.len(),
        REPLY_VARIANTS,
        "a Reply variant has no sample"
    );
    let events = sample_events();
    let covered: BTreeSet<usize> = events.iter().map(event_ordinal).collect();
    assert_eq!(
        covered.len(),
        EVENT_VARIANTS,
        "an Event variant has no sample"
    );

    let parse = |text: String, from: &str| -> (String, Value) {
        let frame: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{from} encodes to invalid JSON {text}: {e}"));
        let frame_type = frame
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{from} encodes to a frame without a type: {text}"))
            .to_owned();
        (frame_type, frame)
    };
    let mut produced = Vec::new();
    for reply in &replies {
        for request_id in [None, Some(REQUEST_ID)] {
            let from = format!("encode_reply({request_id:?}, {reply:?})");
            if let Some(text) = encode_reply(request_id, reply) {
                let (frame_type, frame) = parse(text, &from);
                produced.push(Produced {
                    kind: Kind::Reply,
                    frame_type,
                    request_id,
                    frame,
                    from,
                });
            }
        }
    }
    for event in &events {
        let from = format!("encode_event({event:?})");
        let text = encode_event(UserId(2), event)
            .unwrap_or_else(|| panic!("the native dialect says every event: {from}"));
        let (frame_type, frame) = parse(text, &from);
        produced.push(Produced {
            kind: Kind::Event,
            frame_type,
            request_id: None,
            frame,
            from,
        });
    }
    produced
}

#[test]
fn d_every_server_frame_has_exactly_the_documented_required_properties() {
    let doc = asyncapi();
    let documented = server_frames(&doc);
    let produced = produced_frames();
    let mut errors = Vec::new();

    let seen: BTreeSet<(Kind, String)> = produced
        .iter()
        .map(|p| (p.kind, p.frame_type.clone()))
        .collect();
    for key in documented.keys() {
        if !seen.contains(key) {
            errors.push(format!(
                "{key:?} is documented but the encoder never produces it"
            ));
        }
    }

    for p in &produced {
        let Some(schema) = documented.get(&(p.kind, p.frame_type.clone())) else {
            errors.push(format!(
                "{:?} {:?} is not documented (from {})",
                p.kind, p.frame_type, p.from
            ));
            continue;
        };
        let required = strings(schema.get("required"));
        let mut expected = required.clone();
        let mut frame = p.frame.clone();
        if let Some(id) = p.request_id {
            if frame.get("request_id") != Some(&json!(id)) {
                errors.push(format!("{}: request_id not echoed in {frame}", p.from));
            }
            if schema.pointer("/properties/request_id").is_none() {
                errors.push(format!(
                    "{}: request_id is not a documented property",
                    p.from
                ));
            }
            expected.insert("request_id".to_owned());
        } else if required.contains("request_id") {
            errors.push(format!(
                "{}: sent without a request_id, but the schema requires one",
                p.from
            ));
        }
        let keys: BTreeSet<String> = object(&frame, &p.from).keys().cloned().collect();
        // Properties the schema marks optional (`x-optional`) may be present
        // or not; every other one exactly as required.
        let optional = strings(schema.get("x-optional"));
        let keys: BTreeSet<String> = keys.difference(&optional).cloned().collect();
        if keys != expected {
            errors.push(format!(
                "{}: frame has properties {keys:?}, the schema requires {expected:?}",
                p.from
            ));
        }
        // The optional request_id is checked above; the rest must be exact.
        if !required.contains("request_id")
            && let Some(object) = frame.as_object_mut()
        {
            object.remove("request_id");
        }
        let mut schema_errors = Vec::new();
        validate(
            &doc,
            &frame,
            schema,
            "$",
            Exactness::Exact,
            &mut schema_errors,
        );
        errors.extend(
            schema_errors
                .into_iter()
                .map(|e| format!("{}: {e}", p.from)),
        );
    }

    // A reply whose schema makes request_id optional must be sent without one;
    // one whose schema requires it must not be.
    for reply in sample_replies() {
        if never_sent_to_native(&reply) {
            if encode_reply(Some(REQUEST_ID), &reply).is_some()
                || encode_reply(None, &reply).is_some()
            {
                errors.push(format!("{reply:?} must never reach a native socket"));
            }
            continue;
        }
        let without = encode_reply(None, &reply);
        let with = encode_reply(Some(REQUEST_ID), &reply).map(|text| parse_frame(&text));
        let Some(with) = with else {
            errors.push(format!("encode_reply(Some, {reply:?}) is silent"));
            continue;
        };
        let frame_type = with["type"].as_str().unwrap_or_default().to_owned();
        let Some(schema) = documented.get(&(Kind::Reply, frame_type.clone())) else {
            continue; // reported above
        };
        let requires_id = strings(schema.get("required")).contains("request_id");
        if requires_id == without.is_some() {
            errors.push(format!(
                "reply {frame_type:?}: the schema {} request_id, but without one the encoder {}",
                if requires_id {
                    "requires"
                } else {
                    "makes optional"
                },
                if without.is_some() {
                    "still sends it"
                } else {
                    "stays silent"
                }
            ));
        }
    }
    assert_no_errors(
        &errors,
        "server frames (asyncapi.yaml vs the native encoder)",
    );
}

fn parse_frame(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON {text}: {e}"))
}

#[test]
fn d_documented_server_frame_examples_fit_their_schemas() {
    let doc = asyncapi();
    let mut errors = Vec::new();
    let mut checked = 0;
    let frames = server_frames(&doc);
    for message in object(&doc["components"]["messages"], "asyncapi messages").values() {
        let schema = payload(&doc, message);
        if schema.pointer("/properties/type").is_none() {
            continue; // a client frame
        }
        assert!(
            frames.values().any(|s| std::ptr::eq(*s, schema)),
            "a server message no operation uses: {message}"
        );
        for example in message
            .get("examples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            checked += 1;
            let mut frame = example["payload"].clone();
            let required = strings(schema.get("required"));
            if !required.contains("request_id")
                && let Some(object) = frame.as_object_mut()
            {
                object.remove("request_id");
            }
            validate(&doc, &frame, schema, "$", Exactness::Exact, &mut errors);
        }
    }
    assert!(checked >= frames.len(), "only {checked} server examples");
    assert_no_errors(&errors, "documented server frame examples");
}

/// REST answers with the same wire shapes as the WebSocket (`wire.rs`).
#[test]
fn d_openapi_shapes_match_the_wire_encoding() {
    let doc = openapi();
    let schema = |name: &str| resolve(&doc, &doc["components"]["schemas"][name]);
    let mut errors = Vec::new();
    let mut check = |name: &str, value: Value| {
        validate(
            &doc,
            &value,
            schema(name),
            name,
            Exactness::Exact,
            &mut errors,
        );
    };
    let mark = user(1, "mark", "Mark");
    check("User", json!(WireUser::from(&mark)));
    let with_file = message(1043, 13, true);
    let file = with_file.file.clone().expect("the sample has a file");
    check("File", json!(WireFile::from(&file)));
    for m in [message(1042, 12, false), with_file] {
        check("Message", json!(WireMessage::from(&m)));
    }
    for s in [
        summary(7, RoomKind::Dm, Some(message(1042, 12, false))),
        summary(9, RoomKind::Group, None),
    ] {
        check("Room", json!(WireRoom::from(&s)));
    }
    assert_no_errors(&errors, "openapi.yaml shapes vs wire.rs");
}

// ---- the validator ------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Exactness {
    /// Every object holds exactly its schema's required properties (and
    /// those it marks `x-optional`): a property the frame always has must be
    /// documented as required.
    Exact,
    /// Required properties present, no undocumented ones.
    Loose,
}

/// `schema` closed: every object schema that lists `properties` admits no
/// other (the docs list every property a frame may have).
fn closed(mut schema: Value) -> Value {
    fn close(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                if fields.contains_key("properties") && !fields.contains_key("additionalProperties")
                {
                    fields.insert("additionalProperties".into(), Value::Bool(false));
                }
                fields.values_mut().for_each(close);
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    close(&mut schema);
    schema
}

/// A JSON Schema validator (the `jsonschema` crate) for `schema`, a node of
/// `doc`, whose `$ref`s point into `doc`'s components.
fn validator_for(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = closed(schema.clone());
    if let Some(fields) = root.as_object_mut() {
        fields.insert("components".into(), closed(doc["components"].clone()));
    }
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("not a valid schema {schema}: {e}"))
}

/// Appends to `errors` every way `value` does not fit `schema`.
fn validate(
    doc: &Value,
    value: &Value,
    schema: &Value,
    at: &str,
    exactness: Exactness,
    errors: &mut Vec<String>,
) {
    let validator = validator_for(doc, schema);
    errors.extend(
        validator
            .iter_errors(value)
            .map(|e| format!("{at}{}: {e}", e.instance_path())),
    );
    if exactness == Exactness::Exact {
        always_sent_is_required(doc, value, schema, at, errors);
    }
}

/// The one check JSON Schema has no word for: a property the frame has
/// must be `required`, unless the schema marks it `x-optional`.
fn always_sent_is_required(
    doc: &Value,
    value: &Value,
    schema: &Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    let schema = resolve(doc, schema);
    for keyword in ["oneOf", "anyOf"] {
        let fitting = schema
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|branch| validator_for(doc, branch).is_valid(value));
        if let Some(branch) = fitting {
            always_sent_is_required(doc, value, branch, at, errors);
        }
    }
    if let (Some(items), Some(elements)) = (schema.get("items"), value.as_array()) {
        for (i, element) in elements.iter().enumerate() {
            always_sent_is_required(doc, element, items, &format!("{at}[{i}]"), errors);
        }
    }
    let (Some(fields), Some(properties)) = (
        value.as_object(),
        schema.get("properties").and_then(Value::as_object),
    ) else {
        return;
    };
    let required = strings(schema.get("required"));
    let optional = strings(schema.get("x-optional"));
    for (name, field) in fields {
        let here = format!("{at}.{name}");
        if !required.contains(name) && !optional.contains(name) {
            errors.push(format!(
                "{here}: the frame always has it, but it is not required"
            ));
        }
        if let Some(property) = properties.get(name) {
            always_sent_is_required(doc, field, property, &here, errors);
        }
    }
}

/// A change to a frame that the schema check must notice.
type Drift = fn(&mut Value);

fn remove(object: &mut Value, key: &str) -> Value {
    object
        .as_object_mut()
        .and_then(|o| o.remove(key))
        .unwrap_or(Value::Null)
}

fn errors_for(doc: &Value, frame: &Value, schema_name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let schema = &doc["components"]["schemas"][schema_name];
    validate(doc, frame, schema, "$", Exactness::Exact, &mut errors);
    errors
}

#[test]
fn the_validator_rejects_drifted_frames() {
    let doc = asyncapi();
    let event = Event::MemberAdded {
        room: room_ref(RoomKind::Group),
        user_ids: vec![UserId(3)],
        added_by: UserId(2),
    };
    let good = parse_frame(&encode_event(UserId(2), &event).expect("encodes"));
    assert_eq!(
        errors_for(&doc, &good, "MemberAddedEvent"),
        Vec::<String>::new()
    );

    // A property renamed, one dropped, an extra one, a wrong type, a nested
    // change, a wrong constant: each must be caught.
    let changes: [(&str, Drift); 8] = [
        ("renamed", |f| f["addedBy"] = remove(f, "added_by")),
        ("dropped", |f| {
            remove(f, "user_ids");
        }),
        ("extra", |f| f["room_id"] = json!(8)),
        ("wrong type", |f| f["added_by"] = json!("2")),
        ("nested", |f| {
            remove(&mut f["room"], "name");
        }),
        ("nested type", |f| f["room"]["kind"] = json!("channel")),
        ("array item", |f| f["user_ids"] = json!([0])),
        ("constant", |f| f["type"] = json!("member_joined")),
    ];
    for (what, change) in changes {
        let mut frame = good.clone();
        change(&mut frame);
        assert!(
            !errors_for(&doc, &frame, "MemberAddedEvent").is_empty(),
            "the validator missed a {what} change: {frame}"
        );
    }

    // Nullable shapes: a message without a file passes, one with a malformed file does not.
    let mut sent = parse_frame(
        &encode_reply(
            None,
            &Reply::Sent(Sent {
                message: message(1043, 13, true),
                duplicate: false,
            }),
        )
        .expect("encodes"),
    );
    assert_eq!(errors_for(&doc, &sent, "SentReply"), Vec::<String>::new());
    sent["message"]["file"]["size"] = json!("big");
    assert!(!errors_for(&doc, &sent, "SentReply").is_empty());
    sent["message"]["file"] = Value::Null;
    assert_eq!(errors_for(&doc, &sent, "SentReply"), Vec::<String>::new());
}

#[test]
fn the_route_and_name_checks_report_differences() {
    let documented = BTreeSet::from([("GET".to_owned(), "/rooms".to_owned())]);
    let truth = BTreeSet::from([
        ("GET".to_owned(), "/rooms".to_owned()),
        ("POST".to_owned(), "/rooms/dm".to_owned()),
    ]);
    let missing = std::panic::catch_unwind(|| assert_same_set(&documented, &truth, "routes"));
    assert!(
        missing.is_err(),
        "a route missing from the docs went unnoticed"
    );
    let extra = std::panic::catch_unwind(|| assert_same_set(&truth, &documented, "routes"));
    assert!(extra.is_err(), "a route only in the docs went unnoticed");
}

#[test]
fn every_ref_in_both_documents_resolves() {
    fn walk(doc: &Value, value: &Value, dangling: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                if let Some(reference) = fields.get("$ref").and_then(Value::as_str)
                    && reference
                        .strip_prefix('#')
                        .and_then(|pointer| doc.pointer(pointer))
                        .is_none()
                {
                    dangling.push(reference.to_owned());
                }
                fields.values().for_each(|v| walk(doc, v, dangling));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(doc, v, dangling)),
            _ => {}
        }
    }
    for doc in [openapi(), asyncapi()] {
        let mut dangling = Vec::new();
        walk(&doc, &doc, &mut dangling);
        assert_no_errors(&dangling, "dangling $refs");
    }
}
