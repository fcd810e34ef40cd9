//! Validation: AWS rules, quotas and architecture smells.
//!
//! Each rule has a stable code, a severity, a fix hint and a check. The
//! rules are one table ([`RULES`]); [`validate`] runs them all and returns
//! the problems sorted by severity, code and component.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::catalog::{self, InstanceType};
use crate::component::{
    ApiType, AuthorizerPayload, Component, ComponentKind as K, LaunchType, LbAlgorithm,
    NetworkMode, Packaging, PlacementConstraintType, Props, RolePurpose, ScalingMetric, Serverless,
    TaskDefinitionProps,
};
use crate::connection::{ConnectionKind, Meaning, check_connection};
use crate::design::{Design, GroupKind};
use crate::schema::{component_specs, connection_specs, range_violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        })
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Ids of the components (and connections) involved.
    pub components: Vec<String>,
    pub hint: &'static str,
}

/// What a check reports: the ids involved and a message, per finding.
type Found = Vec<(Vec<String>, String)>;

mod deployments;
use deployments::*;
mod lambda_settings;
pub use lambda_settings::lognormal_unfit;
use lambda_settings::*;
mod secrets;
use secrets::*;
mod eventbridge;
pub use eventbridge::rule_receives_s3_events;
use eventbridge::*;
mod workflow;
use workflow::*;
mod storage;
use storage::*;
mod load_balancing;
use load_balancing::*;
mod eks;
use eks::*;
mod sns;
use sns::*;
mod ecs_capacity;
use ecs_capacity::*;

/// A validation rule.
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub hint: &'static str,
    check: fn(&Design, &mut Found),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("code", &self.code).finish()
    }
}

/// Runs every rule.
pub fn validate(design: &Design) -> Vec<Problem> {
    let mut problems = Vec::new();
    for rule in RULES {
        let mut found = Vec::new();
        (rule.check)(design, &mut found);
        for (components, message) in found {
            problems.push(Problem {
                code: rule.code,
                severity: rule.severity,
                message,
                components,
                hint: rule.hint,
            });
        }
    }
    problems.sort_by(|a, b| {
        (a.severity, a.code, &a.components, &a.message).cmp(&(
            b.severity,
            b.code,
            &b.components,
            &b.message,
        ))
    });
    problems
}

/// Whether any problem is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

macro_rules! rules {
    ($( $code:literal, $sev:ident, $title:literal, $hint:literal, $check:expr; )*) => {
        /// Every rule, by code.
        pub static RULES: &[Rule] = &[
            $( Rule { code: $code, severity: Severity::$sev, title: $title, hint: $hint, check: $check }, )*
        ];
    };
}

