//! archsim-app's live run as a [`LiveFeed`]: the window's clock drives a
//! [`LiveRun`] as the canvas's polls do, and each [`LiveView`] becomes a
//! presenter frame: a card's numbers and health as the app reports them,
//! clusters from the design's groups. Controls go to the run unchanged.

use std::collections::BTreeMap;

use archsim_app::{DeploymentNow, LiveComponent, LiveControl, LiveRun, LiveView};
use archsim_model::component::Props;
use archsim_model::{Design, GroupKind};

use crate::{
    ClusterView, ComponentStatus, DeploymentStatus, Frame, InstanceView, LiveFeed, TaskState,
    TaskView,
};

/// Wall seconds between frames: 25 a second, the canvas's polling rate.
pub const FRAME_INTERVAL_S: f64 = 0.04;

/// Converts live views of one design into presenter frames.
pub struct FrameConverter {
    design: Design,
    /// CPU and MiB of each service's tasks, from its task definition (CPU
    /// units), and of each EKS workload's pods, from their requests
    /// (millicores, as its nodes' allocatable CPU is counted).
    task_sizes: BTreeMap<String, (u32, u32)>,
}

impl FrameConverter {
    pub fn new(design: Design) -> Self {
        let task_sizes = design
            .components()
            .filter_map(|c| {
                if let Props::EksWorkload(w) = &c.props {
                    return Some((
                        c.id.clone(),
                        (w.cpu_request_millicores, w.memory_request_mb),
                    ));
                }
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
        Self { design, task_sizes }
    }

    pub fn convert(&self, view: &LiveView) -> Frame {
        // Each component's latest deployment (they are in starting order).
        let deployments: BTreeMap<&str, &DeploymentNow> = view
            .deployments
            .iter()
            .map(|d| (d.component.as_str(), d))
            .collect();
        Frame {
            time_s: view.at_s,
            components: view
                .components
                .iter()
                .map(|c| {
                    let mut s = status(c);
                    s.deployment = deployments
                        .get(c.now.id.as_str())
                        .map(|d| DeploymentStatus {
                            version: d.version,
                            percent: d.percent,
                            outcome: d.outcome,
                            old: d.versions[0],
                            new: d.versions[1],
                        });
                    (c.now.id.clone(), s)
                })
                .collect(),
            clusters: self.clusters(view),
            notes: view.notes.clone(),
        }
    }

    /// Capacity per ECS or EKS cluster from the frame's placement: each
    /// instance with the tasks placed on it, Fargate tasks, and tasks
    /// waiting for capacity (PROVISIONING).
    fn clusters(&self, f: &LiveView) -> Vec<ClusterView> {
        let d = &self.design;
        let task_view = |service: &str, t: &archsim_app::TaskNow| {
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
        let tasks: BTreeMap<&str, &archsim_app::TaskNow> = f
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
                                instance_type: i.instance_type.clone(),
                                cpu_units: u32::try_from(i.cpu_units).unwrap_or(u32::MAX),
                                memory_mib: u32::try_from(i.memory_mb).unwrap_or(u32::MAX),
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

/// archsim-app's live run behind the presenter.
pub struct RunFeed {
    run: LiveRun,
    converter: FrameConverter,
    /// When the run was last polled, on the window's clock.
    last_poll: Option<f64>,
    /// The simulated time of the last frame given out.
    last_at_s: Option<f64>,
}

impl RunFeed {
    pub fn new(run: LiveRun) -> Self {
        Self {
            converter: FrameConverter::new(run.design().clone()),
            run,
            last_poll: None,
            last_at_s: None,
        }
    }
}

impl LiveFeed for RunFeed {
    /// Polls the run at most every [`FRAME_INTERVAL_S`]; a frame when
    /// simulated time moved or a control was obeyed (so none while paused
    /// or finished).
    fn poll(&mut self, wall_s: f64) -> Option<Frame> {
        if self
            .last_poll
            .is_some_and(|last| wall_s - last < FRAME_INTERVAL_S)
        {
            return None;
        }
        self.last_poll = Some(wall_s);
        let view = self.run.poll(wall_s);
        if self.last_at_s == Some(view.at_s) {
            return None;
        }
        self.last_at_s = Some(view.at_s);
        Some(self.converter.convert(&view))
    }

    fn send(&mut self, control: LiveControl) -> Result<(), String> {
        self.run.control(control).map_err(|e| e.message)?;
        self.last_at_s = None;
        Ok(())
    }
}

/// What a card shows of a component: the app's figures and health as they
/// are (the busy count is environments, or tasks for a service).
fn status(c: &LiveComponent) -> ComponentStatus {
    let n = &c.now;
    ComponentStatus {
        requests_per_s: f64::from(c.arrivals_per_s),
        concurrency: u32::try_from(n.concurrency.max(n.tasks)).unwrap_or(u32::MAX),
        environments: u32::try_from(n.environments).unwrap_or(u32::MAX),
        cold_starts: n.cold_starts,
        throttles: n.throttled,
        errors: n.errors,
        p99_ms: n.p99_ms,
        queue_depth: n.queue_depth,
        health: c.health,
        deployment: None,
    }
}
