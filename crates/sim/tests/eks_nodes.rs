//! EKS node groups: pods on nodes by their requests and the node's pod
//! limit, Pending when nothing fits, and the Cluster Autoscaler adding
//! nodes (scan interval plus boot time) and removing unneeded ones.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::starters::starter;
use archsim_sim::{PlacementNow, RunOptions, Simulation, simulate};
use common::*;

fn group(instance_type: &str, (min, desired, max): (u32, u32, u32)) -> EksNodeGroupProps {
    EksNodeGroupProps {
        instance_type: instance_type.into(),
        min_size: min,
        desired_size: desired,
        max_size: max,
        ..Default::default()
    }
}

fn opts() -> RunOptions {
    RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    }
}

fn live(design: &archsim_model::Design, duration_s: f64) -> Simulation {
    Simulation::new(design, &quiet(duration_s), &opts()).unwrap()
}

/// Pods per live node, in launch order.
fn per_node(p: &PlacementNow) -> Vec<usize> {
    p.capacities[0]
        .instances
        .iter()
        .map(|i| i.tasks.len())
        .collect()
}

fn states(p: &PlacementNow, state: &str) -> usize {
    p.services[0]
        .tasks
        .iter()
        .filter(|t| t.state == state)
        .count()
}

#[test]
fn pods_that_fit_are_placed_and_the_ninth_stays_pending() {
    // m5.large: 1,930 m allocatable (2,000 less 70 m kube-reserved), so
    // eight pods of 240 m fit (1,920 m) and a ninth does not.
    let d = eks(
        9,
        (240, 256),
        EksNodeGroupProps {
            autoscaler: NodeAutoscaler::None,
            ..group("m5.large", (1, 1, 1))
        },
    );
    let mut sim = live(&d, 600.0);
    sim.run_until(1.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8], "{p:?}");
    assert_eq!(p.capacities[0].cpu_units, 1_930);
    assert_eq!(p.capacities[0].memory_mb, 7_518);
    assert_eq!(p.capacities[0].instances[0].cpu_used, 8 * 240);
    assert_eq!(p.capacities[0].waiting_tasks, 1);
    assert_eq!(states(&p, "running"), 8);
    assert_eq!(states(&p, "provisioning"), 1);
    // Nothing adds a node: it is still Pending at the end.
    sim.run_until(600.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8]);
    assert_eq!(states(&p, "provisioning"), 1);
    // With room for nine (230 m each) all nine run.
    let d = eks(
        9,
        (214, 256),
        EksNodeGroupProps {
            autoscaler: NodeAutoscaler::None,
            ..group("m5.large", (1, 1, 1))
        },
    );
    let mut sim = live(&d, 10.0);
    sim.run_until(1.0);
    assert_eq!(per_node(&sim.placement_now()), [9]);
}

#[test]
fn least_allocated_spreads_pods_over_the_nodes() {
    let d = eks(6, (100, 128), group("m5.large", (3, 3, 3)));
    let mut sim = live(&d, 10.0);
    sim.run_until(1.0);
    assert_eq!(per_node(&sim.placement_now()), [2, 2, 2]);
}

#[test]
fn the_pod_limit_by_addresses_binds_before_cpu_for_small_pods() {
    // t3.small: 3 ENIs x (4 IPv4 - 1) = 9 pods with a VPC address (max
    // pods 11 with aws-node and kube-proxy). Nine pods of 50 m and 64 MiB
    // use 450 m of 1,930 m and 576 of 1,572 MiB: the addresses run out.
    let d = eks(
        12,
        (50, 64),
        EksNodeGroupProps {
            autoscaler: NodeAutoscaler::None,
            ..group("t3.small", (1, 1, 1))
        },
    );
    let mut sim = live(&d, 10.0);
    sim.run_until(1.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [9], "{p:?}");
    assert_eq!(p.capacities[0].memory_mb, 2_048 - (255 + 11 * 11) - 100);
    assert_eq!(p.capacities[0].instances[0].cpu_used, 450);
    assert_eq!(states(&p, "provisioning"), 3);
}

