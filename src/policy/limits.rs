//! Rate limits per caller (`mcpActions.rateLimits`): named rules, each a [`CallMatch`] and a
//! budget of calls per fixed window, counted per principal. Every matching rule counts a call
//! it admits; any rule at its limit refuses it, and the refusal names the rule that frees up
//! last.
//!
//! The deployment's counts live in the host's store, per rule, caller and window. A replica
//! does not write each call there: it claims a lease of calls from the store (a quarter of the
//! limit, never more than is left) and admits calls from it locally; a call that finds no lease
//! waits for the one claim in flight (one store round trip, shared by the calls waiting with it),
//! a few times per window. The store grants only what is left, so replicas together never
//! admit more than the limit. What a replica holds and does not use goes back to the store
//! once it has been idle for a second ([`RateLimiter::idle_batch`]), so another replica can
//! have it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::matcher::{CallFacts, CallMatch};

/// How long a lease may sit unused before it goes back to the store.
pub const IDLE_RELEASE: Duration = Duration::from_secs(1);

/// One rule of `mcpActions.rateLimits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRule {
    /// Named in refusals, audit events and the usage view.
    pub name: String,
    pub matcher: CallMatch,
    /// Calls per window, per caller (at least 1).
    pub limit: u64,
    pub window: Duration,
}

/// `30s`, `1m`, `1h`, `1d` (any whole number of seconds, minutes, hours or days, up to 31 days).
pub fn parse_window(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds <= 31 * 86_400).then(|| Duration::from_secs(seconds))
}

/// `1m`, `90s`, `1d`: a window in the words of its configuration.
pub fn window_words(window: Duration) -> String {
    let s = window.as_secs();
    match s {
        _ if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// A call refused by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: String,
    pub limit: u64,
    pub window: Duration,
    /// Calls the caller has left in this window.
    pub remaining: u64,
    pub retry_after_ms: u64,
}

/// What [`RateLimiter::admit`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Counted by every matching rule.
    Admitted,
    Refused(Refusal),
    /// Some matching rule holds no lease here: claim ([`RateLimiter::claim_batch`]), then
    /// ask again.
    Claim,
}

/// One row of a batch for the store: give back `release` unused calls of this replica's
/// lease, then grant up to `want` more without passing `limit`. The store answers what it
/// `granted` and the deployment's `count` after that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCount {
    pub rule: String,
    pub principal: String,
    pub window_start_ms: u64,
    /// When the row is of no more use (the window's end).
    pub expires_ms: u64,
    pub limit: u64,
    pub release: u64,
    pub want: u64,
    pub granted: u64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: usize,
    principal: String,
    window_start_ms: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// Calls this replica may still admit from what the store granted it.
    lease: u64,
    /// Calls counted in the deployment at the last answer (leases included).
    count: u64,
    /// A call waits for a lease.
    wanted: bool,
    /// When the store last had nothing left to grant for this window: calls are refused
    /// here for `IDLE_RELEASE` after that, then a call asks again (a lease another replica
    /// gave back may have come free).
    exhausted_ms: Option<u64>,
    /// When a call last took from the lease.
    used_ms: u64,
}

/// The rules and this replica's leases.
#[derive(Debug, Default)]
pub struct RateLimiter {
    rules: Vec<RateRule>,
    counts: Mutex<HashMap<Key, Count>>,
    /// One claim at a time; the calls that wait for it share it.
    pub claiming: tokio::sync::Mutex<()>,
}

