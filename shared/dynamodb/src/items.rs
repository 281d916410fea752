//! Items ↔ domain types. Each stored type has a `ToAttributes` (its
//! attributes, without keys: the caller puts them under a key with
//! [`Key::with`](crate::keys::Key::with)) and a `FromItem` (reading it back,
//! ignoring keys and attributes it does not know). Both are local traits
//! because Rust's orphan rule forbids `From<&Message> for HashMap<..>`.
//! [`ItemExt`] reads typed attributes with errors that name the attribute.

use crate::attr;
use crate::keys::{Key, PK, SK};
use anyhow::{Context, anyhow, bail};
use aws_sdk_dynamodb::types::AttributeValue;
use banter_core::domain::connection::{DialectKind, DialectState};
use banter_core::domain::{
    Connection, ConnectionId, FileAttachment, Membership, Message, MessageId, Room, RoomId,
    RoomKind, Scope, Timestamp, User, UserId, UserRecord, Username,
};
use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

/// One DynamoDB item (or a map attribute's value).
pub type Item = HashMap<String, AttributeValue>;

impl Key {
    /// The key alone, as DynamoDB takes it in `Key` parameters.
    pub fn item(&self) -> Item {
        Item::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }

    /// A whole item: these attributes under this key.
    pub fn with(&self, mut attributes: Item) -> Item {
        attributes.extend(self.item());
        attributes
    }

    /// The key of an item DynamoDB returned.
    pub fn of(item: &Item) -> Option<Self> {
        match (item.get(PK), item.get(SK)) {
            (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => Some(Self {
                pk: pk.clone(),
                sk: sk.clone(),
            }),
            _ => None,
        }
    }
}

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: impl Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Typed reads of an item's attributes.
pub trait ItemExt {
    fn attribute(&self, name: &str) -> Option<&AttributeValue>;

    fn string(&self, name: &str) -> anyhow::Result<&str> {
        self.opt_string(name)?
            .ok_or_else(|| anyhow!("attribute {name:?} is missing"))
    }

    fn opt_string(&self, name: &str) -> anyhow::Result<Option<&str>> {
        match self.attribute(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(text)) => Ok(Some(text)),
            Some(other) => bail!("attribute {name:?} is not a string: {other:?}"),
        }
    }

    fn number<T>(&self, name: &str) -> anyhow::Result<T>
    where
        T: FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        self.opt_number(name)?
            .ok_or_else(|| anyhow!("attribute {name:?} is missing"))
    }

    fn opt_number<T>(&self, name: &str) -> anyhow::Result<Option<T>>
    where
        T: FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        match self.attribute(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::N(text)) => text
                .parse()
                .map(Some)
                .with_context(|| format!("attribute {name:?} = {text:?} is not a valid number")),
            Some(other) => bail!("attribute {name:?} is not a number: {other:?}"),
        }
    }

    fn opt_map(&self, name: &str) -> anyhow::Result<Option<&Item>> {
        match self.attribute(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::M(map)) => Ok(Some(map)),
            Some(other) => bail!("attribute {name:?} is not a map: {other:?}"),
        }
    }
}

impl ItemExt for Item {
    fn attribute(&self, name: &str) -> Option<&AttributeValue> {
        self.get(name)
    }
}

/// A domain value's attributes (no keys).
pub trait ToAttributes {
    fn to_attributes(&self) -> Item;
}

/// A domain value read back from an item.
pub trait FromItem: Sized {
    fn from_item(item: &Item) -> anyhow::Result<Self>;
}

/// Reads a list of items, naming what they were when one is malformed.
pub fn from_items<T: FromItem>(items: &[Item], what: &str) -> anyhow::Result<Vec<T>> {
    items
        .iter()
        .map(|item| T::from_item(item).with_context(|| format!("reading a stored {what}")))
        .collect()
}

// ---- users ------------------------------------------------------------------

impl ToAttributes for UserRecord {
    fn to_attributes(&self) -> Item {
        let user = &self.user;
        Item::from([
            (attr::USER_ID.into(), n(user.id)),
            (attr::USERNAME.into(), s(user.username.as_str())),
            (attr::DISPLAY_NAME.into(), s(&user.display_name)),
            (attr::PASSWORD_HASH.into(), s(&self.password_hash)),
            (attr::CREATED_AT.into(), n(user.created_at.millis())),
        ])
    }
}

