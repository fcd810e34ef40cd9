//! The rules on EKS node groups and the pods scheduled onto them,
//! Karpenter's NodePool included.

use super::*;
use crate::component::{EksNodeGroupProps, NodeAutoscaler};

/// The known instance types a Karpenter NodePool may launch (none when
/// the group is not scaled by Karpenter).
pub(crate) fn karpenter_catalog_types(n: &EksNodeGroupProps) -> Vec<&'static InstanceType> {
    if n.autoscaler != NodeAutoscaler::Karpenter {
        return Vec::new();
    }
    n.karpenter
        .instance_types
        .iter()
        .filter_map(|t| catalog::instance_type(t))
        .collect()
}

/// A pod larger than a node's allocatable is never scheduled (and the
/// Cluster Autoscaler adds no node for it); with Karpenter, a pod larger
/// than the group's own type and every type the NodePool allows.
pub(super) fn pod_fits_node(d: &Design, out: &mut Found) {
    for w in d.components() {
        let Props::EksWorkload(p) = &w.props else {
            continue;
        };
        let need = (
            u64::from(p.cpu_request_millicores),
            u64::from(p.memory_request_mb),
        );
        let holds = |it: &InstanceType| {
            let (cpu, mem) = it.eks_allocatable();
            need.0 <= cpu && need.1 <= mem
        };
        for g in targets(d, &w.id, Meaning::RunsOn) {
            let Props::EksNodeGroup(n) = &g.props else {
                continue;
            };
            let Some(it) = catalog::instance_type(&n.instance_type) else {
                continue;
            };
            let pool = karpenter_catalog_types(n);
            if holds(it) || pool.iter().any(|t| holds(t)) {
                continue;
            }
            let (cpu, mem) = it.eks_allocatable();
            let also = if pool.is_empty() {
                String::new()
            } else {
                format!(
                    ", and no type its Karpenter NodePool allows ({}) holds it",
                    pool.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
                )
            };
            out.push((
                ids(&[&w.id, &g.id]),
                format!(
                    "{} requests {} m / {} MiB a pod; an {} node of {} gives pods {cpu} m / {mem} MiB{also}",
                    w.name, p.cpu_request_millicores, p.memory_request_mb, n.instance_type, g.name
                ),
            ));
        }
    }
}

/// A Karpenter NodePool with no instance type archsim knows launches
/// nothing: Pending pods would wait for ever.
pub(super) fn karpenter_types(d: &Design, out: &mut Found) {
    for c in d.components() {
        let Props::EksNodeGroup(n) = &c.props else {
            continue;
        };
        if n.autoscaler == NodeAutoscaler::Karpenter && karpenter_catalog_types(n).is_empty() {
            out.push((
                ids(&[&c.id]),
                if n.karpenter.instance_types.is_empty() {
                    format!("{}: the Karpenter NodePool allows no instance type", c.name)
                } else {
                    format!(
                        "{}: the Karpenter NodePool allows only instance types archsim does not know ({})",
                        c.name,
                        n.karpenter.instance_types.join(", ")
                    )
                },
            ));
        }
    }
}