impl RateLimiter {
    pub fn new(rules: Vec<RateRule>) -> Self {
        Self {
            rules,
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rules(&self) -> &[RateRule] {
        &self.rules
    }

    /// Whether deciding `facts` needs the action's attributes: some rule that names
    /// attributes matches the call otherwise.
    pub fn needs_attributes(&self, facts: &CallFacts<'_>) -> bool {
        self.rules
            .iter()
            .any(|r| r.matcher.needs_attributes() && r.matcher.matches_call(facts))
    }

    /// Admit the call (every matching rule counts it), refuse it (none does), or ask for a
    /// claim first.
    pub fn admit(&self, facts: &CallFacts<'_>, now_ms: u64) -> Admission {
        let mut keys = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.matcher.matches(facts) {
                keys.push(Key {
                    rule: i,
                    principal: facts.principal.to_owned(),
                    window_start_ms: window_start(now_ms, rule.window),
                });
            }
        }
        if keys.is_empty() {
            return Admission::Admitted;
        }
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut refusal: Option<Refusal> = None;
        let mut claim = false;
        for key in &keys {
            let rule = &self.rules[key.rule];
            let count = counts.entry(key.clone()).or_default();
            if count.lease > 0 {
                continue;
            }
            let recheck = IDLE_RELEASE.as_millis() as u64;
            if count
                .exhausted_ms
                .is_none_or(|at| now_ms.saturating_sub(at) >= recheck)
            {
                count.wanted = true;
                claim = true;
                continue;
            }
            let window_ms = rule.window.as_millis() as u64;
            let wait = (key.window_start_ms + window_ms)
                .saturating_sub(now_ms)
                .max(1);
            if refusal.as_ref().is_none_or(|r| wait > r.retry_after_ms) {
                refusal = Some(Refusal {
                    rule: rule.name.clone(),
                    limit: rule.limit,
                    window: rule.window,
                    remaining: 0,
                    retry_after_ms: wait,
                });
            }
        }
        if let Some(refusal) = refusal {
            return Admission::Refused(refusal);
        }
        if claim {
            return Admission::Claim;
        }
        for key in &keys {
            if let Some(count) = counts.get_mut(key) {
                count.lease -= 1;
                count.used_ms = now_ms;
            }
        }
        Admission::Admitted
    }

    /// What to ask the store for now: a lease for every count a call waits on, and back
    /// what sat unused since `IDLE_RELEASE` (or belongs to a window that ended).
    pub fn claim_batch(&self, now_ms: u64) -> Vec<RateCount> {
        self.batch(now_ms, true)
    }

    /// Only the leases to give back (the periodic sweep of a replica).
    pub fn idle_batch(&self, now_ms: u64) -> Vec<RateCount> {
        self.batch(now_ms, false)
    }

    fn batch(&self, now_ms: u64, claims: bool) -> Vec<RateCount> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let rules = &self.rules;
        let idle = IDLE_RELEASE.as_millis() as u64;
        let mut batch = Vec::new();
        counts.retain(|key, count| {
            let rule = &rules[key.rule];
            let end = key.window_start_ms + rule.window.as_millis() as u64;
            let over = end <= now_ms;
            let release = if (over || now_ms.saturating_sub(count.used_ms) >= idle) && !count.wanted
            {
                std::mem::take(&mut count.lease)
            } else {
                0
            };
            let want = if claims && count.wanted && !over {
                rule.limit.div_ceil(4).max(1)
            } else {
                0
            };
            if release > 0 || want > 0 {
                batch.push(RateCount {
                    rule: rule.name.clone(),
                    principal: key.principal.clone(),
                    window_start_ms: key.window_start_ms,
                    expires_ms: end,
                    limit: rule.limit,
                    release,
                    want,
                    granted: 0,
                    count: 0,
                });
            }
            // A window that ended is forgotten once its lease went back.
            !over || count.lease > 0
        });
        batch
    }

    /// The store's answer to a batch (`None`: the store failed). A lease given back is gone
    /// either way; a call that waited for a grant that did not come is admitted (the
    /// limits fail open when the database does) by the caller.
    pub fn settle(&self, batch: &[RateCount], answer: Option<&[RateCount]>, now_ms: u64) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        for sent in batch.iter().filter(|c| c.want > 0) {
            let Some(rule) = self.rules.iter().position(|r| r.name == sent.rule) else {
                continue;
            };
            let key = Key {
                rule,
                principal: sent.principal.clone(),
                window_start_ms: sent.window_start_ms,
            };
            let Some(count) = counts.get_mut(&key) else {
                continue;
            };
            count.wanted = false;
            let granted = answer.and_then(|all| {
                all.iter().find(|t| {
                    t.rule == sent.rule
                        && t.principal == sent.principal
                        && t.window_start_ms == sent.window_start_ms
                })
            });
            if let Some(row) = granted {
                count.lease += row.granted;
                count.count = row.count;
                count.exhausted_ms = (row.granted == 0).then_some(now_ms);
            }
        }
    }

    /// The calls a caller has left under `rule` in its current window, as this replica last
    /// heard (`None`: no call of theirs was counted in it here).
    pub fn remaining(&self, rule: usize, principal: &str, now_ms: u64) -> Option<u64> {
        let limit_rule = self.rules.get(rule)?;
        let key = Key {
            rule,
            principal: principal.to_owned(),
            window_start_ms: window_start(now_ms, limit_rule.window),
        };
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.get(&key)?;
        Some(limit_rule.limit.saturating_sub(count.count) + count.lease)
    }
}