rules! {
    "PROPERTY_OUT_OF_RANGE", Error, "A property is outside its valid range",
        "Set the property within the range shown; the limit and its source are in the message.", property_ranges;
    "CONNECTION_NOT_ALLOWED", Error, "A connection AWS does not support",
        "Remove the connection or connect the components the way the message suggests.", connections_allowed;
    "SCENARIO_UNKNOWN_COMPONENT", Error, "A scenario refers to a missing component",
        "Point the scenario at an existing component or remove the traffic profile or event.", scenario_references;
    "DYNAMODB_SCALING_INVALID", Error, "DynamoDB auto scaling the table cannot take",
        "Auto scale a provisioned table only (on-demand tables scale by themselves), with a minimum at or below the maximum.", dynamodb_scaling;
    "S3_FILTER_NEVER_PASSES", Warning, "A scenario's uploads never pass a bucket's notification filter",
        "Set the traffic's path to the object key it uploads (e.g. /uploads/cat.jpg: the key is the path without its leading /), or change the bucket's prefix or suffix.", s3_filter_never_passes;
    "SNS_FILTER_POLICY_INVALID", Error, "An SNS subscription filter policy AWS would refuse",
        "Write the policy as AWS reads it: an object of at most 5 keys, each with an array of values or operators (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, cidr), at most 150 value combinations, nested keys only with the MessageBody scope; only a topic's subscriptions (to a function, queue or stream) filter.", sns_filter_policy_valid;
    "SNS_FILTER_NEVER_PASSES", Warning, "A scenario's messages never pass a subscription's filter policy",
        "Give the scenario's traffic the message attributes (or the JSON body, for the MessageBody scope) its messages carry, or change the subscription's filter policy.", sns_filter_never_passes;
    "REGION_UNKNOWN", Warning, "A region archsim has no price book for",
        "Set the design's region to one archsim prices (us-east-1, us-east-2, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-northeast-1, ap-south-1), or price it with a book of your own: `archsim cost --prices FILE`.", region_known;
    "SCENARIO_INVALID", Error, "A scenario cannot run as written",
        "Fix the field the message names in the scenario editor (durations and rates are positive; a start is RFC 3339, such as 2026-01-05T00:00:00Z), and give each scenario its own name.", scenario_shape;
    "FARGATE_INVALID_SIZE", Error, "Invalid Fargate CPU/memory combination",
        "Pick a valid pair, e.g. 256 CPU with 512/1024/2048 MiB, 1024 CPU with 2-8 GiB, 4096 CPU with 8-30 GiB.", fargate_size;
    "FARGATE_GPU", Error, "GPU task on Fargate",
        "Fargate has no GPUs: run the service on an EC2 capacity provider with a GPU instance type (g4dn, g5).", fargate_gpu;
    "FARGATE_NETWORK_MODE", Error, "Fargate task not in awsvpc network mode",
        "Set the task definition's network mode to awsvpc: Fargate supports no other.", fargate_network_mode;
    "GPU_INSTANCE_REQUIRED", Error, "GPU task on instances without GPUs",
        "Use a GPU instance type (g4dn.xlarge, g5.xlarge) for the capacity this service runs on.", gpu_instance;
    "TASK_TOO_BIG_FOR_INSTANCE", Error, "Task larger than the instance type",
        "Use a bigger instance type or a smaller task size.", task_fits_instance;
    "TASK_USES_INSTANCE_ROLE", Warning, "Task relies on the EC2 instance role",
        "Give the task definition its own task role (AssumesRole to an IAM role with purpose task_role): permissions on the instance role are shared by every task on the instance.", task_role_missing;
    "INSTANCE_ROLE_DATA_ACCESS", Warning, "Data access granted to the instance role",
        "Draw the data connection from the ECS service (its task role) instead of from the Auto Scaling group.", instance_role_access;
    "ROLE_PURPOSE_MISMATCH", Warning, "IAM role used for the wrong purpose",
        "Task definitions take task and execution roles; instances take an instance role; functions take a Lambda role.", role_purpose;
    "TASK_NO_EXECUTION_ROLE", Error, "Task pulls private images without an execution role",
        "Attach an IAM role with purpose execution_role: ECS uses it to pull from ECR and write logs.", execution_role;
    "LAMBDA_TIMEOUT_GT_APIGW", Warning, "Function timeout longer than API Gateway's",
        "API Gateway gives up after 29 s (504): lower the function timeout, or go asynchronous (queue + polling).", lambda_timeout_apigw;
    "SQS_VISIBILITY_TIMEOUT_LOW", Warning, "Queue visibility timeout below 6x the function timeout",
        "Set the queue's visibility timeout to at least 6 times the consuming function's timeout plus the batching window, as AWS recommends.", sqs_visibility;
    "LAMBDA_UNRESERVED_BELOW_MIN", Error, "Reserved concurrency leaves too little unreserved",
        "Lower reserved concurrency, or raise the account concurrency limit: at least 100 must stay unreserved.", unreserved_minimum;
    "LAMBDA_PROVISIONED_GT_RESERVED", Error, "Provisioned concurrency above reserved concurrency",
        "Provisioned concurrency cannot exceed the function's reserved concurrency.", provisioned_vs_reserved;
    "LAMBDA_RECURSIVE_LOOP", Error, "Recursive invocation loop",
        "Break the loop: write to a different bucket/queue/topic than the one that triggers the function, or filter events.", recursive_loop;
    "LAMBDA_IMAGE_NO_REGISTRY", Error, "Container-image function without a repository",
        "Connect the function to the ECR repository its image comes from.", lambda_image_registry;
    "LAMBDA_DEPLOYMENT_NO_ALIAS", Error, "Deployment preference without an alias",
        "Give the deployment an alias (AutoPublishAlias, e.g. live): CodeDeploy shifts an alias between versions, and SAM refuses a DeploymentPreference without one.", deployment_alias;
    "LAMBDA_DEPLOYMENT_SHIFT_INVALID", Error, "Traffic shift CodeDeploy cannot run",
        "Shift between 1 and 99 percent per step, at least 1 minute apart (or choose all at once).", deployment_shift;
    "LAMBDA_ALARM_NEVER_FIRES", Warning, "Deployment alarm that can never fire",
        "Set a threshold the metric can cross (an error rate is 0-100%, counts and durations are 0 or more) and at least one evaluation period: this alarm cannot stop a bad version.", deployment_alarms;
    "LAMBDA_HOOK_NOT_FUNCTION", Error, "Traffic hook that is not another Lambda function",
        "Point the pre- or post-traffic hook at the id of another Lambda function in the design (it calls CodeDeploy's PutLifecycleEventHookExecutionStatus).", deployment_hooks;
    "LAMBDA_COLD_START_INVALID", Error, "Cold-start distribution that cannot be drawn from",
        "Give the cold start either init_ms (one duration) or a distribution: a lognormal's p99 above its mean (and at most about 15x it), an empirical list with at least one measured init duration.", lambda_cold_start;
    "LAMBDA_SCALING_RATE_IGNORED", Warning, "Per-function scaling rate under the pre-2023 rule",
        "Switch the account's Lambda scaling to per_function to use the function's rate, or set the rate back to 1,000 per 10 s.", lambda_scaling_rate_ignored;
    "LAMBDA_ASYNC_NO_FAILURE_DESTINATION", Info, "Asynchronous events are dropped after retries",
        "Add a dead-letter connection (SQS queue or SNS topic, or an on-failure destination function) so failed events are kept.", async_failure_destination;
    "INFERRED_CONNECTION_UNCONFIRMED", Info, "Connection inferred from weak evidence",
        "Select the connection: the inspector shows what in the template suggests it. Confirm it if the design does this, or delete it.", inferred_unconfirmed;
    "LB_DUPLICATE_PRIORITY", Error, "Two listener rules share a priority",
        "Give each rule of a listener its own priority (1-50,000, lowest first); routes that share a priority and the same conditions are one rule forwarding to weighted target groups.", lb_duplicate_priority;
    "NLB_SEVERAL_TARGET_GROUPS", Error, "A Network Load Balancer listener forwarding to several target groups",
        "An NLB listener forwards to one target group (no weighted target groups, no rules): route each target from its own listener port, or put an ALB in front.", nlb_several_target_groups;
    "LB_RULE_TOO_MANY_VALUES", Error, "Listener rule with more than 5 condition values",
        "Split the rule: a rule allows at most 5 condition values in all.", lb_rule_values;
    "LB_NO_TARGETS", Warning, "Load balancer routes nowhere",
        "Connect the load balancer to a service, workload, function or instance.", lb_no_targets;
    "LB_SLOW_START_WITH_LOR", Error, "Slow start with least outstanding requests",
        "Slow start works only with round robin: turn one of them off.", lb_slow_start;
    "LB_TARGET_PORT_UNKNOWN", Error, "Listener rule targets a port no container exposes",
        "Set the rule's target port to a container port of the service's task definition.", lb_target_port;
    "PRODUCTION_ALB_NO_CERTIFICATE", Warning, "Public load balancer without a certificate in a production design",
        "The production export serves the load balancer over HTTPS (port 80 redirects): set its certificate ARN (an ACM certificate for its domain), or supply the template's CertificateArn parameter when deploying; the sandbox profile keeps plain HTTP.", production_alb_certificate;
    "CLB_LEGACY", Warning, "Classic Load Balancer",
        "Classic Load Balancers are legacy: use an Application Load Balancer (HTTP) or a Network Load Balancer (TCP).", clb_legacy;
    "API_NO_INTEGRATION", Warning, "API with no integration",
        "Connect the API to a function, a service or an AWS service integration.", api_no_integration;
    "API_MULTIPLE_AUTHORIZERS", Warning, "API with more than one authorizer",
        "API Gateway runs one authorizer per method or route; archsim exports one as the API's default authorizer (the first connection), and simulates only a Lambda one: keep one Cognito user pool or Lambda function authorizing the API, or expect the others to be added by hand.", api_authorizers;
    "API_AUTHORIZER_NO_IDENTITY", Error, "Lambda authorizer with no identity header",
        "Set the API's lambda_authorizer.identity_header (usually Authorization): a TOKEN authorizer reads its token there, and API Gateway refuses a cached authorizer without an identity source (its cache key).", api_authorizer_identity;
    "SERVICE_MIN_GT_DESIRED", Error, "Service minimum above desired count",
        "Lower the minimum or raise the desired count.", service_min_desired;
    "SERVICE_DESIRED_GT_MAX", Error, "Service desired count above maximum",
        "Raise the maximum or lower the desired count.", service_desired_max;
    "ECS_DEPLOYMENT_STUCK", Error, "Rolling deployment that can neither start nor stop a task",
        "Raise the maximum percent (200 starts a full new set first) or lower the minimum healthy percent, so a deployment can start a new task or stop an old one.", deployment_room;
    "ECS_DEPLOYMENT_NO_CAPACITY", Error, "Rolling deployment needs a task the capacity cannot hold",
        "With a minimum healthy percent of 100 a deployment starts new tasks before stopping old ones: raise the Auto Scaling group's maximum size or use a bigger instance type, or lower the minimum healthy percent.", deployment_capacity;
    "ECS_BLUE_GREEN_NO_TARGET_GROUP_PAIR", Error, "Blue/green deployment without a second target group",
        "CodeDeploy moves traffic between two target groups of a load balancer's listener (blue and green): route an ALB or NLB to the service (the export adds the green target group and the test listener), or deploy with the ECS rolling controller.", blue_green_target_groups;
    "SERVICE_NO_CAPACITY", Error, "Service with no capacity",
        "Connect the service to Fargate, Fargate Spot or an EC2 Auto Scaling group (RunsOn).", service_capacity;
    "SERVICE_NO_TASK_DEFINITION", Error, "Service with no task definition",
        "Connect the service to the task definition it runs (RunsTask).", service_task_definition;
    "SERVICE_NOT_IN_CLUSTER", Error, "Service outside any ECS cluster",
        "Put the service inside an ECS cluster.", service_in_cluster;
    "EC2_CAPACITY_NO_ECS_CLUSTER", Warning, "EC2 Auto Scaling group in no ECS cluster",
        "Put the Auto Scaling group in its ECS cluster's group, or have a service of that cluster run on it (RunsOn), so the export can register its instances and associate its capacity provider; an EKS cluster's nodes are an EKS node group, not EC2 Auto Scaling capacity.", ec2_capacity_cluster;
    "EC2_CAPACITY_SEVERAL_ECS_CLUSTERS", Error, "EC2 Auto Scaling group serving several ECS clusters",
        "An Auto Scaling group's capacity provider belongs to one ECS cluster and its instances register with one: give each cluster its own Auto Scaling group.", ec2_capacity_one_cluster;
    "CAPACITY_STRATEGY_MIXED", Error, "Capacity provider strategy mixes Fargate and EC2",
        "A strategy uses either Fargate/Fargate Spot or Auto Scaling group providers, not both; a launch type takes exactly one capacity.", capacity_strategy;
    "FARGATE_SPOT_ONLY", Warning, "Service runs only on Fargate Spot",
        "Add Fargate with a base of 1 or more so an interruption cannot take every task.", spot_only;
    "BRIDGE_STATIC_PORT_CONFLICT", Error, "Static host port with more tasks than instances",
        "Use host port 0 (dynamic mapping) or awsvpc; a static host port fits one task per instance.", static_host_port;
    "AWSVPC_ENI_CAPACITY", Error, "More awsvpc tasks than the instances have network interfaces",
        "Each awsvpc task takes an ENI (max ENIs - 1 per instance): raise the group's maximum, use a larger type, turn on ENI trunking or use bridge mode.", eni_capacity;
    "DISTINCT_INSTANCE_CAPACITY", Error, "distinctInstance needs more instances than the group allows",
        "Raise the Auto Scaling group's maximum or lower the service's desired count.", distinct_instance;
    "TASK_NO_CONTAINERS", Error, "Task definition without containers",
        "Add at least one container definition.", task_containers;
    "TASK_NO_ESSENTIAL_CONTAINER", Error, "Task definition without an essential container",
        "Mark at least one container essential.", task_essential;
    "TASK_CONTAINERS_EXCEED_TASK", Error, "Containers need more than the task size",
        "Raise the task's CPU/memory or lower the containers'.", task_container_sum;
    "IMAGE_NO_REGISTRY", Error, "Image not coming from a registry",
        "Connect the task definition or workload to the ECR repository or external registry it pulls from (PullsImage).", image_registry;
    "ASG_SIZE_ORDER", Error, "Auto Scaling group sizes out of order",
        "Keep min <= desired <= max.", asg_size_order;
    "UNKNOWN_INSTANCE_TYPE", Warning, "Instance type archsim does not know",
        "Use a listed instance type so placement and cost can be computed.", unknown_instance_type;
    "DDB_STREAM_DISABLED", Error, "Function polls a table whose stream is off",
        "Turn the table's stream on (NEW_AND_OLD_IMAGES is usual).", ddb_stream;
    "ESM_INVALID_SETTINGS", Error, "Event source mapping settings the source does not support",
        "SQS: parallelization factor 1, batch size up to 10 (FIFO) or 10,000 with a batching window above 10; streams: no maximum concurrency.", esm_settings;
    "SQS_DLQ_RETENTION", Warning, "Dead-letter queue keeps messages shorter than its source",
        "Make the dead-letter queue's retention longer than the source queue's.", dlq_retention;
    "SQS_FIFO_DLQ_MISMATCH", Error, "FIFO queue with a standard dead-letter queue",
        "A FIFO queue's dead-letter queue must be FIFO too (and a standard queue's standard).", dlq_fifo;
    "EKS_NOT_IN_CLUSTER", Error, "EKS resource outside any EKS cluster",
        "Put node groups, Fargate profiles and workloads inside an EKS cluster.", eks_in_cluster;
    "EKS_WORKLOAD_NO_CAPACITY", Error, "Workload with no node group or Fargate profile",
        "Connect the workload to a node group or Fargate profile (RunsOn).", eks_capacity;
    "POD_TOO_BIG_FOR_NODE", Error, "Pod requests more than a node can give pods",
        "Lower the workload's requests or choose a larger instance type (for Karpenter, allow one in the NodePool): a node gives pods its size less the kubelet's reservations (EKS AMI kube-reserved and eviction threshold).", pod_fits_node;
    "KARPENTER_NO_INSTANCE_TYPE", Error, "Karpenter NodePool with no instance type it can launch",
        "List at least one instance type archsim knows in the node group's karpenter.instance_types (e.g. m5.large, c5.xlarge).", karpenter_types;
    "HPA_MIN_GT_MAX", Error, "Autoscaler minimum above maximum",
        "Keep min replicas <= max replicas.", hpa_order;
    "AUTOSCALING_REQUEST_COUNT_NO_ALB", Warning, "Request-count scaling without an ALB",
        "ALBRequestCountPerTarget needs the service behind an Application Load Balancer.", request_count_policy;
    "SECRET_WRITTEN", Warning, "A connection writes a secret",
        "Set the connection's access to read: readers get GetSecretValue only; change a secret's value by rotation or by hand.", secret_written;
    "SECRET_READ_EVERY_REQUEST", Info, "A secret read on every request",
        "Set the secret's reads to cached: a function reads it once per execution environment, a task at launch (the Parameters and Secrets extension, ECS container secrets).", secret_read_every_request;
    "VPC_ENDPOINT_TYPE", Error, "A gateway endpoint for a service that has none",
        "Make it an interface endpoint, or point it at s3 or dynamodb (the services with gateway endpoints).", vpc_endpoint_type;
    "PIPE_NO_SOURCE", Error, "EventBridge Pipe with no source",
        "Connect the queue, stream or table stream the pipe reads to it (Poll).", pipe_source;
    "PIPE_NO_TARGET", Error, "EventBridge Pipe with no target",
        "Connect the pipe to its target (a function, queue, topic, bus, stream, task or API).", pipe_target;
    "PIPE_MORE_THAN_ONE", Error, "EventBridge Pipe with several sources, targets or enrichments",
        "A pipe reads one source and delivers to one target, with at most one enrichment: make a pipe per pair, or fan out after the target (a topic or a bus).", pipe_one_each;
    "PIPE_RETRY_ON_QUEUE", Warning, "Pipe retry limit on a queue source",
        "A maximum of retries applies to stream sources; for a queue, set its visibility timeout and redrive policy (maxReceiveCount) instead.", pipe_retry_on_queue;
    "PIPE_SOURCE_CONCURRENCY", Warning, "Maximum concurrency on a pipe's source",
        "Pipes scale their pollers themselves: clear the connection's maximum concurrency (it is not exported), or put a function's event source mapping there instead.", pipe_source_concurrency;
    "RULE_SCHEDULE_INVALID", Error, "Schedule expression EventBridge would refuse",
        "Fix the field the message names: rate(5 minutes), or cron(minutes hours day-of-month month day-of-week year) in UTC with `?` in one of the two day fields, e.g. cron(0 12 ? * MON-FRI *).", schedule_invalid;
    "RULE_SCHEDULE_ON_CUSTOM_BUS", Error, "Scheduled rule on a custom bus",
        "Schedules run on the default bus only: disconnect the rule from the bus, or give it an event pattern.", schedule_on_custom_bus;
    "S3_EVENTS_TO_UNMATCHED_RULE", Warning, "Bucket events sent to a rule that cannot match them",
        "S3 puts its events on the default bus with source aws.s3: give the rule an event pattern with \"source\": [\"aws.s3\"] on the default bus, or connect the bucket straight to what should receive its events.", s3_to_unmatched_rule;
    "EVENT_BUS_NO_PRODUCER", Warning, "Rules on a bus nothing puts events on",
        "Connect what puts events on the bus (a function, service, API or pipe), or move the rules to the bus that receives their events (AWS services' events, such as S3's, arrive on the default bus).", bus_without_producer;
    "STEP_FUNCTIONS_DEFINITION_NOT_READ", Warning, "State machine definition not read",
        "Put the definition file next to the template (DefinitionUri) and import again, or paste the definition into the state machine's properties.", definition_readable;
    "STEP_FUNCTIONS_DEFINITION_INVALID", Error, "State machine definition is not valid Amazon States Language",
        "Fix the state the message names: every state needs a Type, Next or End, and every Next, Default and Catch must name a state.", definition_valid;
    "STEP_FUNCTIONS_TASK_NOT_CONNECTED", Error, "Task state calls something the state machine does not connect to",
        "Connect the state machine to the function, table, queue, topic or workflow the Task calls, and map the definition's ${Variable} to it in substitutions.", task_connected;
    "STEP_FUNCTIONS_EXPRESS_LIMITS", Error, "Express workflow beyond Express limits",
        "Use a Standard workflow for waits beyond 5 minutes and for .sync or .waitForTaskToken tasks, or shorten the waits.", express_limits;
    "STEP_FUNCTIONS_SIMULATION_SETTINGS", Error, "Choice weights or Map items that do not fit the definition",
        "Give each Choice state one weight per rule plus one for Default, and name only Map states in map_items.", simulation_settings;
    "NOT_SERVERLESS", Info, "Server-based component in a serverless design",
        "Consider Aurora Serverless, DynamoDB, Lambda or Fargate instead.", not_serverless;
    "ORPHAN_COMPONENT", Info, "Component with no connections",
        "Connect it, or remove it if it is not part of the design.", orphan;
}