#[test]
fn pending_pods_start_at_the_scan_interval_plus_node_boot_time() {
    // Twelve pods of 240 m: eight fit the first node; the autoscaler's
    // first loop (10 s) adds one node, Ready at 10 + 75 s.
    let d = eks(12, (240, 256), group("m5.large", (1, 1, 4)));
    let mut sim = live(&d, 200.0);
    sim.run_until(84.999);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8]);
    assert_eq!(p.capacities[0].launching, 1);
    assert_eq!(states(&p, "provisioning"), 4);
    sim.run_until(85.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8, 4], "{p:?}");
    // Placed at 85 s, the pods pull their image (200 MB at 50 MB/s) and
    // start the app (5 s): running at 94 s.
    assert_eq!(states(&p, "pending"), 4);
    sim.run_until(93.999);
    assert_eq!(states(&sim.placement_now(), "running"), 8);
    sim.run_until(94.0);
    assert_eq!(states(&sim.placement_now(), "running"), 12);
    let run = sim.into_run();
    let ups: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(ups, [(10.0, 1, 2)], "{:?}", run.scale_decisions);
    assert!(
        run.scale_decisions[0]
            .reason
            .contains("4 pods unschedulable")
    );

    // A longer scan interval and boot time move the start with them.
    let d = eks(
        12,
        (240, 256),
        EksNodeGroupProps {
            scan_interval_s: 30,
            node_ready_s: 90.0,
            ..group("m5.large", (1, 1, 4))
        },
    );
    let mut sim = live(&d, 200.0);
    sim.run_until(119.999);
    assert_eq!(per_node(&sim.placement_now()), [8]);
    sim.run_until(120.0);
    assert_eq!(per_node(&sim.placement_now()), [8, 4]);
}

#[test]
fn the_autoscaler_adds_the_nodes_the_pending_pods_need_up_to_max_size() {
    // 40 pods of 500 m: three fit an m5.large (1,930 m), so 14 nodes are
    // needed; the group stops at 4 and twelve pods stay Pending.
    let d = eks(40, (500, 256), group("m5.large", (1, 1, 4)));
    let run = simulate(&d, &quiet(600.0), &opts()).unwrap();
    let decisions: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(decisions, [(10.0, 1, 4)]);
    let nodes = run.component("nodes").unwrap();
    assert_eq!(nodes.max_instances, 4);
    let snap = run.placements.last().unwrap();
    assert_eq!(snap.capacity, "nodes");
    let placed: Vec<usize> = snap.instances.iter().map(|i| i.tasks.len()).collect();
    assert_eq!(placed, [3, 3, 3, 3]);
    // Node-hours, billed from launch (EC2 bills a node's boot): one node
    // for 600 s, three more from their launch at 10 s.
    let usage = &run.usage.instances["nodes"];
    assert_eq!(usage.instance_type, "m5.large");
    assert!(
        (usage.instance_seconds - (600.0 + 3.0 * 590.0)).abs() < 1e-6,
        "{usage:?}"
    );
}

#[test]
fn an_underused_node_is_removed_after_ten_minutes_and_not_before_down_to_min_size() {
    // Two pods of 240 m on three nodes: each node is under 50% from the
    // first loop (10 s). At 610 s the empty node goes; at 620 s the
    // least used of the other two, its pod moving to the last one; the
    // group stays at min_size 1.
    let d = eks(2, (240, 256), group("m5.large", (1, 3, 3)));
    let mut sim = live(&d, 1_800.0);
    sim.run_until(1.0);
    assert_eq!(per_node(&sim.placement_now()), [1, 1, 0]);
    sim.run_until(609.999);
    assert_eq!(per_node(&sim.placement_now()), [1, 1, 0]);
    sim.run_until(615.0);
    assert_eq!(per_node(&sim.placement_now()), [1, 1]);
    sim.run_until(625.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [2], "{p:?}");
    assert_eq!(p.capacities[0].instances[0].instance, "i-1");
    sim.run_until(1_800.0);
    assert_eq!(per_node(&sim.placement_now()), [2]);
    let run = sim.into_run();
    let downs: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(
        downs,
        [(610.0, 3, 2), (620.0, 2, 1)],
        "{:?}",
        run.scale_decisions
    );
    let inst = &run.component("nodes").unwrap().series.instances;
    assert_eq!(inst[608], 3);
    assert_eq!(inst[1_799], 1);
    assert!(inst.iter().all(|&n| n >= 1));

    // A node over the threshold stays: four pods of 500 m on one node
    // of a group of two use 1,500 of 1,930 m (78%).
    let d = eks(4, (500, 256), group("m5.large", (1, 1, 2)));
    let run = simulate(&d, &quiet(1_800.0), &opts()).unwrap();
    let decisions: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    // One pod did not fit: a node added at 10 s; then that node (one pod,
    // 26%) is unneeded but its pod does not fit on the full one, so it
    // stays.
    assert_eq!(decisions, [(10.0, 1, 2)], "{:?}", run.scale_decisions);
}

#[test]
fn placements_and_decisions_are_the_same_for_a_seed() {
    let design = starter("eks-platform").unwrap().build().unwrap();
    let scenario = design.scenarios[0].clone();
    let a = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    let b = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert!(a.placements.iter().any(|p| p.capacity == "nodes"));
    assert_eq!(a.placements, b.placements);
    assert_eq!(a.scale_decisions, b.scale_decisions);
    assert_eq!(a.usage.instances, b.usage.instances);
}

