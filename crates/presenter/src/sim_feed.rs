//! The simulator's live runner as a [`LiveFeed`]: frames from the runner's
//! channel become presenter frames (throughput from completed counts
//! between frames, clusters from the design's groups), controls become
//! runner commands.

use std::collections::BTreeMap;

use archsim_model::component::Props;
use archsim_model::scenario::ScenarioEvent;
use archsim_model::{Design, GroupKind};
use archsim_sim::live::{Command, LiveHandle, Speed};

use crate::{
    ClusterView, ComponentStatus, Control, Frame, InstanceView, LiveFeed, TaskState, TaskView,
};

/// Converts runner frames for one design.
pub struct FrameConverter {
    design: Design,
    /// CPU units and MiB of each service's tasks, from its task definition.
    task_sizes: BTreeMap<String, (u32, u32)>,
    last: Option<(f64, BTreeMap<String, u64>)>,
}

impl FrameConverter {
    pub fn new(design: Design) -> Self {
        let task_sizes = design
            .components()
            .filter_map(|c| {
                let size =
                    design
                        .outgoing(&c.id)
                        .into_iter()
                        .find_map(|(_, t)| match &t.props {
                            Props::TaskDefinition(td) => Some((td.cpu, td.memory_mb)),
                            _ => None,
                        })?;
                Some((c.id.clone(), size))
            })
            .collect();
        Self {
            design,
            task_sizes,
            last: None,
        }
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

    /// Capacity per ECS or EKS cluster from the frame's placement: each
    /// instance with the tasks placed on it, Fargate tasks, and tasks
    /// waiting for capacity (PROVISIONING).
    fn clusters(&self, f: &archsim_sim::Frame) -> Vec<ClusterView> {
        let d = &self.design;
        let task_view = |service: &str, t: &archsim_sim::TaskNow| {
            let (cpu_units, memory_mib) =
                self.task_sizes.get(service).copied().unwrap_or((256, 512));
            TaskView {
                service: d
                    .component(service)
                    .map_or(service.to_string(), |c| c.name.clone()),
                cpu_units,
                memory_mib,
                state: match t.state.as_str() {
                    "provisioning" => TaskState::Provisioning,
                    "pending" => TaskState::Pending,
                    "draining" => TaskState::Draining,
                    _ => TaskState::Running,
                },
            }
        };
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for s in &f.placement.services {
            for t in &s.tasks {
                owner.insert(t.id.as_str(), s.service.as_str());
            }
        }
        let tasks: BTreeMap<&str, &archsim_sim::TaskNow> = f
            .placement
            .services
            .iter()
            .flat_map(|s| s.tasks.iter().map(|t| (t.id.as_str(), t)))
            .collect();
        d.groups()
            .filter(|g| matches!(g.kind, GroupKind::EcsCluster | GroupKind::EksCluster))
            .map(|g| {
                let mut view = ClusterView {
                    name: g.name.clone(),
                    ..Default::default()
                };
                for id in &g.members {
                    if let Some(cap) = f.placement.capacities.iter().find(|c| &c.capacity == id) {
                        for i in &cap.instances {
                            view.instances.push(InstanceView {
                                id: i.instance.clone(),
                                zone: i.zone.clone(),
                                instance_type: cap.instance_type.clone(),
                                cpu_units: u32::try_from(cap.cpu_units).unwrap_or(u32::MAX),
                                memory_mib: u32::try_from(cap.memory_mb).unwrap_or(u32::MAX),
                                tasks: i
                                    .tasks
                                    .iter()
                                    .filter_map(|t| {
                                        Some(task_view(
                                            owner.get(t.as_str())?,
                                            tasks.get(t.as_str())?,
                                        ))
                                    })
                                    .collect(),
                            });
                        }
                    }
                    if let Some(s) = f.placement.services.iter().find(|s| &s.service == id) {
                        for t in &s.tasks {
                            if t.state == "provisioning" {
                                view.pending.push(task_view(&s.service, t));
                            } else if t.capacity_kind != "ec2" {
                                view.fargate_tasks.push(task_view(&s.service, t));
                            }
                        }
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
        let entries = scenario.entries();
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
