//! EKS managed node groups: nodes of one instance type with the
//! kubelet's allocatable CPU and memory and a pod limit by VPC addresses
//! (`archsim_model::catalog`), pods scheduled onto them through
//! `placement.rs` (least-allocated) or left Pending, and the Kubernetes
//! Cluster Autoscaler: a loop every scan interval that adds the nodes
//! the Pending pods need (Ready after the node's boot time) and removes
//! nodes whose requests stay under the utilisation threshold for the
//! unneeded time when their pods fit elsewhere.
//!
//! Karpenter, the other provisioner, is in `karpenter.rs`.
//!
//! The group is an EC2 `Capacity` (`capacity.rs`): the same instances,
//! waiting list, placement snapshots and instance usage as ECS's Auto
//! Scaling groups; only the scaling differs.

use std::collections::VecDeque;

use archsim_model::component::{EksNodeGroupProps, NodeAutoscaler};

use super::build::zone_indexes;
use super::capacity::Capacity;
use super::events::Ev;
use super::karpenter::Pool;
use super::service::TaskState;
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::run::ScaleDecision;

/// The Cluster Autoscaler waits this long after adding nodes before it
/// removes any: `--scale-down-delay-after-add` (default 10 min).
const SCALE_DOWN_DELAY_AFTER_ADD: Us = 600 * SEC;

/// Empty nodes removed in one loop: `--max-empty-bulk-delete` (default
/// 10); a node with pods goes one per loop.
const MAX_EMPTY_BULK_DELETE: usize = 10;

/// Not under the threshold.
const NOT_LOW: Us = Us::MAX;

/// A node group's Cluster Autoscaler settings and state.
pub(super) struct ClusterAutoscaler {
    pub(super) scan: Us,
    pub(super) unneeded: Us,
    pub(super) threshold_percent: u32,
    /// Per instance slot: since when its requests have been under the
    /// threshold (`NOT_LOW` when they are not).
    pub(super) low_since: Vec<Us>,
    pub(super) last_add: Option<Us>,
}

impl Capacity {
    /// A node group's nodes: the instance type's allocatable millicores
    /// and MiB (the catalogue's EKS AMI reservations) and its workload
    /// pods by VPC addresses; unknown types as an m5.large.
    /// With Karpenter, the group keeps its own nodes and a NodePool
    /// (`karpenter.rs`) adds nodes priced by `prices`.
    pub(super) fn node_group(
        id: &str,
        p: &EksNodeGroupProps,
        zones: &mut Vec<String>,
        prices: &std::collections::BTreeMap<String, f64>,
        notes: &mut Vec<String>,
    ) -> Capacity {
        let it = archsim_model::catalog::instance_type(&p.instance_type)
            .or_else(|| archsim_model::catalog::instance_type("m5.large"))
            .expect("m5.large is in the catalogue");
        let (cpu, mem) = it.eks_allocatable();
        let max = p.max_size.max(p.min_size);
        Capacity {
            instance_type: p.instance_type.clone(),
            cpu_units: cpu,
            memory_mb: mem,
            min: p.min_size,
            max,
            managed: false,
            target_percent: 100,
            max_step: max.max(1),
            launch: (p.node_ready_s.max(0.0) * SEC as f64) as Us,
            pending: 0,
            gpus: it.gpus,
            enis: it.eks_workload_pods(),
            zones: zone_indexes(zones, &p.availability_zones),
            instances: Vec::new(),
            next_id: 0,
            waiting: VecDeque::new(),
            low_minutes: 0,
            instance_seconds: 0.0,
            billed: super::Gauge::default(),
            autoscaler: (p.autoscaler == NodeAutoscaler::ClusterAutoscaler).then(|| {
                Box::new(ClusterAutoscaler {
                    scan: u64::from(p.scan_interval_s.max(1)) * SEC,
                    unneeded: u64::from(p.scale_down_unneeded_s) * SEC,
                    threshold_percent: p.scale_down_utilization_percent.min(100),
                    low_since: Vec::new(),
                    last_add: None,
                })
            }),
            karpenter: (p.autoscaler == NodeAutoscaler::Karpenter)
                .then(|| Box::new(Pool::new(id, &p.karpenter, prices, notes))),
        }
    }

    /// The group's size at the start of the run: `desired_size` within
    /// its bounds.
    pub(super) fn node_group_initial(p: &EksNodeGroupProps) -> u32 {
        p.desired_size.clamp(p.min_size, p.max_size.max(p.min_size))
    }
}

/// Free (millicores, MiB, pods) of a node.
pub(super) type Room = (u64, u64, u32);

pub(super) fn fits(room: &Room, need: &Room) -> bool {
    room.0 >= need.0 && room.1 >= need.1 && room.2 >= need.2
}

