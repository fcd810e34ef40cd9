//! The reference workload of docs/performance.md: one hour of 1,000
//! requests/s Poisson through API Gateway -> Lambda -> DynamoDB.
//! `cargo run --release -p archsim-sim --example reference_run`; with
//! `lambda-only`, the same traffic straight into the function, no API or
//! table (the engine's per-event cost).
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Editor, Op};
use archsim_sim::{RunOptions, simulate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lambda_only = std::env::args().nth(1).as_deref() == Some("lambda-only");
    let mut e = Editor::default();
    for (id, props) in [
        ("client", Props::Client(ClientProps::default())),
        ("api", Props::ApiGateway(ApiGatewayProps::default())),
        (
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1024,
                timeout_s: 10,
                ..Default::default()
            }),
        ),
        ("table", Props::DynamoDbTable(DynamoDbTableProps::default())),
    ] {
        if lambda_only && (id == "api" || id == "table") {
            continue;
        }
        let kind = props.kind();
        e.apply(Op::AddComponent {
            component: Component::new(id, id, kind).with(props),
        })?;
    }
    let links = if lambda_only {
        vec![("client", "fn", Meaning::InvokeSync.default_kind())]
    } else {
        vec![
            ("client", "api", Meaning::InvokeSync.default_kind()),
            ("api", "fn", Meaning::InvokeSync.default_kind()),
            (
                "fn",
                "table",
                ConnectionKind::Uses {
                    access: Access::ReadWrite,
                },
            ),
        ]
    };
    for (from, to, kind) in links {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}--{to}"), from, to, kind),
        })?;
    }
    let design = e.into_design();
    let scenario = Scenario {
        name: "reference".into(),
        start: None,
        description: String::new(),
        duration_s: 3_600.0,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: "client".into(),
            pattern: TrafficPattern::Poisson { rps: 1_000.0 },
            request: Default::default(),
        }],
        events: Vec::new(),
    };
    let t = std::time::Instant::now();
    let run = simulate(&design, &scenario, &RunOptions::default())?;
    let wall = t.elapsed().as_secs_f64();
    let requests = run.component("client").ok_or("no client")?.requests;
    println!(
        "{requests} requests, {} events in {wall:.2} s: {:.2} M requests/s, {:.2} M events/s",
        run.events,
        requests as f64 / wall / 1e6,
        run.events as f64 / wall / 1e6
    );
    Ok(())
}
