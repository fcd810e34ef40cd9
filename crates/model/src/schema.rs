//! Valid ranges, units and sources of numeric properties, as data.
//!
//! Edits that set a value outside its range are refused; a file holding
//! one loads, and validation reports it (`PROPERTY_OUT_OF_RANGE`). The UI
//! reads the same table to build its forms.

use serde::Serialize;
use serde_json::Value;

use crate::component::ComponentKind;
use crate::connection::Meaning;

/// The range and unit of one numeric property.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PropertySpec {
    /// Dotted path into the properties; `[]` stands for every list item.
    pub path: &'static str,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    /// Where the limit comes from.
    pub source: &'static str,
}

const fn p(
    path: &'static str,
    min: f64,
    max: f64,
    unit: &'static str,
    source: &'static str,
) -> PropertySpec {
    PropertySpec {
        path,
        min,
        max,
        unit,
        source,
    }
}

const LAMBDA_QUOTAS: &str = "AWS Lambda quotas";
const ECS_QUOTAS: &str = "Amazon ECS task definition parameters";
const SQS_QUOTAS: &str = "Amazon SQS quotas";
const ELB_QUOTAS: &str = "Elastic Load Balancing target group attributes";
const SDK_RETRY: &str = "AWS SDKs and Tools Reference Guide: retry behavior";
const DYNAMODB_SCALING: &str =
    "DynamoDB Developer Guide: auto scaling target utilization is 20-90%";
const INIT_LIMIT: &str = "Lambda init phase limit: 10 s";
const WORK: &str = "archsim: per-request work model";

const WORK_SPECS: [PropertySpec; 5] = [
    p("work.duration.ms", 0.0, 900_000.0, "ms", WORK),
    p("work.duration.mean_ms", 0.0, 900_000.0, "ms", WORK),
    p("work.duration.p99_ms", 0.0, 900_000.0, "ms", WORK),
    p("work.duration.samples_ms[]", 0.0, 900_000.0, "ms", WORK),
    p("work.cpu_share", 0.0, 1.0, "fraction", WORK),
];

