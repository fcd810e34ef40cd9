//! Lambda deployments under traffic: a canary with a failing version is
//! rolled back by its alarm, a healthy linear deployment shifts at its
//! configured times, the new version starts cold, runs are deterministic.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_model::{Design, Scenario};
use archsim_sim::{DeploymentOutcome, Run, RunOptions, simulate};
use common::*;

/// Client -> API Gateway -> function, with `deployment` on the function.
fn design(deployment: Option<LambdaDeployment>) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1024,
                timeout_s: 10,
                deployment: deployment.map(Box::new),
                ..Default::default()
            }),
        )
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "fn", Meaning::InvokeSync)
        .design()
}

fn deployment(shift: TrafficShift, alarms: Vec<DeploymentAlarm>) -> LambdaDeployment {
    LambdaDeployment {
        alias: Some("live".into()),
        preference: Some(DeploymentPreference {
            shift,
            alarms,
            pre_traffic_hook: None,
            post_traffic_hook: None,
        }),
    }
}

fn error_rate_alarm(threshold: f64) -> DeploymentAlarm {
    DeploymentAlarm {
        metric: AlarmMetric::ErrorRate,
        period_s: 60,
        evaluation_periods: 1,
        threshold,
        comparison: AlarmComparison::GreaterThanThreshold,
    }
}

fn deploy_at(at_s: f64, event: ScenarioEvent, rps: f64, duration_s: f64, seed: u64) -> Scenario {
    let mut sc = scenario("client", TrafficPattern::Poisson { rps }, duration_s);
    sc.seed = seed;
    sc.events.push(ScheduledEvent { at_s, event });
    sc
}

fn new_version(error_rate: f64, work: Option<Distribution>) -> ScenarioEvent {
    ScenarioEvent::Deploy {
        component: "fn".into(),
        work,
        init_ms: Some(900.0),
        error_rate,
        fails_health_checks: false,
    }
}

fn run(d: &Design, sc: &Scenario) -> Run {
    simulate(d, sc, &RunOptions::default()).unwrap()
}

#[test]
fn a_failing_canary_is_rolled_back_by_its_alarm_with_errors_confined_to_its_share() {
    let d = design(Some(deployment(
        TrafficShift::Canary {
            percent: 10,
            interval_min: 5,
        },
        vec![error_rate_alarm(1.0)],
    )));
    for seed in 1..=5 {
        let sc = deploy_at(120.0, new_version(0.2, None), 100.0, 900.0, seed);
        let r = run(&d, &sc);
        assert_eq!(r.deployments.len(), 1);
        let dep = &r.deployments[0];
        assert_eq!(dep.component, "fn");
        assert_eq!(dep.strategy, "Canary10Percent5Minutes");
        assert_eq!(dep.outcome, DeploymentOutcome::RolledBack, "seed {seed}");
        // The first shift is at the deployment's start; the alarm's one
        // 60 s period ends a minute later and rolls it back then.
        assert_eq!(dep.started_at_s, 120.0);
        assert_eq!(dep.shifts[0].at_s, 120.0);
        assert_eq!(dep.shifts[0].percent, 10);
        let finished = dep.finished_at_s.unwrap();
        assert!(finished <= 120.0 + 60.0, "rolled back at {finished}");
        assert_eq!(dep.shifts.last().unwrap().percent, 0);
        assert_eq!(dep.shifts.last().unwrap().at_s, finished);
        assert!(dep.alarm.as_deref().unwrap().contains("error_rate > 1"));
        // Errors only on the new version, about 20% of its ~10% share.
        let (old, new) = (&dep.versions[0], &dep.versions[1]);
        assert_eq!((old.version.as_str(), new.version.as_str()), ("old", "new"));
        assert_eq!(old.errors, 0);
        let share = new.requests as f64 / (old.requests + new.requests) as f64;
        assert!((0.07..0.13).contains(&share), "canary share {share}");
        let failing = new.errors as f64 / new.requests as f64;
        assert!(
            (0.12..0.28).contains(&failing),
            "new version fails {failing}"
        );
        // The whole run's errors are the canary's: ~100 rps x 60 s x 10%
        // x 20% = 120, nothing before the deployment or after the rollback.
        let f = r.component("fn").unwrap();
        assert_eq!(f.errors, new.errors, "seed {seed}");
        assert_eq!(f.errors_by_kind.get("function_error"), Some(&new.errors));
        assert!((60..=200).contains(&f.errors), "{} errors", f.errors);
        let before: u32 = f.series.errors[..120].iter().sum();
        let after: u32 = f.series.errors[181..].iter().sum();
        assert_eq!((before, after), (0, 0));
    }
}

