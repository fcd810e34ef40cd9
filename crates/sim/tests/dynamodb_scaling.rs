//! DynamoDB auto scaling: capacity rises after 2 consecutive minutes above
//! the target utilisation, to what puts consumption at the target; falls
//! after 15 consecutive minutes 20 points below it, never under the
//! minimum; and the bill's capacity is what was provisioned over time.

mod common;

use archsim_model::Design;
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_sim::{Run, RunOptions, simulate};
use common::*;

/// Client -> function -> a provisioned table of 100 RCU, auto scaled
/// between `min` and `max` at 70% (`None`: fixed); each request reads one
/// 4 KB item (1 RCU).
fn scaled_table(min: u32, max: u32) -> Design {
    table(Some(CapacityScaling {
        min_capacity: min,
        max_capacity: max,
        target_utilization_pct: 70.0,
    }))
}

fn table(read_scaling: Option<CapacityScaling>) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                work: Work {
                    duration: Distribution::Constant { ms: 5.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .add(
            "table",
            Props::DynamoDbTable(DynamoDbTableProps {
                billing: DynamoDbBilling::Provisioned,
                read_capacity: 100,
                write_capacity: 5,
                item_size_kb: Some(4.0),
                latency: Distribution::Constant { ms: 5.0 },
                read_scaling,
                ..Default::default()
            }),
        )
        .link_as("client", "fn", Meaning::InvokeSync)
        .link(
            "fn",
            "table",
            ConnectionKind::Uses {
                access: Access::Read,
            },
        )
        .design()
}

/// 150 reads a second, a third of it from 600 s, for 1,800 s.
fn run(design: &Design) -> Run {
    let mut sc = scenario("client", TrafficPattern::Constant { rps: 150.0 }, 1_800.0);
    sc.events.push(ScheduledEvent {
        at_s: 600.0,
        event: ScenarioEvent::TrafficChange {
            entry: "client".into(),
            factor: 1.0 / 3.0,
        },
    });
    simulate(design, &sc, &RunOptions::default()).unwrap()
}

fn changes(r: &Run) -> Vec<(f64, u32, u32)> {
    r.scale_decisions
        .iter()
        .filter(|d| d.component == "table")
        .map(|d| (d.at_s, d.from, d.to))
        .collect()
}

#[test]
fn capacity_rises_after_two_minutes_above_target_and_falls_after_fifteen_below() {
    let r = run(&scaled_table(100, 1_000));
    // 150 RCU/s on 100: above 70% at the end of minutes 1 and 2, so at
    // 120 s capacity becomes ceil(150 / 0.7) = 215. From 600 s, 50 RCU/s
    // on 215 is 23% (20+ points under): the 15th such minute ends at
    // 1,500 s, and capacity falls to ceil(50 / 0.7) = 72, held at the
    // minimum of 100.
    assert_eq!(changes(&r), vec![(120.0, 100, 215), (1_500.0, 215, 100)]);
    let t = r.component("table").unwrap();
    // The 300 s of burst capacity carried the first two minutes.
    assert_eq!(t.throttled, 0);
    let stats = t.table.as_ref().unwrap();
    let want = (100.0 * 120.0 + 215.0 * 1_380.0 + 100.0 * 300.0) / 1_800.0;
    assert!(
        (stats.mean_read_capacity.unwrap() - want).abs() < 1e-6,
        "{:?} vs {want}",
        stats.mean_read_capacity
    );
    assert_eq!(stats.mean_write_capacity, Some(5.0));
    assert_eq!(r.usage.dynamodb_capacity["table"], (want, 5.0));
}

#[test]
fn the_maximum_caps_capacity_and_the_rest_is_throttled() {
    // 300 RCU/s against at most 150: the burst capacity (30,000 units at
    // 100/s) runs out 160 s in, and the rest is throttled.
    let sc = scenario("client", TrafficPattern::Constant { rps: 300.0 }, 600.0);
    let r = simulate(&scaled_table(100, 150), &sc, &RunOptions::default()).unwrap();
    assert_eq!(changes(&r), vec![(120.0, 100, 150)]);
    assert!(r.component("table").unwrap().throttled > 0);
}

#[test]
fn a_table_without_auto_scaling_keeps_its_capacity() {
    let r = run(&table(None));
    assert!(changes(&r).is_empty());
    let stats = r.component("table").unwrap().table.clone().unwrap();
    assert_eq!(stats.mean_read_capacity, Some(100.0));
}
