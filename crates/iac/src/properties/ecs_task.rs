//! ECS task definitions: the field maps of [`TaskDefinitionProps`] and of
//! its containers.

use archsim_model::component::{
    Architecture, ContainerDefinition, NetworkMode, PortMapping, PortProtocol, TaskDefinitionProps,
};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u16_of, u32_of};

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

/// A string, as the task definition schema has it (`"256"`).
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

/// A string, like the CPU.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
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
