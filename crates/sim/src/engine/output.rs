//! What the simulation shows while it runs: the 1 s tick that closes each
//! second's series (and reclaims idle Lambda environments), placement
//! snapshots every minute, the live [`Frame`], the placement view and the
//! accessors a live run reads.

use super::Us;
use super::service::{CapacityKind, TaskState};
use super::{Behaviour, NONE, SEC, Simulation};
use crate::run::*;

/// A frame of the live view: the state at one instant.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Frame {
    pub at_s: f64,
    pub finished: bool,
    pub components: Vec<FrameComponent>,
    /// Where every task and instance is.
    pub placement: PlacementNow,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrameComponent {
    pub id: String,
    pub requests: u64,
    pub completed: u64,
    pub errors: u64,
    pub throttled: u64,
    pub cold_starts: u64,
    pub concurrency: u64,
    /// A function's execution environments alive now (busy and idle);
    /// 0 for any other component.
    pub environments: u64,
    pub queue_depth: u64,
    pub tasks: u64,
    pub instances: u64,
    /// 99th percentile latency of the requests completed so far, ms.
    pub p99_ms: f64,
}

/// One deployment of the run as it stands now, for the live view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeploymentNow {
    pub component: String,
    /// The version deployed: 2 for a component's first deployment of the
    /// run (the design's own is 1), 3 for its second, ...
    pub version: u32,
    /// The deployment configuration, as in the run's `deployments`.
    pub strategy: String,
    pub outcome: DeploymentOutcome,
    /// The new version's share now, percent: of the traffic (a function,
    /// a blue/green service), or of the serving tasks (a rolling update);
    /// 0 after a rollback.
    pub percent: u32,
    /// The old version, then the new one, since the deployment started.
    pub versions: [VersionNow; 2],
}

/// One version's requests and errors so far in a deployment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VersionNow {
    pub requests: u64,
    pub errors: u64,
}

impl Simulation {
    /// Every deployment started so far, in the order they started, with
    /// the new version's share and each version's requests and errors
    /// now (counters only: cheap enough for every frame).
    pub fn deployments_now(&self) -> Vec<DeploymentNow> {
        self.deployments
            .iter()
            .enumerate()
            .map(|(i, (node, rec))| {
                let version = 1 + self.deployments[..=i]
                    .iter()
                    .filter(|(n, _)| n == node)
                    .count() as u32;
                let running = match &self.nodes[*node as usize].behaviour {
                    _ if rec.outcome != DeploymentOutcome::InProgress => None,
                    Behaviour::Lambda(l) => l.deploying.as_deref().map(|d| d.counts()),
                    Behaviour::Service(s) => s.rollout.as_deref().map(|r| r.counts()),
                    _ => None,
                };
                let versions = match running {
                    Some(c) => c.each_ref().map(|c| VersionNow {
                        requests: c.requests,
                        errors: c.errors,
                    }),
                    None => {
                        let v = |k: usize| {
                            rec.versions
                                .get(k)
                                .map_or(VersionNow::default(), |v| VersionNow {
                                    requests: v.requests,
                                    errors: v.errors,
                                })
                        };
                        [v(0), v(1)]
                    }
                };
                DeploymentNow {
                    component: rec.component.clone(),
                    version,
                    strategy: rec.strategy.clone(),
                    outcome: rec.outcome,
                    percent: rec.shifts.last().map_or(0, |s| s.percent),
                    versions,
                }
            })
            .collect()
    }

    /// Which task runs on which instance, now, for every EC2 capacity.
    pub(super) fn snapshot_placements(&mut self) {
        for cap in 0..self.nodes.len() {
            let Behaviour::Capacity(c) = &self.nodes[cap].behaviour else {
                continue;
            };
            let mut instances: Vec<InstancePlacement> = c
                .instances
                .iter()
                .filter(|i| i.alive)
                .map(|i| InstancePlacement {
                    instance: format!("i-{}", i.id),
                    zone: self.zones[i.zone as usize].clone(),
                    tasks: Vec::new(),
                })
                .collect();
            let alive_index: Vec<Option<usize>> = {
                let mut k = 0;
                c.instances
                    .iter()
                    .map(|i| {
                        i.alive.then(|| {
                            k += 1;
                            k - 1
                        })
                    })
                    .collect()
            };
            for n in &self.nodes {
                let Behaviour::Service(s) = &n.behaviour else {
                    continue;
                };
                for t in &s.tasks {
                    if t.state != TaskState::Stopped
                        && t.instance != NONE
                        && s.providers[t.provider as usize].node == cap as u32
                        && let Some(k) = alive_index[t.instance as usize]
                    {
                        instances[k].tasks.push(n.id.clone());
                    }
                }
            }
            self.placements.push(PlacementSnapshot {
                at_s: self.now as f64 / SEC as f64,
                capacity: self.nodes[cap].id.clone(),
                instances,
            });
        }
    }

