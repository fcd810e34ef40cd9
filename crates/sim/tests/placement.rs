//! ECS on EC2: placement strategies and constraints, tasks waiting in
//! PROVISIONING for managed scaling, and zone loss.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{ScheduledEvent, TrafficPattern};
use archsim_model::starters::starter;
use archsim_sim::{PlacementSnapshot, Run, RunOptions, simulate};
use common::*;

/// One service of `desired` tasks (CPU units `cpu`, network `mode`) on an
/// Auto Scaling group of `instances` (at most `max_instances`) m5.large (2 vCPU, 8 GiB, 3 ENIs).
fn ec2_service(
    desired: u32,
    cpu: u32,
    mode: NetworkMode,
    strategies: Vec<PlacementStrategy>,
    constraints: Vec<PlacementConstraint>,
    (instances, max_instances): (u32, u32),
    zones: &[&str],
) -> archsim_model::Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("alb", Props::Alb(LoadBalancerProps::default()))
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: desired,
                min_count: desired,
                max_count: desired,
                placement_strategies: strategies,
                placement_constraints: constraints,
                ..Default::default()
            }),
        )
        .add(
            "task",
            Props::TaskDefinition(TaskDefinitionProps {
                cpu,
                memory_mb: 512,
                network_mode: mode,
                containers: vec![ContainerDefinition {
                    cpu,
                    memory_mb: Some(512),
                    port_mappings: vec![PortMapping {
                        container_port: 8080,
                        host_port: (mode == NetworkMode::Bridge).then_some(0),
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
                min_size: instances,
                desired_capacity: instances,
                max_size: max_instances,
                availability_zones: zones.iter().map(|z| z.to_string()).collect(),
                ..Default::default()
            }),
        )
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "svc", Meaning::Route.default_kind())
        .link_as("svc", "task", Meaning::RunsTask)
        .link_as("svc", "asg", Meaning::RunsOn)
        .cluster("cluster", &["svc", "asg"])
        .design()
}

fn run(design: &archsim_model::Design, duration_s: f64, events: Vec<ScheduledEvent>) -> Run {
    let mut sc = scenario("client", TrafficPattern::Poisson { rps: 5.0 }, duration_s);
    sc.events = events;
    // These designs leave out roles and registries, which placement does
    // not need.
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    simulate(design, &sc, &opts).unwrap()
}

fn last(run: &Run) -> &PlacementSnapshot {
    run.placements
        .iter()
        .rev()
        .find(|p| p.capacity == "asg")
        .unwrap()
}

fn per_instance(p: &PlacementSnapshot) -> Vec<usize> {
    p.instances.iter().map(|i| i.tasks.len()).collect()
}

const TWO_ZONES: &[&str] = &["us-east-1a", "us-east-1b"];
const THREE_ZONES: &[&str] = &["us-east-1a", "us-east-1b", "us-east-1c"];

fn binpack() -> PlacementStrategy {
    PlacementStrategy {
        kind: PlacementStrategyType::Binpack,
        field: "cpu".into(),
    }
}

#[test]
fn binpack_fills_one_instance_before_the_next() {
    // 512 CPU units a task: four fill an m5.large (2,048 units).
    let d = ec2_service(
        6,
        512,
        NetworkMode::Bridge,
        vec![binpack()],
        vec![],
        (4, 4),
        TWO_ZONES,
    );
    let r = run(&d, 120.0, vec![]);
    let mut counts = per_instance(last(&r));
    counts.sort_unstable();
    assert_eq!(counts, [0, 0, 2, 4], "{:?}", last(&r));
}

#[test]
fn spread_balances_zones_and_distinct_instance_never_colocates() {
    let d = ec2_service(
        6,
        256,
        NetworkMode::Bridge,
        vec![PlacementStrategy::spread_zones()],
        vec![],
        (6, 6),
        THREE_ZONES,
    );
    let r = run(&d, 120.0, vec![]);
    let snap = last(&r);
    for z in THREE_ZONES {
        let n: usize = snap
            .instances
            .iter()
            .filter(|i| i.zone == *z)
            .map(|i| i.tasks.len())
            .sum();
        assert_eq!(n, 2, "{z}: {snap:?}");
    }

    let distinct = PlacementConstraint {
        kind: PlacementConstraintType::DistinctInstance,
        expression: String::new(),
    };
    let d = ec2_service(
        4,
        256,
        NetworkMode::Bridge,
        vec![binpack()],
        vec![distinct],
        (5, 5),
        TWO_ZONES,
    );
    let r = run(&d, 300.0, vec![]);
    for snap in r.placements.iter().filter(|p| p.capacity == "asg") {
        assert!(per_instance(snap).iter().all(|&n| n <= 1), "{snap:?}");
    }
    assert_eq!(per_instance(last(&r)).iter().sum::<usize>(), 4);
}

#[test]
fn a_task_that_fits_nowhere_waits_in_provisioning_until_managed_scaling_adds_an_instance() {
    // awsvpc: one ENI per task, 3 ENIs on an m5.large minus the primary =
    // 2 tasks per instance. Four tasks on one instance: two must wait.
    let d = ec2_service(
        4,
        256,
        NetworkMode::Awsvpc,
        vec![binpack()],
        vec![],
        (1, 3),
        TWO_ZONES,
    );
    let r = run(&d, 400.0, vec![]);
    let first = r.placements.iter().find(|p| p.capacity == "asg").unwrap();
    assert_eq!(per_instance(first), [2], "at 60 s: {first:?}");
    let out = r
        .scale_decisions
        .iter()
        .find(|d| d.component == "asg")
        .expect("managed scaling acts");
    assert_eq!((out.from, out.to), (1, 2), "{out:?}");
    let snap = last(&r);
    assert_eq!(per_instance(snap), [2, 2], "{snap:?}");
    let asg = r.component("asg").unwrap();
    assert_eq!(asg.max_instances, 2);
    // The new instance came after the evaluation plus its launch time.
    let inst = &asg.series.instances;
    assert_eq!(inst[(out.at_s as usize) + 10], 1);
    assert_eq!(inst[(out.at_s as usize) + 60], 2);
}

#[test]
fn zone_loss_moves_tasks_to_the_other_zones() {
    let d = ec2_service(
        4,
        256,
        NetworkMode::Bridge,
        vec![PlacementStrategy::spread_zones()],
        vec![],
        (4, 6),
        TWO_ZONES,
    );
    let r = run(&d, 900.0, vec![zone_loss(200.0, "us-east-1a")]);
    let before = r
        .placements
        .iter()
        .find(|p| p.capacity == "asg" && p.at_s == 180.0)
        .unwrap();
    assert!(
        before
            .instances
            .iter()
            .any(|i| i.zone == "us-east-1a" && !i.tasks.is_empty())
    );
    let snap = last(&r);
    assert!(
        snap.instances.iter().all(|i| i.zone != "us-east-1a"),
        "{snap:?}"
    );
    assert_eq!(per_instance(snap).iter().sum::<usize>(), 4, "{snap:?}");
    assert_eq!(r.component("svc").unwrap().series.tasks[899], 4);
}

#[test]
fn the_ec2_example_places_its_gpu_service_on_gpu_instances_only() {
    let design = starter("ecs-ec2-placement").unwrap().build().unwrap();
    let run = simulate(
        &design,
        &design.scenarios[0],
        &RunOptions {
            duration_s: Some(120.0),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let gpu = run
        .placements
        .iter()
        .rev()
        .find(|p| p.capacity == "gpu-asg")
        .unwrap();
    assert!(
        gpu.instances
            .iter()
            .any(|i| i.tasks.contains(&"inference-svc".to_string()))
    );
    let general = run
        .placements
        .iter()
        .rev()
        .find(|p| p.capacity == "general-asg")
        .unwrap();
    assert!(
        general
            .instances
            .iter()
            .all(|i| !i.tasks.contains(&"inference-svc".to_string()))
    );
    // The zone-spread worker: one per instance.
    for i in &general.instances {
        assert!(
            i.tasks.iter().filter(|t| *t == "worker-svc").count() <= 1,
            "{general:?}"
        );
    }
}

#[test]
fn an_instance_is_billed_from_its_launch_not_from_in_service_to_its_termination() {
    // Four tasks of 1,024 CPU units: two fill the group's m5.large
    // (us-east-1a), two wait in PROVISIONING. Managed scaling's first
    // evaluation (60 s) launches an instance, in service at 105 s (45 s
    // boot) in us-east-1b. us-east-1b is lost at 305 s: the instance
    // terminates, its tasks wait again, and the evaluation at 360 s
    // launches another (in service at 405 s). EC2 bills from launch:
    // 600 s, 305 - 60 = 245 s and 600 - 360 = 240 s (from in service:
    // 200 s and 195 s).
    let d = ec2_service(
        4,
        1_024,
        NetworkMode::Bridge,
        vec![],
        vec![],
        (1, 3),
        TWO_ZONES,
    );
    let r = run(&d, 600.0, vec![zone_loss(305.0, "us-east-1b")]);
    let ups: Vec<(f64, u32, u32)> = r
        .scale_decisions
        .iter()
        .filter(|d| d.component == "asg")
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(
        ups,
        [(60.0, 1, 2), (360.0, 1, 2)],
        "{:?}",
        r.scale_decisions
    );
    let seconds = r.usage.instances["asg"].instance_seconds;
    assert!(
        (seconds - (600.0 + 245.0 + 240.0)).abs() < 1e-6,
        "{seconds}"
    );
    let asg = r.component("asg").unwrap();
    assert!((asg.mean_instances - (600.0 + 200.0 + 195.0) / 600.0).abs() < 1e-9);
}
