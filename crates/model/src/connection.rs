//! Connections and the table that says which are allowed.
//!
//! A connection is typed by what it means in AWS, not by how it is drawn.
//! [`CONNECTION_TABLE`] lists, for each (from kind, to kind) pair, the
//! meanings allowed (the first is the default) and what the connection
//! does. The UI, validation, simulation and export all read this one table.

use serde::{Deserialize, Serialize};

use crate::component::ComponentKind;
use crate::filter_policy::SubscriptionFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvokeMode {
    /// RequestResponse: the caller waits and sees throttles at once.
    Sync,
    /// Event: queued by Lambda, retried.
    Async,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    ReadWrite,
}

impl Access {
    pub fn reads(self) -> bool {
        matches!(self, Self::Read | Self::ReadWrite)
    }
    pub fn writes(self) -> bool {
        matches!(self, Self::Write | Self::ReadWrite)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    #[default]
    Latest,
    TrimHorizon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionField {
    PathPattern,
    HostHeader,
    HttpMethod,
    HttpHeader,
    QueryString,
    SourceIp,
}

/// One condition of a listener rule; AWS allows 5 values per rule in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCondition {
    pub field: ConditionField,
    pub values: Vec<String>,
}

impl RuleCondition {
    pub fn path(patterns: &[&str]) -> Self {
        Self {
            field: ConditionField::PathPattern,
            values: patterns.iter().map(|p| p.to_string()).collect(),
        }
    }
}

/// What a connection means, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "meaning", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConnectionKind {
    /// The source invokes the target (a request, a function call).
    Invoke { mode: InvokeMode },
    /// An event source mapping: the target polls the source in batches.
    Poll {
        #[serde(default = "default_batch_size")]
        batch_size: u32,
        #[serde(default)]
        batching_window_s: u32,
        #[serde(default = "one")]
        parallelization_factor: u32,
        /// SQS only: MaximumConcurrency (2-1,000).
        #[serde(default)]
        max_concurrency: Option<u32>,
        #[serde(default)]
        starting_position: StartingPosition,
    },
    /// A load balancer listener rule forwarding to a target group.
    Route {
        /// `None` is the listener's default action.
        #[serde(default)]
        priority: Option<u32>,
        #[serde(default)]
        conditions: Vec<RuleCondition>,
        #[serde(default = "one")]
        weight: u32,
        /// Container port the target group sends to.
        #[serde(default)]
        target_port: Option<u16>,
        #[serde(default = "default_listener_port")]
        listener_port: u16,
    },
    /// A service or workload runs on this capacity (a capacity provider
    /// strategy item).
    RunsOn {
        #[serde(default = "one")]
        weight: u32,
        #[serde(default)]
        base: u32,
    },
    /// An ECS service runs this task definition.
    RunsTask,
    /// Images come from this registry.
    PullsImage,
    /// Reads or writes a data store: drives IAM and latency.
    Uses { access: Access },
    /// Sends messages or events to a queue, topic, bus or stream.
    Publishes,
    /// Failed messages or events go here (redrive, on-failure destination).
    DeadLetter,
    /// Takes this IAM role (task, execution, instance or function role).
    AssumesRole,
    /// Authenticates callers of the target (a Cognito user pool, or a
    /// Lambda authorizer of an API).
    Authorizes,
    /// A dependency archsim keeps but does not interpret (import).
    References,
}

fn default_batch_size() -> u32 {
    10
}
fn one() -> u32 {
    1
}
fn default_listener_port() -> u16 {
    80
}

/// A connection's meaning without its parameters, as the table lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    InvokeSync,
    InvokeAsync,
    Poll,
    Route,
    RunsOn,
    RunsTask,
    PullsImage,
    Uses,
    Publishes,
    DeadLetter,
    AssumesRole,
    Authorizes,
    References,
}

impl ConnectionKind {
    /// The JSON Schema of every meaning's parameters (a `oneOf` tagged by
    /// `meaning`, every subschema inlined): what the inspector's connection
    /// forms are made from.
    pub fn schema() -> schemars::Schema {
        schemars::generate::SchemaSettings::draft2020_12()
            .with(|s| s.inline_subschemas = true)
            .into_generator()
            .root_schema_for::<ConnectionKind>()
    }
}