impl FromItem for UserRecord {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        Ok(Self {
            user: User {
                id: UserId(item.number(attr::USER_ID)?),
                username: Username::from_trusted(item.string(attr::USERNAME)?.to_owned()),
                display_name: item.string(attr::DISPLAY_NAME)?.to_owned(),
                created_at: Timestamp(item.number(attr::CREATED_AT)?),
            },
            password_hash: item.string(attr::PASSWORD_HASH)?.to_owned(),
        })
    }
}

impl FromItem for User {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        UserRecord::from_item(item).map(|record| record.user)
    }
}

// ---- rooms and memberships -------------------------------------------------

fn kind_text(kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Dm => "dm",
        RoomKind::Group => "group",
    }
}

fn parse_kind(text: &str) -> anyhow::Result<RoomKind> {
    match text {
        "dm" => Ok(RoomKind::Dm),
        "group" => Ok(RoomKind::Group),
        other => bail!("unknown room kind {other:?}"),
    }
}

impl ToAttributes for Room {
    fn to_attributes(&self) -> Item {
        let mut item = Item::from([
            (attr::ROOM_ID.into(), n(self.id)),
            (attr::KIND.into(), s(kind_text(self.kind))),
            (attr::CREATED_BY.into(), n(self.created_by)),
            (attr::CREATED_AT.into(), n(self.created_at.millis())),
            (attr::MESSAGE_COUNT.into(), n(self.message_count)),
        ]);
        if let Some(name) = &self.name {
            item.insert(attr::NAME.into(), s(name));
        }
        if let Some(last) = &self.last_message {
            item.insert(
                attr::LAST_MESSAGE.into(),
                AttributeValue::M(last.to_attributes()),
            );
            item.insert(attr::LAST_MESSAGE_ID.into(), n(last.id));
        }
        item
    }
}

impl FromItem for Room {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        Ok(Self {
            id: RoomId(item.number(attr::ROOM_ID)?),
            kind: parse_kind(item.string(attr::KIND)?)?,
            name: item.opt_string(attr::NAME)?.map(str::to_owned),
            created_by: UserId(item.number(attr::CREATED_BY)?),
            created_at: Timestamp(item.number(attr::CREATED_AT)?),
            message_count: item.number(attr::MESSAGE_COUNT)?,
            last_message: item
                .opt_map(attr::LAST_MESSAGE)?
                .map(Message::from_item)
                .transpose()
                .context("reading a room's last message")?,
        })
    }
}

impl ToAttributes for Membership {
    fn to_attributes(&self) -> Item {
        let mut item = Item::from([
            (attr::ROOM_ID.into(), n(self.room_id)),
            (attr::USER_ID.into(), n(self.user_id)),
            (attr::JOINED_AT.into(), n(self.joined_at.millis())),
            (attr::READ_SEQ.into(), n(self.read_seq)),
        ]);
        if let Some(id) = self.last_read_id {
            item.insert(attr::LAST_READ_ID.into(), n(id));
        }
        if let Some(until) = self.typing_until {
            item.insert(attr::TYPING_UNTIL.into(), n(until.millis()));
        }
        item
    }
}

impl FromItem for Membership {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        Ok(Self {
            room_id: RoomId(item.number(attr::ROOM_ID)?),
            user_id: UserId(item.number(attr::USER_ID)?),
            joined_at: Timestamp(item.number(attr::JOINED_AT)?),
            read_seq: item.number(attr::READ_SEQ)?,
            last_read_id: item.opt_number(attr::LAST_READ_ID)?.map(MessageId),
            typing_until: item.opt_number(attr::TYPING_UNTIL)?.map(Timestamp),
        })
    }
}

// ---- messages ---------------------------------------------------------------

impl ToAttributes for FileAttachment {
    fn to_attributes(&self) -> Item {
        Item::from([
            (attr::FILE_ID.into(), s(&self.file_id)),
            (attr::NAME.into(), s(&self.name)),
            (attr::CONTENT_TYPE.into(), s(&self.content_type)),
            (attr::SIZE.into(), n(self.size)),
        ])
    }
}

impl FromItem for FileAttachment {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        Ok(Self {
            file_id: item.string(attr::FILE_ID)?.to_owned(),
            name: item.string(attr::NAME)?.to_owned(),
            content_type: item.string(attr::CONTENT_TYPE)?.to_owned(),
            size: item.number(attr::SIZE)?,
        })
    }
}

