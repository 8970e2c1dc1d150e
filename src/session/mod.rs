//! Sessions: the legacy HTTP+SSE transport and stateful Streamable HTTP. Each session belongs
//! to the principal that opened it; the table enforces limits and idle expiry. No napi here.

mod id;
mod table;

pub use id::new_session_id;
pub use table::{Declared, Limits, Session, SessionError, SessionTable, Sweep, Transport};