impl Meaning {
    pub fn describe(self) -> &'static str {
        match self {
            Self::InvokeSync => "invokes synchronously",
            Self::InvokeAsync => "invokes asynchronously",
            Self::Poll => "is polled by",
            Self::Route => "routes to",
            Self::RunsOn => "runs on",
            Self::RunsTask => "runs task",
            Self::PullsImage => "pulls images from",
            Self::Uses => "uses",
            Self::Publishes => "publishes to",
            Self::DeadLetter => "sends failures to",
            Self::AssumesRole => "assumes role",
            Self::Authorizes => "authorizes",
            Self::References => "references",
        }
    }

    /// The connection this meaning stands for when drawn to a component
    /// of kind `to`: [`Meaning::default_kind`], except that a secret is
    /// read (what its readers do with it).
    pub fn default_kind_to(self, to: ComponentKind) -> ConnectionKind {
        match (self, to) {
            (Self::Uses, ComponentKind::Secret) => ConnectionKind::Uses {
                access: Access::Read,
            },
            _ => self.default_kind(),
        }
    }

    /// The connection this meaning stands for, with AWS defaults.
    pub fn default_kind(self) -> ConnectionKind {
        match self {
            Self::InvokeSync => ConnectionKind::Invoke {
                mode: InvokeMode::Sync,
            },
            Self::InvokeAsync => ConnectionKind::Invoke {
                mode: InvokeMode::Async,
            },
            Self::Poll => ConnectionKind::Poll {
                batch_size: 10,
                batching_window_s: 0,
                parallelization_factor: 1,
                max_concurrency: None,
                starting_position: StartingPosition::Latest,
            },
            Self::Route => ConnectionKind::Route {
                priority: None,
                conditions: Vec::new(),
                weight: 1,
                target_port: None,
                listener_port: 80,
            },
            Self::RunsOn => ConnectionKind::RunsOn { weight: 1, base: 0 },
            Self::RunsTask => ConnectionKind::RunsTask,
            Self::PullsImage => ConnectionKind::PullsImage,
            Self::Uses => ConnectionKind::Uses {
                access: Access::ReadWrite,
            },
            Self::Publishes => ConnectionKind::Publishes,
            Self::DeadLetter => ConnectionKind::DeadLetter,
            Self::AssumesRole => ConnectionKind::AssumesRole,
            Self::Authorizes => ConnectionKind::Authorizes,
            Self::References => ConnectionKind::References,
        }
    }
}

impl ConnectionKind {
    pub fn meaning(&self) -> Meaning {
        match self {
            Self::Invoke {
                mode: InvokeMode::Sync,
            } => Meaning::InvokeSync,
            Self::Invoke {
                mode: InvokeMode::Async,
            } => Meaning::InvokeAsync,
            Self::Poll { .. } => Meaning::Poll,
            Self::Route { .. } => Meaning::Route,
            Self::RunsOn { .. } => Meaning::RunsOn,
            Self::RunsTask => Meaning::RunsTask,
            Self::PullsImage => Meaning::PullsImage,
            Self::Uses { .. } => Meaning::Uses,
            Self::Publishes => Meaning::Publishes,
            Self::DeadLetter => Meaning::DeadLetter,
            Self::AssumesRole => Meaning::AssumesRole,
            Self::Authorizes => Meaning::Authorizes,
            Self::References => Meaning::References,
        }
    }
}

/// An edge of the design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub id: String,
    pub from: String,
    pub to: String,
    pub kind: ConnectionKind,
    /// For a connection import inferred from a template: what in the
    /// template says so, and whether that evidence is weak (the user
    /// should confirm or delete it). `None` for a connection a person
    /// drew or confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inferred: Option<Inferred>,
    /// An SNS subscription's filter policy (a topic's `Invoke` or
    /// `Publishes` connection to its subscriber): only messages that pass
    /// it are delivered. `None`: every message is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<SubscriptionFilter>,
}

/// Where an imported connection comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inferred {
    /// The template's evidence (`OrdersFn policy: DynamoDBCrudPolicy`).
    pub evidence: String,
    /// Whether the evidence only suggests the connection (a statement on
    /// every resource applied to a resource the function names; one of
    /// several resources a role allows), so the user should confirm it.
    pub weak: bool,
}

impl Connection {
    pub fn new(
        id: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
        kind: ConnectionKind,
    ) -> Self {
        Self {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            kind,
            inferred: None,
            filter_policy: None,
        }
    }

    /// The connection with an SNS subscription filter policy.
    pub fn with_filter_policy(mut self, filter: SubscriptionFilter) -> Self {
        self.filter_policy = Some(filter);
        self
    }

    /// Whether this connection is an SNS subscription that may carry a
    /// filter policy: from a topic, delivering to its subscriber (not the
    /// subscription's dead-letter queue).
    pub fn is_subscription(&self, from: ComponentKind) -> bool {
        from == ComponentKind::SnsTopic
            && matches!(
                self.kind,
                ConnectionKind::Invoke { .. } | ConnectionKind::Publishes
            )
    }

    /// The connection with the evidence import found for it.
    pub fn inferred(mut self, evidence: impl Into<String>, weak: bool) -> Self {
        self.inferred = Some(Inferred {
            evidence: evidence.into(),
            weak,
        });
        self
    }
}

/// One row of the connection table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionRule {
    pub from: ComponentKind,
    pub to: ComponentKind,
    /// Meanings allowed; the first is the default.
    pub meanings: &'static [Meaning],
    /// What the connection does in AWS.
    pub note: &'static str,
}

impl ConnectionRule {
    /// How the target is invoked, where the connection invokes a Lambda
    /// function (a load balancer's Lambda target is a synchronous invoke).
    pub fn invocation(&self, meaning: Meaning) -> Option<InvokeMode> {
        match meaning {
            Meaning::InvokeSync => Some(InvokeMode::Sync),
            Meaning::InvokeAsync => Some(InvokeMode::Async),
            Meaning::Route if self.to == ComponentKind::LambdaFunction => Some(InvokeMode::Sync),
            _ => None,
        }
    }
}

use ComponentKind as K;
use Meaning as M;