fn ids(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// --- accessors ---------------------------------------------------------------

fn targets<'a>(d: &'a Design, id: &str, meaning: Meaning) -> Vec<&'a Component> {
    d.outgoing(id)
        .into_iter()
        .filter(|(c, _)| c.kind.meaning() == meaning)
        .map(|(_, t)| t)
        .collect()
}

fn sources<'a>(d: &'a Design, id: &str, meaning: Meaning) -> Vec<&'a Component> {
    d.incoming(id)
        .into_iter()
        .filter(|(c, _)| c.kind.meaning() == meaning)
        .map(|(_, s)| s)
        .collect()
}

fn task_definition<'a>(
    d: &'a Design,
    service: &str,
) -> Option<(&'a Component, &'a TaskDefinitionProps)> {
    targets(d, service, Meaning::RunsTask)
        .into_iter()
        .find_map(|c| match &c.props {
            Props::TaskDefinition(t) => Some((c, t)),
            _ => None,
        })
}

/// ECS services with their task definitions.
fn services_with_tasks(
    d: &Design,
) -> Vec<(
    &Component,
    &crate::component::EcsServiceProps,
    &Component,
    &TaskDefinitionProps,
)> {
    d.components()
        .filter_map(|c| match &c.props {
            Props::EcsService(s) => task_definition(d, &c.id).map(|(tc, t)| (c, s, tc, t)),
            _ => None,
        })
        .collect()
}

