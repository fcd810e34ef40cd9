//! Criterion benchmarks of the engine (`cargo bench -p archsim-sim`).
//! Results with the machine and date are in docs/performance.md.
//!
//! - `lambda_only`: Poisson traffic straight into one Lambda function (no
//!   downstream): the cost of the event loop and the Lambda behaviour.
//! - `api_lambda_dynamodb_1h_1000rps`: the reference end-to-end run, an
//!   hour of 1,000 requests/s through API Gateway -> Lambda -> DynamoDB.
//! - `lambda_1h_1000rps_vs_hold`: an hour of 1,000 requests/s into one
//!   function (`engine`), beside a bare binary-heap hold loop (`hold`)
//!   that processes the same number of events with the same number
//!   pending: pop the earliest, push one an exponential time later. The
//!   ratio of the two is the engine's cost over the heap's (issue #14: at
//!   most 2x).
//! - `simfaas_default_1e5s`: SimFaaS's default workload (Poisson 0.9/s,
//!   exponential 2.016 s warm service, 2.163 s cold, 600 s expiry,
//!   10^5 s); `scripts/bench-simfaas.sh` runs SimFaaS itself beside it.

use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{RunOptions, simulate};

#[path = "common/hold.rs"]
mod hold;
use hold::hold;

use archsim_model::ComponentKind;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// SimFaaS's default workload as a design: Poisson arrivals straight into
/// a function with exponential handler time 2.016 s at a full vCPU and a
/// constant 147 ms init (so a cold start's mean is SimFaaS's 2.163 s).
pub fn simfaas_design() -> Design {
    let mut e = Editor::default();
    e.apply(Op::AddComponent {
        component: Component::new("fn", "fn", ComponentKind::LambdaFunction).with(
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                timeout_s: 900,
                init_ms: Some(147.0),
                work: Work {
                    duration: Distribution::Exponential { mean_ms: 2016.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        ),
    })
    .unwrap();
    e.into_design()
}

fn design(with_api: bool) -> Design {
    let mut e = Editor::default();
    let mut add = |id: &str, props: Props| {
        let kind = props.kind();
        e.apply(Op::AddComponent {
            component: Component::new(id, id, kind).with(props),
        })
        .unwrap();
    };
    add("client", Props::Client(ClientProps::default()));
    add(
        "fn",
        Props::LambdaFunction(LambdaProps {
            memory_mb: 1024,
            timeout_s: 10,
            ..Default::default()
        }),
    );
    if with_api {
        add("api", Props::ApiGateway(ApiGatewayProps::default()));
        add("table", Props::DynamoDbTable(DynamoDbTableProps::default()));
    }
    let mut link = |from: &str, to: &str, kind: ConnectionKind| {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}--{to}"), from, to, kind),
        })
        .unwrap();
    };
    if with_api {
        link("client", "api", Meaning::InvokeSync.default_kind());
        link("api", "fn", Meaning::InvokeSync.default_kind());
        link(
            "fn",
            "table",
            ConnectionKind::Uses {
                access: Access::ReadWrite,
            },
        );
    } else {
        link("client", "fn", Meaning::InvokeSync.default_kind());
    }
    e.into_design()
}

fn scenario(rps: f64, duration_s: f64) -> Scenario {
    scenario_into("client", rps, duration_s)
}

fn scenario_into(entry: &str, rps: f64, duration_s: f64) -> Scenario {
    Scenario {
        name: "bench".into(),
        start: None,
        description: String::new(),
        duration_s,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: entry.into(),
            pattern: TrafficPattern::Poisson { rps },
            request: Default::default(),
        }],
        events: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let opts = RunOptions::default();

    let d = design(false);
    let sc = scenario(1_000.0, 600.0);
    let events = simulate(&d, &sc, &opts).unwrap().events;
    let mut g = c.benchmark_group("lambda_only_600s_1000rps");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("events", |b| b.iter(|| simulate(&d, &sc, &opts).unwrap()));
    g.finish();

    let d = design(true);
    let sc = scenario(1_000.0, 3_600.0);
    let run = simulate(&d, &sc, &opts).unwrap();
    let mut g = c.benchmark_group("api_lambda_dynamodb_1h_1000rps");
    g.sample_size(10);
    g.throughput(Throughput::Elements(
        run.component("client").unwrap().requests,
    ));
    g.bench_function("requests", |b| b.iter(|| simulate(&d, &sc, &opts).unwrap()));
    g.finish();

    let d = design(false);
    let sc = scenario(1_000.0, 3_600.0);
    let run = simulate(&d, &sc, &opts).unwrap();
    // Pending events: the next arrival and one per invocation in flight.
    let pending = 1 + run.component("fn").unwrap().mean_concurrency.round() as usize;
    let mean_gap_us = pending as f64 * 1e6 / (run.events as f64 / run.duration_s);
    eprintln!(
        "lambda_1h_1000rps: {} events, {pending} pending on average",
        run.events
    );
    let mut g = c.benchmark_group("lambda_1h_1000rps_vs_hold");
    g.sample_size(10);
    g.throughput(Throughput::Elements(run.events));
    g.bench_function("engine", |b| b.iter(|| simulate(&d, &sc, &opts).unwrap()));
    g.bench_function("hold", |b| {
        b.iter(|| hold(pending, run.events, mean_gap_us))
    });
    g.finish();

    let d = simfaas_design();
    let sc = scenario_into("fn", 0.9, 1e5);
    let run = simulate(&d, &sc, &opts).unwrap();
    let mut g = c.benchmark_group("simfaas_default_1e5s");
    g.sample_size(10);
    g.throughput(Throughput::Elements(run.component("fn").unwrap().requests));
    g.bench_function("requests", |b| b.iter(|| simulate(&d, &sc, &opts).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