const SYNC: &[Meaning] = &[M::InvokeSync];
const ASYNC: &[Meaning] = &[M::InvokeAsync];
const SYNC_OR_ASYNC: &[Meaning] = &[M::InvokeSync, M::InvokeAsync];
const POLL: &[Meaning] = &[M::Poll];
const ROUTE: &[Meaning] = &[M::Route];
const RUNS_ON: &[Meaning] = &[M::RunsOn];
const PULLS: &[Meaning] = &[M::PullsImage];
const USES: &[Meaning] = &[M::Uses];
const PUBLISHES: &[Meaning] = &[M::Publishes];
const PUBLISHES_OR_DLQ: &[Meaning] = &[M::Publishes, M::DeadLetter];
const ROLE: &[Meaning] = &[M::AssumesRole];

const fn r(
    from: ComponentKind,
    to: ComponentKind,
    meanings: &'static [Meaning],
    note: &'static str,
) -> ConnectionRule {
    ConnectionRule {
        from,
        to,
        meanings,
        note,
    }
}

/// Every allowed pair. Sources: the Lambda developer guide ("Invoking
/// Lambda with events from other AWS services", synchronous vs
/// asynchronous vs event source mappings), the ELB and ECS guides.
pub const CONNECTION_TABLE: &[ConnectionRule] = &[
    // Clients: the traffic of a scenario enters here.
    r(K::Client, K::ApiGateway, SYNC, "HTTPS requests to the API"),
    r(
        K::Client,
        K::CloudFront,
        SYNC,
        "HTTPS requests to the distribution",
    ),
    r(
        K::Client,
        K::Alb,
        SYNC,
        "HTTP(S) requests to the load balancer",
    ),
    r(
        K::Client,
        K::Nlb,
        SYNC,
        "TCP/TLS connections to the load balancer",
    ),
    r(
        K::Client,
        K::Clb,
        SYNC,
        "requests to the classic load balancer",
    ),
    r(K::Client, K::Cognito, SYNC, "sign-in and token requests"),
    r(K::Client, K::Lex, SYNC, "conversations with the bot"),
    r(K::Client, K::Alexa, SYNC, "voice requests to the skill"),
    r(
        K::Client,
        K::LambdaFunction,
        SYNC,
        "requests to a function URL",
    ),
    r(
        K::Client,
        K::S3Bucket,
        USES,
        "uploads and downloads objects",
    ),
    r(K::Client, K::SqsQueue, PUBLISHES, "sends messages"),
    r(K::Client, K::SnsTopic, PUBLISHES, "publishes notifications"),
    r(
        K::Client,
        K::EventBridgeRule,
        PUBLISHES,
        "puts events on the bus",
    ),
    r(K::Client, K::KinesisStream, PUBLISHES, "puts records"),
    r(
        K::Client,
        K::Firehose,
        PUBLISHES,
        "puts records for delivery",
    ),
    // API Gateway
    r(
        K::ApiGateway,
        K::LambdaFunction,
        SYNC,
        "Lambda proxy integration: invoked synchronously, 29 s timeout",
    ),
    r(
        K::ApiGateway,
        K::Alb,
        SYNC,
        "HTTP integration through a VPC link",
    ),
    r(
        K::ApiGateway,
        K::Nlb,
        SYNC,
        "HTTP integration through a VPC link",
    ),
    r(
        K::ApiGateway,
        K::EcsService,
        SYNC,
        "HTTP integration through a VPC link and Cloud Map",
    ),
    r(
        K::ApiGateway,
        K::SqsQueue,
        PUBLISHES,
        "AWS service integration: SendMessage",
    ),
    r(
        K::ApiGateway,
        K::SnsTopic,
        PUBLISHES,
        "AWS service integration: Publish",
    ),
    r(
        K::ApiGateway,
        K::EventBridgeRule,
        PUBLISHES,
        "AWS service integration: PutEvents",
    ),
    r(
        K::ApiGateway,
        K::KinesisStream,
        PUBLISHES,
        "AWS service integration: PutRecord",
    ),
    r(
        K::ApiGateway,
        K::Firehose,
        PUBLISHES,
        "AWS service integration: PutRecord",
    ),
    r(
        K::ApiGateway,
        K::DynamoDbTable,
        USES,
        "AWS service integration on the table",
    ),
    r(
        K::ApiGateway,
        K::S3Bucket,
        USES,
        "AWS service integration on the bucket",
    ),
    // CloudFront
    r(K::CloudFront, K::S3Bucket, ROUTE, "S3 origin"),
    r(K::CloudFront, K::Alb, ROUTE, "load balancer origin"),
    r(K::CloudFront, K::ApiGateway, ROUTE, "API origin"),
    r(
        K::CloudFront,
        K::LambdaFunction,
        SYNC,
        "Lambda@Edge or function URL origin, invoked synchronously",
    ),
    // Load balancers
    r(
        K::Alb,
        K::LambdaFunction,
        ROUTE,
        "Lambda target group: the ALB invokes the function synchronously",
    ),
    r(
        K::Alb,
        K::EcsService,
        ROUTE,
        "target group of the service's tasks",
    ),
    r(
        K::Alb,
        K::EksWorkload,
        ROUTE,
        "target group of the workload's pods",
    ),
    r(K::Alb, K::Ec2Instance, ROUTE, "instance target group"),
    r(
        K::Nlb,
        K::EcsService,
        ROUTE,
        "target group of the service's tasks",
    ),
    r(
        K::Nlb,
        K::EksWorkload,
        ROUTE,
        "target group of the workload's pods",
    ),
    r(K::Nlb, K::Ec2Instance, ROUTE, "instance target group"),
    r(K::Nlb, K::Alb, ROUTE, "ALB-type target group"),
    r(K::Clb, K::Ec2Instance, ROUTE, "registered instances"),
    r(
        K::Clb,
        K::EcsService,
        ROUTE,
        "registered container instances",
    ),
    // Other synchronous invokers of Lambda
    r(
        K::Cognito,
        K::LambdaFunction,
        SYNC,
        "user pool trigger, invoked synchronously",
    ),
    r(
        K::Cognito,
        K::ApiGateway,
        &[M::Authorizes],
        "Cognito user pool authorizer",
    ),
    r(
        K::Cognito,
        K::Alb,
        &[M::Authorizes],
        "ALB authenticate-cognito action",
    ),
    r(
        K::Lex,
        K::LambdaFunction,
        SYNC,
        "code hook, invoked synchronously",
    ),
    r(
        K::Alexa,
        K::LambdaFunction,
        SYNC,
        "skill endpoint, invoked synchronously",
    ),
    r(
        K::Firehose,
        K::LambdaFunction,
        SYNC,
        "record transformation, invoked synchronously",
    ),
    r(
        K::Firehose,
        K::S3Bucket,
        PUBLISHES,
        "delivers batches to the bucket",
    ),
    // Asynchronous invokers
    r(
        K::S3Bucket,
        K::LambdaFunction,
        ASYNC,
        "event notification, invoked asynchronously",
    ),
    r(
        K::S3Bucket,
        K::SqsQueue,
        PUBLISHES,
        "event notification to a queue",
    ),
    r(
        K::S3Bucket,
        K::SnsTopic,
        PUBLISHES,
        "event notification to a topic",
    ),
    r(
        K::S3Bucket,
        K::EventBridgeRule,
        PUBLISHES,
        "events sent to EventBridge",
    ),
    r(
        K::SnsTopic,
        K::LambdaFunction,
        ASYNC,
        "subscription, invoked asynchronously",
    ),
    r(
        K::SnsTopic,
        K::SqsQueue,
        PUBLISHES_OR_DLQ,
        "queue subscription, or the subscription's dead-letter queue",
    ),
    r(K::SnsTopic, K::Firehose, PUBLISHES, "Firehose subscription"),
    r(
        K::EventBridgeRule,
        K::LambdaFunction,
        ASYNC,
        "rule target, invoked asynchronously",
    ),
    r(K::EventBridgeRule, K::SqsQueue, PUBLISHES, "rule target"),
    r(K::EventBridgeRule, K::SnsTopic, PUBLISHES, "rule target"),
    r(
        K::EventBridgeRule,
        K::KinesisStream,
        PUBLISHES,
        "rule target",
    ),
    r(K::EventBridgeRule, K::Firehose, PUBLISHES, "rule target"),
    r(
        K::EventBridgeRule,
        K::EcsService,
        ASYNC,
        "rule target: runs a task",
    ),
    // Polled sources (event source mappings)
    r(
        K::SqsQueue,
        K::LambdaFunction,
        POLL,
        "event source mapping: Lambda polls the queue in batches",
    ),
    r(
        K::SqsQueue,
        K::EcsService,
        POLL,
        "the service's workers poll the queue",
    ),
    r(
        K::SqsQueue,
        K::EksWorkload,
        POLL,
        "the workload's pods poll the queue",
    ),
    r(
        K::SqsQueue,
        K::SqsQueue,
        &[M::DeadLetter],
        "redrive policy: the dead-letter queue",
    ),
    r(
        K::KinesisStream,
        K::LambdaFunction,
        POLL,
        "event source mapping: one batch per shard x parallelization factor",
    ),
    r(
        K::KinesisStream,
        K::Firehose,
        POLL,
        "Firehose reads the stream",
    ),
    r(
        K::DynamoDbTable,
        K::LambdaFunction,
        POLL,
        "stream event source mapping: one batch per shard x parallelization factor",
    ),
    // Lambda
    r(
        K::LambdaFunction,
        K::LambdaFunction,
        &[M::InvokeSync, M::InvokeAsync, M::DeadLetter],
        "Invoke API: RequestResponse (sync) or Event (async); or the on-failure destination of its async events",
    ),
    r(
        K::LambdaFunction,
        K::DynamoDbTable,
        USES,
        "reads/writes items",
    ),
    r(K::LambdaFunction, K::S3Bucket, USES, "reads/writes objects"),
    r(
        K::LambdaFunction,
        K::AuroraServerless,
        USES,
        "queries the database",
    ),
    r(K::LambdaFunction, K::Rds, USES, "queries the database"),
    r(
        K::LambdaFunction,
        K::SqsQueue,
        PUBLISHES_OR_DLQ,
        "sends messages, or its failed async events go here",
    ),
    r(
        K::LambdaFunction,
        K::SnsTopic,
        PUBLISHES_OR_DLQ,
        "publishes, or its failed async events go here",
    ),
    r(
        K::LambdaFunction,
        K::EventBridgeRule,
        PUBLISHES_OR_DLQ,
        "puts events, or its failed async events go here",
    ),
    r(
        K::LambdaFunction,
        K::KinesisStream,
        PUBLISHES,
        "puts records",
    ),
    r(K::LambdaFunction, K::Firehose, PUBLISHES, "puts records"),
    r(
        K::LambdaFunction,
        K::Alb,
        SYNC,
        "calls an HTTP endpoint behind the load balancer",
    ),
    r(
        K::LambdaFunction,
        K::ApiGateway,
        &[M::InvokeSync, M::Authorizes],
        "calls the API; or its Lambda authorizer, invoked before the integration, its answer cached for the TTL",
    ),
    r(
        K::LambdaFunction,
        K::EcrRepository,
        PULLS,
        "container image packaging",
    ),
    r(K::LambdaFunction, K::IamRole, ROLE, "execution role"),
    // ECS
    r(
        K::EcsService,
        K::TaskDefinition,
        &[M::RunsTask],
        "the service runs this task definition",
    ),
    r(
        K::EcsService,
        K::Fargate,
        RUNS_ON,
        "capacity provider FARGATE",
    ),
    r(
        K::EcsService,
        K::FargateSpot,
        RUNS_ON,
        "capacity provider FARGATE_SPOT",
    ),
    r(
        K::EcsService,
        K::Ec2AutoScalingGroup,
        RUNS_ON,
        "Auto Scaling group capacity provider",
    ),
    r(
        K::EcsService,
        K::DynamoDbTable,
        USES,
        "reads/writes items (task role)",
    ),
    r(
        K::EcsService,
        K::S3Bucket,
        USES,
        "reads/writes objects (task role)",
    ),
    r(
        K::EcsService,
        K::AuroraServerless,
        USES,
        "queries the database",
    ),
    r(K::EcsService, K::Rds, USES, "queries the database"),
    r(
        K::EcsService,
        K::SqsQueue,
        PUBLISHES,
        "sends messages (task role)",
    ),
    r(
        K::EcsService,
        K::SnsTopic,
        PUBLISHES,
        "publishes (task role)",
    ),
    r(
        K::EcsService,
        K::EventBridgeRule,
        PUBLISHES,
        "puts events (task role)",
    ),
    r(
        K::EcsService,
        K::KinesisStream,
        PUBLISHES,
        "puts records (task role)",
    ),
    r(
        K::EcsService,
        K::Firehose,
        PUBLISHES,
        "puts records (task role)",
    ),
    r(
        K::EcsService,
        K::LambdaFunction,
        SYNC_OR_ASYNC,
        "invokes the function",
    ),
    r(K::EcsService, K::EcsService, SYNC, "calls another service"),
    r(
        K::EcsService,
        K::Alb,
        SYNC,
        "calls an endpoint behind the load balancer",
    ),
    r(
        K::TaskDefinition,
        K::EcrRepository,
        PULLS,
        "images pulled with the execution role",
    ),
    r(
        K::TaskDefinition,
        K::ExternalRegistry,
        PULLS,
        "images pulled from a public or private registry",
    ),
    r(
        K::TaskDefinition,
        K::IamRole,
        ROLE,
        "task role or execution role",
    ),
    r(
        K::Ec2AutoScalingGroup,
        K::IamRole,
        ROLE,
        "instance profile role",
    ),
    r(
        K::Ec2AutoScalingGroup,
        K::DynamoDbTable,
        USES,
        "data access on the instance role (coarse-grained)",
    ),
    r(
        K::Ec2AutoScalingGroup,
        K::S3Bucket,
        USES,
        "data access on the instance role (coarse-grained)",
    ),
    r(
        K::Ec2AutoScalingGroup,
        K::SqsQueue,
        PUBLISHES,
        "queue access on the instance role (coarse-grained)",
    ),
    r(K::Ec2Instance, K::DynamoDbTable, USES, "reads/writes items"),
    r(K::Ec2Instance, K::S3Bucket, USES, "reads/writes objects"),
    r(K::Ec2Instance, K::Rds, USES, "queries the database"),
    r(
        K::Ec2Instance,
        K::AuroraServerless,
        USES,
        "queries the database",
    ),
    r(K::Ec2Instance, K::IamRole, ROLE, "instance profile role"),
    // EKS
    r(
        K::EksWorkload,
        K::EksNodeGroup,
        RUNS_ON,
        "pods scheduled on the node group",
    ),
    r(
        K::EksWorkload,
        K::EksFargateProfile,
        RUNS_ON,
        "pods run on Fargate through the profile",
    ),
    r(
        K::EksWorkload,
        K::EcrRepository,
        PULLS,
        "images pulled by the nodes",
    ),
    r(
        K::EksWorkload,
        K::ExternalRegistry,
        PULLS,
        "images pulled from a public or private registry",
    ),
    r(
        K::EksWorkload,
        K::DynamoDbTable,
        USES,
        "reads/writes items (pod identity)",
    ),
    r(
        K::EksWorkload,
        K::S3Bucket,
        USES,
        "reads/writes objects (pod identity)",
    ),
    r(
        K::EksWorkload,
        K::AuroraServerless,
        USES,
        "queries the database",
    ),
    r(K::EksWorkload, K::Rds, USES, "queries the database"),
    r(K::EksWorkload, K::SqsQueue, PUBLISHES, "sends messages"),
    r(K::EksWorkload, K::SnsTopic, PUBLISHES, "publishes"),
    r(
        K::EksWorkload,
        K::EksWorkload,
        SYNC,
        "calls another workload",
    ),
    r(
        K::EksWorkload,
        K::LambdaFunction,
        SYNC_OR_ASYNC,
        "invokes the function",
    ),
    // EventBridge custom buses and Pipes
    r(K::Client, K::EventBus, PUBLISHES, "puts events on the bus"),
    r(
        K::ApiGateway,
        K::EventBus,
        PUBLISHES,
        "AWS service integration: PutEvents",
    ),
    r(
        K::LambdaFunction,
        K::EventBus,
        PUBLISHES_OR_DLQ,
        "puts events, or its failed async events go here",
    ),
    r(
        K::EcsService,
        K::EventBus,
        PUBLISHES,
        "puts events (task role)",
    ),
    r(K::EksWorkload, K::EventBus, PUBLISHES, "puts events"),
    r(
        K::EventBus,
        K::EventBridgeRule,
        PUBLISHES,
        "the rule matches the bus's events",
    ),
    r(
        K::SqsQueue,
        K::EventBridgePipe,
        POLL,
        "the pipe polls the queue in batches",
    ),
    r(
        K::KinesisStream,
        K::EventBridgePipe,
        POLL,
        "the pipe reads each shard in batches",
    ),
    r(
        K::DynamoDbTable,
        K::EventBridgePipe,
        POLL,
        "the pipe reads the table's stream in batches",
    ),
    r(
        K::EventBridgePipe,
        K::LambdaFunction,
        &[M::InvokeSync, M::InvokeAsync, M::Uses],
        "target invoked synchronously (REQUEST_RESPONSE) or asynchronously (FIRE_AND_FORGET), or the enrichment (uses: called synchronously, its answer sent on)",
    ),
    r(
        K::EventBridgePipe,
        K::SqsQueue,
        PUBLISHES_OR_DLQ,
        "pipe target: sends the events; or a stream source's dead-letter queue",
    ),
    r(
        K::EventBridgePipe,
        K::SnsTopic,
        PUBLISHES_OR_DLQ,
        "pipe target: publishes the events; or a stream source's dead-letter topic",
    ),
    r(
        K::EventBridgePipe,
        K::EventBus,
        PUBLISHES,
        "pipe target: puts the events",
    ),
    r(
        K::EventBridgePipe,
        K::KinesisStream,
        PUBLISHES,
        "pipe target: puts records",
    ),
    r(
        K::EventBridgePipe,
        K::Firehose,
        PUBLISHES,
        "pipe target: puts records",
    ),
    r(
        K::EventBridgePipe,
        K::EcsService,
        ASYNC,
        "pipe target: runs a task",
    ),
    r(
        K::EventBridgePipe,
        K::ApiGateway,
        &[M::InvokeSync, M::Uses],
        "pipe target, or the enrichment (called synchronously)",
    ),
    r(
        K::EventBridgePipe,
        K::StepFunctions,
        SYNC_OR_ASYNC,
        "pipe target: starts an execution (an Express workflow's synchronously)",
    ),
    r(
        K::StepFunctions,
        K::EventBus,
        PUBLISHES,
        "Task state: events:putEvents on the bus",
    ),
    r(K::EksCluster, K::IamRole, ROLE, "cluster role"),
    r(K::EksNodeGroup, K::IamRole, ROLE, "node role"),
    r(K::EksFargateProfile, K::IamRole, ROLE, "pod execution role"),
    // Secrets: GetSecretValue on the reader's role.
    r(K::LambdaFunction, K::Secret, USES, "reads the secret"),
    r(
        K::EcsService,
        K::Secret,
        USES,
        "reads the secret (container secrets, at task launch)",
    ),
    r(K::EksWorkload, K::Secret, USES, "reads the secret"),
    r(K::Ec2Instance, K::Secret, USES, "reads the secret"),
    // Step Functions: what starts an execution, and what its Task states call.
    r(
        K::Client,
        K::StepFunctions,
        SYNC_OR_ASYNC,
        "starts executions (StartSyncExecution or StartExecution)",
    ),
    r(
        K::ApiGateway,
        K::StepFunctions,
        SYNC_OR_ASYNC,
        "service integration: StartSyncExecution (Express) or StartExecution",
    ),
    r(
        K::EventBridgeRule,
        K::StepFunctions,
        ASYNC,
        "rule target: starts an execution",
    ),
    r(
        K::LambdaFunction,
        K::StepFunctions,
        SYNC_OR_ASYNC,
        "starts executions through the SDK",
    ),
    r(
        K::StepFunctions,
        K::LambdaFunction,
        SYNC_OR_ASYNC,
        "Task state: invokes the function",
    ),
    r(
        K::StepFunctions,
        K::DynamoDbTable,
        USES,
        "Task state: DynamoDB service integration",
    ),
    r(
        K::StepFunctions,
        K::SqsQueue,
        PUBLISHES,
        "Task state: sqs:sendMessage",
    ),
    r(
        K::StepFunctions,
        K::SnsTopic,
        PUBLISHES,
        "Task state: sns:publish",
    ),
    r(
        K::StepFunctions,
        K::EventBridgeRule,
        PUBLISHES,
        "Task state: events:putEvents",
    ),
    r(
        K::StepFunctions,
        K::StepFunctions,
        SYNC_OR_ASYNC,
        "Task state: states:startExecution (.sync waits)",
    ),
    r(
        K::StepFunctions,
        K::TaskDefinition,
        &[M::RunsTask],
        "Task state: ecs:runTask",
    ),
    r(K::StepFunctions, K::IamRole, ROLE, "execution role"),
];