fn window_start(now_ms: u64, window: Duration) -> u64 {
    let window_ms = (window.as_millis() as u64).max(1);
    now_ms - now_ms % window_ms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::AttributeRule;

    type Store = HashMap<(String, String, u64), u64>;

    fn rule(name: &str, tool: Option<&str>, limit: u64, window: &str) -> RateRule {
        RateRule {
            name: name.into(),
            matcher: CallMatch::new(None, tool, AttributeRule::default(), None).unwrap(),
            limit,
            window: parse_window(window).unwrap(),
        }
    }

    fn call<'a>(principal: &'a str, tool: &'a str) -> CallFacts<'a> {
        CallFacts {
            principal,
            tool,
            server: None,
            attributes: None,
        }
    }

    /// The store's rule, as every store applies it ([`super::super::store::claim`]).
    fn answer(store: &mut Store, batch: &[RateCount]) -> Vec<RateCount> {
        batch
            .iter()
            .map(|c| {
                let total = store
                    .entry((c.rule.clone(), c.principal.clone(), c.window_start_ms))
                    .or_default();
                let (granted, count) = super::super::store::claim(*total, c);
                *total = count;
                RateCount {
                    granted,
                    count,
                    ..c.clone()
                }
            })
            .collect()
    }

    /// What the engine does with a call: admit, or claim once and decide.
    fn try_call(limiter: &RateLimiter, store: &mut Store, facts: CallFacts, now: u64) -> Admission {
        match limiter.admit(&facts, now) {
            Admission::Claim => {
                let batch = limiter.claim_batch(now);
                let granted = answer(store, &batch);
                limiter.settle(&batch, Some(&granted), now);
                limiter.admit(&facts, now)
            }
            decided => decided,
        }
    }

    #[test]
    fn windows_parse_and_print() {
        assert_eq!(parse_window("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_window("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_window("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_window("1d"), Some(Duration::from_secs(86_400)));
        for bad in ["", "m", "0m", "1w", "1.5h", "-1m", "32d", "1 m"] {
            assert_eq!(parse_window(bad), None, "{bad}");
        }
        assert_eq!(window_words(Duration::from_secs(86_400)), "1d");
        assert_eq!(window_words(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn one_replica_admits_the_limit_per_window_and_no_more() {
        let limiter = RateLimiter::new(vec![rule("per-caller", None, 10, "1m")]);
        let mut store = Store::new();
        let t = 120_000; // the start of a window
        let admitted = (0..40)
            .filter(|i| {
                try_call(&limiter, &mut store, call("user:default/a", "x.y"), t + i)
                    == Admission::Admitted
            })
            .count();
        assert_eq!(admitted, 10);
        let refused = try_call(
            &limiter,
            &mut store,
            call("user:default/a", "x.y"),
            t + 30_000,
        );
        assert_eq!(
            refused,
            Admission::Refused(Refusal {
                rule: "per-caller".into(),
                limit: 10,
                window: Duration::from_secs(60),
                remaining: 0,
                retry_after_ms: 30_000,
            })
        );
        assert_eq!(limiter.remaining(0, "user:default/a", t + 30_000), Some(0));
        // Another caller has its own budget; the next window starts afresh.
        let other = try_call(&limiter, &mut store, call("user:default/b", "x.y"), t);
        assert_eq!(other, Admission::Admitted);
        let next = try_call(
            &limiter,
            &mut store,
            call("user:default/a", "x.y"),
            t + 60_000,
        );
        assert_eq!(next, Admission::Admitted);
    }

    #[test]
    fn a_call_claims_only_when_the_lease_is_used_up() {
        let limiter = RateLimiter::new(vec![rule("r", None, 100, "1h")]);
        let mut store = Store::new();
        assert_eq!(
            limiter.admit(&call("service:ci", "x.y"), 0),
            Admission::Claim
        );
        let batch = limiter.claim_batch(0);
        assert_eq!((batch.len(), batch[0].want, batch[0].limit), (1, 25, 100));
        limiter.settle(&batch, Some(&answer(&mut store, &batch)), 0);
        // 25 calls from the lease, no store; the 26th claims again.
        for _ in 0..25 {
            assert_eq!(
                limiter.admit(&call("service:ci", "x.y"), 1),
                Admission::Admitted
            );
        }
        assert_eq!(
            limiter.admit(&call("service:ci", "x.y"), 1),
            Admission::Claim
        );
        // The store failing grants nothing, and the caller decides (the engine admits).
        let batch = limiter.claim_batch(1);
        limiter.settle(&batch, None, 1);
        assert_eq!(
            limiter.admit(&call("service:ci", "x.y"), 1),
            Admission::Claim
        );
    }

    #[test]
    fn replicas_together_never_pass_the_limit_and_idle_leases_go_back() {
        for limit in [1, 2, 7, 10, 100] {
            let replicas: Vec<RateLimiter> = (0..3)
                .map(|_| RateLimiter::new(vec![rule("r", None, limit, "1h")]))
                .collect();
            let mut store = Store::new();
            let mut admitted = 0;
            for step in 0..200 {
                for replica in &replicas {
                    let facts = call("service:ci", "x.y");
                    if try_call(replica, &mut store, facts, step) == Admission::Admitted {
                        admitted += 1;
                    }
                }
            }
            assert_eq!(admitted, limit, "limit {limit}");
        }
        // A replica that stops using its lease gives it back; another then has it.
        let a = RateLimiter::new(vec![rule("r", None, 8, "1h")]);
        let b = RateLimiter::new(vec![rule("r", None, 8, "1h")]);
        let mut store = Store::new();
        assert_eq!(
            try_call(&a, &mut store, call("service:ci", "x"), 0),
            Admission::Admitted
        );
        let taken = (0..20)
            .filter(|_| {
                try_call(&b, &mut store, call("service:ci", "x"), 10) == Admission::Admitted
            })
            .count();
        assert_eq!(taken, 6, "a holds 1 unused call of its lease of 2");
        let back = a.idle_batch(1_000);
        assert_eq!((back.len(), back[0].release, back[0].want), (1, 1, 0));
        a.settle(&back, Some(&answer(&mut store, &back)), 1_000);
        // b heard "nothing left" at 10: it asks the store again a second later.
        let soon = try_call(&b, &mut store, call("service:ci", "x"), 1_001);
        assert!(matches!(soon, Admission::Refused(_)), "{soon:?}");
        let late = try_call(&b, &mut store, call("service:ci", "x"), 1_010);
        assert_eq!(late, Admission::Admitted);
    }

    #[test]
    fn the_tightest_matching_rule_decides_and_every_match_counts() {
        let limiter = RateLimiter::new(vec![
            rule("all", None, 100, "1h"),
            rule("platform", Some("platform.*"), 2, "1m"),
        ]);
        let mut store = Store::new();
        for _ in 0..4 {
            let _ = try_call(
                &limiter,
                &mut store,
                call("user:default/a", "platform.restart"),
                0,
            );
        }
        let refused = try_call(
            &limiter,
            &mut store,
            call("user:default/a", "platform.restart"),
            1_000,
        );
        let Admission::Refused(refusal) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(
            (refusal.rule.as_str(), refusal.retry_after_ms),
            ("platform", 59_000)
        );
        // Other tools are under the wider rule only, which counted the platform calls.
        let other = try_call(
            &limiter,
            &mut store,
            call("user:default/a", "catalog.get"),
            1_000,
        );
        assert_eq!(other, Admission::Admitted);
        assert_eq!(limiter.remaining(0, "user:default/a", 1_000), Some(97));
    }
}