impl ToAttributes for Message {
    fn to_attributes(&self) -> Item {
        let mut item = Item::from([
            (attr::MESSAGE_ID.into(), n(self.id)),
            (attr::ROOM_ID.into(), n(self.room_id)),
            (attr::SEQ.into(), n(self.seq)),
            (attr::SENDER_ID.into(), n(self.sender_id)),
            (attr::SENT_AT.into(), n(self.sent_at.millis())),
            (attr::TEXT.into(), s(&self.text)),
        ]);
        if let Some(file) = &self.file {
            item.insert(attr::FILE.into(), AttributeValue::M(file.to_attributes()));
        }
        if let Some(id) = &self.client_message_id {
            item.insert(attr::CLIENT_MESSAGE_ID.into(), s(id));
        }
        item
    }
}

impl FromItem for Message {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        Ok(Self {
            id: MessageId(item.number(attr::MESSAGE_ID)?),
            room_id: RoomId(item.number(attr::ROOM_ID)?),
            seq: item.number(attr::SEQ)?,
            sender_id: UserId(item.number(attr::SENDER_ID)?),
            sent_at: Timestamp(item.number(attr::SENT_AT)?),
            text: item.string(attr::TEXT)?.to_owned(),
            file: item
                .opt_map(attr::FILE)?
                .map(FileAttachment::from_item)
                .transpose()
                .context("reading a message's file")?,
            client_message_id: item.opt_string(attr::CLIENT_MESSAGE_ID)?.map(str::to_owned),
        })
    }
}

// ---- connections --------------------------------------------------------------

/// The TTL attribute's value: the expiry in epoch seconds, rounded up, plus
/// [`TTL_GRACE`](crate::table::TTL_GRACE). TTL is only garbage collection:
/// whether a connection is live is decided on `expires_at_ms`, and an
/// expired connection stays deletable (so a late `$disconnect` still finds
/// it and reports the user's remaining count) until the grace has passed.
pub fn ttl_seconds(expires_at: Timestamp) -> i64 {
    let seconds =
        expires_at.millis().div_euclid(1000) + i64::from(expires_at.millis().rem_euclid(1000) != 0);
    let grace = i64::try_from(crate::table::TTL_GRACE.as_secs()).unwrap_or(i64::MAX);
    seconds.saturating_add(grace)
}

fn scope_attributes(scope: Scope) -> (&'static str, Option<RoomId>) {
    match scope {
        Scope::AllRooms => ("all_rooms", None),
        Scope::Room(room) => ("room", Some(room)),
        Scope::Notifications => ("notifications", None),
    }
}

fn parse_scope(kind: &str, room: Option<u64>) -> anyhow::Result<Scope> {
    match (kind, room) {
        ("all_rooms", _) => Ok(Scope::AllRooms),
        ("notifications", _) => Ok(Scope::Notifications),
        ("room", Some(room)) => Ok(Scope::Room(RoomId(room))),
        ("room", None) => bail!("a room scope without a room id"),
        (other, _) => bail!("unknown scope {other:?}"),
    }
}

impl ToAttributes for Connection {
    fn to_attributes(&self) -> Item {
        let (scope, scope_room) = scope_attributes(self.scope);
        let mut item = Item::from([
            (attr::CONNECTION_ID.into(), s(&self.id.0)),
            (attr::DIALECT.into(), s(self.dialect.as_str())),
            (attr::SCOPE.into(), s(scope)),
            (attr::CONNECTED_AT.into(), n(self.connected_at.millis())),
            (attr::EXPIRES_AT_MS.into(), n(self.expires_at.millis())),
            (attr::EXPIRES_AT.into(), n(ttl_seconds(self.expires_at))),
            (attr::DIALECT_STATE.into(), s(self.dialect_state.to_text())),
        ]);
        if let Some(user) = self.user_id {
            item.insert(attr::USER_ID.into(), n(user));
        }
        if let Some(room) = scope_room {
            item.insert(attr::SCOPE_ROOM_ID.into(), n(room));
        }
        item
    }
}

