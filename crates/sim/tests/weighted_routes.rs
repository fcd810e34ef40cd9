//! Weighted target groups: load balancer routes that share a priority
//! and their conditions are one rule forwarding to their target groups by
//! weight; validation takes them as one rule, and rules of one priority
//! with different conditions stay an error.

mod common;

use archsim_model::component::*;
use archsim_model::connection::{ConnectionKind, Meaning, RuleCondition};
use archsim_model::scenario::TrafficPattern;
use archsim_model::validate;
use archsim_sim::{RunOptions, simulate};
use common::*;

fn route(priority: Option<u32>, path: Option<&str>, weight: u32) -> ConnectionKind {
    ConnectionKind::Route {
        priority,
        conditions: path
            .map(|p| vec![RuleCondition::path(&[p])])
            .unwrap_or_default(),
        weight,
        target_port: None,
        listener_port: 80,
    }
}

/// Client -> ALB -> two functions, routed as given.
fn canary(blue: ConnectionKind, green: ConnectionKind) -> archsim_model::Design {
    let f = || {
        Props::LambdaFunction(LambdaProps {
            work: Work {
                duration: Distribution::Constant { ms: 20.0 },
                cpu_share: 0.0,
            },
            ..Default::default()
        })
    };
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("alb", Props::Alb(LoadBalancerProps::default()))
        .add("blue", f())
        .add("green", f())
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "blue", blue)
        .link("alb", "green", green)
        .design()
}

#[test]
fn a_weighted_forward_splits_requests_by_weight() {
    let d = canary(route(None, None, 3), route(None, None, 1));
    let sc = scenario("client", TrafficPattern::Constant { rps: 10.0 }, 400.0);
    let r = simulate(&d, &sc, &RunOptions::default()).unwrap();
    let (blue, green) = (
        r.component("blue").unwrap().requests,
        r.component("green").unwrap().requests,
    );
    assert_eq!(blue + green, 4_000);
    // Binomial(4,000, 3/4): 3,000 with a standard deviation of 27.
    assert!(blue.abs_diff(3_000) < 120, "blue {blue}, green {green}");
    // A weight of 0 takes nothing.
    let d = canary(route(None, None, 1), route(None, None, 0));
    let r = simulate(&d, &sc, &RunOptions::default()).unwrap();
    assert_eq!(r.component("green").unwrap().requests, 0);
}

#[test]
fn routes_of_one_priority_are_one_rule_only_with_the_same_conditions() {
    let codes = |d: &archsim_model::Design| -> Vec<String> {
        validate(d)
            .into_iter()
            .map(|p| p.code.to_string())
            .collect()
    };
    let weighted = canary(
        route(Some(7), Some("/x/*"), 9),
        route(Some(7), Some("/x/*"), 1),
    );
    assert!(!codes(&weighted).contains(&"LB_DUPLICATE_PRIORITY".to_string()));
    let clash = canary(
        route(Some(7), Some("/x/*"), 1),
        route(Some(7), Some("/y/*"), 1),
    );
    assert!(codes(&clash).contains(&"LB_DUPLICATE_PRIORITY".to_string()));
}

/// A rule's host (or method, header, query string, source address) cannot
/// be checked against a simulated request, which carries a path only: it
/// is taken to match, and the run's notes say so for that rule alone.
#[test]
fn a_condition_other_than_a_path_is_taken_to_match_and_said_so() {
    use archsim_model::connection::ConditionField;
    let host = ConnectionKind::Route {
        priority: Some(5),
        conditions: vec![
            RuleCondition {
                field: ConditionField::HostHeader,
                values: vec!["admin.example.com".into()],
            },
            RuleCondition::path(&["/*"]),
        ],
        weight: 1,
        target_port: None,
        listener_port: 80,
    };
    let d = canary(host, route(Some(9), Some("/x/*"), 1));
    let sc = scenario("client", TrafficPattern::Constant { rps: 10.0 }, 10.0);
    let r = simulate(&d, &sc, &RunOptions::default()).unwrap();
    // Every request's path matches rule 5's `/*`: its host is not checked.
    assert_eq!(r.component("blue").unwrap().requests, 100);
    assert_eq!(r.component("green").unwrap().requests, 0);
    let noted: Vec<&String> = r
        .notes
        .iter()
        .filter(|n| n.contains("taken to match"))
        .collect();
    assert_eq!(noted.len(), 1, "{:?}", r.notes);
    assert!(
        noted[0].contains("rule 5") && noted[0].contains("host header"),
        "{}",
        noted[0]
    );
    // Path-only rules: no such note.
    let d = canary(
        route(Some(5), Some("/*"), 1),
        route(Some(9), Some("/x/*"), 1),
    );
    let r = simulate(&d, &sc, &RunOptions::default()).unwrap();
    assert!(
        !r.notes.iter().any(|n| n.contains("taken to match")),
        "{:?}",
        r.notes
    );
}
