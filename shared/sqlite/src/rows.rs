//! Row mapping: the column lists each query selects and the functions that
//! turn such a row into a domain value. The only place that knows how a
//! domain value is laid out in SQLite.

use banter_core::domain::connection::{DialectKind, DialectState};
use banter_core::domain::{
    Connection, ConnectionId, FileAttachment, Membership, Message, MessageId, Room, RoomId,
    RoomKind, Scope, Timestamp, User, UserId, UserRecord, Username,
};
use rusqlite::Row;
use rusqlite::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) const USER_COLUMNS: &str = "id, username, display_name, password_hash, created_at";

pub(crate) fn user_record(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        user: User {
            id: UserId(row.get(0)?),
            username: Username::from_trusted(row.get(1)?),
            display_name: row.get(2)?,
            created_at: Timestamp(row.get(4)?),
        },
        password_hash: row.get(3)?,
    })
}

pub(crate) const ROOM_COLUMNS: &str =
    "id, kind, name, created_by, created_at, message_count, last_message";

pub(crate) fn room(row: &Row<'_>) -> rusqlite::Result<Room> {
    let kind: String = row.get(1)?;
    Ok(Room {
        id: RoomId(row.get(0)?),
        kind: room_kind_from(&kind).ok_or_else(|| bad_text(1, "room kind", &kind))?,
        name: row.get(2)?,
        created_by: UserId(row.get(3)?),
        created_at: Timestamp(row.get(4)?),
        message_count: row.get(5)?,
        last_message: json_column::<Option<Message>>(row, 6)?,
    })
}

pub(crate) fn room_kind_text(kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Dm => "dm",
        RoomKind::Group => "group",
    }
}

fn room_kind_from(text: &str) -> Option<RoomKind> {
    match text {
        "dm" => Some(RoomKind::Dm),
        "group" => Some(RoomKind::Group),
        _ => None,
    }
}

pub(crate) const MEMBERSHIP_COLUMNS: &str =
    "room_id, user_id, joined_at, read_seq, last_read_id, typing_until";

pub(crate) fn membership(row: &Row<'_>) -> rusqlite::Result<Membership> {
    Ok(Membership {
        room_id: RoomId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        joined_at: Timestamp(row.get(2)?),
        read_seq: row.get(3)?,
        last_read_id: row.get::<_, Option<u64>>(4)?.map(MessageId),
        typing_until: row.get::<_, Option<i64>>(5)?.map(Timestamp),
    })
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "id, room_id, seq, sender_id, sent_at, text, file, client_message_id";

pub(crate) fn message(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: MessageId(row.get(0)?),
        room_id: RoomId(row.get(1)?),
        seq: row.get(2)?,
        sender_id: UserId(row.get(3)?),
        sent_at: Timestamp(row.get(4)?),
        text: row.get(5)?,
        file: json_column::<Option<FileAttachment>>(row, 6)?,
        client_message_id: row.get(7)?,
    })
}

pub(crate) const CONNECTION_COLUMNS: &str =
    "id, dialect, user_id, scope, scope_room_id, connected_at, expires_at, dialect_state";

pub(crate) fn connection(row: &Row<'_>) -> rusqlite::Result<Connection> {
    let dialect: String = row.get(1)?;
    let scope: String = row.get(3)?;
    let scope_room: Option<u64> = row.get(4)?;
    Ok(Connection {
        id: ConnectionId(row.get(0)?),
        dialect: DialectKind::parse(&dialect).ok_or_else(|| bad_text(1, "dialect", &dialect))?,
        user_id: row.get::<_, Option<u64>>(2)?.map(UserId),
        scope: scope_from(&scope, scope_room).ok_or_else(|| bad_text(3, "scope", &scope))?,
        connected_at: Timestamp(row.get(5)?),
        expires_at: Timestamp(row.get(6)?),
        dialect_state: {
            let text: String = row.get(7)?;
            DialectState::from_text(&text)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, Type::Text, e.into()))?
        },
    })
}

/// A scope as its two columns: kind and, for `Room`, the room id.
pub(crate) fn scope_columns(scope: Scope) -> (&'static str, Option<u64>) {
    match scope {
        Scope::AllRooms => ("all_rooms", None),
        Scope::Room(room) => ("room", Some(room.0)),
        Scope::Notifications => ("notifications", None),
    }
}

fn scope_from(kind: &str, room: Option<u64>) -> Option<Scope> {
    match (kind, room) {
        ("all_rooms", _) => Some(Scope::AllRooms),
        ("room", Some(room)) => Some(Scope::Room(RoomId(room))),
        ("notifications", _) => Some(Scope::Notifications),
        _ => None,
    }
}

/// A value stored as JSON text (`NULL` for `None`).
pub(crate) fn to_json<T: Serialize>(value: &Option<T>) -> serde_json::Result<Option<String>> {
    value.as_ref().map(serde_json::to_string).transpose()
}

fn json_column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: Option<String> = row.get(index)?;
    let text = text.as_deref().unwrap_or("null");
    serde_json::from_str(text)
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, error.into()))
}

fn bad_text(index: usize, what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        Type::Text,
        format!("unknown {what} {text:?}").into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_survives_its_columns() {
        for scope in [
            Scope::AllRooms,
            Scope::Room(RoomId(42)),
            Scope::Notifications,
        ] {
            let (kind, room) = scope_columns(scope);
            assert_eq!(scope_from(kind, room), Some(scope));
        }
        assert_eq!(
            scope_from("room", None),
            None,
            "a room scope needs its room"
        );
        assert_eq!(scope_from("everything", None), None);
    }

    #[test]
    fn every_room_kind_survives_its_text() {
        for kind in [RoomKind::Dm, RoomKind::Group] {
            assert_eq!(room_kind_from(room_kind_text(kind)), Some(kind));
        }
        assert_eq!(room_kind_from("channel"), None);
    }
}
