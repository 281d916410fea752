//! The data directory: `jwt-secret` (32 random bytes, hex, mode 0600,
//! reused across restarts so tokens and blob URLs stay valid),
//! `banter.sqlite3` and `blobs/`.

use anyhow::{Context, bail};
use rand::Rng;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SECRET_FILE: &str = "jwt-secret";
pub const DATABASE_FILE: &str = "banter.sqlite3";
pub const BLOBS_DIR: &str = "blobs";

pub struct DataDir {
    pub root: PathBuf,
    pub secret: Vec<u8>,
}

impl DataDir {
    /// Creates what is missing, reads what is there.
    pub fn prepare(root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root.join(BLOBS_DIR))
            .with_context(|| format!("cannot create the data dir {}", root.display()))?;
        let secret = load_or_create_secret(&root.join(SECRET_FILE))?;
        Ok(Self {
            root: root.to_owned(),
            secret,
        })
    }

    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }

    pub fn blobs(&self) -> PathBuf {
        self.root.join(BLOBS_DIR)
    }
}

pub fn random_secret() -> Vec<u8> {
    rand::rng().random::<[u8; 32]>().to_vec()
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = decode_hex(text.trim())
                .with_context(|| format!("{} is not a hex secret", path.display()))?;
            if secret.len() < 32 {
                bail!(
                    "{} holds {} bytes: at least 32 are needed",
                    path.display(),
                    secret.len()
                );
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random_secret();
            let text: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            writeln!(file, "{text}")?;
            Ok(secret)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn decode_hex(text: &str) -> anyhow::Result<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        bail!("odd length or non-ASCII");
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).context("not hex"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_a_fresh_dir_then_the_secret_is_created_private_and_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = DataDir::prepare(dir.path()).expect("prepare");
        assert_eq!(first.secret.len(), 32);
        assert!(dir.path().join(BLOBS_DIR).is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .expect("meta")
                .permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
        let second = DataDir::prepare(dir.path()).expect("prepare again");
        assert_eq!(first.secret, second.secret);
    }

    #[test]
    fn given_a_corrupt_secret_then_prepare_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(SECRET_FILE), "xyz").expect("write");
        let error = format!(
            "{:#}",
            DataDir::prepare(dir.path()).err().expect("must fail")
        );
        assert!(error.contains("is not a hex secret"), "{error}");
    }
}