fn on_fargate(d: &Design, service: &str) -> bool {
    targets(d, service, Meaning::RunsOn)
        .iter()
        .any(|c| matches!(c.kind(), K::Fargate | K::FargateSpot))
}

/// EC2 capacity a service runs on, with its instance type when known.
fn ec2_capacity<'a>(
    d: &'a Design,
    service: &str,
) -> Vec<(
    &'a Component,
    &'a crate::component::Ec2CapacityProps,
    Option<&'static InstanceType>,
)> {
    targets(d, service, Meaning::RunsOn)
        .into_iter()
        .filter_map(|c| match &c.props {
            Props::Ec2AutoScalingGroup(a) => Some((c, a, catalog::instance_type(&a.instance_type))),
            _ => None,
        })
        .collect()
}

fn role_purposes(d: &Design, id: &str) -> Vec<RolePurpose> {
    targets(d, id, Meaning::AssumesRole)
        .into_iter()
        .filter_map(|c| match &c.props {
            Props::IamRole(r) => Some(r.purpose),
            _ => None,
        })
        .collect()
}

// --- checks ----------------------------------------------------------------

fn property_ranges(d: &Design, out: &mut Found) {
    for c in d.components() {
        let value = serde_json::to_value(&c.props).unwrap_or_default();
        for v in range_violations(&value, &component_specs(c.kind())) {
            out.push((ids(&[&c.id]), format!("{}: {v}", c.name)));
        }
    }
    for conn in d.connections() {
        let value = serde_json::to_value(&conn.kind).unwrap_or_default();
        for v in range_violations(&value, &connection_specs(conn.kind.meaning())) {
            out.push((
                ids(&[&conn.from, &conn.to]),
                format!("connection {}: {v}", conn.id),
            ));
        }
    }
}

fn connections_allowed(d: &Design, out: &mut Found) {
    for conn in d.connections() {
        let (Some(a), Some(b)) = (d.component(&conn.from), d.component(&conn.to)) else {
            continue;
        };
        if let Err(refusal) = check_connection(a.kind(), b.kind(), conn.kind.meaning()) {
            out.push((
                ids(&[&a.id, &b.id]),
                format!("connection {}: {refusal}", conn.id),
            ));
        }
    }
}

fn scenario_references(d: &Design, out: &mut Found) {
    for s in &d.scenarios {
        for (place, id) in s.references() {
            if d.component(id).is_none() {
                out.push((
                    Vec::new(),
                    format!("scenario \"{}\" {place}: no component \"{id}\"", s.name),
                ));
            }
        }
    }
}

fn region_known(d: &Design, out: &mut Found) {
    if !crate::region::is_known_region(&d.region) {
        out.push((
            Vec::new(),
            format!(
                "region `{}` has no price book: `archsim cost` and the cost panel refuse it (known regions: {})",
                d.region,
                crate::region::REGIONS.join(", ")
            ),
        ));
    }
}

