//! Configuration: the settings a person writes (file, environment, flags), their validation,
//! and the resolved form the protocol reads.

mod env;
mod error;
mod resolve;
mod resolved;
mod seed;
mod settings;

pub use error::ConfigError;
pub use resolved::{RegistrationPolicy, ResourceConfig, RootFallbacks, ServerConfig, Ttls};
pub use settings::{
    ClientSettings, OAuthSettings, PasswordHashing, ResourceSettings, Settings,
    StaticClientSettings, UserSettings,
};
