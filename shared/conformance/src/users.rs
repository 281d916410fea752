//! Users: id allocation, unique usernames, lookups and batch gets.

use crate::fixtures::SharedStore;
use crate::fixtures::{
    Must, assert_safe_id, assert_strictly_increasing, ids, new_user, new_users, present,
    random_hex, some_time, sorted, username,
};
use banter_core::domain::UserId;
use banter_core::ports::StoreError;

pub async fn given_new_usernames_when_creating_users_then_ids_are_positive_unique_and_increasing(
    store: SharedStore,
) {
    let mut created = Vec::new();
    for index in 0..6 {
        let name = username(&format!("new{index}"));
        let display_name = format!("Näme {index} «{}»", random_hex(4));
        let hash = format!("$argon2id$v=19$m=19456,t=2,p=1${}", random_hex(30));
        let now = some_time();
        let user = store
            .create_user(&name, &display_name, &hash, now)
            .await
            .must("creating a user with a fresh username");
        assert_safe_id(user.id.0, "a new user's id");
        assert_eq!(user.username, name, "create_user must return the username");
        assert_eq!(
            user.display_name, display_name,
            "create_user must return the display name"
        );
        assert_eq!(
            user.created_at, now,
            "create_user must return the creation time"
        );
        created.push(user.id);
    }
    assert_strictly_increasing(&created, "user ids allocated one after another");
}

pub async fn given_a_taken_username_when_creating_a_user_then_conflict_and_the_original_is_kept(
    store: SharedStore,
) {
    let original = new_user(&*store, "taken").await;
    let outcome = store
        .create_user(&original.username, "Impostor", "other-hash", some_time())
        .await;
    assert!(
        matches!(outcome, Err(StoreError::Conflict("username"))),
        "creating a user with a taken username must fail with Conflict(\"username\"), got {outcome:?}"
    );

    let kept = present(
        store
            .user_by_username(&original.username)
            .await
            .must("looking up the taken username"),
        "the original user after a conflicting create",
    );
    assert_eq!(
        kept.user, original,
        "a conflicting create must not change the original user"
    );

    let next = new_user(&*store, "after").await;
    assert!(
        next.id > original.id,
        "a later user must still get a larger id ({} after {})",
        next.id,
        original.id
    );
}

pub async fn given_a_user_when_looking_it_up_by_id_or_username_then_the_record_comes_back(
    store: SharedStore,
) {
    let name = username("lookup");
    let hash = format!("$argon2id$v=19$m=19456,t=2,p=1${}", random_hex(40));
    let user = store
        .create_user(&name, "Look Up", &hash, some_time())
        .await
        .must("creating a user");
    let _other = new_user(&*store, "other").await;

    let by_id = present(
        store.user_by_id(user.id).await.must("user_by_id"),
        "user_by_id of a created user",
    );
    assert_eq!(by_id.user, user, "user_by_id must return the created user");
    assert_eq!(
        by_id.password_hash, hash,
        "user_by_id must return the password hash as stored"
    );

    let by_name = present(
        store.user_by_username(&name).await.must("user_by_username"),
        "user_by_username of a created user",
    );
    assert_eq!(by_name, by_id, "user_by_username and user_by_id must agree");
}

pub async fn given_unknown_ids_or_usernames_when_looking_up_then_none(store: SharedStore) {
    let user = new_user(&*store, "known").await;
    let unknown_id = UserId(user.id.0 + 1_000_000);
    let found = store.user_by_id(unknown_id).await.must("user_by_id");
    assert_eq!(found, None, "user_by_id of an unknown id must be None");

    let found = store
        .user_by_username(&username("nobody"))
        .await
        .must("user_by_username");
    assert_eq!(
        found, None,
        "user_by_username of an unknown name must be None"
    );

    let users = store.users(&[]).await.must("users of no ids");
    assert!(users.is_empty(), "users(&[]) must be empty, got {users:?}");
}

pub async fn given_known_unknown_and_repeated_ids_when_batch_getting_users_then_each_known_user_once(
    store: SharedStore,
) {
    // More ids than one DynamoDB BatchGetItem page (100 keys) holds.
    let known = new_users(&*store, 30).await;
    let highest = known.iter().map(|user| user.id.0).max().unwrap_or(0);
    let mut asked: Vec<UserId> = Vec::new();
    for (index, user) in known.iter().enumerate() {
        asked.push(user.id);
        asked.push(UserId(highest + 1_000_000 + index as u64 * 7));
        asked.push(UserId(highest + 2_000_000 + index as u64 * 11));
        asked.push(UserId(highest + 3_000_000 + index as u64 * 13));
    }
    asked.push(known[0].id);
    asked.push(known[7].id);
    asked.reverse();

    let got = store.users(&asked).await.must("batch getting users");
    let got_ids: Vec<UserId> = got.iter().map(|user| user.id).collect();
    assert_eq!(
        sorted(&got_ids),
        sorted(&ids(&known)),
        "users() must return every known id exactly once and leave unknown ids out"
    );
    for user in &known {
        assert!(
            got.contains(user),
            "users() must return {user:?} as created, got {got:?}"
        );
    }
}
