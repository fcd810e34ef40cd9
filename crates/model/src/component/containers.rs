//! Container properties: ECS clusters, services, task definitions and
//! their containers, Fargate and EC2 capacity, EKS clusters, node groups,
//! Fargate profiles and workloads.

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EcsClusterProps {
    pub container_insights: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LaunchType {
    Fargate,
    Ec2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStrategyType {
    Binpack,
    Spread,
    Random,
}

/// One placement strategy; strategies apply in order, each breaking the
/// previous one's ties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementStrategy {
    #[serde(rename = "type")]
    pub kind: PlacementStrategyType,
    /// `cpu`/`memory` for binpack, `instanceId` or an attribute for spread.
    #[serde(default)]
    pub field: String,
}

impl PlacementStrategy {
    pub fn spread_zones() -> Self {
        Self {
            kind: PlacementStrategyType::Spread,
            field: "attribute:ecs.availability-zone".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PlacementConstraintType {
    DistinctInstance,
    MemberOf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementConstraint {
    #[serde(rename = "type")]
    pub kind: PlacementConstraintType,
    /// Cluster query language, for `memberOf`.
    #[serde(default)]
    pub expression: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMetric {
    CpuUtilization,
    MemoryUtilization,
    /// ALB requests per target per minute.
    AlbRequestCountPerTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingPolicy {
    pub metric: ScalingMetric,
    pub target: f64,
    #[serde(default = "default_cooldown")]
    pub scale_out_cooldown_s: u32,
    #[serde(default = "default_cooldown")]
    pub scale_in_cooldown_s: u32,
}

fn default_cooldown() -> u32 {
    300
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAdjustment {
    /// Lower bound of the metric above the alarm threshold.
    pub lower_bound: f64,
    pub adjustment: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepScalingPolicy {
    pub metric: ScalingMetric,
    pub alarm_threshold: f64,
    pub steps: Vec<StepAdjustment>,
    #[serde(default = "default_cooldown")]
    pub cooldown_s: u32,
}

/// Service auto scaling: scale out if any policy asks, in only if all do.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceAutoScaling {
    pub target_tracking: Vec<TargetTrackingPolicy>,
    pub step: Vec<StepScalingPolicy>,
}

/// An ECS service. Its task definition is a `RunsTask` connection, its
/// capacity (launch type or capacity provider strategy) the `RunsOn`
/// connections, its cluster the group it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EcsServiceProps {
    pub desired_count: u32,
    pub min_count: u32,
    pub max_count: u32,
    /// `None`: the capacity provider strategy given by `RunsOn` weights.
    pub launch_type: Option<LaunchType>,
    pub placement_strategies: Vec<PlacementStrategy>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub autoscaling: Option<ServiceAutoScaling>,
    /// Requests one task serves at once; more wait in its queue.
    pub workers_per_task: u32,
    pub work: Work,
    /// Application start after the image is pulled.
    pub app_start_s: f64,
    pub health_check_grace_s: u32,
    pub min_healthy_percent: u32,
    pub max_percent: u32,
    /// The deployment circuit breaker: stops a rolling deployment whose
    /// tasks keep failing to start, and rolls it back.
    #[serde(skip_serializing_if = "CircuitBreaker::is_default")]
    pub circuit_breaker: CircuitBreaker,
    /// Who deploys new versions: ECS's rolling update (the minimum and
    /// maximum percent, the circuit breaker) or CodeDeploy's blue/green.
    #[serde(skip_serializing_if = "DeploymentController::is_ecs")]
    pub deployment_controller: DeploymentController,
}

/// An ECS service's deployment controller.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeploymentController {
    /// Rolling update by ECS (`DeploymentController: ECS`).
    #[default]
    Ecs,
    /// Blue/green through CodeDeploy (`CODE_DEPLOY`): a new (green) task
    /// set starts beside the old (blue) one behind a second target group,
    /// traffic moves between the listener's two target groups as the
    /// traffic shift says, and the blue set stops after the termination
    /// wait. Needs a load balancer.
    CodeDeploy(BlueGreen),
}

impl DeploymentController {
    pub fn is_ecs(&self) -> bool {
        *self == Self::Ecs
    }
}

/// CodeDeploy's blue/green deployment of an ECS service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BlueGreen {
    /// How production traffic moves to the green task set (CodeDeploy's
    /// `CodeDeployDefault.ECSCanary10Percent5Minutes`, ...).
    pub traffic_shift: TrafficShift,
    /// Minutes the blue task set keeps running after all traffic moved,
    /// for a quick rollback (`TerminationWaitTimeInMinutes`, 0-2,880).
    pub termination_wait_min: u32,
    /// The test listener's port: the green task set answers there before
    /// production traffic moves (`None`: no test listener).
    pub test_listener_port: Option<u16>,
}

impl Default for BlueGreen {
    fn default() -> Self {
        Self {
            traffic_shift: TrafficShift::AllAtOnce,
            termination_wait_min: 5,
            test_listener_port: Some(8443),
        }
    }
}

impl BlueGreen {
    /// CodeDeploy's name of the ECS deployment configuration: its own for
    /// the predefined ones (`ECSAllAtOnce`, `ECSCanary10Percent5Minutes`,
    /// `ECSLinear10PercentEvery1Minutes`), the same pattern for a custom
    /// one.
    pub fn config_name(&self) -> String {
        match self.traffic_shift {
            TrafficShift::AllAtOnce => "ECSAllAtOnce".into(),
            TrafficShift::Canary {
                percent,
                interval_min,
            } => format!("ECSCanary{percent}Percent{interval_min}Minutes"),
            TrafficShift::Linear {
                percent,
                interval_min,
            } => format!("ECSLinear{percent}PercentEvery{interval_min}Minutes"),
        }
    }

    /// Whether CodeDeploy predefines this configuration for ECS.
    pub fn is_predefined(&self) -> bool {
        match self.traffic_shift {
            TrafficShift::AllAtOnce => true,
            TrafficShift::Canary {
                percent,
                interval_min,
            } => percent == 10 && [5, 15].contains(&interval_min),
            TrafficShift::Linear {
                percent,
                interval_min,
            } => percent == 10 && [1, 3].contains(&interval_min),
        }
    }

    /// Reads a configuration name back ([`BlueGreen::config_name`]'s
    /// inverse), with or without the `CodeDeployDefault.` prefix.
    pub fn shift_from_name(name: &str) -> Option<TrafficShift> {
        let name = name.strip_prefix("CodeDeployDefault.").unwrap_or(name);
        let rest = name.strip_prefix("ECS")?;
        if rest == "AllAtOnce" {
            return Some(TrafficShift::AllAtOnce);
        }
        let number = |s: &str| -> Option<(u32, String)> {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            Some((digits.parse().ok()?, s[digits.len()..].to_string()))
        };
        if let Some(r) = rest.strip_prefix("Canary") {
            let (percent, r) = number(r)?;
            let (interval_min, r) = number(r.strip_prefix("Percent")?)?;
            return (r == "Minutes").then_some(TrafficShift::Canary {
                percent,
                interval_min,
            });
        }
        let r = rest.strip_prefix("Linear")?;
        let (percent, r) = number(r)?;
        let (interval_min, r) = number(r.strip_prefix("PercentEvery")?)?;
        (r == "Minutes").then_some(TrafficShift::Linear {
            percent,
            interval_min,
        })
    }
}

/// ECS's deployment circuit breaker (on, with rollback, unless set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CircuitBreaker {
    pub enable: bool,
    /// Roll back to the last completed deployment when it trips.
    pub rollback: bool,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self {
            enable: true,
            rollback: true,
        }
    }
}

impl CircuitBreaker {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl Default for EcsServiceProps {
    fn default() -> Self {
        Self {
            desired_count: 2,
            min_count: 1,
            max_count: 10,
            launch_type: None,
            placement_strategies: vec![PlacementStrategy::spread_zones()],
            placement_constraints: Vec::new(),
            autoscaling: None,
            workers_per_task: 8,
            work: Work::default(),
            app_start_s: 5.0,
            health_check_grace_s: 60,
            min_healthy_percent: 100,
            max_percent: 200,
            circuit_breaker: CircuitBreaker::default(),
            deployment_controller: DeploymentController::Ecs,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NetworkMode {
    #[default]
    Awsvpc,
    Bridge,
    Host,
    None,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PortProtocol {
    #[default]
    Tcp,
    Udp,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PortMapping {
    pub container_port: u16,
    /// `None` or 0 in bridge mode: a dynamic port (49153-65535).
    pub host_port: Option<u16>,
    pub protocol: PortProtocol,
}

impl PortMapping {
    pub fn is_static_host_port(&self) -> bool {
        self.host_port.is_some_and(|p| p != 0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContainerDefinition {
    pub name: String,
    /// Repository and tag (`orders:1.4.2`, `nginx:1.27`); the registry is
    /// the `PullsImage` connection of the task definition.
    pub image: String,
    pub image_size_mb: f64,
    /// CPU units (1,024 = 1 vCPU).
    pub cpu: u32,
    /// Hard memory limit, MiB.
    pub memory_mb: Option<u32>,
    pub memory_reservation_mb: Option<u32>,
    pub port_mappings: Vec<PortMapping>,
    pub essential: bool,
    pub gpus: u32,
    pub environment: std::collections::BTreeMap<String, String>,
}

impl Default for ContainerDefinition {
    fn default() -> Self {
        Self {
            name: "app".into(),
            image: "app:latest".into(),
            image_size_mb: 200.0,
            cpu: 256,
            memory_mb: Some(512),
            memory_reservation_mb: None,
            port_mappings: vec![PortMapping {
                container_port: 8080,
                host_port: None,
                protocol: PortProtocol::Tcp,
            }],
            essential: true,
            gpus: 0,
            environment: Default::default(),
        }
    }
}

/// A task definition: task size, network mode and containers. Its task
/// role and execution role are `AssumesRole` connections to IAM roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TaskDefinitionProps {
    pub family: String,
    /// Task CPU units (1,024 = 1 vCPU).
    pub cpu: u32,
    /// Task memory, MiB.
    pub memory_mb: u32,
    pub network_mode: NetworkMode,
    pub architecture: Architecture,
    pub ephemeral_storage_gb: u32,
    pub containers: Vec<ContainerDefinition>,
}

impl Default for TaskDefinitionProps {
    fn default() -> Self {
        Self {
            family: "app".into(),
            cpu: 256,
            memory_mb: 512,
            network_mode: NetworkMode::Awsvpc,
            architecture: Architecture::X86_64,
            ephemeral_storage_gb: 20,
            containers: vec![ContainerDefinition::default()],
        }
    }
}

impl TaskDefinitionProps {
    pub fn gpus(&self) -> u32 {
        self.containers.iter().map(|c| c.gpus).sum()
    }

    pub fn image_size_mb(&self) -> f64 {
        self.containers.iter().map(|c| c.image_size_mb).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FargateProps {
    pub platform_version: String,
    /// Image pull throughput, MB/s (measured 10-50).
    pub pull_mb_per_s: f64,
    /// Fixed start overhead before the pull, s (measured 10-20).
    pub start_overhead_s: f64,
}

impl Default for FargateProps {
    fn default() -> Self {
        Self {
            platform_version: "LATEST".into(),
            pull_mb_per_s: 25.0,
            start_overhead_s: 15.0,
        }
    }
}

/// An EC2 Auto Scaling group used as an ECS capacity provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Ec2CapacityProps {
    pub instance_type: String,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_capacity: u32,
    pub availability_zones: Vec<String>,
    pub managed_scaling: bool,
    /// CapacityProviderReservation target, percent.
    pub target_capacity_percent: u32,
    pub minimum_scaling_step: u32,
    pub maximum_scaling_step: u32,
    pub instance_warmup_s: u32,
    pub managed_termination_protection: bool,
    /// awsvpc ENI trunking on the account.
    pub awsvpc_trunking: bool,
    pub spot: bool,
    /// Instance boot plus ECS agent registration, s.
    pub launch_s: f64,
    pub pull_mb_per_s: f64,
}

impl Default for Ec2CapacityProps {
    fn default() -> Self {
        Self {
            instance_type: "m5.large".into(),
            min_size: 1,
            max_size: 10,
            desired_capacity: 2,
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            managed_scaling: true,
            target_capacity_percent: 100,
            minimum_scaling_step: 1,
            maximum_scaling_step: 10_000,
            instance_warmup_s: 300,
            managed_termination_protection: false,
            awsvpc_trunking: false,
            spot: false,
            launch_s: 45.0,
            pull_mb_per_s: 50.0,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EksSupport {
    #[default]
    Standard,
    Extended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EksClusterProps {
    pub version: String,
    pub support: EksSupport,
    pub endpoint_public: bool,
}

impl Default for EksClusterProps {
    fn default() -> Self {
        Self {
            version: "1.31".into(),
            support: EksSupport::Standard,
            endpoint_public: true,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CapacityType {
    #[default]
    OnDemand,
    Spot,
}

/// What adds and removes a node group's nodes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NodeAutoscaler {
    /// The Kubernetes Cluster Autoscaler on the group's Auto Scaling
    /// group, between `min_size` and `max_size`.
    #[default]
    ClusterAutoscaler,
    /// None: the group keeps `desired_size` nodes; pods that do not fit
    /// stay Pending.
    None,
    /// Karpenter: the group keeps its `desired_size` nodes (Karpenter does
    /// not scale the managed group) and a NodePool (`karpenter`) launches
    /// nodes of its own for Pending pods, the cheapest allowed type that
    /// fits, through EC2 Fleet without an Auto Scaling group.
    Karpenter,
}

/// A Karpenter NodePool beside a managed node group: what it may launch
/// and when it batches, launches and removes nodes. Karpenter is
/// installed with Helm and configured by Kubernetes objects, so none of
/// this is in the CloudFormation template.
///
/// Defaults from Karpenter's documentation (karpenter.sh, "Settings" and
/// "NodePools"/"Disruption"): `--batch-idle-duration` 1 s,
/// `--batch-max-duration` 10 s, `consolidateAfter` 0 s,
/// `consolidationPolicy` `WhenEmptyOrUnderutilized`; `node_ready_s` is an
/// assumption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KarpenterSettings {
    /// The NodePool's allowed instance types (its
    /// `node.kubernetes.io/instance-type` requirement).
    pub instance_types: Vec<String>,
    /// The NodePool's `limits.cpu`: vCPUs of all the nodes it has
    /// launched (or is launching); none when unset.
    pub cpu_limit: Option<u32>,
    /// `disruption.consolidateAfter`: how long after a pod was last
    /// scheduled onto or removed from a node of the pool the node may be
    /// consolidated, s (default 0).
    pub consolidate_after_s: u32,
    /// `disruption.consolidationPolicy`: which nodes of the pool may be
    /// consolidated (default `when_empty_or_underutilized`, Karpenter
    /// v1's).
    #[serde(default)]
    pub consolidation_policy: ConsolidationPolicy,
    /// `--batch-idle-duration`: a batch of Pending pods closes after this
    /// long without a new one, s (default 1).
    pub batch_idle_s: u32,
    /// `--batch-max-duration`: ...or this long after it opened, s
    /// (default 10).
    pub batch_max_s: u32,
    /// From launch (EC2 Fleet `CreateFleet`, no Auto Scaling group) to a
    /// Ready node, s: reported under 60 s from a Pending pod to a Ready
    /// node; 50 s is an assumption to vary.
    pub node_ready_s: f64,
}

impl Default for KarpenterSettings {
    fn default() -> Self {
        Self {
            instance_types: ["m5.large", "m5.xlarge", "c5.large", "c5.xlarge"]
                .map(String::from)
                .to_vec(),
            cpu_limit: None,
            consolidate_after_s: 0,
            consolidation_policy: ConsolidationPolicy::default(),
            batch_idle_s: 1,
            batch_max_s: 10,
            node_ready_s: 50.0,
        }
    }
}

/// A Karpenter NodePool's `disruption.consolidationPolicy` (karpenter.sh,
/// "Disruption", Consolidation).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsolidationPolicy {
    /// `WhenEmpty`: only a node with no workload pod is removed.
    WhenEmpty,
    /// `WhenEmptyOrUnderutilized` (Karpenter v1's default): also a node
    /// whose pods all fit on the other nodes is removed, and one whose
    /// pods a single cheaper node holds is replaced by it.
    #[default]
    WhenEmptyOrUnderutilized,
}

/// An EKS managed node group: EC2 nodes of one instance type that the
/// cluster's pods are scheduled onto.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EksNodeGroupProps {
    pub instance_type: String,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_size: u32,
    pub capacity_type: CapacityType,
    pub availability_zones: Vec<String>,
    /// What scales the group's nodes.
    pub autoscaler: NodeAutoscaler,
    /// From launch to a Ready node that takes pods: EC2 boot, the EKS
    /// AMI's bootstrap, kubelet registration and the VPC CNI, s
    /// (reported 60-90 s; an assumption to vary).
    pub node_ready_s: f64,
    /// The Cluster Autoscaler's loop: `--scan-interval`, s (default 10).
    pub scan_interval_s: u32,
    /// A node under the utilisation threshold this long is removed:
    /// `--scale-down-unneeded-time`, s (default 600).
    pub scale_down_unneeded_s: u32,
    /// Requested CPU or memory share under which a node is unneeded:
    /// `--scale-down-utilization-threshold`, percent (default 50).
    pub scale_down_utilization_percent: u32,
    /// The NodePool when `autoscaler` is Karpenter.
    pub karpenter: KarpenterSettings,
}

impl Default for EksNodeGroupProps {
    fn default() -> Self {
        Self {
            instance_type: "m5.large".into(),
            min_size: 1,
            max_size: 5,
            desired_size: 2,
            capacity_type: CapacityType::OnDemand,
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            autoscaler: NodeAutoscaler::ClusterAutoscaler,
            node_ready_s: 75.0,
            scan_interval_s: 10,
            scale_down_unneeded_s: 600,
            scale_down_utilization_percent: 50,
            karpenter: KarpenterSettings::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EksFargateProfileProps {
    pub namespace: String,
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Default for EksFargateProfileProps {
    fn default() -> Self {
        Self {
            namespace: "default".into(),
            labels: Default::default(),
        }
    }
}

/// The Horizontal Pod Autoscaler of a workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HorizontalPodAutoscaler {
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub target_cpu_percent: u32,
}

/// A Kubernetes Deployment (with its Service) on an EKS cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EksWorkloadProps {
    pub namespace: String,
    pub image: String,
    pub image_size_mb: f64,
    pub replicas: u32,
    pub cpu_request_millicores: u32,
    pub memory_request_mb: u32,
    pub cpu_limit_millicores: Option<u32>,
    pub memory_limit_mb: Option<u32>,
    pub container_port: u16,
    pub hpa: Option<HorizontalPodAutoscaler>,
    pub workers_per_pod: u32,
    pub work: Work,
}

impl Default for EksWorkloadProps {
    fn default() -> Self {
        Self {
            namespace: "default".into(),
            image: "app:latest".into(),
            image_size_mb: 200.0,
            replicas: 2,
            cpu_request_millicores: 250,
            memory_request_mb: 512,
            cpu_limit_millicores: None,
            memory_limit_mb: Some(512),
            container_port: 8080,
            hpa: None,
            workers_per_pod: 8,
            work: Work::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blue_green_configuration_names_read_back() {
        for (shift, name) in [
            (TrafficShift::AllAtOnce, "ECSAllAtOnce"),
            (
                TrafficShift::Canary {
                    percent: 10,
                    interval_min: 5,
                },
                "ECSCanary10Percent5Minutes",
            ),
            (
                TrafficShift::Linear {
                    percent: 10,
                    interval_min: 1,
                },
                "ECSLinear10PercentEvery1Minutes",
            ),
            (
                TrafficShift::Linear {
                    percent: 25,
                    interval_min: 2,
                },
                "ECSLinear25PercentEvery2Minutes",
            ),
        ] {
            let bg = BlueGreen {
                traffic_shift: shift,
                ..Default::default()
            };
            assert_eq!(bg.config_name(), name);
            assert_eq!(BlueGreen::shift_from_name(name), Some(shift));
            assert_eq!(
                BlueGreen::shift_from_name(&format!("CodeDeployDefault.{name}")),
                Some(shift)
            );
        }
        assert_eq!(BlueGreen::shift_from_name("Canary10Percent5Minutes"), None);
        assert!(
            !BlueGreen {
                traffic_shift: TrafficShift::Linear {
                    percent: 25,
                    interval_min: 2
                },
                ..Default::default()
            }
            .is_predefined()
        );
    }
}