/// The rule for a pair, if the pair is allowed.
pub fn connection_rule(from: ComponentKind, to: ComponentKind) -> Option<ConnectionRule> {
    if from == K::Generic || to == K::Generic {
        return Some(r(
            from,
            to,
            &[M::References],
            "a reference to or from a resource archsim keeps as written",
        ));
    }
    CONNECTION_TABLE
        .iter()
        .find(|rule| rule.from == from && rule.to == to)
        .copied()
}

/// Why a connection cannot be made, and what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}{}", .suggestion.as_deref().map(|s| format!(" {s}")).unwrap_or_default())]
pub struct Refusal {
    pub reason: String,
    pub suggestion: Option<String>,
}

/// Checks a pair and a meaning against the table.
pub fn check_connection(
    from: ComponentKind,
    to: ComponentKind,
    meaning: Meaning,
) -> Result<ConnectionRule, Refusal> {
    match connection_rule(from, to) {
        Some(rule) if rule.meanings.contains(&meaning) => Ok(rule),
        Some(rule) => Err(Refusal {
            reason: format!(
                "{} -> {} cannot mean \"{}\": {}.",
                from.label(),
                to.label(),
                meaning.describe(),
                rule.note
            ),
            suggestion: Some(format!(
                "Allowed: {}.{}",
                rule.meanings
                    .iter()
                    .map(|m| m.describe())
                    .collect::<Vec<_>>()
                    .join(", "),
                connection_rule(to, from)
                    .filter(|reverse| reverse.meanings.contains(&meaning))
                    .map(|reverse| format!(
                        " Or did you mean the other way? {}",
                        reverse_sentence(to, from, meaning, reverse.note)
                    ))
                    .unwrap_or_default()
            )),
        }),
        None => Err(refuse_pair(from, to)),
    }
}

