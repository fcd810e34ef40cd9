//! Karpenter beside an EKS managed node group: a NodePool that launches
//! nodes of its own for Pending pods and removes them when empty.
//!
//! What is modelled, after Karpenter's documentation (karpenter.sh,
//! "Settings", "NodePools", "Disruption"):
//! - **Batching**: the first Pending pod opens a batch; it closes
//!   `--batch-idle-duration` (1 s) after the last Pending pod, or
//!   `--batch-max-duration` (10 s) after it opened, whichever is first.
//! - **Launch**: the batch's Pending pods, less those the nodes already
//!   launching will hold (first fit), are packed onto new nodes. A type
//!   that holds all of them: the cheapest such (on-demand hourly price
//!   in the design's region, from `RunOptions::instance_prices`; EC2
//!   Fleet's lowest-price allocation). Otherwise the type that holds the
//!   most of them, first fit in the order they became Pending (the
//!   cheaper on a tie), and again for the rest. Without a price for
//!   every allowed type, the smallest type stands in for the cheapest
//!   (vCPUs, then memory) and the run's notes say so. A pod no allowed
//!   type holds launches nothing.
//! - **`limits.cpu`**: a type whose vCPUs would take the pool's nodes
//!   (Ready and launching) past the limit is not launched; pods left
//!   over stay Pending and the decision says why.
//! - **Ready** `node_ready_s` after the launch (no Auto Scaling group:
//!   EC2 Fleet `CreateFleet` directly).
//! - **Consolidation** (`consolidation.rs`): a node of the pool
//!   `consolidateAfter` after its pods last changed is deleted when empty
//!   or, under `WhenEmptyOrUnderutilized` (the default), when its pods
//!   fit on the other nodes. Replacing a node by a cheaper one,
//!   multi-node consolidation, disruption budgets, `expireAfter`, drift,
//!   Spot and several NodePools are **not modelled**.
//!
//! The managed group's own `desired_size` nodes stay as they are:
//! Karpenter launches and removes only the nodes it launched.

use archsim_model::catalog;
use archsim_model::component::{ConsolidationPolicy, KarpenterSettings};

use super::capacity::Capacity;
use super::events::Ev;
use super::nodes::{Room, fits, take};
use super::{Behaviour, Gauge, SEC, Simulation, Us};

/// One instance type the NodePool may launch.
pub(super) struct PoolType {
    pub(super) name: &'static str,
    /// Allocatable millicores and MiB (the EKS AMI's reservations), and
    /// workload pods by VPC addresses.
    cpu: u64,
    mem: u64,
    pods: u32,
    gpus: u32,
    vcpus: u32,
    /// On-demand USD an hour, when the run was given one.
    price: Option<f64>,
}

/// A Karpenter NodePool's settings and state.
pub(super) struct Pool {
    /// Allowed known types, in the order Karpenter prefers them:
    /// cheapest first (smallest first when a price is missing).
    pub(super) types: Vec<PoolType>,
    by_price: bool,
    cpu_limit: Option<u32>,
    pub(super) consolidate_after: Us,
    batch_idle: Us,
    batch_max: Us,
    launch: Us,
    /// The open batch: when it opened and when its last pod went Pending.
    batch: Option<(Us, Us)>,
    /// The type of each node launching (not yet Ready).
    launching: Vec<usize>,
    /// Per instance slot of the group: the pool's type, `None` for the
    /// managed group's own nodes.
    slot_type: Vec<Option<usize>>,
    /// Per instance slot: when a pod was last scheduled onto or removed
    /// from it (its `consolidateAfter` counts from then).
    pub(super) changed_at: Vec<Us>,
    /// `WhenEmptyOrUnderutilized`: nodes whose pods fit elsewhere go too.
    pub(super) underutilized: bool,
    /// Nodes of each type EC2 bills: launching and Ready (billed from
    /// launch, as `Capacity::billed`).
    pub(super) nodes_by_type: Vec<Gauge>,
}

impl PoolType {
    fn room(&self) -> Room {
        (self.cpu, self.mem, self.pods)
    }

    /// Which of `pods` one empty node of this type takes, first fit.
    fn takes(&self, pods: &[Room]) -> Vec<bool> {
        let mut room = self.room();
        pods.iter()
            .map(|p| {
                let ok = fits(&room, p);
                if ok {
                    take(&mut room, p);
                }
                ok
            })
            .collect()
    }
}

