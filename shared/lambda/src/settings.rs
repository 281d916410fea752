//! Everything a function reads from its environment, read once at cold
//! start. A missing or malformed variable is an error that names it.
//!
//! | variable | required | meaning |
//! |---|---|---|
//! | `BANTER_TABLE` | yes | the DynamoDB table |
//! | `BANTER_BUCKET` | yes | the S3 bucket for files |
//! | `BANTER_WS_API_ID` | unless `BANTER_WS_ENDPOINT` | the WebSocket API's id |
//! | `BANTER_WS_STAGE` | unless `BANTER_WS_ENDPOINT` | the WebSocket API's stage |
//! | `AWS_REGION` | unless `BANTER_WS_ENDPOINT` | set by Lambda itself |
//! | `BANTER_WS_ENDPOINT` | no | the Management API endpoint verbatim (custom domains, banter-local, tests) |
//! | `BANTER_S3_FORCE_PATH_STYLE` | no | `true` for S3-compatible servers on loopback (moto, MinIO) |
//! | `BANTER_JWT_ISSUER`, `BANTER_JWT_AUDIENCE` | no | token `iss` and `aud` |
//! | `BANTER_JWT_TTL_SECS` | no | access token lifetime |
//! | `BANTER_CONVERSATION_TTL_SECS` | no | pair-chat conversation token lifetime (seed 000) |
//! | `BANTER_TYPING_TTL_MS` | no | how long a typing start holds |
//! | `BANTER_CONNECTION_TTL_SECS` | no | how long a connection item lives |
//! | `BANTER_UPLOAD_URL_TTL_SECS`, `BANTER_DOWNLOAD_URL_TTL_SECS` | no | presigned URL lifetimes (at most 7 days) |
//! | `BANTER_FANOUT_CONCURRENCY` | no | pushes in flight during one fan-out |
//!
//! The JWT secret is deliberately not among them: it lives in the table
//! (see `banter_dynamodb::jwt_secret`). An empty value counts as unset, so a
//! template can pass `""` for "use the default".

use banter_apigw::{API_ID_ENV, ENDPOINT_ENV, STAGE_ENV, execute_api_endpoint};
use banter_core::config::Config;
use banter_dynamodb::TABLE_ENV;
use banter_s3::{BUCKET_ENV, MAX_URL_TTL};
use std::time::Duration;

pub const REGION_ENV: &str = "AWS_REGION";
pub const S3_FORCE_PATH_STYLE_ENV: &str = "BANTER_S3_FORCE_PATH_STYLE";
pub const JWT_ISSUER_ENV: &str = "BANTER_JWT_ISSUER";
pub const JWT_AUDIENCE_ENV: &str = "BANTER_JWT_AUDIENCE";
pub const JWT_TTL_ENV: &str = "BANTER_JWT_TTL_SECS";
pub const CONVERSATION_TTL_ENV: &str = "BANTER_CONVERSATION_TTL_SECS";
pub const TYPING_TTL_ENV: &str = "BANTER_TYPING_TTL_MS";
pub const CONNECTION_TTL_ENV: &str = "BANTER_CONNECTION_TTL_SECS";
pub const UPLOAD_URL_TTL_ENV: &str = "BANTER_UPLOAD_URL_TTL_SECS";
pub const DOWNLOAD_URL_TTL_ENV: &str = "BANTER_DOWNLOAD_URL_TTL_SECS";
pub const FANOUT_CONCURRENCY_ENV: &str = "BANTER_FANOUT_CONCURRENCY";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("the environment variable {name} is not set: {meaning}")]
    Missing {
        name: &'static str,
        meaning: &'static str,
    },
    #[error("the environment variable {name}={value:?} is not valid: {why}")]
    Invalid {
        name: &'static str,
        value: String,
        why: String,
    },
}

/// A function's settings: where its resources are, and overrides of
/// [`Config`]'s defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub table: String,
    pub bucket: String,
    /// The Management API endpoint, `https://{api}.execute-api.{region}.amazonaws.com/{stage}`.
    pub ws_endpoint: String,
    pub s3_force_path_style: bool,
    pub overrides: Overrides,
}

/// Each `Some` replaces the default of the same field in [`Config`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    pub jwt_ttl: Option<Duration>,
    pub conversation_ttl: Option<Duration>,
    pub typing_ttl: Option<Duration>,
    pub connection_ttl: Option<Duration>,
    pub upload_url_ttl: Option<Duration>,
    pub download_url_ttl: Option<Duration>,
    pub fanout_concurrency: Option<usize>,
}

