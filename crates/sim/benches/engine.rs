//! Criterion benchmarks of the engine (`cargo bench -p archsim-sim`).
//! Results with the machine and date are in docs/performance.md.
//!
//! - `lambda_only`: Poisson traffic straight into one Lambda function (no
//!   downstream): the cost of the event loop and the Lambda behaviour.
//! - `api_lambda_dynamodb_1h_1000rps`: the reference end-to-end run, an
//!   hour of 1,000 requests/s through API Gateway -> Lambda -> DynamoDB.

use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{RunOptions, simulate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
    Scenario {
        name: "bench".into(),
        description: String::new(),
        duration_s,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: "client".into(),
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
