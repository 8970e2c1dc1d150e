//! Early refusal of bearer tokens that cannot be valid: a JWT whose claims do not decode, or
//! that has expired or is not valid yet. Anything else (opaque static tokens included) is
//! left to Backstage.

use serde::Deserialize;

/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

/// Why a token was refused before reaching Backstage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("the access token is a malformed JWT")]
    Malformed,
    #[error("the access token expired")]
    Expired,
    #[error("the access token is not valid yet")]
    NotYetValid,
}

/// The time claims of a JWT.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct TimeClaims {
    pub exp: Option<f64>,
    pub nbf: Option<f64>,
}

/// `None` when `token` is not a JWT (not three parts, or no JWT header): opaque tokens are
/// Backstage's to judge. `Some(Err)` when it is a JWT whose claims do not decode.
pub fn time_claims(token: &str) -> Option<Result<TimeClaims, TokenRejection>> {
    if token.bytes().filter(|b| *b == b'.').count() != 2 {
        return None;
    }
    jsonwebtoken::decode_header(token).ok()?;
    Some(
        jsonwebtoken::dangerous::insecure_decode_claims(token)
            .map_err(|_| TokenRejection::Malformed),
    )
}

/// The token of an `Authorization: Bearer <token>` header (Backstage's own rule).
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim_start_matches(' ');
    (!token.is_empty() && !token.contains(char::is_whitespace)).then_some(token)
}

/// Refuse a JWT that cannot be valid at `now` (seconds since the epoch). A token is taken
/// for a JWT only when it has three parts and its header decodes to a JWT header, so an
/// opaque static token that happens to contain dots is never refused here.
pub fn precheck_token(token: &str, now: u64) -> Result<(), TokenRejection> {
    let Some(claims) = time_claims(token) else {
        return Ok(());
    };
    let claims = claims?;
    let now = now as f64;
    let leeway = LEEWAY_SECONDS as f64;
    if claims.exp.is_some_and(|exp| exp + leeway < now) {
        return Err(TokenRejection::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf - leeway > now) {
        return Err(TokenRejection::NotYetValid);
    }
    Ok(())
}
