//! The live simulation as the canvas drives it: time follows the caller's
//! clock and speed, controls work, bad controls are refused with a reason,
//! and a live run that reaches the end agrees with `archsim simulate`.

use archsim_app::{ErrorCode, Health, LiveControl, LiveRun, LiveStart, LiveView};
use archsim_model::Design;
use archsim_model::component::Props;
use archsim_model::scenario::ScenarioEvent;
use archsim_model::starters::starter;
use archsim_sim::RunOptions;

fn design(name: &str) -> Design {
    starter(name).unwrap().build().unwrap()
}

fn start(design: &Design, start: LiveStart) -> LiveRun {
    LiveRun::start(design, None, &start).unwrap()
}

fn component<'a>(v: &'a LiveView, id: &str) -> &'a archsim_app::LiveComponent {
    v.components.iter().find(|c| c.now.id == id).unwrap()
}

/// Polls every 40 ms of wall clock until the run ends (at most `polls`).
fn run_out(run: &mut LiveRun, mut clock: f64, polls: usize) -> (LiveView, f64) {
    let mut v = run.poll(clock);
    for _ in 0..polls {
        if v.finished {
            break;
        }
        clock += 0.04;
        v = run.poll(clock);
    }
    (v, clock)
}

#[test]
fn simulated_time_follows_the_clock_and_the_speed() {
    let d = design("serverless-api");
    let mut run = start(
        &d,
        LiveStart {
            speed: Some(10.0),
            ..LiveStart::default()
        },
    );
    assert_eq!(
        run.poll(100.0).at_s,
        0.0,
        "the first poll only sets the clock"
    );
    let v = run.poll(100.1);
    assert!((v.at_s - 1.0).abs() < 1e-5, "{}", v.at_s);
    assert_eq!(v.scenario, "launch-day");
    assert_eq!(v.seed, 7);
    // A viewer away for a minute gets at most MAX_WALL_STEP_S of it.
    let v = run.poll(160.0);
    assert!((v.at_s - 1.0 - 10.0 * archsim_app::MAX_WALL_STEP_S).abs() < 1e-5);
    let f = component(&v, "orders-fn");
    assert!(f.now.requests > 0 && f.now.cold_starts >= 1, "{f:?}");
    assert!(f.arrivals_per_s > 0);
}

#[test]
fn pause_step_restart_and_speed_controls() {
    let d = design("serverless-api");
    let mut run = start(&d, LiveStart::default());
    run.poll(0.0);
    run.poll(0.2);
    run.control(LiveControl::Pause).unwrap();
    let paused = run.poll(0.4);
    assert!(paused.paused);
    assert_eq!(run.poll(0.6).at_s, paused.at_s, "paused time stands still");
    run.control(LiveControl::Step { seconds: 5.0 }).unwrap();
    let stepped = run.view();
    assert!((stepped.at_s - paused.at_s - 5.0).abs() < 1e-9);

    run.control(LiveControl::Restart).unwrap();
    let again = run.view();
    assert_eq!(again.at_s, 0.0);
    assert!(again.paused, "restart keeps the paused state");
    run.control(LiveControl::Step {
        seconds: stepped.at_s,
    })
    .unwrap();
    assert_eq!(
        run.view().components,
        stepped.components,
        "same seed, same numbers"
    );

    run.control(LiveControl::Resume).unwrap();
    run.control(LiveControl::Speed { speed: None }).unwrap();
    let t = run.view().at_s;
    let v = run.poll(0.8);
    assert_eq!(v.speed, None);
    assert!(
        (v.at_s - (t + archsim_app::MAX_SLICE_S)).abs() < 1e-9,
        "maximum speed runs a full slice per poll: {} -> {}",
        t,
        v.at_s
    );
}

#[test]
fn a_live_run_to_the_end_matches_a_batch_run() {
    let d = design("queue-worker");
    let mut run = start(&d, LiveStart::default());
    run.control(LiveControl::Speed { speed: None }).unwrap();
    let (end, _) = run_out(&mut run, 0.0, 100_000);
    assert!(end.finished);
    let scenario = archsim_sim::find_scenario(&d, None).unwrap();
    let opts = RunOptions {
        max_traces: archsim_app::LIVE_MAX_TRACES,
        ..RunOptions::default()
    };
    let batch = archsim_sim::simulate(&d, scenario, &opts).unwrap();
    assert!(!end.components.is_empty());
    for c in &end.components {
        let b = batch.component(&c.now.id).unwrap();
        assert_eq!(
            (
                c.now.requests,
                c.now.completed,
                c.now.errors,
                c.now.throttled
            ),
            (b.requests, b.completed, b.errors, b.throttled),
            "{}",
            c.now.id
        );
        assert_eq!(c.now.cold_starts, b.cold_starts, "{}", c.now.id);
    }
    assert_eq!(end.traces as usize, run.traces().len());
    let batch_traces: Vec<archsim_app::RequestTrace> =
        batch.traces.iter().map(Into::into).collect();
    assert_eq!(run.traces(), batch_traces);
}

