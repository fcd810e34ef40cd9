//! EventBridge custom buses and Pipes: a bus hands every event to each of
//! its rules; a pipe polls its queue as an event source mapping does,
//! drops the events its filters do not match (not billed), and delivers
//! the rest through its enrichment to its target.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, simulate};
use common::*;

fn run(design: &archsim_model::Design, entry: &str, rps: f64, s: f64) -> archsim_sim::Run {
    let sc = scenario(entry, TrafficPattern::Constant { rps }, s);
    simulate(
        design,
        &sc,
        &RunOptions {
            skip_validation: true,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn a_bus_fans_every_event_out_to_each_of_its_rules() {
    let design = Build::new()
        .add("app", Props::Client(ClientProps::default()))
        .add("bus", Props::EventBus(EventBusProps::default()))
        .add("billing", Props::EventBridgeRule(pattern_rule()))
        .add("shipping", Props::EventBridgeRule(pattern_rule()))
        .add("bill-fn", Props::LambdaFunction(LambdaProps::default()))
        .add("ship-fn", Props::LambdaFunction(LambdaProps::default()))
        .link_as("app", "bus", Meaning::Publishes)
        .link_as("bus", "billing", Meaning::Publishes)
        .link_as("bus", "shipping", Meaning::Publishes)
        .link_as("billing", "bill-fn", Meaning::InvokeAsync)
        .link_as("shipping", "ship-fn", Meaning::InvokeAsync)
        .design();
    let run = run(&design, "app", 10.0, 60.0);
    let put = run.component("bus").unwrap().requests;
    assert!(put >= 590, "{put}");
    for id in ["billing", "shipping"] {
        assert_eq!(run.component(id).unwrap().requests, put, "{id}");
    }
    let invoked = run.component("bill-fn").unwrap().requests;
    assert!(invoked + 5 >= put, "{invoked} of {put}");
}

fn pattern_rule() -> EventBridgeRuleProps {
    EventBridgeRuleProps {
        schedule: String::new(),
        event_pattern: r#"{"source":["shop"]}"#.into(),
        ..Default::default()
    }
}

fn queue_pipe(matching_share: f64, enrich: bool) -> archsim_model::Design {
    let mut b = Build::new()
        .add("producer", Props::Client(ClientProps::default()))
        .add("orders", Props::SqsQueue(SqsQueueProps::default()))
        .add(
            "pipe",
            Props::EventBridgePipe(PipeProps {
                matching_share,
                ..Default::default()
            }),
        )
        .add("handler", Props::LambdaFunction(LambdaProps::default()))
        .link_as("producer", "orders", Meaning::Publishes)
        .link_as("orders", "pipe", Meaning::Poll)
        .link_as("pipe", "handler", Meaning::InvokeSync);
    if enrich {
        b = b
            .add("enrich", Props::LambdaFunction(LambdaProps::default()))
            .link_as("pipe", "enrich", Meaning::Uses);
    }
    b.design()
}

#[test]
fn a_pipe_bills_and_delivers_only_the_events_its_filters_match() {
    let run = run(&queue_pipe(0.25, false), "producer", 20.0, 300.0);
    let sent = run.component("orders").unwrap().requests;
    let passed = run.usage.pipe_requests["pipe"];
    let share = passed as f64 / sent as f64;
    assert!((0.22..0.28).contains(&share), "{passed} of {sent}");
    // Every message is received and deleted, matched or not.
    let q = run.component("orders").unwrap();
    assert!(q.completed + 50 >= sent, "{q:?}");
    // One invocation per batch with a matching event, never more.
    let batches = run.component("pipe").unwrap().requests;
    let invoked = run.component("handler").unwrap().requests;
    assert!(invoked > 0 && invoked <= batches, "{invoked} of {batches}");
}

#[test]
fn an_enriched_pipe_calls_its_enrichment_once_per_batch_before_the_target() {
    let run = run(&queue_pipe(1.0, true), "producer", 5.0, 120.0);
    let enriched = run.component("enrich").unwrap().requests;
    let invoked = run.component("handler").unwrap().requests;
    assert!(enriched > 0);
    assert!(enriched.abs_diff(invoked) <= 2, "{enriched} vs {invoked}");
    let passed = run.usage.pipe_requests["pipe"];
    let sent = run.component("orders").unwrap().requests;
    assert!(passed + 10 >= sent && passed <= sent, "{passed} of {sent}");
}

#[test]
fn a_pipe_to_a_queue_sends_one_message_per_matching_event() {
    let design = Build::new()
        .add("producer", Props::Client(ClientProps::default()))
        .add("orders", Props::SqsQueue(SqsQueueProps::default()))
        .add("pipe", Props::EventBridgePipe(PipeProps::default()))
        .add("out", Props::SqsQueue(SqsQueueProps::default()))
        .link_as("producer", "orders", Meaning::Publishes)
        .link_as("orders", "pipe", Meaning::Poll)
        .link_as("pipe", "out", Meaning::Publishes)
        .design();
    let run = run(&design, "producer", 10.0, 60.0);
    let sent = run.component("orders").unwrap().requests;
    let out = run.component("out").unwrap().requests;
    assert!(out + 10 >= sent && out <= sent, "{out} of {sent}");
}
