//! The legacy HTTP+SSE transport: opening a session, its POSTed messages, whose answers go
//! down the session's stream through `deliver`, and its end.

use std::sync::Arc;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tracing::instrument::WithSubscriber;

use super::callbacks::{records, send, DeliverFn, StreamEvent};
use super::engine::{McpEngine, McpHttpResponse};
use super::streams::StreamAnswer;
use crate::engine::{LegacyPost, Observations, ProgressSink};
use crate::protocol::http::HttpResponse;
use crate::CallContext;

/// `GET .../sse`: open a legacy session.
#[napi(object)]
pub struct LegacyOpenRequest {
    pub server: Option<String>,
    pub principal: String,
    /// Path of the messages endpoint, e.g. `/api/mcp-actions/v1/sse/messages`.
    pub messages_path: String,
}

/// A POST to `.../sse/messages?sessionId=`.
#[napi(object)]
pub struct LegacyPostRequest {
    pub server: Option<String>,
    pub session_id: Option<String>,
    pub principal: String,
    /// Handle of this POST's credentials: its call runs with them. Released through
    /// `deliver` when `pending` is true, else by the shim at once.
    pub credentials: u32,
    /// The shim's number for this request, echoed in the `deliver` event that finishes it.
    pub ticket: Option<u32>,
    pub content_type: Option<String>,
    pub body: Buffer,
}

/// The answer to a legacy POST. `pending`: the message is being processed and its
/// credentials handle will come back through `deliver`.
#[napi(object)]
pub struct LegacyPostAnswer {
    pub response: McpHttpResponse,
    pub pending: bool,
}

/// Progress of a legacy message's long call, down its session's stream.
struct SessionProgress {
    deliver: Arc<DeliverFn>,
    session: String,
}

impl ProgressSink for SessionProgress {
    fn send(&self, chunk: String) {
        send(
            &self.deliver,
            StreamEvent::chunk(self.session.clone(), Some(chunk)),
        );
    }
}

#[napi]
impl McpEngine {
    /// `GET .../sse`: open a legacy session. With `sessionId` set, write the head, keep the
    /// response open under that id, and end it when `deliver` says so.
    #[napi(catch_unwind)]
    pub fn open_legacy(&self, request: LegacyOpenRequest) -> StreamAnswer {
        tracing::dispatcher::with_default(&self.dispatch, || {
            match self.engine.open_legacy(
                request.server.as_deref(),
                &request.principal,
                &request.messages_path,
            ) {
                Ok(opened) => StreamAnswer {
                    response: opened.head.into(),
                    session_id: Some(opened.session_id),
                },
                Err(response) => StreamAnswer {
                    response: response.into(),
                    session_id: None,
                },
            }
        })
    }

    /// `POST .../sse/messages`: answer `202` (or a refusal) at once; the result goes down
    /// the session's stream through `deliver`, which also releases the handle.
    #[napi(catch_unwind)]
    pub fn legacy_post(&self, request: LegacyPostRequest) -> LegacyPostAnswer {
        let accepted = tracing::dispatcher::with_default(&self.dispatch, || {
            self.engine.accept_legacy(
                LegacyPost {
                    server: request.server.as_deref(),
                    session_id: request.session_id.as_deref(),
                    content_type: request.content_type.as_deref(),
                    body: &request.body,
                },
                &request.principal,
            )
        });
        let accepted = match accepted {
            Ok(accepted) => accepted,
            Err(response) => {
                return LegacyPostAnswer {
                    response: response.into(),
                    pending: false,
                }
            }
        };
        let engine = Arc::clone(&self.engine);
        let deliver = Arc::clone(&self.deliver);
        let ctx = CallContext {
            credentials: request.credentials,
            principal: request.principal,
            request: request.ticket,
            trace: None,
        };
        let server = request.server;
        let ticket = request.ticket;
        let session = accepted.session_id;
        napi::bindgen_prelude::spawn(
            async move {
                let observed = Observations::default();
                let progress = SessionProgress {
                    deliver: Arc::clone(&deliver),
                    session: session.clone(),
                };
                let chunk = engine
                    .process_legacy_guarded(
                        server.as_deref(),
                        Some(&session),
                        accepted.body,
                        &ctx,
                        &observed,
                        Some(&progress),
                    )
                    .await;
                send(
                    &deliver,
                    StreamEvent {
                        session,
                        chunk,
                        end: false,
                        release: Some(ctx.credentials),
                        ticket,
                        observations: records(&observed),
                        response_of: None,
                    },
                );
            }
            .with_subscriber(self.dispatch.clone()),
        );
        LegacyPostAnswer {
            response: HttpResponse {
                status: 202,
                headers: vec![("content-type", "text/plain".into())],
                body: Some("Accepted".into()),
            }
            .into(),
            pending: true,
        }
    }

    /// The legacy stream's response closed: end its session.
    #[napi(catch_unwind)]
    pub fn close_legacy(&self, session_id: String) -> bool {
        self.engine.close_legacy(&session_id)
    }
}
