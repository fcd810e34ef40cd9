//! An EC2 instance's image cache: a task of a service version the
//! instance already runs starts without pulling its image (its layers are
//! there), so it runs its application's start after launch whatever the
//! image's size; on Fargate every task pulls.

mod common;

use archsim_model::Design;
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, prepare};
use common::*;

const APP_START_S: f64 = 5.0;
const PULL_MB_PER_S: f64 = 50.0;

/// Client -> API -> a service of one task (512 CPU units, up to 4),
/// scaled at 50% CPU, on one m5.large (room for 4) or on Fargate.
fn service(image_mb: f64, on_ec2: bool) -> Design {
    let mut b = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("api", Props::ApiGateway(ApiGatewayProps::default()))
        .add("cluster", Props::EcsCluster(EcsClusterProps::default()))
        .add(
            "svc",
            Props::EcsService(EcsServiceProps {
                desired_count: 1,
                min_count: 1,
                max_count: 4,
                workers_per_task: 1,
                app_start_s: APP_START_S,
                autoscaling: Some(ServiceAutoScaling {
                    target_tracking: vec![TargetTrackingPolicy {
                        metric: ScalingMetric::CpuUtilization,
                        target: 50.0,
                        scale_out_cooldown_s: 60,
                        scale_in_cooldown_s: 3_600,
                    }],
                    step: Vec::new(),
                }),
                work: Work {
                    duration: Distribution::Constant { ms: 100.0 },
                    cpu_share: 1.0,
                },
                ..Default::default()
            }),
        )
        .add(
            "task",
            Props::TaskDefinition(TaskDefinitionProps {
                cpu: 512,
                memory_mb: 1024,
                containers: vec![ContainerDefinition {
                    cpu: 512,
                    memory_mb: Some(1024),
                    image_size_mb: image_mb,
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "svc", Meaning::InvokeSync)
        .link_as("svc", "task", Meaning::RunsTask);
    b = if on_ec2 {
        b.add(
            "asg",
            Props::Ec2AutoScalingGroup(Ec2CapacityProps {
                instance_type: "m5.large".into(),
                min_size: 1,
                desired_capacity: 1,
                max_size: 1,
                pull_mb_per_s: PULL_MB_PER_S,
                ..Default::default()
            }),
        )
        .link_as("svc", "asg", Meaning::RunsOn)
        .cluster("cluster", &["svc", "asg"])
    } else {
        b.add(
            "fargate",
            Props::Fargate(FargateProps {
                pull_mb_per_s: PULL_MB_PER_S,
                ..Default::default()
            }),
        )
        .link_as("svc", "fargate", Meaning::RunsOn)
        .cluster("cluster", &["svc", "fargate"])
    };
    b.design()
}

/// From the first scale-out to each task it launched running, seconds.
fn new_task_starts(design: &Design) -> Vec<f64> {
    // 8 requests a second of 100 ms: 80% of one task's CPU.
    let sc = scenario("client", TrafficPattern::Constant { rps: 8.0 }, 900.0);
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let mut sim = prepare(design, &sc, &opts).unwrap();
    sim.run_until(900.0);
    let p = sim.placement_now();
    let run = sim.into_run();
    let out = run.scale_decisions.iter().find(|d| d.component == "svc");
    let out = out.expect("the service scales out");
    let (at, launched) = (out.at_s, (out.to - out.from) as usize);
    let mut starts: Vec<f64> = p
        .services
        .iter()
        .find(|s| s.service == "svc")
        .unwrap()
        .tasks
        .iter()
        .filter_map(|t| t.serving_since_s)
        .filter(|s| *s > 0.0)
        .map(|s| s - at)
        .collect();
    starts.sort_by(f64::total_cmp);
    starts.truncate(launched);
    starts
}

#[test]
fn a_task_on_an_instance_with_its_image_skips_the_pull() {
    let small = new_task_starts(&service(200.0, true));
    let large = new_task_starts(&service(2_000.0, true));
    assert!(!small.is_empty());
    // The instance ran the service's first task: each new one starts its
    // application at once, whatever the image's size.
    assert_eq!(small, large);
    assert!(
        small.iter().all(|s| (s - APP_START_S).abs() < 1e-6),
        "{small:?}"
    );
}

#[test]
fn on_fargate_every_task_pulls_its_image() {
    let small = new_task_starts(&service(200.0, false));
    let large = new_task_starts(&service(2_000.0, false));
    assert!(!small.is_empty());
    assert_eq!(small.len(), large.len());
    // 1,800 MB more at 50 MB/s: 36 s later each.
    for (s, l) in small.iter().zip(&large) {
        assert!((l - s - 1_800.0 / PULL_MB_PER_S).abs() < 1e-6, "{s} {l}");
    }
}
