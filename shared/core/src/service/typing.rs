//! Typing: ephemeral, never history. A start holds for `typing_ttl` unless
//! refreshed; a stop, a sent message or the deadline ends it.

use super::Services;
use crate::domain::{Event, RoomId, Timestamp, UserId};
use crate::protocol::ChatResult;

impl Services {
    /// A client's typing update: rate limited per user.
    pub async fn set_typing(&self, me: UserId, room_id: RoomId, typing: bool) -> ChatResult<()> {
        self.check_rate(
            "typing",
            &format!("user#{me}"),
            self.config.rate_limits.typing_per_user,
        )
        .await?;
        self.apply_typing(me, room_id, typing).await
    }

    /// Stores and announces a typing change (also when a send ends typing).
    pub(crate) async fn apply_typing(
        &self,
        me: UserId,
        room_id: RoomId,
        typing: bool,
    ) -> ChatResult<()> {
        self.require_member(room_id, me).await?;
        let room_kind = self.room_record(room_id).await?.kind;
        let expires_at = typing.then(|| Timestamp::now().plus(self.config.typing_ttl));
        self.store.set_typing(room_id, me, expires_at).await?;
        let user = self.user(me).await?;
        let others: Vec<UserId> = self
            .member_ids(room_id)
            .await?
            .into_iter()
            .filter(|id| *id != me)
            .collect();
        let event = Event::Typing {
            room_id,
            room_kind,
            user,
            typing,
            expires_at,
        };
        self.deliver(&others, &event).await;
        Ok(())
    }
}
