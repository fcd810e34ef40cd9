//! ECS task definitions: containers, task size, network mode, the
//! execution role, one task role per task definition and the log group.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::iam::trust;
use super::*;
use crate::ExportError;

impl<'a> Ctx<'a> {
    pub(super) fn task_of(&self, service: &str) -> Option<&'a Component> {
        self.d
            .outgoing(service)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::RunsTask) && to.kind() == K::TaskDefinition
            })
            .and_then(|(_, to)| self.d.component(&to.id))
    }

    pub(super) fn services_of_task(&self, task: &str) -> Vec<&'a Component> {
        self.d
            .incoming(task)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::RunsTask))
            .filter_map(|(_, s)| self.d.component(&s.id))
            .collect()
    }

    pub(super) fn on_fargate(&self, service: &str) -> bool {
        let caps: Vec<K> = self
            .d
            .outgoing(service)
            .iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::RunsOn { .. }))
            .map(|(_, to)| to.kind())
            .collect();
        match &self.d.component(service).map(|c| &c.props) {
            Some(Props::EcsService(p)) if p.launch_type == Some(LaunchType::Fargate) => true,
            Some(Props::EcsService(p)) if p.launch_type == Some(LaunchType::Ec2) => false,
            _ => {
                caps.is_empty()
                    || caps
                        .iter()
                        .all(|k| matches!(k, K::Fargate | K::FargateSpot))
            }
        }
    }

    pub(super) fn task_definition(
        &mut self,
        c: &'a Component,
        id: &str,
    ) -> Result<(), ExportError> {
        let Props::TaskDefinition(p) = &c.props else {
            return Ok(());
        };
        let services = self.services_of_task(&c.id);
        let fargate = services.is_empty() || services.iter().all(|s| self.on_fargate(&s.id));
        // Execution role: image pulls and logs only.
        let exec_comp = self.assumed_role(&c.id, RolePurpose::ExecutionRole);
        let exec = exec_comp
            .map(|r| self.id(&r.id))
            .unwrap_or_else(|| format!("{id}ExecutionRole"));
        if !self.resources.contains_key(&exec) {
            let mut arns = vec![managed("service-role/AmazonECSTaskExecutionRolePolicy")];
            arns.extend(self.role_extra_managed(exec_comp));
            self.add(
                exec.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": trust("ecs-tasks.amazonaws.com"), "ManagedPolicyArns": arns}}),
            );
        }
        // Task role: one per task definition, carrying the application's
        // permissions from its services' connections.
        let task_comp = self.assumed_role(&c.id, RolePurpose::TaskRole);
        let task_role = task_comp
            .map(|r| self.id(&r.id))
            .unwrap_or_else(|| format!("{id}TaskRole"));
        let mut stmts = Vec::new();
        for s in &services {
            stmts.extend(self.statements(&s.id));
        }
        stmts.extend(self.statements(&c.id));
        let mut role_props = json!({"AssumeRolePolicyDocument": trust("ecs-tasks.amazonaws.com")});
        let arns = self.role_extra_managed(task_comp);
        if !arns.is_empty() {
            role_props["ManagedPolicyArns"] = json!(arns);
        }
        if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
            role_props["Policies"] = json!([pol]);
        }
        match self.resources.get_mut(&task_role) {
            // A role shared by several task definitions collects all their
            // statements.
            Some(existing) => {
                if let Some(Value::Array(new)) = role_props.get("Policies") {
                    let policies = existing["Properties"]
                        .as_object_mut()
                        .map(|p| p.entry("Policies").or_insert_with(|| json!([])));
                    if let Some(Value::Array(list)) = policies {
                        list.extend(new.iter().cloned());
                    }
                }
            }
            None => self.add(
                task_role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": role_props}),
            ),
        }
        let log_group = format!("{id}LogGroup");
        self.add(
            log_group.clone(),
            json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                "LogGroupName": sub(&format!("/ecs/${{AWS::StackName}}/{}", p.family)), "RetentionInDays": 30}}),
        );
        let containers: Vec<Value> = p
            .containers
            .iter()
            .map(|ct| {
                let mut m = Map::new();
                m.insert("Name".into(), json!(ct.name));
                m.insert("Image".into(), self.image_of(&c.id, &ct.image));
                m.insert("Essential".into(), json!(ct.essential));
                if ct.cpu > 0 {
                    m.insert("Cpu".into(), json!(ct.cpu));
                }
                if let Some(mem) = ct.memory_mb {
                    m.insert("Memory".into(), json!(mem));
                }
                if let Some(mem) = ct.memory_reservation_mb {
                    m.insert("MemoryReservation".into(), json!(mem));
                }
                let ports: Vec<Value> = ct
                    .port_mappings
                    .iter()
                    .map(|pm| {
                        let host = match p.network_mode {
                            NetworkMode::Awsvpc | NetworkMode::Host => pm.container_port,
                            // Bridge mode: dynamic host ports unless fixed.
                            _ => pm.host_port.unwrap_or(0),
                        };
                        json!({"ContainerPort": pm.container_port, "HostPort": host,
                            "Protocol": match pm.protocol { archsim_model::component::PortProtocol::Tcp => "tcp", archsim_model::component::PortProtocol::Udp => "udp" }})
                    })
                    .collect();
                if !ports.is_empty() {
                    m.insert("PortMappings".into(), Value::Array(ports));
                }
                if ct.gpus > 0 {
                    m.insert(
                        "ResourceRequirements".into(),
                        json!([{"Type": "GPU", "Value": ct.gpus.to_string()}]),
                    );
                }
                let mut env: Vec<Value> = ct
                    .environment
                    .iter()
                    .map(|(k, v)| json!({"Name": k, "Value": v}))
                    .collect();
                for s in &services {
                    for (k, v) in self.env_for(&s.id) {
                        env.push(json!({"Name": k, "Value": v}));
                    }
                }
                if !env.is_empty() {
                    m.insert("Environment".into(), Value::Array(env));
                }
                m.insert(
                    "LogConfiguration".into(),
                    json!({"LogDriver": "awslogs", "Options": {
                        "awslogs-group": r(&log_group), "awslogs-region": r("AWS::Region"),
                        "awslogs-stream-prefix": ct.name}}),
                );
                Value::Object(m)
            })
            .collect();
        let mut props = Map::new();
        props.insert("Family".into(), json!(p.family));
        props.insert("Cpu".into(), json!(p.cpu.to_string()));
        props.insert("Memory".into(), json!(p.memory_mb.to_string()));
        props.insert(
            "NetworkMode".into(),
            json!(match p.network_mode {
                NetworkMode::Awsvpc => "awsvpc",
                NetworkMode::Bridge => "bridge",
                NetworkMode::Host => "host",
                NetworkMode::None => "none",
            }),
        );
        props.insert(
            "RequiresCompatibilities".into(),
            json!([if fargate { "FARGATE" } else { "EC2" }]),
        );
        if fargate {
            props.insert(
                "RuntimePlatform".into(),
                json!({"CpuArchitecture": match p.architecture { Architecture::X86_64 => "X86_64", Architecture::Arm64 => "ARM64" }, "OperatingSystemFamily": "LINUX"}),
            );
            if p.ephemeral_storage_gb > 20 {
                props.insert(
                    "EphemeralStorage".into(),
                    json!({"SizeInGiB": p.ephemeral_storage_gb}),
                );
            }
        }
        props.insert("ExecutionRoleArn".into(), ga(&exec, "Arn"));
        props.insert("TaskRoleArn".into(), ga(&task_role, "Arn"));
        props.insert("ContainerDefinitions".into(), Value::Array(containers));
        self.add(
            id.into(),
            json!({"Type": "AWS::ECS::TaskDefinition", "Properties": props}),
        );
        Ok(())
    }
}
