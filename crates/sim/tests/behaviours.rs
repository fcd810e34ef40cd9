//! Scenario tests with known outcomes, conservation, Little's law and
//! determinism on every starter design.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_model::starters::{STARTERS, starter};
use archsim_sim::{RunOptions, SimError, simulate};
use common::*;

fn short(duration_s: f64) -> RunOptions {
    RunOptions {
        duration_s: Some(duration_s),
        ..RunOptions::default()
    }
}

#[test]
fn every_request_is_accounted_for_on_every_starter_and_component() {
    for s in STARTERS.iter().filter(|s| s.name != "blank") {
        let design = s.build().unwrap();
        for sc in &design.scenarios {
            let run = simulate(&design, sc, &short(sc.duration_s.min(900.0))).unwrap();
            assert!(run.components.iter().any(|c| c.completed > 0), "{}", s.name);
            for c in &run.components {
                assert_eq!(
                    c.requests,
                    c.completed + c.errors + c.throttled + c.in_flight,
                    "{} / {} / {}: {c:?}",
                    s.name,
                    sc.name,
                    c.id
                );
            }
        }
    }
}

#[test]
fn littles_law_holds_on_every_component_of_a_long_run() {
    let design = starter("serverless-api").unwrap().build().unwrap();
    let sc = scenario("clients", TrafficPattern::Poisson { rps: 200.0 }, 1_800.0);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    for c in run.components.iter().filter(|c| c.served > 1000) {
        let l = c.served as f64 / run.duration_s * c.mean_service_ms / 1e3;
        assert!(
            (c.mean_concurrency - l).abs() / l < 0.01,
            "{}: L = {} but lambda W = {l}",
            c.id,
            c.mean_concurrency
        );
    }
}

#[test]
fn one_seed_one_run_and_different_seeds_differ() {
    let design = starter("queue-worker").unwrap().build().unwrap();
    let sc = &design.scenarios[0];
    let a = simulate(&design, sc, &short(1_200.0)).unwrap();
    let b = simulate(&design, sc, &short(1_200.0)).unwrap();
    assert_eq!(a, b);
    let c = simulate(
        &design,
        sc,
        &RunOptions {
            seed: Some(sc.seed + 1),
            ..short(1_200.0)
        },
    )
    .unwrap();
    assert_ne!(a.components, c.components);
}

#[test]
fn a_component_added_elsewhere_does_not_change_another_components_draws() {
    let base = capped_lambda(50, 100.0);
    let sc = scenario("client", TrafficPattern::Poisson { rps: 20.0 }, 300.0);
    let a = simulate(&base, &sc, &RunOptions::default()).unwrap();
    let mut editor = archsim_model::Editor::new(base);
    editor
        .apply(archsim_model::Op::AddComponent {
            component: archsim_model::Component::new(
                "zzz",
                "other",
                archsim_model::ComponentKind::SqsQueue,
            ),
        })
        .unwrap();
    let b = simulate(editor.design(), &sc, &RunOptions::default()).unwrap();
    assert_eq!(a.component("fn"), b.component("fn"));
}

#[test]
fn a_step_to_500_rps_brings_cold_starts_only_at_the_step() {
    let design = starter("serverless-api").unwrap().build().unwrap();
    let sc = design.scenario("launch-day").unwrap();
    let run = simulate(&design, sc, &RunOptions::default()).unwrap();
    let f = run.component("orders-fn").unwrap();
    let cold = &f.series.cold_starts;
    let before: u32 = cold[5..120].iter().sum();
    let at_step: u32 = cold[120..125].iter().sum();
    let after: u32 = cold[125..].iter().sum();
    // At 10 rps x ~45 ms a handful of environments serve everything after
    // the first seconds; the step needs ~25 more at once.
    assert!(at_step >= 15, "cold starts at the step: {at_step}");
    assert!(before <= 2, "cold starts before the step: {before}");
    assert!(
        after * 10 <= at_step,
        "after the step: {after}, at it: {at_step}"
    );
}

#[test]
fn a_service_scales_out_no_sooner_than_3_minutes_and_in_no_sooner_than_15() {
    let autoscaling = ServiceAutoScaling {
        target_tracking: vec![TargetTrackingPolicy {
            metric: ScalingMetric::CpuUtilization,
            target: 50.0,
            scale_out_cooldown_s: 300,
            scale_in_cooldown_s: 300,
        }],
        step: Vec::new(),
    };
    // Four tasks, 100 ms work: 10 rps is 25% busy; 30 rps is 75%.
    let design = single_worker_service(4, 100.0, Some(autoscaling));
    let mut sc = scenario(
        "client",
        TrafficPattern::Step {
            from_rps: 10.0,
            to_rps: 30.0,
            at_s: 600.0,
        },
        4_000.0,
    );
    sc.events.push(ScheduledEvent {
        at_s: 1_800.0,
        event: ScenarioEvent::TrafficChange {
            entry: "client".into(),
            factor: 0.2,
        },
    });
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let d = &run.scale_decisions;
    let first_out = d.iter().find(|d| d.to > d.from).expect("a scale-out");
    assert!(first_out.at_s >= 600.0 + 180.0, "{d:?}");
    assert!(first_out.at_s <= 600.0 + 240.0, "{d:?}");
    assert!(
        d.iter()
            .filter(|d| d.to < d.from)
            .all(|d| d.at_s >= 1_800.0 + 900.0),
        "{d:?}"
    );
    assert!(
        d.iter().any(|d| d.to < d.from),
        "scales in eventually: {d:?}"
    );
    let s = run.component("svc").unwrap();
    assert!(s.max_tasks > 4 && s.scale_events >= 2, "{s:?}");
    // New tasks serve only after their start time (Fargate: 15 s + pull + app).
    let tasks = &s.series.tasks;
    assert!(tasks[(first_out.at_s as usize) + 2] > 4);
}

