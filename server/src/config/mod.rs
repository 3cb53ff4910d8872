//! Configuration: the settings a person writes (file, environment, flags), their validation,
//! and the resolved form the protocol reads.

mod resolved;

pub use resolved::{RegistrationPolicy, ResourceConfig, RootFallbacks, ServerConfig, Ttls};
