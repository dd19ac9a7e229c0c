//! Who is calling (verified JWTs) and what they may do (the access policy).
//!
//! Dependencies run one way: `token` verifies a token into a `principal`; the
//! `policy` decides over principals; `extract` joins the two for a request.

pub mod extract;
pub mod keys;
pub mod policy;
pub mod principal;
pub mod reload;
pub mod token;

pub use extract::{Allowed, IndividualDataRoute};
pub use policy::op;
pub use principal::{Actor, Principal, Role};
pub use token::{TokenSettings, TokenVerifier};
