//! The simulator's live runner as a [`LiveFeed`]: frames from the runner's
//! channel become presenter frames (throughput from completed counts
//! between frames, clusters from the design's groups), controls become
//! runner commands.

use std::collections::BTreeMap;

use archsim_model::component::Props;
use archsim_model::scenario::ScenarioEvent;
use archsim_model::{ComponentKind, Design, GroupKind, Meaning};
use archsim_sim::live::{Command, LiveHandle, Speed};

use crate::{
    ClusterView, ComponentStatus, Control, Frame, InstanceView, LiveFeed, TaskState, TaskView,
};

/// Converts runner frames for one design.
pub struct FrameConverter {
    design: Design,
    last: Option<(f64, BTreeMap<String, u64>)>,
}

impl FrameConverter {
    pub fn new(design: Design) -> Self {
        Self { design, last: None }
    }

    pub fn convert(&mut self, f: &archsim_sim::Frame) -> Frame {
        let completed: BTreeMap<String, u64> = f
            .components
            .iter()
            .map(|c| (c.id.clone(), c.completed))
            .collect();
        let (dt, prev) = match &self.last {
            Some((t, prev)) if f.at_s > *t => (f.at_s - t, Some(prev)),
            _ => (0.0, None),
        };
        let components = f
            .components
            .iter()
            .map(|c| {
                let done_before = prev
                    .and_then(|p| p.get(&c.id))
                    .copied()
                    .unwrap_or(c.completed);
                let throughput_rps = if dt > 0.0 {
                    c.completed.saturating_sub(done_before) as f64 / dt
                } else {
                    0.0
                };
                let status = ComponentStatus {
                    throughput_rps,
                    concurrency: u32::try_from(c.concurrency.max(c.tasks)).unwrap_or(u32::MAX),
                    cold_starts: c.cold_starts,
                    throttles: c.throttled,
                    errors: c.errors,
                    p99_ms: c.p99_ms,
                    queue_depth: c.queue_depth,
                };
                (c.id.clone(), status)
            })
            .collect();
        let clusters = self.clusters(f);
        self.last = Some((f.at_s, completed));
        Frame {
            time_s: f.at_s,
            components,
            clusters,
        }
    }

    /// Capacity per ECS cluster from the runner's counts: instances of each
    /// Auto Scaling group spread over its zones as the group balances
    /// them, Fargate tasks of each service. (The runner reports counts, not
    /// which task sits on which instance.)
    fn clusters(&self, f: &archsim_sim::Frame) -> Vec<ClusterView> {
        let counts: BTreeMap<&str, &archsim_sim::FrameComponent> =
            f.components.iter().map(|c| (c.id.as_str(), c)).collect();
        let d = &self.design;
        d.groups()
            .filter(|g| g.kind == GroupKind::EcsCluster)
            .map(|g| {
                let mut view = ClusterView {
                    name: g.name.clone(),
                    ..Default::default()
                };
                for id in &g.members {
                    let Some(c) = d.component(id) else { continue };
                    match &c.props {
                        Props::Ec2AutoScalingGroup(a) => {
                            let n = counts.get(id.as_str()).map_or(0, |c| c.instances);
                            let it = archsim_model::catalog::instance_type(&a.instance_type);
                            for i in 0..n {
                                let zone = a
                                    .availability_zones
                                    .get(i as usize % a.availability_zones.len().max(1))
                                    .cloned()
                                    .unwrap_or_default();
                                view.instances.push(InstanceView {
                                    id: format!("{}-{}", c.id, i + 1),
                                    zone,
                                    instance_type: a.instance_type.clone(),
                                    cpu_units: it.map_or(0, |t| t.cpu_units()),
                                    memory_mib: it.map_or(0, |t| t.memory_mib),
                                    tasks: Vec::new(),
                                });
                            }
                        }
                        Props::EcsService(_) => {
                            let on_fargate = d.outgoing(id).iter().any(|(conn, t)| {
                                conn.kind.meaning() == Meaning::RunsOn
                                    && matches!(
                                        t.kind(),
                                        ComponentKind::Fargate | ComponentKind::FargateSpot
                                    )
                            });
                            if !on_fargate {
                                continue;
                            }
                            let size =
                                d.outgoing(id)
                                    .into_iter()
                                    .find_map(|(_, t)| match &t.props {
                                        Props::TaskDefinition(td) => Some((td.cpu, td.memory_mb)),
                                        _ => None,
                                    });
                            let (cpu_units, memory_mib) = size.unwrap_or((256, 512));
                            let n = counts.get(id.as_str()).map_or(0, |c| c.tasks);
                            for _ in 0..n {
                                view.fargate_tasks.push(TaskView {
                                    service: c.name.clone(),
                                    cpu_units,
                                    memory_mib,
                                    state: TaskState::Running,
                                });
                            }
                        }
                        _ => {}
                    }
                }
                view
            })
            .collect()
    }
}

/// The live runner behind the presenter.
pub struct SimFeed {
    handle: LiveHandle,
    converter: FrameConverter,
    entries: Vec<String>,
}

impl SimFeed {
    pub fn new(handle: LiveHandle, design: Design, scenario: &archsim_model::Scenario) -> Self {
        let mut entries: Vec<String> = scenario.traffic.iter().map(|t| t.entry.clone()).collect();
        entries.sort();
        entries.dedup();
        Self {
            handle,
            converter: FrameConverter::new(design),
            entries,
        }
    }
}

impl LiveFeed for SimFeed {
    fn poll(&mut self) -> Option<Frame> {
        let mut newest = None;
        while let Ok(f) = self.handle.frames.try_recv() {
            newest = Some(f);
        }
        newest.map(|f| self.converter.convert(&f))
    }

    fn send(&mut self, control: Control) {
        let commands: Vec<Command> = match control {
            Control::Pause => vec![Command::Pause],
            Control::Resume => vec![Command::Resume],
            Control::Speed(s) if s.is_finite() => vec![Command::SetSpeed(Speed::Times(s))],
            Control::Speed(_) => vec![Command::SetSpeed(Speed::Max)],
            Control::Restart => vec![Command::Restart],
            Control::Spike { factor } => self
                .entries
                .iter()
                .map(|entry| {
                    Command::Inject(ScenarioEvent::TrafficChange {
                        entry: entry.clone(),
                        factor,
                    })
                })
                .collect(),
            Control::ZoneLoss { zone } => vec![Command::Inject(ScenarioEvent::ZoneLoss { zone })],
        };
        for c in commands {
            // A full channel means the runner is far behind; dropping a
            // control is better than freezing the window.
            let _ = self.handle.commands.try_send(c);
        }
    }
}
