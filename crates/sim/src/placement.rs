//! Task placement on EC2 instances: resources fit (CPU, memory, GPUs,
//! one ENI per awsvpc task, static host ports), then constraints
//! (distinctInstance, memberOf with a subset of the cluster query
//! language), then strategies in order, each breaking the previous one's
//! ties (binpack on cpu or memory, spread on zone or instance, random).
//!
//! EKS pods on nodes use the same filter (CPU and memory requests
//! against the node's allocatable, one VPC address per pod in place of
//! the ENI) and the default scheduler's score, least-allocated.

use archsim_model::component::{
    NetworkMode, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType, TaskDefinitionProps,
};
use archsim_model::listener_rule::glob_matches;
use rand::Rng;

use crate::rng::Stream;

/// One container instance of an Auto Scaling group.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub id: u32,
    pub zone: u8,
    pub alive: bool,
    /// What tasks (pods) can take: the type's CPU units and memory for
    /// ECS; millicores and MiB after the kubelet's reservations on EKS.
    pub cpu_total: u64,
    pub mem_total: u64,
    pub cpu_free: u64,
    pub mem_free: u64,
    pub gpu_free: u32,
    pub eni_free: u32,
    pub ports: Vec<u16>,
    pub tasks: u32,
    /// The images it has pulled or is pulling, as (service node, version,
    /// when the first task that pulled it runs): a later task of one of
    /// them skips the pull (the layers are cached), and one placed while
    /// the pull is still going waits for it, not for a second pull.
    pub images: Vec<(u32, u32, u64)>,
}

/// What one task takes from an instance.
#[derive(Debug, Clone, Default)]
pub(crate) struct TaskNeeds {
    pub cpu: u64,
    pub mem: u64,
    pub gpus: u32,
    pub awsvpc: bool,
    pub static_ports: Vec<u16>,
}

impl TaskNeeds {
    pub fn of(t: &TaskDefinitionProps) -> TaskNeeds {
        TaskNeeds {
            cpu: u64::from(t.cpu),
            mem: u64::from(t.memory_mb),
            gpus: t.gpus(),
            awsvpc: t.network_mode == NetworkMode::Awsvpc,
            // Bridge mode with host port 0 or none gets a dynamic port
            // (49153-65535), which never conflicts at our scale.
            static_ports: t
                .containers
                .iter()
                .flat_map(|c| c.port_mappings.iter())
                .filter_map(|p| match t.network_mode {
                    NetworkMode::Host => Some(p.host_port.unwrap_or(p.container_port)),
                    _ if p.is_static_host_port() => p.host_port,
                    _ => None,
                })
                .collect(),
        }
    }

    pub fn fits(&self, i: &Instance) -> bool {
        i.cpu_free >= self.cpu
            && i.mem_free >= self.mem
            && i.gpu_free >= self.gpus
            && (!self.awsvpc || i.eni_free >= 1)
            && self.static_ports.iter().all(|p| !i.ports.contains(p))
    }

    pub fn take(&self, i: &mut Instance) {
        i.cpu_free -= self.cpu;
        i.mem_free -= self.mem;
        i.gpu_free -= self.gpus;
        if self.awsvpc {
            i.eni_free -= 1;
        }
        i.ports.extend_from_slice(&self.static_ports);
        i.tasks += 1;
    }

