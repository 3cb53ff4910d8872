//! The schema, embedded in the binary: one migration list per engine, run at start-up by
//! sqlx's migrator (which takes a database lock, so instances starting together migrate once).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::AnyPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::Engine;
use crate::store::{StoreError, StoreResult};

/// A migration: version, description, SQL.
type Step = (i64, &'static str, &'static str);

const SQLITE: &[Step] = &[(
    1,
    "initial",
    include_str!("../../../migrations/sqlite/0001_initial.sql"),
)];

const POSTGRES: &[Step] = &[(
    1,
    "initial",
    include_str!("../../../migrations/postgres/0001_initial.sql"),
)];

/// The migrations compiled into the binary.
#[derive(Debug)]
struct Embedded(&'static [Step]);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    false,
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// Brings the database's schema up to date for `engine`.
pub(super) async fn run(pool: &AnyPool, engine: Engine) -> StoreResult<()> {
    let steps = match engine {
        Engine::Sqlite => SQLITE,
        Engine::Postgres => POSTGRES,
    };
    let migrator = Migrator::new(Embedded(steps))
        .await
        .map_err(|error| StoreError::Backend(format!("migrations: {error}")))?;
    migrator
        .run(pool)
        .await
        .map_err(|error| StoreError::Backend(format!("migrations: {error}")))
}