#[test]
fn a_spike_multiplies_the_arrivals_and_is_logged() {
    let d = design("serverless-api");
    let arrivals_over = |spike: bool| {
        let mut run = start(
            &d,
            LiveStart {
                paused: true,
                ..LiveStart::default()
            },
        );
        run.control(LiveControl::Step { seconds: 150.0 }).unwrap();
        let before = component(&run.view(), "api").now.requests;
        if spike {
            run.control(LiveControl::Spike { factor: 2.0 }).unwrap();
        }
        run.control(LiveControl::Step { seconds: 30.0 }).unwrap();
        let v = run.view();
        (component(&v, "api").now.requests - before, v.events)
    };
    let (plain, no_events) = arrivals_over(false);
    let (spiked, events) = arrivals_over(true);
    assert!(no_events.is_empty());
    assert_eq!(events.len(), 1);
    assert!(
        (events[0].at_s - 150.0).abs() < 1e-6 && events[0].text.contains("x2"),
        "{events:?}"
    );
    let ratio = spiked as f64 / plain as f64;
    assert!((1.8..2.2).contains(&ratio), "{plain} -> {spiked}");
}

#[test]
fn throttling_turns_a_component_amber_and_errors_red() {
    let mut d = design("serverless-api");
    // One execution environment for 500 rps: the function throttles.
    archsim_model::edit::apply_op(
        &mut d,
        archsim_model::edit::Op::SetProperty {
            id: "orders-fn".into(),
            path: "reserved_concurrency".into(),
            value: serde_json::json!(1),
        },
    )
    .unwrap();
    assert!(matches!(
        &d.component("orders-fn").unwrap().props,
        Props::LambdaFunction(p) if p.reserved_concurrency == Some(1)
    ));
    let mut run = start(
        &d,
        LiveStart {
            paused: true,
            ..LiveStart::default()
        },
    );
    run.control(LiveControl::Step { seconds: 20.0 }).unwrap();
    let quiet = run.view();
    run.control(LiveControl::Step { seconds: 50.0 }).unwrap();
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    let busy = run.view();
    let fn_busy = component(&busy, "orders-fn");
    assert!(fn_busy.now.throttled > 0, "{fn_busy:?}");
    assert_ne!(fn_busy.health, Health::Ok);
    assert_eq!(component(&quiet, "orders").health, Health::Ok);
}