/// The numeric properties of a kind.
pub fn component_specs(kind: ComponentKind) -> Vec<PropertySpec> {
    use ComponentKind as K;
    match kind {
        K::ApiGateway => vec![
            p(
                "throttle_rate_rps",
                0.0,
                10_000.0,
                "requests/s",
                "API Gateway quotas: 10,000 rps per account and region",
            ),
            p(
                "throttle_burst",
                0.0,
                5_000.0,
                "requests",
                "API Gateway quotas: 5,000 burst",
            ),
            p(
                "integration_timeout_ms",
                50.0,
                30_000.0,
                "ms",
                "API Gateway quotas: 50 ms to 29 s for a REST API, to 30 s for an HTTP API",
            ),
            p(
                "lambda_authorizer.result_ttl_s",
                0.0,
                3_600.0,
                "s",
                "API Gateway authorizers: 0 (no cache) to 3,600 s",
            ),
            p(
                "lambda_authorizer.callers",
                1.0,
                1_000_000.0,
                "callers",
                "archsim: distinct identities in the traffic, one cache entry each",
            ),
        ],
        K::CloudFront => vec![
            p(
                "default_ttl_s",
                0.0,
                31_536_000.0,
                "s",
                "CloudFront cache behaviour",
            ),
            p(
                "cache_hit_ratio",
                0.0,
                1.0,
                "fraction",
                "archsim: share served from cache",
            ),
        ],
        K::Alb | K::Nlb => vec![
            p("listeners[].port", 1.0, 65_535.0, "port", "ELB listeners"),
            p(
                "idle_timeout_s",
                1.0,
                4_000.0,
                "s",
                "ALB attributes: idle timeout 1-4,000 s",
            ),
            p("slow_start_s", 0.0, 900.0, "s", ELB_QUOTAS),
            p("deregistration_delay_s", 0.0, 3_600.0, "s", ELB_QUOTAS),
            p("health_check.interval_s", 5.0, 300.0, "s", ELB_QUOTAS),
            p(
                "health_check.healthy_threshold",
                2.0,
                10.0,
                "checks",
                ELB_QUOTAS,
            ),
            p(
                "health_check.unhealthy_threshold",
                2.0,
                10.0,
                "checks",
                ELB_QUOTAS,
            ),
            p("health_check.timeout_s", 2.0, 120.0, "s", ELB_QUOTAS),
        ],
        K::Clb => vec![
            p("listeners[].port", 1.0, 65_535.0, "port", "ELB listeners"),
            p("idle_timeout_s", 1.0, 4_000.0, "s", "CLB attributes"),
        ],
        K::S3Bucket => vec![p("stored_gb", 0.0, 1e9, "GB", "archsim: for cost")],
        K::SqsQueue => vec![
            p("visibility_timeout_s", 0.0, 43_200.0, "s", SQS_QUOTAS),
            p("message_retention_s", 60.0, 1_209_600.0, "s", SQS_QUOTAS),
            p("delay_s", 0.0, 900.0, "s", SQS_QUOTAS),
            p("receive_wait_s", 0.0, 20.0, "s", SQS_QUOTAS),
            p(
                "max_receive_count",
                1.0,
                1_000.0,
                "receives",
                "SQS redrive policy",
            ),
        ],
        K::KinesisStream => vec![
            p(
                "shards",
                1.0,
                10_000.0,
                "shards",
                "Kinesis Data Streams quotas",
            ),
            p(
                "retention_hours",
                24.0,
                8_760.0,
                "h",
                "Kinesis Data Streams quotas",
            ),
        ],
        K::Firehose => vec![
            p(
                "buffer_size_mb",
                1.0,
                128.0,
                "MB",
                "Firehose buffering hints",
            ),
            p(
                "buffer_interval_s",
                0.0,
                900.0,
                "s",
                "Firehose buffering hints",
            ),
        ],
        K::DynamoDbTable => vec![
            p("read_capacity", 1.0, 40_000.0, "RCU", "DynamoDB quotas"),
            p("write_capacity", 1.0, 40_000.0, "WCU", "DynamoDB quotas"),
            p("latency.ms", 0.0, 60_000.0, "ms", "archsim"),
            p("latency.mean_ms", 0.0, 60_000.0, "ms", "archsim"),
            p("latency.p99_ms", 0.0, 60_000.0, "ms", "archsim"),
            p("stored_gb", 0.0, 1e9, "GB", "archsim: for cost"),
            p(
                "item_size_kb",
                0.001,
                400.0,
                "KB",
                "DynamoDB quotas: items up to 400 KB",
            ),
            p(
                "previous_peak_reads_per_s",
                1.0,
                1e7,
                "read units/s",
                "DynamoDB on-demand: a new table's previous peak is 6,000",
            ),
            p(
                "previous_peak_writes_per_s",
                1.0,
                1e7,
                "write units/s",
                "DynamoDB on-demand: a new table's previous peak is 2,000",
            ),
            p("sdk_retry.max_attempts", 1.0, 20.0, "attempts", SDK_RETRY),
            p("sdk_retry.base_delay_ms", 0.0, 60_000.0, "ms", SDK_RETRY),
            p("sdk_retry.max_backoff_ms", 0.0, 300_000.0, "ms", SDK_RETRY),
            p(
                "read_scaling.min_capacity",
                1.0,
                40_000.0,
                "RCU",
                "DynamoDB quotas",
            ),
            p(
                "read_scaling.max_capacity",
                1.0,
                40_000.0,
                "RCU",
                "DynamoDB quotas",
            ),
            p(
                "read_scaling.target_utilization_pct",
                20.0,
                90.0,
                "%",
                DYNAMODB_SCALING,
            ),
            p(
                "write_scaling.min_capacity",
                1.0,
                40_000.0,
                "WCU",
                "DynamoDB quotas",
            ),
            p(
                "write_scaling.max_capacity",
                1.0,
                40_000.0,
                "WCU",
                "DynamoDB quotas",
            ),
            p(
                "write_scaling.target_utilization_pct",
                20.0,
                90.0,
                "%",
                DYNAMODB_SCALING,
            ),
        ],
        K::AuroraServerless => vec![
            p(
                "min_acu",
                0.0,
                256.0,
                "ACU",
                "Aurora Serverless v2 capacity",
            ),
            p(
                "max_acu",
                1.0,
                256.0,
                "ACU",
                "Aurora Serverless v2 capacity",
            ),
        ],
        K::Rds => vec![p("storage_gb", 20.0, 65_536.0, "GB", "RDS storage")],
        K::LambdaFunction => {
            let mut v = vec![
                p("memory_mb", 128.0, 10_240.0, "MB", LAMBDA_QUOTAS),
                p("timeout_s", 1.0, 900.0, "s", LAMBDA_QUOTAS),
                p(
                    "reserved_concurrency",
                    0.0,
                    1_000_000.0,
                    "environments",
                    LAMBDA_QUOTAS,
                ),
                p(
                    "provisioned_concurrency",
                    0.0,
                    1_000_000.0,
                    "environments",
                    LAMBDA_QUOTAS,
                ),
                p("ephemeral_storage_mb", 512.0, 10_240.0, "MB", LAMBDA_QUOTAS),
                p("init_ms", 0.0, 10_000.0, "ms", INIT_LIMIT),
                p("cold_start.ms", 0.0, 10_000.0, "ms", INIT_LIMIT),
                p("cold_start.mean_ms", 0.0, 10_000.0, "ms", INIT_LIMIT),
                p("cold_start.p99_ms", 0.0, 10_000.0, "ms", INIT_LIMIT),
                p("cold_start.samples_ms[]", 0.0, 10_000.0, "ms", INIT_LIMIT),
                p(
                    "scaling_rate_per_10s",
                    1.0,
                    100_000.0,
                    "environments per 10 s",
                    "Lambda scaling behavior: 1,000 per 10 s per function (a what-if setting)",
                ),
                p(
                    "max_event_age_s",
                    60.0,
                    21_600.0,
                    "s",
                    "Lambda asynchronous invocation",
                ),
                p(
                    "max_retry_attempts",
                    0.0,
                    2.0,
                    "retries",
                    "Lambda asynchronous invocation",
                ),
            ];
            v.extend(WORK_SPECS);
            v
        }
        K::Ec2Instance => vec![p("count", 0.0, 10_000.0, "instances", "archsim")],
        K::EcsService => {
            let mut v = vec![
                p("desired_count", 0.0, 5_000.0, "tasks", "ECS service quotas"),
                p("min_count", 0.0, 5_000.0, "tasks", "ECS service quotas"),
                p("max_count", 0.0, 5_000.0, "tasks", "ECS service quotas"),
                p(
                    "workers_per_task",
                    1.0,
                    100_000.0,
                    "requests",
                    "archsim: concurrent requests per task",
                ),
                p("app_start_s", 0.0, 3_600.0, "s", "archsim"),
                p(
                    "health_check_grace_s",
                    0.0,
                    2_147_483_647.0,
                    "s",
                    "ECS service",
                ),
                p(
                    "min_healthy_percent",
                    0.0,
                    100.0,
                    "%",
                    "ECS deployment configuration",
                ),
                p(
                    "max_percent",
                    100.0,
                    200.0,
                    "%",
                    "ECS deployment configuration",
                ),
                p(
                    "deployment_controller.termination_wait_min",
                    0.0,
                    2_880.0,
                    "min",
                    "CodeDeploy blue/green (TerminationWaitTimeInMinutes)",
                ),
                p(
                    "autoscaling.target_tracking[].target",
                    0.0,
                    1e9,
                    "metric",
                    "Application Auto Scaling",
                ),
                p(
                    "autoscaling.target_tracking[].scale_out_cooldown_s",
                    0.0,
                    86_400.0,
                    "s",
                    "Application Auto Scaling",
                ),
                p(
                    "autoscaling.target_tracking[].scale_in_cooldown_s",
                    0.0,
                    86_400.0,
                    "s",
                    "Application Auto Scaling",
                ),
            ];
            v.extend(WORK_SPECS);
            v
        }
        K::TaskDefinition => vec![
            p("cpu", 128.0, 196_608.0, "CPU units", ECS_QUOTAS),
            p("memory_mb", 128.0, 786_432.0, "MiB", ECS_QUOTAS),
            p(
                "ephemeral_storage_gb",
                20.0,
                200.0,
                "GiB",
                "Fargate ephemeral storage: 20-200 GiB",
            ),
            p("containers[].cpu", 0.0, 196_608.0, "CPU units", ECS_QUOTAS),
            p("containers[].memory_mb", 6.0, 786_432.0, "MiB", ECS_QUOTAS),
            p(
                "containers[].memory_reservation_mb",
                6.0,
                786_432.0,
                "MiB",
                ECS_QUOTAS,
            ),
            p(
                "containers[].image_size_mb",
                0.0,
                100_000.0,
                "MB",
                "archsim: start time",
            ),
            p("containers[].gpus", 0.0, 16.0, "GPUs", ECS_QUOTAS),
            p(
                "containers[].port_mappings[].container_port",
                1.0,
                65_535.0,
                "port",
                ECS_QUOTAS,
            ),
        ],
        K::Fargate | K::FargateSpot => vec![
            p("pull_mb_per_s", 1.0, 1_000.0, "MB/s", "measured 10-50 MB/s"),
            p("start_overhead_s", 0.0, 300.0, "s", "measured 10-20 s"),
        ],
        K::Ec2AutoScalingGroup => vec![
            p("min_size", 0.0, 10_000.0, "instances", "EC2 Auto Scaling"),
            p("max_size", 0.0, 10_000.0, "instances", "EC2 Auto Scaling"),
            p(
                "desired_capacity",
                0.0,
                10_000.0,
                "instances",
                "EC2 Auto Scaling",
            ),
            p(
                "target_capacity_percent",
                1.0,
                100.0,
                "%",
                "ECS managed scaling",
            ),
            p(
                "minimum_scaling_step",
                1.0,
                10_000.0,
                "instances",
                "ECS managed scaling",
            ),
            p(
                "maximum_scaling_step",
                1.0,
                10_000.0,
                "instances",
                "ECS managed scaling",
            ),
            p(
                "instance_warmup_s",
                0.0,
                10_000.0,
                "s",
                "ECS managed scaling",
            ),
            p("launch_s", 0.0, 3_600.0, "s", "measured 35-60 s"),
            p("pull_mb_per_s", 1.0, 1_000.0, "MB/s", "archsim"),
        ],
        K::EksNodeGroup => vec![
            p("min_size", 0.0, 1_000.0, "nodes", "EKS managed node groups"),
            p("max_size", 1.0, 1_000.0, "nodes", "EKS managed node groups"),
            p(
                "desired_size",
                0.0,
                1_000.0,
                "nodes",
                "EKS managed node groups",
            ),
            p(
                "node_ready_s",
                0.0,
                3_600.0,
                "s",
                "EC2 launch, EKS AMI bootstrap and kubelet registration: reported 60-90 s",
            ),
            p(
                "scan_interval_s",
                1.0,
                3_600.0,
                "s",
                "Cluster Autoscaler --scan-interval (default 10 s)",
            ),
            p(
                "scale_down_unneeded_s",
                0.0,
                86_400.0,
                "s",
                "Cluster Autoscaler --scale-down-unneeded-time (default 10 min)",
            ),
            p(
                "scale_down_utilization_percent",
                0.0,
                100.0,
                "%",
                "Cluster Autoscaler --scale-down-utilization-threshold (default 0.5)",
            ),
            p(
                "karpenter.cpu_limit",
                1.0,
                1_000_000.0,
                "vCPU",
                "Karpenter NodePool limits.cpu",
            ),
            p(
                "karpenter.consolidate_after_s",
                0.0,
                86_400.0,
                "s",
                "Karpenter NodePool disruption.consolidateAfter (default 0 s)",
            ),
            p(
                "karpenter.batch_idle_s",
                1.0,
                3_600.0,
                "s",
                "Karpenter --batch-idle-duration (default 1 s)",
            ),
            p(
                "karpenter.batch_max_s",
                1.0,
                3_600.0,
                "s",
                "Karpenter --batch-max-duration (default 10 s)",
            ),
            p(
                "karpenter.node_ready_s",
                0.0,
                3_600.0,
                "s",
                "EC2 Fleet launch to a Ready node: reported under 60 s (assumption 50 s)",
            ),
        ],
        K::EksWorkload => {
            let mut v = vec![
                p("replicas", 0.0, 10_000.0, "pods", "Kubernetes"),
                p(
                    "cpu_request_millicores",
                    1.0,
                    192_000.0,
                    "millicores",
                    "Kubernetes",
                ),
                p("memory_request_mb", 1.0, 786_432.0, "MiB", "Kubernetes"),
                p("container_port", 1.0, 65_535.0, "port", "Kubernetes"),
                p(
                    "hpa.min_replicas",
                    1.0,
                    10_000.0,
                    "pods",
                    "HorizontalPodAutoscaler",
                ),
                p(
                    "hpa.max_replicas",
                    1.0,
                    10_000.0,
                    "pods",
                    "HorizontalPodAutoscaler",
                ),
                p(
                    "hpa.target_cpu_percent",
                    1.0,
                    1_000.0,
                    "%",
                    "HorizontalPodAutoscaler",
                ),
                p("workers_per_pod", 1.0, 100_000.0, "requests", "archsim"),
                p("image_size_mb", 0.0, 100_000.0, "MB", "archsim"),
            ];
            v.extend(WORK_SPECS);
            v
        }
        K::EcrRepository => vec![
            p(
                "keep_images",
                1.0,
                10_000.0,
                "images",
                "ECR lifecycle policy",
            ),
            p("stored_gb", 0.0, 1e6, "GB", "archsim: for cost"),
        ],
        K::VpcEndpoint => vec![p(
            "availability_zones",
            1.0,
            6.0,
            "AZs",
            "archsim: the export's private subnets are in two",
        )],
        K::Secret => vec![
            p("latency.ms", 0.0, 60_000.0, "ms", "archsim"),
            p("latency.mean_ms", 0.0, 60_000.0, "ms", "archsim"),
            p("latency.p99_ms", 0.0, 60_000.0, "ms", "archsim"),
            p("latency.samples_ms[]", 0.0, 60_000.0, "ms", "archsim"),
        ],
        K::Cognito => vec![p(
            "monthly_active_users",
            0.0,
            1e9,
            "users",
            "archsim: for cost",
        )],
        K::EventBus => vec![p(
            "archive.retention_days",
            0.0,
            1e6,
            "days (0: indefinitely)",
            "EventBridge archives",
        )],
        K::EventBridgePipe => vec![
            p(
                "matching_share",
                0.0,
                1.0,
                "share",
                "archsim: for simulation and cost",
            ),
            p(
                "max_retry_attempts",
                0.0,
                185.0,
                "retries",
                "EventBridge Pipes stream sources",
            ),
        ],
        K::StepFunctions => vec![
            p(
                "default_map_items",
                0.0,
                10_000_000.0,
                "items",
                "archsim: Map iterations per execution",
            ),
            p(
                "other_task_ms",
                0.0,
                31_536_000_000.0,
                "ms",
                "Step Functions quotas: an execution runs at most a year",
            ),
        ],
        // No numeric property with a range.
        K::Client
        | K::Lex
        | K::Alexa
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EcsCluster
        | K::EksCluster
        | K::EksFargateProfile
        | K::ExternalRegistry
        | K::IamRole
        | K::Generic => Vec::new(),
    }
}

