//! DMs and groups: create or find, membership changes, listing, details.

use super::Services;
use crate::domain::event::RoomRef;
use crate::domain::limits::{MAX_GROUP_MEMBERS, MAX_ROOM_NAME_CHARS};
use crate::domain::{
    Event, Membership, Room, RoomId, RoomKind, RoomSummary, Timestamp, User, UserId,
};
use crate::protocol::{ChatError, ChatResult, ErrorCode};
use futures::{StreamExt, TryStreamExt};

/// Rooms listed concurrently when building a room list.
const LIST_CONCURRENCY: usize = 16;

/// A room with everything a member's room view shows.
#[derive(Clone, Debug)]
pub struct RoomDetails {
    pub summary: RoomSummary,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug)]
pub struct MemberView {
    pub user: User,
    pub online: bool,
    pub typing: bool,
    pub read_seq: u64,
}

impl Services {
    /// The DM between `me` and `other`, created on first use.
    /// Returns the room as `me` sees it and whether it was created now.
    pub async fn open_dm(&self, me: UserId, other: UserId) -> ChatResult<(RoomSummary, bool)> {
        if me == other {
            return Err(ChatError::invalid("a DM needs another user"));
        }
        self.user(other).await?;
        let (room, created) = self
            .store
            .find_or_create_dm(me, other, Timestamp::now())
            .await?;
        if created {
            let room_ref = RoomRef {
                id: room.id,
                kind: room.kind,
                name: None,
                member_ids: vec![me, other],
            };
            let event = Event::MemberAdded {
                room: room_ref,
                user_ids: vec![me, other],
                added_by: me,
            };
            self.deliver(&[me, other], &event).await;
        }
        Ok((self.summary(&room, me).await?, created))
    }

    pub async fn create_group(
        &self,
        me: UserId,
        name: &str,
        member_ids: &[UserId],
    ) -> ChatResult<RoomSummary> {
        let name = valid_room_name(name)?;
        let mut members: Vec<UserId> = member_ids.to_vec();
        members.push(me);
        members.sort_unstable();
        members.dedup();
        if members.len() > MAX_GROUP_MEMBERS {
            return Err(ChatError::invalid(format!(
                "a group has at most {MAX_GROUP_MEMBERS} members"
            )));
        }
        self.require_users_exist(&members).await?;
        let room = self
            .store
            .create_group(&name, me, &members, Timestamp::now())
            .await?;
        let room_ref = room_ref(&room, members.clone());
        let event = Event::MemberAdded {
            room: room_ref,
            user_ids: members.clone(),
            added_by: me,
        };
        self.deliver(&members, &event).await;
        self.summary(&room, me).await
    }

    pub async fn add_member(
        &self,
        me: UserId,
        room_id: RoomId,
        user: UserId,
    ) -> ChatResult<RoomSummary> {
        self.require_member(room_id, me).await?;
        let room = self.group(room_id).await?;
        self.user(user).await?;
        let members = self.store.members(room_id).await?;
        if members.iter().any(|m| m.user_id == user) {
            return self.summary(&room, me).await;
        }
        if members.len() >= MAX_GROUP_MEMBERS {
            return Err(ChatError::new(
                ErrorCode::Conflict,
                format!("a group has at most {MAX_GROUP_MEMBERS} members"),
            ));
        }
        self.store
            .add_member(room_id, user, Timestamp::now())
            .await?;
        let mut member_ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
        member_ids.push(user);
        let event = Event::MemberAdded {
            room: room_ref(&room, member_ids.clone()),
            user_ids: vec![user],
            added_by: me,
        };
        self.deliver(&member_ids, &event).await;
        self.summary(&room, me).await
    }

    /// Leaving is always allowed; removing someone else only for the creator.
    pub async fn remove_member(&self, me: UserId, room_id: RoomId, user: UserId) -> ChatResult<()> {
        self.require_member(room_id, me).await?;
        let room = self.group(room_id).await?;
        if user != me && room.created_by != me {
            return Err(ChatError::new(
                ErrorCode::Forbidden,
                "only the group's creator can remove other members",
            ));
        }
        let members = self.store.members(room_id).await?;
        if !self.store.remove_member(room_id, user).await? {
            return Err(ChatError::not_found("member"));
        }
        // The removed user hears it too, so their clients can drop the room.
        let audience: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
        let event = Event::MemberRemoved {
            room_id,
            user_id: user,
            removed_by: me,
        };
        self.deliver(&audience, &event).await;
        Ok(())
    }

