//! DynamoDB capacity: provisioned tables with their 300 s burst bucket,
//! on-demand tables at double their previous peak, and the SDK's retries.

mod common;

use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, simulate};
use common::*;

/// Client -> function -> table: each invocation makes one call (a 1 KB
/// item: one write or one read unit).
fn writer(table: DynamoDbTableProps, access: Access) -> archsim_model::Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                timeout_s: 60,
                init_ms: Some(0.0),
                work: Work {
                    duration: Distribution::Constant { ms: 1.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .add("table", Props::DynamoDbTable(table))
        .link_as("client", "fn", Meaning::InvokeSync)
        .link("fn", "table", ConnectionKind::Uses { access })
        .design()
}

fn provisioned(write_capacity: u32, max_attempts: u32) -> DynamoDbTableProps {
    DynamoDbTableProps {
        billing: DynamoDbBilling::Provisioned,
        read_capacity: 5,
        write_capacity,
        latency: Distribution::Constant { ms: 5.0 },
        sdk_retry: Some(SdkRetry {
            max_attempts,
            ..SdkRetry::default()
        }),
        ..Default::default()
    }
}

fn run(
    design: &archsim_model::Design,
    pattern: TrafficPattern,
    duration_s: f64,
) -> archsim_sim::Run {
    simulate(
        design,
        &scenario("client", pattern, duration_s),
        &RunOptions::default(),
    )
    .unwrap()
}

#[test]
fn a_load_above_capacity_throttles_exactly_the_excess_once_the_burst_bucket_is_empty() {
    // 20 writes/s against 10 WCU and 300 s of burst (3,000 units): the
    // bucket empties at t = 3,000 / (20 - 10) = 300 s, then half of each
    // second's writes are throttled (no retries here).
    let design = writer(provisioned(10, 1), Access::Write);
    let r = run(&design, TrafficPattern::Constant { rps: 20.0 }, 600.0);
    let t = r.component("table").unwrap();
    let throttles = &t.series.throttles;
    assert!(
        throttles[..299].iter().all(|&x| x == 0),
        "{:?}",
        &throttles[..300]
    );
    assert!(
        throttles[301..].iter().all(|&x| x == 10),
        "{:?}",
        &throttles[300..]
    );
    // Admitted: 3,000 + 10 a second, to the unit.
    let stats = t.table.as_ref().unwrap();
    assert!(
        (stats.write_units - (3_000.0 + 10.0 * 600.0)).abs() <= 1.0,
        "{stats:?}"
    );
    assert_eq!(stats.writes as f64, stats.write_units);
    assert_eq!(t.throttled, t.requests - stats.writes);
    assert_eq!(stats.retries, 0);
    // Each failed call fails its invocation, as a failed downstream call does.
    assert_eq!(r.component("fn").unwrap().errors, t.throttled);
    assert_eq!(stats.billing, "provisioned");
}

#[test]
fn under_poisson_load_a_provisioned_table_admits_at_most_its_burst_plus_its_rate() {
    // A loss system: nothing waits, what the bucket cannot cover is refused.
    // Over T seconds it admits at most 300 c + c T units; overloaded (15
    // writes/s on 10 WCU) it admits all but what idle moments let refill
    // past... nothing: the bucket never fills again once empty.
    let design = writer(provisioned(10, 1), Access::Write);
    let r = run(&design, TrafficPattern::Poisson { rps: 15.0 }, 3_600.0);
    let s = r.component("table").unwrap().table.clone().unwrap();
    let bound = 3_000.0 + 10.0 * 3_600.0;
    assert!(s.write_units <= bound, "{s:?}");
    assert!(s.write_units >= bound - 15.0, "{s:?}");
    // Underloaded (5 writes/s), a 3,000-unit bucket never empties.
    let r = run(&design, TrafficPattern::Poisson { rps: 5.0 }, 3_600.0);
    let t = r.component("table").unwrap();
    assert_eq!(t.throttled, 0);
    assert_eq!(t.table.as_ref().unwrap().throttled_attempts, 0);
}

#[test]
fn reads_take_a_unit_per_4_kb_and_writes_a_unit_per_kb() {
    let mut table = provisioned(10, 1);
    table.read_capacity = 10;
    table.item_size_kb = Some(6.0);
    // 6 KB: reads take 2 units (4 KB each, rounded up), writes 6.
    let r = run(
        &writer(table.clone(), Access::Read),
        TrafficPattern::Constant { rps: 5.0 },
        100.0,
    );
    let s = r.component("table").unwrap().table.clone().unwrap();
    assert_eq!(s.read_units, 2.0 * s.reads as f64);
    // A read-write connection's calls are reads and writes in turn.
    let r = run(
        &writer(table.clone(), Access::ReadWrite),
        TrafficPattern::Constant { rps: 1.0 },
        100.0,
    );
    let s = r.component("table").unwrap().table.clone().unwrap();
    assert!(s.reads.abs_diff(s.writes) <= 1 && s.reads > 40, "{s:?}");
    let r = run(
        &writer(table, Access::Write),
        TrafficPattern::Constant { rps: 1.0 },
        100.0,
    );
    let s = r.component("table").unwrap().table.clone().unwrap();
    assert_eq!(s.write_units, 6.0 * s.writes as f64);
    assert_eq!(r.usage.dynamodb_units["table"], (0.0, s.write_units));
}

#[test]
fn sdk_retries_show_as_latency_then_as_errors() {
    // 20 writes/s against 10 WCU with the SDK's standard retries (3
    // attempts, backoff up to 1 s then 2 s): once the burst is spent, a
    // throttled write waits and tries again; some get through (slower),
    // the rest fail when their attempts are spent.
    let design = writer(provisioned(10, 3), Access::Write);
    let r = run(&design, TrafficPattern::Constant { rps: 20.0 }, 900.0);
    let t = r.component("table").unwrap();
    let s = t.table.as_ref().unwrap();
    assert!(s.retries > 0 && t.throttled > 0, "{s:?}");
    // Every call ends once: written, or throttled on each of its attempts.
    assert_eq!(t.requests, s.writes + t.throttled);
    assert_eq!(s.throttled_attempts, s.retries + t.throttled);
    // The table still takes exactly its capacity, up to the last retry's
    // time (retries of the last calls fall up to 3 s after the end).
    assert!(s.write_units >= 3_000.0 + 10.0 * 900.0 - 1.0, "{s:?}");
    assert!(s.write_units <= 3_000.0 + 10.0 * 903.0, "{s:?}");
    // Nothing waited before the bucket emptied; retried writes succeed
    // after their backoff, which the function's latency shows.
    assert!(t.series.throttles[..299].iter().all(|&x| x == 0));
    // The invocations of the last failed calls are still running.
    let f = r.component("fn").unwrap();
    assert!(f.errors <= t.throttled && f.errors + f.in_flight >= t.throttled);
    assert!(t.latency_ms.max > 1_000.0, "{:?}", t.latency_ms);
    assert!(f.latency_ms.p99 > 500.0, "{:?}", f.latency_ms);
    // Without retries the same load fails more calls, faster.
    let once = run(
        &writer(provisioned(10, 1), Access::Write),
        TrafficPattern::Constant { rps: 20.0 },
        900.0,
    );
    let t1 = once.component("table").unwrap();
    assert!(
        t1.throttled > t.throttled,
        "{} against {}",
        t1.throttled,
        t.throttled
    );
    assert!(t1.latency_ms.max < 10.0);
}

#[test]
fn an_on_demand_table_throttles_above_twice_its_previous_peak_for_30_minutes() {
    // Previous peak 100 writes/s: it takes 200 a second at once. Traffic
    // steps from 40 (never above the peak) to 300 writes/s at 600 s: 100 a second are throttled
    // until the first 200-write second is 30 minutes old (2,400 s), when
    // the peak is 200 and the table takes 400.
    let table = DynamoDbTableProps {
        previous_peak_writes_per_s: Some(100),
        latency: Distribution::Constant { ms: 5.0 },
        sdk_retry: Some(SdkRetry {
            max_attempts: 1,
            ..SdkRetry::default()
        }),
        ..Default::default()
    };
    let design = writer(table, Access::Write);
    let r = run(
        &design,
        TrafficPattern::Step {
            from_rps: 40.0,
            to_rps: 300.0,
            at_s: 600.0,
        },
        3_000.0,
    );
    let t = r.component("table").unwrap();
    // A step's arrivals are Poisson: each second throttles exactly what
    // came above 200.
    let (th, arrivals) = (&t.series.throttles, &t.series.arrivals);
    assert!(th[..600].iter().all(|&x| x == 0));
    for s in 601..2_400 {
        assert_eq!(th[s], arrivals[s].saturating_sub(200), "second {s}");
    }
    let throttled: u32 = th[601..2_400].iter().sum();
    assert!(throttled > 1_799 * 90, "{throttled}");
    assert!(
        th[2_401..].iter().all(|&x| x == 0),
        "{:?}",
        &th[2_395..2_410]
    );
    assert_eq!(t.table.as_ref().unwrap().billing, "on_demand");
}

#[test]
fn a_table_under_its_capacity_runs_as_before() {
    // The default table (on demand, a new table's peak) at a few hundred
    // requests a second: no throttle, and the draws of a run without
    // capacity (one latency per call) unchanged.
    let design = api_lambda_dynamo();
    let r = run(&design, TrafficPattern::Poisson { rps: 300.0 }, 120.0);
    let t = r.component("table").unwrap();
    assert_eq!(t.throttled, 0);
    assert_eq!(t.table.as_ref().unwrap().retries, 0);
    assert_eq!(t.completed, t.requests);
}
