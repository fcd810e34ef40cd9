//! ECS deployments under traffic: a rolling deployment that needs more
//! EC2 capacity waits for the capacity provider's new instances, a
//! healthy one with a minimum of 100% never has fewer serving tasks than
//! desired, the circuit breaker rolls a failing version back, and a
//! blue/green deployment holds both task sets until its termination wait
//! ends; each at the times the configuration gives.

mod common;

use archsim_model::Design;
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_sim::{DeploymentOutcome, Run, RunOptions, prepare, simulate};
use common::*;

/// Client -> API Gateway -> a service of `desired` tasks of 1,536 CPU
/// units (one fits an m5.large's 2,048) on an Auto Scaling group of
/// `desired` m5.large instances, at most `2 x desired`: full. No load
/// balancer, so a task serves as soon as it has started.
fn full_ec2_cluster(desired: u32, min_healthy: u32, max_percent: u32) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: desired,
                min_count: desired,
                max_count: desired,
                min_healthy_percent: min_healthy,
                max_percent,
                app_start_s: 5.0,
                work: Work {
                    duration: Distribution::Constant { ms: 20.0 },
                    cpu_share: 0.5,
                },
                ..Default::default()
            }),
        )
        .add(
            "task",
            Props::TaskDefinition(TaskDefinitionProps {
                cpu: 1536,
                memory_mb: 1024,
                network_mode: NetworkMode::Bridge,
                containers: vec![ContainerDefinition {
                    cpu: 1536,
                    memory_mb: Some(1024),
                    image_size_mb: 200.0,
                    port_mappings: vec![PortMapping {
                        container_port: 8080,
                        host_port: Some(0),
                        protocol: PortProtocol::Tcp,
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
        .add(
            "asg",
            Props::Ec2AutoScalingGroup(Ec2CapacityProps {
                instance_type: "m5.large".into(),
                min_size: desired,
                desired_capacity: desired,
                max_size: 2 * desired,
                launch_s: 45.0,
                pull_mb_per_s: 50.0,
                ..Default::default()
            }),
        )
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "svc", Meaning::InvokeSync)
        .link_as("svc", "task", Meaning::RunsTask)
        .link_as("svc", "asg", Meaning::RunsOn)
        .cluster("cluster", &["svc", "asg"])
        .design()
}

/// Client -> ALB (health check every 10 s, unhealthy after 2, 30 s
/// deregistration delay) -> a Fargate service of `desired` tasks (start:
/// 15 s + 200 MB at 25 MB/s + 5 s application start = 28 s; grace 60 s).
fn fargate_behind_alb(desired: u32, min_healthy: u32, max_percent: u32) -> Design {
    fargate_service(desired, min_healthy, max_percent, DeploymentController::Ecs)
}

fn fargate_service(
    desired: u32,
    min_healthy: u32,
    max_percent: u32,
    deployment_controller: DeploymentController,
) -> Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "alb",
            Props::Alb(LoadBalancerProps {
                deregistration_delay_s: 30,
                health_check: HealthCheck {
                    interval_s: 10,
                    unhealthy_threshold: 2,
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: desired,
                min_count: desired,
                max_count: desired,
                min_healthy_percent: min_healthy,
                max_percent,
                app_start_s: 5.0,
                health_check_grace_s: 60,
                deployment_controller,
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

fn deploy(at_s: f64, error_rate: f64, fails_health_checks: bool) -> ScheduledEvent {
    ScheduledEvent {
        at_s,
        event: ScenarioEvent::Deploy {
            component: "svc".into(),
            work: None,
            init_ms: None,
            error_rate,
            fails_health_checks,
        },
    }
}

fn scenario_with(
    rps: f64,
    duration_s: f64,
    seed: u64,
    event: ScheduledEvent,
) -> archsim_model::Scenario {
    let mut sc = scenario("client", TrafficPattern::Poisson { rps }, duration_s);
    sc.seed = seed;
    sc.events.push(event);
    sc
}

/// These designs leave out roles and registries, which the engine does
/// not need.
fn opts() -> RunOptions {
    RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    }
}

fn run(d: &Design, sc: &archsim_model::Scenario) -> Run {
    simulate(d, sc, &opts()).unwrap()
}

#[test]
fn a_rolling_deployment_with_maximum_200_percent_on_a_full_ec2_cluster_waits_for_new_instances() {
    let d = full_ec2_cluster(2, 100, 200);
    let sc = scenario_with(20.0, 400.0, 3, deploy(90.0, 0.0, false));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.component, "svc");
    assert_eq!(dep.strategy, "rolling");
    assert_eq!(dep.started_at_s, 90.0);
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    // At 90 s the two new tasks wait in PROVISIONING: both instances are
    // full. Managed scaling evaluates each minute: at 120 s it wants 4
    // instances (2 occupied + 2 for the waiting tasks at 100% target).
    let asg: Vec<_> = r
        .scale_decisions
        .iter()
        .filter(|s| s.component == "asg")
        .map(|s| (s.at_s, s.from, s.to))
        .collect();
    assert_eq!(asg, [(120.0, 2, 4)]);
    // They boot and register in 45 s (165 s), then each new task pulls
    // its 200 MB image at 50 MB/s (4 s) and starts in 5 s: serving at
    // 174 s. Each one that serves lets an old one go: 50%, then 100%.
    let shifts: Vec<(f64, u32)> = dep.shifts.iter().map(|s| (s.at_s, s.percent)).collect();
    assert_eq!(shifts, [(174.0, 50), (174.0, 100)]);
    let asg_series = &r.component("asg").unwrap().series.instances;
    // (A series' point k is the value at the end of second k.)
    assert_eq!((asg_series[163], asg_series[165]), (2, 4));
    // The old tasks stop once their in-flight request (20 ms) is done.
    let finished = dep.finished_at_s.unwrap();
    assert!(
        (174.0..=174.02).contains(&finished),
        "finished at {finished}"
    );
    // Four tasks (two waiting) from the deployment until the old ones
    // stop, two after.
    let tasks = &r.component("svc").unwrap().series.tasks;
    assert_eq!((tasks[88], tasks[90], tasks[172], tasks[174]), (2, 4, 4, 2));
    // Both versions served, nothing failed.
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    assert!((1400..2000).contains(&old.requests), "{old:?} {new:?}");
    assert_eq!(r.component("svc").unwrap().errors, 0);
}

#[test]
fn with_maximum_100_percent_old_tasks_make_room_first() {
    // Minimum 50%, maximum 100% on the same full cluster: one old task
    // stops at once (once its in-flight request, 20 ms, is done), its
    // instance takes a new one, with no scale-out; when that one serves,
    // the other old task makes room for the second new one.
    let d = full_ec2_cluster(2, 50, 100);
    let sc = scenario_with(2.0, 400.0, 3, deploy(90.0, 0.0, false));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    assert!(r.scale_decisions.iter().all(|s| s.component != "asg"));
    // Each new task starts in 9 s (pull 4 s, start 5 s): the first serves
    // at 99 s, when the last old one goes (the share goes from 0 to 100%),
    // the second at 108 s.
    assert_eq!(dep.shifts.len(), 1);
    let (first, done) = (dep.shifts[0].at_s, dep.finished_at_s.unwrap());
    assert_eq!(dep.shifts[0].percent, 100);
    assert!((99.0..=99.02).contains(&first), "first new task at {first}");
    assert!(
        (first + 9.0..=first + 9.02).contains(&done),
        "finished at {done}"
    );
}

/// Serving (`running`) and live (not draining) tasks of `svc`, every
/// 50 ms from `from_s` to `to_s`.
fn task_counts(
    d: &Design,
    sc: &archsim_model::Scenario,
    from_s: f64,
    to_s: f64,
) -> Vec<(f64, u32, u32)> {
    let mut sim = prepare(d, sc, &opts()).unwrap();
    let mut out = Vec::new();
    let mut t = from_s;
    while t <= to_s {
        sim.run_until(t);
        let p = sim.placement_now();
        let svc = p.services.iter().find(|s| s.service == "svc").unwrap();
        let running = svc.tasks.iter().filter(|t| t.state == "running").count() as u32;
        let live = svc.tasks.iter().filter(|t| t.state != "draining").count() as u32;
        out.push((t, running, live));
        t += 0.05;
    }
    out
}

#[test]
fn a_healthy_rolling_deployment_with_minimum_100_percent_never_drops_below_desired() {
    // 4 tasks, minimum 100%, maximum 150%: two new tasks at a time.
    let d = fargate_behind_alb(4, 100, 150);
    let sc = scenario_with(50.0, 600.0, 5, deploy(60.0, 0.0, false));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    // Two rounds of two new tasks: each serves 28 s after its launch
    // plus its first health check (within 10 s); the old task it
    // replaces drains for 30 s, and the last one's stop ends it.
    let percents: Vec<u32> = dep.shifts.iter().map(|s| s.percent).collect();
    assert_eq!(percents, [25, 50, 75, 100]);
    let first = dep.shifts[0].at_s;
    assert!(
        (60.0 + 28.0..60.0 + 38.0).contains(&first),
        "first at {first}"
    );
    let last = dep.shifts[3].at_s;
    assert!(last >= dep.shifts[1].at_s + 28.0, "second round at {last}");
    assert!((dep.finished_at_s.unwrap() - (last + 30.0)).abs() < 1e-9);
    // Never fewer than 4 serving, never more than 6 live.
    for (t, running, live) in task_counts(&d, &sc, 59.0, dep.finished_at_s.unwrap() + 1.0) {
        assert!(running >= 4, "{running} serving at {t:.2} s");
        assert!(live <= 6, "{live} live at {t:.2} s");
    }
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    assert!(old.requests > 0 && new.requests > 0);
    assert_eq!(old.errors + new.errors, 0);
    assert_eq!(r.component("svc").unwrap().errors, 0);
}

#[test]
fn the_circuit_breaker_rolls_a_version_that_fails_its_health_checks_back() {
    let d = fargate_behind_alb(4, 100, 200);
    let sc = scenario_with(50.0, 600.0, 9, deploy(60.0, 0.0, true));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    // Four new tasks start (28 s), fail their checks within 10 s, and are
    // stopped when the 60 s grace period ends: 60 + 28 + 60 = 148 s. The
    // third failure reaches the threshold (0.5 x 4, at least 3): the
    // service rolls back at once, its old tasks never having stopped.
    assert_eq!(dep.outcome, DeploymentOutcome::RolledBack);
    assert_eq!(dep.finished_at_s, Some(148.0));
    assert_eq!(
        dep.alarm.as_deref(),
        Some("circuit breaker: 3 new tasks failed to start healthy (threshold 3)")
    );
    assert!(dep.shifts.is_empty(), "no traffic reached the new version");
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    assert_eq!(new.requests, 0);
    assert!(old.requests > 3000);
    assert_eq!(r.component("svc").unwrap().errors, 0);
    // Four old tasks throughout; eight live at most (four new, four old).
    for (t, running, live) in task_counts(&d, &sc, 59.0, 150.0) {
        assert_eq!(running, 4, "at {t:.2} s");
        assert!(live <= 8, "{live} live at {t:.2} s");
    }
    let tasks = &r.component("svc").unwrap().series.tasks;
    assert_eq!((tasks[100], tasks[200]), (8, 4));
}

#[test]
fn a_version_with_errors_fails_only_its_own_requests() {
    let d = fargate_behind_alb(4, 100, 200);
    let sc = scenario_with(50.0, 600.0, 2, deploy(60.0, 0.1, false));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    assert_eq!(old.errors, 0);
    assert!(new.requests > 100);
    let rate = new.errors as f64 / new.requests as f64;
    assert!((0.05..0.15).contains(&rate), "new version fails {rate}");
    // After the deployment every request is the new version's: ~10% fail.
    let svc = r.component("svc").unwrap();
    let before: u32 = svc.series.errors[..60].iter().sum();
    assert_eq!(before, 0);
    assert_eq!(svc.errors_by_kind.get("function_error"), Some(&svc.errors));
}

#[test]
fn a_rolling_deployment_is_deterministic_per_seed() {
    let d = fargate_behind_alb(4, 100, 150);
    let sc = scenario_with(50.0, 300.0, 4, deploy(60.0, 0.05, false));
    let (a, b) = (run(&d, &sc), run(&d, &sc));
    assert_eq!(a, b);
    let mut other = sc.clone();
    other.seed = 5;
    assert_ne!(run(&d, &other).deployments, a.deployments);
}

#[test]
fn the_ec2_examples_rolling_deployment_waits_for_the_capacity_provider() {
    let design = archsim_model::starters::starter("ecs-ec2-placement")
        .unwrap()
        .build()
        .unwrap();
    let sc = design
        .scenarios
        .iter()
        .find(|s| s.name == "rolling-deploy")
        .unwrap();
    let r = simulate(&design, sc, &RunOptions::default()).unwrap();
    let dep = &r.deployments[0];
    assert_eq!(dep.component, "worker-svc");
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    // Four m5.large (the group grew to 4 at the first minute for the
    // third worker): one full of API tasks, three holding a worker each.
    // distinctInstance keeps the three new workers off those, so they
    // wait; managed scaling's evaluation at 300 s (just after the
    // deployment) adds three instances, in service 45 s later.
    let asg: Vec<_> = r
        .scale_decisions
        .iter()
        .filter(|s| s.component == "general-asg")
        .map(|s| (s.at_s, s.from, s.to))
        .collect();
    assert_eq!(asg, [(60.0, 3, 4), (300.0, 4, 7)]);
    // Each new worker pulls its 200 MB image at 50 MB/s (4 s) and starts
    // in 5 s; with no load balancer it serves at once, and each idle old
    // worker stops as a new one runs.
    let shifts: Vec<(f64, u32)> = dep.shifts.iter().map(|s| (s.at_s, s.percent)).collect();
    assert_eq!(shifts, [(354.0, 33), (354.0, 66), (354.0, 100)]);
    assert_eq!(dep.finished_at_s, Some(354.0));
    let workers = &r.component("worker-svc").unwrap().series.tasks;
    assert_eq!(
        (workers[298], workers[300], workers[352], workers[354]),
        (3, 6, 6, 3)
    );
}

#[test]
fn a_blue_green_deployment_holds_both_task_sets_until_the_termination_wait_ends() {
    let d = fargate_service(
        4,
        100,
        200,
        DeploymentController::CodeDeploy(BlueGreen {
            traffic_shift: TrafficShift::Canary {
                percent: 10,
                interval_min: 5,
            },
            termination_wait_min: 10,
            test_listener_port: Some(8443),
        }),
    );
    let rps = 50.0;
    let sc = scenario_with(rps, 1500.0, 6, deploy(60.0, 0.0, false));
    let r = run(&d, &sc);
    let dep = &r.deployments[0];
    assert_eq!(dep.strategy, "ECSCanary10Percent5Minutes");
    assert_eq!(dep.outcome, DeploymentOutcome::Succeeded);
    // The green set (4 tasks, 28 s to start, then one health check
    // within 10 s) serves; CodeDeploy moves 10% of production traffic to
    // it, the rest 5 minutes later, and the blue set stops 10 minutes
    // after that.
    let t1 = dep.shifts[0].at_s;
    assert!((88.0..98.0).contains(&t1), "green healthy at {t1}");
    // (Times are whole microseconds: compare to one.)
    let shifts: Vec<(f64, u32)> = dep
        .shifts
        .iter()
        .map(|s| ((s.at_s - t1) * 1e6).round() / 1e6)
        .zip(dep.shifts.iter().map(|s| s.percent))
        .collect();
    assert_eq!(shifts, [(0.0, 10), (300.0, 100)]);
    let done = dep.finished_at_s.unwrap();
    assert!((done - (t1 + 300.0 + 600.0)).abs() < 1e-6);
    // Both sets, 8 tasks, from the deployment to the end of the wait;
    // the blue ones drain 30 s, then 4.
    let tasks = &r.component("svc").unwrap().series.tasks;
    let (from, to) = (61, done as usize - 1);
    assert!(
        tasks[from..to].iter().all(|&n| n == 8),
        "{:?}",
        &tasks[from..to]
    );
    assert_eq!(tasks[done as usize + 31], 4);
    // Requests by version follow the shifts: blue alone until t1, 90%
    // for 5 minutes; green 10% then, and all of it for the wait.
    let (old, new) = (&dep.versions[0], &dep.versions[1]);
    let old_expected = rps * ((t1 - 60.0) + 0.9 * 300.0);
    let new_expected = rps * (0.1 * 300.0 + 600.0);
    for (got, want) in [(old.requests, old_expected), (new.requests, new_expected)] {
        assert!(
            (got as f64 - want).abs() < 0.05 * want,
            "{got} requests, expected about {want}"
        );
    }
    assert_eq!(r.component("svc").unwrap().errors, 0);
}

#[test]
fn a_deploy_on_what_aws_does_not_deploy_by_version_is_refused() {
    let design = archsim_model::starters::starter("eks-platform")
        .unwrap()
        .build()
        .unwrap();
    let workload = design
        .components_of(archsim_model::ComponentKind::EksWorkload)
        .next()
        .unwrap()
        .id
        .clone();
    let mut sc = design.scenarios[0].clone();
    sc.events.push(archsim_model::scenario::ScheduledEvent {
        at_s: 10.0,
        event: archsim_model::scenario::ScenarioEvent::Deploy {
            component: workload.clone(),
            work: None,
            init_ms: None,
            error_rate: 0.0,
            fails_health_checks: false,
        },
    });
    let err = archsim_sim::simulate(&design, &sc, &archsim_sim::RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("deploy on {workload} ("))
            && err.contains("only Lambda functions and ECS services are deployed"),
        "{err}"
    );
}

/// The live view of a rolling deployment: while it runs, the new version's
/// share of serving tasks and both versions' requests and errors as the
/// run's record will have them; once done, 100% and the record's numbers.
#[test]
fn deployments_now_follow_a_rolling_deployment() {
    let d = fargate_behind_alb(4, 100, 200);
    let sc = scenario_with(50.0, 600.0, 2, deploy(60.0, 0.1, false));
    let mut sim = archsim_sim::prepare(&d, &sc, &opts()).unwrap();
    sim.run_until(61.0);
    let now = sim.deployments_now();
    assert_eq!(now.len(), 1);
    assert_eq!(
        (now[0].component.as_str(), now[0].version, now[0].outcome),
        ("svc", 2, DeploymentOutcome::InProgress)
    );
    assert_eq!(now[0].strategy, "rolling");
    // Shares seen along the way only grow to 100%.
    let mut seen = vec![now[0].percent];
    let mut t = 61.0;
    while sim.deployments_now()[0].outcome == DeploymentOutcome::InProgress && t < 600.0 {
        t += 5.0;
        sim.run_until(t);
        seen.push(sim.deployments_now()[0].percent);
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let done = &sim.deployments_now()[0];
    assert_eq!(
        (done.percent, done.outcome),
        (100, DeploymentOutcome::Succeeded)
    );
    assert_eq!(done.versions[0].errors, 0);
    assert!(done.versions[1].errors > 0);
    sim.run_until(600.0);
    let r = sim.into_run();
    let rec = &r.deployments[0];
    assert_eq!(
        [done.versions[0].requests, done.versions[1].requests],
        [rec.versions[0].requests, rec.versions[1].requests]
    );
}