#[test]
fn fargate_profile_pods_each_start_their_own_micro_vm_without_nodes() {
    // Pods on a Fargate profile wait for no node: a replacement starts
    // after the micro-VM's 15 s, the image (200 MB at 25 MB/s) and the
    // app (5 s): 28 s.
    let d = Build::new()
        .add("eks", Props::EksCluster(EksClusterProps::default()))
        .add(
            "batch",
            Props::EksWorkload(EksWorkloadProps {
                replicas: 4,
                ..Default::default()
            }),
        )
        .add(
            "profile",
            Props::EksFargateProfile(EksFargateProfileProps::default()),
        )
        .link_as("batch", "profile", Meaning::RunsOn)
        .design();
    let mut sc = quiet(300.0);
    sc.events = vec![zone_loss(100.0, "us-east-1a")];
    let mut sim = Simulation::new(&d, &sc, &opts()).unwrap();
    sim.run_until(1.0);
    let p = sim.placement_now();
    assert!(p.capacities.is_empty());
    assert_eq!(states(&p, "running"), 4);
    sim.run_until(100.0);
    let p = sim.placement_now();
    let lost = 4 - states(&p, "running");
    assert!(lost > 0, "{p:?}");
    assert_eq!(states(&p, "pending"), lost);
    assert!(
        p.services[0]
            .tasks
            .iter()
            .all(|t| t.capacity_kind == "fargate")
    );
    sim.run_until(127.999);
    assert_eq!(states(&sim.placement_now(), "pending"), lost);
    sim.run_until(128.0);
    assert_eq!(states(&sim.placement_now(), "running"), 4);
}

#[test]
fn after_a_zone_loss_the_autoscaler_replaces_the_nodes_in_a_live_zone() {
    // Two full nodes (eight pods of 240 m each), one a zone. At 100 s
    // us-east-1a is lost: its eight pods are Pending; the loop at 100 s
    // adds a node, in us-east-1b, Ready at 175 s.
    let d = eks(16, (240, 256), group("m5.large", (1, 2, 3)));
    let mut sc = quiet(300.0);
    sc.events = vec![zone_loss(100.0, "us-east-1a")];
    let mut sim = Simulation::new(&d, &sc, &opts()).unwrap();
    sim.run_until(99.0);
    assert_eq!(per_node(&sim.placement_now()), [8, 8]);
    sim.run_until(174.999);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8]);
    assert_eq!(states(&p, "provisioning"), 8);
    sim.run_until(175.0);
    let p = sim.placement_now();
    assert_eq!(per_node(&p), [8, 8], "{p:?}");
    assert!(
        p.capacities[0]
            .instances
            .iter()
            .all(|i| i.zone == "us-east-1b")
    );
    let run = sim.into_run();
    let ups: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(ups, [(100.0, 1, 2)], "{:?}", run.scale_decisions);
}

#[test]
fn a_node_is_billed_from_its_launch_not_from_ready_to_its_termination() {
    // Nine pods of 240 m: eight fill the group's node (us-east-1a); the
    // loop at 10 s launches a node for the ninth, Ready at 85 s in
    // us-east-1b. us-east-1b is lost at 305 s: that node terminates, its
    // pod is Pending and the loop at 310 s launches another (Ready at
    // 385 s, in us-east-1a). EC2 bills each from its launch: 600 s for
    // the first node, 305 - 10 = 295 s for the second, 600 - 310 = 290 s
    // for the third; counting from Ready would give 220 s and 215 s.
    let d = eks(9, (240, 256), group("m5.large", (1, 1, 3)));
    let mut sc = quiet(600.0);
    sc.events = vec![zone_loss(305.0, "us-east-1b")];
    let mut sim = Simulation::new(&d, &sc, &opts()).unwrap();
    sim.run_until(84.999);
    assert_eq!(per_node(&sim.placement_now()), [8]);
    sim.run_until(85.0);
    assert_eq!(per_node(&sim.placement_now()), [8, 1]);
    sim.run_until(384.999);
    assert_eq!(per_node(&sim.placement_now()), [8]);
    sim.run_until(385.0);
    assert_eq!(per_node(&sim.placement_now()), [8, 1]);
    sim.run_until(600.0);
    let run = sim.into_run();
    let ups: Vec<_> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(
        ups,
        [(10.0, 1, 2), (310.0, 1, 2)],
        "{:?}",
        run.scale_decisions
    );
    let usage = &run.usage.instances["nodes"];
    assert!(
        (usage.instance_seconds - (600.0 + 295.0 + 290.0)).abs() < 1e-6,
        "{usage:?}"
    );
    // The series and the mean still count Ready nodes.
    let nodes = run.component("nodes").unwrap();
    assert_eq!(nodes.series.instances[80], 1);
    assert_eq!(nodes.series.instances[90], 2);
    assert!((nodes.mean_instances - (600.0 + 220.0 + 215.0) / 600.0).abs() < 1e-9);
}
