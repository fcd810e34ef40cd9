//! The edges requests enter through: API Gateway (throttling, its Lambda
//! authorizer and the authorizer's cache, the integration timeout,
//! 429/500/502/504 to the client), Application and
//! Network Load Balancers (listener rules, target selection is the
//! service's, idle timeout, LCU inputs) and CloudFront (cache hits
//! answered at the edge, misses sent to the origin).

use archsim_model::component::{ApiGatewayProps, ComponentKind, LoadBalancerProps};
use archsim_model::connection::{ConditionField, ConnectionKind, RuleCondition};
use archsim_model::listener_rule::rule_matches;
use archsim_model::{Component, Design};

use super::build::index_of;
use super::events::{ErrKind, Outcome};
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::rng::{pick_weighted, uniform};

/// A listener rule: its conditions (all must match; none is the default
/// rule) and the target it forwards to.
pub(super) struct Rule {
    priority: u32,
    conditions: Vec<RuleCondition>,
    target: u32,
    /// Its target group's weight among the rules of the same priority and
    /// conditions (one rule forwarding to weighted target groups).
    weight: u32,
}

/// A load balancer's behaviour: its `Route` connections as listener
/// rules, lowest priority number first and the default rule last.
pub(super) fn load_balancer(
    design: &Design,
    comp: &Component,
    p: &LoadBalancerProps,
    ids: &[&str],
) -> Behaviour {
    let mut rules: Vec<Rule> = Vec::new();
    for (conn, to) in design.outgoing(&comp.id) {
        if let ConnectionKind::Route {
            priority,
            conditions,
            weight,
            ..
        } = &conn.kind
        {
            let Some(t) = index_of(ids, &to.id) else {
                continue;
            };
            rules.push(Rule {
                priority: priority.unwrap_or(u32::MAX),
                conditions: conditions.clone(),
                target: t,
                weight: *weight,
            });
        }
    }
    // Stable: the target groups of one rule stay in connection order.
    rules.sort_by_key(|r| r.priority);
    Behaviour::LoadBalancer {
        rules,
        idle_timeout: u64::from(p.idle_timeout_s) * SEC,
        algorithm: p.algorithm,
    }
}

/// The run's notes on `comp`'s rules with a condition other than a path
/// (a host, method, header, query string or source address): a simulated
/// request carries a path only, so such a condition is taken to match
/// (`archsim_model::listener_rule`), and the note says so.
pub(super) fn conditions_taken_to_match(design: &Design, comp: &Component) -> Vec<String> {
    let mut notes = Vec::new();
    for (conn, to) in design.outgoing(&comp.id) {
        let ConnectionKind::Route {
            priority,
            conditions,
            ..
        } = &conn.kind
        else {
            continue;
        };
        let mut fields: Vec<&str> = conditions
            .iter()
            .filter_map(|c| match c.field {
                ConditionField::PathPattern => None,
                ConditionField::HostHeader => Some("host header"),
                ConditionField::HttpMethod => Some("HTTP method"),
                ConditionField::HttpHeader => Some("HTTP header"),
                ConditionField::QueryString => Some("query string"),
                ConditionField::SourceIp => Some("source IP"),
            })
            .collect();
        fields.dedup();
        if fields.is_empty() {
            continue;
        }
        let rule = priority.map_or("its default rule".to_string(), |p| format!("rule {p}"));
        notes.push(format!(
            "{}: {rule} (to {}) also matches on its {}: simulated requests carry a path only, so that is taken to match",
            comp.name,
            to.name,
            fields.join(", ")
        ));
    }
    notes
}

/// An API's Lambda authorizer: the function API Gateway invokes before
/// the integration, and each caller's cached answer.
pub(super) struct Authorizer {
    function: u32,
    /// How long an answer is kept; 0: every request invokes the function.
    ttl: Us,
    /// When each caller's cached answer expires (0: none yet). Callers
    /// are drawn uniformly, one per request.
    expires: Vec<Us>,
}

