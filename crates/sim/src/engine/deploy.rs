//! A Lambda deployment under traffic: a scenario's `deploy` event
//! publishes a new version with its own handler time, cold start and error
//! rate; CodeDeploy shifts the alias to it step by step as the function's
//! deployment preference says (at once without one); the new version
//! starts with no environments (its own pool, so its first invocations are
//! cold); the preference's CloudWatch alarms are evaluated on the alias's
//! simulated metrics at the end of each of their periods, and one in
//! ALARM for its evaluation periods rolls the alias back to the old
//! version. Pre- and post-traffic hook functions are invoked (once, at the
//! start and at the end) but always pass. A second deployment while one
//! runs is refused, as CodeDeploy refuses it.

use archsim_model::component::{AlarmMetric, DeploymentAlarm, Distribution, TrafficShift};
use hdrhistogram::Histogram;

use super::events::{Ev, Mode};
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::rng::{Sampler, Stream, stream, uniform};
use crate::run::{Deployment, DeploymentOutcome, TrafficShiftAt, VersionStats};

fn histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant figures is valid")
}

/// Invocations (or a service's requests) of one version while the
/// deployment runs.
pub(super) struct VersionCount {
    pub(super) requests: u64,
    pub(super) errors: u64,
    pub(super) throttles: u64,
    pub(super) cold_starts: u64,
    /// Durations, microseconds.
    pub(super) durations: Histogram<u64>,
}

impl VersionCount {
    pub(super) fn new() -> Self {
        VersionCount {
            requests: 0,
            errors: 0,
            throttles: 0,
            cold_starts: 0,
            durations: histogram(),
        }
    }

    pub(super) fn stats(&self, version: &str) -> VersionStats {
        VersionStats {
            version: version.into(),
            requests: self.requests,
            errors: self.errors,
            throttles: self.throttles,
            cold_starts: self.cold_starts,
            p99_ms: if self.durations.is_empty() {
                0.0
            } else {
                self.durations.value_at_quantile(0.99) as f64 / 1e3
            },
        }
    }
}

/// One alarm's current period: the alias's metrics (both versions), as
/// CloudWatch sees them with the `FunctionName` and `Resource` dimensions.
struct Window {
    alarm: DeploymentAlarm,
    invocations: u64,
    errors: u64,
    throttles: u64,
    durations: Histogram<u64>,
    /// Consecutive breaching periods so far.
    breaching: u32,
}

impl Window {
    /// The period's datapoint; `None` when missing (no invocation),
    /// which does not breach (the export sets `TreatMissingData:
    /// notBreaching`).
    fn value(&self) -> Option<f64> {
        if self.invocations + self.throttles == 0 {
            return None;
        }
        match self.alarm.metric {
            AlarmMetric::Errors => Some(self.errors as f64),
            AlarmMetric::Throttles => Some(self.throttles as f64),
            AlarmMetric::ErrorRate => {
                (self.invocations > 0).then(|| self.errors as f64 / self.invocations as f64 * 100.0)
            }
            AlarmMetric::P99Duration => (!self.durations.is_empty())
                .then(|| self.durations.value_at_quantile(0.99) as f64 / 1e3),
        }
    }

    fn reset(&mut self) {
        self.invocations = 0;
        self.errors = 0;
        self.throttles = 0;
        self.durations.reset();
    }
}

/// A deployment in progress on one function.
pub(super) struct Deploying {
    pub(super) version: u32,
    /// The new version's idle environments.
    pub(super) idle: super::lambda::IdlePool,
    pub(super) work: Sampler,
    pub(super) init_us: f64,
    /// The new version's share of traffic now.
    percent: u32,
    steps: Vec<u32>,
    step: usize,
    interval: Us,
    windows: Vec<Window>,
    /// Old, new.
    counts: [VersionCount; 2],
    rng: Stream,
    /// Its entry in `Simulation::deployments`.
    record: usize,
    post_hook: Option<String>,
}

impl Deploying {
    /// Old, new: invocations of each version so far.
    pub(super) fn counts(&self) -> &[VersionCount; 2] {
        &self.counts
    }

    /// Whether the next invocation goes to the new version.
    pub(super) fn pick(&mut self) -> bool {
        uniform(&mut self.rng) * 100.0 < f64::from(self.percent)
    }
}