    pub fn give_back(&self, i: &mut Instance) {
        i.cpu_free += self.cpu;
        i.mem_free += self.mem;
        i.gpu_free += self.gpus;
        if self.awsvpc {
            i.eni_free += 1;
        }
        for p in &self.static_ports {
            if let Some(k) = i.ports.iter().position(|x| x == p) {
                i.ports.swap_remove(k);
            }
        }
        i.tasks -= 1;
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Strategy {
    BinpackCpu,
    BinpackMemory,
    SpreadZone,
    SpreadInstance,
    Random,
    /// kube-scheduler's NodeResourcesFit score, LeastAllocated: the node
    /// with the largest free share of CPU plus memory after placing wins
    /// (equal weights). kube-scheduler breaks a tie at random; here the
    /// oldest node wins, so placement reads the same for every seed.
    LeastAllocated,
}

#[derive(Debug, Clone)]
enum MemberOf {
    /// `attribute:ecs.instance-type =~ g4dn.*` or `== m5.large`.
    InstanceType(String),
    /// `attribute:ecs.availability-zone in [us-east-1a, us-east-1b]`.
    ZoneIn(Vec<String>),
}

/// A service's placement strategies and constraints.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlacementRules {
    pub strategies: Vec<Strategy>,
    pub distinct: bool,
    member_of: Vec<MemberOf>,
}

impl PlacementRules {
    pub fn new(strategies: &[PlacementStrategy], constraints: &[PlacementConstraint]) -> Self {
        let strategies = strategies
            .iter()
            .map(|s| match (s.kind, s.field.as_str()) {
                (PlacementStrategyType::Binpack, "memory") => Strategy::BinpackMemory,
                (PlacementStrategyType::Binpack, _) => Strategy::BinpackCpu,
                (PlacementStrategyType::Spread, "instanceId" | "host") => Strategy::SpreadInstance,
                (PlacementStrategyType::Spread, _) => Strategy::SpreadZone,
                (PlacementStrategyType::Random, _) => Strategy::Random,
            })
            .collect();
        let mut rules = PlacementRules {
            strategies,
            ..Default::default()
        };
        for c in constraints {
            match c.kind {
                PlacementConstraintType::DistinctInstance => rules.distinct = true,
                PlacementConstraintType::MemberOf => {
                    // Expressions outside this subset are not simulated
                    // (they constrain nothing here).
                    let e = c.expression.trim();
                    if let Some(rest) = e.strip_prefix("attribute:ecs.instance-type") {
                        let rest = rest.trim();
                        if let Some(p) = rest.strip_prefix("=~").or_else(|| rest.strip_prefix("=="))
                        {
                            rules
                                .member_of
                                .push(MemberOf::InstanceType(p.trim().to_string()));
                        }
                    } else if let Some(rest) = e.strip_prefix("attribute:ecs.availability-zone")
                        && let Some(list) = rest.trim().strip_prefix("in")
                    {
                        {
                            let zones = list
                                .trim()
                                .trim_start_matches('[')
                                .trim_end_matches(']')
                                .split(',')
                                .map(|z| z.trim().to_string())
                                .collect();
                            rules.member_of.push(MemberOf::ZoneIn(zones));
                        }
                    }
                }
            }
        }
        rules
    }

    /// kube-scheduler's default for a pod: least-allocated.
    pub fn least_allocated() -> Self {
        PlacementRules {
            strategies: vec![Strategy::LeastAllocated],
            ..Default::default()
        }
    }

    /// Whether the group's instance type passes the memberOf constraints.
    fn type_allowed(&self, instance_type: &str) -> bool {
        self.member_of.iter().all(|m| match m {
            MemberOf::InstanceType(p) => glob_matches(p, instance_type),
            MemberOf::ZoneIn(_) => true,
        })
    }

    fn zone_allowed(&self, zone: &str) -> bool {
        self.member_of.iter().all(|m| match m {
            MemberOf::ZoneIn(z) => z.iter().any(|x| x == zone),
            MemberOf::InstanceType(_) => true,
        })
    }
}

/// Picks the instance for a task, or None when nothing fits.
/// `mine[i]` counts the service's tasks on instance `i`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose(
    instances: &[Instance],
    needs: &TaskNeeds,
    rules: &PlacementRules,
    instance_type: &str,
    zone_names: &[String],
    zone_down: &[bool],
    mine: &[u32],
    rng: &mut Stream,
) -> Option<usize> {
    if !rules.type_allowed(instance_type) {
        return None;
    }
    let mut per_zone = vec![0u32; zone_names.len()];
    for (i, inst) in instances.iter().enumerate() {
        if inst.alive {
            per_zone[inst.zone as usize] += mine[i];
        }
    }
    let mut best: Option<(Vec<u64>, usize)> = None;
    for (i, inst) in instances.iter().enumerate() {
        if !inst.alive
            || zone_down[inst.zone as usize]
            || !needs.fits(inst)
            || (rules.distinct && mine[i] > 0)
            || !rules.zone_allowed(&zone_names[inst.zone as usize])
        {
            continue;
        }
        let key: Vec<u64> = rules
            .strategies
            .iter()
            .map(|s| match s {
                // Least remaining after placing: the fullest that fits.
                Strategy::BinpackCpu => inst.cpu_free - needs.cpu,
                Strategy::BinpackMemory => inst.mem_free - needs.mem,
                Strategy::SpreadZone => u64::from(per_zone[inst.zone as usize]),
                Strategy::SpreadInstance => u64::from(mine[i]),
                Strategy::Random => u64::from(rng.random::<u32>()),
                Strategy::LeastAllocated => {
                    // Parts per million of free CPU plus free memory,
                    // reversed so that the smallest key wins.
                    let share =
                        |free: u64, need: u64, total: u64| (free - need) * 1_000_000 / total.max(1);
                    2_000_000
                        - share(inst.cpu_free, needs.cpu, inst.cpu_total)
                        - share(inst.mem_free, needs.mem, inst.mem_total)
                }
            })
            .collect();
        if best.as_ref().is_none_or(|(k, _)| key < *k) {
            best = Some((key, i));
        }
    }
    best.map(|(_, i)| i)
}
