//! SNS subscription filter policies: a topic delivers a message to a
//! subscription only when the message's attributes (or its JSON body, for
//! the `MessageBody` scope) pass the subscription's policy; a subscription
//! without one gets every message. The counts are exact: constant traffic
//! for 100 s, each profile's messages carrying its attributes.

mod common;

use std::collections::BTreeMap;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::filter_policy::AttributeValue;
use archsim_model::scenario::{RequestAttributes, TrafficPattern, TrafficProfile};
use archsim_sim::{RunOptions, SimError, simulate};
use common::*;
use serde_json::{Value, json};

fn function() -> Props {
    Props::LambdaFunction(LambdaProps {
        work: Work {
            duration: Distribution::Constant { ms: 20.0 },
            cpu_share: 0.0,
        },
        ..Default::default()
    })
}

/// publisher -> orders (topic) -> billing (function, `billing` filter),
/// audit (function, no filter), archive (queue, `archive` filter).
fn fan_out(billing: Value, archive: Value) -> archsim_model::Design {
    Build::new()
        .add("publisher", Props::Client(ClientProps::default()))
        .add("orders", Props::SnsTopic(SnsTopicProps::default()))
        .add("billing", function())
        .add("audit", function())
        .add("archive", Props::SqsQueue(SqsQueueProps::default()))
        .link_as("publisher", "orders", Meaning::Publishes)
        .link_as("orders", "billing", Meaning::InvokeAsync)
        .link_as("orders", "audit", Meaning::InvokeAsync)
        .link_as("orders", "archive", Meaning::Publishes)
        .filter("orders", "billing", billing)
        .filter("orders", "archive", archive)
        .design()
}

/// A message's attributes, as a test writes them.
type Attributes = Vec<(&'static str, AttributeValue)>;

fn attributes(pairs: &[(&str, AttributeValue)]) -> BTreeMap<String, AttributeValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::String(v.into())
}

/// Messages published at `rps` each for 100 s, with these attributes
/// (and body).
fn messages(kinds: Vec<(f64, RequestAttributes)>) -> archsim_model::scenario::Scenario {
    let mut sc = scenario("publisher", TrafficPattern::Constant { rps: 1.0 }, 100.0);
    sc.traffic = kinds
        .into_iter()
        .map(|(rps, request)| TrafficProfile {
            entry: "publisher".into(),
            pattern: TrafficPattern::Constant { rps },
            request,
        })
        .collect();
    sc
}

fn with_attributes(pairs: &[(&str, AttributeValue)]) -> RequestAttributes {
    RequestAttributes {
        message_attributes: attributes(pairs),
        ..Default::default()
    }
}

fn requests(r: &archsim_sim::Run, id: &str) -> u64 {
    r.component(id).unwrap().requests
}

