//! What the frontend's pages need of the configuration: where the servers are, and the
//! secrets of actions that users give on the secrets page.

use std::time::Duration;

/// Secrets of actions (`mcpActions.secrets.*`): off without a key.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretsConfig {
    /// `encryptionKey`: seals submitted secrets at rest.
    pub key: Option<crate::secrets::SealingKey>,
    /// `ttlSeconds` (default 300): how long a request for secrets, and what the user
    /// submitted for it, lasts.
    pub ttl: Duration,
    /// `app.baseUrl` without a trailing slash: the secrets page is under it.
    pub app_base_url: String,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            key: None,
            ttl: Duration::from_secs(300),
            app_base_url: String::new(),
        }
    }
}

/// The page's view of this Backstage: where the servers are, and how clients get in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageConfig {
    /// The plugin's external base URL, without a trailing slash (empty when unknown).
    pub base_url: String,
    /// Static tokens are configured (`backend.auth.externalAccess`).
    pub static_tokens: bool,
}