/// A request of an API waiting for its authorizer (`Req::step`).
const AUTHORIZING: u16 = 1;

/// The Lambda function that authorizes `comp` (an API), as its
/// authorizer; `None` without one (a Cognito user pool's JWTs are checked
/// by API Gateway itself, at no modelled cost).
pub(super) fn authorizer(
    design: &Design,
    comp: &Component,
    p: &ApiGatewayProps,
    ids: &[&str],
) -> Option<Box<Authorizer>> {
    let function = design
        .incoming(&comp.id)
        .into_iter()
        .find_map(|(conn, from)| {
            (matches!(conn.kind, ConnectionKind::Authorizes)
                && from.kind() == ComponentKind::LambdaFunction)
                .then(|| index_of(ids, &from.id))
                .flatten()
        })?;
    let a = &p.lambda_authorizer;
    Some(Box::new(Authorizer {
        function,
        ttl: u64::from(a.result_ttl_s) * SEC,
        expires: vec![0; a.callers.max(1) as usize],
    }))
}

impl Simulation {
    /// API Gateway: a token bucket throttles (429); then, with a Lambda
    /// authorizer, the request's caller is drawn and the authorizer is
    /// invoked unless that caller's answer is still cached; then the
    /// integration is called, or the service integrations fire when there
    /// is none.
    pub(super) fn api_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Api {
            bucket, authorizer, ..
        } = &mut n.behaviour
        else {
            return;
        };
        if !bucket.take(now) {
            self.finish(r, Outcome::Throttled);
            return;
        }
        n.billed_requests += 1;
        if let Some(a) = authorizer {
            let callers = a.expires.len();
            let caller = if a.ttl > 0 && callers > 1 {
                ((uniform(&mut n.rng) * callers as f64) as usize).min(callers - 1)
            } else {
                0
            };
            if a.ttl == 0 || a.expires[caller] <= now {
                let function = a.function;
                let req = &mut self.reqs[r as usize];
                req.step = AUTHORIZING;
                req.slot = caller as u32;
                self.call(r, function);
                return;
            }
        }
        self.integrate(r);
    }

    /// The request is authorized (or needs no authorizer): the
    /// integration's timeout starts now.
    fn integrate(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        self.reqs[r as usize].integration_start = self.now;
        let Behaviour::Api { target, .. } = &self.nodes[node as usize].behaviour else {
            return;
        };
        let t = *target;
        if t != NONE {
            self.call(r, t);
        } else {
            self.side_effects(r);
            self.finish(r, Outcome::Ok);
        }
    }

    /// A request's callee answered: its authorizer (the answer is cached
    /// for the caller and the integration called; an authorizer that
    /// failed or was throttled is a 500, as API Gateway answers), or its
    /// integration.
    pub(super) fn api_child_returned(&mut self, p: u32, outcome: Outcome, timeout: Us) {
        if self.reqs[p as usize].step != AUTHORIZING {
            self.api_returned(p, outcome, timeout);
            return;
        }
        let now = self.now;
        let req = &mut self.reqs[p as usize];
        req.step = 0;
        let caller = req.slot as usize;
        if outcome != Outcome::Ok {
            req.answered = self.child_answered;
            self.finish(p, Outcome::Error(ErrKind::Authorizer500));
            return;
        }
        let node = req.node;
        if let Behaviour::Api {
            authorizer: Some(a),
            ..
        } = &mut self.nodes[node as usize].behaviour
            && a.ttl > 0
        {
            a.expires[caller] = now + a.ttl;
        }
        self.integrate(p);
    }

    /// The integration answered: past the integration timeout the client
    /// had a 504; otherwise throttles become 429 and errors 502.
    pub(super) fn api_returned(&mut self, p: u32, outcome: Outcome, timeout: Us) {
        let parent = self.reqs[p as usize];
        let elapsed = self.now - parent.integration_start;
        self.reqs[p as usize].answered = self.child_answered;
        let o = if elapsed > timeout {
            // The client got a 504 at the timeout; the callee kept
            // running. The 504 is counted when the callee returns
            // (no timer per request on the hot path), with the
            // latency the client saw.
            self.reqs[p as usize].answered = parent.integration_start + timeout;
            Outcome::Error(ErrKind::Timeout504)
        } else {
            match outcome {
                Outcome::Ok => {
                    self.side_effects(p);
                    Outcome::Ok
                }
                Outcome::Throttled | Outcome::Error(ErrKind::Throttle429) => {
                    Outcome::Error(ErrKind::Throttle429)
                }
                Outcome::Error(ErrKind::Timeout504) => Outcome::Error(ErrKind::Timeout504),
                Outcome::Error(_) => Outcome::Error(ErrKind::Bad502),
            }
        };
        self.finish(p, o);
    }

    /// A load balancer: the first rule in priority order whose conditions
    /// match the request's path forwards it (`rule_matches`: all
    /// conditions, any value); with no match the request fails as
    /// `no_route`. Counts the LCU inputs.
    pub(super) fn lb_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let n = &mut self.nodes[node as usize];
        let Behaviour::LoadBalancer { rules, .. } = &n.behaviour else {
            return;
        };
        let path = self.paths[self.reqs[r as usize].path as usize].as_str();
        let mut evaluated = 0;
        let mut target = NONE;
        for (i, rule) in rules.iter().enumerate() {
            evaluated += 1;
            if rule_matches(&rule.conditions, path) {
                target = rule.target;
                // Weighted target groups: the rules that share this one's
                // priority and conditions, drawn by weight.
                let group: Vec<&Rule> = rules[i..]
                    .iter()
                    .take_while(|g| g.priority == rule.priority && g.conditions == rule.conditions)
                    .collect();
                if group.len() > 1 && group.iter().any(|g| g.weight > 0) {
                    let weights = group.iter().map(|g| f64::from(g.weight));
                    if let Some(k) = pick_weighted(weights, uniform(&mut n.rng)) {
                        target = group[k].target;
                    }
                }
                break;
            }
        }
        let u = &mut n.lb;
        u.requests += 1;
        u.new_connections += 1;
        u.rule_evaluations += evaluated;
        let profile = self.reqs[r as usize].profile;
        u.processed_bytes += if profile == NONE {
            1_024 + 4_096
        } else {
            self.profiles[profile as usize].bytes
        };
        if target == NONE {
            self.finish(r, Outcome::Error(ErrKind::NoRoute));
        } else {
            self.call(r, target);
        }
    }

    /// The target answered: past the idle timeout the client had a 504;
    /// otherwise 503 (no healthy target) and 504 pass through and other
    /// errors become 502.
    pub(super) fn lb_returned(&mut self, p: u32, outcome: Outcome, idle_timeout: Us) {
        let parent = self.reqs[p as usize];
        let elapsed = self.now - parent.arrived;
        self.reqs[p as usize].answered = self.child_answered;
        let o = if elapsed > idle_timeout {
            self.reqs[p as usize].answered = parent.arrived + idle_timeout;
            Outcome::Error(ErrKind::Timeout504)
        } else {
            match outcome {
                Outcome::Ok => Outcome::Ok,
                Outcome::Error(ErrKind::Unavailable503) => Outcome::Error(ErrKind::Unavailable503),
                Outcome::Error(ErrKind::Timeout504) => Outcome::Error(ErrKind::Timeout504),
                _ => Outcome::Error(ErrKind::Bad502),
            }
        };
        self.finish(p, o);
    }

    /// CloudFront with an origin: a cache hit (drawn from the hit ratio)
    /// is answered at the edge at once; a miss goes to the origin.
    pub(super) fn edge_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Edge { hit_ratio, target } = &n.behaviour else {
            return;
        };
        let (h, t) = (*hit_ratio, *target);
        if uniform(&mut n.rng) < h {
            self.finish(r, Outcome::Ok);
        } else {
            self.call(r, t);
        }
    }
}