impl FromItem for Connection {
    fn from_item(item: &Item) -> anyhow::Result<Self> {
        let dialect = item.string(attr::DIALECT)?;
        Ok(Self {
            id: ConnectionId(item.string(attr::CONNECTION_ID)?.to_owned()),
            dialect: DialectKind::parse(dialect)
                .ok_or_else(|| anyhow!("unknown dialect {dialect:?}"))?,
            user_id: item.opt_number(attr::USER_ID)?.map(UserId),
            scope: parse_scope(
                item.string(attr::SCOPE)?,
                item.opt_number(attr::SCOPE_ROOM_ID)?,
            )?,
            connected_at: Timestamp(item.number(attr::CONNECTED_AT)?),
            expires_at: Timestamp(item.number(attr::EXPIRES_AT_MS)?),
            dialect_state: DialectState::from_text(item.string(attr::DIALECT_STATE)?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: ToAttributes + FromItem + PartialEq + std::fmt::Debug>(value: T) {
        let back = T::from_item(&value.to_attributes()).expect("reading back what was written");
        assert_eq!(back, value);
    }

    fn message(file: Option<FileAttachment>, client: Option<&str>) -> Message {
        Message {
            id: MessageId(9_007_199_254_740_991),
            room_id: RoomId(4),
            seq: 12,
            sender_id: UserId(3),
            sent_at: Timestamp(1_767_225_600_123),
            text: String::new(),
            file,
            client_message_id: client.map(str::to_owned),
        }
    }

    #[test]
    fn every_stored_type_round_trips() {
        round_trip(UserRecord {
            user: User {
                id: UserId(1),
                username: Username::from_trusted("ana".into()),
                display_name: "Ána 🦀".into(),
                created_at: Timestamp(-5),
            },
            password_hash: "$argon2id$x".into(),
        });
        let file = FileAttachment {
            file_id: "f-1".into(),
            name: "a «b».pdf".into(),
            content_type: "application/pdf".into(),
            size: 25 * 1024 * 1024,
        };
        round_trip(message(None, None));
        round_trip(message(Some(file.clone()), Some("#cid/x:y|")));
        for last_message in [None, Some(message(Some(file), None))] {
            round_trip(Room {
                id: RoomId(4),
                kind: RoomKind::Group,
                name: Some("crabs".into()),
                created_by: UserId(1),
                created_at: Timestamp(7),
                message_count: 12,
                last_message,
            });
        }
        round_trip(Room {
            id: RoomId(5),
            kind: RoomKind::Dm,
            name: None,
            created_by: UserId(2),
            created_at: Timestamp(8),
            message_count: 0,
            last_message: None,
        });
        for (last_read_id, typing_until) in [(None, None), (Some(MessageId(3)), Some(Timestamp(9)))]
        {
            round_trip(Membership {
                room_id: RoomId(4),
                user_id: UserId(2),
                joined_at: Timestamp(1),
                read_seq: 3,
                last_read_id,
                typing_until,
            });
        }
        for (user_id, scope) in [
            (None, Scope::AllRooms),
            (Some(UserId(2)), Scope::Room(RoomId(4))),
            (Some(UserId(2)), Scope::Notifications),
        ] {
            round_trip(Connection {
                id: ConnectionId("Kx3vQe9LmP0aBCd=".into()),
                dialect: DialectKind::Native,
                user_id,
                scope,
                connected_at: Timestamp(1_000),
                expires_at: Timestamp(7_201_001),
                dialect_state: DialectState::None,
            });
        }
    }

    #[test]
    fn the_ttl_rounds_up_to_whole_seconds_and_adds_the_grace() {
        let grace = i64::try_from(crate::table::TTL_GRACE.as_secs()).expect("a small grace");
        assert_eq!(ttl_seconds(Timestamp(7_200_000)), 7_200 + grace);
        assert_eq!(ttl_seconds(Timestamp(7_200_001)), 7_201 + grace);
        assert_eq!(ttl_seconds(Timestamp(-1)), grace);
    }

    #[test]
    fn malformed_items_name_the_attribute() {
        let mut item = message(None, None).to_attributes();
        item.insert(attr::SEQ.into(), s("twelve"));
        let error = Message::from_item(&item).expect_err("a string seq");
        assert!(format!("{error:#}").contains("\"seq\""), "{error:#}");
        item.remove(attr::SEQ);
        let error = Message::from_item(&item).expect_err("no seq");
        assert!(
            format!("{error:#}").contains("\"seq\" is missing"),
            "{error:#}"
        );
    }
}
