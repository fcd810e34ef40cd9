//! Typed properties read from a resource's CloudFormation properties, for
//! the kinds where the template says more than the AWS defaults. Values
//! given as intrinsics (`!Ref Param`) keep the default: the design shows
//! what is known, the kept template keeps what was written.

use archsim_model::Props;
use archsim_model::component::{
    CapacityType, ContainerDefinition, DynamoDbBilling, EcrRepositoryProps, EcsServiceProps,
    EksClusterProps, EksFargateProfileProps, EksNodeGroupProps, Listener, ListenerProtocol,
    LoadBalancerProps, NetworkMode, PlacementConstraint, PlacementConstraintType,
    PlacementStrategy, PlacementStrategyType, PortMapping, PortProtocol, Scheme, StreamMode,
    TagMutability, TaskDefinitionProps,
};
use serde_json::{Map, Value};

fn u32_of(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn str_of<'a>(p: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

/// Properties for `ty`, or `None` when this module does not read it.
pub fn read(
    ty: &str,
    p: &Map<String, Value>,
    logical: &str,
    resources: &Map<String, Value>,
) -> Option<Props> {
    Some(match ty {
        "AWS::ECS::Service" => {
            let mut s = EcsServiceProps::default();
            if let Some(n) = u32_of(p.get("DesiredCount")) {
                s.desired_count = n;
                s.min_count = s.min_count.min(n);
                s.max_count = s.max_count.max(n);
            }
            s.launch_type = match str_of(p, "LaunchType") {
                Some("FARGATE") => Some(archsim_model::component::LaunchType::Fargate),
                Some("EC2") => Some(archsim_model::component::LaunchType::Ec2),
                _ => None,
            };
            if let Some(Value::Array(list)) = p.get("PlacementStrategies") {
                s.placement_strategies = list
                    .iter()
                    .filter_map(|st| {
                        let kind = match st.get("Type")?.as_str()? {
                            "binpack" => PlacementStrategyType::Binpack,
                            "spread" => PlacementStrategyType::Spread,
                            "random" => PlacementStrategyType::Random,
                            _ => return None,
                        };
                        let field = st.get("Field").and_then(Value::as_str).unwrap_or_default();
                        Some(PlacementStrategy {
                            kind,
                            field: field.into(),
                        })
                    })
                    .collect();
            } else {
                s.placement_strategies = Vec::new();
            }
            if let Some(Value::Array(list)) = p.get("PlacementConstraints") {
                s.placement_constraints = list
                    .iter()
                    .filter_map(|c| {
                        let kind = match c.get("Type")?.as_str()? {
                            "distinctInstance" => PlacementConstraintType::DistinctInstance,
                            "memberOf" => PlacementConstraintType::MemberOf,
                            _ => return None,
                        };
                        let expression = c
                            .get("Expression")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        Some(PlacementConstraint {
                            kind,
                            expression: expression.into(),
                        })
                    })
                    .collect();
            }
            if let Some(d) = p.get("DeploymentConfiguration") {
                if let Some(n) = u32_of(d.get("MinimumHealthyPercent")) {
                    s.min_healthy_percent = n;
                }
                if let Some(n) = u32_of(d.get("MaximumPercent")) {
                    s.max_percent = n;
                }
            }
            if let Some(n) = u32_of(p.get("HealthCheckGracePeriodSeconds")) {
                s.health_check_grace_s = n;
            }
            Props::EcsService(s)
        }
        "AWS::ECS::TaskDefinition" => {
            let mut t = TaskDefinitionProps::default();
            if let Some(f) = str_of(p, "Family") {
                t.family = f.into();
            }
            if let Some(c) = u32_of(p.get("Cpu")) {
                t.cpu = c;
            }
            if let Some(m) = u32_of(p.get("Memory")) {
                t.memory_mb = m;
            }
            t.network_mode = match str_of(p, "NetworkMode") {
                Some("bridge") => NetworkMode::Bridge,
                Some("host") => NetworkMode::Host,
                Some("none") => NetworkMode::None,
                Some("awsvpc") => NetworkMode::Awsvpc,
                // EC2 tasks default to bridge; Fargate requires awsvpc.
                _ => NetworkMode::Bridge,
            };
            if let Some(Value::Array(containers)) = p.get("ContainerDefinitions") {
                t.containers = containers
                    .iter()
                    .map(|c| container(c, t.network_mode))
                    .collect();
            }
            Props::TaskDefinition(t)
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let mut lb = LoadBalancerProps {
                scheme: match str_of(p, "Scheme") {
                    Some("internal") => Scheme::Internal,
                    _ => Scheme::InternetFacing,
                },
                ..Default::default()
            };
            // Listeners are separate resources naming this load balancer.
            let listeners: Vec<Listener> = resources
                .values()
                .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
                .filter_map(|r| r.get("Properties"))
                .filter(|lp| {
                    lp.get("LoadBalancerArn")
                        .and_then(|a| a.get("Ref"))
                        .and_then(Value::as_str)
                        == Some(logical)
                })
                .filter_map(|lp| {
                    Some(Listener {
                        port: u32_of(lp.get("Port")).and_then(|p| u16::try_from(p).ok())?,
                        protocol: match lp.get("Protocol").and_then(Value::as_str) {
                            Some("HTTPS") => ListenerProtocol::Https,
                            Some("TCP") => ListenerProtocol::Tcp,
                            Some("UDP") => ListenerProtocol::Udp,
                            Some("TLS") => ListenerProtocol::Tls,
                            _ => ListenerProtocol::Http,
                        },
                    })
                })
                .collect();
            if !listeners.is_empty() {
                lb.listeners = listeners;
            }
            if str_of(p, "Type") == Some("network") {
                Props::Nlb(lb)
            } else {
                Props::Alb(lb)
            }
        }
        "AWS::ECR::Repository" => {
            let mut r = EcrRepositoryProps {
                scan_on_push: p
                    .get("ImageScanningConfiguration")
                    .and_then(|s| s.get("ScanOnPush"))
                    == Some(&Value::Bool(true)),
                tag_mutability: match str_of(p, "ImageTagMutability") {
                    Some("IMMUTABLE") => TagMutability::Immutable,
                    _ => TagMutability::Mutable,
                },
                ..Default::default()
            };
            let lifecycle = p
                .get("LifecyclePolicy")
                .and_then(|l| l.get("LifecyclePolicyText"))
                .and_then(Value::as_str)
                .and_then(|t| serde_json::from_str::<Value>(t).ok());
            if let Some(n) = lifecycle
                .as_ref()
                .and_then(|l| u32_of(l.pointer("/rules/0/selection/countNumber")))
            {
                r.keep_images = n;
            }
            Props::EcrRepository(r)
        }
        "AWS::EKS::Cluster" => {
            let mut c = EksClusterProps::default();
            if let Some(v) = str_of(p, "Version") {
                c.version = v.into();
            }
            if let Some(Value::Bool(b)) = p
                .get("ResourcesVpcConfig")
                .and_then(|v| v.get("EndpointPublicAccess"))
            {
                c.endpoint_public = *b;
            }
            Props::EksCluster(c)
        }
        "AWS::EKS::Nodegroup" => {
            let mut n = EksNodeGroupProps::default();
            if let Some(t) = p
                .get("InstanceTypes")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
            {
                n.instance_type = t.into();
            }
            if let Some(s) = p.get("ScalingConfig") {
                n.min_size = u32_of(s.get("MinSize")).unwrap_or(n.min_size);
                n.max_size = u32_of(s.get("MaxSize")).unwrap_or(n.max_size);
                n.desired_size = u32_of(s.get("DesiredSize")).unwrap_or(n.desired_size);
            }
            if str_of(p, "CapacityType") == Some("SPOT") {
                n.capacity_type = CapacityType::Spot;
            }
            Props::EksNodeGroup(n)
        }
        "AWS::EKS::FargateProfile" => {
            let mut f = EksFargateProfileProps::default();
            if let Some(sel) = p.get("Selectors").and_then(|s| s.get(0)) {
                if let Some(ns) = sel.get("Namespace").and_then(Value::as_str) {
                    f.namespace = ns.into();
                }
                if let Some(Value::Array(labels)) = sel.get("Labels") {
                    for l in labels {
                        if let (Some(k), Some(v)) = (
                            l.get("Key").and_then(Value::as_str),
                            l.get("Value").and_then(Value::as_str),
                        ) {
                            f.labels.insert(k.into(), v.into());
                        }
                    }
                }
            }
            Props::EksFargateProfile(f)
        }
        "AWS::DynamoDB::Table" => {
            let mut t = archsim_model::component::DynamoDbTableProps::default();
            if let Some(Value::Array(keys)) = p.get("KeySchema") {
                for k in keys {
                    let name = k
                        .get("AttributeName")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    match k.get("KeyType").and_then(Value::as_str) {
                        Some("HASH") => t.partition_key = name.into(),
                        Some("RANGE") => t.sort_key = name.into(),
                        _ => {}
                    }
                }
            }
            if str_of(p, "BillingMode") != Some("PAY_PER_REQUEST")
                && p.contains_key("ProvisionedThroughput")
            {
                t.billing = DynamoDbBilling::Provisioned;
                let pt = p.get("ProvisionedThroughput");
                t.read_capacity =
                    u32_of(pt.and_then(|x| x.get("ReadCapacityUnits"))).unwrap_or(t.read_capacity);
                t.write_capacity = u32_of(pt.and_then(|x| x.get("WriteCapacityUnits")))
                    .unwrap_or(t.write_capacity);
            }
            if let Some(view) = p
                .get("StreamSpecification")
                .and_then(|s| s.get("StreamViewType"))
            {
                t.stream = serde_json::from_value(view.clone()).ok();
            }
            Props::DynamoDbTable(t)
        }
        "AWS::Kinesis::Stream" => {
            let mut k = archsim_model::component::KinesisStreamProps::default();
            if let Some(n) = u32_of(p.get("ShardCount")) {
                k.shards = n;
            }
            if let Some(n) = u32_of(p.get("RetentionPeriodHours")) {
                k.retention_hours = n;
            }
            if p.get("StreamModeDetails")
                .and_then(|m| m.get("StreamMode"))
                .and_then(Value::as_str)
                == Some("ON_DEMAND")
            {
                k.mode = StreamMode::OnDemand;
            }
            Props::KinesisStream(k)
        }
        "AWS::S3::Bucket" => {
            let mut b = archsim_model::component::S3BucketProps {
                versioning: p
                    .get("VersioningConfiguration")
                    .and_then(|v| v.get("Status"))
                    .and_then(Value::as_str)
                    == Some("Enabled"),
                ..Default::default()
            };
            let lambda = p
                .get("NotificationConfiguration")
                .and_then(|n| n.get("LambdaConfigurations"))
                .and_then(|l| l.get(0));
            if let Some(cfg) = lambda {
                if let Some(e) = cfg.get("Event").and_then(Value::as_str) {
                    b.events = vec![e.into()];
                }
                if let Some(Value::Array(rules)) = cfg.pointer("/Filter/S3Key/Rules") {
                    for r in rules {
                        let value = r.get("Value").and_then(Value::as_str).unwrap_or_default();
                        match r.get("Name").and_then(Value::as_str) {
                            Some("prefix") => b.prefix = value.into(),
                            Some("suffix") => b.suffix = value.into(),
                            _ => {}
                        }
                    }
                }
            }
            Props::S3Bucket(b)
        }
        _ => return None,
    })
}

fn container(c: &Value, mode: NetworkMode) -> ContainerDefinition {
    let mut d = ContainerDefinition {
        name: c
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or("app")
            .into(),
        memory_mb: None,
        cpu: 0,
        port_mappings: Vec::new(),
        ..Default::default()
    };
    if let Some(i) = c.get("Image").and_then(Value::as_str) {
        d.image = i.into();
    }
    d.cpu = u32_of(c.get("Cpu")).unwrap_or(0);
    d.memory_mb = u32_of(c.get("Memory"));
    d.memory_reservation_mb = u32_of(c.get("MemoryReservation"));
    if let Some(Value::Bool(e)) = c.get("Essential") {
        d.essential = *e;
    }
    if let Some(Value::Array(ports)) = c.get("PortMappings") {
        d.port_mappings = ports
            .iter()
            .filter_map(|pm| {
                let container_port =
                    u32_of(pm.get("ContainerPort")).and_then(|p| u16::try_from(p).ok())?;
                let host_port = u32_of(pm.get("HostPort")).and_then(|p| u16::try_from(p).ok());
                Some(PortMapping {
                    container_port,
                    host_port: if mode == NetworkMode::Awsvpc {
                        None
                    } else {
                        host_port
                    },
                    protocol: match pm.get("Protocol").and_then(Value::as_str) {
                        Some("udp") => PortProtocol::Udp,
                        _ => PortProtocol::Tcp,
                    },
                })
            })
            .collect();
    }
    if let Some(Value::Array(reqs)) = c.get("ResourceRequirements") {
        for r in reqs {
            if r.get("Type").and_then(Value::as_str) == Some("GPU") {
                d.gpus = u32_of(r.get("Value")).unwrap_or(0);
            }
        }
    }
    d
}