fn scenario_shape(d: &Design, out: &mut Found) {
    for (i, s) in d.scenarios.iter().enumerate() {
        for p in s.problems() {
            out.push((Vec::new(), format!("scenario \"{}\" {p}", s.name)));
        }
        if d.scenarios[..i].iter().any(|o| o.name == s.name) {
            out.push((
                Vec::new(),
                format!("two scenarios are named \"{}\"", s.name),
            ));
        }
    }
}

fn fargate_size(d: &Design, out: &mut Found) {
    for (s, _, tc, t) in services_with_tasks(d) {
        if on_fargate(d, &s.id) && !catalog::is_valid_fargate_size(t.cpu, t.memory_mb) {
            out.push((
                ids(&[&tc.id, &s.id]),
                format!(
                    "{} asks Fargate for {} CPU units with {} MiB, which is not a Fargate task size",
                    tc.name, t.cpu, t.memory_mb
                ),
            ));
        }
    }
}

fn fargate_gpu(d: &Design, out: &mut Found) {
    for (s, _, tc, t) in services_with_tasks(d) {
        if on_fargate(d, &s.id) && t.gpus() > 0 {
            out.push((
                ids(&[&tc.id, &s.id]),
                format!(
                    "{} needs {} GPU(s) but {} runs on Fargate",
                    tc.name,
                    t.gpus(),
                    s.name
                ),
            ));
        }
    }
}

fn fargate_network_mode(d: &Design, out: &mut Found) {
    for (s, _, tc, t) in services_with_tasks(d) {
        if on_fargate(d, &s.id) && t.network_mode != NetworkMode::Awsvpc {
            out.push((
                ids(&[&tc.id, &s.id]),
                format!(
                    "{} uses {:?} network mode on Fargate",
                    tc.name, t.network_mode
                ),
            ));
        }
    }
}

fn gpu_instance(d: &Design, out: &mut Found) {
    for (s, _, tc, t) in services_with_tasks(d) {
        if t.gpus() == 0 {
            continue;
        }
        for (asg, a, it) in ec2_capacity(d, &s.id) {
            if let Some(it) = it
                && it.gpus < t.gpus()
            {
                out.push((
                    ids(&[&tc.id, &asg.id]),
                    format!(
                        "{} needs {} GPU(s) but {} has {}",
                        tc.name,
                        t.gpus(),
                        a.instance_type,
                        it.gpus
                    ),
                ));
            }
        }
    }
}

fn task_fits_instance(d: &Design, out: &mut Found) {
    for (s, _, tc, t) in services_with_tasks(d) {
        for (asg, a, it) in ec2_capacity(d, &s.id) {
            if let Some(it) = it
                && (t.cpu > it.cpu_units() || t.memory_mb > it.memory_mib)
            {
                out.push((
                    ids(&[&tc.id, &asg.id]),
                    format!(
                        "{} needs {} CPU units / {} MiB; {} has {} / {}",
                        tc.name,
                        t.cpu,
                        t.memory_mb,
                        a.instance_type,
                        it.cpu_units(),
                        it.memory_mib
                    ),
                ));
            }
        }
    }
}

fn needs_aws_permissions(d: &Design, id: &str) -> bool {
    d.outgoing(id).iter().any(|(c, t)| {
        matches!(c.kind.meaning(), Meaning::Uses | Meaning::Publishes)
            || (c.kind.meaning() == Meaning::InvokeSync || c.kind.meaning() == Meaning::InvokeAsync)
                && t.kind() == K::LambdaFunction
    })
}

fn task_role_missing(d: &Design, out: &mut Found) {
    for (s, _, tc, _) in services_with_tasks(d) {
        if ec2_capacity(d, &s.id).is_empty() || !needs_aws_permissions(d, &s.id) {
            continue;
        }
        if !role_purposes(d, &tc.id).contains(&RolePurpose::TaskRole) {
            out.push((
                ids(&[&tc.id, &s.id]),
                format!(
                    "{} calls AWS services but {} has no task role, so it would run on the EC2 instance role (coarse-grained)",
                    s.name, tc.name
                ),
            ));
        }
    }
}

fn instance_role_access(d: &Design, out: &mut Found) {
    for c in d.components_of(K::Ec2AutoScalingGroup) {
        for (conn, t) in d.outgoing(&c.id) {
            if matches!(conn.kind.meaning(), Meaning::Uses | Meaning::Publishes) {
                out.push((
                    ids(&[&c.id, &t.id]),
                    format!("{} reaches {} through the instance role: every task on those instances gets it", c.name, t.name),
                ));
            }
        }
    }
}

fn role_purpose(d: &Design, out: &mut Found) {
    for conn in d.connections() {
        if conn.kind.meaning() != Meaning::AssumesRole {
            continue;
        }
        let (Some(from), Some(role)) = (d.component(&conn.from), d.component(&conn.to)) else {
            continue;
        };
        let Props::IamRole(r) = &role.props else {
            continue;
        };
        let expected: &[RolePurpose] = match from.kind() {
            K::TaskDefinition => &[RolePurpose::TaskRole, RolePurpose::ExecutionRole],
            K::Ec2AutoScalingGroup | K::Ec2Instance => &[RolePurpose::InstanceRole],
            K::LambdaFunction => &[RolePurpose::LambdaRole],
            K::EksCluster | K::EksNodeGroup | K::EksFargateProfile => &[RolePurpose::EksRole],
            _ => continue,
        };
        if !expected.contains(&r.purpose) {
            out.push((
                ids(&[&from.id, &role.id]),
                format!(
                    "{} assumes {} whose purpose is {:?}",
                    from.name, role.name, r.purpose
                ),
            ));
        }
    }
}

fn execution_role(d: &Design, out: &mut Found) {
    for tc in d.components_of(K::TaskDefinition) {
        let private = targets(d, &tc.id, Meaning::PullsImage)
            .iter()
            .any(|r| match &r.props {
                Props::EcrRepository(_) => true,
                Props::ExternalRegistry(x) => x.requires_credentials,
                _ => false,
            });
        if private && !role_purposes(d, &tc.id).contains(&RolePurpose::ExecutionRole) {
            out.push((
                ids(&[&tc.id]),
                format!("{} pulls private images but has no execution role", tc.name),
            ));
        }
    }
}

fn lambda_timeout_apigw(d: &Design, out: &mut Found) {
    for c in d.components() {
        let Props::LambdaFunction(l) = &c.props else {
            continue;
        };
        for api in sources(d, &c.id, Meaning::InvokeSync) {
            if let Props::ApiGateway(a) = &api.props
                && l.timeout_s.saturating_mul(1000) > a.integration_timeout_ms
            {
                out.push((
                    ids(&[&c.id, &api.id]),
                    format!(
                        "{} may run {} s but {} waits {} ms",
                        c.name, l.timeout_s, api.name, a.integration_timeout_ms
                    ),
                ));
            }
        }
    }
}

/// API Gateway takes one authorizer per method or route: two connections
/// that authorize one API cannot both be its default (an API may have
/// several, each on its own methods: a warning).
fn api_authorizers(d: &Design, out: &mut Found) {
    for api in d.components().filter(|c| c.kind() == K::ApiGateway) {
        let authorizers: Vec<&Component> = d
            .incoming(&api.id)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Authorizes))
            .map(|(_, from)| from)
            .collect();
        if authorizers.len() > 1 {
            let mut involved: Vec<&str> = vec![&api.id];
            involved.extend(authorizers.iter().map(|c| c.id.as_str()));
            out.push((
                ids(&involved),
                format!(
                    "{} is authorized by {}",
                    api.name,
                    authorizers
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            ));
        }
    }
}

