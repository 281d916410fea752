//! The parsed document and the lookups every reader shares.

use anyhow::{Context, anyhow};
use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// `template.yaml` at the workspace root, found from this crate's source.
pub fn default_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
}

/// A parsed SAM template.
#[derive(Clone, Debug)]
pub struct SamTemplate {
    document: Value,
}

impl SamTemplate {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the SAM template {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in the SAM template {}", path.display()))
    }

    /// The workspace's `template.yaml`.
    pub fn load_default() -> anyhow::Result<Self> {
        Self::load(&default_path())
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let document: Value = serde_yaml::from_str(text).context("not valid YAML")?;
        Ok(Self { document })
    }

    /// The whole document, tags and all.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// `Resources`, by logical id.
    pub fn resources(&self) -> anyhow::Result<&Mapping> {
        self.document
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| anyhow!("no Resources section"))
    }

    /// One resource's `Properties` read as `T`.
    pub fn properties<T: DeserializeOwned>(&self, logical_id: &str) -> anyhow::Result<T> {
        let properties = self
            .resources()?
            .get(logical_id)
            .and_then(|resource| resource.get("Properties"))
            .ok_or_else(|| anyhow!("no Resources.{logical_id}.Properties"))?;
        serde_yaml::from_value(properties.clone())
            .with_context(|| format!("reading Resources.{logical_id}.Properties"))
    }
}
