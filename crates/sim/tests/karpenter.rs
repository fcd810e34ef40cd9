//! Karpenter beside an EKS node group: Pending pods batched (idle 1 s,
//! at most 10 s), the cheapest allowed type that holds them launched and
//! Ready `node_ready_s` later, `limits.cpu` holding launches back, an
//! empty node removed `consolidateAfter` after it emptied, a node whose
//! pods fit elsewhere removed under `WhenEmptyOrUnderutilized` and kept
//! under `WhenEmpty`, and its node-seconds by type, from launch.

mod common;

use std::collections::BTreeMap;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{Scenario, ScenarioEvent, ScheduledEvent, TrafficPattern};
use archsim_sim::{PlacementNow, Run, RunOptions, Simulation, simulate};
use common::*;

/// On-demand USD an hour in us-east-1 (the price book's).
fn prices() -> BTreeMap<String, f64> {
    [
        ("c5.large", 0.085),
        ("c5.xlarge", 0.17),
        ("m5.large", 0.096),
        ("m5.xlarge", 0.192),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_string(), p))
    .collect()
}

fn opts() -> RunOptions {
    RunOptions {
        skip_validation: true,
        instance_prices: prices(),
        ..RunOptions::default()
    }
}

/// `replicas` pods of (`cpu` m, `mem` MiB) on a node group of
/// `desired` m5.large nodes scaled by `autoscaler`.
fn eks_with(
    replicas: u32,
    pod: (u32, u32),
    desired: u32,
    autoscaler: NodeAutoscaler,
    karpenter: KarpenterSettings,
) -> archsim_model::Design {
    eks(
        replicas,
        pod,
        EksNodeGroupProps {
            instance_type: "m5.large".into(),
            min_size: desired,
            desired_size: desired,
            max_size: 10,
            autoscaler,
            karpenter,
            ..Default::default()
        },
    )
}

fn karpenter(replicas: u32, pod: (u32, u32), desired: u32) -> archsim_model::Design {
    eks_with(
        replicas,
        pod,
        desired,
        NodeAutoscaler::Karpenter,
        KarpenterSettings::default(),
    )
}

fn live(design: &archsim_model::Design, duration_s: f64) -> Simulation {
    Simulation::new(design, &quiet(duration_s), &opts()).unwrap()
}

/// (type, pods) per live node, in launch order.
fn nodes(p: &PlacementNow) -> Vec<(String, usize)> {
    p.capacities[0]
        .instances
        .iter()
        .map(|i| (i.instance_type.clone(), i.tasks.len()))
        .collect()
}

fn provisioning(p: &PlacementNow) -> usize {
    p.services[0]
        .tasks
        .iter()
        .filter(|t| t.state == "provisioning")
        .count()
}

fn decisions(run: &Run) -> Vec<(f64, u32, u32)> {
    run.scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect()
}

#[test]
fn pending_pods_get_a_node_at_batch_close_plus_ready_time_sooner_than_the_cluster_autoscaler() {
    // Three pods of 1,500 m on one m5.large (1,930 m): one fits, two go
    // Pending at 0 s. Karpenter's batch closes 1 s later (no other pod),
    // its node is Ready 50 s after: the pods are placed at 51 s.
    let d = karpenter(3, (1_500, 1_024), 1);
    let mut sim = live(&d, 300.0);
    sim.run_until(50.999);
    let p = sim.placement_now();
    assert_eq!(nodes(&p), [("m5.large".to_string(), 1)]);
    assert_eq!(p.capacities[0].launching, 1);
    assert_eq!(provisioning(&p), 2);
    sim.run_until(51.0);
    let p = sim.placement_now();
    // 2 x 1,500 m: a c5.xlarge (3,920 m, $0.17/h) is the cheapest type
    // that holds both (a c5.large or m5.large holds one).
    assert_eq!(
        nodes(&p),
        [("m5.large".to_string(), 1), ("c5.xlarge".to_string(), 2)],
        "{p:?}"
    );
    assert_eq!(provisioning(&p), 0);
    let run = sim.into_run();
    assert_eq!(decisions(&run), [(1.0, 1, 2)]);
    let reason = &run.scale_decisions[0].reason;
    assert!(
        reason.contains("2 pending pods") && reason.contains("c5.xlarge at $0.1700/h"),
        "{reason}"
    );
    // Said once: what consolidation does and does not model.
    assert_eq!(run.notes.len(), 1, "{:?}", run.notes);
    assert!(
        run.notes[0]
            .starts_with("nodes: Karpenter's consolidation (WhenEmptyOrUnderutilized) deletes"),
        "{:?}",
        run.notes
    );

    // The Cluster Autoscaler on the same design: its loop at 10 s adds
    // two m5.large nodes, Ready 75 s later.
    let ca = eks_with(
        3,
        (1_500, 1_024),
        1,
        NodeAutoscaler::ClusterAutoscaler,
        KarpenterSettings::default(),
    );
    let mut sim = live(&ca, 300.0);
    sim.run_until(84.999);
    assert_eq!(provisioning(&sim.placement_now()), 2);
    sim.run_until(85.0);
    assert_eq!(provisioning(&sim.placement_now()), 0);

    // A longer idle window and launch time move Karpenter's with them.
    let slow = eks_with(
        3,
        (1_500, 1_024),
        1,
        NodeAutoscaler::Karpenter,
        KarpenterSettings {
            batch_idle_s: 4,
            node_ready_s: 70.0,
            ..KarpenterSettings::default()
        },
    );
    let mut sim = live(&slow, 300.0);
    sim.run_until(73.999);
    assert_eq!(provisioning(&sim.placement_now()), 2);
    sim.run_until(74.0);
    assert_eq!(provisioning(&sim.placement_now()), 0);
}

