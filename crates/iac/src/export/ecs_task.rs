//! ECS task definitions: containers, task size, network mode, the
//! execution role, one task role per task definition and the log group.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::ExportError;
use crate::properties::ecs_task;

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

    /// Whether a service runs on Fargate: its launch type says so, or
    /// (without one) all the capacity it runs on is Fargate, or it names
    /// none.
    pub(super) fn on_fargate(&self, service: &Component) -> bool {
        let launch_type = match &service.props {
            Props::EcsService(p) => p.launch_type,
            Props::Client(_)
            | Props::ApiGateway(_)
            | Props::CloudFront(_)
            | Props::Alb(_)
            | Props::Nlb(_)
            | Props::Clb(_)
            | Props::Cognito(_)
            | Props::Lex(_)
            | Props::Alexa(_)
            | Props::S3Bucket(_)
            | Props::SqsQueue(_)
            | Props::SnsTopic(_)
            | Props::EventBridgeRule(_)
            | Props::EventBus(_)
            | Props::EventBridgePipe(_)
            | Props::KinesisStream(_)
            | Props::Firehose(_)
            | Props::DynamoDbTable(_)
            | Props::AuroraServerless(_)
            | Props::Rds(_)
            | Props::LambdaFunction(_)
            | Props::StepFunctions(_)
            | Props::Ec2Instance(_)
            | Props::EcsCluster(_)
            | Props::TaskDefinition(_)
            | Props::Fargate(_)
            | Props::FargateSpot(_)
            | Props::Ec2AutoScalingGroup(_)
            | Props::EksCluster(_)
            | Props::EksNodeGroup(_)
            | Props::EksFargateProfile(_)
            | Props::EksWorkload(_)
            | Props::EcrRepository(_)
            | Props::ExternalRegistry(_)
            | Props::IamRole(_)
            | Props::VpcEndpoint(_)
            | Props::Secret(_)
            | Props::Generic(_) => None,
        };
        match launch_type {
            Some(LaunchType::Fargate) => true,
            Some(LaunchType::Ec2) => false,
            None => self
                .d
                .outgoing(&service.id)
                .iter()
                .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::RunsOn { .. }))
                .all(|(_, to)| matches!(to.kind(), K::Fargate | K::FargateSpot)),
        }
    }

    /// The statement that lets a caller start a task definition's tasks
    /// with their roles (`ecs:RunTask`, CodeDeploy's task sets): passing
    /// the task role and the execution role (drawn, or the ones
    /// [`Self::task_definition`] writes) to ECS tasks only.
    pub(super) fn pass_task_roles(&self, task: &Component) -> Value {
        let tid = self.id(&task.id);
        let passed: Vec<Value> = [
            (RolePurpose::TaskRole, format!("{tid}TaskRole")),
            (RolePurpose::ExecutionRole, format!("{tid}ExecutionRole")),
        ]
        .into_iter()
        .map(|(purpose, fallback)| {
            let logical = self
                .assumed_role(&task.id, purpose)
                .map_or(fallback, |c| self.id(&c.id));
            ga(&logical, "Arn")
        })
        .collect();
        let mut pass = statement(&["iam:PassRole"], passed);
        pass["Condition"] =
            json!({"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}});
        pass
    }

    pub(super) fn task_definition(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &TaskDefinitionProps,
    ) -> Result<(), ExportError> {
        let services = self.services_of_task(&c.id);
        let fargate = services.is_empty() || services.iter().all(|s| self.on_fargate(s));
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
                ecs_task::CONTAINER_NAME.put(&mut m, ct);
                ecs_task::IMAGE.put_value(&mut m, self.image_of(&c.id, &ct.image));
                ecs_task::ESSENTIAL.put(&mut m, ct);
                if ct.cpu > 0 {
                    ecs_task::CONTAINER_CPU.put(&mut m, ct);
                }
                if ct.memory_mb.is_some() {
                    ecs_task::CONTAINER_MEMORY.put(&mut m, ct);
                }
                if ct.memory_reservation_mb.is_some() {
                    ecs_task::MEMORY_RESERVATION.put(&mut m, ct);
                }
                if !ct.port_mappings.is_empty() {
                    ecs_task::PORT_MAPPINGS
                        .put(&mut m, &ecs_task::with_host_ports(ct, p.network_mode));
                }
                if ct.gpus > 0 {
                    ecs_task::GPUS.put(&mut m, ct);
                }
                let mut env = match (ecs_task::CONTAINER_ENVIRONMENT.write)(ct) {
                    Value::Array(vars) => vars,
                    _ => Vec::new(),
                };
                for s in &services {
                    for (k, v) in self.env_for(&s.id) {
                        env.push(ecs_task::environment_variable(&k, v));
                    }
                }
                if !env.is_empty() {
                    ecs_task::CONTAINER_ENVIRONMENT.put_value(&mut m, Value::Array(env));
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
        ecs_task::FAMILY.put(&mut props, p);
        ecs_task::TASK_CPU.put(&mut props, p);
        ecs_task::TASK_MEMORY.put(&mut props, p);
        ecs_task::NETWORK_MODE.put(&mut props, p);
        props.insert(
            "RequiresCompatibilities".into(),
            json!([if fargate { "FARGATE" } else { "EC2" }]),
        );
        if fargate {
            ecs_task::RUNTIME_PLATFORM.put(&mut props, p);
            if p.ephemeral_storage_gb > 20 {
                ecs_task::EPHEMERAL_STORAGE.put(&mut props, p);
            }
        }
        props.insert("ExecutionRoleArn".into(), ga(&exec, "Arn"));
        props.insert("TaskRoleArn".into(), ga(&task_role, "Arn"));
        ecs_task::CONTAINERS.put_value(&mut props, Value::Array(containers));
        self.add(
            id.into(),
            json!({"Type": "AWS::ECS::TaskDefinition", "Properties": props}),
        );
        Ok(())
    }
}
