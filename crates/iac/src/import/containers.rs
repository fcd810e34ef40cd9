//! The connections of containers and instances a template implies: the
//! ECS cluster another stack exports, a service's capacity, images from
//! outside registries, the roles of instances (through their instance
//! profiles) and what a service's tasks do (their task role's policies).

use super::*;

impl Importer<'_> {
    /// The name a `Fn::ImportValue` imports, parameters read as their
    /// defaults (`!Join [':', [!Ref StackName, ClusterName]]` ->
    /// `fargate:ClusterName`), other variables (`${AWS::StackName}`) kept
    /// as written; `None` when it is not an import or its name cannot be
    /// spelled out.
    pub(super) fn import_name(&self, v: &Value) -> Option<String> {
        super::stacks::spelled(
            v.get("Fn::ImportValue")?,
            self.parsed.value.get("Parameters"),
            "${AWS::StackName}",
        )
    }

    pub(super) fn imported_cluster_id(&self, props: &Value) -> Option<String> {
        let name = self.import_name(props.get("Cluster")?)?;
        Some(format!("Imported{}", crate::names::camel(&name)))
    }

    /// A service whose cluster another stack exports (`Cluster:
    /// !ImportValue ...`) runs in that cluster: drawn as a cluster of its
    /// own, named by the export and not written back, with the service
    /// in its group.
    pub(super) fn imported_cluster(&mut self, service: &str, props: &Value) {
        let (Some(id), Some(name)) = (
            self.imported_cluster_id(props),
            props.get("Cluster").and_then(|c| self.import_name(c)),
        ) else {
            return;
        };
        let cluster = Props::EcsCluster(crate::properties::ecs::CLUSTER.read(&Map::new()));
        let id = self.synthetic(&id, &format!("{name} (another stack)"), cluster, service);
        // Say which export it is, in the line `synthetic` wrote.
        let drawn = format!("{id} (named by {service}) -> ");
        if let Some(line) = self
            .report
            .mapped
            .iter_mut()
            .find(|l| l.starts_with(&drawn))
        {
            *line = line.replace(
                &drawn,
                &format!(
                    "{id} (named by {service}'s Cluster: Fn::ImportValue {name}, another \
                     stack's export) -> "
                ),
            );
        }
        self.cluster_members
            .entry(id)
            .or_default()
            .insert(service.to_string());
    }

    /// RunsOn connections from a service's capacity provider strategy or
    /// launch type.
    pub(super) fn service_capacity(&mut self, service: &str, props: &Value) {
        let cluster = props
            .get("Cluster")
            .and_then(ref_target)
            .map(str::to_string)
            .or_else(|| self.imported_cluster_id(props));
        let prefix = cluster.clone().unwrap_or_else(|| "Default".into());
        let mut targets: Vec<(String, u32, u32)> = Vec::new();
        if let Some(Value::Array(strategy)) = props.get("CapacityProviderStrategy") {
            for item in strategy {
                let RunsOn { weight, base } = item
                    .as_object()
                    .map(|i| ecs::STRATEGY_ITEM.read(i))
                    .unwrap_or_default();
                let provider = item.get("CapacityProvider");
                let target = match provider.and_then(Value::as_str) {
                    Some("FARGATE") => Some(self.synthetic(
                        &format!("{prefix}Fargate"),
                        "Fargate",
                        Props::Fargate(Default::default()),
                        service,
                    )),
                    Some("FARGATE_SPOT") => Some(self.synthetic(
                        &format!("{prefix}FargateSpot"),
                        "Fargate Spot",
                        Props::FargateSpot(Default::default()),
                        service,
                    )),
                    _ => provider.and_then(ref_target).and_then(|p| self.comp(p)),
                };
                if let Some(t) = target {
                    targets.push((t, weight, base));
                }
            }
        } else if ecs::LAUNCH_TYPE
            .in_value(props)
            .and_then(ecs::parse_launch_type)
            != Some(LaunchType::Ec2)
        {
            let t = self.synthetic(
                &format!("{prefix}Fargate"),
                "Fargate",
                Props::Fargate(Default::default()),
                service,
            );
            targets.push((t, 1, 0));
        }
        for (t, weight, base) in targets {
            self.connect(
                service,
                &t,
                ConnectionKind::RunsOn { weight, base },
                "capacity provider strategy",
            );
            if let Some(c) = &cluster {
                self.cluster_members.entry(c.clone()).or_default().insert(t);
            }
        }
    }

    /// Images from outside this template's ECR repositories: one external
    /// registry component per host.
    pub(super) fn external_images(&mut self, task: &str, props: &Value) {
        // An image given by a parameter is its default's.
        let props = &self.defaults(props, None, &mut BTreeSet::new());
        let Some(Value::Array(containers)) = ecs_task::CONTAINERS.in_value(props) else {
            return;
        };
        for c in containers {
            let image = match ecs_task::IMAGE.in_value(c) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => serde_json::to_string(other).unwrap_or_default(),
                None => continue,
            };
            let first = image
                .trim_start_matches(['{', '"'])
                .split('/')
                .next()
                .unwrap_or_default();
            let host = if image.contains('/') && first.contains('.') {
                first.split(':').next().unwrap_or(first).to_string()
            } else {
                "docker.io".to_string()
            };
            let id = format!("Registry{}", crate::names::camel(&host));
            let props = Props::ExternalRegistry(archsim_model::component::ExternalRegistryProps {
                host: host.clone(),
                requires_credentials: c.get("RepositoryCredentials").is_some(),
            });
            let id = self.synthetic(&id, &host, props, task);
            self.connect(task, &id, ConnectionKind::PullsImage, "container image");
        }
    }

    /// Capacity provider -> ASG -> launch template -> instance profile ->
    /// role.
    pub(super) fn instance_role(&mut self, provider: &str, props: &Value) {
        let resources = self.resources();
        let profile = props
            .get("AutoScalingGroupProvider")
            .and_then(|p| p.get("AutoScalingGroupArn"))
            .and_then(ref_target)
            .and_then(|asg| resources.get(asg))
            .and_then(|asg| {
                asg.get("Properties")?
                    .get("LaunchTemplate")?
                    .get("LaunchTemplateId")
            })
            .and_then(ref_target)
            .and_then(|lt| resources.get(lt))
            .and_then(|lt| {
                lt.get("Properties")?
                    .get("LaunchTemplateData")?
                    .get("IamInstanceProfile")?
                    .get("Arn")
            });
        if let Some(role) = self.profile_role(profile) {
            self.connect(
                provider,
                &role,
                ConnectionKind::AssumesRole,
                "launch template instance profile",
            );
        }
    }

    /// The role drawn for an instance profile `profile` refers to (its
    /// one role).
    pub(super) fn profile_role(&self, profile: Option<&Value>) -> Option<String> {
        self.comp(&self.profile_role_logical(profile)?)
    }

    /// The role of the template an instance profile `profile` refers to
    /// (its one role), drawn or not.
    pub(super) fn profile_role_logical(&self, profile: Option<&Value>) -> Option<String> {
        let resources = self.resources();
        profile
            .and_then(ref_target)
            .and_then(|profile| resources.get(profile))
            .and_then(|p| p.get("Properties")?.get("Roles")?.as_array()?.first())
            .and_then(ref_target)
            .map(str::to_string)
    }

    /// What a service's tasks do, from their task role's policies: a
    /// queue they may receive from is one the service's workers poll
    /// (with, as further evidence, its URL in a container's environment
    /// and a scaling policy on its depth); tables and buckets they may
    /// read or write are used; queues, topics, streams they may send to
    /// are published to.
    pub(super) fn task_role(&mut self, service: &str, task: &str) {
        let Some(td) = self.props(task) else {
            return;
        };
        let Some(role) = td.get("TaskRoleArn").and_then(ref_target) else {
            return;
        };
        let grants = self.role_grants(role);
        let mut in_env = BTreeSet::new();
        if let Some(Value::Array(containers)) = ecs_task::CONTAINERS.get(td) {
            for c in containers {
                references(
                    ecs_task::CONTAINER_ENVIRONMENT
                        .in_value(c)
                        .unwrap_or(&Value::Null),
                    &mut in_env,
                );
            }
        }
        // Scaling policies whose metric names a queue (by its name or
        // a reference to it).
        let mut scaled_on = BTreeSet::new();
        for res in self.resources().values() {
            if res["Type"].as_str() != Some("AWS::ApplicationAutoScaling::ScalingPolicy") {
                continue;
            }
            let text = res.to_string();
            if text.contains("ApproximateNumberOfMessages") {
                references(res, &mut scaled_on);
            }
        }
        for (r, (grant, evidence)) in &grants.0 {
            let (Some(kind), Some(target)) = (self.kind_of(r), self.comp(r)) else {
                continue;
            };
            let evidence: Vec<&str> = evidence.iter().map(String::as_str).collect();
            let mut why = format!("{task} task role {role}: {}", evidence.join("; "));
            if kind == K::SqsQueue && grant.receive {
                if in_env.contains(r) {
                    why.push_str(&format!("; {r} is in the container environment"));
                }
                if scaled_on.contains(r) {
                    why.push_str(&format!("; the service scales on {r}'s depth"));
                }
                self.connect(&target, service, Meaning::Poll.default_kind(), &why);
            }
            if let Some(conn) = integrations::grant_connection(K::EcsService, kind, *grant) {
                self.connect(service, &target, conn, &why);
            }
        }
    }
}
