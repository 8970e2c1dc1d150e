//! Refusals before authentication (origins, JWTs that cannot be valid), challenges and
//! RFC 9728 metadata.

mod common;
use common::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use mcp_actions_backend::auth::{bearer_token, precheck_token, OriginPolicy, TokenRejection};
use serde_json::json;

const NOW: u64 = 1_800_000_000;

fn jwt(claims: serde_json::Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(b"test"),
    )
    .unwrap()
}

#[test]
fn bearer_tokens_are_read_like_backstage_reads_them() {
    assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
    assert_eq!(bearer_token(Some("bearer   abc")), Some("abc"));
    assert_eq!(bearer_token(Some("Basic abc")), None);
    assert_eq!(bearer_token(Some("Bearer")), None);
    assert_eq!(bearer_token(Some("Bearer a b")), None);
    assert_eq!(bearer_token(None), None);
}

#[test]
fn expired_and_future_jwts_are_refused_with_leeway() {
    assert_eq!(
        precheck_token(&jwt(json!({"sub": "x", "exp": NOW - 31})), NOW),
        Err(TokenRejection::Expired)
    );
    assert_eq!(
        precheck_token(&jwt(json!({"sub": "x", "exp": NOW - 29})), NOW),
        Ok(())
    );
    assert_eq!(
        precheck_token(&jwt(json!({"sub": "x", "exp": NOW + 3600})), NOW),
        Ok(())
    );
    assert_eq!(
        precheck_token(&jwt(json!({"sub": "x", "nbf": NOW + 60})), NOW),
        Err(TokenRejection::NotYetValid)
    );
    assert_eq!(precheck_token(&jwt(json!({"sub": "x"})), NOW), Ok(()));
}

#[test]
fn malformed_jwts_are_refused_but_opaque_tokens_pass() {
    let good = jwt(json!({"sub": "x", "exp": NOW + 60}));
    let header = good.split('.').next().unwrap();
    assert_eq!(
        precheck_token(&format!("{header}.!!notbase64!!.sig"), NOW),
        Err(TokenRejection::Malformed)
    );
    // Opaque static tokens, even with dots, are Backstage's to judge.
    for opaque in ["my-static-token", "my.static.token", "a.b", "a.b.c.d", ""] {
        assert_eq!(precheck_token(opaque, NOW), Ok(()), "{opaque}");
    }
}

#[test]
fn origins_default_to_own_and_loopback() {
    let own = vec!["https://backstage.example.com".to_owned()];
    let p = OriginPolicy::new(None, &own);
    assert!(p.allows(None), "non-browser clients send no Origin");
    assert!(p.allows(Some("https://backstage.example.com")));
    assert!(p.allows(Some("https://Backstage.Example.com/")));
    for ok in [
        "http://localhost:6274",
        "http://127.0.0.1:3000",
        "http://[::1]:8080",
        "http://localhost",
    ] {
        assert!(p.allows(Some(ok)), "{ok}");
    }
    for bad in [
        "http://evil.example",
        "null",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "https://backstage.example.com:8443",
    ] {
        assert!(!p.allows(Some(bad)), "{bad}");
    }
    let configured = vec!["https://tools.example".to_owned()];
    let p = OriginPolicy::new(Some(&configured), &own);
    assert!(p.allows(Some("https://tools.example")));
    assert!(
        !p.allows(Some("http://localhost:6274")),
        "a configured list is exact"
    );
    assert!(OriginPolicy::new(Some(&["*".to_owned()]), &own).allows(Some("http://anything")));
}

#[test]
fn engine_precheck_refuses_origin_then_expired_tokens() {
    let f = fixture_with(
        config_from(json!({"ownOrigins": ["http://b.example"]})),
        default_actions(),
        vec![],
    );
    let r = f
        .engine
        .precheck(Some("http://evil.example"), None, None, NOW)
        .refusal
        .unwrap();
    assert_eq!(r.status, 403);
    assert!(body_json(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("http://evil.example"));
    let expired = format!("Bearer {}", jwt(json!({"exp": NOW - 3600})));
    let r = f
        .engine
        .precheck(None, Some(&expired), None, NOW)
        .refusal
        .unwrap();
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("the access token expired"));
    assert!(f
        .engine
        .precheck(Some("http://b.example"), Some("Bearer opaque"), None, NOW)
        .refusal
        .is_none());
}

fn oauth() -> Fixture {
    fixture_with(
        config_from(json!({
            "servers": [{"key": "catalog", "name": "Catalog"}],
            "oauth": {"mcpBaseUrl": "https://b.example/api/mcp-actions", "authBaseUrl": "https://b.example/api/auth", "offlineAccess": true}
        })),
        default_actions(),
        vec![],
    )
}

