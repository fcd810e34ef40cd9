//! Load balancer listener rules as AWS evaluates them: one matcher for the
//! simulator's routing, ECS placement expressions and the cost estimate.
//!
//! A rule matches when **all** of its conditions match; a condition matches
//! when **any** of its values does. Path patterns are case-sensitive globs
//! (`*` any run of characters, `?` exactly one). A request carries only what
//! a scenario gives it (a path): a condition on another field (host header,
//! method, header, query string, source IP) cannot be decided from it and is
//! taken to match, so traffic reaches the rule's target rather than vanish.

use crate::connection::{ConditionField, RuleCondition};

/// Matches `text` against an AWS wildcard pattern: `*` any run of
/// characters (including none), `?` exactly one; everything else literal
/// and case-sensitive. Linear in practice (backtracks only to the last `*`).
///
/// ```
/// use archsim_model::listener_rule::glob_matches;
/// assert!(glob_matches("/api/*", "/api/orders/7"));
/// assert!(glob_matches("t3.*", "t3.large"));
/// assert!(!glob_matches("/api/?", "/api/10"));
/// ```
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut s) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while s < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[s]) {
            p += 1;
            s += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = s;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            s = mark;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

/// Whether a request for `path` matches a rule with these conditions (no
/// conditions: the default rule, which matches everything).
///
/// ```
/// use archsim_model::connection::RuleCondition;
/// use archsim_model::listener_rule::rule_matches;
/// let rule = [RuleCondition::path(&["/api/*", "/v2/*"])];
/// assert!(rule_matches(&rule, "/v2/users"));
/// assert!(!rule_matches(&rule, "/static/app.js"));
/// assert!(rule_matches(&[], "/anything"));
/// ```
pub fn rule_matches(conditions: &[RuleCondition], path: &str) -> bool {
    conditions.iter().all(|c| condition_matches(c, path))
}

fn condition_matches(condition: &RuleCondition, path: &str) -> bool {
    match condition.field {
        ConditionField::PathPattern => condition.values.iter().any(|p| glob_matches(p, path)),
        // Simulated requests carry a path only (see the module docs).
        ConditionField::HostHeader
        | ConditionField::HttpMethod
        | ConditionField::HttpHeader
        | ConditionField::QueryString
        | ConditionField::SourceIp => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("/api/*", "/api/"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("/a*b*c", "/aXXbYYc"));
        assert!(!glob_matches("/a*b*c", "/aXXbYY"));
        assert!(glob_matches("/img/?.png", "/img/1.png"));
        assert!(!glob_matches("/API/*", "/api/x"));
        assert!(!glob_matches("", "/"));
    }

    #[test]
    fn all_conditions_must_match() {
        let both = [
            RuleCondition::path(&["/api/*"]),
            RuleCondition::path(&["*/orders"]),
        ];
        assert!(rule_matches(&both, "/api/v1/orders"));
        assert!(!rule_matches(&both, "/api/v1/users"));
        let host = RuleCondition {
            field: ConditionField::HostHeader,
            values: vec!["api.example.com".into()],
        };
        assert!(rule_matches(&[host, RuleCondition::path(&["/x"])], "/x"));
    }
}
