//! EC2 capacity for ECS (and EKS node groups, `nodes.rs`): an Auto
//! Scaling group's instances (balanced across live zones), task placement
//! on them through `placement.rs`, tasks waiting in PROVISIONING, and
//! ECS managed scaling on CapacityProviderReservation.

use std::collections::VecDeque;

use archsim_model::component::Ec2CapacityProps;

use super::build::zone_indexes;
use super::events::Ev;
use super::scaling::SCALE_IN_MINUTES;
use super::service::TaskState;
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::placement::{Instance, choose};
use crate::run::ScaleDecision;

/// An EC2 Auto Scaling group used as ECS capacity.
pub(super) struct Capacity {
    pub(super) instance_type: String,
    pub(super) cpu_units: u64,
    pub(super) memory_mb: u64,
    pub(super) min: u32,
    pub(super) max: u32,
    pub(super) managed: bool,
    pub(super) target_percent: u32,
    pub(super) max_step: u32,
    pub(super) launch: Us,
    pub(super) pending: u32,
    pub(super) gpus: u32,
    pub(super) enis: u32,
    /// The group's zones (indices into the engine's zone list).
    pub(super) zones: Vec<u8>,
    pub(super) instances: Vec<Instance>,
    pub(super) next_id: u32,
    /// Tasks in PROVISIONING: (service, task).
    pub(super) waiting: VecDeque<(u32, u32)>,
    pub(super) low_minutes: u32,
    pub(super) instance_seconds: f64,
    /// Instances EC2 bills: launched (booting) and in service, from the
    /// launch to the termination. EC2 bills an instance's usage in the
    /// `running` state and not in `pending` (EC2 User Guide, "Instance
    /// lifecycle"); the OS boot, the EKS bootstrap or the ECS agent's
    /// registration all happen while it is `running`, and `pending`
    /// lasts seconds, so the whole launch time is billed (the simulator
    /// does not split `pending` off, nor add Linux's one-minute minimum).
    /// `Simulation::nodes[..].instances` counts only the ones in service
    /// (what placement, the series and `mean_instances` show).
    pub(super) billed: super::Gauge,
    /// EKS node groups scaled by the Cluster Autoscaler (`nodes.rs`).
    pub(super) autoscaler: Option<Box<super::nodes::ClusterAutoscaler>>,
    /// EKS node groups beside a Karpenter NodePool (`karpenter.rs`).
    pub(super) karpenter: Option<Box<super::karpenter::Pool>>,
}

impl Capacity {
    /// The group's size at the start of the run: its desired capacity
    /// within its bounds.
    pub(super) fn initial(p: &Ec2CapacityProps) -> u32 {
        p.desired_capacity
            .clamp(p.min_size, p.max_size.max(p.min_size))
    }

    /// Sets the billed count (instances in service and launching), and a
    /// Karpenter pool's by type, after any instance launched, joined or
    /// left.
    pub(super) fn rebill(&mut self, now: Us) {
        let alive = self.instances.iter().filter(|i| i.alive).count() as u64;
        self.billed.set(now, alive + u64::from(self.pending));
        if let Some(p) = &mut self.karpenter {
            p.recount(&self.instances, now);
        }
    }

    pub(super) fn new(p: &Ec2CapacityProps, zones: &mut Vec<String>) -> Capacity {
        let it = archsim_model::catalog::instance_type(&p.instance_type);
        Capacity {
            instance_type: p.instance_type.clone(),
            cpu_units: u64::from(it.map_or(2048, |t| t.cpu_units())),
            memory_mb: u64::from(it.map_or(8192, |t| t.memory_mib)),
            min: p.min_size,
            max: p.max_size.max(p.min_size),
            managed: p.managed_scaling,
            target_percent: p.target_capacity_percent.clamp(1, 100),
            max_step: p.maximum_scaling_step.max(1),
            launch: (p.launch_s.max(0.0) * SEC as f64) as Us,
            pending: 0,
            gpus: it.map_or(0, |t| t.gpus),
            enis: it.map_or(2, |t| t.awsvpc_task_capacity(p.awsvpc_trunking)),
            zones: zone_indexes(zones, &p.availability_zones),
            instances: Vec::new(),
            next_id: 0,
            waiting: VecDeque::new(),
            low_minutes: 0,
            instance_seconds: 0.0,
            billed: super::Gauge::default(),
            autoscaler: None,
            karpenter: None,
        }
    }
}

