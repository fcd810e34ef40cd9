//! An ECS rolling deployment under traffic: a scenario's `deploy` event on
//! a service gives it a new version (its own handler time, error rate, and
//! optionally health checks it never passes). ECS replaces the tasks
//! within the deployment configuration: at most `max_percent` of the
//! desired count live (PROVISIONING, PENDING or RUNNING; draining tasks
//! are leaving and do not count, though they keep their instance's room
//! until they stop), at least `min_healthy_percent` serving. New tasks
//! need capacity like any other (EC2 scale-out with the instance's boot,
//! the image pull, Fargate's start); old ones drain for the target
//! group's deregistration delay. The deployment is complete when the
//! desired count of new tasks serve and the last old task has stopped.
//!
//! A new task of a failing version: behind a load balancer it never
//! passes a check and is marked unhealthy after the unhealthy threshold's
//! checks, then stopped once the health-check grace period (from when its
//! containers run) is over; without one its essential container exits as
//! it starts. The deployment circuit breaker counts those failures (reset
//! when a new task passes); at its threshold, 0.5 x desired within 3..200,
//! it rolls the service back to the old version the same way (outcome
//! `rolled_back`, finished when the old version serves again and the new
//! tasks have stopped), or with rollback off marks the deployment failed
//! (the simulator then keeps the tasks it has and launches the old
//! version for replacements: a simplification). Without the circuit
//! breaker failing tasks are replaced for ever, as ECS does. ECS's
//! back-off between failed launches is not modelled. A second deployment
//! while one runs is ignored. Kubernetes workloads are not deployed.

use archsim_model::component::Distribution;

use super::deploy::VersionCount;
use super::events::Ev;
use super::service::{ServiceVersion, TaskState};
use super::{Behaviour, SEC, Simulation, Us};
use crate::rng::Sampler;
use crate::run::{Deployment, DeploymentOutcome, TrafficShiftAt};

/// A rolling deployment in progress on one service.
pub(super) struct Rollout {
    /// The version replaced and the one deployed.
    old: u32,
    new: u32,
    /// The circuit breaker tripped: the old version is being restored.
    rolling_back: bool,
    /// New tasks failed since the last one that passed its health check.
    failures: u32,
    /// The circuit breaker's threshold.
    threshold: u32,
    /// Its entry in `Simulation::deployments`.
    record: usize,
    /// Old, new: requests finished by each version's tasks.
    counts: [VersionCount; 2],
    /// The new version's share of serving tasks, last recorded.
    percent: u32,
    reason: Option<String>,
    /// A blue/green deployment's traffic shifting (`blue_green.rs`).
    pub(super) shifting: Option<super::blue_green::Shifting>,
}

impl Rollout {
    pub(super) fn old_version(&self) -> u32 {
        self.old
    }
    pub(super) fn new_version(&self) -> u32 {
        self.new
    }
    pub(super) fn record(&self) -> usize {
        self.record
    }

    /// Old, new: requests finished by each version's tasks so far.
    pub(super) fn counts(&self) -> &[VersionCount; 2] {
        &self.counts
    }

    fn stats(&self) -> Vec<crate::run::VersionStats> {
        vec![self.counts[0].stats("old"), self.counts[1].stats("new")]
    }
}

impl Simulation {
    /// The scenario's `deploy` event on service `node`.
    pub(super) fn start_rollout(
        &mut self,
        node: u32,
        work: Option<&Distribution>,
        error_rate: f64,
        fails_health_checks: bool,
    ) {
        let now = self.now;
        let seed = self.seed;
        let id = self.nodes[node as usize].id.clone();
        let record = self.deployments.len();
        let s = self.svc(node);
        if s.deployment.is_none() || s.rollout.is_some() {
            return;
        }
        let blue_green = s.deployment.as_ref().and_then(|c| c.blue_green);
        let old = s.version;
        let new = s.versions.len() as u32;
        s.versions.push(ServiceVersion {
            work: work.map(Sampler::new),
            error_rate: error_rate.clamp(0.0, 1.0),
            fails_health_checks,
        });
        s.version = new;
        s.rollout = Some(Box::new(Rollout {
            old,
            new,
            rolling_back: false,
            failures: 0,
            threshold: s.desired.div_ceil(2).clamp(3, 200),
            record,
            counts: [VersionCount::new(), VersionCount::new()],
            percent: 0,
            reason: None,
            shifting: blue_green.map(|bg| {
                super::blue_green::Shifting::new(
                    &bg,
                    crate::rng::stream(seed, &format!("blue-green/{id}/{new}")),
                )
            }),
        }));
        self.deployments.push((
            node,
            Deployment::started(
                id,
                blue_green.map_or("rolling".into(), |bg| bg.config_name()),
                now as f64 / SEC as f64,
            ),
        ));
        self.step_rollout(node);
    }