#[test]
fn karpenter_launches_the_cheapest_type_that_holds_the_pods() {
    let launched = |pod: (u32, u32), replicas: u32| {
        let run = simulate(&karpenter(replicas, pod, 0), &quiet(120.0), &opts()).unwrap();
        let p = run.placements.last().unwrap().clone();
        let mut types: Vec<String> = run.scale_decisions[0]
            .reason
            .split("launched ")
            .nth(1)
            .unwrap_or_default()
            .split("; ")
            .map(|s| s.split(' ').next().unwrap_or_default().to_string())
            .collect();
        types.sort();
        (types, p.instances.len())
    };
    // One pod of 3 vCPU: an xlarge (a large gives pods 1,930 m), and the
    // c5's ($0.17) rather than the m5's ($0.192).
    assert_eq!(launched((3_000, 1_024), 1), (vec!["c5.xlarge".into()], 1));
    // A small pod: the cheapest of all, c5.large ($0.085).
    assert_eq!(launched((500, 512), 1), (vec!["c5.large".into()], 1));
    // Memory-heavy pods (6,000 MiB): a c5.large gives pods 3,3xx MiB;
    // the cheapest type with the memory is the m5.large ($0.096, 7,518
    // MiB), cheaper than a c5.xlarge (7,199 MiB, $0.17).
    assert_eq!(launched((500, 6_000), 1), (vec!["m5.large".into()], 1));
    // Five pods of 3 vCPU: no type holds two, so one c5.xlarge each.
    let run = simulate(&karpenter(5, (3_000, 1_024), 0), &quiet(120.0), &opts()).unwrap();
    assert_eq!(run.placements.last().unwrap().instances.len(), 5);
    let reason = &run.scale_decisions[0].reason;
    assert!(
        reason.contains(
            "launched 5 x c5.xlarge at $0.1700/h, the cheapest allowed type that holds the most of them (1 a node)"
        ),
        "{reason}"
    );
    // Six pods of 1,500 m: a c5.xlarge holds two (3,920 m), three nodes.
    let run = simulate(&karpenter(6, (1_500, 1_024), 0), &quiet(120.0), &opts()).unwrap();
    assert_eq!(decisions(&run), [(1.0, 0, 3)]);
    assert!(
        run.scale_decisions[0].reason.contains("3 x c5.xlarge"),
        "{}",
        run.scale_decisions[0].reason
    );
}

#[test]
fn the_cpu_limit_stops_launches_and_the_pods_stay_pending() {
    // Four pods of 3 vCPU need four 4-vCPU nodes; limits.cpu 10 lets two
    // launch (8 vCPU): two pods stay Pending, and the decision says why.
    let d = eks_with(
        4,
        (3_000, 1_024),
        0,
        NodeAutoscaler::Karpenter,
        KarpenterSettings {
            cpu_limit: Some(10),
            ..KarpenterSettings::default()
        },
    );
    let mut sim = live(&d, 600.0);
    sim.run_until(600.0);
    let p = sim.placement_now();
    assert_eq!(
        nodes(&p),
        [("c5.xlarge".to_string(), 1), ("c5.xlarge".to_string(), 1)]
    );
    assert_eq!(provisioning(&p), 2);
    let run = sim.into_run();
    assert_eq!(decisions(&run), [(1.0, 0, 2)]);
    let reason = &run.scale_decisions[0].reason;
    assert!(
        reason.contains("2 left Pending: the NodePool's limits.cpu (10 vCPU) is reached"),
        "{reason}"
    );
    // Without the limit all four launch.
    let run = simulate(&karpenter(4, (3_000, 1_024), 0), &quiet(600.0), &opts()).unwrap();
    assert_eq!(decisions(&run), [(1.0, 0, 4)]);
}