    /// The tick at the end of a second: idle environments that expired
    /// are reclaimed, the second's counts and gauges close the series, and
    /// the next tick is due.
    pub(super) fn on_tick(&mut self) {
        if self.now >= self.next_expiry {
            self.expire_idle();
        }
        if self.has_capacity && self.now.is_multiple_of(60 * SEC) {
            self.snapshot_placements();
        }
        for n in &mut self.nodes {
            let s = std::mem::take(&mut n.second);
            if !self.series {
                continue;
            }
            n.series.arrivals.push(s.arrivals);
            n.series.completions.push(s.completions);
            n.series.errors.push(s.errors);
            n.series.throttles.push(s.throttles);
            n.series.cold_starts.push(s.cold_starts);
            n.series.concurrency.push(n.concurrency.v as u32);
            if let Behaviour::Lambda(l) = &n.behaviour {
                n.series.environments.push(l.alive.v as u32);
            }
            n.series.tasks.push(n.tasks.v as u32);
            n.series.queue_depth.push(n.queue.v as u32);
            n.series.instances.push(n.instances.v as u32);
        }
        if self.now == self.warmup {
            self.end_warmup();
        }
        self.tick_at = if self.now + SEC <= self.end {
            self.now + SEC
        } else {
            Us::MAX
        };
    }

    /// Closes at once the ticks that would change nothing but the series:
    /// those up to `limit` and before any idle environment can expire, not
    /// at a minute's placement snapshot or the end of the warm-up, and,
    /// with series, up to the heap's next event (at `next`; a tick at its
    /// time comes before it). Their seconds saw no event, so each adds zero
    /// counts and the gauges as they are. Without series a tick changes
    /// nothing else, so the ticks are skipped past events too: up to an
    /// idle expiry after now (no environment released from now on expires
    /// sooner) and at most an hour at a time (the second's counts, read by
    /// nothing then, are still reset).
    pub(super) fn skip_quiet_seconds(&mut self, limit: Us, next: Us) {
        let mut stop = limit.min(self.end);
        if self.series {
            stop = stop.min(next);
        } else {
            stop = stop
                .min((self.now + self.idle_expiry).saturating_sub(1))
                .min(self.tick_at.saturating_add(3_600 * SEC));
        }
        if self.next_expiry != Us::MAX {
            stop = stop.min(self.next_expiry.saturating_sub(1));
        }
        if self.has_capacity {
            stop = stop.min((self.now / (60 * SEC) + 1) * 60 * SEC - 1);
        }
        if self.warmup > self.now {
            stop = stop.min(self.warmup - 1);
        }
        if self.tick_at > stop {
            return;
        }
        let k = (stop - self.tick_at) / SEC + 1;
        let last = self.tick_at + (k - 1) * SEC;
        if self.series {
            self.fill_quiet_series(k as usize);
            self.now = last;
        }
        self.tick_at = if last + SEC <= self.end {
            last + SEC
        } else {
            Us::MAX
        };
    }

    /// Adds `n` quiet seconds to every series: zero counts, the gauges as
    /// they are.
    fn fill_quiet_series(&mut self, n: usize) {
        for node in &mut self.nodes {
            let s = &mut node.series;
            for v in [
                &mut s.arrivals,
                &mut s.completions,
                &mut s.errors,
                &mut s.throttles,
                &mut s.cold_starts,
            ] {
                v.resize(v.len() + n, 0);
            }
            s.concurrency
                .resize(s.concurrency.len() + n, node.concurrency.v as u32);
            if let Behaviour::Lambda(l) = &node.behaviour {
                s.environments
                    .resize(s.environments.len() + n, l.alive.v as u32);
            }
            s.tasks.resize(s.tasks.len() + n, node.tasks.v as u32);
            s.queue_depth
                .resize(s.queue_depth.len() + n, node.queue.v as u32);
            s.instances
                .resize(s.instances.len() + n, node.instances.v as u32);
        }
    }

