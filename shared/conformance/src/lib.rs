//! The store conformance suite: one set of checks every [`Store`] adapter runs
//! unchanged (SQLite, DynamoDB Local, ...), so adapters agree on every
//! documented guarantee of the port.
//!
//! Each check is a `pub async fn(SharedStore)` that panics with a clear message
//! when the store under test breaks a guarantee. Checks use random usernames
//! and connection ids, so they also pass on a store other checks have used;
//! the stores they are given should still be fresh for speed and clarity.
//!
//! Run them from an adapter's integration tests in one of two ways:
//!
//! - [`store_conformance_tests!`](crate::store_conformance_tests) expands to
//!   one `#[tokio::test]` per check (so failures are reported one by one);
//!   the calling crate needs `tokio` (with `macros` and `rt-multi-thread`) as
//!   a dev-dependency.
//!
//!   ```ignore
//!   banter_conformance::store_conformance_tests!(async {
//!       SqliteStore::in_memory().expect("an in-memory SQLite store")
//!   });
//!   ```
//!
//! - [`run_all`] runs every check in turn, each on a fresh store, and panics
//!   at the end naming every check that failed.
//!
//! Checks take an [`Arc`] rather than a reference because several of them
//! race many spawned tasks against one store.
//!
//! Where the port's docs are silent, the suite settles it:
//! - a write that needs a missing item fails with `NotFound`: `"room"` for
//!   `add_member` and `append_message`, `"membership"` for `mark_read` and
//!   `set_typing`, `"connection"` for `bind_connection`; `remove_member` of
//!   a non-member (or unknown room) is `Ok(false)`;
//! - batch gets (`users`, `rooms`) return each known id once, even when asked
//!   twice, and take more than 100 ids (one DynamoDB batch page);
//! - live counts (`put_connection`, `bind_connection`, `delete_connection`)
//!   are taken against the store's own clock: the connections here expire by
//!   the real clock, long before or after the test runs;
//! - a `Duplicate` is exactly the original message, even if the retry's text
//!   differs, and concurrent retries of one client message id store one message.

mod connections;
mod delivery;
mod fixtures;
mod history;
mod members;
mod messages;
mod read_state;
mod rooms;
mod typing;
mod users;

pub use connections::*;
pub use delivery::*;
pub use history::*;
pub use members::*;
pub use messages::*;
pub use read_state::*;
pub use rooms::*;
pub use typing::*;
pub use users::*;

pub use fixtures::SharedStore;

use banter_core::ports::Store;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::future::IntoFuture;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// One named check of the suite.
#[derive(Clone, Copy)]
pub struct Check {
    /// `area::given_..._when_..._then_...`
    pub name: &'static str,
    pub run: fn(SharedStore) -> BoxFuture<'static, ()>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("name", &self.name).finish()
    }
}

/// Every check of the suite, in a stable order.
static CHECKS: &[Check] = crate::__store_conformance_checks!(@list ());

/// Every check of the suite, in a stable order.
pub fn checks() -> &'static [Check] {
    CHECKS
}

/// Awaits a store factory's output and shares it (used by the macro).
pub async fn shared<S: Store + 'static>(make: impl IntoFuture<Output = S>) -> SharedStore {
    Arc::new(make.await)
}

/// Runs every check, each on a fresh store from `make`, and panics at the end
/// listing the checks that failed (their own panic messages are printed as
/// they happen).
pub async fn run_all<S, Fut>(make: impl Fn() -> Fut)
where
    S: Store + 'static,
    Fut: IntoFuture<Output = S>,
{
    let mut failed = Vec::new();
    for check in checks() {
        let store = shared(make()).await;
        let outcome = AssertUnwindSafe((check.run)(store)).catch_unwind().await;
        if outcome.is_err() {
            failed.push(check.name);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} store conformance checks failed: {}",
        failed.len(),
        checks().len(),
        failed.join(", ")
    );
}

/// Expands to one `#[tokio::test]` per conformance check, grouped in a
/// `store_conformance` module by area (`store_conformance::users::...`).
///
/// The argument is an expression evaluated once per test, giving a future
/// (for example an `async` block) whose output is a fresh store.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr $(,)?) => {
        /// A fresh store for one conformance test.
        async fn __banter_store_conformance_make() -> $crate::SharedStore {
            $crate::shared($make).await
        }

        $crate::__store_conformance_checks!(@tests ());
    };
}