impl Simulation {
    /// A new instance of an Auto Scaling group, in its live zone with the
    /// fewest instances (ASG zone balancing).
    pub(super) fn add_instance(&mut self, cap: u32) {
        let Behaviour::Capacity(c) = &self.nodes[cap as usize].behaviour else {
            return;
        };
        let room = (c.cpu_units, c.memory_mb, c.gpus, c.enis);
        self.add_instance_sized(cap, room);
    }

    /// A new instance with `(cpu, memory, gpus, enis)` to give, in the
    /// group's live zone with the fewest instances; its slot, or `None`
    /// when every zone is down.
    pub(super) fn add_instance_sized(
        &mut self,
        cap: u32,
        (cpu, mem, gpus, enis): (u64, u64, u32, u32),
    ) -> Option<usize> {
        let now = self.now;
        let zone_down = &self.zone_down;
        let n = &mut self.nodes[cap as usize];
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return None;
        };
        let &zone = c
            .zones
            .iter()
            .filter(|&&z| !zone_down[z as usize])
            .min_by_key(|&&z| {
                c.instances
                    .iter()
                    .filter(|i| i.alive && i.zone == z)
                    .count()
            })?;
        let inst = Instance {
            id: c.next_id,
            zone,
            alive: true,
            cpu_total: cpu,
            mem_total: mem,
            cpu_free: cpu,
            mem_free: mem,
            gpu_free: gpus,
            eni_free: enis,
            ports: Vec::new(),
            tasks: 0,
            images: Vec::new(),
        };
        c.next_id += 1;
        c.instances.push(inst);
        let alive = c.instances.iter().filter(|i| i.alive).count() as u64;
        n.instances.set(now, alive);
        c.rebill(now);
        Some(c.instances.len() - 1)
    }

    /// Places task `t` of service `svc` on an instance of `cap`.
    /// Places task `t` of service `svc` on an instance of `cap`, launched
    /// now: `None` when no instance has room, else when its containers run
    /// (`start` from now, less the image `pull` when the instance has the
    /// image or is pulling it; `immediate`: at once, the image there).
    pub(super) fn place_task(
        &mut self,
        svc: u32,
        t: u32,
        cap: u32,
        (start, pull, immediate): (Us, Us, bool),
    ) -> Option<Us> {
        let now = self.now;
        let Behaviour::Capacity(c) = &self.nodes[cap as usize].behaviour else {
            return Some(now + start);
        };
        let mut mine = vec![0u32; c.instances.len()];
        let Behaviour::Service(s) = &self.nodes[svc as usize].behaviour else {
            return None;
        };
        let image = (svc, s.tasks[t as usize].version);
        for tk in &s.tasks {
            if tk.state != TaskState::Stopped
                && tk.instance != NONE
                && s.providers[tk.provider as usize].node == cap
            {
                mine[tk.instance as usize] += 1;
            }
        }
        let (needs, rules) = (s.needs.clone(), s.rules.clone());
        let (zones, zone_down) = (&self.zones, &self.zone_down);
        let node = &mut self.nodes[cap as usize];
        let Behaviour::Capacity(c) = &mut node.behaviour else {
            return None;
        };
        let i = choose(
            &c.instances,
            &needs,
            &rules,
            &c.instance_type,
            zones,
            zone_down,
            &mine,
            &mut node.rng,
        )?;
        needs.take(&mut c.instances[i]);
        let zone = c.instances[i].zone;
        let images = &mut c.instances[i].images;
        let running = match images.iter().find(|m| (m.0, m.1) == image) {
            _ if immediate => now,
            Some(&(_, _, ready)) => (now + start - pull).max(ready),
            None => now + start,
        };
        if !images.iter().any(|m| (m.0, m.1) == image) {
            images.push((image.0, image.1, running));
        }
        let tk = &mut self.svc(svc).tasks[t as usize];
        tk.instance = i as u32;
        tk.zone = zone;
        self.karpenter_pods_changed(cap, i as u32);
        Some(running)
    }

    /// Tasks in PROVISIONING take the room that has appeared, in order.
    pub(super) fn place_waiting(&mut self, cap: u32) {
        let waiting = match &mut self.nodes[cap as usize].behaviour {
            Behaviour::Capacity(c) => std::mem::take(&mut c.waiting),
            _ => return,
        };
        let mut still = VecDeque::new();
        for (svc, t) in waiting {
            let (state, generation, start, pull) = {
                let s = self.svc(svc);
                let tk = &s.tasks[t as usize];
                let p = &s.providers[tk.provider as usize];
                (tk.state, tk.generation, p.start_us, p.pull_us)
            };
            if state != TaskState::Provisioning {
                continue;
            }
            let Some(running) = self.place_task(svc, t, cap, (start, pull, false)) else {
                still.push_back((svc, t));
                continue;
            };
            let tk = &mut self.svc(svc).tasks[t as usize];
            tk.state = TaskState::Pending;
            tk.running_at = running;
            let wait = self.health_check_wait(svc);
            self.push(
                running + wait,
                Ev::TaskReady {
                    node: svc,
                    task: t,
                    generation,
                },
            );
        }
        if let Behaviour::Capacity(c) = &mut self.nodes[cap as usize].behaviour {
            c.waiting = still;
        }
    }

    /// A launched instance joins the group and takes waiting tasks.
    pub(super) fn on_instance_ready(&mut self, node: u32) {
        if let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour {
            c.pending = c.pending.saturating_sub(1);
        }
        self.add_instance(node);
        // With every zone down the launch is lost: it stops being billed.
        let now = self.now;
        if let Behaviour::Capacity(c) = &mut self.nodes[node as usize].behaviour {
            c.rebill(now);
        }
        self.place_waiting(node);
    }

    /// Managed scaling: CapacityProviderReservation = M / N x 100 held at
    /// the target capacity, M = instances the running and PROVISIONING
    /// tasks need (occupied instances plus room for the waiting ones), N =
    /// instances in the group (N = 0 with M > 0 counts as 200%).
    pub(super) fn on_capacity_eval(&mut self, node: u32) {
        let now = self.now;
        let waiting: Vec<(u32, u32)> = match &self.nodes[node as usize].behaviour {
            Behaviour::Capacity(c) => c.waiting.iter().copied().collect(),
            _ => return,
        };
        let (mut wcpu, mut wmem, mut wdistinct) = (0u64, 0u64, 0u64);
        for &(svc, _) in &waiting {
            if let Behaviour::Service(s) = &self.nodes[svc as usize].behaviour {
                wcpu += s.needs.cpu;
                wmem += s.needs.mem;
                wdistinct += u64::from(s.rules.distinct);
            }
        }
        let n = &mut self.nodes[node as usize];
        let current = n.instances.v as u32;
        let Behaviour::Capacity(c) = &mut n.behaviour else {
            return;
        };
        let occupied = c
            .instances
            .iter()
            .filter(|i| i.alive && i.tasks > 0)
            .count() as u64;
        let extra = if waiting.is_empty() {
            0
        } else {
            wcpu.div_ceil(c.cpu_units.max(1))
                .max(wmem.div_ceil(c.memory_mb.max(1)))
                .max(wdistinct)
                .max(1)
        };
        let m = occupied + extra;
        let target = ((m as f64) * 100.0 / f64::from(c.target_percent)).ceil() as u32;
        let target = target.clamp(c.min, c.max);
        let have = current + c.pending;
        let mut decision = None;
        if target > have {
            let add = (target - have).min(c.max_step);
            c.pending += add;
            c.rebill(now);
            c.low_minutes = 0;
            decision = Some((
                current,
                current + c.pending,
                format!(
                    "CapacityProviderReservation {}% above target",
                    if current == 0 {
                        200
                    } else {
                        m * 100 / u64::from(current)
                    }
                ),
            ));
            let launch = c.launch;
            for _ in 0..add {
                self.push(now + launch, Ev::InstanceReady { node });
            }
        } else if target < current && c.pending == 0 {
            c.low_minutes += 1;
            if c.low_minutes >= SCALE_IN_MINUTES {
                c.low_minutes = 0;
                // Only empty instances go, newest first.
                let mut to = current;
                for i in c.instances.iter_mut().rev() {
                    if to <= target {
                        break;
                    }
                    if i.alive && i.tasks == 0 {
                        i.alive = false;
                        to -= 1;
                    }
                }
                if to < current {
                    n.instances.set(now, u64::from(to));
                    c.rebill(now);
                    decision = Some((
                        current,
                        to,
                        "CapacityProviderReservation below target for 15 min".to_string(),
                    ));
                }
            }
        } else {
            c.low_minutes = 0;
        }
        if let Some((from, to, reason)) = decision {
            self.nodes[node as usize].c.scale_events += 1;
            self.decisions.push(ScaleDecision {
                at_s: now as f64 / SEC as f64,
                component: self.nodes[node as usize].id.clone(),
                from,
                to,
                reason,
            });
        }
        self.push(now + 60 * SEC, Ev::CapacityEval { node });
    }
}