/// "A Lambda function" / "An S3 bucket", for messages.
pub fn article(label: &str) -> String {
    let first_word = label.split_whitespace().next().unwrap_or_default();
    let acronym = first_word.len() > 1
        && first_word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let first = first_word.chars().next().unwrap_or('x');
    let vowel_sound = if acronym {
        "AEFHILMNORSX".contains(first)
    } else {
        "AEIOUaeiou".contains(first)
    };
    format!("{} {label}", if vowel_sound { "An" } else { "A" })
}

fn lower_article(label: &str) -> String {
    let a = article(label);
    let mut chars = a.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => a,
    }
}

fn reverse_sentence(
    from: ComponentKind,
    to: ComponentKind,
    meaning: Meaning,
    note: &str,
) -> String {
    format!(
        "{} {} {} ({note}).",
        article(from.label()),
        meaning.describe(),
        lower_article(to.label())
    )
}

fn refuse_pair(from: ComponentKind, to: ComponentKind) -> Refusal {
    let reason = match (from, to) {
        (_, K::Client) => format!(
            "Nothing connects to {}: it is where traffic starts.",
            lower_article(to.label())
        ),
        (K::Nlb, K::LambdaFunction) => {
            "A Network Load Balancer cannot target a Lambda function: use an ALB or API Gateway."
                .to_string()
        }
        (_, K::TaskDefinition) if from != K::EcsService => format!(
            "Only an ECS service runs a task definition; connect the {} to the service instead.",
            from.label()
        ),
        (K::TaskDefinition, _) => format!(
            "A task definition only pulls images and assumes roles; draw data and traffic connections from its ECS service, not to {}.",
            lower_article(to.label())
        ),
        (K::EcsCluster | K::EksCluster, _) | (_, K::EcsCluster | K::EksCluster) => format!(
            "A cluster is a group, not an endpoint: put the {} inside the cluster instead of connecting it.",
            if from.is_cluster() {
                to.label()
            } else {
                from.label()
            }
        ),
        (K::EcrRepository | K::ExternalRegistry, _) => format!(
            "A registry is pulled from: draw the connection from the {} to the registry.",
            to.label()
        ),
        _ => format!(
            "{} cannot connect to {}.",
            article(from.label()),
            lower_article(to.label())
        ),
    };
    let reverse = connection_rule(to, from)
        .filter(|_| to != K::Generic && from != K::Generic)
        .map(|rule| {
            format!(
                " Did you mean the other way? {}",
                reverse_sentence(to, from, rule.meanings[0], rule.note)
            )
        })
        .unwrap_or_default();
    let targets: Vec<&str> = CONNECTION_TABLE
        .iter()
        .filter(|rule| rule.from == from)
        .map(|rule| rule.to.label())
        .collect();
    let allowed = if targets.is_empty() {
        format!("{} has no outgoing connections.", article(from.label()))
    } else {
        format!(
            "{} can connect to: {}.",
            article(from.label()),
            targets.join(", ")
        )
    };
    let suggestion = Some(format!("{allowed}{reverse}"));
    Refusal { reason, suggestion }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meanings(from: K, to: K) -> &'static [Meaning] {
        connection_rule(from, to)
            .unwrap_or_else(|| panic!("{from:?} -> {to:?} should be allowed"))
            .meanings
    }

    #[test]
    fn synchronous_invokers_of_lambda() {
        for from in [
            K::Alb,
            K::ApiGateway,
            K::Cognito,
            K::Lex,
            K::Alexa,
            K::CloudFront,
            K::Firehose,
        ] {
            let rule = connection_rule(from, K::LambdaFunction).unwrap();
            for &m in rule.meanings {
                assert_eq!(rule.invocation(m), Some(InvokeMode::Sync), "{from:?}");
            }
        }
    }

    #[test]
    fn asynchronous_invokers_of_lambda() {
        for from in [K::S3Bucket, K::SnsTopic, K::EventBridgeRule] {
            assert_eq!(
                meanings(from, K::LambdaFunction),
                &[M::InvokeAsync],
                "{from:?}"
            );
        }
    }

    #[test]
    fn polled_sources_of_lambda() {
        for from in [K::SqsQueue, K::KinesisStream, K::DynamoDbTable] {
            assert_eq!(meanings(from, K::LambdaFunction), &[M::Poll], "{from:?}");
        }
    }

    #[test]
    fn lambda_invokes_lambda_both_ways_or_sends_it_failures() {
        assert_eq!(
            meanings(K::LambdaFunction, K::LambdaFunction),
            &[M::InvokeSync, M::InvokeAsync, M::DeadLetter]
        );
    }

    #[test]
    fn table_has_no_duplicate_pairs_and_no_empty_rows() {
        let mut seen = std::collections::HashSet::new();
        for rule in CONNECTION_TABLE {
            assert!(
                seen.insert((rule.from, rule.to)),
                "{:?}",
                (rule.from, rule.to)
            );
            assert!(!rule.meanings.is_empty());
            assert!(!rule.note.is_empty());
        }
    }

    #[test]
    fn refusal_explains_and_suggests_the_reverse() {
        let err = check_connection(K::LambdaFunction, K::S3Bucket, M::InvokeAsync).unwrap_err();
        assert!(err.to_string().contains("Allowed: uses"), "{err}");
        assert!(
            err.to_string()
                .contains("other way? An S3 bucket invokes asynchronously a Lambda function"),
            "{err}"
        );
        let err = check_connection(K::S3Bucket, K::EcsCluster, M::InvokeAsync).unwrap_err();
        assert!(err.reason.contains("group"), "{err}");
        let err = check_connection(K::EcsService, K::SqsQueue, M::Poll).unwrap_err();
        assert!(err.to_string().contains("polled"), "{err}");
        let err = check_connection(K::LambdaFunction, K::Cognito, M::InvokeSync).unwrap_err();
        assert!(
            err.suggestion.as_deref().unwrap().contains("other way"),
            "{err}"
        );
        let err = check_connection(K::Nlb, K::LambdaFunction, M::Route).unwrap_err();
        assert!(err.reason.contains("ALB"), "{err}");
    }

    #[test]
    fn refusal_lists_what_is_allowed_from_the_source() {
        let err = check_connection(K::S3Bucket, K::EksWorkload, M::InvokeAsync).unwrap_err();
        let suggestion = err.suggestion.unwrap();
        assert!(suggestion.contains("Lambda function"), "{suggestion}");
        assert!(suggestion.contains("SQS queue"), "{suggestion}");
        assert!(
            suggestion.contains("other way? A Kubernetes workload uses an S3 bucket"),
            "{suggestion}"
        );
    }

    #[test]
    fn articles_follow_pronunciation() {
        assert_eq!(article("S3 bucket"), "An S3 bucket");
        assert_eq!(article("Lambda function"), "A Lambda function");
        assert_eq!(article("ECS service"), "An ECS service");
        assert_eq!(
            article("Application Load Balancer"),
            "An Application Load Balancer"
        );
        assert_eq!(article("DynamoDB table"), "A DynamoDB table");
    }

    #[test]
    fn generic_resources_reference_anything() {
        assert!(check_connection(K::Generic, K::LambdaFunction, M::References).is_ok());
        assert!(check_connection(K::SqsQueue, K::Generic, M::References).is_ok());
    }

    #[test]
    fn connection_kind_serialises_with_its_meaning_tag() {
        let json = serde_json::to_value(M::Poll.default_kind()).unwrap();
        assert_eq!(json["meaning"], "poll");
        assert_eq!(json["batch_size"], 10);
        let back: ConnectionKind = serde_json::from_value(json).unwrap();
        assert_eq!(back.meaning(), M::Poll);
        let bad = serde_json::json!({"meaning": "uses", "access": "read", "extra": 1});
        assert!(serde_json::from_value::<ConnectionKind>(bad).is_err());
    }
}