    /// The state now, for the live view.
    pub fn frame(&self) -> Frame {
        Frame {
            at_s: self.now_s(),
            finished: self.is_finished(),
            components: self
                .nodes
                .iter()
                .map(|n| FrameComponent {
                    id: n.id.clone(),
                    requests: n.c.requests,
                    completed: n.c.completed,
                    errors: n.c.errors,
                    throttled: n.c.throttled,
                    cold_starts: n.c.cold_starts,
                    concurrency: n.concurrency.v,
                    environments: match &n.behaviour {
                        Behaviour::Lambda(l) => l.alive.v,
                        _ => 0,
                    },
                    queue_depth: n.queue.v,
                    tasks: n.tasks.v,
                    instances: n.instances.v,
                    p99_ms: if n.latency.is_empty() {
                        0.0
                    } else {
                        n.latency.value_at_quantile(0.99) as f64 / 1e3
                    },
                })
                .collect(),
            placement: self.placement_now(),
        }
    }

    /// Where every task and instance is now, for the live placement view.
    pub fn placement_now(&self) -> PlacementNow {
        let name = |node: u32| self.nodes[node as usize].id.clone();
        let mut capacities = Vec::new();
        // Where each capacity node's view is, and each of its instance
        // slots' view (dead instances have none), so tasks find theirs
        // without searching.
        let mut view_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut slot_views: Vec<Vec<Option<usize>>> = Vec::new();
        for (ix, n) in self.nodes.iter().enumerate() {
            let Behaviour::Capacity(c) = &n.behaviour else {
                continue;
            };
            view_of[ix] = Some(capacities.len());
            let mut alive = 0;
            slot_views.push(
                c.instances
                    .iter()
                    .map(|i| {
                        i.alive.then(|| {
                            alive += 1;
                            alive - 1
                        })
                    })
                    .collect(),
            );
            capacities.push(CapacityNow {
                capacity: n.id.clone(),
                kind: n.kind.slug().into(),
                instance_type: c.instance_type.clone(),
                cpu_units: c.cpu_units,
                memory_mb: c.memory_mb,
                instances: c
                    .instances
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.alive)
                    .map(|(k, i)| InstanceNow {
                        instance: format!("i-{}", i.id),
                        zone: self.zones[i.zone as usize].clone(),
                        instance_type: c.type_name(k).to_string(),
                        cpu_units: i.cpu_total,
                        memory_mb: i.mem_total,
                        cpu_used: i.cpu_total.saturating_sub(i.cpu_free),
                        memory_used: i.mem_total.saturating_sub(i.mem_free),
                        tasks: Vec::new(),
                    })
                    .collect(),
                launching: c.pending,
                waiting_tasks: c.waiting.len() as u32,
            });
        }
        let mut services = Vec::new();
        for n in &self.nodes {
            let Behaviour::Service(s) = &n.behaviour else {
                continue;
            };
            let mut tasks = Vec::new();
            for (slot, t) in s.tasks.iter().enumerate() {
                let state = match t.state {
                    TaskState::Stopped => continue,
                    TaskState::Provisioning => "provisioning",
                    TaskState::Pending => "pending",
                    TaskState::Running => "running",
                    TaskState::Draining => "draining",
                };
                let provider = &s.providers[t.provider as usize];
                let id = format!("{}#{}.{}", n.id, slot + 1, t.generation);
                let capacity = (provider.node != NONE).then(|| name(provider.node));
                let mut instance = None;
                if provider.kind == CapacityKind::Ec2
                    && t.instance != NONE
                    && let Some(&Some(cv)) = view_of.get(provider.node as usize)
                    && let Some(&Some(iv)) = slot_views[cv].get(t.instance as usize)
                {
                    let view = &mut capacities[cv].instances[iv];
                    view.tasks.push(id.clone());
                    instance = Some(view.instance.clone());
                }
                tasks.push(TaskNow {
                    id,
                    state: state.into(),
                    capacity_kind: provider.kind.slug().into(),
                    capacity,
                    zone: self.zones.get(t.zone as usize).cloned().unwrap_or_default(),
                    instance,
                    busy: t.busy,
                    served: t.served,
                    serving_since_s: (t.serving_since != super::service::NONE_US)
                        .then(|| t.serving_since as f64 / SEC as f64),
                });
            }
            services.push(ServiceTasksNow {
                service: n.id.clone(),
                desired: s.desired,
                tasks,
            });
        }
        PlacementNow {
            at_s: self.now_s(),
            capacities,
            services,
        }
    }

    /// The request traces sampled so far (segments of requests still in
    /// flight are missing).
    pub fn traces(&self) -> &[RequestTrace] {
        &self.traces
    }

    /// The availability zones the design's capacity spans.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// Every component's 1 s series so far, in the order of
    /// [`Frame::components`].
    pub fn all_series(&self) -> impl Iterator<Item = &Series> {
        self.nodes.iter().map(|n| &n.series)
    }

    /// One component's 1 s series so far.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.nodes.iter().find(|n| n.id == id).map(|n| &n.series)
    }
}