#[test]
fn a_healthy_linear_deployment_succeeds_with_shifts_at_the_configured_times() {
    let d = design(Some(deployment(
        TrafficShift::Linear {
            percent: 10,
            interval_min: 1,
        },
        vec![error_rate_alarm(1.0)],
    )));
    let sc = deploy_at(60.0, new_version(0.0, None), 50.0, 900.0, 7);
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.strategy, "Linear10PercentEvery1Minute");
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    assert_eq!(dep.alarm, None);
    let shifts: Vec<(f64, u32)> = dep.shifts.iter().map(|s| (s.at_s, s.percent)).collect();
    let expected: Vec<(f64, u32)> = (0..10)
        .map(|k| (60.0 + 60.0 * k as f64, 10 * (k + 1)))
        .collect();
    assert_eq!(shifts, expected);
    assert_eq!(dep.finished_at_s, Some(60.0 + 9.0 * 60.0));
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    assert_eq!(old.errors + new.errors, 0);
    // Over the nine minutes the new version had on average 50% of traffic
    // (10%..90%, each a minute; 100% only at the end).
    let share = new.requests as f64 / (old.requests + new.requests) as f64;
    assert!((0.44..0.56).contains(&share), "new share {share}");
    // Its environments started cold, in their own pool.
    assert!(new.cold_starts > 0);
    assert_eq!(r.component("fn").unwrap().errors, 0);
}

#[test]
fn the_new_version_starts_cold_even_when_the_old_one_is_warm() {
    // No deployment preference: the update takes all traffic at once.
    let d = design(None);
    let sc = deploy_at(300.0, new_version(0.0, None), 50.0, 600.0, 3);
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.strategy, "AllAtOnce");
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    assert_eq!(dep.finished_at_s, Some(300.0));
    let cold = &r.component("fn").unwrap().series.cold_starts;
    let warm_before: u32 = cold[200..300].iter().sum();
    let after: u32 = cold[300..310].iter().sum();
    assert_eq!(warm_before, 0, "the old version was warm");
    assert!(
        after >= 5,
        "the new version's environments start cold: {after}"
    );
}

#[test]
fn a_latency_alarm_needs_its_evaluation_periods_in_a_row() {
    let slow = Distribution::Lognormal {
        mean_ms: 400.0,
        p99_ms: 1500.0,
    };
    let alarm = DeploymentAlarm {
        metric: AlarmMetric::P99Duration,
        period_s: 60,
        evaluation_periods: 2,
        threshold: 1000.0,
        comparison: AlarmComparison::GreaterThanOrEqualToThreshold,
    };
    let d = design(Some(deployment(
        TrafficShift::Canary {
            percent: 50,
            interval_min: 10,
        },
        vec![alarm],
    )));
    let mut ev = new_version(0.0, Some(slow));
    if let ScenarioEvent::Deploy { init_ms, .. } = &mut ev {
        *init_ms = Some(100.0);
    }
    let r = run(&d, &deploy_at(60.0, ev, 50.0, 900.0, 2));
    let dep = &r.deployments[0];
    assert_eq!(dep.outcome, DeploymentOutcome::RolledBack);
    assert_eq!(dep.finished_at_s, Some(60.0 + 120.0));
    assert!(dep.versions[1].p99_ms > dep.versions[0].p99_ms * 3.0);
}

#[test]
fn a_deployment_is_deterministic_per_seed() {
    let d = design(Some(deployment(
        TrafficShift::Canary {
            percent: 10,
            interval_min: 5,
        },
        vec![error_rate_alarm(1.0)],
    )));
    let sc = deploy_at(120.0, new_version(0.2, None), 100.0, 400.0, 11);
    let (a, b) = (run(&d, &sc), run(&d, &sc));
    assert_eq!(a, b);
    let mut other = sc.clone();
    other.seed = 12;
    assert_ne!(run(&d, &other).deployments, a.deployments);
}