/// Client -> ALB -> a workload of 3-vCPU pods under a Horizontal Pod
/// Autoscaler (1 to 4 pods) on Karpenter nodes only: 5 rps, 30 rps from
/// 60 s, 5 rps again from 600 s. The HPA adds pods (Karpenter adds a
/// node each) and, after its 5-minute window, takes them away: their
/// nodes empty.
fn scaled_in(
    consolidate_after_s: u32,
    consolidation_policy: ConsolidationPolicy,
) -> (archsim_model::Design, Scenario) {
    let design = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("alb", Props::Alb(LoadBalancerProps::default()))
        .add("eks", Props::EksCluster(EksClusterProps::default()))
        .add(
            "web",
            Props::EksWorkload(EksWorkloadProps {
                replicas: 1,
                workers_per_pod: 1,
                cpu_request_millicores: 3_000,
                memory_request_mb: 1_024,
                hpa: Some(HorizontalPodAutoscaler {
                    min_replicas: 1,
                    max_replicas: 4,
                    target_cpu_percent: 50,
                }),
                work: Work {
                    duration: Distribution::Exponential { mean_ms: 50.0 },
                    cpu_share: 1.0,
                },
                ..Default::default()
            }),
        )
        .add(
            "nodes",
            Props::EksNodeGroup(EksNodeGroupProps {
                min_size: 0,
                desired_size: 0,
                autoscaler: NodeAutoscaler::Karpenter,
                karpenter: KarpenterSettings {
                    consolidate_after_s,
                    consolidation_policy,
                    ..KarpenterSettings::default()
                },
                ..Default::default()
            }),
        )
        .link_as("client", "alb", Meaning::InvokeSync)
        .link("alb", "web", Meaning::Route.default_kind())
        .link_as("web", "nodes", Meaning::RunsOn)
        .design();
    let mut sc = scenario(
        "client",
        TrafficPattern::Step {
            from_rps: 5.0,
            to_rps: 30.0,
            at_s: 60.0,
        },
        1_500.0,
    );
    sc.events.push(ScheduledEvent {
        at_s: 600.0,
        event: ScenarioEvent::TrafficChange {
            entry: "client".into(),
            factor: 1.0 / 6.0,
        },
    });
    (design, sc)
}

