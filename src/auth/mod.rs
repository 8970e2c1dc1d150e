//! What the engine may decide about a caller before Backstage does: refuse a browser origin
//! that is not allowed, and refuse a JWT that is malformed or expired. It never accepts:
//! acceptance is Backstage's `httpAuth` alone. Also the `401` challenge and the RFC 9728
//! protected-resource metadata that tells MCP clients where to log in.

mod cache;
mod origin;
mod token;

pub use cache::{CredentialsCache, Lookup};
pub use origin::OriginPolicy;
pub use token::{
    bearer_token, precheck_token, time_claims, TimeClaims, TokenRejection, LEEWAY_SECONDS,
};

use serde::Serialize;

/// Where MCP clients log in, when the auth backend offers OAuth (DCR, CIMD or static clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth {
    /// External base URL of this plugin, e.g. `https://backstage.example.com/api/mcp-actions`.
    pub mcp_base_url: String,
    /// External base URL of the auth backend, e.g. `https://backstage.example.com/api/auth`.
    pub auth_base_url: String,
    /// `auth.experimentalRefreshToken.enabled`: offer `offline_access`.
    pub offline_access: bool,
}

fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}

impl OAuth {
    fn suffix(server: Option<&str>) -> String {
        match server {
            Some(key) => format!("/v1/{key}"),
            None => "/v1".to_owned(),
        }
    }

    /// The protected resource: the MCP endpoint itself.
    pub fn resource(&self, server: Option<&str>) -> String {
        format!(
            "{}{}",
            self.mcp_base_url.trim_end_matches('/'),
            Self::suffix(server)
        )
    }

    /// RFC 9728 §3: the metadata lives at `/.well-known/oauth-protected-resource` inserted
    /// between the origin and the path of the resource.
    pub fn resource_metadata_url(&self, server: Option<&str>) -> String {
        let resource = self.resource(server);
        let (origin, path) = split_origin(&resource);
        format!("{origin}/.well-known/oauth-protected-resource{path}")
    }

    pub fn metadata_json(&self, server: Option<&str>) -> String {
        #[derive(Serialize)]
        struct Metadata<'a> {
            resource: String,
            authorization_servers: [&'a str; 1],
            scopes_supported: Vec<&'static str>,
            bearer_methods_supported: [&'static str; 1],
        }
        let mut scopes = vec!["openid"];
        if self.offline_access {
            scopes.push("offline_access");
        }
        serde_json::to_string(&Metadata {
            resource: self.resource(server),
            authorization_servers: [&self.auth_base_url],
            scopes_supported: scopes,
            bearer_methods_supported: ["header"],
        })
        .unwrap_or_default()
    }
}

/// The `WWW-Authenticate` value of a `401` (RFC 6750 §3, RFC 9728 §5.1).
pub fn challenge(error: Option<(&str, &str)>, resource_metadata: Option<&str>) -> String {
    let mut params = Vec::new();
    if let Some(url) = resource_metadata {
        params.push(format!("resource_metadata=\"{url}\""));
    }
    if let Some((code, description)) = error {
        params.push(format!("error=\"{code}\""));
        params.push(format!(
            "error_description=\"{}\"",
            description.replace('"', "'")
        ));
    }
    if params.is_empty() {
        "Bearer".to_owned()
    } else {
        format!("Bearer {}", params.join(", "))
    }
}