#[test]
fn each_subscription_gets_only_the_messages_its_policy_passes() {
    let design = fan_out(
        json!({"policy": {"event": ["order_placed"]}}),
        json!({"policy": {"price_usd": [{"numeric": [">=", 100]}]}}),
    );
    let scenario = messages(vec![
        (
            5.0,
            with_attributes(&[
                ("event", s("order_placed")),
                ("price_usd", AttributeValue::Number(210.75)),
            ]),
        ),
        (
            3.0,
            with_attributes(&[
                ("event", s("order_cancelled")),
                ("price_usd", AttributeValue::Number(20.0)),
            ]),
        ),
        (2.0, RequestAttributes::default()),
    ]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(requests(&r, "orders"), 1000);
    // No filter: every message.
    assert_eq!(requests(&r, "audit"), 1000);
    assert_eq!(requests(&r, "billing"), 500);
    assert_eq!(requests(&r, "archive"), 500);
    let u = &r.usage.sns_subscriptions["orders--billing"];
    assert_eq!((u.delivered, u.filtered_out), (500, 500));
    // Only filtered subscriptions are listed.
    assert_eq!(r.usage.sns_subscriptions.len(), 2);
}

#[test]
fn each_operator_as_aws_documents_it() {
    // (policy on billing, messages' attributes, deliveries expected of
    // 1,000: 4 rps of the first kind, 6 of the second).
    let cases: Vec<(Value, [Attributes; 2], u64)> = vec![
        (
            json!({"color": [{"prefix": "bl"}]}),
            [vec![("color", s("blue"))], vec![("color", s("red"))]],
            400,
        ),
        (
            json!({"file": [{"suffix": ".jpg"}]}),
            [vec![("file", s("a.jpg"))], vec![("file", s("a.png"))]],
            400,
        ),
        (
            json!({"color": [{"equals-ignore-case": "RED"}]}),
            [vec![("color", s("Blue"))], vec![("color", s("red"))]],
            600,
        ),
        (
            json!({"color": [{"anything-but": ["red", "green"]}]}),
            [vec![("color", s("blue"))], vec![("color", s("red"))]],
            400,
        ),
        (
            json!({"color": [{"anything-but": {"prefix": "re"}}]}),
            [vec![("color", s("blue"))], vec![("color", s("red"))]],
            400,
        ),
        (
            json!({"n": [{"numeric": [">", 0, "<=", 10]}]}),
            [
                vec![("n", AttributeValue::Number(10.0))],
                vec![("n", AttributeValue::Number(10.5))],
            ],
            400,
        ),
        (
            json!({"store": [{"exists": true}]}),
            [vec![("store", s("x"))], vec![("other", s("x"))]],
            400,
        ),
        // A missing key passes `exists: false` when other attributes are there.
        (
            json!({"store": [{"exists": false}]}),
            [vec![("store", s("x"))], vec![("other", s("x"))]],
            600,
        ),
        (
            json!({"ip": [{"cidr": "10.0.0.0/24"}]}),
            [vec![("ip", s("10.0.0.9"))], vec![("ip", s("10.0.1.9"))]],
            400,
        ),
        // OR within a key's array; String.Array matches on any element.
        (
            json!({"interests": ["rugby", "tennis"]}),
            [
                vec![(
                    "interests",
                    AttributeValue::StringArray(vec!["soccer".into(), "tennis".into()]),
                )],
                vec![("interests", s("golf"))],
            ],
            400,
        ),
        // AND across keys, `$or` across branches.
        (
            json!({"a": ["1"], "$or": [{"b": ["2"]}, {"c": ["3"]}]}),
            [
                vec![("a", s("1")), ("c", s("3"))],
                vec![("a", s("1")), ("b", s("9"))],
            ],
            400,
        ),
    ];
    for (policy, [first, second], expected) in cases {
        let design = fan_out(json!({"policy": policy}), json!(null));
        let scenario = messages(vec![
            (4.0, with_attributes(&first)),
            (6.0, with_attributes(&second)),
        ]);
        let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
        assert_eq!(requests(&r, "billing"), expected, "{policy}");
        assert_eq!(requests(&r, "archive"), 1000, "{policy}");
    }
}

#[test]
fn a_body_scope_policy_reads_the_message_body() {
    let design = fan_out(
        json!({"policy": {"order": {"total": [{"numeric": [">=", 50]}]}}, "scope": "MessageBody"}),
        json!(null),
    );
    let body = |total: f64| RequestAttributes {
        message_body: Some(json!({"order": {"total": total}})),
        ..Default::default()
    };
    // Attributes alone do not reach a body-scope policy.
    let scenario = messages(vec![
        (2.0, body(80.0)),
        (3.0, body(10.0)),
        (
            5.0,
            with_attributes(&[("total", AttributeValue::Number(80.0))]),
        ),
    ]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(requests(&r, "billing"), 200);
}

#[test]
fn messages_keep_their_attributes_through_a_function_that_publishes() {
    // publisher -> intake (function) -> orders: the function's messages
    // carry what the traffic that invoked it carries.
    let design = Build::new()
        .add("publisher", Props::Client(ClientProps::default()))
        .add("intake", function())
        .add("orders", Props::SnsTopic(SnsTopicProps::default()))
        .add("billing", function())
        .link_as("publisher", "intake", Meaning::InvokeSync)
        .link_as("intake", "orders", Meaning::Publishes)
        .link_as("orders", "billing", Meaning::InvokeAsync)
        .filter(
            "orders",
            "billing",
            json!({"policy": {"event": ["order_placed"]}}),
        )
        .design();
    let scenario = messages(vec![
        (7.0, with_attributes(&[("event", s("order_placed"))])),
        (3.0, with_attributes(&[("event", s("other"))])),
    ]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(requests(&r, "intake"), 1000);
    assert_eq!(requests(&r, "billing"), 700);
}

#[test]
fn the_same_seed_gives_the_same_run_and_a_bad_policy_stops_it() {
    let design = fan_out(json!({"policy": {"event": ["order_placed"]}}), json!(null));
    let mut scenario = messages(vec![
        (6.0, with_attributes(&[("event", s("order_placed"))])),
        (4.0, RequestAttributes::default()),
    ]);
    for t in &mut scenario.traffic {
        t.pattern = TrafficPattern::Poisson {
            rps: match &t.pattern {
                TrafficPattern::Constant { rps } => *rps,
                _ => unreachable!(),
            },
        };
    }
    let a = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    let b = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(a.usage.sns_subscriptions, b.usage.sns_subscriptions);
    assert_eq!(requests(&a, "billing"), requests(&b, "billing"));
    let u = a.usage.sns_subscriptions["orders--billing"];
    assert_eq!(u.delivered + u.filtered_out, requests(&a, "orders"));
    assert_eq!(u.delivered, requests(&a, "billing"));

    let bad = fan_out(json!({"policy": {"event": "order_placed"}}), json!(null));
    match simulate(&bad, &scenario, &RunOptions::default()) {
        Err(SimError::InvalidDesign(m)) => assert!(m.contains("SNS_FILTER_POLICY_INVALID"), "{m}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
}
