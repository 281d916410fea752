//! Sending, history and read state. Persist first, then push: a message is
//! stored before any fan-out, so a failed push never loses it.

use super::Services;
use crate::domain::limits::{MAX_CLIENT_MESSAGE_ID, MAX_PAGE, MAX_TEXT_CHARS};
use crate::domain::{ConnectionId, Event, MessageId, NewMessage, RoomId, Timestamp, UserId};
use crate::ports::{AppendOutcome, HistoryQuery};
use crate::protocol::{ChatError, ChatResult, ErrorCode};
use crate::protocol::{Draft, HistoryPage, MemberState, ReadState, Sent};

impl Services {
    pub async fn send(&self, me: UserId, room_id: RoomId, draft: Draft) -> ChatResult<Sent> {
        self.send_from(me, room_id, draft, None).await
    }

    /// `send`, from a WebSocket connection: fan-out tells the dialects which
    /// connection sent it (some acknowledge it instead of echoing).
    pub async fn send_from(
        &self,
        me: UserId,
        room_id: RoomId,
        draft: Draft,
        origin: Option<&ConnectionId>,
    ) -> ChatResult<Sent> {
        validate_draft(&draft)?;
        self.check_rate(
            "send",
            &format!("user#{me}"),
            self.config.rate_limits.send_per_user,
        )
        .await?;
        let membership = self.require_member(room_id, me).await?;
        let file = match &draft.file_id {
            Some(file_id) => Some(self.attachment(room_id, file_id).await?),
            None => None,
        };
        let outcome = self
            .store
            .append_message(NewMessage {
                room_id,
                sender_id: me,
                text: draft.text,
                file,
                client_message_id: draft.client_message_id,
                sent_at: Timestamp::now(),
            })
            .await?;
        let message = match outcome {
            AppendOutcome::Duplicate(message) => {
                return Ok(Sent {
                    message,
                    duplicate: true,
                });
            }
            AppendOutcome::Created(message) => message,
        };
        if membership.typing_until.is_some() {
            // Sending ends typing; clear it before the message lands on screens.
            self.apply_typing(me, room_id, false).await?;
        }
        self.deliver_in_order(&message, origin.cloned()).await?;
        Ok(Sent {
            message,
            duplicate: false,
        })
    }

    pub async fn history(
        &self,
        me: UserId,
        room_id: RoomId,
        query: HistoryQuery,
    ) -> ChatResult<HistoryPage> {
        self.require_member(room_id, me).await?;
        self.read_page(room_id, query).await
    }

    /// One page of a room's history, for a caller already known a member.
    pub(crate) async fn read_page(
        &self,
        room_id: RoomId,
        query: HistoryQuery,
    ) -> ChatResult<HistoryPage> {
        let limit = query.limit();
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ChatError::invalid(format!("limit must be 1 to {MAX_PAGE}")));
        }
        let (mut messages, has_more) = match query {
            HistoryQuery::Seqs { first, .. } => {
                (self.store.history(room_id, query).await?, first > 1)
            }
            _ => {
                // Ask for one more than the page to learn whether more exist.
                let probe = query.with_limit(limit + 1);
                let mut messages = self.store.history(room_id, probe).await?;
                let has_more = messages.len() > limit;
                messages.truncate(limit);
                (messages, has_more)
            }
        };
        let backwards = query.backwards();
        if backwards {
            messages.reverse();
        }
        let members = self.member_states(room_id).await?;
        Ok(HistoryPage {
            members,
            messages,
            has_more,
            backwards,
        })
    }

    /// Marks the room read up to `up_to` (default: its newest message) and
    /// tells all of the reader's devices.
    pub async fn mark_read(
        &self,
        me: UserId,
        room_id: RoomId,
        up_to: Option<MessageId>,
    ) -> ChatResult<ReadState> {
        let membership = self.require_member(room_id, me).await?;
        let room = self.room_record(room_id).await?;
        let target = match up_to {
            Some(id) => Some(
                self.store
                    .message(room_id, id)
                    .await?
                    .ok_or_else(|| ChatError::not_found("message"))?,
            ),
            None => room.last_message.clone(),
        };
        let membership = match target {
            Some(message) => self.store.mark_read(room_id, me, &message).await?,
            None => membership,
        };
        let state = ReadState {
            room_id,
            unread_count: room.message_count.saturating_sub(membership.read_seq),
            last_read_id: membership.last_read_id,
        };
        let event = Event::ReadState {
            room_id,
            unread_count: state.unread_count,
            last_read_id: state.last_read_id,
        };
        self.deliver(&[me], &event).await;
        Ok(state)
    }

    /// The room's members with their profiles and read state.
    pub async fn member_states(&self, room_id: RoomId) -> ChatResult<Vec<MemberState>> {
        let memberships = self.store.members(room_id).await?;
        let ids: Vec<UserId> = memberships.iter().map(|m| m.user_id).collect();
        let users = self.store.users(&ids).await?;
        Ok(memberships
            .iter()
            .filter_map(|m| {
                let user = users.iter().find(|u| u.id == m.user_id)?.clone();
                Some(MemberState {
                    user,
                    read_seq: m.read_seq,
                })
            })
            .collect())
    }

    /// Marks every room of `me` read, one room at a time.
    pub async fn mark_all_read(&self, me: UserId) -> ChatResult<()> {
        for membership in self.store.memberships_of(me).await? {
            self.mark_read(me, membership.room_id, None).await?;
        }
        Ok(())
    }

    /// Unread messages over every room of `me`.
    pub async fn total_unread(&self, me: UserId) -> ChatResult<u64> {
        let memberships = self.store.memberships_of(me).await?;
        let ids: Vec<RoomId> = memberships.iter().map(|m| m.room_id).collect();
        let rooms = self.store.rooms(&ids).await?;
        Ok(rooms
            .iter()
            .filter_map(|room| {
                let m = memberships.iter().find(|m| m.room_id == room.id)?;
                Some(room.message_count.saturating_sub(m.read_seq))
            })
            .sum())
    }
}