pub(super) fn take(room: &mut Room, need: &Room) {
    room.0 -= need.0;
    room.1 -= need.1;
    room.2 -= need.2;
}

impl Simulation {
    /// What a pod of workload `svc` requests of a node.
    fn pod_needs(&self, svc: u32) -> Room {
        match &self.nodes[svc as usize].behaviour {
            Behaviour::Service(s) => (s.needs.cpu, s.needs.mem, 1),
            _ => (0, 0, 0),
        }
    }

    /// What the Pending pods waiting on group `node` request, in the
    /// order they became Pending.
    pub(super) fn pending_pods(&self, node: u32) -> Vec<Room> {
        let Behaviour::Capacity(c) = &self.nodes[node as usize].behaviour else {
            return Vec::new();
        };
        c.waiting
            .iter()
            .filter(|&&(svc, t)| {
                matches!(&self.nodes[svc as usize].behaviour, Behaviour::Service(s)
                    if s.tasks[t as usize].state == TaskState::Provisioning)
            })
            .map(|&(svc, _)| self.pod_needs(svc))
            .collect()
    }

    /// One loop of the Cluster Autoscaler: scale up for Pending pods,
    /// otherwise look for unneeded nodes; then the next loop.
    pub(super) fn on_autoscaler_scan(&mut self, node: u32) {
        let now = self.now;
        if !matches!(self.nodes[node as usize].behaviour, Behaviour::Capacity(_)) {
            return;
        }
        let pending_pods = self.pending_pods(node);
        let scan = match &self.nodes[node as usize].behaviour {
            Behaviour::Capacity(c) => match &c.autoscaler {
                Some(a) => a.scan,
                None => return,
            },
            _ => return,
        };
        self.autoscaler_scale_down(node, !pending_pods.is_empty());
        if !pending_pods.is_empty() {
            self.autoscaler_scale_up(node, &pending_pods);
        }
        self.push(now + scan, Ev::AutoscalerScan { node });
    }