    /// Moves the deployment on as far as its configuration allows now:
    /// stops tasks of the version going away while enough others serve,
    /// launches the version coming in while the maximum allows, records
    /// the new version's share, and completes the deployment when only
    /// the version coming in is left.
    pub(super) fn step_rollout(&mut self, node: u32) {
        let s = self.svc(node);
        let (Some(cfg), Some(r)) = (&s.deployment, &s.rollout) else {
            return;
        };
        if r.shifting.is_some() {
            self.step_blue_green(node);
            return;
        }
        let desired = s.desired;
        let min_healthy = (desired * cfg.min_healthy_percent).div_ceil(100);
        let max_live = desired * cfg.max_percent / 100;
        let target = s.version;
        let live = |state: TaskState| !matches!(state, TaskState::Stopped | TaskState::Draining);
        // Tasks of the version going away that do not serve go first:
        // stopping them costs no capacity.
        while let Some(i) = {
            let s = self.svc(node);
            s.tasks.iter().rposition(|t| {
                t.version != target
                    && matches!(t.state, TaskState::Provisioning | TaskState::Pending)
            })
        } {
            self.stop_task(node, i as u32);
        }
        // Then serving ones, while the rest keep the minimum healthy.
        loop {
            let s = self.svc(node);
            if s.serving <= min_healthy {
                break;
            }
            let Some(i) = s
                .tasks
                .iter()
                .rposition(|t| t.version != target && t.state == TaskState::Running)
            else {
                break;
            };
            self.retire_task(node, i as u32);
        }
        // Then the version coming in, within the maximum.
        loop {
            let s = self.svc(node);
            let (mine, others) =
                s.tasks
                    .iter()
                    .filter(|t| live(t.state))
                    .fold((0, 0), |(m, o), t| {
                        if t.version == target {
                            (m + 1, o)
                        } else {
                            (m, o + 1)
                        }
                    });
            if mine >= desired || mine + others >= max_live {
                break;
            }
            self.launch_task(node, false);
            let after = self
                .svc(node)
                .tasks
                .iter()
                .filter(|t| live(t.state) && t.version == target)
                .count() as u32;
            if after == mine {
                break; // nowhere to launch (every zone lost)
            }
        }
        self.record_share(node);
        let s = self.svc(node);
        let serving = s
            .tasks
            .iter()
            .filter(|t| t.version == target && t.state == TaskState::Running)
            .count() as u32;
        let leaving = s
            .tasks
            .iter()
            .any(|t| t.version != target && t.state != TaskState::Stopped);
        if serving >= desired && !leaving {
            let rolled_back = s.rollout.as_ref().is_some_and(|r| r.rolling_back);
            self.end_rollout(
                node,
                if rolled_back {
                    DeploymentOutcome::RolledBack
                } else {
                    DeploymentOutcome::Succeeded
                },
            );
        }
    }

    /// The new version's share of serving tasks, recorded when it changes.
    fn record_share(&mut self, node: u32) {
        let now = self.now;
        let s = self.svc(node);
        let Some(r) = s.rollout.as_deref_mut() else {
            return;
        };
        let new = s
            .tasks
            .iter()
            .filter(|t| t.version == r.new && t.state == TaskState::Running)
            .count() as u32;
        let percent = (new * 100).checked_div(s.serving).unwrap_or(0);
        if percent != r.percent {
            r.percent = percent;
            let record = r.record;
            self.deployments[record].1.shifts.push(TrafficShiftAt {
                at_s: now as f64 / SEC as f64,
                percent,
            });
        }
    }