impl Pool {
    /// The pool of `k`, with each allowed type's price from `prices`
    /// (USD an hour by type); a note in `notes` when a price is missing.
    pub(super) fn new(
        group: &str,
        k: &KarpenterSettings,
        prices: &std::collections::BTreeMap<String, f64>,
        notes: &mut Vec<String>,
    ) -> Pool {
        let mut types: Vec<PoolType> = Vec::new();
        for name in &k.instance_types {
            let Some(it) = catalog::instance_type(name) else {
                continue;
            };
            if types.iter().any(|t| t.name == it.name) {
                continue;
            }
            let (cpu, mem) = it.eks_allocatable();
            types.push(PoolType {
                name: it.name,
                cpu,
                mem,
                pods: it.eks_workload_pods(),
                gpus: it.gpus,
                vcpus: it.vcpus,
                price: prices.get(it.name).copied(),
            });
        }
        let unpriced: Vec<&str> = types
            .iter()
            .filter(|t| t.price.is_none())
            .map(|t| t.name)
            .collect();
        let by_price = unpriced.is_empty();
        if by_price {
            types.sort_by(|a, b| {
                let (pa, pb) = (a.price.unwrap_or(0.0), b.price.unwrap_or(0.0));
                pa.total_cmp(&pb).then(a.name.cmp(b.name))
            });
        } else {
            notes.push(format!(
                "{group}: no on-demand price for {} in this run, so its Karpenter NodePool \
                 launches the smallest allowed type that fits (vCPUs, then memory) instead of \
                 the cheapest",
                unpriced.join(", ")
            ));
            types.sort_by(|a, b| (a.vcpus, a.mem, a.name).cmp(&(b.vcpus, b.mem, b.name)));
        }
        notes.push(match k.consolidation_policy {
            ConsolidationPolicy::WhenEmptyOrUnderutilized => format!(
                "{group}: Karpenter's consolidation (WhenEmptyOrUnderutilized) deletes a node \
                 of its NodePool that is empty, or whose pods fit on the other nodes, \
                 consolidateAfter after its pods last changed; replacing a node by a cheaper \
                 one, multi-node consolidation, disruption budgets, expireAfter, drift and Spot \
                 are not modelled"
            ),
            ConsolidationPolicy::WhenEmpty => format!(
                "{group}: Karpenter's consolidation (WhenEmpty) deletes a node of its NodePool \
                 empty for consolidateAfter; disruption budgets, expireAfter, drift and Spot \
                 are not modelled"
            ),
        });
        let count = types.len();
        Pool {
            types,
            by_price,
            cpu_limit: k.cpu_limit,
            consolidate_after: u64::from(k.consolidate_after_s) * SEC,
            batch_idle: u64::from(k.batch_idle_s.max(1)) * SEC,
            batch_max: u64::from(k.batch_max_s.max(1)) * SEC,
            launch: (k.node_ready_s.max(0.0) * SEC as f64) as Us,
            batch: None,
            launching: Vec::new(),
            slot_type: Vec::new(),
            changed_at: Vec::new(),
            underutilized: k.consolidation_policy == ConsolidationPolicy::WhenEmptyOrUnderutilized,
            nodes_by_type: vec![Gauge::default(); count],
        }
    }

    /// The pool's type of instance slot `k`, if the pool launched it.
    pub(super) fn type_of(&self, k: usize) -> Option<&PoolType> {
        self.slot_type
            .get(k)
            .copied()
            .flatten()
            .map(|t| &self.types[t])
    }

    /// Sets each type's billed count from the live slots and the
    /// launching nodes (after any node launched, joined or left).
    pub(super) fn recount(&mut self, instances: &[crate::placement::Instance], now: Us) {
        let mut counts = vec![0u64; self.types.len()];
        for &t in &self.launching {
            counts[t] += 1;
        }
        for (k, i) in instances.iter().enumerate() {
            if let (true, Some(t)) = (i.alive, self.slot_type.get(k).copied().flatten()) {
                counts[t] += 1;
            }
        }
        for (g, n) in self.nodes_by_type.iter_mut().zip(counts) {
            if g.v != n {
                g.set(now, n);
            }
        }
    }