/// A Lambda authorizer needs the header its identity comes from when it
/// is a TOKEN authorizer or caches its answers (the header is the key).
fn api_authorizer_identity(d: &Design, out: &mut Found) {
    for api in d.components() {
        let Props::ApiGateway(p) = &api.props else {
            continue;
        };
        let a = &p.lambda_authorizer;
        let token = p.api_type == ApiType::Rest && a.payload == AuthorizerPayload::Token;
        if !a.identity_header.trim().is_empty() || !(token || a.result_ttl_s > 0) {
            continue;
        }
        for (conn, f) in d.incoming(&api.id) {
            if f.kind() == K::LambdaFunction && matches!(conn.kind, ConnectionKind::Authorizes) {
                out.push((
                    ids(&[&api.id, &f.id]),
                    format!(
                        "{} authorizes {} but the API names no identity header",
                        f.name, api.name
                    ),
                ));
            }
        }
    }
}

fn sqs_visibility(d: &Design, out: &mut Found) {
    for conn in d.connections() {
        let ConnectionKind::Poll {
            batching_window_s, ..
        } = conn.kind
        else {
            continue;
        };
        let (Some(q), Some(f)) = (d.component(&conn.from), d.component(&conn.to)) else {
            continue;
        };
        if let (Props::SqsQueue(qp), Props::LambdaFunction(l)) = (&q.props, &f.props) {
            let needed = 6 * l.timeout_s + batching_window_s;
            if qp.visibility_timeout_s < needed {
                out.push((
                    ids(&[&q.id, &f.id]),
                    format!(
                        "{} has a {} s visibility timeout; {} (timeout {} s) needs at least {} s",
                        q.name, qp.visibility_timeout_s, f.name, l.timeout_s, needed
                    ),
                ));
            }
        }
    }
}

fn lambdas(d: &Design) -> impl Iterator<Item = (&Component, &crate::component::LambdaProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::LambdaFunction(l) => Some((c, l)),
        _ => None,
    })
}

fn unreserved_minimum(d: &Design, out: &mut Found) {
    let reserved: Vec<_> = lambdas(d)
        .filter(|(_, l)| l.reserved_concurrency.is_some())
        .collect();
    let total: u64 = reserved
        .iter()
        .map(|(_, l)| u64::from(l.reserved_concurrency.unwrap_or(0)))
        .sum();
    let limit = u64::from(d.account.lambda_concurrency_limit);
    let min = u64::from(d.account.unreserved_concurrency_min);
    if total + min > limit {
        out.push((
            reserved.iter().map(|(c, _)| c.id.clone()).collect(),
            format!(
                "functions reserve {total} of the account's {limit}, leaving {} unreserved (at least {min} must be)",
                limit.saturating_sub(total)
            ),
        ));
    }
}

fn provisioned_vs_reserved(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        if let Some(r) = l.reserved_concurrency
            && l.provisioned_concurrency > r
        {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}: provisioned {} > reserved {r}",
                    c.name, l.provisioned_concurrency
                ),
            ));
        }
    }
}

/// Edges through which one invocation can cause another.
fn causes(d: &Design, conn: &crate::connection::Connection) -> bool {
    let target = d.component(&conn.to).map(|c| c.kind());
    match &conn.kind {
        ConnectionKind::Invoke { .. } | ConnectionKind::Poll { .. } | ConnectionKind::Publishes => {
            true
        }
        ConnectionKind::Uses { access } => {
            access.writes() && matches!(target, Some(K::S3Bucket) | Some(K::DynamoDbTable))
        }
        _ => false,
    }
}

fn recursive_loop(d: &Design, out: &mut Found) {
    let mut g = petgraph::graph::DiGraph::<&str, ()>::new();
    let mut index = BTreeMap::new();
    let relevant = |k: K| {
        matches!(
            k,
            K::LambdaFunction
                | K::SqsQueue
                | K::SnsTopic
                | K::S3Bucket
                | K::EventBridgeRule
                | K::KinesisStream
                | K::DynamoDbTable
        )
    };
    for c in d.components().filter(|c| relevant(c.kind())) {
        index.insert(c.id.as_str(), g.add_node(c.id.as_str()));
    }
    for conn in d.connections() {
        if let (Some(&a), Some(&b)) = (index.get(conn.from.as_str()), index.get(conn.to.as_str()))
            && causes(d, conn)
        {
            g.add_edge(a, b, ());
        }
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        let looped = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
        let mut members: Vec<String> = scc.iter().map(|&ix| g[ix].to_string()).collect();
        let has_lambda = members.iter().any(|id| {
            d.component(id)
                .is_some_and(|c| c.kind() == K::LambdaFunction)
        });
        if looped && has_lambda {
            members.sort();
            let names: Vec<_> = members
                .iter()
                .filter_map(|id| d.component(id))
                .map(|c| c.name.as_str())
                .collect();
            out.push((
                members.clone(),
                format!("invocations loop through {}", names.join(" -> ")),
            ));
        }
    }
}

fn lambda_image_registry(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        if l.packaging == Packaging::Image && targets(d, &c.id, Meaning::PullsImage).is_empty() {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} is packaged as an image but has no ECR repository",
                    c.name
                ),
            ));
        }
    }
}

fn inferred_unconfirmed(d: &Design, out: &mut Found) {
    for c in d.connections() {
        if let Some(i) = c.inferred.as_ref().filter(|i| i.weak) {
            let name = |id: &str| d.component(id).map_or(id.to_string(), |x| x.name.clone());
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} {} {} was inferred from {}",
                    name(&c.from),
                    c.kind.meaning().describe(),
                    name(&c.to),
                    i.evidence
                ),
            ));
        }
    }
}

fn async_failure_destination(d: &Design, out: &mut Found) {
    for (c, _) in lambdas(d) {
        if !sources(d, &c.id, Meaning::InvokeAsync).is_empty()
            && targets(d, &c.id, Meaning::DeadLetter).is_empty()
        {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} is invoked asynchronously with no failure destination",
                    c.name
                ),
            ));
        }
    }
}

fn api_no_integration(d: &Design, out: &mut Found) {
    for c in d.components_of(K::ApiGateway) {
        if d.outgoing(&c.id).is_empty() {
            out.push((ids(&[&c.id]), format!("{} has no integrations", c.name)));
        }
    }
}

fn services(d: &Design) -> impl Iterator<Item = (&Component, &crate::component::EcsServiceProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::EcsService(s) => Some((c, s)),
        _ => None,
    })
}

fn service_min_desired(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        if s.min_count > s.desired_count {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}: min {} > desired {}",
                    c.name, s.min_count, s.desired_count
                ),
            ));
        }
    }
}

fn service_desired_max(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        if s.desired_count > s.max_count {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}: desired {} > max {}",
                    c.name, s.desired_count, s.max_count
                ),
            ));
        }
    }
}

fn service_capacity(d: &Design, out: &mut Found) {
    for (c, _) in services(d) {
        if targets(d, &c.id, Meaning::RunsOn).is_empty() {
            out.push((ids(&[&c.id]), format!("{} runs on no capacity", c.name)));
        }
    }
}

