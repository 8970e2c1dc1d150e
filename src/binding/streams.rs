//! Long-lived responses other than legacy sessions: the GET stream and DELETE of a stateful
//! Streamable HTTP session, and `subscriptions/listen` streams.

use napi_derive::napi;

use super::engine::{McpEngine, McpHttpResponse};

/// GET or DELETE of a stateful Streamable HTTP session.
#[napi(object)]
pub struct SessionRequest {
    pub server: Option<String>,
    pub session_id: Option<String>,
    pub principal: String,
}

/// An answer that may open a stream (`sessionId` set: keep the response open for it).
#[napi(object)]
pub struct StreamAnswer {
    pub response: McpHttpResponse,
    pub session_id: Option<String>,
}

/// The last words of a listen stream at shutdown.
#[napi(object)]
pub struct ListenClose {
    pub stream: String,
    pub chunk: String,
}

#[napi]
impl McpEngine {
    /// `GET /v1[/{server}]`: the server-to-client stream of a stateful session.
    #[napi(catch_unwind)]
    pub fn open_stream(&self, request: SessionRequest) -> StreamAnswer {
        match self.engine.open_stream(
            request.server.as_deref(),
            request.session_id.as_deref(),
            &request.principal,
        ) {
            Ok(head) => StreamAnswer {
                response: head.into(),
                session_id: request.session_id,
            },
            Err(response) => StreamAnswer {
                response: response.into(),
                session_id: None,
            },
        }
    }

    /// The GET stream of a stateful session closed; the session lives on.
    #[napi(catch_unwind)]
    pub fn close_stream(&self, session_id: String) {
        self.engine.close_stream(&session_id);
    }

    /// `DELETE /v1[/{server}]`: end a stateful session (`204`); the shim then ends its
    /// stream if one is open.
    #[napi(catch_unwind)]
    pub fn delete_session(&self, request: SessionRequest) -> McpHttpResponse {
        self.engine
            .delete_session(
                request.server.as_deref(),
                request.session_id.as_deref(),
                &request.principal,
            )
            .into()
    }

    /// A `subscriptions/listen` stream's response closed: forget it. `false` when it was
    /// not open (the server already ended it).
    #[napi(catch_unwind)]
    pub fn close_listen(&self, key: String) -> bool {
        self.engine.close_listen(&key).is_some()
    }

    /// Backend shutdown: the final result of every listen stream (write it, then end the
    /// stream), by key.
    #[napi(catch_unwind)]
    pub fn close_all_listens(&self) -> Vec<ListenClose> {
        self.engine
            .close_all_listens()
            .into_iter()
            .map(|(stream, chunk, _)| ListenClose { stream, chunk })
            .collect()
    }
}