    /// vCPUs of the pool's nodes, Ready and launching (what `limits.cpu`
    /// counts).
    fn vcpus(&self, instances: &[crate::placement::Instance]) -> u32 {
        let ready: u32 = instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.alive)
            .filter_map(|(k, _)| self.type_of(k))
            .map(|t| t.vcpus)
            .sum();
        ready
            + self
                .launching
                .iter()
                .map(|&t| self.types[t].vcpus)
                .sum::<u32>()
    }

    /// Nodes to launch for `pods` (the pods not held by nodes already
    /// launching), as type indices, with `vcpu_room` vCPUs left under
    /// the limit; and how many pods are left without a node.
    fn plan(&self, pods: &[Room], mut vcpu_room: Option<u32>) -> (Vec<(usize, usize)>, usize) {
        let mut rest: Vec<Room> = pods.to_vec();
        let mut nodes = Vec::new();
        while !rest.is_empty() {
            let mut best: Option<(usize, Vec<bool>, usize)> = None;
            for (ix, t) in self.types.iter().enumerate() {
                if vcpu_room.is_some_and(|r| t.vcpus > r) {
                    continue;
                }
                let taken = t.takes(&rest);
                let n = taken.iter().filter(|&&b| b).count();
                // Types are in preference order: a later one must take
                // more to win.
                if n > best.as_ref().map_or(0, |b| b.2) {
                    let all = n == rest.len();
                    best = Some((ix, taken, n));
                    if all {
                        break;
                    }
                }
            }
            let Some((ix, taken, n)) = best else {
                break;
            };
            nodes.push((ix, n));
            if let Some(r) = &mut vcpu_room {
                *r -= self.types[ix].vcpus;
            }
            let mut k = 0;
            rest.retain(|_| {
                k += 1;
                !taken[k - 1]
            });
        }
        (nodes, rest.len())
    }
}

impl Simulation {
    /// A pod of group `node` went Pending: it opens or extends the batch.
    pub(super) fn karpenter_pod_pending(&mut self, node: u32) {
        let now = self.now;
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let Some(p) = &mut c.karpenter else {
            return;
        };
        let opened = match p.batch {
            Some((opened, _)) => opened,
            None => now,
        };
        p.batch = Some((opened, now));
        let close = (now + p.batch_idle).min(opened + p.batch_max);
        self.push(close, Ev::KarpenterBatch { node });
    }

    /// The batch may be over: if it is, launch the nodes its pods need.
    pub(super) fn on_karpenter_batch(&mut self, node: u32) {
        let now = self.now;
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let Some(p) = &mut c.karpenter else {
            return;
        };
        let Some((opened, last)) = p.batch else {
            return;
        };
        if now < (last + p.batch_idle).min(opened + p.batch_max) {
            return;
        }
        p.batch = None;
        self.karpenter_provision(node);
    }

    /// Launches nodes for the Pending pods the launching nodes will not
    /// hold.
    fn karpenter_provision(&mut self, node: u32) {
        let now = self.now;
        let pending = self.pending_pods(node);
        if pending.is_empty() {
            return;
        }
        let current = self.nodes[node as usize].instances.v as u32;
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let c: &mut Capacity = c;
        let Some(p) = &c.karpenter else {
            return;
        };
        // The nodes already launching take what they can, first fit.
        let mut bins: Vec<Room> = p.launching.iter().map(|&t| p.types[t].room()).collect();
        let rest: Vec<Room> = pending
            .iter()
            .filter(|pod| match bins.iter_mut().find(|b| fits(b, pod)) {
                Some(b) => {
                    take(b, pod);
                    false
                }
                None => true,
            })
            .copied()
            .collect();
        if rest.is_empty() {
            return;
        }
        let used = p.vcpus(&c.instances);
        let room = p.cpu_limit.map(|l| l.saturating_sub(used));
        let (launch, left) = p.plan(&rest, room);
        // Pods left without a node: too big for every type, or held back
        // by the limit (a type that would hold them exceeds it).
        let unlimited_left = if left > 0 && room.is_some() {
            p.plan(&rest, None).1
        } else {
            left
        };
        let from = current + c.pending;
        let them = if rest.len() == 1 { "it" } else { "them" };
        // Alike nodes (type and pods) said once, with their count.
        let mut alike: Vec<(usize, usize, usize)> = Vec::new();
        for &(t, pods) in &launch {
            match alike.last_mut() {
                Some(g) if (g.0, g.1) == (t, pods) => g.2 += 1,
                _ => alike.push((t, pods, 1)),
            }
        }
        let mut reasons = Vec::new();
        for (t, pods, count) in alike {
            let ty = &p.types[t];
            let holds = if pods == rest.len() {
                them.to_string()
            } else {
                format!("the most of them ({pods} a node)")
            };
            let count = if count > 1 {
                format!("{count} x ")
            } else {
                String::new()
            };
            reasons.push(if p.by_price {
                format!(
                    "{count}{} at ${:.4}/h, the cheapest allowed type that holds {holds}",
                    ty.name,
                    ty.price.unwrap_or(0.0),
                )
            } else {
                format!(
                    "{count}{} (no price: the smallest allowed type that holds {holds})",
                    ty.name,
                )
            });
        }
        let launch_at = now + p.launch;
        let limit = p.cpu_limit;
        let p = c.karpenter.as_mut().expect("checked above");
        for &(t, _) in &launch {
            p.launching.push(t);
            c.pending += 1;
        }
        c.rebill(now);
        let to = current + c.pending;
        let mut reason = format!(
            "karpenter: {} pending pod{}",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        );
        if !reasons.is_empty() {
            reason.push_str(&format!(": launched {}", reasons.join("; ")));
        }
        if left > 0 {
            if left > unlimited_left {
                reason.push_str(&format!(
                    "; {left} left Pending: the NodePool's limits.cpu ({} vCPU) is reached",
                    limit.unwrap_or(0)
                ));
            } else {
                reason.push_str(&format!(
                    "; {left} left Pending: no allowed instance type holds them"
                ));
            }
        }
        for &(t, _) in &launch {
            self.push(
                launch_at,
                Ev::KarpenterNodeReady {
                    node,
                    pool_type: t as u32,
                },
            );
        }
        self.decide(node, from, to, reason);
    }

