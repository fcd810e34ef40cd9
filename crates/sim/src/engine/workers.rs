//! Requests on a service's workers: a load balancer picks a task (round
//! robin, least outstanding requests, weighted random) and queues on it;
//! other callers share the service's FIFO queue; idle workers take from
//! that queue, then from the SQS queues the service polls.

use archsim_model::component::LbAlgorithm;

use super::events::{ErrKind, Ev, Mode, Outcome};
use super::service::{Task, TaskState};
use super::{Behaviour, NONE, Simulation, Us};
use crate::rng::{pick_weighted, uniform};

impl Simulation {
    pub(super) fn service_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let parent = self.reqs[r as usize].parent;
        let algorithm = match parent {
            NONE => None,
            p => match &self.nodes[self.reqs[p as usize].node as usize].behaviour {
                Behaviour::LoadBalancer { algorithm, .. } => Some(*algorithm),
                _ => None,
            },
        };
        let now = self.now;
        let pick = match algorithm {
            Some(LbAlgorithm::WeightedRandom) => {
                // Equal weights: every registered target is equally likely.
                let serving = self.svc(node).serving;
                let n = &mut self.nodes[node as usize];
                (serving > 0).then(|| (uniform(&mut n.rng) * f64::from(serving)) as u32)
            }
            _ => None,
        };
        // ALB slow start: while a target registered beside others ramps up,
        // round robin becomes a draw weighted by each target's share.
        let ramping = algorithm == Some(LbAlgorithm::RoundRobin) && {
            let s = self.svc(node);
            s.slow_start > 0 && s.tasks.iter().any(|t| s.ramp(t, now) < 1.0)
        };
        let ramp_draw = ramping.then(|| uniform(&mut self.nodes[node as usize].rng));
        // Blue/green: the target group (task set) CodeDeploy's shift picks.
        let set = match algorithm {
            Some(_) if self.svc(node).rollout.is_some() => self.blue_green_pick(node),
            _ => None,
        };
        let s = self.svc(node);
        s.minute_requests += 1;
        if let Some(algorithm) = algorithm {
            if s.serving == 0 {
                self.finish(r, Outcome::Error(ErrKind::Unavailable503));
                return;
            }
            let running =
                |t: &Task| t.state == TaskState::Running && set.is_none_or(|v| t.version == v);
            // Under a slow start, a draw weighted by each target's share.
            let ramp_pick = ramp_draw.and_then(|u| {
                let share = |t: &Task| if running(t) { s.ramp(t, now) } else { 0.0 };
                pick_weighted(s.tasks.iter().map(share), u).map(|i| i as u32)
            });
            let t = match algorithm {
                LbAlgorithm::RoundRobin if ramp_pick.is_some() => ramp_pick.unwrap_or_default(),
                // Round robin over the targets registered and serving.
                LbAlgorithm::RoundRobin => {
                    let count = s.tasks.len() as u32;
                    let mut t = s.round_robin;
                    loop {
                        t = (t + 1) % count;
                        if running(&s.tasks[t as usize]) {
                            break t;
                        }
                    }
                }
                LbAlgorithm::LeastOutstandingRequests => s
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| running(t))
                    .min_by_key(|(i, t)| (t.busy as usize + t.queue.len(), *i))
                    .map_or(0, |(i, _)| i as u32),
                LbAlgorithm::WeightedRandom => {
                    // Among the task set's targets under a blue/green shift.
                    let n = s.tasks.iter().filter(|t| running(t)).count().max(1);
                    let k = pick.unwrap_or(0) as usize % n;
                    s.tasks
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| running(t))
                        .nth(k)
                        .map_or(0, |(i, _)| i as u32)
                }
            };
            s.round_robin = t;
            if s.tasks[t as usize].busy < s.workers {
                self.start_work(node, t, r);
            } else {
                s.tasks[t as usize].queue.push_back(r);
                self.nodes[node as usize].queue.inc(now);
            }
        } else if let Some(t) = self.free_task(node) {
            self.start_work(node, t, r);
        } else {
            self.svc(node).queue.push_back(r);
            self.nodes[node as usize].queue.inc(now);
        }
    }

    fn free_task(&mut self, node: u32) -> Option<u32> {
        let s = self.svc(node);
        if s.free_workers == 0 {
            return None;
        }
        s.tasks
            .iter()
            .position(|t| t.state == TaskState::Running && t.busy < s.workers)
            .map(|i| i as u32)
    }

    fn start_work(&mut self, node: u32, task: u32, r: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        tk.busy += 1;
        tk.served += 1;
        let generation = tk.generation;
        s.busy_workers += 1;
        s.free_workers -= 1;
        let busy = s.busy_workers;
        let profile = self.reqs[r as usize].profile;
        let work = self.task_work(node, task, profile) as Us;
        let (stores, stores_ok) = self.handler_store_latency(node, self.reqs[r as usize].path);
        let n = &mut self.nodes[node as usize];
        n.concurrency.set(now, busy);
        let req = &mut self.reqs[r as usize];
        let wait = now - req.arrived;
        req.slot = task;
        req.slot_generation = generation;
        req.service_start = now;
        req.step = 0;
        req.failed = !stores_ok;
        req.timed_out = false;
        n.c.served += 1;
        n.c.wait_sum += wait as f64;
        if wait > 0 {
            n.c.waited += 1;
        }
        self.push(now + work + stores, Ev::WorkDone { req: r });
    }

    fn release_worker(&mut self, node: u32, task: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        tk.busy -= 1;
        s.busy_workers -= 1;
        let state = tk.state;
        if state == TaskState::Running {
            s.free_workers += 1;
        }
        let busy = s.busy_workers;
        self.nodes[node as usize].concurrency.set(now, busy);
        let s = self.svc(node);
        let tk = &mut s.tasks[task as usize];
        if state == TaskState::Running {
            if let Some(next) = tk.queue.pop_front() {
                self.nodes[node as usize].queue.dec(now);
                self.start_work(node, task, next);
            }
        } else if state == TaskState::Draining
            && tk.busy == 0
            && tk.queue.is_empty()
            && self.svc(node).deregistration == 0
        {
            self.stop_task(node, task);
            if self.svc(node).rollout.is_some() {
                self.step_rollout(node);
            }
        }
    }

    /// Idle workers take work from the service queue, then from polled SQS
    /// queues.
    pub(super) fn service_pull(&mut self, node: u32) {
        let now = self.now;
        loop {
            let Some(t) = self.free_task(node) else {
                return;
            };
            if let Some(r) = self.svc(node).queue.pop_front() {
                self.nodes[node as usize].queue.dec(now);
                self.start_work(node, t, r);
                continue;
            }
            let mut took = false;
            for i in 0..self.svc(node).polled.len() {
                let q = self.svc(node).polled[i];
                if let Some(m) = self.queue(q).visible.pop_front() {
                    self.received(q, m);
                    let qn = &mut self.nodes[q as usize];
                    qn.queue.dec(now);
                    qn.billed_requests += 1;
                    let rm = &mut self.reqs[m as usize];
                    rm.attempts += 1;
                    rm.service_start = now;
                    self.arrive(node, m, Mode::Sync, NONE, NONE);
                    took = true;
                    break;
                }
            }
            if !took {
                return;
            }
        }
    }

    /// A worker finished its request: it takes the next one waiting.
    pub(super) fn worker_done(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        let task = req.slot;
        self.nodes[node as usize].c.service_sum += (now - req.service_start) as f64;
        if self.svc(node).rollout.is_some() {
            let ok = outcome == Outcome::Ok;
            self.rollout_finished(node, task, now - req.arrived, ok);
        }
        self.release_worker(node, task);
        self.finish(r, outcome);
        self.service_pull(node);
    }
}