#[test]
fn api_gateway_token_bucket_throttles_above_10000_rps() {
    let design = api_lambda_dynamo();
    let mut design = design;
    design.account.lambda_concurrency_limit = 100_000;
    let sc = scenario("client", TrafficPattern::Constant { rps: 12_000.0 }, 10.0);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let api = run.component("api").unwrap();
    // 5,000 burst + 10,000/s for 10 s are let through; the rest is 429.
    let expected = 120_000 - 105_000;
    assert!(
        (api.throttled as i64 - expected).abs() < 200,
        "throttled {}",
        api.throttled
    );
    assert_eq!(api.requests, 120_000);
}

#[test]
fn lambda_scales_by_1000_environments_per_10_seconds() {
    let mut design = capped_lambda(5_000, 2_000.0);
    design.account.lambda_concurrency_limit = 10_000;
    // Constant 2,000 rps of 2 s work needs ~4,000 environments.
    let sc = scenario("client", TrafficPattern::Constant { rps: 2_000.0 }, 30.0);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let f = run.component("fn").unwrap();
    let mut total = 0u32;
    for (s, &c) in f.series.cold_starts.iter().enumerate() {
        total += c;
        // 1,000 at once, then 100 a second.
        let limit = 1_000 + 100 * (s as u32 + 1);
        assert!(total <= limit, "{total} environments by {s} s");
    }
    assert!(f.throttled > 0, "synchronous callers see 429s");
    assert_eq!(
        run.component("client").unwrap().errors_by_kind.get("429"),
        Some(&f.throttled)
    );
}