    /// A node the pool launched is Ready: it joins the group and takes
    /// the Pending pods that fit.
    pub(super) fn on_karpenter_node_ready(&mut self, node: u32, pool_type: u32) {
        let now = self.now;
        let t = pool_type as usize;
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let c: &mut Capacity = c;
        let Some(p) = c.karpenter.as_mut() else {
            return;
        };
        if let Some(k) = p.launching.iter().position(|&x| x == t) {
            p.launching.swap_remove(k);
        }
        c.pending = c.pending.saturating_sub(1);
        let ty = &p.types[t];
        let room = (ty.cpu, ty.mem, ty.gpus, ty.pods);
        let Some(slot) = self.add_instance_sized(node, room) else {
            // Every zone is down: the launch is lost and no longer billed.
            if let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour {
                c.rebill(now);
            }
            return;
        };
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let c: &mut Capacity = c;
        let Some(p) = c.karpenter.as_mut() else {
            return;
        };
        p.slot_type.resize(c.instances.len(), None);
        p.changed_at.resize(c.instances.len(), 0);
        p.slot_type[slot] = Some(t);
        c.rebill(now);
        // Its consolidation clock starts now, and again with each pod
        // placed on it.
        self.karpenter_pods_changed(node, slot as u32);
        self.place_waiting(node);
        // A new node is room the pool's other nodes may move into.
        self.karpenter_room_grew(node, slot);
    }
}

impl Capacity {
    /// The instance type of slot `k`: the pool's for its nodes, else the
    /// group's own.
    pub(super) fn type_name(&self, k: usize) -> &str {
        match self.karpenter.as_ref().and_then(|p| p.type_of(k)) {
            Some(t) => t.name,
            None => &self.instance_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::starters::starter;
    use archsim_model::{Editor, Op};

    /// eks-platform with Karpenter beside its node group.
    fn sim() -> (Simulation, u32) {
        let mut editor = Editor::new(starter("eks-platform").unwrap().build().unwrap());
        editor
            .apply(Op::SetProperty {
                id: "nodes".into(),
                path: "autoscaler".into(),
                value: serde_json::json!("karpenter"),
            })
            .unwrap();
        let d = editor.into_design();
        let sim = Simulation::new(&d, &d.scenarios[0], &crate::RunOptions::default()).unwrap();
        let node = sim.nodes.iter().position(|n| n.id == "nodes").unwrap() as u32;
        (sim, node)
    }

    fn batch(sim: &Simulation, node: u32) -> Option<(Us, Us)> {
        match &sim.nodes[node as usize].behaviour {
            Behaviour::Capacity(c) => c.karpenter.as_ref().unwrap().batch,
            _ => unreachable!(),
        }
    }

    fn pending_at(sim: &mut Simulation, node: u32, t: f64) {
        sim.run_until(t);
        sim.now = (t * SEC as f64).round() as Us;
        sim.karpenter_pod_pending(node);
    }

    #[test]
    fn a_batch_closes_after_a_second_without_a_pod_or_ten_seconds_after_it_opened() {
        let (mut sim, node) = sim();
        // A pod every 0.8 s keeps the batch open until its 10 s maximum.
        for k in 0..=12 {
            pending_at(&mut sim, node, f64::from(k) * 0.8);
        }
        assert_eq!(batch(&sim, node), Some((0, 9_600_000)));
        sim.run_until(9.999_999);
        assert!(batch(&sim, node).is_some());
        sim.run_until(10.0);
        assert_eq!(batch(&sim, node), None);
        // Alone, a pod's batch closes 1 s later; one 0.5 s after it
        // extends it to 1 s after the second.
        pending_at(&mut sim, node, 20.0);
        pending_at(&mut sim, node, 20.5);
        sim.run_until(21.499_999);
        assert_eq!(batch(&sim, node), Some((20 * SEC, 20_500_000)));
        sim.run_until(21.5);
        assert_eq!(batch(&sim, node), None);
    }
}