impl Settings {
    /// From the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any source of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let env = Env(&lookup);
        let table = env.required(TABLE_ENV, "it names the DynamoDB table")?;
        let bucket = env.required(BUCKET_ENV, "it names the S3 bucket for files")?;
        let ws_endpoint = match env.get(ENDPOINT_ENV) {
            Some(endpoint) => {
                if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                    return Err(invalid(
                        ENDPOINT_ENV,
                        &endpoint,
                        "it must be an http(s) URL",
                    ));
                }
                endpoint.trim_end_matches('/').to_owned()
            }
            None => {
                let api_id = env.required(
                    API_ID_ENV,
                    "it is the WebSocket API's id, for the Management API endpoint \
                     (or set BANTER_WS_ENDPOINT)",
                )?;
                let region = env.required(
                    REGION_ENV,
                    "Lambda sets it; needed for the Management API endpoint",
                )?;
                let stage = env.required(
                    STAGE_ENV,
                    "it is the WebSocket API's stage, for the Management API endpoint \
                     (or set BANTER_WS_ENDPOINT)",
                )?;
                execute_api_endpoint(&api_id, &region, &stage)
            }
        };
        let s3_force_path_style = match env.get(S3_FORCE_PATH_STYLE_ENV).as_deref() {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(other) => {
                return Err(invalid(S3_FORCE_PATH_STYLE_ENV, other, "use true or false"));
            }
        };
        let overrides = Overrides {
            jwt_issuer: env.get(JWT_ISSUER_ENV),
            jwt_audience: env.get(JWT_AUDIENCE_ENV),
            jwt_ttl: env.number(JWT_TTL_ENV)?.map(Duration::from_secs),
            conversation_ttl: env.number(CONVERSATION_TTL_ENV)?.map(Duration::from_secs),
            typing_ttl: env.number(TYPING_TTL_ENV)?.map(Duration::from_millis),
            connection_ttl: env.number(CONNECTION_TTL_ENV)?.map(Duration::from_secs),
            upload_url_ttl: env.url_ttl(UPLOAD_URL_TTL_ENV)?,
            download_url_ttl: env.url_ttl(DOWNLOAD_URL_TTL_ENV)?,
            fanout_concurrency: env
                .number(FANOUT_CONCURRENCY_ENV)?
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        };
        Ok(Self {
            table,
            bucket,
            ws_endpoint,
            s3_force_path_style,
            overrides,
        })
    }

    /// [`Config`]'s defaults around `secret`, with the overrides applied.
    pub fn config(&self, secret: Vec<u8>) -> Config {
        let mut config = Config::with_secret(secret);
        let o = &self.overrides;
        if let Some(issuer) = &o.jwt_issuer {
            config.jwt.issuer = issuer.clone();
        }
        if let Some(audience) = &o.jwt_audience {
            config.jwt.audience = audience.clone();
        }
        if let Some(ttl) = o.jwt_ttl {
            config.jwt.ttl = ttl;
        }
        if let Some(ttl) = o.conversation_ttl {
            config.jwt.conversation_ttl = ttl;
        }
        if let Some(ttl) = o.typing_ttl {
            config.typing_ttl = ttl;
        }
        if let Some(ttl) = o.connection_ttl {
            config.connection_ttl = ttl;
        }
        if let Some(ttl) = o.upload_url_ttl {
            config.upload_url_ttl = ttl;
        }
        if let Some(ttl) = o.download_url_ttl {
            config.download_url_ttl = ttl;
        }
        if let Some(n) = o.fanout_concurrency {
            config.fanout_concurrency = n;
        }
        config
    }
}

struct Env<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Env<'_, F> {
    /// The trimmed value; empty counts as unset.
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn required(&self, name: &'static str, meaning: &'static str) -> Result<String, SettingsError> {
        self.get(name)
            .ok_or(SettingsError::Missing { name, meaning })
    }

    /// A whole number of at least 1, if set.
    fn number(&self, name: &'static str) -> Result<Option<u64>, SettingsError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match value.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(invalid(
                name,
                &value,
                "it must be a whole number, at least 1",
            )),
        }
    }

    /// Seconds of a presigned URL's life: S3 signs for at most 7 days.
    fn url_ttl(&self, name: &'static str) -> Result<Option<Duration>, SettingsError> {
        let ttl = self.number(name)?.map(Duration::from_secs);
        match ttl {
            Some(ttl) if ttl > MAX_URL_TTL => Err(invalid(
                name,
                &ttl.as_secs().to_string(),
                format!(
                    "presigned URLs last at most {} s (7 days)",
                    MAX_URL_TTL.as_secs()
                ),
            )),
            ttl => Ok(ttl),
        }
    }
}