impl Simulation {
    fn lambda_mut(&mut self, node: u32) -> Option<&mut super::lambda::Lambda> {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Lambda(l) => Some(l),
            _ => None,
        }
    }

    /// The scenario's `deploy` event on `node` (an ECS service's is a
    /// rolling deployment, `rolling.rs`).
    pub(super) fn start_deploy(
        &mut self,
        node: u32,
        work: Option<&Distribution>,
        init_ms: Option<f64>,
        error_rate: f64,
        fails_health_checks: bool,
    ) {
        if matches!(self.nodes[node as usize].behaviour, Behaviour::Service(_)) {
            self.start_rollout(node, work, error_rate, fails_health_checks);
            return;
        }
        let now = self.now;
        let seed = self.seed;
        let id = self.nodes[node as usize].id.clone();
        let Some(l) = self.lambda_mut(node) else {
            return;
        };
        if l.deploying.is_some() {
            return;
        }
        let version = l.error_rates.len() as u32;
        l.error_rates.push(error_rate.clamp(0.0, 1.0));
        let preference = l.deployment.as_ref().and_then(|d| d.preference.clone());
        let shift = preference
            .as_ref()
            .map_or(TrafficShift::AllAtOnce, |p| p.shift);
        let (steps, interval_min) = shift.steps();
        let alarms = preference
            .as_ref()
            .map(|p| p.alarms.clone())
            .unwrap_or_default();
        let record = self.deployments.len();
        let l = self.lambda_mut(node).expect("a Lambda function");
        l.deploying = Some(Box::new(Deploying {
            version,
            idle: Default::default(),
            work: work.map_or_else(|| l.work.clone(), Sampler::new),
            init_us: init_ms.map_or(l.init_us, |ms| ms.max(0.0) * 1e3),
            percent: 0,
            steps,
            step: 0,
            interval: u64::from(interval_min) * 60 * SEC,
            windows: alarms
                .iter()
                .map(|a| Window {
                    alarm: a.clone(),
                    invocations: 0,
                    errors: 0,
                    throttles: 0,
                    durations: histogram(),
                    breaching: 0,
                })
                .collect(),
            counts: [VersionCount::new(), VersionCount::new()],
            rng: stream(seed, &format!("deploy/{id}/{version}")),
            record,
            post_hook: preference
                .as_ref()
                .and_then(|p| p.post_traffic_hook.clone()),
        }));
        self.deployments.push((
            node,
            Deployment::started(id, shift.name(), now as f64 / SEC as f64),
        ));
        if let Some(hook) = preference
            .as_ref()
            .and_then(|p| p.pre_traffic_hook.as_ref())
        {
            self.invoke_hook(hook);
        }
        for (i, a) in alarms.iter().enumerate() {
            if a.period_s > 0 && a.evaluation_periods > 0 {
                self.push(
                    now + u64::from(a.period_s) * SEC,
                    Ev::DeployAlarm {
                        node,
                        version,
                        alarm: i as u32,
                    },
                );
            }
        }
        self.shift(node);
    }

    /// Moves the new version's share to the current step's, and schedules
    /// the next step or completes.
    fn shift(&mut self, node: u32) {
        let now = self.now;
        let l = self.lambda_mut(node).expect("a Lambda function");
        let d = l.deploying.as_mut().expect("a deployment in progress");
        d.percent = d.steps[d.step];
        let (percent, record, last, version, interval) = (
            d.percent,
            d.record,
            d.step + 1 == d.steps.len(),
            d.version,
            d.interval,
        );
        self.deployments[record].1.shifts.push(TrafficShiftAt {
            at_s: now as f64 / SEC as f64,
            percent,
        });
        if last {
            self.end_deploy(node, DeploymentOutcome::Succeeded, None);
        } else {
            self.push(now + interval, Ev::DeployStep { node, version });
        }
    }

    fn deploying(&mut self, node: u32, version: u32) -> Option<&mut Deploying> {
        self.lambda_mut(node)?
            .deploying
            .as_deref_mut()
            .filter(|d| d.version == version)
    }

    pub(super) fn on_deploy_step(&mut self, node: u32, version: u32) {
        if matches!(self.nodes[node as usize].behaviour, Behaviour::Service(_)) {
            self.on_blue_green_step(node, version);
            return;
        }
        let Some(d) = self.deploying(node, version) else {
            return;
        };
        d.step += 1;
        self.shift(node);
    }

    pub(super) fn on_deploy_alarm(&mut self, node: u32, version: u32, alarm: u32) {
        let now = self.now;
        let Some(d) = self.deploying(node, version) else {
            return;
        };
        let w = &mut d.windows[alarm as usize];
        let breached = w.value().is_some_and(|v| w.alarm.breached(v));
        w.reset();
        w.breaching = if breached { w.breaching + 1 } else { 0 };
        if w.breaching >= w.alarm.evaluation_periods {
            let why = format!("alarms[{alarm}]: {}", w.alarm.describe());
            self.end_deploy(node, DeploymentOutcome::RolledBack, Some(why));
        } else {
            let period = u64::from(w.alarm.period_s) * SEC;
            self.push(
                now + period,
                Ev::DeployAlarm {
                    node,
                    version,
                    alarm,
                },
            );
        }
    }

    /// The deployment succeeded (the alias is the new version's) or is
    /// rolled back (the old version's again).
    fn end_deploy(&mut self, node: u32, outcome: DeploymentOutcome, alarm: Option<String>) {
        let now = self.now;
        let l = self.lambda_mut(node).expect("a Lambda function");
        let d = *l.deploying.take().expect("a deployment in progress");
        match outcome {
            DeploymentOutcome::Succeeded => {
                let old = std::mem::replace(&mut l.idle, d.idle);
                l.retired.append(old);
                l.version = d.version;
                l.work = d.work;
                l.init_us = d.init_us;
            }
            DeploymentOutcome::RolledBack
            | DeploymentOutcome::Failed
            | DeploymentOutcome::InProgress => {
                l.retired.append(d.idle);
            }
        }
        let rec = &mut self.deployments[d.record].1;
        rec.finished_at_s = Some(now as f64 / SEC as f64);
        rec.outcome = outcome;
        rec.alarm = alarm;
        if outcome == DeploymentOutcome::RolledBack {
            rec.shifts.push(TrafficShiftAt {
                at_s: now as f64 / SEC as f64,
                percent: 0,
            });
        }
        rec.versions = vec![d.counts[0].stats("old"), d.counts[1].stats("new")];
        if outcome == DeploymentOutcome::Succeeded
            && let Some(hook) = &d.post_hook
        {
            self.invoke_hook(hook);
        }
    }

    /// A hook function is invoked asynchronously by CodeDeploy.
    fn invoke_hook(&mut self, hook: &str) {
        let Some(h) = self.nodes.iter().position(|n| n.id == hook) else {
            return;
        };
        if matches!(self.nodes[h].behaviour, Behaviour::Lambda(_)) {
            self.arrive(h as u32, NONE, Mode::Async, NONE, NONE);
        }
    }

    /// Deployments still in progress at the end get their numbers so far.
    pub(super) fn summarise_deployments(&mut self) {
        for i in 0..self.deployments.len() {
            let (node, ref rec) = self.deployments[i];
            if rec.outcome != DeploymentOutcome::InProgress {
                continue;
            }
            if let Some(d) = self.lambda_mut(node).and_then(|l| l.deploying.as_deref()) {
                let versions = vec![d.counts[0].stats("old"), d.counts[1].stats("new")];
                self.deployments[i].1.versions = versions;
            } else if let Some(versions) = self.rollout_versions(node) {
                self.deployments[i].1.versions = versions;
            }
        }
    }

    /// The new version's handler time for one invocation.
    pub(super) fn new_version_work(&mut self, node: u32) -> f64 {
        let n = &mut self.nodes[node as usize];
        let Behaviour::Lambda(l) = &n.behaviour else {
            return 0.0;
        };
        let d = l.deploying.as_ref().expect("a deployment in progress");
        d.work.sample(&mut n.rng) * n.slow
    }

    /// An invocation started on the old or the new version.
    pub(super) fn deploy_started(&mut self, node: u32, new: bool, cold: bool) {
        if let Some(d) = self
            .lambda_mut(node)
            .and_then(|l| l.deploying.as_deref_mut())
        {
            let c = &mut d.counts[usize::from(new)];
            c.requests += 1;
            c.cold_starts += u64::from(cold);
        }
    }

    /// An invocation was throttled.
    pub(super) fn deploy_throttled(&mut self, node: u32) {
        let Some(l) = self.lambda_mut(node) else {
            return;
        };
        let new = l.picked_new;
        if let Some(d) = l.deploying.as_deref_mut() {
            d.counts[usize::from(new)].throttles += 1;
            for w in &mut d.windows {
                w.throttles += 1;
            }
        }
    }

    /// An invocation of `version` ended after `duration`.
    pub(super) fn deploy_finished(&mut self, node: u32, version: u32, duration: Us, ok: bool) {
        let Some(d) = self
            .lambda_mut(node)
            .and_then(|l| l.deploying.as_deref_mut())
        else {
            return;
        };
        let c = &mut d.counts[usize::from(version == d.version)];
        c.errors += u64::from(!ok);
        let _ = c.durations.record(duration.max(1));
        for w in &mut d.windows {
            w.invocations += 1;
            w.errors += u64::from(!ok);
            let _ = w.durations.record(duration.max(1));
        }
    }

    /// Whether the invocation `r` fails by its version's error rate (drawn
    /// only for a version that has one, so other runs are unchanged).
    pub(super) fn version_fails(&mut self, r: u32) -> bool {
        let req = self.reqs[r as usize];
        let seed = self.seed;
        let n = &mut self.nodes[req.node as usize];
        let (rate, fail_rng) = match &mut n.behaviour {
            Behaviour::Lambda(l) => {
                let version = l.envs[req.slot as usize].version;
                (l.error_rates[version as usize], &mut l.fail_rng)
            }
            Behaviour::Service(s) => {
                let version = s.tasks[req.slot as usize].version;
                (s.versions[version as usize].error_rate, &mut s.fail_rng)
            }
            _ => return false,
        };
        if rate <= 0.0 {
            return false;
        }
        let rng = fail_rng.get_or_insert_with(|| stream(seed, &format!("errors/{}", n.id)));
        uniform(rng) < rate
    }
}
