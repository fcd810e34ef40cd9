//! ECS: the field maps of clusters, services (with their capacity
//! provider strategy and auto scaling target), task definitions and their
//! containers, and EC2 capacity (capacity provider, Auto Scaling group,
//! launch template).

use archsim_model::component::{
    Architecture, ContainerDefinition, Ec2CapacityProps, EcsClusterProps, EcsServiceProps,
    LaunchType, NetworkMode, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType, PortMapping, PortProtocol, TaskDefinitionProps,
};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u16_of, u32_of};

pub(crate) const CONTAINER_INSIGHTS: Field<EcsClusterProps> = Field {
    path: "ClusterSettings",
    write: |p| {
        json!([{"Name": "containerInsights",
            "Value": if p.container_insights { "enabled" } else { "disabled" }}])
    },
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const CLUSTER: FieldMap<EcsClusterProps> = FieldMap {
    unset: EcsClusterProps::default,
    fields: &[&CONTAINER_INSIGHTS],
};

pub(crate) const DESIRED_COUNT: Field<EcsServiceProps> = Field {
    path: "DesiredCount",
    write: |p| json!(p.desired_count),
    // The scaling bounds widen to include it.
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.desired_count = n;
            p.min_count = p.min_count.min(n);
            p.max_count = p.max_count.max(n);
        }
    }),
    write_back: true,
    sam_global: false,
};

const LAUNCH_TYPES: &[(LaunchType, &str)] =
    &[(LaunchType::Fargate, "FARGATE"), (LaunchType::Ec2, "EC2")];

/// The spelling of a launch type (export derives it from the service's
/// capacity when the model leaves it open).
pub(crate) fn launch_type(t: LaunchType) -> Value {
    json!(spelling(LAUNCH_TYPES, t))
}

/// The launch type a spelling stands for.
pub(crate) fn parse_launch_type(v: &Value) -> Option<LaunchType> {
    parse(LAUNCH_TYPES, v)
}