fn service_task_definition(d: &Design, out: &mut Found) {
    for (c, _) in services(d) {
        if targets(d, &c.id, Meaning::RunsTask).is_empty() {
            out.push((ids(&[&c.id]), format!("{} has no task definition", c.name)));
        }
    }
}

fn service_in_cluster(d: &Design, out: &mut Found) {
    for (c, _) in services(d) {
        if d.cluster_of(&c.id)
            .is_none_or(|cl| cl.kind() != K::EcsCluster)
        {
            out.push((ids(&[&c.id]), format!("{} is in no ECS cluster", c.name)));
        }
    }
}

fn capacity_strategy(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        let caps = targets(d, &c.id, Meaning::RunsOn);
        let fargate = caps
            .iter()
            .any(|t| matches!(t.kind(), K::Fargate | K::FargateSpot));
        let ec2 = caps.iter().any(|t| t.kind() == K::Ec2AutoScalingGroup);
        if fargate && ec2 {
            out.push((
                ids(&[&c.id]),
                format!("{} mixes Fargate and EC2 capacity providers", c.name),
            ));
        }
        if let Some(lt) = s.launch_type {
            let fits = caps.len() == 1
                && match lt {
                    LaunchType::Fargate => caps[0].kind() == K::Fargate,
                    LaunchType::Ec2 => caps[0].kind() == K::Ec2AutoScalingGroup,
                };
            if !fits {
                out.push((
                    ids(&[&c.id]),
                    format!(
                        "{} has launch type {lt:?} but its capacity does not match",
                        c.name
                    ),
                ));
            }
        }
    }
}

fn spot_only(d: &Design, out: &mut Found) {
    for (c, _) in services(d) {
        let caps = targets(d, &c.id, Meaning::RunsOn);
        if !caps.is_empty() && caps.iter().all(|t| t.kind() == K::FargateSpot) {
            out.push((
                ids(&[&c.id]),
                format!("{} runs only on Fargate Spot", c.name),
            ));
        }
    }
}

fn static_host_port(d: &Design, out: &mut Found) {
    for (s, sp, tc, t) in services_with_tasks(d) {
        if t.network_mode == NetworkMode::Awsvpc {
            continue;
        }
        let static_port = t
            .containers
            .iter()
            .flat_map(|c| &c.port_mappings)
            .any(|m| m.is_static_host_port() || (t.network_mode == NetworkMode::Host));
        if !static_port {
            continue;
        }
        for (asg, a, _) in ec2_capacity(d, &s.id) {
            if sp.desired_count > a.max_size {
                out.push((
                    ids(&[&s.id, &tc.id, &asg.id]),
                    format!(
                        "{} wants {} tasks with a static host port but {} has at most {} instances",
                        s.name, sp.desired_count, asg.name, a.max_size
                    ),
                ));
            }
        }
    }
}

fn eni_capacity(d: &Design, out: &mut Found) {
    let mut per_asg: BTreeMap<String, (u32, Vec<String>)> = BTreeMap::new();
    for (s, sp, _, t) in services_with_tasks(d) {
        if t.network_mode != NetworkMode::Awsvpc {
            continue;
        }
        for (asg, _, _) in ec2_capacity(d, &s.id) {
            let e = per_asg.entry(asg.id.clone()).or_default();
            e.0 += sp.desired_count;
            e.1.push(s.id.clone());
        }
    }
    for (asg_id, (tasks, svcs)) in per_asg {
        let Some(asg) = d.component(&asg_id) else {
            continue;
        };
        let Props::Ec2AutoScalingGroup(a) = &asg.props else {
            continue;
        };
        let Some(it) = catalog::instance_type(&a.instance_type) else {
            continue;
        };
        let capacity = a.max_size * it.awsvpc_task_capacity(a.awsvpc_trunking);
        if tasks > capacity {
            let mut involved = vec![asg_id.clone()];
            involved.extend(svcs);
            out.push((
                involved,
                format!(
                    "{} awsvpc tasks on {}: {} x {} holds at most {capacity} ({} per instance)",
                    tasks,
                    asg.name,
                    a.max_size,
                    a.instance_type,
                    it.awsvpc_task_capacity(a.awsvpc_trunking)
                ),
            ));
        }
    }
}

fn distinct_instance(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        if !s
            .placement_constraints
            .iter()
            .any(|p| p.kind == PlacementConstraintType::DistinctInstance)
        {
            continue;
        }
        for (asg, a, _) in ec2_capacity(d, &c.id) {
            if s.desired_count > a.max_size {
                out.push((
                    ids(&[&c.id, &asg.id]),
                    format!(
                        "{} wants {} tasks on distinct instances; {} allows {}",
                        c.name, s.desired_count, asg.name, a.max_size
                    ),
                ));
            }
        }
    }
}

fn task_definitions(d: &Design) -> impl Iterator<Item = (&Component, &TaskDefinitionProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::TaskDefinition(t) => Some((c, t)),
        _ => None,
    })
}

fn task_containers(d: &Design, out: &mut Found) {
    for (c, t) in task_definitions(d) {
        if t.containers.is_empty() {
            out.push((ids(&[&c.id]), format!("{} has no containers", c.name)));
        }
    }
}

fn task_essential(d: &Design, out: &mut Found) {
    for (c, t) in task_definitions(d) {
        if !t.containers.is_empty() && !t.containers.iter().any(|x| x.essential) {
            out.push((
                ids(&[&c.id]),
                format!("{} has no essential container", c.name),
            ));
        }
    }
}

fn task_container_sum(d: &Design, out: &mut Found) {
    for (c, t) in task_definitions(d) {
        let cpu: u32 = t.containers.iter().map(|x| x.cpu).sum();
        let mem: u32 = t
            .containers
            .iter()
            .map(|x| x.memory_reservation_mb.or(x.memory_mb).unwrap_or(0))
            .sum();
        if cpu > t.cpu || mem > t.memory_mb {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}: containers need {cpu} CPU units / {mem} MiB; the task has {} / {}",
                    c.name, t.cpu, t.memory_mb
                ),
            ));
        }
    }
}

fn image_registry(d: &Design, out: &mut Found) {
    for c in d.components() {
        let needs = match &c.props {
            Props::TaskDefinition(t) => !t.containers.is_empty(),
            Props::EksWorkload(_) => true,
            _ => false,
        };
        if needs && targets(d, &c.id, Meaning::PullsImage).is_empty() {
            out.push((
                ids(&[&c.id]),
                format!("{}'s images come from no registry", c.name),
            ));
        }
    }
}

fn asg_size_order(d: &Design, out: &mut Found) {
    for c in d.components() {
        let (min, desired, max) = match &c.props {
            Props::Ec2AutoScalingGroup(a) => (a.min_size, a.desired_capacity, a.max_size),
            Props::EksNodeGroup(n) => (n.min_size, n.desired_size, n.max_size),
            _ => continue,
        };
        if !(min <= desired && desired <= max) {
            out.push((
                ids(&[&c.id]),
                format!("{}: min {min}, desired {desired}, max {max}", c.name),
            ));
        }
    }
}