    pub(super) fn end_rollout(&mut self, node: u32, outcome: DeploymentOutcome) {
        let now = self.now;
        let s = self.svc(node);
        let Some(r) = s.rollout.take() else {
            return;
        };
        if outcome == DeploymentOutcome::Failed {
            s.version = r.old;
        }
        let rec = &mut self.deployments[r.record].1;
        rec.finished_at_s = Some(now as f64 / SEC as f64);
        rec.outcome = outcome;
        rec.alarm = r.reason.clone();
        rec.versions = r.stats();
        if outcome == DeploymentOutcome::Failed {
            self.reconcile(node);
        }
    }

    /// A task came into service: a new one that passed resets the circuit
    /// breaker's count.
    pub(super) fn rollout_task_ready(&mut self, node: u32, task: u32) {
        let s = self.svc(node);
        let version = s.tasks[task as usize].version;
        let Some(r) = s.rollout.as_deref_mut() else {
            return;
        };
        if version == r.new && !r.rolling_back {
            r.failures = 0;
        }
        self.step_rollout(node);
    }

    /// A task of a version that fails its health checks reached the end of
    /// its start: it is stopped when ECS sees it unhealthy.
    pub(super) fn task_unhealthy(&mut self, node: u32, task: u32, generation: u32) {
        let now = self.now;
        let s = self.svc(node);
        let interval = s.health_check;
        if interval == 0 {
            self.on_task_failed(node, task, generation);
            return;
        }
        let (threshold, grace) = s
            .deployment
            .as_ref()
            .map_or((1, 0), |c| (c.unhealthy_threshold.max(1), c.grace));
        let running_at = s.tasks[task as usize].running_at;
        // The first check is now; unhealthy after `threshold` in a row.
        let unhealthy: Us = now + u64::from(threshold - 1) * interval;
        self.push(
            unhealthy.max(running_at + grace),
            Ev::TaskFailed {
                node,
                task,
                generation,
            },
        );
    }

    /// ECS stops a task that failed: the circuit breaker counts it.
    pub(super) fn on_task_failed(&mut self, node: u32, task: u32, generation: u32) {
        let s = self.svc(node);
        let tk = &s.tasks[task as usize];
        if tk.generation != generation || tk.state == TaskState::Stopped {
            return;
        }
        let version = tk.version;
        self.stop_task(node, task);
        let s = self.svc(node);
        let breaker = s.deployment.as_ref().map(|c| c.circuit_breaker);
        if let (Some(r), Some(breaker)) = (s.rollout.as_deref_mut(), breaker)
            && version == r.new
            && !r.rolling_back
            && r.shifting.is_none()
        {
            r.failures += 1;
            if breaker.enable && r.failures >= r.threshold {
                r.reason = Some(format!(
                    "circuit breaker: {} new tasks failed to start healthy (threshold {})",
                    r.failures, r.threshold
                ));
                if breaker.rollback {
                    r.rolling_back = true;
                    s.version = r.old;
                } else {
                    self.end_rollout(node, DeploymentOutcome::Failed);
                    return;
                }
            }
        }
        self.reconcile(node);
    }

    /// A request finished on `task` after `duration` (at the service,
    /// waiting included).
    pub(super) fn rollout_finished(&mut self, node: u32, task: u32, duration: Us, ok: bool) {
        let s = self.svc(node);
        let version = s.tasks[task as usize].version;
        let Some(r) = s.rollout.as_deref_mut() else {
            return;
        };
        let c = &mut r.counts[usize::from(version == r.new)];
        c.requests += 1;
        c.errors += u64::from(!ok);
        let _ = c.durations.record(duration.max(1));
    }

    /// The handler time of one request on `task`: its version's, if the
    /// deployment gave it one.
    pub(super) fn task_work(&mut self, node: u32, task: u32, profile: u32) -> f64 {
        let n = &mut self.nodes[node as usize];
        if let Behaviour::Service(s) = &n.behaviour {
            let version = s.tasks[task as usize].version as usize;
            if let Some(w) = &s.versions[version].work {
                return w.sample(&mut n.rng) * n.slow;
            }
        }
        self.work_sample(node, profile)
    }

    /// A rolling deployment still in progress at the end: its numbers so far.
    pub(super) fn rollout_versions(&self, node: u32) -> Option<Vec<crate::run::VersionStats>> {
        match &self.nodes[node as usize].behaviour {
            Behaviour::Service(s) => s.rollout.as_ref().map(|r| r.stats()),
            _ => None,
        }
    }
}
