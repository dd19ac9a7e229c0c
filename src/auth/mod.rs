//! Who is calling (verified JWTs) and what they may do (the access policy).

pub mod keys;
pub mod policy;
pub mod principal;
pub mod token;

pub use policy::op;
pub use principal::{Actor, Allowed, Principal, Role};
pub use token::{TokenSettings, TokenVerifier};
