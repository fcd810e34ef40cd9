//! Scenario events, scheduled or injected live: traffic changes, the loss
//! of an availability zone, Fargate Spot interruptions and dependency
//! slowdowns.

use archsim_model::scenario::ScenarioEvent;

use super::events::Ev;
use super::service::{CapacityKind, TaskState};
use super::{Behaviour, SEC, Simulation, Us};

/// Fargate Spot gives two minutes' warning.
const SPOT_WARNING: Us = 120 * SEC;

impl Simulation {
    /// The scenario's event `index` is due.
    pub(super) fn on_scheduled(&mut self, index: u32) {
        let e = self.scenario.events[index as usize].event.clone();
        self.apply_event(&e);
    }

    pub(super) fn apply_event(&mut self, e: &ScenarioEvent) {
        let now = self.now;
        match e {
            ScenarioEvent::TrafficChange { entry, factor } => {
                for p in 0..self.profiles.len() {
                    if self.nodes[self.profiles[p].entry as usize].id == *entry {
                        let prof = &mut self.profiles[p];
                        prof.rescale(prof.factor * factor);
                        if prof.curve.is_some() {
                            // Poisson arrivals are memoryless: redraw from now
                            // (the arrival drawn before is dropped).
                            prof.last = now;
                            prof.origin = now;
                            prof.pos = 1;
                            self.schedule_next_arrival(p as u32);
                        }
                    }
                }
            }
            ScenarioEvent::ZoneLoss { zone } => {
                let Some(z) = self.zones.iter().position(|x| x == zone) else {
                    return;
                };
                self.zone_down[z] = true;
                // The zone's instances go first, so no replacement lands
                // on them; managed scaling launches new ones elsewhere.
                for nn in &mut self.nodes {
                    if let Behaviour::Capacity(c) = &mut nn.behaviour {
                        for i in c.instances.iter_mut().filter(|i| i.zone as usize == z) {
                            i.alive = false;
                        }
                        let alive = c.instances.iter().filter(|i| i.alive).count() as u64;
                        nn.instances.set(now, alive);
                        c.rebill(now);
                    }
                }
                for n in 0..self.nodes.len() {
                    let node = n as u32;
                    if let Behaviour::Service(s) = &self.nodes[n].behaviour {
                        let doomed: Vec<u32> = s
                            .tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.zone as usize == z && t.state != TaskState::Stopped)
                            .map(|(i, _)| i as u32)
                            .collect();
                        for t in doomed {
                            self.stop_task(node, t);
                        }
                        self.reconcile(node);
                    }
                }
            }
            ScenarioEvent::SpotInterruption { service, share } => {
                let Some(n) = self.nodes.iter().position(|x| x.id == *service) else {
                    return;
                };
                let node = n as u32;
                if !matches!(self.nodes[n].behaviour, Behaviour::Service(_)) {
                    return;
                }
                let s = self.svc(node);
                let spot: Vec<u32> = s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        t.state != TaskState::Stopped
                            && s.providers[t.provider as usize].kind == CapacityKind::FargateSpot
                    })
                    .map(|(i, _)| i as u32)
                    .collect();
                let k = (spot.len() as f64 * share).round() as usize;
                for &t in spot.iter().take(k) {
                    let generation = self.svc(node).tasks[t as usize].generation;
                    self.push(
                        now + SPOT_WARNING,
                        Ev::TaskStop {
                            node,
                            task: t,
                            generation,
                        },
                    );
                }
            }
            ScenarioEvent::DependencySlowdown {
                component,
                factor,
                duration_s,
            } => {
                let Some(n) = self.nodes.iter().position(|x| x.id == *component) else {
                    return;
                };
                self.nodes[n].slow = *factor;
                self.push(
                    now + (duration_s * SEC as f64) as Us,
                    Ev::SlowdownEnd { node: n as u32 },
                );
            }
            ScenarioEvent::Deploy {
                component,
                work,
                init_ms,
                error_rate,
                fails_health_checks,
            } => {
                let Some(n) = self.nodes.iter().position(|x| x.id == *component) else {
                    return;
                };
                self.start_deploy(
                    n as u32,
                    work.as_ref(),
                    *init_ms,
                    *error_rate,
                    *fails_health_checks,
                );
            }
        }
    }
}
