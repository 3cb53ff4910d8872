//! Throwaway PostgreSQL databases for test runs and benchmarks: created empty beside the
//! database a URL names, on the same server and with the same credentials, and dropped when
//! the run ends. Every server configuration a run starts gets one, because configurations
//! seed the same client ids with different settings.

use std::fmt;

use sqlx::{Connection, Executor, PgConnection};
use url::Url;

use super::backend;
use crate::store::{StoreError, StoreResult};

/// PostgreSQL's limit on an identifier, in bytes.
const MAX_NAME: usize = 63;

/// A database created for one run; [`ScratchDatabase::remove`] drops it.
pub struct ScratchDatabase {
    /// The URL it was created through (its database stays untouched).
    admin: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates an empty database named `<database>_<label>_<random>` on the server `url`
    /// names, connecting through `url` (its role needs the `CREATEDB` privilege).
    pub async fn create(url: &str, label: &str) -> StoreResult<ScratchDatabase> {
        let mut parsed = Url::parse(url)
            .map_err(|_| StoreError::Backend("the PostgreSQL URL does not parse".into()))?;
        let base = parsed.path().trim_start_matches('/').to_owned();
        let suffix = format!("{:08x}", rand::random::<u32>());
        let name = scratch_name(&base, label, &suffix);
        parsed.set_path(&format!("/{name}"));

        let mut admin = PgConnection::connect(url).await.map_err(backend)?;
        let created = admin
            .execute(format!("CREATE DATABASE {}", quoted(&name)).as_str())
            .await;
        let _ = admin.close().await;
        created.map_err(backend)?;
        Ok(ScratchDatabase {
            admin: url.to_owned(),
            name,
            url: parsed.into(),
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the new database, usable as a `storage` setting.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database, closing the connections still open to it.
    pub async fn remove(self) -> StoreResult<()> {
        let mut admin = PgConnection::connect(&self.admin).await.map_err(backend)?;
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted(&self.name)
        );
        let dropped = admin.execute(sql.as_str()).await;
        let _ = admin.close().await;
        dropped.map_err(backend)?;
        Ok(())
    }
}

/// Names the database only: the URLs may hold a password.
impl fmt::Debug for ScratchDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScratchDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// `<base>_<label>_<suffix>` in lower case, anything but letters and digits turned into `_`,
/// the base shortened to keep the whole within PostgreSQL's identifier limit.
fn scratch_name(base: &str, label: &str, suffix: &str) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9') => c,
                _ => '_',
            })
            .collect()
    };
    let tail = format!("_{}_{}", clean(label), clean(suffix));
    let room = MAX_NAME.saturating_sub(tail.len());
    let mut head: String = clean(base).chars().take(room).collect();
    if head.is_empty() {
        head.push_str("scratch");
    }
    let mut name = head + &tail;
    name.truncate(MAX_NAME);
    name
}

/// An identifier in double quotes (the name is already plain, so this is belt and braces).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_joins_base_label_and_suffix_in_plain_characters() {
        assert_eq!(
            scratch_name("oauth_test", "dcr-open", "0a1b2c3d"),
            "oauth_test_dcr_open_0a1b2c3d"
        );
        assert_eq!(scratch_name("My-DB", "x.y", "Z"), "my_db_x_y_z");
    }

    #[test]
    fn a_long_name_keeps_its_label_and_suffix_within_the_limit() {
        let name = scratch_name(&"b".repeat(80), "no-root-fallbacks", "0a1b2c3d");
        assert_eq!(name.len(), MAX_NAME);
        assert!(name.ends_with("_no_root_fallbacks_0a1b2c3d"), "{name}");
        assert!(name.starts_with('b'), "{name}");
    }

    #[test]
    fn a_missing_base_becomes_scratch() {
        assert_eq!(scratch_name("", "default", "1"), "scratch_default_1");
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