    /// Adds the nodes the Pending pods need: the pods are packed first
    /// fit, in the order they became Pending, onto the nodes already
    /// launching and then onto new empty nodes (the autoscaler's binpacking
    /// estimate); a pod that fits no empty node adds none. At most
    /// `max_size` nodes.
    fn autoscaler_scale_up(&mut self, node: u32, pods: &[Room]) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let current = n.instances.v as u32;
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        let empty: Room = (c.cpu_units, c.memory_mb, c.enis);
        let mut bins: Vec<Room> = vec![empty; c.pending as usize];
        let mut new = 0u32;
        for pod in pods.iter().filter(|p| fits(&empty, p)) {
            match bins.iter_mut().find(|b| fits(b, pod)) {
                Some(b) => take(b, pod),
                None => {
                    let mut b = empty;
                    take(&mut b, pod);
                    bins.push(b);
                    new += 1;
                }
            }
        }
        let add = new.min(c.max.saturating_sub(current + c.pending));
        if add == 0 {
            return;
        }
        let from = current + c.pending;
        c.pending += add;
        c.rebill(now);
        if let Some(a) = &mut c.autoscaler {
            a.last_add = Some(now);
        }
        let launch = c.launch;
        for _ in 0..add {
            self.push(now + launch, Ev::InstanceReady { node });
        }
        self.decide(
            node,
            from,
            from + add,
            format!(
                "cluster autoscaler: {} pod{} unschedulable",
                pods.len(),
                if pods.len() == 1 { "" } else { "s" }
            ),
        );
    }

    /// Marks the nodes whose requested CPU and memory are both under the
    /// threshold, and removes those unneeded for the unneeded time (not
    /// within the delay after a scale-up, never below `min_size`): empty
    /// ones in bulk, else the least used one whose pods fit on the other
    /// nodes (its pods are evicted and their workloads start them again).
    /// Nothing is removed while pods are Pending.
    fn autoscaler_scale_down(&mut self, node: u32, pods_pending: bool) {
        let now = self.now;
        let zone_down = self.zone_down.clone();
        let n = &mut self.nodes[node as usize];
        let current = n.instances.v as u32;
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        let Some(a) = &mut c.autoscaler else {
            return;
        };
        a.low_since.resize(c.instances.len(), NOT_LOW);
        // Utilisation in parts per million: the larger of CPU and memory.
        let used = |i: &crate::placement::Instance| {
            let cpu = (i.cpu_total - i.cpu_free) * 1_000_000 / i.cpu_total.max(1);
            let mem = (i.mem_total - i.mem_free) * 1_000_000 / i.mem_total.max(1);
            cpu.max(mem)
        };
        let threshold = u64::from(a.threshold_percent) * 10_000;
        for (k, i) in c.instances.iter().enumerate() {
            if !i.alive || used(i) >= threshold {
                a.low_since[k] = NOT_LOW;
            } else if a.low_since[k] == NOT_LOW {
                a.low_since[k] = now;
            }
        }
        if pods_pending
            || c.pending > 0
            || a.last_add
                .is_some_and(|t| now < t + SCALE_DOWN_DELAY_AFTER_ADD)
        {
            return;
        }
        let removable = current.saturating_sub(c.min) as usize;
        if removable == 0 {
            return;
        }
        let unneeded: Vec<usize> = (0..c.instances.len())
            .filter(|&k| {
                c.instances[k].alive
                    && a.low_since[k] != NOT_LOW
                    && now - a.low_since[k] >= a.unneeded
            })
            .collect();
        let empty: Vec<usize> = unneeded
            .iter()
            .copied()
            .filter(|&k| c.instances[k].tasks == 0)
            .take(removable.min(MAX_EMPTY_BULK_DELETE))
            .collect();
        let (gone, reason) = if !empty.is_empty() {
            let reason = format!(
                "cluster autoscaler: {} empty node{} unneeded for {} s",
                empty.len(),
                if empty.len() == 1 { "" } else { "s" },
                a.unneeded / SEC
            );
            (empty, reason)
        } else {
            // The least used unneeded node, oldest first on a tie.
            let Some(&k) = unneeded.iter().min_by_key(|&&k| (used(&c.instances[k]), k)) else {
                return;
            };
            let name = format!("i-{}", c.instances[k].id);
            let pct = used(&c.instances[k]) / 10_000;
            (
                vec![k],
                format!(
                    "cluster autoscaler: node {name} at {pct}% requested, under {}% for {} s",
                    a.threshold_percent,
                    a.unneeded / SEC
                ),
            )
        };
        if gone.len() == 1
            && c.instances[gone[0]].tasks > 0
            && !self.pods_fit_elsewhere(node, gone[0], &zone_down)
        {
            return;
        }
        let n = &mut self.nodes[node as usize];
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        for &k in &gone {
            c.instances[k].alive = false;
            if let Some(a) = &mut c.autoscaler {
                a.low_since[k] = NOT_LOW;
            }
        }
        c.rebill(now);
        let to = current - gone.len() as u32;
        n.instances.set(now, u64::from(to));
        self.decide(node, current, to, reason);
        self.evict_pods(node, &gone);
    }

    /// The pods on instances `gone` of group `node` (removed) are
    /// evicted: each finishes what it is serving (behind a load balancer,
    /// through the deregistration delay) as a scaled-in task does, and
    /// its workload starts a new one on the other nodes.
    pub(super) fn evict_pods(&mut self, node: u32, gone: &[usize]) {
        for svc in 0..self.nodes.len() as u32 {
            let Behaviour::Service(s) = &self.nodes[svc as usize].behaviour else {
                continue;
            };
            let doomed: Vec<u32> = s
                .tasks
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    t.state != TaskState::Stopped
                        && t.instance != NONE
                        && s.providers[t.provider as usize].node == node
                        && gone.contains(&(t.instance as usize))
                })
                .map(|(i, _)| i as u32)
                .collect();
            if doomed.is_empty() {
                continue;
            }
            for t in doomed {
                self.retire_task(svc, t);
            }
            self.reconcile(svc);
        }
    }

    /// Whether every pod on instance `k` of group `node` fits on the
    /// group's other live nodes (first fit, as the autoscaler simulates
    /// the drain).
    pub(super) fn pods_fit_elsewhere(&self, node: u32, k: usize, zone_down: &[bool]) -> bool {
        let Behaviour::Capacity(c) = &self.nodes[node as usize].behaviour else {
            return false;
        };
        let mut rooms: Vec<Room> = c
            .instances
            .iter()
            .enumerate()
            .filter(|&(j, i)| j != k && i.alive && !zone_down[i.zone as usize])
            .map(|(_, i)| (i.cpu_free, i.mem_free, i.eni_free))
            .collect();
        for (svc, n) in self.nodes.iter().enumerate() {
            let Behaviour::Service(s) = &n.behaviour else {
                continue;
            };
            let need = self.pod_needs(svc as u32);
            for t in &s.tasks {
                if t.state != TaskState::Stopped
                    && t.instance as usize == k
                    && s.providers[t.provider as usize].node == node
                {
                    match rooms.iter_mut().find(|r| fits(r, &need)) {
                        Some(r) => take(r, &need),
                        None => return false,
                    }
                }
            }
        }
        true
    }

    /// Records a capacity decision of `node`.
    pub(super) fn decide(&mut self, node: u32, from: u32, to: u32, reason: String) {
        let n = &mut self.nodes[node as usize];
        n.c.scale_events += 1;
        self.decisions.push(ScaleDecision {
            at_s: self.now as f64 / SEC as f64,
            component: n.id.clone(),
            from,
            to,
            reason,
        });
    }
}