#[test]
fn bad_starts_and_controls_say_what_is_wrong() {
    let d = design("serverless-api");
    let e = LiveRun::start(
        &d,
        None,
        &LiveStart {
            scenario: Some("black-friday".into()),
            ..LiveStart::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Simulation);
    assert!(
        e.message.contains("black-friday") && e.message.contains("launch-day"),
        "{}",
        e.message
    );
    let mut run = start(&d, LiveStart::default());
    for (control, words) in [
        (LiveControl::Speed { speed: Some(-1.0) }, "speed"),
        (LiveControl::Step { seconds: 0.0 }, "step"),
        (LiveControl::Spike { factor: f64::NAN }, "spike"),
        (
            LiveControl::Inject {
                event: ScenarioEvent::ZoneLoss {
                    zone: "eu-west-9z".into(),
                },
            },
            "eu-west-9z",
        ),
        (
            LiveControl::Inject {
                event: ScenarioEvent::DependencySlowdown {
                    component: "nope".into(),
                    factor: 2.0,
                    duration_s: 10.0,
                },
            },
            "nope",
        ),
    ] {
        let e = run.control(control).unwrap_err();
        assert!(e.message.contains(words), "{}", e.message);
    }
    assert_eq!(run.view().at_s, 0.0, "refused controls change nothing");
    assert!(run.view().events.is_empty());
}

#[test]
fn series_are_bounded_and_placement_is_reported() {
    let d = design("ecs-ec2-placement");
    let mut run = start(
        &d,
        LiveStart {
            paused: true,
            ..LiveStart::default()
        },
    );
    let id = d.scenarios[0].traffic[0].entry.clone();
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    let s = run.series(&id).unwrap();
    assert_eq!(s.step_s, 1);
    assert_eq!(s.series.arrivals.len(), 60);
    let mut steps = 60.0;
    while steps < 1_300.0 && !run.view().finished {
        run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
        steps += 60.0;
    }
    let long = run.series(&id).unwrap();
    assert!(long.series.arrivals.len() <= archsim_app::MAX_SERIES_POINTS);
    let total: u64 = long.series.arrivals.iter().map(|&x| u64::from(x)).sum();
    assert_eq!(total, component(&run.view(), &id).now.requests);
    assert!(run.series("nope").is_err());

    let v = run.view();
    assert!(!v.placement.capacities.is_empty());
    assert!(
        v.placement
            .capacities
            .iter()
            .any(|c| !c.instances.is_empty())
    );
    assert!(v.placement.services.iter().any(|s| !s.tasks.is_empty()));
}

#[test]
fn scenarios_are_edited_as_one_undoable_step() {
    use archsim_app::{Edit, Session};
    let mut s = Session::blank();
    s.new_from_starter("serverless-api").unwrap();
    let before = s.document().scenarios;
    let mut changed = before.clone();
    changed[0].duration_s = 90.0;
    changed.remove(1);
    let doc = s
        .apply(Edit::SetScenarios {
            scenarios: changed.clone(),
        })
        .unwrap()
        .document;
    assert_eq!(doc.scenarios, changed);
    assert_eq!(s.design().scenarios, changed);
    assert_eq!(s.undo().scenarios, before);
    assert_eq!(s.redo().scenarios, changed);
    // A negative duration is refused and nothing changes.
    let mut bad = changed.clone();
    bad[0].duration_s = -1.0;
    s.apply(Edit::SetScenarios { scenarios: bad }).unwrap();
    let problem = s
        .document()
        .problems
        .into_iter()
        .find(|p| p.code == "SCENARIO_INVALID")
        .expect("a negative duration is a problem");
    assert!(
        problem.message.contains("duration_s"),
        "{}",
        problem.message
    );
}

#[test]
fn presenting_uses_the_saved_file_or_a_copy_of_unsaved_work() {
    use archsim_app::{Edit, Session, presenter_args};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.archsim.json");
    archsim_model::file::save(&design("serverless-api"), &path).unwrap();
    let mut s = Session::open(&path).unwrap();
    let scratch = dir.path().join("scratch");
    let args = presenter_args(&s, None, &scratch).unwrap();
    assert_eq!(
        args,
        vec![
            path.clone().into_os_string(),
            "--scenario".into(),
            "launch-day".into()
        ]
    );
    s.apply(Edit::Rename {
        id: "orders-fn".into(),
        name: "Renamed".into(),
    })
    .unwrap();
    let args = presenter_args(&s, Some("daily-cycle"), &scratch).unwrap();
    let copy = std::path::PathBuf::from(&args[0]);
    assert!(copy.starts_with(&scratch));
    let shown = archsim_model::load(&copy).unwrap();
    assert_eq!(shown.component("orders-fn").unwrap().name, "Renamed");
    assert_eq!(args[2], "daily-cycle");
    let e = presenter_args(&s, Some("nope"), &scratch).unwrap_err();
    assert!(e.message.contains("nope"), "{}", e.message);
}

#[test]
fn a_live_run_samples_traces_from_later_in_the_run() {
    let d = design("serverless-api");
    let mut run = start(
        &d,
        LiveStart {
            paused: true,
            ..LiveStart::default()
        },
    );
    for _ in 0..10 {
        run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    }
    let traces = run.traces();
    assert_eq!(traces.len(), archsim_app::LIVE_MAX_TRACES);
    // 10 rps then 500 rps from 2:00: a default batch sample (20) would end
    // within the first minutes; the live sample reaches past the step.
    assert!(
        traces.last().unwrap().start_s > 120.0,
        "{}",
        traces.last().unwrap().start_s
    );
}

/// A deploy injected into a live run shows in the view while it runs: the
/// canary's share from its start, both versions' requests and errors, and
/// 100% once it succeeded, as the simulator has them.
#[test]
fn a_live_deployment_shows_its_share_and_both_versions_health() {
    use archsim_app::DeploymentOutcome;
    let d = design("serverless-api");
    let mut run = start(
        &d,
        LiveStart {
            scenario: Some("launch-day".into()),
            paused: true,
            ..LiveStart::default()
        },
    );
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    assert!(run.view().deployments.is_empty());
    let target = archsim_app::deploy_target(&d).unwrap();
    assert_eq!(target.id, "orders-fn", "the function with a canary");
    run.control(LiveControl::Inject {
        event: ScenarioEvent::Deploy {
            component: target.id.clone(),
            work: None,
            init_ms: None,
            error_rate: 0.2,
            fails_health_checks: false,
        },
    })
    .unwrap();
    run.control(LiveControl::Step { seconds: 30.0 }).unwrap();
    let v = run.view();
    assert_eq!(v.deployments.len(), 1);
    let dep = &v.deployments[0];
    assert_eq!(
        (
            dep.component.as_str(),
            dep.version,
            dep.percent,
            dep.outcome
        ),
        ("orders-fn", 2, 10, DeploymentOutcome::InProgress)
    );
    let [old, new] = dep.versions;
    assert_eq!(old.errors, 0);
    assert!(new.requests > 0 && new.errors > 0, "{new:?}");
    assert!(old.requests > 5 * new.requests, "{old:?} {new:?}");
    // The same numbers as the simulator's own.
    let mut sim = archsim_sim::prepare(
        &d,
        d.scenarios.iter().find(|s| s.name == "launch-day").unwrap(),
        &RunOptions::default(),
    )
    .unwrap();
    sim.run_until(60.0);
    sim.inject(ScenarioEvent::Deploy {
        component: "orders-fn".into(),
        work: None,
        init_ms: None,
        error_rate: 0.2,
        fails_health_checks: false,
    });
    sim.run_until(90.0);
    let expected: Vec<archsim_app::DeploymentNow> =
        sim.deployments_now().into_iter().map(Into::into).collect();
    assert_eq!(v.deployments, expected);
    // Its alarm rolls the failing canary back; a healthy one then goes
    // to 100% after its five minutes.
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    let dep = &run.view().deployments[0];
    assert_eq!(
        (dep.percent, dep.outcome),
        (0, DeploymentOutcome::RolledBack)
    );
    run.control(LiveControl::Inject {
        event: ScenarioEvent::Deploy {
            component: "orders-fn".into(),
            work: None,
            init_ms: None,
            error_rate: 0.0,
            fails_health_checks: false,
        },
    })
    .unwrap();
    run.control(LiveControl::Step { seconds: 299.0 }).unwrap();
    let dep = &run.view().deployments[1];
    assert_eq!(
        (dep.version, dep.percent, dep.outcome),
        (3, 10, DeploymentOutcome::InProgress)
    );
    run.control(LiveControl::Step { seconds: 2.0 }).unwrap();
    let dep = &run.view().deployments[1];
    assert_eq!(
        (dep.percent, dep.outcome),
        (100, DeploymentOutcome::Succeeded)
    );
    assert!(archsim_app::deploy_target(&design("eks-platform")).is_none());
}

#[test]
fn a_live_run_says_what_it_simulates_otherwise_than_aws_as_a_batch_run_does() {
    // A Karpenter NodePool's consolidation is simplified: the live view
    // carries the run's notes from its first frame, the same as the run's.
    let mut d = design("eks-platform");
    archsim_model::edit::apply_op(
        &mut d,
        archsim_model::Op::SetProperty {
            id: "nodes".into(),
            path: "autoscaler".into(),
            value: serde_json::json!("karpenter"),
        },
    )
    .unwrap();
    let mut run = start(
        &d,
        LiveStart {
            paused: true,
            ..LiveStart::default()
        },
    );
    let v = run.poll(0.0);
    assert!(
        v.notes.iter().any(|n| n.contains("Karpenter")),
        "{:?}",
        v.notes
    );
    let scenario = archsim_sim::find_scenario(&d, None).unwrap();
    let batch = archsim_sim::simulate(
        &d,
        scenario,
        &RunOptions {
            duration_s: Some(60.0),
            instance_prices: archsim_cost::instance_prices(&d.region),
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(v.notes, batch.notes);
    // Without such a simplification there is nothing to say.
    assert!(
        start(&design("queue-worker"), LiveStart::default())
            .poll(0.0)
            .notes
            .is_empty()
    );
}