#[test]
fn async_throttles_are_retried_then_dead_lettered_after_the_maximum_age() {
    let design = Build::new()
        .add("uploader", Props::Client(ClientProps::default()))
        .add("bucket", Props::S3Bucket(S3BucketProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                reserved_concurrency: Some(1),
                timeout_s: 10,
                max_event_age_s: 60,
                work: Work {
                    duration: archsim_model::component::Distribution::Constant { ms: 1_000.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .add("dlq", Props::SqsQueue(SqsQueueProps::default()))
        .link(
            "uploader",
            "bucket",
            archsim_model::connection::ConnectionKind::Uses {
                access: archsim_model::connection::Access::Write,
            },
        )
        .link_as("bucket", "fn", Meaning::InvokeAsync)
        .link_as("fn", "dlq", Meaning::DeadLetter)
        .design();
    let sc = scenario("uploader", TrafficPattern::Constant { rps: 5.0 }, 600.0);
    let run = simulate(
        &design,
        &sc,
        &RunOptions {
            skip_validation: true,
            ..Default::default()
        },
    )
    .unwrap();
    let f = run.component("fn").unwrap();
    assert!(f.throttles_retried > 0 && f.retries > 0, "{f:?}");
    assert!(f.dead_lettered > 0, "{f:?}");
    assert_eq!(f.throttled, 0, "asynchronous throttles are not final");
    assert_eq!(run.component("dlq").unwrap().requests, f.dead_lettered);
    // One environment, 1 s each: at most ~600 events succeed.
    assert!(f.completed <= 601, "{}", f.completed);
    // Lambda's internal queue: ~4 events a second more than it serves wait
    // there, each for up to the 60 s maximum age, so ~4 x 60 wait at once.
    let q = f.queue.as_ref().expect("a function is a waiting point");
    assert!(q.p_wait > 0.5 && q.waited <= q.served, "{q:?}");
    assert!((100.0..300.0).contains(&q.mean_length), "{q:?}");
    assert!(q.max_length as f64 >= q.mean_length, "{q:?}");
}

#[test]
fn sqs_failures_return_after_the_visibility_timeout_then_go_to_the_dlq() {
    let design = Build::new()
        .add("producer", Props::Client(ClientProps::default()))
        .add(
            "jobs",
            Props::SqsQueue(SqsQueueProps {
                visibility_timeout_s: 30,
                max_receive_count: 3,
                ..Default::default()
            }),
        )
        .add("jobs-dlq", Props::SqsQueue(SqsQueueProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                timeout_s: 1,
                work: Work {
                    duration: archsim_model::component::Distribution::Constant { ms: 5_000.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .link_as("producer", "jobs", Meaning::Publishes)
        .link_as("jobs", "fn", Meaning::Poll)
        .link_as("jobs", "jobs-dlq", Meaning::DeadLetter)
        .design();
    let sc = scenario("producer", TrafficPattern::Constant { rps: 1.0 }, 300.0);
    let run = simulate(
        &design,
        &sc,
        &RunOptions {
            skip_validation: true,
            ..Default::default()
        },
    )
    .unwrap();
    let q = run.component("jobs").unwrap();
    let f = run.component("fn").unwrap();
    assert_eq!(f.completed, 0);
    assert!(
        f.errors_by_kind.get("timeout").copied().unwrap_or(0) > 0,
        "{f:?} {q:?}"
    );
    // Received at t, t + 30 and t + 60 (each fails after the 1 s
    // timeout); when it becomes visible at t + 90 its receive count has
    // reached maxReceiveCount and it is redriven to the DLQ. Messages sent
    // in the first ~210 s have been by the end.
    assert!((205..=212).contains(&q.dead_lettered), "{q:?}");
    assert_eq!(run.component("jobs-dlq").unwrap().requests, q.dead_lettered);
    let first = run
        .component("jobs-dlq")
        .unwrap()
        .series
        .arrivals
        .iter()
        .position(|&a| a > 0)
        .unwrap();
    // (An event at exactly 90 s may land in the second that ends there.)
    assert!((89..=92).contains(&first), "first dead letter at {first} s");
}

#[test]
fn alb_rules_route_by_path_and_unmatched_paths_fail() {
    let design = starter("alb-fargate").unwrap().build().unwrap();
    let sc = &design.scenarios[0];
    let run = simulate(&design, sc, &short(300.0)).unwrap();
    let orders = run.component("orders-svc").unwrap().requests as f64;
    let users = run.component("users-svc").unwrap().requests as f64;
    // 100 rps of /orders/list and 50 rps of /users/me before the spike.
    assert!((orders / 300.0 - 100.0).abs() < 5.0, "{orders}");
    assert!((users / 300.0 - 50.0).abs() < 5.0, "{users}");
    let mut sc2 = sc.clone();
    sc2.traffic[0].request.path = "/admin".into();
    let run = simulate(&design, &sc2, &short(60.0)).unwrap();
    let alb = run.component("alb").unwrap();
    assert!(
        alb.errors_by_kind.get("no_route").copied().unwrap_or(0) > 5000,
        "{alb:?}"
    );
}

#[test]
fn spot_interruption_and_zone_loss_are_replaced() {
    let design = starter("queue-worker").unwrap().build().unwrap();
    let run = simulate(&design, &design.scenarios[0], &RunOptions::default()).unwrap();
    let w = run.component("worker-svc").unwrap();
    let t = &w.series.tasks;
    // Interruption at 1,500 s with a 2-minute warning: replacements start
    // at once, so the count never falls below the desired count for long.
    assert!(t[1_700] >= t[1_490].min(2), "{:?}", &t[1_490..1_700]);

    let design = single_worker_service(6, 100.0, None);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 20.0 }, 600.0);
    sc.events.push(zone_loss(100.0, "us-east-1a"));
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let s = run.component("svc").unwrap();
    // Two of six tasks were in the lost zone; the replacements start
    // within Fargate's start time and the service is whole again.
    assert_eq!(s.series.tasks[98], 6);
    assert_eq!(s.series.tasks[300], 6);
    assert!(s.errors_by_kind.get("task_stopped").copied().unwrap_or(0) <= 2);
}

#[test]
fn traces_replay_and_bad_lines_are_reported_with_their_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "timestamp\n0.1\n0.2\n5.5\n").unwrap();
    std::fs::write(dir.path().join("bad.csv"), "0.1\n0.2\nsoon\n").unwrap();
    let design = capped_lambda(10, 10.0);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 1.0 }, 10.0);
    sc.traffic[0].pattern = TrafficPattern::Trace {
        file: "t.csv".into(),
        format: archsim_model::scenario::TraceFormat::Timestamps,
    };
    let opts = RunOptions {
        base_dir: Some(dir.path().to_path_buf()),
        ..RunOptions::default()
    };
    let run = simulate(&design, &sc, &opts).unwrap();
    assert_eq!(run.component("fn").unwrap().requests, 3);
    assert_eq!(run.component("fn").unwrap().series.arrivals[5], 1);
    sc.traffic[0].pattern = TrafficPattern::Trace {
        file: "bad.csv".into(),
        format: archsim_model::scenario::TraceFormat::Timestamps,
    };
    match simulate(&design, &sc, &opts) {
        Err(SimError::Trace { line: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn memory_stays_bounded_by_the_design_not_the_requests() {
    // A day at 50 rps: per-second series grow with the duration, but no
    // per-request data is kept; the request slab stays tiny.
    let design = starter("serverless-api").unwrap().build().unwrap();
    let sc = design.scenario("daily-cycle").unwrap();
    let run = simulate(&design, sc, &RunOptions::default()).unwrap();
    let f = run.component("orders-fn").unwrap();
    assert!(f.requests > 4_000_000);
    assert_eq!(f.series.arrivals.len(), 86_400);
    assert!(run.traces.len() <= RunOptions::default().max_traces);
}

fn spike_at(at_s: f64) -> archsim_model::scenario::TrafficProfile {
    archsim_model::scenario::TrafficProfile {
        entry: "client".into(),
        pattern: TrafficPattern::Spike {
            base_rps: 0.0,
            peak_rps: 2.0,
            at_s,
            duration_s: 10.0,
        },
        request: Default::default(),
    }
}

#[test]
fn the_accounts_idle_expiry_decides_when_an_environment_is_reclaimed() {
    // The same bursts at 0 s and 500 s: 490 s idle is warm under AWS's
    // observed 600 s, cold if AWS reclaimed after 300 s.
    let mut design = capped_lambda(1, 10.0);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 0.0 }, 900.0);
    sc.traffic = vec![spike_at(0.0), spike_at(500.0)];
    let cold = |design: &archsim_model::Design| {
        let run = simulate(design, &sc, &RunOptions::default()).unwrap();
        let f = run.component("fn").unwrap().clone();
        (f.cold_starts, f.environments.unwrap().created)
    };
    assert_eq!(design.account.lambda_idle_expiry_s, 600);
    assert_eq!(cold(&design), (1, 1));
    design.account.lambda_idle_expiry_s = 300;
    assert_eq!(cold(&design), (2, 2));
}

#[test]
fn environments_alive_busy_and_idle_are_time_averages_of_their_lifetimes() {
    // One environment at most (reserved concurrency 1). It is born at the
    // first request (0-10 s), last used in the 500-510 s burst, reclaimed
    // 600 s later (1,100-1,120 s, exactly at its expiry, not at the next
    // tick); a second is born in the 1,200-1,210 s burst and lives to the
    // end (1,400 s). Alive seconds: 1,090-1,120 + 190-200.
    let design = capped_lambda(1, 10.0);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 0.0 }, 1_400.0);
    sc.traffic = vec![spike_at(0.0), spike_at(500.0), spike_at(1_200.0)];
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let f = run.component("fn").unwrap();
    let env = f
        .environments
        .as_ref()
        .expect("a function reports its environments");
    assert_eq!(env.created, 2);
    assert_eq!(env.max_alive, 1);
    let alive_s = env.mean_alive * 1_400.0;
    assert!((1_280.0..=1_320.0).contains(&alive_s), "{alive_s}");
    // The 1 s series agrees with the time average to within its sampling.
    let sampled: u32 = f.series.environments.iter().sum();
    assert!(
        (f64::from(sampled) - alive_s).abs() <= 3.0,
        "{sampled} vs {alive_s}"
    );
    assert_eq!(f.series.environments[600], 1);
    assert_eq!(
        f.series.environments[1_150], 0,
        "reclaimed after 600 s idle"
    );
    assert_eq!(f.series.environments[1_300], 1);
    // Busy is the concurrency; idle the rest of the alive time.
    assert!((env.mean_busy - f.mean_concurrency).abs() < 1e-12);
    assert!((env.mean_idle - (env.mean_alive - env.mean_busy)).abs() < 1e-12);
    // Lifetimes: the first ~1,100 s, the second ~195 s to the end.
    assert!(
        (640.0..=660.0).contains(&env.mean_lifetime_s),
        "{}",
        env.mean_lifetime_s
    );
    // Over the invocations started (requests throttled at the cap are not).
    assert!((env.cold_start_share - 2.0 / f.served as f64).abs() < 1e-12);
    // Components other than functions report none.
    assert!(run.component("client").unwrap().environments.is_none());
}

#[test]
fn idle_environments_expire_after_600_seconds_and_provisioned_ones_never() {
    // Reserved concurrency 1: one environment at most, so every cold
    // start is that environment being (re)created.
    let design = capped_lambda(1, 10.0);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 0.0 }, 1_400.0);
    // Bursts at 0 s, 500 s (490 s idle: warm) and 1,200 s (690 s idle: cold).
    sc.traffic = vec![spike_at(0.0), spike_at(500.0), spike_at(1_200.0)];
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let cold = &run.component("fn").unwrap().series.cold_starts;
    let sum = |a: usize, b: usize| cold[a..b].iter().sum::<u32>();
    assert_eq!(sum(0, 12), 1);
    assert_eq!(sum(12, 1_200), 0, "warm after 490 s idle");
    assert_eq!(sum(1_200, 1_212), 1, "cold after 690 s idle");

    let mut design = design;
    let id = "fn";
    let mut editor = archsim_model::Editor::new(design.clone());
    editor
        .apply(archsim_model::Op::SetProperty {
            id: id.into(),
            path: "provisioned_concurrency".into(),
            value: serde_json::json!(1),
        })
        .unwrap();
    design = editor.into_design();
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let f = run.component("fn").unwrap();
    assert_eq!(f.cold_starts, 0, "{f:?}");
    let usage = &run.usage.lambda["fn"];
    assert!(usage.provisioned_gb_seconds > 0.0);
    // No cold start: no on-demand environment was made, so the provisioned
    // one served every invocation and all the billed time is its.
    assert!(usage.requests > 0);
    assert_eq!(usage.provisioned_requests, usage.requests);
    assert_eq!(usage.provisioned_gb_seconds_served, usage.gb_seconds);
}

