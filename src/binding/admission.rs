//! What happens before dispatch: the early refusals (origin, a token that cannot be valid),
//! the 401 challenge, the credentials cache and the RFC 9728 metadata.

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use super::engine::{McpEngine, McpHttpResponse};
use super::timers::now_seconds;

/// What the engine may refuse before authentication.
#[napi(object)]
pub struct PrecheckRequest {
    pub origin: Option<String>,
    pub authorization: Option<String>,
    pub server: Option<String>,
    /// The request body, read only when refusing (the refusal names the request's id).
    pub body: Option<Buffer>,
}

/// The id of the request in `body`, for a refusal that names it (`null` when none).
fn request_id(body: Option<&[u8]>) -> serde_json::Value {
    body.and_then(|b| crate::protocol::jsonrpc::parse_body(b).ok())
        .map(|b| b.request_id())
        .unwrap_or(serde_json::Value::Null)
}

/// The answer of `precheck`.
#[napi(object)]
pub struct PrecheckAnswer {
    pub refusal: Option<McpHttpResponse>,
    pub cached: Option<u32>,
    pub release: Vec<u32>,
}

#[napi]
impl McpEngine {
    /// The 401 challenge, for a request Backstage's `httpAuth` did not accept.
    #[napi(catch_unwind)]
    pub fn unauthorized(
        &self,
        had_token: bool,
        server: Option<String>,
        body: Option<Buffer>,
    ) -> McpHttpResponse {
        let rejection = had_token.then_some("the access token is invalid or expired");
        self.engine
            .unauthorized(rejection, server.as_deref())
            .for_request(&request_id(body.as_deref()))
            .into()
    }

    /// Before authentication: a refusal (`403` origin, `401` JWT that cannot be valid), or
    /// the cached credentials handle of a token Backstage already accepted, plus handles the
    /// cache let go of (release them).
    #[napi(catch_unwind)]
    pub fn precheck(&self, request: PrecheckRequest) -> PrecheckAnswer {
        let admission = tracing::dispatcher::with_default(&self.dispatch, || {
            self.engine.precheck(
                request.origin.as_deref(),
                request.authorization.as_deref(),
                request.server.as_deref(),
                now_seconds(),
            )
        });
        let body = request.body.as_deref();
        PrecheckAnswer {
            refusal: admission
                .refusal
                .map(|r| r.for_request(&request_id(body)).into()),
            cached: admission.cached,
            release: admission.release,
        }
    }

    /// Backstage accepted this `Authorization` with the credentials behind `handle` (the
    /// shim has retained one reference for the cache). Returns the handles to release.
    #[napi(catch_unwind)]
    pub fn remember_credentials(&self, authorization: Option<String>, handle: u32) -> Vec<u32> {
        self.engine
            .remember_credentials(authorization.as_deref(), handle, now_seconds())
    }

    /// A downstream `401` for `handle`: true when the cache held it (release its reference).
    #[napi(catch_unwind)]
    pub fn forget_credentials(&self, handle: u32) -> bool {
        self.engine.forget_credentials(handle)
    }

    /// Credentials the cache holds.
    #[napi(catch_unwind)]
    pub fn cached_credentials(&self) -> u32 {
        u32::try_from(self.engine.cached_credentials()).unwrap_or(u32::MAX)
    }

    /// RFC 9728 metadata of `/v1` (no `server`) or `/v1/{server}`; `404` when unknown or
    /// when OAuth is not offered.
    #[napi(catch_unwind)]
    pub fn protected_resource_metadata(&self, server: Option<String>) -> McpHttpResponse {
        self.engine
            .protected_resource_metadata(server.as_deref())
            .into()
    }
}
