//! EventBridge custom buses and Pipes on the bill: a bus bills its custom
//! events once (its rules add nothing), an S3 bucket's events are free,
//! an archive is billed for what it processes and stores, and a pipe for
//! the events its filters pass, estimated and measured alike.

use archsim_cost::estimate::estimate_usage;
use archsim_cost::{Assumptions, EventBridgeUsage, ServiceUsage, measured};
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{RunOptions, simulate};

fn design(components: Vec<(&str, Props)>, links: &[(&str, &str, Meaning)]) -> Design {
    let mut e = Editor::default();
    for (id, props) in components {
        e.apply(Op::AddComponent {
            component: Component::new(id, id, props.kind()).with(props),
        })
        .unwrap();
    }
    for (from, to, m) in links {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}-{to}"), *from, *to, m.default_kind()),
        })
        .unwrap();
    }
    e.into_design()
}

fn scenario(entry: &str, rps: f64) -> Scenario {
    Scenario {
        name: "s".into(),
        start: None,
        description: String::new(),
        duration_s: 600.0,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: entry.into(),
            pattern: TrafficPattern::Constant { rps },
            request: Default::default(),
        }],
        events: Vec::new(),
    }
}

fn eventbridge(profile: &[archsim_cost::ComponentUsage], id: &str) -> EventBridgeUsage {
    profile
        .iter()
        .find_map(|u| match (&u.usage, u.component_id == id) {
            (ServiceUsage::EventBridge(e), true) => Some(e.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no EventBridge usage for {id}"))
}

fn pattern_rule() -> Props {
    Props::EventBridgeRule(EventBridgeRuleProps {
        schedule: String::new(),
        event_pattern: r#"{"source":["shop"]}"#.into(),
        ..Default::default()
    })
}

fn bus_design(producer: Props, archive: Option<EventArchive>) -> Design {
    design(
        vec![
            ("producer", producer),
            (
                "bus",
                Props::EventBus(EventBusProps {
                    archive,
                    ..Default::default()
                }),
            ),
            ("rule", pattern_rule()),
            ("fn", Props::LambdaFunction(LambdaProps::default())),
        ],
        &[
            ("producer", "bus", Meaning::Publishes),
            ("bus", "rule", Meaning::Publishes),
            ("rule", "fn", Meaning::InvokeAsync),
        ],
    )
}

#[test]
fn a_bus_bills_its_custom_events_once_and_its_rules_nothing() {
    let d = bus_design(Props::Client(ClientProps::default()), None);
    let e = estimate_usage(&d, &scenario("producer", 10.0), &Assumptions::default()).unwrap();
    let month = 10.0 * Assumptions::default().month_hours * 3600.0;
    let bus = eventbridge(&e.profile.components, "bus");
    assert!((bus.custom_events - month).abs() < 1.0, "{bus:?}");
    assert_eq!(
        eventbridge(&e.profile.components, "rule").custom_events,
        0.0
    );
}

/// S3 sends its events to the default bus: a rule there matching only
/// them bills nothing.
#[test]
fn an_s3_buckets_events_on_the_default_bus_are_free() {
    let d = design(
        vec![
            ("client", Props::Client(ClientProps::default())),
            (
                "uploads",
                Props::S3Bucket(S3BucketProps {
                    events: vec!["s3:ObjectCreated:*".into()],
                    ..Default::default()
                }),
            ),
            ("rule", pattern_rule()),
            ("fn", Props::LambdaFunction(LambdaProps::default())),
        ],
        &[
            ("client", "uploads", Meaning::Uses),
            ("uploads", "rule", Meaning::Publishes),
            ("rule", "fn", Meaning::InvokeAsync),
        ],
    );
    let e = estimate_usage(&d, &scenario("client", 10.0), &Assumptions::default()).unwrap();
    assert_eq!(
        eventbridge(&e.profile.components, "rule").custom_events,
        0.0
    );
}

#[test]
fn an_archive_processes_the_months_events_and_stores_its_retention() {
    let d = bus_design(
        Props::Client(ClientProps::default()),
        Some(EventArchive { retention_days: 7 }),
    );
    let e = estimate_usage(&d, &scenario("producer", 10.0), &Assumptions::default()).unwrap();
    let bus = eventbridge(&e.profile.components, "bus");
    assert!(bus.archive_processed_gb > 0.0);
    let kept = bus.archive_storage_gb_month / bus.archive_processed_gb;
    assert!((kept - 7.0 / (730.0 / 24.0)).abs() < 1e-9, "{kept}");
}

fn pipe_design(matching_share: f64) -> Design {
    design(
        vec![
            ("producer", Props::Client(ClientProps::default())),
            ("orders", Props::SqsQueue(SqsQueueProps::default())),
            (
                "pipe",
                Props::EventBridgePipe(PipeProps {
                    matching_share,
                    ..Default::default()
                }),
            ),
            ("fn", Props::LambdaFunction(LambdaProps::default())),
        ],
        &[
            ("producer", "orders", Meaning::Publishes),
            ("orders", "pipe", Meaning::Poll),
            ("pipe", "fn", Meaning::InvokeSync),
        ],
    )
}

#[test]
fn a_pipe_bills_what_its_filters_pass_estimated_and_measured() {
    let d = pipe_design(0.4);
    let sc = scenario("producer", 20.0);
    let a = Assumptions::default();
    let month = 20.0 * a.month_hours * 3600.0;
    let e = estimate_usage(&d, &sc, &a).unwrap();
    let estimated = eventbridge(&e.profile.components, "pipe").pipe_requests;
    assert!((estimated - 0.4 * month).abs() < 1.0, "{estimated}");
    let run = simulate(
        &d,
        &sc,
        &RunOptions {
            skip_validation: true,
            ..Default::default()
        },
    )
    .unwrap();
    let m = measured::usage_from_run(&d, &run, &a);
    let measured = eventbridge(&m.profile.components, "pipe").pipe_requests;
    assert!(
        (measured / estimated - 1.0).abs() < 0.1,
        "{measured} vs {estimated}"
    );
}