/// The one list of checks, handed to an expansion mode: `@tests` for
/// [`store_conformance_tests!`], `@list` for [`checks`].
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_checks {
    (@$mode:ident $args:tt) => {
        $crate::__store_conformance_expand! { @$mode $args
            users {
                given_new_usernames_when_creating_users_then_ids_are_positive_unique_and_increasing,
                given_a_taken_username_when_creating_a_user_then_conflict_and_the_original_is_kept,
                given_a_user_when_looking_it_up_by_id_or_username_then_the_record_comes_back,
                given_unknown_ids_or_usernames_when_looking_up_then_none,
                given_known_unknown_and_repeated_ids_when_batch_getting_users_then_each_known_user_once,
            }
            rooms {
                given_two_users_when_finding_or_creating_their_dm_both_ways_then_one_room_created_once,
                given_different_pairs_when_finding_or_creating_dms_then_different_rooms,
                given_a_dm_when_finding_it_either_way_then_it_is_found,
                given_no_dm_when_finding_one_then_none_even_if_a_group_has_both,
                given_many_tasks_when_racing_to_find_or_create_one_dm_then_exactly_one_room,
                given_members_when_creating_a_group_then_a_group_with_that_name_and_those_members,
                given_the_same_members_when_creating_two_groups_then_two_rooms,
                given_unknown_room_ids_when_getting_rooms_then_they_are_left_out,
                given_a_new_key_when_finding_or_creating_a_keyed_group_then_created_once_with_those_members,
                given_many_tasks_when_racing_to_find_or_create_one_keyed_group_then_exactly_one_room,
            }
            members {
                given_a_non_member_when_adding_then_true_and_read_state_starts_at_the_newest_message,
                given_a_member_when_adding_again_then_false_and_read_state_is_kept,
                given_an_unknown_room_when_adding_a_member_then_not_found_room,
                given_a_member_when_removing_then_true_and_gone_everywhere,
                given_a_non_member_when_removing_then_false,
                given_a_removed_member_when_added_back_then_read_state_starts_at_the_newest_message,
                given_a_user_in_several_rooms_when_listing_memberships_then_exactly_those_rooms,
            }
            messages {
                given_messages_when_appending_then_seq_counts_from_one_and_ids_increase,
                given_two_rooms_when_appending_alternately_then_ids_are_unique_across_rooms,
                given_a_message_when_appended_then_the_room_counters_and_last_message_follow,
                given_a_message_when_appended_then_only_the_senders_read_state_moves,
                given_a_file_and_unusual_text_when_appending_then_both_round_trip,
                given_a_repeated_client_message_id_when_appending_then_duplicate_and_nothing_stored,
                given_the_same_client_message_id_from_another_sender_or_room_then_new_messages,
                given_no_client_message_id_when_appending_twice_then_two_messages,
                given_an_unknown_room_when_appending_then_not_found_room,
                given_many_tasks_when_appending_to_one_room_then_seqs_are_dense_and_ids_follow_seq,
                given_many_tasks_when_retrying_one_client_message_id_then_exactly_one_is_stored,
                given_a_message_when_getting_it_by_room_and_id_then_only_its_room_finds_it,
            }
            history {
                given_an_empty_room_when_reading_history_then_every_query_is_empty,
                given_messages_when_reading_the_latest_then_newest_first_up_to_the_limit,
                given_a_cursor_when_reading_before_then_older_messages_newest_first,
                given_a_cursor_when_reading_after_then_newer_messages_oldest_first,
                given_250_messages_when_paging_backwards_then_every_message_once_in_order,
                given_250_messages_when_paging_forwards_then_every_message_once_in_order,
                given_two_interleaved_rooms_when_reading_history_then_only_that_rooms_messages,
                given_messages_in_two_rooms_when_reading_a_range_of_seqs_then_exactly_those_newest_first,
            }
            read_state {
                given_a_member_when_marking_read_then_read_state_moves_and_unread_follows,
                given_a_newer_read_when_marking_an_older_message_then_read_state_stays,
                given_a_read_message_when_marking_it_again_then_nothing_changes,
                given_many_tasks_when_marking_read_concurrently_then_the_newest_wins,
                given_a_non_member_when_marking_read_then_not_found_membership,
            }
            typing {
                given_a_member_when_setting_typing_then_the_deadline_is_stored_and_cleared,
                given_a_non_member_when_setting_typing_then_not_found_membership,
            }
            delivery {
                given_a_free_room_when_claiming_delivery_then_one_courier_holds_it_until_it_expires,
                given_messages_arriving_while_delivering_when_releasing_then_more_and_the_lease_is_free,
                given_many_couriers_racing_for_one_room_then_exactly_one_claims_it,
                given_requests_in_windows_when_counting_then_each_key_and_window_counts_alone,
                given_many_tasks_when_counting_one_window_then_no_request_is_lost,
            }
            connections {
                given_an_unauthenticated_connection_when_putting_then_zero_and_it_is_stored,
                given_a_user_when_putting_connections_then_the_live_count_grows_per_device,
                given_an_expired_connection_when_putting_another_then_only_live_ones_count,
                given_an_unauthenticated_connection_when_binding_then_user_and_scope_are_set,
                given_an_unknown_connection_when_binding_then_not_found_connection,
                given_connections_of_each_dialect_state_when_stored_then_read_back_unchanged,
                given_connections_when_deleting_then_each_once_with_the_remaining_count,
                given_an_unauthenticated_connection_when_deleting_then_zero_remaining,
                given_users_when_listing_connections_then_only_their_live_bound_connections,
                given_a_later_now_when_listing_connections_then_expired_ones_are_left_out,
            }
        }
    };
}

/// Expansion modes of [`__store_conformance_checks!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_expand {
    (@tests () $($area:ident { $($check:ident),* $(,)? })*) => {
        mod store_conformance {
            $(
                mod $area {
                    $(
                        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                        async fn $check() {
                            let store = super::super::__banter_store_conformance_make().await;
                            $crate::$check(store).await;
                        }
                    )*
                }
            )*
        }
    };
    (@list () $($area:ident { $($check:ident),* $(,)? })*) => {
        &[$($(
            $crate::Check {
                name: concat!(stringify!($area), "::", stringify!($check)),
                run: |store| ::std::boxed::Box::pin($crate::$check(store)),
            },
        )*)*]
    };
}