/// The numeric parameters of a connection meaning.
pub fn connection_specs(meaning: Meaning) -> Vec<PropertySpec> {
    match meaning {
        Meaning::Poll => vec![
            p(
                "batch_size",
                1.0,
                10_000.0,
                "records",
                "Lambda event source mappings",
            ),
            p(
                "batching_window_s",
                0.0,
                300.0,
                "s",
                "Lambda event source mappings",
            ),
            p(
                "parallelization_factor",
                1.0,
                10.0,
                "batches per shard",
                "Lambda event source mappings",
            ),
            p(
                "max_concurrency",
                2.0,
                1_000.0,
                "pollers",
                "Lambda SQS maximum concurrency",
            ),
        ],
        Meaning::Route => vec![
            p("priority", 1.0, 50_000.0, "priority", "ALB listener rules"),
            p("weight", 0.0, 999.0, "weight", "ALB forward action"),
            p("target_port", 1.0, 65_535.0, "port", "target groups"),
            p("listener_port", 1.0, 65_535.0, "port", "listeners"),
        ],
        Meaning::RunsOn => vec![
            p(
                "weight",
                0.0,
                1_000.0,
                "weight",
                "capacity provider strategy",
            ),
            p(
                "base",
                0.0,
                100_000.0,
                "tasks",
                "capacity provider strategy",
            ),
        ],
        // No numeric parameter with a range.
        Meaning::InvokeSync
        | Meaning::InvokeAsync
        | Meaning::RunsTask
        | Meaning::PullsImage
        | Meaning::Uses
        | Meaning::Publishes
        | Meaning::DeadLetter
        | Meaning::AssumesRole
        | Meaning::Authorizes
        | Meaning::References => Vec::new(),
    }
}

