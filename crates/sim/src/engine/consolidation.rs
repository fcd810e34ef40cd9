//! Karpenter's consolidation of its NodePool's nodes (karpenter.sh,
//! "Disruption", Consolidation): a node is consolidatable
//! `consolidateAfter` after a pod was last scheduled onto or removed from
//! it. Then, under either policy, an empty node is deleted; under
//! `WhenEmptyOrUnderutilized` (Karpenter v1's default) a node whose pods
//! all fit on the free capacity of the group's other nodes is deleted too
//! (Deletion), its pods evicted and started again elsewhere as the
//! Cluster Autoscaler's drain does (`Simulation::evict_pods`).
//!
//! A node is tried when it becomes consolidatable, and again whenever
//! room may have appeared for its pods (a pod left another node, or a
//! node joined), the nodes running fewer pods first ("prefers to
//! terminate nodes running fewer pods"); room only grows at those
//! moments, so no chance is missed between them.
//!
//! Not modelled (the run's notes say so): Replace (a node swapped for a
//! single cheaper one that holds its pods), multi-node consolidation,
//! disruption budgets (Karpenter's default lets 10% of the nodes be
//! disrupted at once: here any number may go), `expireAfter`, drift,
//! Spot, pods that cannot be evicted, and the `karpenter.sh/disrupted`
//! taint's seconds while a node drains.

use super::events::Ev;
use super::{Behaviour, SEC, Simulation};

impl Simulation {
    /// A pod was scheduled onto or removed from instance `slot` of group
    /// `node`: if the pool launched it, its `consolidateAfter` starts
    /// again.
    pub(super) fn karpenter_pods_changed(&mut self, node: u32, slot: u32) {
        let now = self.now;
        let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour else {
            return;
        };
        let Some(p) = c.karpenter.as_mut() else {
            return;
        };
        let k = slot as usize;
        if !c.instances[k].alive || p.type_of(k).is_none() {
            return;
        }
        p.changed_at[k] = now;
        let at = now + p.consolidate_after;
        self.push(at, Ev::KarpenterConsolidate { node, slot });
    }

    /// Instance `slot` may have become consolidatable.
    pub(super) fn on_karpenter_consolidate(&mut self, node: u32, slot: u32) {
        if self.karpenter_consolidatable(node, slot as usize) {
            self.karpenter_consolidate(node, slot as usize);
        }
    }

    /// Room appeared on the group (a pod left instance `except`, or it
    /// joined): under `WhenEmptyOrUnderutilized` the consolidatable nodes
    /// with pods are tried again, fewer pods first.
    pub(super) fn karpenter_room_grew(&mut self, node: u32, except: usize) {
        let Behaviour::Capacity(c) = &self.nodes[node as usize].behaviour else {
            return;
        };
        let Some(p) = &c.karpenter else {
            return;
        };
        if !p.underutilized {
            return;
        }
        let mut candidates: Vec<(u32, usize)> = (0..c.instances.len())
            .filter(|&k| k != except && c.instances[k].tasks > 0)
            .filter(|&k| self.karpenter_consolidatable(node, k))
            .map(|k| (c.instances[k].tasks, k))
            .collect();
        candidates.sort_unstable();
        for (_, k) in candidates {
            // An earlier deletion's pods may have taken the room.
            if self.karpenter_consolidatable(node, k) {
                self.karpenter_consolidate(node, k);
            }
        }
    }

    /// Whether instance `k` is a live node of the pool past its
    /// `consolidateAfter`.
    fn karpenter_consolidatable(&self, node: u32, k: usize) -> bool {
        let Behaviour::Capacity(c) = &self.nodes[node as usize].behaviour else {
            return false;
        };
        let Some(p) = &c.karpenter else {
            return false;
        };
        c.instances.get(k).is_some_and(|i| i.alive)
            && p.type_of(k).is_some()
            && self.now >= p.changed_at[k] + p.consolidate_after
    }

    /// Deletes consolidatable node `k` if it is empty or, under
    /// `WhenEmptyOrUnderutilized`, if its pods fit on the other nodes.
    fn karpenter_consolidate(&mut self, node: u32, k: usize) {
        let now = self.now;
        let zone_down = self.zone_down.clone();
        let n = &self.nodes[node as usize];
        let current = n.instances.v as u32;
        let Behaviour::Capacity(c) = &n.behaviour else {
            return;
        };
        let Some(p) = &c.karpenter else {
            return;
        };
        let i = &c.instances[k];
        let name = format!("i-{} ({})", i.id, p.type_of(k).map_or("", |t| t.name));
        let after = p.consolidate_after / SEC;
        let pods = i.tasks;
        let reason = if pods == 0 {
            format!("karpenter: node {name} empty for {after} s (consolidateAfter)")
        } else if p.underutilized && self.pods_fit_elsewhere(node, k, &zone_down) {
            format!(
                "karpenter: node {name}'s {pods} pod{} fit on the other nodes, unchanged for \
                 {after} s (consolidateAfter, WhenEmptyOrUnderutilized)",
                if pods == 1 { "" } else { "s" }
            )
        } else {
            return;
        };
        let n = &mut self.nodes[node as usize];
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        c.instances[k].alive = false;
        c.rebill(now);
        n.instances.set(now, u64::from(current - 1));
        self.decide(node, current, current - 1, reason);
        self.evict_pods(node, &[k]);
        // Its vCPUs no longer count against limits.cpu: pods the limit
        // held back are provisioned again.
        let held = match &self.nodes[node as usize].behaviour {
            Behaviour::Capacity(c) => !c.waiting.is_empty(),
            _ => false,
        };
        if held {
            self.karpenter_pod_pending(node);
        }
    }
}