fn invalid(name: &'static str, value: &str, why: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        name,
        value: value.to_owned(),
        why: why.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    const MINIMAL: &[(&str, &str)] = &[
        ("BANTER_TABLE", "banter-ChatTable-1"),
        ("BANTER_BUCKET", "banter-files-1"),
        ("BANTER_WS_API_ID", "a1b2c3d4e5"),
        ("BANTER_WS_STAGE", "prod"),
        ("AWS_REGION", "eu-west-1"),
    ];

    fn without(name: &str) -> Vec<(&'static str, &'static str)> {
        MINIMAL
            .iter()
            .copied()
            .filter(|(k, _)| *k != name)
            .collect()
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        MINIMAL.iter().chain(extra).copied().collect()
    }

    #[test]
    fn given_the_template_variables_then_the_endpoint_is_the_stage_url() {
        let s = settings(MINIMAL).expect("settings");
        assert_eq!(s.table, "banter-ChatTable-1");
        assert_eq!(s.bucket, "banter-files-1");
        assert_eq!(
            s.ws_endpoint,
            "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"
        );
        assert!(!s.s3_force_path_style);
        assert_eq!(s.overrides, Overrides::default());
    }

    #[test]
    fn given_a_missing_variable_then_the_error_names_it() {
        for name in [
            "BANTER_TABLE",
            "BANTER_BUCKET",
            "BANTER_WS_API_ID",
            "BANTER_WS_STAGE",
            "AWS_REGION",
        ] {
            let error = settings(&without(name)).expect_err(name);
            assert!(
                matches!(error, SettingsError::Missing { name: n, .. } if n == name),
                "{error:?}"
            );
            assert!(error.to_string().contains(name), "{error}");
        }
    }

    #[test]
    fn given_an_empty_variable_then_it_counts_as_missing() {
        let mut vars = without("BANTER_BUCKET");
        vars.push(("BANTER_BUCKET", "  "));
        let error = settings(&vars).expect_err("empty bucket");
        assert!(error.to_string().contains("BANTER_BUCKET"), "{error}");
    }

    #[test]
    fn given_an_endpoint_override_then_api_id_stage_and_region_are_not_needed() {
        let s = settings(&[
            ("BANTER_TABLE", "t"),
            ("BANTER_BUCKET", "b"),
            ("BANTER_WS_ENDPOINT", "http://127.0.0.1:3000/"),
            ("BANTER_S3_FORCE_PATH_STYLE", "true"),
        ])
        .expect("settings");
        assert_eq!(s.ws_endpoint, "http://127.0.0.1:3000");
        assert!(s.s3_force_path_style);

        let error =
            settings(&with(&[("BANTER_WS_ENDPOINT", "127.0.0.1:3000")])).expect_err("no scheme");
        assert!(error.to_string().contains("BANTER_WS_ENDPOINT"), "{error}");
    }

    #[test]
    fn given_overrides_then_the_config_uses_them() {
        let s = settings(&with(&[
            ("BANTER_JWT_ISSUER", "banter-staging"),
            ("BANTER_JWT_AUDIENCE", "staging-clients"),
            ("BANTER_JWT_TTL_SECS", "3600"),
            ("BANTER_TYPING_TTL_MS", "2500"),
            ("BANTER_CONNECTION_TTL_SECS", "9000"),
            ("BANTER_UPLOAD_URL_TTL_SECS", "600"),
            ("BANTER_DOWNLOAD_URL_TTL_SECS", "120"),
            ("BANTER_FANOUT_CONCURRENCY", "8"),
        ]))
        .expect("settings");
        let config = s.config(vec![7; 32]);
        assert_eq!(config.jwt.secret, vec![7; 32]);
        assert_eq!(config.jwt.issuer, "banter-staging");
        assert_eq!(config.jwt.audience, "staging-clients");
        assert_eq!(config.jwt.ttl, Duration::from_secs(3600));
        assert_eq!(config.typing_ttl, Duration::from_millis(2500));
        assert_eq!(config.connection_ttl, Duration::from_secs(9000));
        assert_eq!(config.upload_url_ttl, Duration::from_secs(600));
        assert_eq!(config.download_url_ttl, Duration::from_secs(120));
        assert_eq!(config.fanout_concurrency, 8);
    }

    #[test]
    fn given_no_overrides_then_the_config_is_the_default() {
        let config = settings(MINIMAL).expect("settings").config(vec![1; 32]);
        let default = Config::with_secret(vec![1; 32]);
        assert_eq!(format!("{config:?}"), format!("{default:?}"));
    }

    #[test]
    fn given_a_malformed_number_then_the_error_names_the_variable_and_value() {
        for (name, value) in [
            ("BANTER_JWT_TTL_SECS", "1h"),
            ("BANTER_TYPING_TTL_MS", "0"),
            ("BANTER_FANOUT_CONCURRENCY", "-3"),
            ("BANTER_UPLOAD_URL_TTL_SECS", "604801"),
            ("BANTER_S3_FORCE_PATH_STYLE", "yes"),
        ] {
            let error = settings(&with(&[(name, value)])).expect_err(name);
            assert!(
                matches!(&error, SettingsError::Invalid { name: n, .. } if *n == name),
                "{error:?}"
            );
            let text = error.to_string();
            assert!(text.contains(name) && text.contains(value), "{text}");
        }
    }
}
