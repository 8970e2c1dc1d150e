//! Policies over tool calls that the team running the plugin sets: one match language
//! ([`matcher`]) and the rules built on it ([`limits`]: calls per caller per window;
//! [`confirm`]: calls a person confirms first).

pub mod confirm;
pub mod limits;
pub mod matcher;
pub mod store;

pub use confirm::{ConfirmRule, ConfirmStore, Confirmation};
pub use limits::{RateCount, RateLimiter, RateRule, Refusal};
pub use matcher::{CallFacts, CallMatch};
pub use store::RateStore;