#[test]
fn with_oauth_the_challenge_names_the_metadata_of_each_server() {
    let f = oauth();
    assert_eq!(
        f.engine.unauthorized(None, None).header("www-authenticate"),
        Some("Bearer resource_metadata=\"https://b.example/.well-known/oauth-protected-resource/api/mcp-actions/v1\"")
    );
    assert_eq!(
        f.engine.unauthorized(None, Some("catalog")).header("www-authenticate"),
        Some("Bearer resource_metadata=\"https://b.example/.well-known/oauth-protected-resource/api/mcp-actions/v1/catalog\"")
    );
    assert_eq!(
        fixture()
            .engine
            .unauthorized(None, None)
            .header("www-authenticate"),
        Some("Bearer")
    );
}

#[test]
fn protected_resource_metadata() {
    let f = oauth();
    let r = f.engine.protected_resource_metadata(Some("catalog"));
    assert_eq!(r.status, 200);
    assert_eq!(
        body_json(&r),
        json!({
            "resource": "https://b.example/api/mcp-actions/v1/catalog",
            "authorization_servers": ["https://b.example/api/auth"],
            "scopes_supported": ["openid", "offline_access"],
            "bearer_methods_supported": ["header"]
        })
    );
    assert_eq!(
        f.engine.protected_resource_metadata(Some("nope")).status,
        404
    );
    assert_eq!(
        fixture().engine.protected_resource_metadata(None).status,
        404
    );
}

#[test]
fn the_credentials_cache_remembers_until_expiry_and_forgets_on_demand() {
    use mcp_actions_backend::auth::{CredentialsCache, Lookup};
    let cache = CredentialsCache::new(2, 60);
    assert_eq!(cache.lookup("opaque-a", NOW), Lookup::Miss { stale: None });
    assert!(cache.insert("opaque-a", 1, NOW).is_empty());
    assert_eq!(cache.lookup("opaque-a", NOW + 59), Lookup::Hit(1));
    // Opaque tokens live for the TTL; then the stale handle comes back for release.
    assert_eq!(
        cache.lookup("opaque-a", NOW + 60),
        Lookup::Miss { stale: Some(1) }
    );
    assert!(cache.is_empty());

    // A JWT lives until its exp; one already expired is not kept.
    let jwt_a = jwt(json!({"exp": NOW + 10}));
    assert!(cache.insert(&jwt_a, 2, NOW).is_empty());
    assert_eq!(cache.lookup(&jwt_a, NOW + 9), Lookup::Hit(2));
    assert_eq!(
        cache.lookup(&jwt_a, NOW + 10),
        Lookup::Miss { stale: Some(2) }
    );
    assert_eq!(cache.insert(&jwt(json!({"exp": NOW - 1})), 3, NOW), vec![3]);

    // Bounded: the oldest entry goes first; replacing a token releases its old handle.
    assert!(cache.insert("t1", 4, NOW).is_empty());
    assert!(cache.insert("t2", 5, NOW).is_empty());
    assert_eq!(cache.insert("t3", 6, NOW), vec![4]);
    assert_eq!(cache.insert("t3", 7, NOW), vec![6]);
    assert_eq!(cache.len(), 2);

    // A downstream 401 drops an entry.
    assert!(cache.forget(7));
    assert!(!cache.forget(7));
    assert_eq!(cache.lookup("t3", NOW), Lookup::Miss { stale: None });
    assert_eq!(cache.sweep(NOW + 3600), vec![5]);

    // Off.
    let off = CredentialsCache::new(0, 60);
    assert_eq!(off.insert("t", 9, NOW), vec![9]);
    assert_eq!(off.lookup("t", NOW), Lookup::Miss { stale: None });
}

#[test]
fn the_engine_serves_cached_credentials_for_a_known_token() {
    let f = fixture();
    let auth = Some("Bearer opaque-token");
    assert_eq!(f.engine.precheck(None, auth, None, NOW).cached, None);
    assert!(f.engine.remember_credentials(auth, 11, NOW).is_empty());
    assert_eq!(f.engine.precheck(None, auth, None, NOW).cached, Some(11));
    assert_eq!(
        f.engine
            .precheck(None, Some("Bearer other"), None, NOW)
            .cached,
        None
    );
    // A refused origin is refused even with a cached token.
    let refused = f
        .engine
        .precheck(Some("http://evil.example"), auth, None, NOW);
    assert!(refused.refusal.is_some() && refused.cached.is_none());
    assert_eq!(f.engine.remember_credentials(None, 12, NOW), vec![12]);
}
