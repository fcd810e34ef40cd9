//! An ECS blue/green deployment through CodeDeploy: the `deploy` event on
//! a service with the CodeDeploy controller starts a green task set of
//! the desired count beside the blue one (its tasks need capacity like
//! any); once every green task serves, CodeDeploy moves production
//! traffic between the two target groups as the traffic shift says (the
//! load balancer sends each request to the green set with the shifted
//! share); after the last shift both sets keep running for the
//! termination wait, then the blue tasks are deregistered (draining for
//! the deregistration delay) and the deployment is complete.
//!
//! Not modelled: the test listener's traffic (the scenario sends none),
//! CodeDeploy's alarms and lifecycle hooks, and its rollback: green tasks
//! that fail their health checks are replaced and the deployment waits
//! (it stays in progress). Callers other than a load balancer are served
//! by either set from the service's queue.

use archsim_model::component::BlueGreen;

use super::events::Ev;
use super::service::TaskState;
use super::{SEC, Simulation, Us};
use crate::rng::{Stream, uniform};
use crate::run::{DeploymentOutcome, TrafficShiftAt};

/// CodeDeploy's progress through a blue/green deployment.
pub(super) struct Shifting {
    /// The green set's share of production traffic now.
    pub(super) percent: u32,
    steps: Vec<u32>,
    /// The step reached; `None` until the green set is healthy.
    step: Option<usize>,
    interval: Us,
    /// The termination wait.
    wait: Us,
    rng: Stream,
}

impl Shifting {
    pub(super) fn new(bg: &BlueGreen, rng: Stream) -> Self {
        let (steps, interval_min) = bg.traffic_shift.steps();
        Shifting {
            percent: 0,
            steps,
            step: None,
            interval: u64::from(interval_min) * 60 * SEC,
            wait: u64::from(bg.termination_wait_min) * 60 * SEC,
            rng,
        }
    }
}

impl Simulation {
    /// Keeps the green set at the desired count; starts shifting once all
    /// of it serves.
    pub(super) fn step_blue_green(&mut self, node: u32) {
        let (desired, new) = {
            let s = self.svc(node);
            let Some(r) = s.rollout.as_deref() else {
                return;
            };
            (s.desired, r.new_version())
        };
        loop {
            let green = self
                .svc(node)
                .tasks
                .iter()
                .filter(|t| {
                    t.version == new && !matches!(t.state, TaskState::Stopped | TaskState::Draining)
                })
                .count() as u32;
            if green >= desired {
                break;
            }
            self.launch_task(node, false);
            let after = self
                .svc(node)
                .tasks
                .iter()
                .filter(|t| t.version == new && t.state != TaskState::Stopped)
                .count() as u32;
            if after == green {
                break; // nowhere to launch (every zone lost)
            }
        }
        let s = self.svc(node);
        let serving = s
            .tasks
            .iter()
            .filter(|t| t.version == new && t.state == TaskState::Running)
            .count() as u32;
        let Some(b) = s.rollout.as_deref_mut().and_then(|r| r.shifting.as_mut()) else {
            return;
        };
        if b.step.is_none() && serving >= desired {
            b.step = Some(0);
            self.shift_blue_green(node, new);
        }
    }

    /// Moves production traffic to the current step's share, and
    /// schedules the next step, or the end of the termination wait.
    fn shift_blue_green(&mut self, node: u32, version: u32) {
        let now = self.now;
        let s = self.svc(node);
        let Some(r) = s.rollout.as_deref_mut() else {
            return;
        };
        let record = r.record();
        let Some(b) = r.shifting.as_mut() else {
            return;
        };
        let step = b.step.unwrap_or(0);
        b.percent = b.steps[step];
        let (percent, last) = (b.percent, step + 1 == b.steps.len());
        let next = now + if last { b.wait } else { b.interval };
        self.deployments[record].1.shifts.push(TrafficShiftAt {
            at_s: now as f64 / SEC as f64,
            percent,
        });
        self.push(next, Ev::DeployStep { node, version });
    }

    /// A blue/green deployment's timer: the next traffic shift, or the end
    /// of the termination wait (the blue set goes, the deployment is done).
    pub(super) fn on_blue_green_step(&mut self, node: u32, version: u32) {
        let s = self.svc(node);
        let Some(r) = s.rollout.as_deref_mut() else {
            return;
        };
        if r.new_version() != version {
            return;
        }
        let Some(b) = r.shifting.as_mut() else {
            return;
        };
        let step = b.step.unwrap_or(0);
        if step + 1 < b.steps.len() {
            b.step = Some(step + 1);
            self.shift_blue_green(node, version);
            return;
        }
        let blue: Vec<u32> = s
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.version != version && t.state != TaskState::Stopped)
            .map(|(i, _)| i as u32)
            .collect();
        for t in blue {
            match self.svc(node).tasks[t as usize].state {
                TaskState::Running => self.retire_task(node, t),
                TaskState::Provisioning | TaskState::Pending => self.stop_task(node, t),
                TaskState::Draining | TaskState::Stopped => {}
            }
        }
        self.end_rollout(node, DeploymentOutcome::Succeeded);
    }

    /// The version a load balancer's request goes to now: the green one
    /// with the shifted share (`None`: no blue/green shift under way).
    pub(super) fn blue_green_pick(&mut self, node: u32) -> Option<u32> {
        let s = self.svc(node);
        let r = s.rollout.as_deref_mut()?;
        let (old, new) = (r.old_version(), r.new_version());
        let b = r.shifting.as_mut()?;
        b.step?;
        let version = if uniform(&mut b.rng) * 100.0 < f64::from(b.percent) {
            new
        } else {
            old
        };
        s.tasks
            .iter()
            .any(|t| t.version == version && t.state == TaskState::Running)
            .then_some(version)
    }
}
