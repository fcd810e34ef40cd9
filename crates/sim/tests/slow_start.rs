//! An ALB target group's slow start: a task registered while another
//! serves gets a share of round robin's requests that grows linearly from
//! 0 to an equal share over the slow start. With weight w = (t - t0) / S
//! beside one task at full weight, its share is w / (1 + w), so over the
//! first x·S seconds it serves λ·S·(x - ln(1 + x)) of a steady λ.

mod common;

use archsim_model::Design;
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScenarioEvent, TrafficPattern};
use archsim_sim::{RunOptions, TaskNow, prepare};
use common::*;

const RPS: f64 = 20.0;

/// Client -> ALB (round robin, `slow_start_s`) -> a Fargate service of two
/// tasks with room for every request (no queueing).
fn two_tasks_behind_alb(slow_start_s: u32) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "alb",
            Props::Alb(LoadBalancerProps {
                slow_start_s,
                ..Default::default()
            }),
        )
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: 2,
                min_count: 2,
                max_count: 2,
                workers_per_task: 64,
                work: Work {
                    duration: Distribution::Constant { ms: 10.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .add(
            "task",
            Props::TaskDefinition(TaskDefinitionProps::default()),
        )
        .add("fargate", Props::Fargate(FargateProps::default()))
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "svc", Meaning::Route.default_kind())
        .link_as("svc", "task", Meaning::RunsTask)
        .link_as("svc", "fargate", Meaning::RunsOn)
        .cluster("cluster", &["svc", "fargate"])
        .design()
}

fn tasks(sim: &archsim_sim::Simulation) -> Vec<TaskNow> {
    let p = sim.placement_now();
    p.services
        .into_iter()
        .find(|s| s.service == "svc")
        .unwrap()
        .tasks
}

/// Loses one task's zone at 60 s, waits for the replacement to serve, and
/// returns what the replacement and the surviving task served over the
/// `window_s` from the first look that finds it serving, and how long it
/// had been serving at that look.
fn replacement_share(slow_start_s: u32, window_s: f64) -> (u64, u64, f64) {
    let d = two_tasks_behind_alb(slow_start_s);
    let mut sc = scenario("client", TrafficPattern::Constant { rps: RPS }, 2_000.0);
    sc.seed = 3;
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let mut sim = prepare(&d, &sc, &opts).unwrap();
    sim.run_until(60.0);
    let before = tasks(&sim);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0].zone, before[1].zone, "one task per zone");
    let survivor = before[1].id.clone();
    sim.inject(ScenarioEvent::ZoneLoss {
        zone: before[0].zone.clone(),
    });
    // The replacement: the running task that is not the survivor.
    let mut t = 60.0;
    let (new_id, since) = loop {
        t += 0.5;
        assert!(t < 300.0, "no replacement serves by 300 s");
        sim.run_until(t);
        if let Some(n) = tasks(&sim)
            .into_iter()
            .find(|k| k.id != survivor && k.state == "running")
        {
            break (n.id, n.serving_since_s.unwrap());
        }
    };
    let served = |sim: &archsim_sim::Simulation, id: &str| {
        tasks(sim).into_iter().find(|k| k.id == id).unwrap().served
    };
    let (new0, old0) = (served(&sim, &new_id), served(&sim, &survivor));
    sim.run_until(t + window_s);
    (
        served(&sim, &new_id) - new0,
        served(&sim, &survivor) - old0,
        t - since,
    )
}

/// What the new task serves from `a` to `b` seconds after it registered,
/// under a slow start of `s` seconds, beside one task at full share.
fn expected(a: f64, b: f64, s: f64) -> f64 {
    let f = |t: f64| {
        if t <= s {
            let x = t / s;
            RPS * s * (x - (1.0 + x).ln())
        } else {
            RPS * s * (1.0 - 2f64.ln()) + RPS * (t - s) / 2.0
        }
    };
    f(b) - f(a)
}

#[test]
fn a_new_target_ramps_up_over_the_slow_start() {
    // About 300 s into a 600 s slow start.
    let (new, old, a) = replacement_share(600, 300.0);
    assert_eq!(new + old, (RPS * 300.0) as u64, "every request served");
    let want = expected(a, a + 300.0, 600.0);
    assert!(
        (new as f64 - want).abs() < 0.1 * want,
        "the new task served {new}, {want:.0} expected"
    );
    // Without the slow start it would have served half.
    assert!((new as f64) < 0.25 * 6000.0, "{new}");
}

#[test]
fn after_the_slow_start_targets_share_equally() {
    // A 60 s slow start, then round robin alternates: over 660 s the new
    // task serves λ·60·(1 - ln 2) less than half of the first minute's.
    let (new, old, a) = replacement_share(60, 660.0);
    assert_eq!(new + old, (RPS * 660.0) as u64);
    let want = expected(a, a + 660.0, 60.0);
    assert!(
        (new as f64 - want).abs() < 0.02 * want,
        "the new task served {new}, {want:.0} expected"
    );
}

#[test]
fn without_slow_start_round_robin_alternates_at_once() {
    let (new, old, _) = replacement_share(0, 300.0);
    assert!(new.abs_diff(old) <= 1, "{new} vs {old}");
}
