//! `DynamoStore`: the `Store` port on one DynamoDB table, each method mapped
//! onto the module that owns its items.

use crate::{connections, delivery, messages, rate_limits, rooms, users};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use banter_core::domain::{
    Connection, ConnectionId, Membership, Message, MessageId, NewMessage, Room, RoomId, Scope,
    Timestamp, User, UserId, UserRecord, Username,
};
use banter_core::ports::store::StoreResult;
use banter_core::ports::{AppendOutcome, Claim, HistoryQuery, Release, Store};

/// The environment variable naming the table (set from the template).
pub const TABLE_ENV: &str = "BANTER_TABLE";

/// The store on DynamoDB. Cloning shares the client's connection pool.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A store on the table named by `BANTER_TABLE`, with the SDK's default
    /// configuration (region and credentials from the Lambda environment;
    /// `AWS_ENDPOINT_URL_DYNAMODB` points it elsewhere, e.g. DynamoDB Local).
    pub async fn from_env() -> anyhow::Result<Self> {
        let table = std::env::var(TABLE_ENV)
            .with_context(|| format!("{TABLE_ENV} must name the DynamoDB table"))?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(Client::new(&config), table))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<User> {
        users::create_user(self, username, display_name, password_hash, now).await
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        users::user_by_id(self, id).await
    }

    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        users::user_by_username(self, username).await
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        users::users(self, ids).await
    }

    async fn find_or_create_dm(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        rooms::find_or_create_dm(self, a, b, now).await
    }

    async fn find_dm(&self, a: UserId, b: UserId) -> StoreResult<Option<Room>> {
        rooms::find_dm(self, a, b).await
    }

    async fn create_group(
        &self,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Room> {
        rooms::create_group(self, name, created_by, members, now).await
    }

    async fn find_or_create_keyed_group(
        &self,
        key: &str,
        name: &str,
        created_by: UserId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<(Room, bool)> {
        rooms::find_or_create_keyed_group(self, key, name, created_by, members, now).await
    }

    async fn room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        rooms::room(self, id).await
    }

    async fn rooms(&self, ids: &[RoomId]) -> StoreResult<Vec<Room>> {
        rooms::rooms(self, ids).await
    }

    async fn add_member(&self, room: RoomId, user: UserId, now: Timestamp) -> StoreResult<bool> {
        rooms::add_member(self, room, user, now).await
    }

    async fn remove_member(&self, room: RoomId, user: UserId) -> StoreResult<bool> {
        rooms::remove_member(self, room, user).await
    }

    async fn membership(&self, room: RoomId, user: UserId) -> StoreResult<Option<Membership>> {
        rooms::membership(self, room, user).await
    }

    async fn members(&self, room: RoomId) -> StoreResult<Vec<Membership>> {
        rooms::members(self, room).await
    }

    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>> {
        rooms::memberships_of(self, user).await
    }

    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome> {
        messages::append_message(self, message).await
    }

    async fn message(&self, room: RoomId, id: MessageId) -> StoreResult<Option<Message>> {
        messages::message(self, room, id).await
    }

    async fn history(&self, room: RoomId, query: HistoryQuery) -> StoreResult<Vec<Message>> {
        messages::history(self, room, query).await
    }

    async fn mark_read(
        &self,
        room: RoomId,
        user: UserId,
        message: &Message,
    ) -> StoreResult<Membership> {
        messages::mark_read(self, room, user, message).await
    }

    async fn set_typing(
        &self,
        room: RoomId,
        user: UserId,
        until: Option<Timestamp>,
    ) -> StoreResult<()> {
        rooms::set_typing(self, room, user, until).await
    }

    async fn claim_delivery(
        &self,
        room: RoomId,
        courier: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Claim> {
        delivery::claim(self, room, courier, now, until).await
    }

    async fn release_delivery(
        &self,
        room: RoomId,
        courier: &str,
        delivered: u64,
    ) -> StoreResult<Release> {
        delivery::release(self, room, courier, delivered).await
    }

    async fn count_request(
        &self,
        key: &str,
        window_start: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<u64> {
        rate_limits::count_request(self, key, window_start, expires_at).await
    }

    async fn put_connection(&self, connection: &Connection) -> StoreResult<usize> {
        connections::put_connection(self, connection).await
    }

    async fn bind_connection(
        &self,
        id: &ConnectionId,
        user: UserId,
        scope: Scope,
    ) -> StoreResult<usize> {
        connections::bind_connection(self, id, user, scope).await
    }

    async fn connection(&self, id: &ConnectionId) -> StoreResult<Option<Connection>> {
        connections::connection(self, id).await
    }

    async fn delete_connection(
        &self,
        id: &ConnectionId,
    ) -> StoreResult<Option<(Connection, usize)>> {
        connections::delete_connection(self, id).await
    }

    async fn connections_of(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> StoreResult<Vec<Connection>> {
        connections::connections_of(self, users, now).await
    }
}
