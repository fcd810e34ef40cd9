//! The warm-up: at its end every statistic and usage quantity starts
//! again, so a run's figures and its bill describe what follows the
//! initial transient (the first cold starts, the first tasks scaling).
//! The state itself (environments, tasks, queues, scaling clocks) is
//! kept; requests in flight are carried into the measured window.

use super::service::TaskState;
use super::{Behaviour, Counters, SEC, SecondCounts, Simulation};
use crate::run::{LoadBalancerUsage, Series};

impl Simulation {
    /// The warm-up is over (called at its last second's tick, after the
    /// series closed that second).
    pub(super) fn end_warmup(&mut self) {
        let now = self.now;
        for n in &mut self.nodes {
            let in_flight = n.c.in_flight;
            // Requests in flight now are counted as arriving in the
            // measured window, so requests = completed + errors +
            // throttled + in flight still holds.
            n.c = Counters {
                requests: in_flight,
                in_flight,
                ..Counters::default()
            };
            n.latency.reset();
            for g in [
                &mut n.concurrency,
                &mut n.queue,
                &mut n.tasks,
                &mut n.instances,
            ] {
                g.restart(now);
            }
            n.second = SecondCounts::default();
            n.series = Series::default();
            n.billed_requests = 0;
            n.lb = LoadBalancerUsage::default();
            for g in &mut n.gates {
                g.delivered = 0;
                g.filtered_out = 0;
            }
            match &mut n.behaviour {
                Behaviour::Lambda(l) => {
                    l.billed_mb_us = 0.0;
                    l.provisioned_invocations = 0;
                    l.provisioned_billed_mb_us = 0.0;
                    l.invocations = 0;
                    l.alive.restart(now);
                    l.reclaimed_lifetime_us = 0.0;
                    l.created_in_warmup = l.created;
                }
                Behaviour::Service(s) => {
                    // Task-seconds are added when a task stops, from its
                    // start: take off the part before now.
                    for p in &mut s.providers {
                        p.task_seconds = 0.0;
                    }
                    for t in &s.tasks {
                        if t.state != TaskState::Stopped {
                            s.providers[t.provider as usize].task_seconds -=
                                (now - t.since) as f64 / SEC as f64;
                        }
                    }
                }
                Behaviour::Capacity(c) => {
                    c.billed.restart(now);
                    for g in c
                        .karpenter
                        .iter_mut()
                        .flat_map(|p| p.nodes_by_type.iter_mut())
                    {
                        g.restart(now);
                    }
                }
                Behaviour::Store { table: Some(t), .. } => t.restart(now),
                Behaviour::Workflow(m) => m.restart(),
                _ => {}
            }
        }
    }
}