#[test]
fn an_empty_node_is_removed_exactly_consolidate_after_later() {
    let (design, sc) = scaled_in(30, ConsolidationPolicy::WhenEmpty);
    let run = simulate(&design, &sc, &opts()).unwrap();
    let removals: Vec<&archsim_sim::ScaleDecision> = run
        .scale_decisions
        .iter()
        .filter(|d| d.component == "nodes" && d.to < d.from)
        .collect();
    assert!(!removals.is_empty(), "{:?}", run.scale_decisions);
    let first = removals[0];
    assert!(first.at_s > 900.0, "after the HPA's window: {first:?}");
    assert!(first.reason.contains("empty for 30 s"), "{first:?}");
    let node = first
        .reason
        .split("node ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    // That node emptied exactly 30 s before it went: a pod on it just
    // before, none from then until it went.
    let pods_on = |sim: &Simulation| {
        let p = sim.placement_now();
        p.capacities[0]
            .instances
            .iter()
            .find(|i| i.instance == node)
            .map(|i| i.tasks.len())
    };
    let mut sim = Simulation::new(&design, &sc, &opts()).unwrap();
    let emptied = first.at_s - 30.0;
    sim.run_until(emptied - 1e-6);
    assert_eq!(pods_on(&sim), Some(1));
    sim.run_until(emptied);
    assert_eq!(pods_on(&sim), Some(0));
    sim.run_until(first.at_s - 1e-6);
    assert_eq!(pods_on(&sim), Some(0));
    sim.run_until(first.at_s);
    assert_eq!(pods_on(&sim), None);

    // Ninety seconds: every removal comes sixty seconds later.
    let (design, sc) = scaled_in(90, ConsolidationPolicy::WhenEmpty);
    let late = simulate(&design, &sc, &opts()).unwrap();
    let late: Vec<f64> = late
        .scale_decisions
        .iter()
        .filter(|d| d.component == "nodes" && d.to < d.from)
        .map(|d| d.at_s)
        .collect();
    let early: Vec<f64> = removals.iter().map(|d| d.at_s + 60.0).collect();
    assert_eq!(late, early);
}

#[test]
fn node_seconds_are_counted_by_type_and_the_run_is_the_same_for_a_seed() {
    // One m5.large of the group for the whole 600 s; Karpenter's c5.xlarge
    // from its launch at 1 s (Ready at 51 s: EC2 bills the boot).
    let d = karpenter(3, (1_500, 1_024), 1);
    let run = simulate(&d, &quiet(600.0), &opts()).unwrap();
    let u = &run.usage.instances["nodes"];
    assert_eq!(u.instance_type, "m5.large");
    assert!((u.by_type["m5.large"] - 600.0).abs() < 1e-6, "{u:?}");
    assert!((u.by_type["c5.xlarge"] - 599.0).abs() < 1e-6, "{u:?}");
    assert!((u.instance_seconds - 1_199.0).abs() < 1e-6, "{u:?}");
    let again = simulate(&d, &quiet(600.0), &opts()).unwrap();
    assert_eq!(run.scale_decisions, again.scale_decisions);
    assert_eq!(run.placements, again.placements);
    assert_eq!(run.usage.instances, again.usage.instances);
}

#[test]
fn without_a_price_the_smallest_type_that_fits_is_launched_and_the_run_says_so() {
    let d = karpenter(1, (3_000, 1_024), 0);
    let no_prices = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    let run = simulate(&d, &quiet(120.0), &no_prices).unwrap();
    assert_eq!(run.notes.len(), 2, "{:?}", run.notes);
    assert!(
        run.notes[0].contains("no on-demand price for m5.large, m5.xlarge, c5.large, c5.xlarge")
            && run.notes[0].contains("smallest allowed type"),
        "{}",
        run.notes[0]
    );
    // 4 vCPU and 8 GiB: the c5.xlarge is smaller than the m5.xlarge.
    let reason = &run.scale_decisions[0].reason;
    assert!(
        reason.contains("c5.xlarge (no price: the smallest allowed type"),
        "{reason}"
    );
}

#[test]
fn a_pool_node_is_billed_from_its_launch_not_from_ready_to_its_termination() {
    // The group's m5.large (us-east-1a) holds one of three 1,500 m pods;
    // the batch closing at 1 s launches a c5.xlarge for the other two,
    // Ready at 51 s in us-east-1b. us-east-1b is lost at 305 s: that node
    // terminates, its two pods go Pending, and the batch closing at 306 s
    // launches another c5.xlarge (Ready at 356 s). Billed from launch:
    // 305 - 1 = 304 s and 600 - 306 = 294 s of c5.xlarge (from Ready it
    // would be 254 s and 244 s).
    let d = karpenter(3, (1_500, 1_024), 1);
    let mut sc = quiet(600.0);
    sc.events = vec![zone_loss(305.0, "us-east-1b")];
    let mut sim = Simulation::new(&d, &sc, &opts()).unwrap();
    sim.run_until(355.999);
    assert_eq!(nodes(&sim.placement_now()), [("m5.large".to_string(), 1)]);
    sim.run_until(356.0);
    assert_eq!(
        nodes(&sim.placement_now()),
        [("m5.large".to_string(), 1), ("c5.xlarge".to_string(), 2)]
    );
    sim.run_until(600.0);
    let run = sim.into_run();
    assert_eq!(decisions(&run), [(1.0, 1, 2), (306.0, 1, 2)]);
    let u = &run.usage.instances["nodes"];
    assert!((u.by_type["m5.large"] - 600.0).abs() < 1e-6, "{u:?}");
    assert!(
        (u.by_type["c5.xlarge"] - (304.0 + 294.0)).abs() < 1e-6,
        "{u:?}"
    );
    assert!((u.instance_seconds - (600.0 + 598.0)).abs() < 1e-6, "{u:?}");
}

/// `x`: one pod of 500 m and 7,000 MiB on the group's own c5.xlarge
/// (us-east-1a), which leaves no memory for `y`'s two pods of 600 m and
/// 256 MiB: Karpenter puts them on a c5.large (the cheapest that holds
/// them, us-east-1b, Ready at 51 s). us-east-1a is lost at 200 s: `x`'s
/// pod goes Pending, the c5.large lacks the memory, and the batch closing
/// at 201 s launches an m5.large (the cheapest type with 7,000 MiB), Ready
/// at 251 s, with 1,430 m and 518 MiB left: room for `y`'s two pods.
fn moved(
    consolidate_after_s: u32,
    policy: ConsolidationPolicy,
) -> (archsim_model::Design, Scenario) {
    let workload = |replicas, cpu, mem| {
        Props::EksWorkload(EksWorkloadProps {
            replicas,
            cpu_request_millicores: cpu,
            memory_request_mb: mem,
            ..Default::default()
        })
    };
    let design = Build::new()
        .add("eks", Props::EksCluster(EksClusterProps::default()))
        .add("x", workload(1, 500, 7_000))
        .add("y", workload(2, 600, 256))
        .add(
            "nodes",
            Props::EksNodeGroup(EksNodeGroupProps {
                instance_type: "c5.xlarge".into(),
                min_size: 1,
                desired_size: 1,
                max_size: 1,
                autoscaler: NodeAutoscaler::Karpenter,
                karpenter: KarpenterSettings {
                    consolidate_after_s,
                    consolidation_policy: policy,
                    ..KarpenterSettings::default()
                },
                ..Default::default()
            }),
        )
        .link_as("x", "nodes", Meaning::RunsOn)
        .link_as("y", "nodes", Meaning::RunsOn)
        .design();
    let mut sc = quiet(900.0);
    sc.events.push(zone_loss(200.0, "us-east-1a"));
    (design, sc)
}

#[test]
fn a_node_whose_pods_fit_elsewhere_goes_consolidate_after_after_its_pods_last_changed() {
    // consolidateAfter 300 s: the c5.large's pods last changed at 51 s;
    // the m5.large has room from 251 s; the c5.large goes at exactly
    // 351 s and its two pods start again on the m5.large.
    let (d, sc) = moved(300, ConsolidationPolicy::WhenEmptyOrUnderutilized);
    let mut sim = Simulation::new(&d, &sc, &opts()).unwrap();
    sim.run_until(251.0);
    let pool = |sim: &Simulation| -> Vec<(String, usize)> { nodes(&sim.placement_now()) };
    assert_eq!(
        pool(&sim),
        [("c5.large".to_string(), 2), ("m5.large".to_string(), 1)]
    );
    sim.run_until(350.999);
    assert_eq!(
        pool(&sim),
        [("c5.large".to_string(), 2), ("m5.large".to_string(), 1)]
    );
    sim.run_until(351.0);
    assert_eq!(pool(&sim), [("m5.large".to_string(), 3)]);
    sim.run_until(900.0);
    let run = sim.into_run();
    assert_eq!(decisions(&run), [(1.0, 1, 2), (201.0, 1, 2), (351.0, 2, 1)]);
    let reason = &run.scale_decisions[2].reason;
    assert!(
        reason.contains("(c5.large)'s 2 pods fit on the other nodes, unchanged for 300 s"),
        "{reason}"
    );
    // Billed from launch: the c5.large 1-351 s, the m5.large 201-900 s.
    let u = &run.usage.instances["nodes"];
    assert!((u.by_type["c5.large"] - 350.0).abs() < 1e-6, "{u:?}");
    assert!((u.by_type["m5.large"] - 699.0).abs() < 1e-6, "{u:?}");
    assert!((u.by_type["c5.xlarge"] - 200.0).abs() < 1e-6, "{u:?}");
    assert!(
        run.notes
            .iter()
            .any(|n| n.contains("WhenEmptyOrUnderutilized") && n.contains("not modelled")),
        "{:?}",
        run.notes
    );

    // consolidateAfter 60 s: consolidatable from 111 s, but the pods fit
    // nowhere until the m5.large joins at 251 s: it goes then.
    let (d, sc) = moved(60, ConsolidationPolicy::WhenEmptyOrUnderutilized);
    let run = simulate(&d, &sc, &opts()).unwrap();
    assert_eq!(decisions(&run), [(1.0, 1, 2), (201.0, 1, 2), (251.0, 2, 1)]);

    // WhenEmpty: the c5.large keeps its pods and stays to the end.
    let (d, sc) = moved(300, ConsolidationPolicy::WhenEmpty);
    let run = simulate(&d, &sc, &opts()).unwrap();
    assert_eq!(decisions(&run), [(1.0, 1, 2), (201.0, 1, 2)]);
    let u = &run.usage.instances["nodes"];
    assert!((u.by_type["c5.large"] - 899.0).abs() < 1e-6, "{u:?}");
    let last = run.placements.last().unwrap();
    let held: Vec<usize> = last.instances.iter().map(|i| i.tasks.len()).collect();
    assert_eq!(held, [2, 1]);
}