#[test]
fn the_serverless_examples_bad_version_is_rolled_back_in_its_scenario() {
    let design = archsim_model::starters::starter("serverless-api")
        .unwrap()
        .build()
        .unwrap();
    let sc = design
        .scenarios
        .iter()
        .find(|s| s.name == "bad-deploy")
        .unwrap();
    let r = simulate(&design, sc, &RunOptions::default()).unwrap();
    let dep = &r.deployments[0];
    assert_eq!(dep.component, "orders-fn");
    assert_eq!(dep.outcome, DeploymentOutcome::RolledBack);
    assert!(
        dep.alarm
            .as_deref()
            .unwrap()
            .starts_with("alarms[0]: error_rate")
    );
    assert_eq!(dep.finished_at_s, Some(180.0));
    assert_eq!(dep.versions[0].errors, 0);
    assert_eq!(
        r.component("orders-fn").unwrap().errors,
        dep.versions[1].errors
    );
}

#[test]
fn throttles_are_counted_against_the_version_the_alias_picked() {
    // Reserved concurrency 2 under ~5x the load it can serve: most
    // invocations are throttled, on each version in its share.
    let d = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1769,
                reserved_concurrency: Some(2),
                init_ms: Some(0.0),
                work: Work {
                    duration: Distribution::Constant { ms: 200.0 },
                    cpu_share: 0.0,
                },
                deployment: Some(Box::new(deployment(
                    TrafficShift::Canary {
                        percent: 30,
                        interval_min: 10,
                    },
                    Vec::new(),
                ))),
                ..Default::default()
            }),
        )
        .link_as("client", "fn", Meaning::InvokeSync)
        .design();
    let r = run(&d, &deploy_at(10.0, new_version(0.0, None), 50.0, 300.0, 4));
    let dep = &r.deployments[0];
    assert_eq!(dep.outcome, DeploymentOutcome::InProgress);
    assert_eq!(dep.finished_at_s, None);
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    let throttles = old.throttles + new.throttles;
    assert!(throttles > 5_000, "{throttles} throttles");
    let share = new.throttles as f64 / throttles as f64;
    assert!(
        (0.27..0.33).contains(&share),
        "new version's share of throttles {share}"
    );
}

/// What a live view reads while a canary runs: the new version's share is
/// the configured step from the deployment's start, 100% once it
/// succeeded; each version's requests and errors are counted as they go.
#[test]
fn deployments_now_follow_a_canary_as_it_runs() {
    let d = design(Some(deployment(
        TrafficShift::Canary {
            percent: 10,
            interval_min: 5,
        },
        Vec::new(),
    )));
    let sc = deploy_at(60.0, new_version(0.2, None), 100.0, 900.0, 3);
    let mut sim = archsim_sim::prepare(&d, &sc, &RunOptions::default()).unwrap();
    sim.run_until(59.0);
    assert!(sim.deployments_now().is_empty());
    sim.run_until(61.0);
    let now = sim.deployments_now();
    assert_eq!(now.len(), 1);
    let dep = &now[0];
    assert_eq!(
        (
            dep.component.as_str(),
            dep.version,
            dep.percent,
            dep.outcome
        ),
        ("fn", 2, 10, DeploymentOutcome::InProgress)
    );
    assert_eq!(dep.strategy, "Canary10Percent5Minutes");
    sim.run_until(359.0);
    let dep = &sim.deployments_now()[0];
    assert_eq!(
        (dep.percent, dep.outcome),
        (10, DeploymentOutcome::InProgress)
    );
    let [old, new] = dep.versions;
    assert_eq!(old.errors, 0, "only the new version fails");
    assert!(new.errors > 0 && new.errors < new.requests);
    let share = new.requests as f64 / (old.requests + new.requests) as f64;
    assert!((0.07..0.13).contains(&share), "canary share {share}");
    sim.run_until(361.0);
    let dep = &sim.deployments_now()[0];
    assert_eq!(
        (dep.percent, dep.outcome),
        (100, DeploymentOutcome::Succeeded)
    );
    // The numbers kept are those of the deployment's run, not counted on.
    let kept = dep.versions;
    sim.run_until(600.0);
    assert_eq!(sim.deployments_now()[0].versions, kept);
    // As deterministic as the run: the same seed, the same numbers.
    let mut again = archsim_sim::prepare(&d, &sc, &RunOptions::default()).unwrap();
    again.run_until(600.0);
    assert_eq!(again.deployments_now(), sim.deployments_now());
}