#[test]
fn provisioned_environments_serve_before_on_demand_ones() {
    // One provisioned environment, 500 ms handlers. Every second one
    // request; at 0 s and 30 s a second one with it, which spills over to
    // an on-demand environment (one cold start, kept warm). Lambda uses
    // on-demand concurrency only while every provisioned environment is
    // busy, so the 58 lone requests run on the provisioned one, not on the
    // newer on-demand one.
    let design = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                timeout_s: 10,
                provisioned_concurrency: 1,
                init_ms: Some(100.0),
                work: Work {
                    duration: Distribution::Constant { ms: 500.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "fn", Meaning::InvokeSync)
        .design();
    let mut sc = scenario("client", TrafficPattern::Constant { rps: 1.0 }, 60.0);
    let mut second = sc.traffic[0].clone();
    second.pattern = TrafficPattern::Constant { rps: 1.0 / 30.0 };
    sc.traffic.push(second);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let f = run.component("fn").unwrap();
    assert_eq!((f.requests, f.cold_starts), (62, 1), "{f:?}");
    let usage = &run.usage.lambda["fn"];
    assert_eq!(usage.requests, 62);
    assert_eq!(usage.provisioned_requests, 60, "{usage:?}");
}

#[test]
fn the_legacy_burst_rule_is_account_wide() {
    // Two functions share the pre-2023 burst of 3,000 then +500/min;
    // under the current rule each may add 1,000 per 10 s on its own.
    let mut design = capped_lambda(5_000, 5_000.0);
    design.account.lambda_concurrency_limit = 20_000;
    design.account.lambda_scaling = archsim_model::design::LambdaScalingRule::LegacyBurst;
    let sc = scenario("client", TrafficPattern::Constant { rps: 2_000.0 }, 5.0);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let legacy = run.component("fn").unwrap().cold_starts;
    // 5 s of 2,000 rps needs ~10,000 environments: 3,000 + ~40 allowed.
    assert!((3_000..=3_060).contains(&legacy), "{legacy}");
    design.account.lambda_scaling = archsim_model::design::LambdaScalingRule::PerFunction;
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let current = run.component("fn").unwrap().cold_starts;
    assert!((1_000..=1_510).contains(&current), "{current}");
}

#[test]
fn least_outstanding_requests_waits_less_than_round_robin() {
    let behind_alb = |algorithm: LbAlgorithm| {
        Build::new()
            .add("client", Props::Client(ClientProps::default()))
            .add(
                "alb",
                Props::Alb(LoadBalancerProps {
                    algorithm,
                    ..Default::default()
                }),
            )
            .add(
                "svc",
                Props::EcsService(EcsServiceProps {
                    desired_count: 4,
                    min_count: 4,
                    max_count: 4,
                    workers_per_task: 1,
                    work: Work {
                        duration: archsim_model::component::Distribution::Exponential {
                            mean_ms: 100.0,
                        },
                        cpu_share: 1.0,
                    },
                    ..Default::default()
                }),
            )
            .link_as("client", "alb", Meaning::InvokeSync)
            .link("alb", "svc", Meaning::Route.default_kind())
            .design()
    };
    let sc = scenario("client", TrafficPattern::Poisson { rps: 30.0 }, 3_000.0);
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let wait = |a| {
        let run = simulate(&behind_alb(a), &sc, &opts).unwrap();
        let s = run.component("svc").unwrap().clone();
        assert_eq!(s.errors, 0);
        s.mean_wait_ms
    };
    let (rr, lor, random) = (
        wait(LbAlgorithm::RoundRobin),
        wait(LbAlgorithm::LeastOutstandingRequests),
        wait(LbAlgorithm::WeightedRandom),
    );
    // Join-the-shortest-queue beats round robin, which beats random
    // (an M/M/1 per task at 75% load waits 300 ms).
    assert!(lor < rr && rr < random, "lor {lor} rr {rr} random {random}");
    assert!((random / 300.0 - 1.0).abs() < 0.15, "random {random}");
}

#[test]
fn kinesis_shards_throttle_writes_above_1000_records_per_second_each() {
    let design = Build::new()
        .add("producer", Props::Client(ClientProps::default()))
        .add(
            "stream",
            Props::KinesisStream(KinesisStreamProps {
                shards: 2,
                ..Default::default()
            }),
        )
        .link_as("producer", "stream", Meaning::Publishes)
        .design();
    let sc = scenario("producer", TrafficPattern::Constant { rps: 3_000.0 }, 10.0);
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let run = simulate(&design, &sc, &opts).unwrap();
    let k = run.component("stream").unwrap();
    // 2,000 burst + 2,000/s for 10 s accepted of 30,000.
    assert_eq!(k.requests, 30_000);
    assert!((k.throttled as i64 - 8_000).abs() < 50, "{}", k.throttled);
}

#[test]
fn step_scaling_acts_after_one_breaching_minute_by_the_step_reached() {
    let autoscaling = ServiceAutoScaling {
        target_tracking: Vec::new(),
        step: vec![StepScalingPolicy {
            metric: ScalingMetric::CpuUtilization,
            alarm_threshold: 50.0,
            steps: vec![
                StepAdjustment {
                    lower_bound: 0.0,
                    adjustment: 1,
                },
                StepAdjustment {
                    lower_bound: 20.0,
                    adjustment: 3,
                },
            ],
            cooldown_s: 300,
        }],
    };
    let design = single_worker_service(4, 100.0, Some(autoscaling));
    let sc = scenario(
        "client",
        TrafficPattern::Step {
            from_rps: 10.0,
            to_rps: 30.0,
            at_s: 600.0,
        },
        900.0,
    );
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let first = run.scale_decisions.first().expect("a step scaling action");
    // 30 rps x 100 ms on 4 workers is 75%: 25 points above the alarm
    // reaches the second step (+3), one minute after the step.
    assert_eq!((first.from, first.to), (4, 7), "{first:?}");
    assert_eq!(first.at_s, 660.0, "{first:?}");
}

#[test]
fn the_hpa_scales_up_within_a_sync_and_down_only_after_five_minutes() {
    let design = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("alb", Props::Alb(LoadBalancerProps::default()))
        .add(
            "web",
            Props::EksWorkload(EksWorkloadProps {
                replicas: 2,
                workers_per_pod: 1,
                hpa: Some(HorizontalPodAutoscaler {
                    min_replicas: 2,
                    max_replicas: 20,
                    target_cpu_percent: 50,
                }),
                work: Work {
                    duration: archsim_model::component::Distribution::Exponential {
                        mean_ms: 100.0,
                    },
                    cpu_share: 1.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "web", Meaning::Route.default_kind())
        .design();
    // 5 rps (25% of 2 pods), 40 rps from 300 s, back to 5 rps at 900 s.
    let mut sc = scenario(
        "client",
        TrafficPattern::Step {
            from_rps: 5.0,
            to_rps: 40.0,
            at_s: 300.0,
        },
        1_800.0,
    );
    sc.events.push(ScheduledEvent {
        at_s: 900.0,
        event: ScenarioEvent::TrafficChange {
            entry: "client".into(),
            factor: 0.125,
        },
    });
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let run = simulate(&design, &sc, &opts).unwrap();
    let d = &run.scale_decisions;
    let up = d.iter().find(|d| d.to > d.from).expect("scales up");
    assert!(up.at_s > 300.0 && up.at_s <= 330.0, "{d:?}");
    assert!(up.to <= (up.from * 2).max(up.from + 4), "{up:?}");
    // After the drop at 900 s the recommendation falls at once, but the
    // 5-minute stabilisation window holds the replicas until ~1,200 s.
    let down = d
        .iter()
        .find(|d| d.at_s > 900.0 && d.to < d.from)
        .expect("scales down");
    assert!(down.at_s >= 900.0 + 300.0, "{d:?}");
    assert_eq!(down.to, 2, "{d:?}");
    assert!(run.component("web").unwrap().max_tasks >= 8);
}

#[test]
fn api_gateway_answers_504_at_its_29_second_timeout() {
    let design = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                timeout_s: 60,
                init_ms: Some(0.0),
                work: Work {
                    duration: archsim_model::component::Distribution::Constant { ms: 40_000.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "fn", Meaning::InvokeSync)
        .design();
    let sc = scenario("client", TrafficPattern::Constant { rps: 1.0 }, 120.0);
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let run = simulate(&design, &sc, &opts).unwrap();
    let api = run.component("api").unwrap();
    let f = run.component("fn").unwrap();
    // The function finishes its 40 s (and is billed for it); the caller
    // got a 504 after 29 s.
    assert!(f.completed >= 79, "{f:?}");
    assert_eq!(api.errors_by_kind.get("504"), Some(&f.completed));
    assert!(
        (api.latency_ms.max - 29_000.0).abs() < 30.0,
        "{:?}",
        api.latency_ms
    );
    let client = run.component("client").unwrap();
    assert!(
        (client.latency_ms.p50 - 29_000.0).abs() < 30.0,
        "{:?}",
        client.latency_ms
    );
}

#[test]
fn alb_targets_drain_for_the_deregistration_delay_before_stopping() {
    let design = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("alb", Props::Alb(LoadBalancerProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: 4,
                min_count: 2,
                max_count: 4,
                workers_per_task: 1,
                autoscaling: Some(ServiceAutoScaling {
                    target_tracking: vec![TargetTrackingPolicy {
                        metric: ScalingMetric::CpuUtilization,
                        target: 50.0,
                        scale_out_cooldown_s: 300,
                        scale_in_cooldown_s: 300,
                    }],
                    step: Vec::new(),
                }),
                work: Work {
                    duration: archsim_model::component::Distribution::Exponential {
                        mean_ms: 100.0,
                    },
                    cpu_share: 1.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "svc", Meaning::Route.default_kind())
        .design();
    // 4 rps x 100 ms on 4 tasks: 10% busy, far below the target.
    let sc = scenario("client", TrafficPattern::Poisson { rps: 4.0 }, 1_800.0);
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let run = simulate(&design, &sc, &opts).unwrap();
    let first_in = run
        .scale_decisions
        .iter()
        .find(|d| d.to < d.from)
        .expect("scales in");
    assert_eq!((first_in.from, first_in.to), (4, 3));
    assert!(first_in.at_s >= 900.0, "{first_in:?}");
    let tasks = &run.component("svc").unwrap().series.tasks;
    let t = first_in.at_s as usize;
    // Draining for the 300 s deregistration delay, then stopped.
    assert_eq!(tasks[t + 290], 4, "{:?}", &tasks[t..t + 310]);
    assert_eq!(tasks[t + 305], 3, "{:?}", &tasks[t..t + 310]);
}

#[test]
fn the_warm_up_discards_the_first_seconds_from_every_statistic_and_the_usage() {
    // 50 rps into a function that starts cold: its environments are all
    // created in the first seconds, then reused (600 s expiry).
    let mut design = capped_lambda(200, 400.0);
    let mut editor = archsim_model::Editor::new(design.clone());
    editor
        .apply(archsim_model::Op::SetProperty {
            id: "fn".into(),
            path: "init_ms".into(),
            value: serde_json::json!(800.0),
        })
        .unwrap();
    design = editor.into_design();
    let sc = scenario("client", TrafficPattern::Poisson { rps: 50.0 }, 600.0);
    let all = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let warm = simulate(
        &design,
        &sc,
        &RunOptions {
            warmup_s: 60.0,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let (a, w) = (all.component("fn").unwrap(), warm.component("fn").unwrap());
    // The same run (the warm-up changes no draw), measured from 60 s.
    assert_eq!(
        (all.duration_s, warm.duration_s, warm.warmup_s),
        (600.0, 540.0, 60.0)
    );
    assert_eq!(all.events, warm.events);
    assert_eq!(w.series.arrivals.len(), 540);
    assert_eq!(w.series.arrivals[..], a.series.arrivals[60..]);
    assert_eq!(w.series.concurrency[..], a.series.concurrency[60..]);
    let after = |v: &[u32]| v[60..].iter().map(|&x| u64::from(x)).sum::<u64>();
    let early: u32 = a.series.cold_starts[..60].iter().sum();
    assert!(early >= 10, "the transient: {early} cold starts");
    // The transient's cold starts are gone; what is left is exactly what
    // happened after 60 s.
    assert_eq!(w.cold_starts, after(&a.series.cold_starts));
    assert!(w.cold_starts < a.cold_starts);
    assert_eq!(w.completed, after(&a.series.completions));
    // Conservation holds, with the requests in flight at 60 s carried in.
    assert_eq!(
        w.requests,
        w.completed + w.errors + w.throttled + w.in_flight
    );
    // The bill: invocations started after 60 s, and duration billed for them.
    let (ua, uw) = (&all.usage.lambda["fn"], &warm.usage.lambda["fn"]);
    assert!(uw.requests < ua.requests);
    assert_eq!(
        uw.requests,
        after(&a.series.arrivals),
        "none throttled or queued"
    );
    assert!(uw.gb_seconds < ua.gb_seconds * 0.95);
    // Environments: none created after the warm-up, all alive throughout.
    let env = w.environments.as_ref().unwrap();
    assert_eq!(env.created, w.cold_starts);
    assert_eq!(
        env.cold_start_share,
        w.cold_starts as f64 / uw.requests as f64
    );
    let alive = a.environments.as_ref().unwrap().max_alive as f64;
    assert!(env.mean_alive <= alive && env.mean_alive > 0.9 * alive);
}

#[test]
fn a_warm_up_as_long_as_the_run_is_refused() {
    let design = capped_lambda(2, 10.0);
    let sc = scenario("client", TrafficPattern::Poisson { rps: 1.0 }, 60.0);
    let err = simulate(
        &design,
        &sc,
        &RunOptions {
            warmup_s: 60.0,
            ..RunOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("warm-up"), "{err}");
}

#[test]
fn a_run_advanced_in_any_slices_equals_the_whole_run() {
    // Quiet seconds are closed in bulk between events; slicing the run
    // (as a live run does) must not change a single figure or series.
    let mut design = capped_lambda(3, 500.0);
    design.account.lambda_idle_expiry_s = 7;
    let sc = scenario("client", TrafficPattern::Poisson { rps: 0.05 }, 2_000.0);
    let queue = starter("queue-worker").unwrap().build().unwrap();
    for (design, sc) in [(&design, &sc), (&queue, &queue.scenarios[0])] {
        let opts = short(sc.duration_s.min(1_500.0));
        let whole = simulate(design, sc, &opts).unwrap();
        let mut sim = archsim_sim::prepare(design, sc, &opts).unwrap();
        let (mut t, mut step) = (0.0, 0.37);
        while !sim.is_finished() {
            t += step;
            step = if step < 50.0 { step * 1.7 } else { 0.61 };
            sim.run_until(t);
        }
        assert_eq!(sim.into_run(), whole);
    }
}

#[test]
fn replications_in_parallel_equal_replications_one_after_another() {
    let design = starter("queue-worker").unwrap().build().unwrap();
    let sc = &design.scenarios[0];
    let opts = short(300.0);
    let seeds: Vec<u64> = (1..=6).collect();
    let on = |threads: usize| {
        let simulated = std::sync::Mutex::new(0.0);
        let reps = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                archsim_sim::replicate(&design, sc, &opts, &seeds, &|s| {
                    *simulated.lock().unwrap() += s;
                })
            })
            .unwrap();
        assert_eq!(*simulated.lock().unwrap(), 300.0 * 6.0, "progress");
        reps
    };
    let serial = on(1);
    assert_eq!(serial, on(4));
    // The first seed's whole run, and every seed in the estimates.
    assert_eq!(
        serial.first,
        simulate(
            &design,
            sc,
            &RunOptions {
                seed: Some(1),
                ..opts.clone()
            }
        )
        .unwrap()
    );
    let runs: Vec<_> = seeds
        .iter()
        .map(|&s| {
            simulate(
                &design,
                sc,
                &RunOptions {
                    seed: Some(s),
                    ..opts.clone()
                },
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        serial,
        archsim_sim::replicate::summarise(seeds.clone(), runs)
    );
    assert!(
        serial
            .components
            .iter()
            .any(|c| c.metrics["requests"].ci95 > 0.0)
    );
}

#[test]
fn the_live_frame_shows_a_functions_environments_alive_beside_the_busy_ones() {
    // A burst at 0 s starts environments; at 300 s they are idle but not
    // yet reclaimed (600 s): alive, none busy. By 700 s all are gone.
    let design = capped_lambda(1, 10.0);
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 0.0 }, 900.0);
    sc.traffic = vec![spike_at(0.0)];
    let mut sim = archsim_sim::Simulation::new(&design, &sc, &RunOptions::default()).unwrap();
    let at = |sim: &mut archsim_sim::Simulation, t: f64| {
        sim.run_until(t);
        let f = sim.frame();
        let c = f.components.iter().find(|c| c.id == "fn").unwrap().clone();
        (c.environments, c.concurrency)
    };
    assert_eq!(at(&mut sim, 300.0), (1, 0));
    assert_eq!(at(&mut sim, 700.0), (0, 0));
    let client = sim
        .frame()
        .components
        .into_iter()
        .find(|c| c.id == "client")
        .unwrap();
    assert_eq!(client.environments, 0, "only functions have environments");
}

#[test]
fn a_run_without_series_differs_from_one_with_only_in_its_series() {
    // Replications after the first run without series; every other figure
    // (counters, gauges, usage, decisions, traces) must be the same.
    for name in ["queue-worker", "serverless-api"] {
        let design = starter(name).unwrap().build().unwrap();
        let sc = &design.scenarios[0];
        let with = simulate(&design, sc, &short(300.0)).unwrap();
        let mut without = simulate(
            &design,
            sc,
            &RunOptions {
                series: false,
                ..short(300.0)
            },
        )
        .unwrap();
        assert!(
            without
                .components
                .iter()
                .all(|c| c.series.arrivals.is_empty() && c.series.concurrency.is_empty())
        );
        assert!(
            with.components
                .iter()
                .any(|c| c.series.arrivals.len() == 300)
        );
        for (a, b) in without.components.iter_mut().zip(&with.components) {
            a.series = b.series.clone();
        }
        assert_eq!(without, with, "{name}");
    }
}

#[test]
fn runs_without_series_skip_ticks_and_still_match_runs_with_them() {
    // Without series the engine runs only the ticks that do something
    // (reclaim idle environments, snapshot placements, end the warm-up)
    // and skips the rest even past events. On every starter, with idle
    // environments reclaimed after a minute (so reclaiming ticks fall
    // between events all run long) and a warm-up, everything but the
    // series must be what a run that ticks every second gives.
    for s in STARTERS.iter().filter(|s| s.name != "blank") {
        let mut design = s.build().unwrap();
        design.account.lambda_idle_expiry_s = 60;
        let sc = &design.scenarios[0];
        let opts = |series| RunOptions {
            series,
            warmup_s: 90.0,
            ..short(1_200.0)
        };
        let with = simulate(&design, sc, &opts(true)).unwrap();
        let mut without = simulate(&design, sc, &opts(false)).unwrap();
        for (a, b) in without.components.iter_mut().zip(&with.components) {
            a.series = b.series.clone();
        }
        assert_eq!(without, with, "{}", s.name);
    }
}
