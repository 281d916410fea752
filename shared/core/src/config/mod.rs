//! Settings every deployment chooses. Names of tables, buckets and endpoints
//! belong to the adapters' own configuration, never here.

pub mod rate_limits;

use rate_limits::RateLimits;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub jwt: JwtConfig,
    /// How long a typing start holds without a refresh.
    pub typing_ttl: Duration,
    /// How long the store keeps a connection: past API Gateway's 2 h maximum.
    pub connection_ttl: Duration,
    pub upload_url_ttl: Duration,
    pub download_url_ttl: Duration,
    /// Pushes in flight at once during one fan-out.
    pub fanout_concurrency: usize,
    pub rate_limits: RateLimits,
    /// Password hashes (argon2id, 19 MiB each) running at once, and how
    /// many more may wait before `SERVER_BUSY`.
    pub hash_slots: usize,
    pub hash_queue: usize,
}

#[derive(Clone, Debug)]
pub struct JwtConfig {
    /// HS256 shared secret.
    pub secret: Vec<u8>,
    pub issuer: String,
    pub audience: String,
    /// Lifetime of an access token.
    pub ttl: Duration,
    /// Lifetime of a pair-chat conversation token.
    pub conversation_ttl: Duration,
}

impl Config {
    /// Production defaults around a given secret.
    pub fn with_secret(secret: Vec<u8>) -> Self {
        Self {
            jwt: JwtConfig {
                secret,
                issuer: "banter".to_owned(),
                audience: "banter-clients".to_owned(),
                ttl: Duration::from_secs(24 * 3600),
                conversation_ttl: Duration::from_secs(3600),
            },
            typing_ttl: Duration::from_secs(5),
            connection_ttl: Duration::from_secs(2 * 3600 + 10 * 60),
            upload_url_ttl: Duration::from_secs(15 * 60),
            download_url_ttl: Duration::from_secs(5 * 60),
            fanout_concurrency: 32,
            rate_limits: RateLimits::default(),
            // One per CPU, but never many: each takes 19 MiB, and a container
            // may report the host's CPUs.
            hash_slots: std::thread::available_parallelism().map_or(2, |n| n.get().min(4)),
            hash_queue: 64,
        }
    }
}
