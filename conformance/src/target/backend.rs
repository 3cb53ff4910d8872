//! Where the bundled reference server keeps its data: in memory (the default), in SQLite files
//! or in PostgreSQL. Every configuration gets a store of its own, because the configurations
//! seed the same client ids with different settings: a file per configuration in a temporary
//! folder, or a database per configuration created beside the one a URL names. Both are
//! removed when the run ends.

use std::fmt;
use std::str::FromStr;

use oauth_reference_server::store::ScratchDatabase;
use tempfile::TempDir;
use tokio::sync::Mutex;

/// The environment variable that chooses the backend, for the command and `cargo test` alike.
pub const STORAGE_VARIABLE: &str = "OAUTH_CONFORMANCE_STORAGE";

/// The storage backend of the bundled servers.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Backend {
    /// Each server keeps everything in memory.
    #[default]
    Memory,
    /// A SQLite file per configuration, in a temporary folder.
    Sqlite,
    /// A database per configuration on the PostgreSQL server this URL names.
    Postgres(String),
}

impl Backend {
    /// The backend [`STORAGE_VARIABLE`] names; memory when it is unset or empty.
    pub fn from_env() -> Result<Backend, String> {
        match std::env::var(STORAGE_VARIABLE) {
            Ok(value) if !value.is_empty() => value
                .parse()
                .map_err(|error| format!("{STORAGE_VARIABLE}: {error}")),
            _ => Ok(Backend::Memory),
        }
    }
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "memory" => Ok(Backend::Memory),
            "sqlite" => Ok(Backend::Sqlite),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Backend::Postgres(url.to_owned()))
            }
            _ => Err("expected memory, sqlite or a postgres://… URL".to_owned()),
        }
    }
}

/// The backend's name; a PostgreSQL URL is not printed, as it may hold a password.
impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Memory => "memory",
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        })
    }
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Backend({self})")
    }
}

/// The stores of one run: one per configuration, made on demand, removed by
/// [`Stores::remove`] (a SQLite folder also when dropped).
pub(super) struct Stores {
    backend: Backend,
    folder: std::sync::Mutex<Option<TempDir>>,
    databases: Mutex<Vec<ScratchDatabase>>,
}

impl Stores {
    /// Memory stores: nothing to make or remove.
    pub(super) fn memory() -> Stores {
        Stores {
            backend: Backend::Memory,
            folder: std::sync::Mutex::new(None),
            databases: Mutex::new(Vec::new()),
        }
    }

    /// Stores on `backend`; for SQLite, the temporary folder is created now.
    pub(super) fn new(backend: Backend) -> Result<Stores, String> {
        let folder = match backend {
            Backend::Sqlite => Some(
                tempfile::Builder::new()
                    .prefix("oauth-conformance-")
                    .tempdir()
                    .map_err(|e| format!("cannot create a folder for the SQLite files: {e}"))?,
            ),
            _ => None,
        };
        Ok(Stores {
            backend,
            folder: std::sync::Mutex::new(folder),
            databases: Mutex::new(Vec::new()),
        })
    }

    /// The `storage` setting for configuration `name`, creating its database if needed; `None`
    /// for memory, which leaves the configuration as it is.
    pub(super) async fn setting_for(&self, name: &str) -> Result<Option<String>, String> {
        match &self.backend {
            Backend::Sqlite => {
                let folder = self
                    .folder()
                    .ok_or("the SQLite folder is removed already")?;
                let file = folder.join(format!("{name}.db"));
                Ok(Some(format!("sqlite:{}", file.display())))
            }
            Backend::Postgres(url) => {
                let database = ScratchDatabase::create(url, name).await.map_err(|e| {
                    format!("cannot create a PostgreSQL database for `{name}`: {e}")
                })?;
                let setting = database.url().to_owned();
                self.databases.lock().await.push(database);
                Ok(Some(setting))
            }
            Backend::Memory => Ok(None),
        }
    }

    /// The SQLite folder, until it is removed.
    fn folder(&self) -> Option<std::path::PathBuf> {
        let folder = self.folder.lock().unwrap_or_else(|e| e.into_inner());
        folder.as_ref().map(|dir| dir.path().to_owned())
    }

    /// Drops the databases and the SQLite folder; what could not be removed, as messages.
    pub(super) async fn remove(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let databases = std::mem::take(&mut *self.databases.lock().await);
        for database in databases {
            let name = database.name().to_owned();
            if let Err(error) = database.remove().await {
                problems.push(format!("cannot drop the database {name}: {error}"));
            }
        }
        let folder = self.folder.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(folder) = folder {
            let path = folder.path().display().to_string();
            if let Err(error) = folder.close() {
                problems.push(format!("cannot remove {path}: {error}"));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_values_parse_and_anything_else_is_refused() {
        assert_eq!("memory".parse(), Ok(Backend::Memory));
        assert_eq!("sqlite".parse(), Ok(Backend::Sqlite));
        let url = "postgres://u:p@127.0.0.1:5432/db";
        assert_eq!(url.parse(), Ok(Backend::Postgres(url.to_owned())));
        assert!("postgresql://h/db".parse::<Backend>().is_ok());
        assert!("sqlite:/tmp/x.db".parse::<Backend>().is_err());
        assert!("mysql://h/db".parse::<Backend>().is_err());
    }

    #[test]
    fn a_postgres_url_is_never_printed() {
        let backend = Backend::Postgres("postgres://u:hunter2@h/db".into());
        assert_eq!(backend.to_string(), "postgres");
        assert!(!format!("{backend:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn sqlite_gives_each_configuration_its_own_file_in_a_folder_removed_at_the_end() {
        let stores = Stores::new(Backend::Sqlite).expect("a folder");
        let a = stores.setting_for("default").await.expect("a setting");
        let b = stores.setting_for("dcr-open").await.expect("a setting");
        let (a, b) = (a.expect("a file"), b.expect("a file"));
        assert!(a.starts_with("sqlite:") && a.ends_with("default.db"), "{a}");
        assert_ne!(a, b);
        let folder = stores.folder().expect("a folder");
        assert!(folder.is_dir());
        assert!(stores.remove().await.is_empty());
        assert!(!folder.exists(), "the folder outlived the run");
        assert!(stores.setting_for("late").await.is_err());
    }

    #[tokio::test]
    async fn memory_needs_nothing() {
        let stores = Stores::new(Backend::Memory).expect("no folder");
        assert_eq!(stores.setting_for("default").await, Ok(None));
        assert!(stores.folder().is_none());
    }
}
