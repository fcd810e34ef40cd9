//! A service's tasks from launch to stop: the capacity provider (bases,
//! then weights) and zone of a new task, its start time and first health
//! check, placement on EC2 or waiting in PROVISIONING, stopping and
//! draining, and reconciling the running count with the desired count.

use std::collections::VecDeque;

use super::events::Ev;
use super::service::{Service, Task, TaskState};
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::placement::Strategy;
use crate::rng::uniform;

impl Simulation {
    /// Picks the capacity provider for a new task: bases first, then by
    /// weight (the provider furthest below its weighted share).
    fn pick_provider(s: &Service) -> usize {
        if let Some(i) = s.providers.iter().position(|p| p.live < p.base) {
            return i;
        }
        let mut best = 0;
        let mut best_score = f64::INFINITY;
        for (i, p) in s.providers.iter().enumerate() {
            if p.weight == 0 {
                continue;
            }
            let score = f64::from(p.live.saturating_sub(p.base) + 1) / f64::from(p.weight);
            if score < best_score {
                best_score = score;
                best = i;
            }
        }
        best
    }

    pub(super) fn launch_task(&mut self, node: u32, immediate: bool) {
        let now = self.now;
        let zone_down = self.zone_down.clone();
        let s = self.svc(node);
        let pi = Self::pick_provider(s);
        // Spread across the provider's live zones: the zone with fewest tasks.
        let zones: Vec<u8> = s.providers[pi]
            .zones
            .iter()
            .copied()
            .filter(|&z| !zone_down[z as usize])
            .collect();
        if zones.is_empty() {
            return;
        }
        let zone = *zones
            .iter()
            .min_by_key(|&&z| {
                s.tasks
                    .iter()
                    .filter(|t| t.zone == z && t.state != TaskState::Stopped)
                    .count()
            })
            .expect("non-empty");
        s.providers[pi].live += 1;
        let provider = &s.providers[pi];
        let (cap_node, start, pull) = (provider.node, provider.start_us, provider.pull_us);
        let version = s.version;
        let task = Task {
            state: TaskState::Pending,
            busy: 0,
            queue: VecDeque::new(),
            provider: pi as u8,
            zone,
            instance: NONE,
            generation: 0,
            since: now,
            version,
            running_at: if immediate { now } else { now + start },
            serving_since: super::service::NONE_US,
            served: 0,
            slow: false,
        };
        let t = match s.free_tasks.pop() {
            Some(t) => {
                let generation = s.tasks[t as usize].generation + 1;
                s.tasks[t as usize] = Task { generation, ..task };
                t
            }
            None => {
                s.tasks.push(task);
                (s.tasks.len() - 1) as u32
            }
        };
        let generation = s.tasks[t as usize].generation;
        let n = &mut self.nodes[node as usize];
        n.tasks.inc(now);
        let mut running = if immediate { now } else { now + start };
        if cap_node != NONE {
            let Some(at) = self.place_task(node, t, cap_node, (start, pull, immediate)) else {
                self.svc(node).tasks[t as usize].state = TaskState::Provisioning;
                if let Behaviour::Capacity(c) = &mut self.nodes[cap_node as usize].behaviour {
                    c.waiting.push_back((node, t));
                }
                self.karpenter_pod_pending(cap_node);
                return;
            };
            running = at;
            self.svc(node).tasks[t as usize].running_at = running;
        }
        if immediate {
            self.on_task_ready(node, t, generation);
        } else {
            let wait = self.health_check_wait(node);
            self.push(
                running + wait,
                Ev::TaskReady {
                    node,
                    task: t,
                    generation,
                },
            );
        }
    }

    /// Behind a load balancer a new target serves once it passes one
    /// health check; the first check comes some time within the interval
    /// (uniform, from the service's stream).
    pub(super) fn health_check_wait(&mut self, node: u32) -> Us {
        let interval = self.svc(node).health_check;
        if interval == 0 {
            return 0;
        }
        let n = &mut self.nodes[node as usize];
        (uniform(&mut n.rng) * interval as f64) as Us
    }

    pub(super) fn on_task_ready(&mut self, node: u32, task: u32, generation: u32) {
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &s.tasks[task as usize];
        if tk.generation != generation || tk.state != TaskState::Pending {
            return;
        }
        if s.versions[tk.version as usize].fails_health_checks {
            self.task_unhealthy(node, task, generation);
            return;
        }
        // The agent resolved the container's secrets as the task launched
        // (their time is within the task's start); tasks running as the
        // run begins read theirs before it.
        if self.now > 0 {
            self.read_cached_secrets(node);
        }
        let now = self.now;
        let s = self.svc(node);
        let slow = s.slow_start > 0 && s.serving > 0 && now > 0;
        let tk = &mut s.tasks[task as usize];
        tk.state = TaskState::Running;
        tk.serving_since = now;
        tk.slow = slow;
        s.serving += 1;
        s.free_workers += u64::from(s.workers);
        self.service_pull(node);
        self.rollout_task_ready(node, task);
    }

    /// A stop scheduled for a task (Spot warning over, deregistration
    /// delay over), unless the task was replaced since.
    pub(super) fn on_task_stop(&mut self, node: u32, task: u32, generation: u32) {
        if self.svc(node).tasks[task as usize].generation == generation {
            self.stop_task(node, task);
            self.reconcile(node);
        }
    }

