//! Usage of the tools, for the team that runs the plugin and for each caller: what is
//! recorded per call ([`record`]), where it is kept ([`store`]), and the reports the page
//! reads ([`report`]).

pub mod export;
pub mod record;
pub mod report;
pub mod store;

pub use record::{Outcome, UsageCounts, UsageKey, UsageRecorder};
pub use store::UsageStore;
