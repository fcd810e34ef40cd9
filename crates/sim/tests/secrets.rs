//! Secrets Manager secrets as their readers meet them: read once per
//! execution environment (or task launch) when cached, once per request
//! otherwise; each read counted (and billed) at the secret.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_sim::{RunOptions, simulate};
use common::*;

const READ_MS: f64 = 25.0;
const INIT_MS: f64 = 200.0;

fn secret(reads: SecretReads) -> Props {
    Props::Secret(SecretProps {
        reads,
        latency: Distribution::Constant { ms: READ_MS },
        ..Default::default()
    })
}

/// Client -> function -> secret, the function reading it as `reads` says.
fn function_reading(reads: SecretReads) -> archsim_model::Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                timeout_s: 60,
                init_ms: Some(INIT_MS),
                work: Work {
                    duration: Distribution::Constant { ms: 100.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .add("secret", secret(reads))
        .link_as("client", "fn", Meaning::InvokeSync)
        .link(
            "fn",
            "secret",
            Meaning::Uses.default_kind_to(ComponentKind::Secret),
        )
        .design()
}

fn run(design: &archsim_model::Design, rps: f64, duration_s: f64) -> archsim_sim::Run {
    simulate(
        design,
        &scenario("client", TrafficPattern::Poisson { rps }, duration_s),
        &RunOptions::default(),
    )
    .unwrap()
}

#[test]
fn a_cached_secret_is_read_once_per_cold_start_and_its_read_is_part_of_the_init() {
    let r = run(&function_reading(SecretReads::Cached), 20.0, 600.0);
    let f = r.component("fn").unwrap();
    let s = r.component("secret").unwrap();
    assert!(f.cold_starts > 0 && f.completed > 100 * f.cold_starts);
    assert_eq!(s.requests, f.cold_starts);
    assert_eq!(s.completed, f.cold_starts);
    assert_eq!(r.usage.data_requests["secret"], f.cold_starts);
    // Each cold request waited for the init and the read: the slowest
    // request took init + read + work, exactly.
    assert_eq!(f.latency_ms.max.round(), INIT_MS + READ_MS + 100.0);
}

#[test]
fn a_secret_read_on_every_request_is_read_once_per_invocation_and_adds_its_latency() {
    let r = run(&function_reading(SecretReads::EveryRequest), 20.0, 600.0);
    let f = r.component("fn").unwrap();
    let s = r.component("secret").unwrap();
    assert_eq!(s.requests, f.requests);
    assert_eq!(r.usage.data_requests["secret"], f.requests);
    // A warm request: work and the read.
    assert_eq!(f.latency_ms.p50.round(), 100.0 + READ_MS);
    assert_eq!(s.latency_ms.max.round(), READ_MS);
}

#[test]
fn a_service_reads_a_cached_secret_as_each_new_task_launches_not_per_request() {
    // Two tasks run as the run begins (they read theirs before it); a
    // rolling deployment at 60 s launches two new ones, which read it.
    let design = single_worker_service(2, 50.0, None);
    let mut e = archsim_model::Editor::new(design);
    e.apply(archsim_model::Op::AddComponent {
        component: archsim_model::Component::new("secret", "secret", ComponentKind::Secret)
            .with(secret(SecretReads::Cached)),
    })
    .unwrap();
    e.apply(archsim_model::Op::Connect {
        connection: archsim_model::Connection::new(
            "svc--secret",
            "svc",
            "secret",
            Meaning::Uses.default_kind_to(ComponentKind::Secret),
        ),
    })
    .unwrap();
    let design = e.into_design();
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 10.0 }, 600.0);
    sc.events.push(ScheduledEvent {
        at_s: 60.0,
        event: ScenarioEvent::Deploy {
            component: "svc".into(),
            work: None,
            init_ms: None,
            error_rate: 0.0,
            fails_health_checks: false,
        },
    });
    let r = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let svc = r.component("svc").unwrap();
    assert!(svc.completed > 5_000);
    assert_eq!(r.component("secret").unwrap().requests, 2);
    assert_eq!(r.usage.data_requests["secret"], 2);
}