    pub(super) fn stop_task(&mut self, node: u32, task: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let workers = s.workers;
        let needs = s.needs.clone();
        let tk = &mut s.tasks[task as usize];
        if tk.state == TaskState::Stopped {
            return;
        }
        let instance = std::mem::replace(&mut tk.instance, NONE);
        let was = tk.state;
        if was == TaskState::Running {
            s.serving -= 1;
            s.free_workers -= u64::from(workers - tk.busy);
        }
        s.busy_workers -= u64::from(tk.busy);
        tk.busy = 0;
        tk.state = TaskState::Stopped;
        tk.generation += 1;
        let provider = tk.provider as usize;
        let since = tk.since;
        let orphans: Vec<u32> = tk.queue.drain(..).collect();
        s.free_tasks.push(task);
        s.providers[provider].live -= 1;
        s.providers[provider].task_seconds += (now - since) as f64 / SEC as f64;
        let cap = s.providers[provider].node;
        let busy = s.busy_workers;
        let n = &mut self.nodes[node as usize];
        n.tasks.dec(now);
        n.concurrency.set(now, busy);
        // Requests queued on the stopped task go back to the service queue.
        for r in orphans {
            self.svc(node).queue.push_back(r);
        }
        if cap != NONE && instance != NONE {
            if let Behaviour::Capacity(c) = &mut self.nodes[cap as usize].behaviour {
                let i = &mut c.instances[instance as usize];
                if i.alive {
                    needs.give_back(i);
                }
            }
            self.karpenter_pods_changed(cap, instance);
            self.place_waiting(cap);
            self.karpenter_room_grew(cap, instance as usize);
        }
        self.service_pull(node);
    }

    /// Starts or drains tasks until the live count matches `desired`
    /// (during a rolling deployment, as the deployment allows).
    pub(super) fn reconcile(&mut self, node: u32) {
        if self.svc(node).rollout.is_some() {
            self.step_rollout(node);
            return;
        }
        loop {
            let s = self.svc(node);
            let live = s
                .tasks
                .iter()
                .filter(|t| !matches!(t.state, TaskState::Stopped | TaskState::Draining))
                .count() as u32;
            if live < s.desired {
                self.launch_task(node, false);
                if self
                    .svc(node)
                    .tasks
                    .iter()
                    .filter(|t| !matches!(t.state, TaskState::Stopped | TaskState::Draining))
                    .count() as u32
                    == live
                {
                    return; // nowhere to launch (every zone lost)
                }
            } else if live > s.desired {
                // Scale-in: tasks not yet serving first, then the newest
                // task in the zone with most tasks (keeps zones balanced).
                let pick = s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        matches!(t.state, TaskState::Provisioning | TaskState::Pending)
                    })
                    .map(|(i, _)| i)
                    .next_back()
                    .or_else(|| {
                        // Binpack: from the emptiest instance (the one
                        // holding fewest of this service's tasks), so the
                        // full ones stay full.
                        let binpack = matches!(
                            s.rules.strategies.first(),
                            Some(Strategy::BinpackCpu | Strategy::BinpackMemory)
                        );
                        if !binpack {
                            return None;
                        }
                        let on = |inst: u32| {
                            s.tasks
                                .iter()
                                .filter(|t| t.state != TaskState::Stopped && t.instance == inst)
                                .count()
                        };
                        s.tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.state == TaskState::Running && t.instance != NONE)
                            .min_by_key(|(i, t)| (on(t.instance), std::cmp::Reverse(*i)))
                            .map(|(i, _)| i)
                    })
                    .or_else(|| {
                        let mut per_zone = [0u32; 256];
                        for t in s.tasks.iter().filter(|t| t.state == TaskState::Running) {
                            per_zone[t.zone as usize] += 1;
                        }
                        s.tasks
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.state == TaskState::Running)
                            .max_by_key(|(i, t)| (per_zone[t.zone as usize], t.since, *i))
                            .map(|(i, _)| i)
                    });
                let Some(i) = pick else { return };
                self.retire_task(node, i as u32);
            } else {
                return;
            }
        }
    }

    /// Takes a task out of service: behind a load balancer the target
    /// drains for the deregistration delay (and is billed for it), then
    /// stops; otherwise it stops once its work is done (at once if idle).
    pub(super) fn retire_task(&mut self, node: u32, i: u32) {
        let s = self.svc(node);
        let t = &s.tasks[i as usize];
        let deregistration = s.deregistration;
        if t.state == TaskState::Running
            && (t.busy > 0 || !t.queue.is_empty() || deregistration > 0)
        {
            self.svc_account(node);
            let s = self.svc(node);
            let workers = s.workers;
            let t = &mut s.tasks[i as usize];
            t.state = TaskState::Draining;
            let generation = t.generation;
            let free = u64::from(workers - t.busy);
            s.serving -= 1;
            s.free_workers -= free;
            if deregistration > 0 {
                let at = self.now + deregistration;
                self.push(
                    at,
                    Ev::TaskStop {
                        node,
                        task: i,
                        generation,
                    },
                );
            }
        } else {
            self.stop_task(node, i);
        }
    }
}
