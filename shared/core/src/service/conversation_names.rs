//! The conversations API names conversations instead of numbering them: two usernames
//! joined by `_` (either order) are their DM; user ids joined by `_` are the
//! DM of two ids or the group of exactly three or more, created on first
//! use. Usernames never contain `_` (nor are all digits), so a name reads
//! one way only.

use super::Services;
use crate::domain::limits::MAX_GROUP_MEMBERS;
use crate::domain::{RoomId, Timestamp, UserId};
use crate::protocol::{ChatError, ChatResult, ErrorCode};

/// What a conversation name denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConversationName {
    /// Two usernames, as written.
    Usernames(String, String),
    /// Distinct user ids, ascending.
    UserIds(Vec<UserId>),
}

impl ConversationName {
    pub fn parse(name: &str) -> Result<Self, String> {
        let parts: Vec<&str> = name.split('_').collect();
        if parts.len() < 2 {
            return Err("a conversation name joins two or more users with '_'".into());
        }
        if parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let mut ids = parts
                .iter()
                .map(|p| UserId::parse_str(p).ok_or_else(|| format!("{p} is not a user id")))
                .collect::<Result<Vec<_>, _>>()?;
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < 2 {
                return Err("a conversation needs two different users".into());
            }
            if ids.len() > MAX_GROUP_MEMBERS {
                return Err(format!("a group has at most {MAX_GROUP_MEMBERS} members"));
            }
            return Ok(Self::UserIds(ids));
        }
        match parts.as_slice() {
            [a, b] => Ok(Self::Usernames((*a).to_owned(), (*b).to_owned())),
            _ => Err("a conversation of usernames names exactly two users".into()),
        }
    }
}

impl Services {
    /// The room a conversation name denotes, created on first use.
    /// The caller must be one of the users it names.
    pub async fn open_conversation(&self, me: UserId, name: &str) -> ChatResult<RoomId> {
        let parsed = ConversationName::parse(name).map_err(ChatError::invalid)?;
        let ids = match parsed {
            ConversationName::Usernames(a, b) => {
                let a = self.user_by_username(&a).await?;
                let b = self.user_by_username(&b).await?;
                vec![a.id, b.id]
            }
            ConversationName::UserIds(ids) => ids,
        };
        if !ids.contains(&me) {
            return Err(ChatError::new(
                ErrorCode::Forbidden,
                "you are not one of this conversation's users",
            ));
        }
        match ids.as_slice() {
            [a, b] => {
                let other = if *a == me { *b } else { *a };
                Ok(self.open_dm(me, other).await?.0.room.id)
            }
            _ => self.open_keyed_group(me, &ids).await,
        }
    }

    async fn open_keyed_group(&self, me: UserId, ids: &[UserId]) -> ChatResult<RoomId> {
        let found = self.store.users(ids).await?;
        if let Some(missing) = ids.iter().find(|id| !found.iter().any(|u| u.id == **id)) {
            return Err(ChatError::new(
                ErrorCode::NotFound,
                format!("user {missing} not found"),
            ));
        }
        let canonical = ids
            .iter()
            .map(UserId::to_string)
            .collect::<Vec<_>>()
            .join("_");
        let key = format!("members:{canonical}");
        let (room, created) = self
            .store
            .find_or_create_keyed_group(&key, &canonical, me, ids, Timestamp::now())
            .await?;
        if !created {
            // The name lists who it was created for; whoever left since
            // (or was removed) is out, like everywhere else.
            self.require_member(room.id, me).await?;
        }
        Ok(room.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_one_way_only() {
        assert_eq!(
            ConversationName::parse("yugan_test"),
            Ok(ConversationName::Usernames("yugan".into(), "test".into()))
        );
        assert_eq!(
            ConversationName::parse("3_1_2"),
            Ok(ConversationName::UserIds(vec![
                UserId(1),
                UserId(2),
                UserId(3)
            ]))
        );
        assert_eq!(
            ConversationName::parse("2_1"),
            Ok(ConversationName::UserIds(vec![UserId(1), UserId(2)]))
        );
        assert!(ConversationName::parse("alone").is_err());
        assert!(ConversationName::parse("1_1").is_err());
        assert!(ConversationName::parse("a_b_c").is_err());
        assert!(ConversationName::parse("0_1").is_err());
        assert!(ConversationName::parse("1__2").is_err());
    }
}
