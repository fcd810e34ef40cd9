//! An EKS pod on a Fargate profile is billed at the Fargate size it gets:
//! its requests plus 256 MiB for the Kubernetes components, rounded up to
//! a Fargate configuration (EKS "Understand Fargate Pod configuration
//! details"), in the estimate and in a run's bill alike.
//! And the estimate of a Karpenter node group says that the nodes its
//! NodePool launches are left to a simulation's bill.

use archsim_cost::{Assumptions, ServiceUsage, estimate, measured};
use archsim_model::starters::starter;
use archsim_sim::{RunOptions, simulate};

fn fargate_size(e: &archsim_cost::estimate::Estimate, id: &str) -> (f64, f64) {
    e.profile
        .components
        .iter()
        .find_map(|c| match &c.usage {
            ServiceUsage::Fargate(f) if c.component_id == id => Some((f.vcpu, f.memory_gb)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Fargate usage {id}"))
}

/// The design's estimate for its first scenario, and the bill of a
/// five-minute run of it.
fn estimate_and_run_bill(
    design: &archsim_model::Design,
) -> (
    archsim_cost::estimate::Estimate,
    archsim_cost::estimate::Estimate,
) {
    let scenario = &design.scenarios[0];
    let est = estimate::estimate_usage(design, scenario, &Assumptions::default()).unwrap();
    let run = simulate(
        design,
        scenario,
        &RunOptions {
            duration_s: Some(300.0),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let bill = measured::usage_from_run(design, &run, &Assumptions::default());
    (est, bill)
}

#[test]
fn a_fargate_profile_pod_is_billed_with_256_mib_more_rounded_up() {
    // The starter's batch pods request 1 vCPU and 2,048 MiB: 2,304 MiB
    // with the Kubernetes components, so 1 vCPU and 3 GB.
    let design = starter("eks-platform").unwrap().build().unwrap();
    let (est, bill) = estimate_and_run_bill(&design);
    assert_eq!(fargate_size(&est, "batch@batch-profile"), (1.0, 3.0));
    assert_eq!(fargate_size(&bill, "batch@batch-profile"), (1.0, 3.0));
}

#[test]
fn the_estimate_of_a_karpenter_group_says_what_it_leaves_to_a_simulation() {
    let mut design = starter("eks-platform").unwrap().build().unwrap();
    let scenario = design.scenarios[0].clone();
    let note = |d: &archsim_model::Design| {
        estimate::estimate_usage(d, &scenario, &Assumptions::default())
            .unwrap()
            .notes
            .into_iter()
            .find(|n| n.contains("Karpenter"))
    };
    assert_eq!(note(&design), None, "the Cluster Autoscaler's group");
    archsim_model::edit::apply_op(
        &mut design,
        archsim_model::Op::SetProperty {
            id: "nodes".into(),
            path: "autoscaler".into(),
            value: serde_json::json!("karpenter"),
        },
    )
    .unwrap();
    let said = note(&design).expect("a note on the Karpenter group");
    assert!(
        said.starts_with("nodes: the estimate bills the group's own 3 m5.xlarge nodes"),
        "{said}"
    );
}

/// Pods no Fargate configuration holds (16 vCPU is the largest) are not
/// priced, and the estimate and a run's bill say so in the same words.
#[test]
fn pods_larger_than_any_fargate_configuration_are_said_unpriced_alike() {
    let mut design = starter("eks-platform").unwrap().build().unwrap();
    archsim_model::edit::apply_op(
        &mut design,
        archsim_model::Op::SetProperty {
            id: "batch".into(),
            path: "cpu_request_millicores".into(),
            value: serde_json::json!(20_000),
        },
    )
    .unwrap();
    let said = "batch: its pods (20000 m CPU, 2048 MiB requested, plus 256 MiB for the Kubernetes components) are larger than any Fargate configuration: not priced";
    let unpriced = |e: &archsim_cost::estimate::Estimate| -> Vec<String> {
        e.notes
            .iter()
            .filter(|n| n.contains("not priced"))
            .cloned()
            .collect()
    };
    let priced = |e: &archsim_cost::estimate::Estimate| {
        e.profile
            .components
            .iter()
            .any(|c| c.component_id.starts_with("batch"))
    };
    let (est, bill) = estimate_and_run_bill(&design);
    assert_eq!(unpriced(&est), [said]);
    assert!(!priced(&est));
    assert_eq!(unpriced(&bill), [said]);
    assert!(!priced(&bill));
}
