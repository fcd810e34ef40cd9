//! SNS filter policies on the bill: a filtered subscription is billed for
//! the messages its policy passes, not for every message published, in the
//! estimate (the scenario's messages that pass) and in the measured bill
//! (what the run delivered) alike; publishes are billed in full.

use std::collections::BTreeMap;

use archsim_cost::estimate::estimate_usage;
use archsim_cost::{Assumptions, ServiceUsage, SnsUsage, measured};
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::filter_policy::AttributeValue;
use archsim_model::scenario::{RequestAttributes, Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{RunOptions, simulate};
use serde_json::json;

/// client -> orders (topic) -> billing (function, only `order_placed`
/// events), archive (queue, every message), stream (Firehose, billed as
/// an HTTP/S delivery, only messages without an `event`).
fn design() -> Design {
    let mut e = Editor::default();
    for (id, props) in [
        ("client", Props::Client(ClientProps::default())),
        ("orders", Props::SnsTopic(SnsTopicProps::default())),
        ("billing", Props::LambdaFunction(LambdaProps::default())),
        ("archive", Props::SqsQueue(SqsQueueProps::default())),
        ("stream", Props::Firehose(FirehoseProps::default())),
    ] {
        e.apply(Op::AddComponent {
            component: Component::new(id, id, props.kind()).with(props),
        })
        .unwrap();
    }
    for (from, to, m) in [
        ("client", "orders", Meaning::Publishes),
        ("orders", "billing", Meaning::InvokeAsync),
        ("orders", "archive", Meaning::Publishes),
        ("orders", "stream", Meaning::Publishes),
    ] {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}-{to}"), from, to, m.default_kind()),
        })
        .unwrap();
    }
    for (id, policy) in [
        ("orders-billing", json!({"event": ["order_placed"]})),
        ("orders-stream", json!({"event": [{"exists": false}]})),
    ] {
        e.apply(Op::SetProperty {
            id: id.into(),
            path: "filter_policy".into(),
            value: json!({ "policy": policy }),
        })
        .unwrap();
    }
    e.into_design()
}

/// 6 order events a second and 4 audit messages a second, for 600 s.
fn scenario() -> Scenario {
    let profile = |rps: f64, name: &str, value: &str| TrafficProfile {
        entry: "client".into(),
        pattern: TrafficPattern::Constant { rps },
        request: RequestAttributes {
            message_attributes: BTreeMap::from([(
                name.to_string(),
                AttributeValue::String(value.into()),
            )]),
            ..Default::default()
        },
    };
    Scenario {
        name: "s".into(),
        start: None,
        description: String::new(),
        duration_s: 600.0,
        seed: 1,
        traffic: vec![
            profile(6.0, "event", "order_placed"),
            profile(4.0, "kind", "audit"),
        ],
        events: Vec::new(),
    }
}

fn sns(profile: &[archsim_cost::ComponentUsage]) -> SnsUsage {
    profile
        .iter()
        .find_map(|u| match (&u.usage, u.component_id == "orders") {
            (ServiceUsage::Sns(s), true) => Some(s.clone()),
            _ => None,
        })
        .expect("the topic's usage")
}

#[test]
fn filtered_subscriptions_are_billed_for_what_their_policies_pass() {
    let (d, sc, a) = (design(), scenario(), Assumptions::default());
    let month = a.month_hours * 3600.0;
    let estimate = estimate_usage(&d, &sc, &a).unwrap();
    // The bill says what it assumes, and what it does not price.
    assert!(
        estimate
            .notes
            .iter()
            .any(|n| n.starts_with("SNS filter policies") && n.contains("MessageBody")),
        "{:?}",
        estimate.notes
    );
    let e = sns(&estimate.profile.components);
    assert!((e.publishes - 10.0 * month).abs() < 1.0, "{e:?}");
    // billing 6 of 10 a second, archive all 10: free deliveries 16 a second.
    assert!((e.free_deliveries - 16.0 * month).abs() < 1.0, "{e:?}");
    // stream: the 4 audit messages a second carry no `event`.
    assert!((e.http_deliveries - 4.0 * month).abs() < 1.0, "{e:?}");

    let run = simulate(
        &d,
        &sc,
        &RunOptions {
            skip_validation: true,
            ..Default::default()
        },
    )
    .unwrap();
    let m = sns(&measured::usage_from_run(&d, &run, &a).profile.components);
    for (what, measured, estimated) in [
        ("publishes", m.publishes, e.publishes),
        ("free", m.free_deliveries, e.free_deliveries),
        ("http", m.http_deliveries, e.http_deliveries),
    ] {
        assert!(
            (measured / estimated - 1.0).abs() < 0.01,
            "{what}: measured {measured} vs estimated {estimated}"
        );
    }
}
