//! The reference workload of docs/performance.md: one hour of 1,000
//! requests/s Poisson through API Gateway -> Lambda -> DynamoDB.
//! `cargo run --release -p archsim-sim --example reference_run`; with
//! `lambda-only`, the same traffic straight into the function, no API or
//! table (the engine's per-event cost). `hold PENDING EVENTS GAP_US` runs
//! only the bare hold loop of the `engine` bench (benchmark (b) of
//! docs/performance.md) with the pending events, steps and mean gap the
//! lambda-only run prints, so the two can be counted apart (cachegrind).
//! `simfaas` runs the design of benchmark (a) (SimFaaS's default workload,
//! `scripts/bench/simfaas-default.archsim.json`) for 10 seeds as
//! `archsim simulate --seeds 10 --json` does, without the CLI around it.
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Editor, Op};
use archsim_sim::{RunOptions, simulate};

#[path = "../benches/common/hold.rs"]
mod hold;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("hold") {
        let arg = |i: usize| {
            args.get(i)
                .ok_or("usage: reference_run hold PENDING EVENTS GAP_US")
        };
        let (pending, events, gap): (usize, u64, f64) =
            (arg(2)?.parse()?, arg(3)?.parse()?, arg(4)?.parse()?);
        let t = std::time::Instant::now();
        let sum = hold::hold(pending, events, gap);
        println!(
            "hold loop: {events} steps, {pending} pending, in {:.3} s (checksum {sum})",
            t.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    if args.get(1).map(String::as_str) == Some("simfaas") {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/bench/simfaas-default.archsim.json"
        );
        let design = archsim_model::file::load(path)?;
        let scenario = archsim_sim::find_scenario(&design, None)?.clone();
        let seeds: Vec<u64> = (1..=10).collect();
        let t = std::time::Instant::now();
        // As `archsim simulate --seeds 10 --json` runs them: no series.
        let opts = RunOptions {
            series: false,
            ..RunOptions::default()
        };
        let reps = archsim_sim::replicate(&design, &scenario, &opts, &seeds, &|_| {})?;
        let wall = t.elapsed().as_secs_f64();
        let events = reps.events;
        println!(
            "{} runs, {events} events in {wall:.3} s: {:.2} M events/s",
            seeds.len(),
            events as f64 / wall / 1e6
        );
        return Ok(());
    }
    let lambda_only = args.get(1).map(String::as_str) == Some("lambda-only");
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
        "{requests} requests, {} events in {wall:.3} s: {:.2} M requests/s, {:.2} M events/s",
        run.events,
        requests as f64 / wall / 1e6,
        run.events as f64 / wall / 1e6
    );
    if lambda_only {
        // As the bench sizes its hold loop: the next arrival and one
        // event per invocation in flight.
        let pending = 1 + run.component("fn").ok_or("no fn")?.mean_concurrency.round() as u64;
        let gap = pending as f64 * 1e6 / (run.events as f64 / run.duration_s);
        println!(
            "hold loop of the same size: reference_run hold {pending} {} {gap:.3}",
            run.events
        );
    }
    Ok(())
}