/// A value outside its range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeViolation {
    /// Concrete path (`containers[1].cpu`).
    pub path: String,
    pub value: f64,
    pub spec: PropertySpec,
}

impl std::fmt::Display for RangeViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} is outside {}..{} {} ({})",
            self.path, self.value, self.spec.min, self.spec.max, self.spec.unit, self.spec.source
        )
    }
}

/// Every value in `props` outside the ranges of `specs`.
pub fn range_violations(props: &Value, specs: &[PropertySpec]) -> Vec<RangeViolation> {
    let mut out = Vec::new();
    for spec in specs {
        let segments: Vec<&str> = spec.path.split('.').collect();
        visit(props, &segments, String::new(), &mut |path, value| {
            if let Some(n) = value.as_f64()
                && !(spec.min..=spec.max).contains(&n)
            {
                out.push(RangeViolation {
                    path,
                    value: n,
                    spec: *spec,
                });
            }
        });
    }
    out
}

fn visit(value: &Value, segments: &[&str], prefix: String, f: &mut dyn FnMut(String, &Value)) {
    let Some((first, rest)) = segments.split_first() else {
        f(prefix, value);
        return;
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*first, false),
    };
    let Some(child) = value.get(key) else { return };
    let path = if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    };
    if each {
        for (i, item) in child.as_array().into_iter().flatten().enumerate() {
            visit(item, rest, format!("{path}[{i}]"), f);
        }
    } else {
        visit(child, rest, path, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::Props;

    #[test]
    fn every_spec_path_exists_in_the_defaults_or_is_optional() {
        for &kind in ComponentKind::ALL {
            let value = serde_json::to_value(Props::default_for(kind)).unwrap();
            // A property left out of the file at its default or unset is
            // still in the schema.
            let schema = serde_json::to_value(Props::schema_for(kind)).unwrap();
            for spec in component_specs(kind) {
                let first = spec.path.split(['.', '[']).next().unwrap();
                assert!(
                    value.get(first).is_some() || schema["properties"].get(first).is_some(),
                    "{kind:?}: spec path {} names no property",
                    spec.path
                );
            }
        }
    }

    #[test]
    fn defaults_are_in_range() {
        for &kind in ComponentKind::ALL {
            let value = serde_json::to_value(Props::default_for(kind)).unwrap();
            let v = range_violations(&value, &component_specs(kind));
            assert!(v.is_empty(), "{kind:?}: {v:?}");
        }
    }

    #[test]
    fn finds_values_inside_lists() {
        let value = serde_json::json!({"containers": [{"cpu": 10}, {"cpu": 999999}]});
        let v = range_violations(&value, &component_specs(ComponentKind::TaskDefinition));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].path, "containers[1].cpu");
        assert!(v[0].to_string().contains("CPU units"));
    }
}