pub(crate) const LAUNCH_TYPE: Field<EcsServiceProps> = Field {
    path: "LaunchType",
    write: |p| p.launch_type.map_or(Value::Null, launch_type),
    read: Some(|p, v| p.launch_type = parse_launch_type(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const MIN_HEALTHY_PERCENT: Field<EcsServiceProps> = Field {
    path: "DeploymentConfiguration/MinimumHealthyPercent",
    write: |p| json!(p.min_healthy_percent),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.min_healthy_percent = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_PERCENT: Field<EcsServiceProps> = Field {
    path: "DeploymentConfiguration/MaximumPercent",
    write: |p| json!(p.max_percent),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_percent = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

const PLACEMENT_STRATEGIES: &[(PlacementStrategyType, &str)] = &[
    (PlacementStrategyType::Binpack, "binpack"),
    (PlacementStrategyType::Spread, "spread"),
    (PlacementStrategyType::Random, "random"),
];

/// Random placement takes no field.
pub(crate) const PLACEMENT_STRATEGY: Field<EcsServiceProps> = Field {
    path: "PlacementStrategies",
    write: |p| {
        json!(
            p.placement_strategies
                .iter()
                .map(|s| {
                    let mut v = json!({"Type": spelling(PLACEMENT_STRATEGIES, s.kind)});
                    if !s.field.is_empty() && s.kind != PlacementStrategyType::Random {
                        v["Field"] = json!(s.field);
                    }
                    v
                })
                .collect::<Vec<_>>()
        )
    },
    read: Some(|p, v| {
        p.placement_strategies = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| {
                Some(PlacementStrategy {
                    kind: parse(PLACEMENT_STRATEGIES, s.get("Type")?)?,
                    field: s
                        .get("Field")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect();
    }),
    write_back: false,
    sam_global: false,
};

const PLACEMENT_CONSTRAINTS: &[(PlacementConstraintType, &str)] = &[
    (
        PlacementConstraintType::DistinctInstance,
        "distinctInstance",
    ),
    (PlacementConstraintType::MemberOf, "memberOf"),
];

/// Only `memberOf` takes an expression.
pub(crate) const PLACEMENT_CONSTRAINT: Field<EcsServiceProps> = Field {
    path: "PlacementConstraints",
    write: |p| {
        json!(
            p.placement_constraints
                .iter()
                .map(|c| {
                    let mut v = json!({"Type": spelling(PLACEMENT_CONSTRAINTS, c.kind)});
                    if c.kind == PlacementConstraintType::MemberOf {
                        v["Expression"] = json!(c.expression);
                    }
                    v
                })
                .collect::<Vec<_>>()
        )
    },
    read: Some(|p, v| {
        let Some(list) = v.as_array() else { return };
        p.placement_constraints = list
            .iter()
            .filter_map(|c| {
                Some(PlacementConstraint {
                    kind: parse(PLACEMENT_CONSTRAINTS, c.get("Type")?)?,
                    expression: c
                        .get("Expression")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect();
    }),
    write_back: false,
    sam_global: false,
};

/// Only with a load balancer.
pub(crate) const HEALTH_CHECK_GRACE: Field<EcsServiceProps> = Field {
    path: "HealthCheckGracePeriodSeconds",
    write: |p| json!(p.health_check_grace_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.health_check_grace_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const SERVICE: FieldMap<EcsServiceProps> = FieldMap {
    // AWS places a service's tasks without strategies unless told.
    unset: || EcsServiceProps {
        placement_strategies: Vec::new(),
        ..Default::default()
    },
    fields: &[
        &DESIRED_COUNT,
        &LAUNCH_TYPE,
        &MIN_HEALTHY_PERCENT,
        &MAX_PERCENT,
        &PLACEMENT_STRATEGY,
        &PLACEMENT_CONSTRAINT,
        &HEALTH_CHECK_GRACE,
    ],
};

pub(crate) const MIN_COUNT: Field<EcsServiceProps> = Field {
    path: "MinCapacity",
    write: |p| json!(p.min_count),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_COUNT: Field<EcsServiceProps> = Field {
    path: "MaxCapacity",
    write: |p| json!(p.max_count),
    read: None,
    write_back: false,
    sam_global: false,
};

/// A `RunsOn` connection: one item of a capacity provider strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunsOn {
    pub weight: u32,
    pub base: u32,
}

impl Default for RunsOn {
    fn default() -> Self {
        Self { weight: 1, base: 0 }
    }
}

pub(crate) const WEIGHT: Field<RunsOn> = Field {
    path: "Weight",
    write: |s| json!(s.weight),
    read: Some(|s, v| {
        if let Some(n) = u32_of(v) {
            s.weight = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Written when above 0.
pub(crate) const BASE: Field<RunsOn> = Field {
    path: "Base",
    write: |s| json!(s.base),
    read: Some(|s, v| {
        if let Some(n) = u32_of(v) {
            s.base = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const STRATEGY_ITEM: FieldMap<RunsOn> = FieldMap {
    unset: RunsOn::default,
    fields: &[&WEIGHT, &BASE],
};

/// A string, as the task definition schema has it.
pub(crate) const FAMILY: Field<TaskDefinitionProps> = Field {
    path: "Family",
    write: |p| json!(p.family),
    read: Some(|p, v| {
        if let Some(f) = v.as_str() {
            p.family = f.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const TASK_CPU: Field<TaskDefinitionProps> = Field {
    path: "Cpu",
    write: |p| json!(p.cpu.to_string()),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.cpu = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const TASK_MEMORY: Field<TaskDefinitionProps> = Field {
    path: "Memory",
    write: |p| json!(p.memory_mb.to_string()),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.memory_mb = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

const NETWORK_MODES: &[(NetworkMode, &str)] = &[
    (NetworkMode::Awsvpc, "awsvpc"),
    (NetworkMode::Bridge, "bridge"),
    (NetworkMode::Host, "host"),
    (NetworkMode::None, "none"),
];

pub(crate) const NETWORK_MODE: Field<TaskDefinitionProps> = Field {
    path: "NetworkMode",
    write: |p| json!(spelling(NETWORK_MODES, p.network_mode)),
    read: Some(|p, v| {
        if let Some(mode) = parse(NETWORK_MODES, v) {
            p.network_mode = mode;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Fargate only, with the Linux operating system family.
pub(crate) const RUNTIME_PLATFORM: Field<TaskDefinitionProps> = Field {
    path: "RuntimePlatform",
    write: |p| {
        json!({"CpuArchitecture": match p.architecture {
            Architecture::X86_64 => "X86_64",
            Architecture::Arm64 => "ARM64",
        }, "OperatingSystemFamily": "LINUX"})
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Fargate only, above the 20 GiB every task has.
pub(crate) const EPHEMERAL_STORAGE: Field<TaskDefinitionProps> = Field {
    path: "EphemeralStorage/SizeInGiB",
    write: |p| json!(p.ephemeral_storage_gb),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Every container with all its fields (export leaves out what is unset,
/// and adds images from the stack's repositories, environment variables
/// from connections and the log configuration).
pub(crate) const CONTAINERS: Field<TaskDefinitionProps> = Field {
    path: "ContainerDefinitions",
    write: |p| {
        json!(
            p.containers
                .iter()
                .map(|ct| {
                    let ct = with_host_ports(ct, p.network_mode);
                    let mut m = Map::new();
                    for f in CONTAINER.fields {
                        f.put(&mut m, &ct);
                    }
                    Value::Object(m)
                })
                .collect::<Vec<_>>()
        )
    },
    // Read after the network mode: awsvpc tasks have no host ports.
    read: Some(|p, v| {
        let Some(list) = v.as_array() else { return };
        p.containers = list
            .iter()
            .map(|c| match c {
                Value::Object(m) => CONTAINER.read(m),
                _ => (CONTAINER.unset)(),
            })
            .collect();
        if p.network_mode == NetworkMode::Awsvpc {
            for pm in p.containers.iter_mut().flat_map(|c| &mut c.port_mappings) {
                pm.host_port = None;
            }
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const TASK_DEFINITION: FieldMap<TaskDefinitionProps> = FieldMap {
    // An EC2 task without a network mode runs in bridge mode.
    unset: || TaskDefinitionProps {
        network_mode: NetworkMode::Bridge,
        ..Default::default()
    },
    fields: &[
        &FAMILY,
        &TASK_CPU,
        &TASK_MEMORY,
        &NETWORK_MODE,
        &RUNTIME_PLATFORM,
        &EPHEMERAL_STORAGE,
        &CONTAINERS,
    ],
};

/// The host port each mapping gets in `mode`: the container port (awsvpc
/// and host), or the fixed port, 0 for a dynamic one (bridge).
pub(crate) fn with_host_ports(ct: &ContainerDefinition, mode: NetworkMode) -> ContainerDefinition {
    let mut ct = ct.clone();
    for pm in &mut ct.port_mappings {
        pm.host_port = Some(match mode {
            NetworkMode::Awsvpc | NetworkMode::Host => pm.container_port,
            NetworkMode::Bridge | NetworkMode::None => pm.host_port.unwrap_or(0),
        });
    }
    ct
}

pub(crate) const CONTAINER_NAME: Field<ContainerDefinition> = Field {
    path: "Name",
    write: |c| json!(c.name),
    read: Some(|c, v| {
        if let Some(n) = v.as_str() {
            c.name = n.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Export names an image of the stack's repositories with its URI.
pub(crate) const IMAGE: Field<ContainerDefinition> = Field {
    path: "Image",
    write: |c| json!(c.image),
    read: Some(|c, v| {
        if let Some(i) = v.as_str() {
            c.image = i.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const ESSENTIAL: Field<ContainerDefinition> = Field {
    path: "Essential",
    write: |c| json!(c.essential),
    read: Some(|c, v| {
        if let Some(e) = v.as_bool() {
            c.essential = e;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const CONTAINER_CPU: Field<ContainerDefinition> = Field {
    path: "Cpu",
    write: |c| json!(c.cpu),
    read: Some(|c, v| c.cpu = u32_of(v).unwrap_or(0)),
    write_back: false,
    sam_global: false,
};

pub(crate) const CONTAINER_MEMORY: Field<ContainerDefinition> = Field {
    path: "Memory",
    write: |c| json!(c.memory_mb),
    read: Some(|c, v| c.memory_mb = u32_of(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const MEMORY_RESERVATION: Field<ContainerDefinition> = Field {
    path: "MemoryReservation",
    write: |c| json!(c.memory_reservation_mb),
    read: Some(|c, v| c.memory_reservation_mb = u32_of(v)),
    write_back: false,
    sam_global: false,
};

const PORT_PROTOCOLS: &[(PortProtocol, &str)] =
    &[(PortProtocol::Tcp, "tcp"), (PortProtocol::Udp, "udp")];

pub(crate) const PORT_MAPPINGS: Field<ContainerDefinition> = Field {
    path: "PortMappings",
    write: |c| {
        json!(
            c.port_mappings
                .iter()
                .map(|pm| {
                    let mut m = json!({"ContainerPort": pm.container_port});
                    if let Some(host) = pm.host_port {
                        m["HostPort"] = json!(host);
                    }
                    m["Protocol"] = json!(spelling(PORT_PROTOCOLS, pm.protocol));
                    m
                })
                .collect::<Vec<_>>()
        )
    },
    read: Some(|c, v| {
        let Some(list) = v.as_array() else { return };
        c.port_mappings = list
            .iter()
            .filter_map(|pm| {
                Some(PortMapping {
                    container_port: u16_of(pm.get("ContainerPort")?)?,
                    host_port: pm.get("HostPort").and_then(u16_of),
                    protocol: pm
                        .get("Protocol")
                        .and_then(|p| parse(PORT_PROTOCOLS, p))
                        .unwrap_or_default(),
                })
            })
            .collect();
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const GPUS: Field<ContainerDefinition> = Field {
    path: "ResourceRequirements",
    write: |c| json!([{"Type": "GPU", "Value": c.gpus.to_string()}]),
    read: Some(|c, v| {
        for r in v.as_array().into_iter().flatten() {
            if r.get("Type").and_then(Value::as_str) == Some("GPU") {
                c.gpus = r.get("Value").and_then(u32_of).unwrap_or(0);
            }
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The variables the user set; export adds those naming what the task's
/// services talk to.
pub(crate) const CONTAINER_ENVIRONMENT: Field<ContainerDefinition> = Field {
    path: "Environment",
    write: |c| {
        json!(
            c.environment
                .iter()
                .map(|(k, v)| environment_variable(k, json!(v)))
                .collect::<Vec<_>>()
        )
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Export writes a container's variables in this form too.
pub(crate) fn environment_variable(name: &str, value: Value) -> Value {
    json!({"Name": name, "Value": value})
}

pub(crate) const CONTAINER: FieldMap<ContainerDefinition> = FieldMap {
    unset: || ContainerDefinition {
        memory_mb: None,
        cpu: 0,
        port_mappings: Vec::new(),
        ..Default::default()
    },
    fields: &[
        &CONTAINER_NAME,
        &IMAGE,
        &ESSENTIAL,
        &CONTAINER_CPU,
        &CONTAINER_MEMORY,
        &MEMORY_RESERVATION,
        &PORT_MAPPINGS,
        &GPUS,
        &CONTAINER_ENVIRONMENT,
    ],
};

/// A task definition's properties; the containers' host ports follow the
/// network mode.
pub(crate) fn task_definition(p: &Map<String, Value>) -> TaskDefinitionProps {
    TASK_DEFINITION.read(p)
}

pub(crate) const SCALING_STATUS: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/Status",
    write: |p| {
        json!(if p.managed_scaling {
            "ENABLED"
        } else {
            "DISABLED"
        })
    },
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const TARGET_CAPACITY: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/TargetCapacity",
    write: |p| json!(p.target_capacity_percent),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MINIMUM_SCALING_STEP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/MinimumScalingStepSize",
    write: |p| json!(p.minimum_scaling_step),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAXIMUM_SCALING_STEP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/MaximumScalingStepSize",
    write: |p| json!(p.maximum_scaling_step),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const INSTANCE_WARMUP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/InstanceWarmupPeriod",
    write: |p| json!(p.instance_warmup_s),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const TERMINATION_PROTECTION: Field<Ec2CapacityProps> = Field {
    path: "ManagedTerminationProtection",
    write: |p| {
        json!(if p.managed_termination_protection {
            "ENABLED"
        } else {
            "DISABLED"
        })
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Within a capacity provider's `AutoScalingGroupProvider`. Import draws
/// a capacity provider with the model's defaults: none is read back yet.
pub(crate) const CAPACITY_PROVIDER: FieldMap<Ec2CapacityProps> = FieldMap {
    unset: Ec2CapacityProps::default,
    fields: &[
        &SCALING_STATUS,
        &TARGET_CAPACITY,
        &MINIMUM_SCALING_STEP,
        &MAXIMUM_SCALING_STEP,
        &INSTANCE_WARMUP,
        &TERMINATION_PROTECTION,
    ],
};

/// Sizes are strings in the Auto Scaling group's schema.
pub(crate) const MIN_SIZE: Field<Ec2CapacityProps> = Field {
    path: "MinSize",
    write: |p| json!(p.min_size.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_SIZE: Field<Ec2CapacityProps> = Field {
    path: "MaxSize",
    write: |p| json!(p.max_size.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Without managed scaling only: with it, ECS sets the desired capacity.
pub(crate) const DESIRED_CAPACITY: Field<Ec2CapacityProps> = Field {
    path: "DesiredCapacity",
    write: |p| json!(p.desired_capacity.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Managed termination protection needs instances protected from scale-in.
pub(crate) const SCALE_IN_PROTECTION: Field<Ec2CapacityProps> = Field {
    path: "NewInstancesProtectedFromScaleIn",
    write: |p| json!(p.managed_termination_protection),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const LAUNCH_INSTANCE_TYPE: Field<Ec2CapacityProps> = Field {
    path: "LaunchTemplateData/InstanceType",
    write: |p| json!(p.instance_type),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Spot instances only.
pub(crate) const MARKET_TYPE: Field<Ec2CapacityProps> = Field {
    path: "LaunchTemplateData/InstanceMarketOptions/MarketType",
    write: |p| if p.spot { json!("spot") } else { Value::Null },
    read: None,
    write_back: false,
    sam_global: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &CLUSTER,
            &EcsClusterProps {
                container_insights: true,
            },
        );
        round_trips(
            &SERVICE,
            &EcsServiceProps {
                desired_count: 4,
                launch_type: Some(LaunchType::Ec2),
                placement_strategies: vec![
                    PlacementStrategy {
                        kind: PlacementStrategyType::Binpack,
                        field: "memory".into(),
                    },
                    PlacementStrategy {
                        kind: PlacementStrategyType::Random,
                        field: String::new(),
                    },
                ],
                placement_constraints: vec![
                    PlacementConstraint {
                        kind: PlacementConstraintType::MemberOf,
                        expression: "attribute:ecs.instance-type =~ g4dn.*".into(),
                    },
                    PlacementConstraint {
                        kind: PlacementConstraintType::DistinctInstance,
                        expression: String::new(),
                    },
                ],
                health_check_grace_s: 120,
                min_healthy_percent: 50,
                max_percent: 150,
                ..Default::default()
            },
        );
        round_trips(&STRATEGY_ITEM, &RunsOn { weight: 3, base: 2 });
        let container = ContainerDefinition {
            name: "web".into(),
            image: "nginx:1.27".into(),
            cpu: 512,
            memory_mb: Some(1024),
            memory_reservation_mb: Some(256),
            port_mappings: vec![PortMapping {
                container_port: 53,
                host_port: Some(0),
                protocol: PortProtocol::Udp,
            }],
            essential: false,
            gpus: 1,
            ..Default::default()
        };
        round_trips(&CONTAINER, &container);
        for mode in [NetworkMode::Bridge, NetworkMode::Awsvpc, NetworkMode::Host] {
            round_trips(
                &TASK_DEFINITION,
                &TaskDefinitionProps {
                    family: "web".into(),
                    cpu: 1024,
                    memory_mb: 2048,
                    network_mode: mode,
                    containers: vec![container.clone()],
                    ..Default::default()
                },
            );
        }
    }
}