fn validate_draft(draft: &Draft) -> ChatResult<()> {
    let chars = draft.text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ChatError::new(
            ErrorCode::TextTooLong,
            format!("text is {chars} characters; the limit is {MAX_TEXT_CHARS}"),
        ));
    }
    if draft.text.trim().is_empty() && draft.file_id.is_none() {
        return Err(ChatError::invalid("a message needs text or a file"));
    }
    if let Some(id) = &draft.client_message_id
        && (id.is_empty() || id.len() > MAX_CLIENT_MESSAGE_ID)
    {
        return Err(ChatError::invalid(format!(
            "client_message_id must be 1 to {MAX_CLIENT_MESSAGE_ID} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Message;

    fn page(ids: &[u64], backwards: bool) -> HistoryPage {
        let messages = ids
            .iter()
            .map(|id| Message {
                id: MessageId(*id),
                room_id: RoomId(1),
                seq: *id,
                sender_id: UserId(1),
                sent_at: Timestamp(0),
                text: String::new(),
                file: None,
                client_message_id: None,
            })
            .collect();
        HistoryPage {
            messages,
            members: Vec::new(),
            has_more: false,
            backwards,
        }
    }

    fn ids(page: &HistoryPage) -> Vec<u64> {
        page.messages.iter().map(|m| m.id.0).collect()
    }

    #[test]
    fn halving_keeps_the_half_next_to_the_cursor() {
        let mut older = page(&[1, 2, 3, 4, 5], true);
        assert!(older.halve());
        assert_eq!(ids(&older), vec![3, 4, 5], "paging back: keep the newest");
        assert!(older.has_more);

        let mut newer = page(&[1, 2, 3, 4, 5], false);
        assert!(newer.halve());
        assert_eq!(
            ids(&newer),
            vec![1, 2, 3],
            "paging forward: keep the oldest"
        );

        let mut single = page(&[9], true);
        assert!(!single.halve());
    }

    #[test]
    fn drafts_over_the_limits_are_refused_with_their_own_code() {
        let long = Draft {
            text: "x".repeat(MAX_TEXT_CHARS + 1),
            ..Draft::default()
        };
        assert!(matches!(
            validate_draft(&long),
            Err(ChatError::Rejected {
                code: ErrorCode::TextTooLong,
                ..
            })
        ));
        let blank = Draft {
            text: "  ".into(),
            ..Draft::default()
        };
        assert!(validate_draft(&blank).is_err());
        let key = Draft {
            text: "hi".into(),
            client_message_id: Some("k".repeat(65)),
            ..Draft::default()
        };
        assert!(validate_draft(&key).is_err());
        assert!(
            validate_draft(&Draft {
                text: "hi".into(),
                ..Draft::default()
            })
            .is_ok()
        );
    }
}