fn unknown_instance_type(d: &Design, out: &mut Found) {
    for c in d.components() {
        if let Props::EksNodeGroup(n) = &c.props
            && n.autoscaler == crate::component::NodeAutoscaler::Karpenter
        {
            for t in &n.karpenter.instance_types {
                if catalog::instance_type(t).is_none() {
                    out.push((
                        ids(&[&c.id]),
                        format!(
                            "{}: the Karpenter NodePool's instance type {t} is not in archsim's catalog (it is never launched)",
                            c.name
                        ),
                    ));
                }
            }
        }
        let t = match &c.props {
            Props::Ec2AutoScalingGroup(a) => &a.instance_type,
            Props::EksNodeGroup(n) => &n.instance_type,
            Props::Ec2Instance(i) => &i.instance_type,
            _ => continue,
        };
        if catalog::instance_type(t).is_none() {
            out.push((
                ids(&[&c.id]),
                format!("{}: instance type {t} is not in archsim's catalog", c.name),
            ));
        }
    }
}

fn ddb_stream(d: &Design, out: &mut Found) {
    for c in d.components() {
        if let Props::DynamoDbTable(t) = &c.props
            && t.stream.is_none()
        {
            for f in targets(d, &c.id, Meaning::Poll) {
                out.push((
                    ids(&[&c.id, &f.id]),
                    format!("{} polls {}, whose stream is off", f.name, c.name),
                ));
            }
        }
    }
}

fn esm_settings(d: &Design, out: &mut Found) {
    for conn in d.connections() {
        let ConnectionKind::Poll {
            batch_size,
            batching_window_s,
            parallelization_factor,
            max_concurrency,
            ..
        } = conn.kind
        else {
            continue;
        };
        let Some(src) = d.component(&conn.from) else {
            continue;
        };
        let mut wrong = Vec::new();
        match &src.props {
            Props::SqsQueue(q) => {
                if parallelization_factor != 1 {
                    wrong.push("parallelization factor applies to streams only".to_string());
                }
                if q.fifo && batch_size > 10 {
                    wrong.push(format!(
                        "FIFO queues take batches of at most 10, not {batch_size}"
                    ));
                }
                if batch_size > 10 && batching_window_s == 0 {
                    wrong.push(format!("a batch size of {batch_size} (over 10) needs a batching window of at least 1 s"));
                }
            }
            _ => {
                if max_concurrency.is_some() {
                    wrong.push("maximum concurrency applies to SQS only".to_string());
                }
            }
        }
        for w in wrong {
            out.push((
                ids(&[&conn.from, &conn.to]),
                format!("connection {}: {w}", conn.id),
            ));
        }
    }
}

fn dead_letter_pairs(
    d: &Design,
) -> Vec<(
    &Component,
    &crate::component::SqsQueueProps,
    &Component,
    &crate::component::SqsQueueProps,
)> {
    d.connections()
        .filter(|c| c.kind.meaning() == Meaning::DeadLetter)
        .filter_map(|c| {
            let (a, b) = (d.component(&c.from)?, d.component(&c.to)?);
            match (&a.props, &b.props) {
                (Props::SqsQueue(ap), Props::SqsQueue(bp)) => Some((a, ap, b, bp)),
                _ => None,
            }
        })
        .collect()
}

fn dlq_retention(d: &Design, out: &mut Found) {
    for (a, ap, b, bp) in dead_letter_pairs(d) {
        if bp.message_retention_s < ap.message_retention_s {
            out.push((
                ids(&[&a.id, &b.id]),
                format!(
                    "{} keeps messages {} s; its source {} keeps them {} s",
                    b.name, bp.message_retention_s, a.name, ap.message_retention_s
                ),
            ));
        }
    }
}

fn dlq_fifo(d: &Design, out: &mut Found) {
    for (a, ap, b, bp) in dead_letter_pairs(d) {
        if ap.fifo != bp.fifo {
            out.push((
                ids(&[&a.id, &b.id]),
                format!(
                    "{} and its dead-letter queue {} differ in FIFO-ness",
                    a.name, b.name
                ),
            ));
        }
    }
}

fn eks_in_cluster(d: &Design, out: &mut Found) {
    for c in d.components() {
        if matches!(
            c.kind(),
            K::EksNodeGroup | K::EksFargateProfile | K::EksWorkload
        ) && d
            .cluster_of(&c.id)
            .is_none_or(|cl| cl.kind() != K::EksCluster)
        {
            out.push((ids(&[&c.id]), format!("{} is in no EKS cluster", c.name)));
        }
    }
}

fn eks_capacity(d: &Design, out: &mut Found) {
    for c in d.components_of(K::EksWorkload) {
        if targets(d, &c.id, Meaning::RunsOn).is_empty() {
            out.push((
                ids(&[&c.id]),
                format!("{} has no node group or Fargate profile", c.name),
            ));
        }
    }
}

fn hpa_order(d: &Design, out: &mut Found) {
    for c in d.components() {
        if let Props::EksWorkload(w) = &c.props
            && let Some(h) = &w.hpa
            && h.min_replicas > h.max_replicas
        {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}: min replicas {} > max {}",
                    c.name, h.min_replicas, h.max_replicas
                ),
            ));
        }
    }
}

fn request_count_policy(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        let uses = s.autoscaling.as_ref().is_some_and(|a| {
            a.target_tracking
                .iter()
                .any(|p| p.metric == ScalingMetric::AlbRequestCountPerTarget)
                || a.step
                    .iter()
                    .any(|p| p.metric == ScalingMetric::AlbRequestCountPerTarget)
        });
        let behind_alb = sources(d, &c.id, Meaning::Route)
            .iter()
            .any(|lb| lb.kind() == K::Alb);
        if uses && !behind_alb {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} scales on ALB request count but no ALB routes to it",
                    c.name
                ),
            ));
        }
    }
}

fn not_serverless(d: &Design, out: &mut Found) {
    if !d.serverless {
        return;
    }
    for c in d.components() {
        if c.kind().serverless() == Serverless::No {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} ({}) runs on servers you manage or pay for while idle",
                    c.name,
                    c.kind().label()
                ),
            ));
        }
    }
}

fn orphan(d: &Design, out: &mut Found) {
    let grouped: BTreeSet<&str> = d
        .groups()
        .filter(|g| g.kind != GroupKind::Frame)
        .flat_map(|g| g.members.iter().map(|m| m.as_str()))
        .collect();
    for c in d.components() {
        // A VPC endpoint serves its whole VPC: it has no connection.
        if c.kind().is_cluster() || matches!(c.kind(), K::Generic | K::VpcEndpoint) {
            continue;
        }
        if d.outgoing(&c.id).is_empty()
            && d.incoming(&c.id).is_empty()
            && !grouped.contains(c.id.as_str())
        {
            out.push((
                ids(&[&c.id]),
                format!("{} is not connected to anything", c.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate {}", r.code);
            assert!(
                r.code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                r.code
            );
            assert!(!r.hint.is_empty() && !r.title.is_empty());
        }
        assert!(RULES.len() >= 30, "only {} rules", RULES.len());
    }

    #[test]
    fn empty_design_is_clean() {
        assert!(validate(&Design::new("x")).is_empty());
    }
}