    /// Every room of `me`, each with its last message and my unread count,
    /// the most recently active first.
    pub async fn list_rooms(&self, me: UserId) -> ChatResult<Vec<RoomSummary>> {
        let memberships = self.store.memberships_of(me).await?;
        let ids: Vec<RoomId> = memberships.iter().map(|m| m.room_id).collect();
        let rooms = self.store.rooms(&ids).await?;
        let mut summaries: Vec<RoomSummary> =
            futures::stream::iter(rooms.into_iter().filter_map(|room| {
                let membership = memberships.iter().find(|m| m.room_id == room.id)?.clone();
                Some((room, membership))
            }))
            .map(|(room, membership)| async move {
                let member_ids = self.member_ids(room.id).await?;
                Ok::<_, ChatError>(RoomSummary {
                    room,
                    membership,
                    member_ids,
                })
            })
            .buffer_unordered(LIST_CONCURRENCY)
            .try_collect()
            .await?;
        summaries.sort_by_key(|s| {
            let active = s
                .room
                .last_message
                .as_ref()
                .map_or(s.room.created_at, |m| m.sent_at);
            (std::cmp::Reverse(active), s.room.id)
        });
        Ok(summaries)
    }

    /// A room with its members, who of them is online and who is typing.
    pub async fn room_details(&self, me: UserId, room_id: RoomId) -> ChatResult<RoomDetails> {
        let membership = self.require_member(room_id, me).await?;
        let room = self.room_record(room_id).await?;
        let members = self.store.members(room_id).await?;
        let ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
        let users = self.store.users(&ids).await?;
        let online = self.online_among(&ids).await?;
        let now = Timestamp::now();
        let members = members
            .iter()
            .filter_map(|m| {
                let user = users.iter().find(|u| u.id == m.user_id)?.clone();
                Some(MemberView {
                    online: online.contains(&m.user_id),
                    typing: m.is_typing(now),
                    read_seq: m.read_seq,
                    user,
                })
            })
            .collect();
        Ok(RoomDetails {
            summary: RoomSummary {
                room,
                membership,
                member_ids: ids,
            },
            members,
        })
    }

    pub(crate) async fn member_ids(&self, room: RoomId) -> ChatResult<Vec<UserId>> {
        Ok(self
            .store
            .members(room)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect())
    }

    async fn summary(&self, room: &Room, me: UserId) -> ChatResult<RoomSummary> {
        let members: Vec<Membership> = self.store.members(room.id).await?;
        let membership = members
            .iter()
            .find(|m| m.user_id == me)
            .cloned()
            .ok_or_else(ChatError::not_a_member)?;
        Ok(RoomSummary {
            room: room.clone(),
            membership,
            member_ids: members.iter().map(|m| m.user_id).collect(),
        })
    }

    async fn group(&self, room_id: RoomId) -> ChatResult<Room> {
        let room = self.room_record(room_id).await?;
        if room.kind != RoomKind::Group {
            return Err(ChatError::new(
                ErrorCode::Conflict,
                "a DM's members cannot change",
            ));
        }
        Ok(room)
    }

    async fn require_users_exist(&self, ids: &[UserId]) -> ChatResult<()> {
        let found = self.store.users(ids).await?;
        match ids.iter().find(|id| !found.iter().any(|u| u.id == **id)) {
            Some(missing) => Err(ChatError::new(
                ErrorCode::NotFound,
                format!("user {missing} not found"),
            )),
            None => Ok(()),
        }
    }
}

pub(crate) fn room_ref(room: &Room, member_ids: Vec<UserId>) -> RoomRef {
    RoomRef {
        id: room.id,
        kind: room.kind,
        name: room.name.clone(),
        member_ids,
    }
}

fn valid_room_name(name: &str) -> ChatResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_ROOM_NAME_CHARS {
        return Err(ChatError::invalid(format!(
            "name must be 1 to {MAX_ROOM_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ChatError::invalid(
            "name must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}
