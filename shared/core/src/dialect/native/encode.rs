//! Replies and events → native frames.

use super::wire::{WireMessage, WireRoom, WireSyncRoom, WireUser};
use crate::domain::{Event, UserId};
use crate::protocol::Reply;
use serde_json::{Value, json};

pub fn encode_reply(request_id: Option<&str>, reply: &Reply) -> Option<String> {
    let body = match reply {
        Reply::Sent(sent) => json!({
            "type": "sent",
            "message": WireMessage::from(&sent.message),
            "duplicate": sent.duplicate,
        }),
        // Acknowledged only when the client asked to correlate.
        Reply::Done => {
            request_id?;
            json!({ "type": "ok" })
        }
        Reply::Read(state) => {
            request_id?;
            json!({
                "type": "read",
                "room_id": state.room_id,
                "unread_count": state.unread_count,
                "last_read_id": state.last_read_id,
            })
        }
        Reply::History { room_id, page } => json!({
            "type": "history",
            "room_id": room_id,
            "messages": page.messages.iter().map(WireMessage::from).collect::<Vec<_>>(),
            "has_more": page.has_more,
        }),
        Reply::Rooms(rooms) => json!({
            "type": "rooms",
            "rooms": rooms.iter().map(WireRoom::from).collect::<Vec<_>>(),
        }),
        Reply::Sync(page) => json!({
            "type": "sync",
            "rooms": page.rooms.iter().map(WireSyncRoom::from).collect::<Vec<_>>(),
            "has_more": page.has_more,
        }),
        Reply::Pong => json!({ "type": "pong" }),
        // Native sockets authenticate on the URL and are not greeted.
        Reply::Authenticated { .. } | Reply::UnreadTotal(_) | Reply::Welcome { .. } => return None,
        Reply::Error {
            code,
            message,
            retry_after_ms,
        } => {
            let mut body = json!({
                "type": "error",
                "code": code,
                "message": message,
            });
            if let Some(retry_after_ms) = retry_after_ms {
                body["retry_after_ms"] = json!(retry_after_ms);
            }
            body
        }
    };
    Some(with_request_id(body, request_id).to_string())
}

pub fn encode_event(recipient: UserId, event: &Event) -> Option<String> {
    let body = match event {
        Event::MessageCreated {
            message,
            sender,
            unread_counts,
            ..
        } => json!({
            "type": "message",
            "message": WireMessage::from(message),
            "sender": WireUser::from(sender),
            "unread_count": unread_counts
                .iter()
                .find(|(user, _)| *user == recipient)
                .map_or(0, |(_, n)| *n),
        }),
        Event::Typing {
            room_id,
            user,
            typing,
            expires_at,
            ..
        } => json!({
            "type": "typing",
            "room_id": room_id,
            "user": WireUser::from(user),
            "typing": typing,
            "expires_at": expires_at.map(|t| t.millis()),
        }),
        Event::Presence { user, online, .. } => json!({
            "type": "presence",
            "user": WireUser::from(user),
            "online": online,
        }),
        Event::ReadState {
            room_id,
            unread_count,
            last_read_id,
        } => json!({
            "type": "read",
            "room_id": room_id,
            "unread_count": unread_count,
            "last_read_id": last_read_id,
        }),
        Event::MemberAdded {
            room,
            user_ids,
            added_by,
        } => json!({
            "type": "member_added",
            "room": {
                "id": room.id,
                "kind": room.kind,
                "name": room.name,
                "member_ids": room.member_ids,
            },
            "user_ids": user_ids,
            "added_by": added_by,
        }),
        Event::MemberRemoved {
            room_id,
            user_id,
            removed_by,
        } => json!({
            "type": "member_removed",
            "room_id": room_id,
            "user_id": user_id,
            "removed_by": removed_by,
        }),
    };
    Some(body.to_string())
}

fn with_request_id(mut body: Value, request_id: Option<&str>) -> Value {
    if let (Some(id), Some(object)) = (request_id, body.as_object_mut()) {
        object.insert("request_id".to_owned(), Value::String(id.to_owned()));
    }
    body
}
