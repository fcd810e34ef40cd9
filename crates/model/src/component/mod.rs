//! Component kinds and their typed properties, with AWS defaults.
//!
//! Every kind has one properties struct. Missing fields take their AWS
//! default when a file is read, unknown fields are rejected. Valid ranges
//! live in [`crate::schema`], next to the units and where each default
//! comes from.

use serde::{Deserialize, Deserializer, Serialize};

mod containers;
pub use containers::*;
mod deployment;
pub use deployment::*;
mod dynamodb;
pub use dynamodb::*;
mod secret;
pub use secret::*;
mod vpc_endpoint;
pub use vpc_endpoint::*;
mod eventbridge;
pub use eventbridge::*;
mod workflow;
pub use workflow::*;

/// Where a component sits on the canvas, in canvas pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

impl Position {
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// A palette group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    EventSources,
    Compute,
    Containers,
    Networking,
    Data,
    Registries,
    Security,
    Other,
}

impl Category {
    /// Every category, in palette order.
    pub const ALL: [Category; 8] = [
        Category::EventSources,
        Category::Compute,
        Category::Containers,
        Category::Networking,
        Category::Data,
        Category::Registries,
        Category::Security,
        Category::Other,
    ];

    /// The heading a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Category::EventSources => "Event sources",
            Category::Compute => "Compute",
            Category::Containers => "Containers",
            Category::Networking => "Networking",
            Category::Data => "Data",
            Category::Registries => "Registries",
            Category::Security => "Security",
            Category::Other => "Other",
        }
    }
}

/// Whether a kind is a serverless service (no servers to run or patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Serverless {
    Yes,
    No,
    /// Not a compute or data service (a client, a role, a registry link).
    NotApplicable,
}

macro_rules! component_kinds {
    ($( $variant:ident($props:ident) = $slug:literal, $label:literal, $category:ident, $serverless:ident; )*) => {
        /// The kind of a component, without its properties.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum ComponentKind {
            $( #[serde(rename = $slug)] $variant, )*
        }

        impl ComponentKind {
            /// Every kind, in palette order.
            pub const ALL: &'static [ComponentKind] = &[$(ComponentKind::$variant,)*];

            /// The name used in files and ids (`lambda_function`).
            pub fn slug(self) -> &'static str {
                match self { $(Self::$variant => $slug,)* }
            }

            /// The name a person reads (`Lambda function`).
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            pub fn category(self) -> Category {
                match self { $(Self::$variant => Category::$category,)* }
            }

            pub fn serverless(self) -> Serverless {
                match self { $(Self::$variant => Serverless::$serverless,)* }
            }

            /// Parses a slug (`lambda_function`).
            pub fn from_slug(slug: &str) -> Option<Self> {
                match slug { $($slug => Some(Self::$variant),)* _ => None }
            }
        }

        /// The typed properties of a component; the variant is its kind.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum Props {
            $( $variant($props), )*
        }

        impl Props {
            pub fn kind(&self) -> ComponentKind {
                match self { $(Self::$variant(_) => ComponentKind::$variant,)* }
            }

            /// The AWS defaults for a kind.
            pub fn default_for(kind: ComponentKind) -> Props {
                match kind { $(ComponentKind::$variant => Props::$variant($props::default()),)* }
            }

            /// The JSON Schema of a kind's properties, every subschema
            /// inlined (no `$ref`): what the designer's forms are made from.
            pub fn schema_for(kind: ComponentKind) -> schemars::Schema {
                let mut generator = schemars::generate::SchemaSettings::draft2020_12()
                    .with(|s| s.inline_subschemas = true)
                    .into_generator();
                match kind { $(ComponentKind::$variant => generator.root_schema_for::<$props>(),)* }
            }

            /// Reads the properties of a known kind.
            pub fn deserialize_for<'de, D: Deserializer<'de>>(
                kind: ComponentKind,
                deserializer: D,
            ) -> Result<Props, D::Error> {
                match kind {
                    $(ComponentKind::$variant => $props::deserialize(deserializer).map(Props::$variant),)*
                }
            }
        }
    };
}

component_kinds! {
    Client(ClientProps) = "client", "Client / traffic source", EventSources, NotApplicable;
    ApiGateway(ApiGatewayProps) = "api_gateway", "API Gateway", EventSources, Yes;
    CloudFront(CloudFrontProps) = "cloudfront", "CloudFront distribution", Networking, Yes;
    Alb(LoadBalancerProps) = "alb", "Application Load Balancer", Networking, NotApplicable;
    Nlb(LoadBalancerProps) = "nlb", "Network Load Balancer", Networking, NotApplicable;
    Clb(ClassicLoadBalancerProps) = "clb", "Classic Load Balancer (legacy)", Networking, NotApplicable;
    Cognito(CognitoProps) = "cognito", "Cognito user pool", Security, Yes;
    Lex(LexProps) = "lex", "Lex bot", EventSources, Yes;
    Alexa(AlexaProps) = "alexa", "Alexa skill", EventSources, Yes;
    S3Bucket(S3BucketProps) = "s3_bucket", "S3 bucket", Data, Yes;
    SqsQueue(SqsQueueProps) = "sqs_queue", "SQS queue", EventSources, Yes;
    SnsTopic(SnsTopicProps) = "sns_topic", "SNS topic", EventSources, Yes;
    EventBridgeRule(EventBridgeRuleProps) = "eventbridge_rule", "EventBridge rule / schedule", EventSources, Yes;
    EventBus(EventBusProps) = "event_bus", "EventBridge event bus", EventSources, Yes;
    EventBridgePipe(PipeProps) = "eventbridge_pipe", "EventBridge Pipe", EventSources, Yes;
    KinesisStream(KinesisStreamProps) = "kinesis_stream", "Kinesis data stream", EventSources, Yes;
    Firehose(FirehoseProps) = "firehose", "Kinesis Data Firehose", EventSources, Yes;
    DynamoDbTable(DynamoDbTableProps) = "dynamodb_table", "DynamoDB table", Data, Yes;
    AuroraServerless(AuroraServerlessProps) = "aurora_serverless", "Aurora Serverless v2", Data, Yes;
    Rds(RdsProps) = "rds", "RDS database", Data, No;
    LambdaFunction(LambdaProps) = "lambda_function", "Lambda function", Compute, Yes;
    StepFunctions(StepFunctionsProps) = "step_functions", "Step Functions state machine", Compute, Yes;
    Ec2Instance(Ec2InstanceProps) = "ec2_instance", "EC2 instance", Compute, No;
    EcsCluster(EcsClusterProps) = "ecs_cluster", "ECS cluster", Containers, NotApplicable;
    EcsService(EcsServiceProps) = "ecs_service", "ECS service", Containers, NotApplicable;
    TaskDefinition(TaskDefinitionProps) = "task_definition", "ECS task definition", Containers, NotApplicable;
    Fargate(FargateProps) = "fargate", "Fargate capacity", Containers, Yes;
    FargateSpot(FargateProps) = "fargate_spot", "Fargate Spot capacity", Containers, Yes;
    Ec2AutoScalingGroup(Ec2CapacityProps) = "ec2_capacity", "EC2 Auto Scaling capacity", Containers, No;
    EksCluster(EksClusterProps) = "eks_cluster", "EKS cluster", Containers, NotApplicable;
    EksNodeGroup(EksNodeGroupProps) = "eks_node_group", "EKS managed node group", Containers, No;
    EksFargateProfile(EksFargateProfileProps) = "eks_fargate_profile", "EKS Fargate profile", Containers, Yes;
    EksWorkload(EksWorkloadProps) = "eks_workload", "Kubernetes workload", Containers, NotApplicable;
    EcrRepository(EcrRepositoryProps) = "ecr_repository", "ECR repository", Registries, NotApplicable;
    ExternalRegistry(ExternalRegistryProps) = "external_registry", "External registry (Docker Hub)", Registries, NotApplicable;
    IamRole(IamRoleProps) = "iam_role", "IAM role", Security, NotApplicable;
    Secret(SecretProps) = "secret", "Secrets Manager secret", Security, Yes;
    VpcEndpoint(VpcEndpointProps) = "vpc_endpoint", "VPC endpoint", Networking, Yes;
    Generic(GenericProps) = "generic", "Other CloudFormation resource", Other, NotApplicable;
}

impl ComponentKind {
    /// Whether a kind's resources sit in a VPC, so that a design with one
    /// needs a network (the export generates a VPC with a NAT gateway, or
    /// takes an existing one). EKS node groups, Fargate profiles and
    /// workloads come with their cluster.
    pub fn in_vpc(self) -> bool {
        use ComponentKind as K;
        match self {
            K::Alb
            | K::Nlb
            | K::Clb
            | K::EcsService
            | K::EksCluster
            | K::Ec2AutoScalingGroup
            | K::AuroraServerless
            | K::Rds
            | K::Ec2Instance
            | K::VpcEndpoint => true,
            K::Client
            | K::ApiGateway
            | K::CloudFront
            | K::Cognito
            | K::Lex
            | K::Alexa
            | K::S3Bucket
            | K::SqsQueue
            | K::SnsTopic
            | K::EventBridgeRule
            | K::EventBus
            | K::EventBridgePipe
            | K::KinesisStream
            | K::Firehose
            | K::DynamoDbTable
            | K::LambdaFunction
            | K::StepFunctions
            | K::EcsCluster
            | K::TaskDefinition
            | K::Fargate
            | K::FargateSpot
            | K::EksNodeGroup
            | K::EksFargateProfile
            | K::EksWorkload
            | K::EcrRepository
            | K::ExternalRegistry
            | K::IamRole
            | K::Secret
            | K::Generic => false,
        }
    }

    /// The kind's AWS Architecture Icon: its path under `icons/` in the
    /// `aws-icons` npm package (MIT; AWS's official SVG set). The UI
    /// imports it from the package (`ui/src/generated/awsIcons.ts` is made
    /// from this table) and the presenter embeds the same files, copied
    /// into `crates/presenter/aws-icons/`. Service icons where the kind is a
    /// service, resource icons where it is a part of one (an ECS service, a
    /// task definition, a load balancer type). Kubernetes workloads and
    /// external registries have no AWS icon of their own: they take the
    /// nearest (a container, a registry).
    pub fn aws_icon(self) -> &'static str {
        use ComponentKind as K;
        match self {
            K::Client => "resource/Users.svg",
            K::ApiGateway => "architecture-service/AmazonAPIGateway.svg",
            K::CloudFront => "architecture-service/AmazonCloudFront.svg",
            K::Alb => "resource/ElasticLoadBalancingApplicationLoadBalancer.svg",
            K::Nlb => "resource/ElasticLoadBalancingNetworkLoadBalancer.svg",
            K::Clb => "resource/ElasticLoadBalancingClassicLoadBalancer.svg",
            K::Cognito => "architecture-service/AmazonCognito.svg",
            K::Lex => "architecture-service/AmazonLex.svg",
            K::Alexa => "resource/AWSIoTAlexaSkill.svg",
            K::S3Bucket => "architecture-service/AmazonSimpleStorageService.svg",
            K::SqsQueue => "architecture-service/AmazonSimpleQueueService.svg",
            K::SnsTopic => "architecture-service/AmazonSimpleNotificationService.svg",
            K::EventBridgeRule => "architecture-service/AmazonEventBridge.svg",
            K::EventBus => "resource/AmazonEventBridgeCustomEventBus.svg",
            K::EventBridgePipe => "resource/AmazonEventBridgePipes.svg",
            K::KinesisStream => "architecture-service/AmazonKinesisDataStreams.svg",
            K::Firehose => "architecture-service/AmazonDataFirehose.svg",
            K::DynamoDbTable => "architecture-service/AmazonDynamoDB.svg",
            K::AuroraServerless => "architecture-service/AmazonAurora.svg",
            K::Rds => "architecture-service/AmazonRDS.svg",
            K::LambdaFunction => "architecture-service/AWSLambda.svg",
            K::StepFunctions => "architecture-service/AWSStepFunctions.svg",
            K::Ec2Instance => "architecture-service/AmazonEC2.svg",
            K::EcsCluster => "architecture-service/AmazonElasticContainerService.svg",
            K::EcsService => "resource/AmazonElasticContainerServiceService.svg",
            K::TaskDefinition => "resource/AmazonElasticContainerServiceTask.svg",
            K::Fargate | K::FargateSpot | K::EksFargateProfile => {
                "architecture-service/AWSFargate.svg"
            }
            K::Ec2AutoScalingGroup => "architecture-service/AmazonEC2AutoScaling.svg",
            K::EksCluster => "architecture-service/AmazonElasticKubernetesService.svg",
            K::EksNodeGroup => "resource/AmazonEC2Instances.svg",
            K::EksWorkload => "resource/AmazonElasticContainerServiceContainer1.svg",
            K::EcrRepository => "architecture-service/AmazonElasticContainerRegistry.svg",
            K::ExternalRegistry => "resource/AmazonElasticContainerRegistryImage.svg",
            K::IamRole => "resource/AWSIdentityAccessManagementRole.svg",
            K::Secret => "architecture-service/AWSSecretsManager.svg",
            K::VpcEndpoint => "resource/AmazonVPCEndpoints.svg",
            K::Generic => "architecture-service/AWSCloudFormation.svg",
        }
    }

    /// The name of the AWS service endpoint a call to a component of this
    /// kind goes to (`com.amazonaws.<region>.<name>`): what a VPC
    /// endpoint of that service carries instead of the NAT gateway.
    pub fn endpoint_service(self) -> Option<&'static str> {
        use ComponentKind as K;
        Some(match self {
            K::S3Bucket => "s3",
            K::DynamoDbTable => "dynamodb",
            K::SqsQueue => "sqs",
            K::SnsTopic => "sns",
            K::EventBridgeRule | K::EventBus => "events",
            K::KinesisStream => "kinesis-streams",
            K::Firehose => "kinesis-firehose",
            K::LambdaFunction => "lambda",
            K::Secret => "secretsmanager",
            K::ApiGateway => "execute-api",
            K::AuroraServerless => "rds-data",
            K::StepFunctions => "states",
            K::Client
            | K::CloudFront
            | K::Alb
            | K::Nlb
            | K::Clb
            | K::Cognito
            | K::Lex
            | K::Alexa
            | K::Rds
            | K::Ec2Instance
            | K::EcsCluster
            | K::EcsService
            | K::TaskDefinition
            | K::Fargate
            | K::FargateSpot
            | K::Ec2AutoScalingGroup
            | K::EksCluster
            | K::EksNodeGroup
            | K::EksFargateProfile
            | K::EksWorkload
            | K::EcrRepository
            | K::ExternalRegistry
            | K::IamRole
            | K::VpcEndpoint
            | K::EventBridgePipe
            | K::Generic => return None,
        })
    }

    /// Kinds whose components can hold others (ECS and EKS clusters).
    pub fn is_cluster(self) -> bool {
        matches!(self, Self::EcsCluster | Self::EksCluster)
    }

    /// Capacity an ECS service can run on.
    pub fn is_ecs_capacity(self) -> bool {
        matches!(
            self,
            Self::Fargate | Self::FargateSpot | Self::Ec2AutoScalingGroup
        )
    }

    /// Data stores reached through `Uses` connections.
    pub fn is_data_store(self) -> bool {
        matches!(
            self,
            Self::DynamoDbTable | Self::S3Bucket | Self::AuroraServerless | Self::Rds
        )
    }

    /// Places a message can be published to.
    pub fn is_message_target(self) -> bool {
        matches!(
            self,
            Self::SqsQueue
                | Self::SnsTopic
                | Self::EventBridgeRule
                | Self::EventBus
                | Self::KinesisStream
                | Self::Firehose
        )
    }
}

/// A node of the design: a stable id, a name, a canvas position and its
/// typed properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub position: Position,
    pub props: Props,
}

impl Component {
    /// A component of `kind` with AWS defaults.
    pub fn new(id: impl Into<String>, name: impl Into<String>, kind: ComponentKind) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            position: Position::default(),
            props: Props::default_for(kind),
        }
    }

    pub fn at(mut self, x: f64, y: f64) -> Self {
        self.position = Position::new(x, y);
        self
    }

    pub fn with(mut self, props: Props) -> Self {
        self.props = props;
        self
    }

    pub fn kind(&self) -> ComponentKind {
        self.props.kind()
    }
}

// ---------------------------------------------------------------------------
// Shared property types

/// A distribution of durations, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Distribution {
    Constant {
        ms: f64,
    },
    Exponential {
        mean_ms: f64,
    },
    /// Lognormal fitted to a mean and a 99th percentile.
    Lognormal {
        mean_ms: f64,
        p99_ms: f64,
    },
    /// Samples drawn uniformly.
    Empirical {
        samples_ms: Vec<f64>,
    },
}

impl Distribution {
    pub fn mean_ms(&self) -> f64 {
        match self {
            Self::Constant { ms } => *ms,
            Self::Exponential { mean_ms } | Self::Lognormal { mean_ms, .. } => *mean_ms,
            Self::Empirical { samples_ms } if samples_ms.is_empty() => 0.0,
            Self::Empirical { samples_ms } => {
                samples_ms.iter().sum::<f64>() / samples_ms.len() as f64
            }
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    #[default]
    X86_64,
    Arm64,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    #[default]
    InternetFacing,
    Internal,
}

// ---------------------------------------------------------------------------
// Entry points and networking

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ClientProps {
    /// Who the client is (browsers, mobile app, partner system).
    pub description: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    #[default]
    Rest,
    Http,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApiGatewayProps {
    pub api_type: ApiType,
    pub stage_name: String,
    /// Account-level steady-state throttle (10,000 rps).
    pub throttle_rate_rps: f64,
    /// Account-level burst (5,000 requests).
    pub throttle_burst: u32,
    /// Integration timeout: 29 s is a REST API's default and usual
    /// maximum, 30 s an HTTP API's ([`ApiType::default_integration_timeout_ms`]).
    pub integration_timeout_ms: u32,
    pub tracing: bool,
    /// The settings of its Lambda authorizer, used when a Lambda function
    /// `Authorizes` the API (a Cognito authorizer has none of these).
    pub lambda_authorizer: LambdaAuthorizer,
}

/// What a REST API's Lambda authorizer receives: one header (TOKEN, SAM's
/// default) or the request's identity sources (REQUEST). An HTTP API's
/// Lambda authorizers are REQUEST authorizers (payload format 2.0).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizerPayload {
    #[default]
    Token,
    Request,
}

/// A Lambda authorizer: API Gateway invokes the function before the
/// integration, unless the caller's answer is still in its cache (keyed
/// by the identity header, kept for the TTL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LambdaAuthorizer {
    /// REST APIs: TOKEN or REQUEST; an HTTP API's is always REQUEST.
    pub payload: AuthorizerPayload,
    /// The header carrying the caller's identity: the cache key.
    pub identity_header: String,
    /// How long API Gateway caches an answer per identity; 0 disables the
    /// cache. A REST API's default is 300 s; an HTTP API caches only when
    /// told to (no TTL given is 0). At most 3,600 s.
    pub result_ttl_s: u32,
    /// HTTP APIs: the function answers `{"isAuthorized": true}` instead of
    /// an IAM policy (`EnableSimpleResponses`).
    pub simple_responses: bool,
    /// Distinct callers (tokens) in the traffic: each request carries one,
    /// drawn uniformly; the cache hit rate depends on it (archsim).
    pub callers: u32,
}

impl Default for LambdaAuthorizer {
    fn default() -> Self {
        Self {
            payload: AuthorizerPayload::Token,
            identity_header: "Authorization".into(),
            result_ttl_s: LambdaAuthorizer::REST_DEFAULT_TTL_S,
            simple_responses: false,
            callers: 100,
        }
    }
}

impl LambdaAuthorizer {
    /// A REST API caches an authorizer's answers for 300 s unless told
    /// otherwise (API Gateway `CreateAuthorizer`: "If this field is not
    /// set, the default value is 300").
    pub const REST_DEFAULT_TTL_S: u32 = 300;
    /// The longest TTL API Gateway accepts: 3,600 s.
    pub const MAX_TTL_S: u32 = 3_600;
}

impl ApiType {
    /// The integration timeout API Gateway gives an API of this type
    /// unless told otherwise: 29 s for REST, 30 s for HTTP APIs (API
    /// Gateway quotas).
    pub fn default_integration_timeout_ms(self) -> u32 {
        match self {
            Self::Rest => 29_000,
            Self::Http => 30_000,
        }
    }
}

impl Default for ApiGatewayProps {
    fn default() -> Self {
        Self {
            api_type: ApiType::Rest,
            stage_name: "prod".into(),
            throttle_rate_rps: 10_000.0,
            throttle_burst: 5_000,
            integration_timeout_ms: 29_000,
            tracing: false,
            lambda_authorizer: LambdaAuthorizer::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CloudFrontProps {
    pub price_class: String,
    pub default_ttl_s: u32,
    /// Share of requests answered from the edge cache.
    pub cache_hit_ratio: f64,
}

impl Default for CloudFrontProps {
    fn default() -> Self {
        Self {
            price_class: "PriceClass_100".into(),
            default_ttl_s: 86_400,
            cache_hit_ratio: 0.8,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LbAlgorithm {
    #[default]
    RoundRobin,
    LeastOutstandingRequests,
    WeightedRandom,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum ListenerProtocol {
    #[default]
    Http,
    Https,
    Tcp,
    Udp,
    Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Listener {
    pub port: u16,
    pub protocol: ListenerProtocol,
}

impl Default for Listener {
    fn default() -> Self {
        Self {
            port: 80,
            protocol: ListenerProtocol::Http,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HealthCheck {
    pub path: String,
    pub interval_s: u32,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    pub timeout_s: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        Self {
            path: "/".into(),
            interval_s: 30,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            timeout_s: 5,
        }
    }
}

/// An ALB or NLB. Listener rules are the `Route` connections leaving it;
/// target group settings here apply to every target group it forwards to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerProps {
    pub scheme: Scheme,
    pub listeners: Vec<Listener>,
    /// Connection idle timeout (ALB default 60 s).
    pub idle_timeout_s: u32,
    pub algorithm: LbAlgorithm,
    /// Slow start ramp, 0 (off) or 30-900 s; not with least outstanding requests.
    pub slow_start_s: u32,
    pub deregistration_delay_s: u32,
    pub health_check: HealthCheck,
    pub cross_zone: bool,
    /// The ACM certificate (ARN) its HTTPS and TLS listeners serve, and
    /// the production export profile's HTTPS listener. Empty: the exported
    /// template asks for it as a parameter at deploy time.
    pub certificate_arn: String,
}

impl Default for LoadBalancerProps {
    fn default() -> Self {
        Self {
            scheme: Scheme::InternetFacing,
            listeners: vec![Listener::default()],
            idle_timeout_s: 60,
            algorithm: LbAlgorithm::RoundRobin,
            slow_start_s: 0,
            deregistration_delay_s: 300,
            health_check: HealthCheck::default(),
            cross_zone: true,
            certificate_arn: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ClassicLoadBalancerProps {
    pub scheme: Scheme,
    pub listeners: Vec<Listener>,
    pub idle_timeout_s: u32,
}

impl Default for ClassicLoadBalancerProps {
    fn default() -> Self {
        Self {
            scheme: Scheme::InternetFacing,
            listeners: vec![Listener::default()],
            idle_timeout_s: 60,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MfaMode {
    #[default]
    Off,
    Optional,
    On,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CognitoProps {
    pub mfa: MfaMode,
    pub self_sign_up: bool,
    /// Users who sign in at least once a month: what a user pool is billed
    /// by (archsim: for cost).
    pub monthly_active_users: u32,
}

impl Default for CognitoProps {
    fn default() -> Self {
        Self {
            mfa: MfaMode::Off,
            self_sign_up: false,
            monthly_active_users: 1_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LexProps {
    pub locale: String,
}

impl Default for LexProps {
    fn default() -> Self {
        Self {
            locale: "en_US".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AlexaProps {
    pub skill_id: String,
}

// ---------------------------------------------------------------------------
// Messaging and data

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct S3BucketProps {
    pub versioning: bool,
    /// Event types that notify downstream (`s3:ObjectCreated:*`).
    pub events: Vec<String>,
    pub prefix: String,
    pub suffix: String,
    /// Data kept, for cost estimates.
    pub stored_gb: f64,
}

impl Default for S3BucketProps {
    fn default() -> Self {
        Self {
            versioning: false,
            events: vec!["s3:ObjectCreated:*".into()],
            prefix: String::new(),
            suffix: String::new(),
            stored_gb: 10.0,
        }
    }
}

/// An SQS queue. Its dead-letter queue is a `DeadLetter` connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SqsQueueProps {
    pub fifo: bool,
    pub visibility_timeout_s: u32,
    pub message_retention_s: u32,
    pub delay_s: u32,
    pub receive_wait_s: u32,
    /// Receives before a message moves to the dead-letter queue.
    pub max_receive_count: u32,
}

impl Default for SqsQueueProps {
    fn default() -> Self {
        Self {
            fifo: false,
            visibility_timeout_s: 30,
            message_retention_s: 345_600,
            delay_s: 0,
            receive_wait_s: 0,
            max_receive_count: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SnsTopicProps {
    pub fifo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventBridgeRuleProps {
    /// `rate(5 minutes)` or `cron(...)`; empty for a pattern rule.
    pub schedule: String,
    /// Event pattern as JSON text; empty for a schedule.
    pub event_pattern: String,
    pub event_bus: String,
}

impl EventBridgeRuleProps {
    /// Whether the rule's event pattern matches events from `source`
    /// (`aws.s3`): its `source` field lists it. A schedule matches none.
    pub fn matches_source(&self, source: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(&self.event_pattern)
            .ok()
            .and_then(|p| p.get("source").and_then(|s| s.as_array()).cloned())
            .is_some_and(|s| s.iter().any(|s| s == source))
    }
}

impl Default for EventBridgeRuleProps {
    fn default() -> Self {
        Self {
            schedule: "rate(5 minutes)".into(),
            event_pattern: String::new(),
            event_bus: "default".into(),
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StreamMode {
    #[default]
    Provisioned,
    OnDemand,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct KinesisStreamProps {
    pub mode: StreamMode,
    /// Each shard takes 1 MB/s or 1,000 records/s of writes.
    pub shards: u32,
    pub retention_hours: u32,
}

impl Default for KinesisStreamProps {
    fn default() -> Self {
        Self {
            mode: StreamMode::Provisioned,
            shards: 1,
            retention_hours: 24,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FirehoseProps {
    pub buffer_size_mb: u32,
    pub buffer_interval_s: u32,
}

impl Default for FirehoseProps {
    fn default() -> Self {
        Self {
            buffer_size_mb: 5,
            buffer_interval_s: 300,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DatabaseEngine {
    #[default]
    AuroraPostgresql,
    AuroraMysql,
    Postgres,
    Mysql,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AuroraServerlessProps {
    pub engine: DatabaseEngine,
    /// Aurora capacity units; 0 lets the cluster pause.
    pub min_acu: f64,
    pub max_acu: f64,
    pub latency: Distribution,
}

impl Default for AuroraServerlessProps {
    fn default() -> Self {
        Self {
            engine: DatabaseEngine::AuroraPostgresql,
            min_acu: 0.5,
            max_acu: 16.0,
            latency: Distribution::Lognormal {
                mean_ms: 4.0,
                p99_ms: 20.0,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RdsProps {
    pub engine: DatabaseEngine,
    pub instance_class: String,
    pub multi_az: bool,
    pub storage_gb: u32,
    pub latency: Distribution,
}

impl Default for RdsProps {
    fn default() -> Self {
        Self {
            engine: DatabaseEngine::Postgres,
            instance_class: "db.t3.medium".into(),
            multi_az: false,
            storage_gb: 20,
            latency: Distribution::Lognormal {
                mean_ms: 3.0,
                p99_ms: 15.0,
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Compute

/// Lambda runtimes, grouped by language because cold starts differ by
/// language (SPEC-SIM.md); `aws_runtime` gives the runtime identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    #[default]
    Nodejs,
    Python,
    Java,
    Dotnet,
    Ruby,
    Go,
    Rust,
}

/// Lambda's managed runtimes, as AWS lists them (AWS Lambda Developer
/// Guide, "Lambda runtimes", supported runtimes, early 2026): the runtime
/// identifier and the language family archsim models it as. Newest first
/// within a language.
pub const LAMBDA_RUNTIMES: &[(&str, Runtime)] = &[
    ("nodejs24.x", Runtime::Nodejs),
    ("nodejs22.x", Runtime::Nodejs),
    ("nodejs20.x", Runtime::Nodejs),
    ("python3.14", Runtime::Python),
    ("python3.13", Runtime::Python),
    ("python3.12", Runtime::Python),
    ("python3.11", Runtime::Python),
    ("python3.10", Runtime::Python),
    ("java25", Runtime::Java),
    ("java21", Runtime::Java),
    ("java17", Runtime::Java),
    ("java11", Runtime::Java),
    ("java8.al2", Runtime::Java),
    ("dotnet10", Runtime::Dotnet),
    ("dotnet8", Runtime::Dotnet),
    ("ruby3.4", Runtime::Ruby),
    ("ruby3.3", Runtime::Ruby),
    ("ruby3.2", Runtime::Ruby),
    ("provided.al2023", Runtime::Rust),
    ("provided.al2", Runtime::Rust),
];

impl Runtime {
    /// The language family of a runtime identifier: from
    /// [`LAMBDA_RUNTIMES`], or by its prefix for one the list does not
    /// hold (a deprecated `dotnet6`, `go1.x`); `None` for anything else.
    pub fn of_identifier(id: &str) -> Option<Runtime> {
        if let Some((_, r)) = LAMBDA_RUNTIMES.iter().find(|(i, _)| *i == id) {
            return Some(*r);
        }
        [
            ("nodejs", Self::Nodejs),
            ("python", Self::Python),
            ("java", Self::Java),
            ("dotnet", Self::Dotnet),
            ("ruby", Self::Ruby),
            ("go", Self::Go),
            ("provided", Self::Rust),
        ]
        .into_iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, r)| r)
    }

    /// Whether `id` is one of Lambda's current runtimes.
    pub fn is_current(id: &str) -> bool {
        LAMBDA_RUNTIMES.iter().any(|(i, _)| *i == id)
    }

    /// The runtime identifier Lambda uses.
    pub fn aws_runtime(self) -> &'static str {
        match self {
            Self::Nodejs => "nodejs22.x",
            Self::Python => "python3.13",
            Self::Java => "java21",
            Self::Dotnet => "dotnet8",
            Self::Ruby => "ruby3.3",
            Self::Go | Self::Rust => "provided.al2023",
        }
    }

    /// Hello-world cold start floor, ms (SPEC-SIM.md).
    pub fn default_init_ms(self) -> f64 {
        match self {
            Self::Rust => 15.0,
            Self::Go => 46.0,
            Self::Python => 85.0,
            Self::Nodejs => 130.0,
            Self::Java => 225.0,
            Self::Dotnet => 260.0,
            Self::Ruby => 240.0,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Packaging {
    #[default]
    Zip,
    Image,
}

/// S3 has no latency property in the model: GET/PUT of small objects takes
/// tens of milliseconds (an assumption the run report states). The
/// simulator samples a lognormal with this mean and p99; the cost estimate
/// adds the mean to a caller's duration.
pub const S3_LATENCY_MEAN_MS: f64 = 20.0;
pub const S3_LATENCY_P99_MS: f64 = 100.0;

/// Lambda allocates CPU in proportion to memory, and 1,769 MB is one full
/// vCPU (AWS Lambda Developer Guide, "Configuring Lambda function memory").
/// The simulator, the cost estimate and the cost curves all read this one.
pub const LAMBDA_MB_PER_VCPU: u32 = 1769;

/// What one request costs a handler or a container worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Work {
    /// Time spent in the handler (at 1,769 MB = 1 vCPU for Lambda).
    pub duration: Distribution,
    /// Share of that time bound by CPU, which scales with Lambda memory.
    pub cpu_share: f64,
}

impl Default for Work {
    fn default() -> Self {
        Self {
            duration: Distribution::Lognormal {
                mean_ms: 50.0,
                p99_ms: 200.0,
            },
            cpu_share: 0.3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LambdaProps {
    pub runtime: Runtime,
    /// The exact runtime identifier a template gave (`nodejs24.x`), kept
    /// while it is of `runtime`'s family; `None`: the family's default
    /// ([`Runtime::aws_runtime`]). See [`LambdaProps::runtime_identifier`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_id: Option<String>,
    pub packaging: Packaging,
    pub architecture: Architecture,
    pub handler: String,
    pub memory_mb: u32,
    pub timeout_s: u32,
    /// Caps the function and takes this much from the account pool.
    pub reserved_concurrency: Option<u32>,
    pub provisioned_concurrency: u32,
    pub ephemeral_storage_mb: u32,
    /// Cold start; `None` uses the runtime's default.
    pub init_ms: Option<f64>,
    /// Cold start as a distribution of measured init durations, drawn for
    /// each new execution environment (and billed, as init is); `None`:
    /// every cold start takes `init_ms` (or the runtime's default), which
    /// must then be left unset. A lognormal is fitted to the mean and the
    /// 99th percentile, which CloudWatch Logs Insights gives from the
    /// REPORT lines (`avg(@initDuration)`, `pct(@initDuration, 99)`); an
    /// empirical one draws uniformly from a list of measured durations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_start: Option<Distribution>,
    /// Lambda's concurrency scaling rate: the new execution environments
    /// this function may add per 10 s, refilled continuously (a token
    /// bucket of this size). AWS's figure since November 2023 is 1,000:
    /// "each synchronously invoked function can scale by 1,000 concurrent
    /// executions every 10 seconds" (AWS Lambda Developer Guide, "Lambda
    /// scaling behavior"). A what-if setting; under the account's
    /// pre-2023 rule (`legacy_burst`) the account-wide burst applies
    /// instead.
    /// `None`: AWS's 1,000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_rate_per_10s: Option<u32>,
    pub snap_start: bool,
    pub work: Work,
    pub tracing: bool,
    /// Asynchronous invocation: maximum event age (60 s to 6 h).
    pub max_event_age_s: u32,
    /// Asynchronous invocation: retries after a function error (0-2).
    pub max_retry_attempts: u32,
    /// Environment variables.
    pub environment: std::collections::BTreeMap<String, String>,
    /// Versions behind an alias, shifted to by CodeDeploy; `None`: each
    /// update replaces the function at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Box<LambdaDeployment>>,
}

impl Default for LambdaProps {
    fn default() -> Self {
        Self {
            runtime: Runtime::Nodejs,
            runtime_id: None,
            packaging: Packaging::Zip,
            architecture: Architecture::X86_64,
            handler: "index.handler".into(),
            memory_mb: 128,
            timeout_s: 3,
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            ephemeral_storage_mb: 512,
            init_ms: None,
            cold_start: None,
            scaling_rate_per_10s: None,
            snap_start: false,
            work: Work::default(),
            tracing: false,
            max_event_age_s: 21_600,
            max_retry_attempts: 2,
            environment: Default::default(),
            deployment: None,
        }
    }
}

/// New execution environments a function may add per 10 s since
/// November 2023 (AWS Lambda Developer Guide, "Lambda scaling behavior").
pub const LAMBDA_SCALING_RATE_PER_10S: u32 = 1_000;

impl LambdaProps {
    /// New execution environments the function may add per 10 s.
    pub fn scaling_rate_per_10s(&self) -> u32 {
        self.scaling_rate_per_10s
            .unwrap_or(LAMBDA_SCALING_RATE_PER_10S)
    }

    /// The runtime identifier to deploy: the exact one read from a
    /// template while it is of the chosen family, else the family's
    /// default.
    pub fn runtime_identifier(&self) -> &str {
        match &self.runtime_id {
            Some(id) if Runtime::of_identifier(id) == Some(self.runtime) => id,
            _ => self.runtime.aws_runtime(),
        }
    }

    /// Cold start for this configuration: the runtime default, x1.75 for
    /// container images, unless set explicitly.
    pub fn effective_init_ms(&self) -> f64 {
        self.init_ms.unwrap_or_else(|| {
            let base = self.runtime.default_init_ms();
            match self.packaging {
                Packaging::Zip => base,
                Packaging::Image => base * 1.75,
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Ec2InstanceProps {
    pub instance_type: String,
    pub count: u32,
}

impl Default for Ec2InstanceProps {
    fn default() -> Self {
        Self {
            instance_type: "t3.medium".into(),
            count: 1,
        }
    }
}

// ---------------------------------------------------------------------------
// Registries and security

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TagMutability {
    #[default]
    Mutable,
    Immutable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EcrRepositoryProps {
    pub scan_on_push: bool,
    pub tag_mutability: TagMutability,
    /// Lifecycle policy: images kept.
    pub keep_images: u32,
    pub stored_gb: f64,
}

impl Default for EcrRepositoryProps {
    fn default() -> Self {
        Self {
            scan_on_push: true,
            tag_mutability: TagMutability::Immutable,
            keep_images: 30,
            stored_gb: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalRegistryProps {
    pub host: String,
    /// Pulls need credentials (a Secrets Manager secret on export).
    pub requires_credentials: bool,
}

impl Default for ExternalRegistryProps {
    fn default() -> Self {
        Self {
            host: "docker.io".into(),
            requires_credentials: false,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RolePurpose {
    /// Application permissions of an ECS task (fine-grained).
    #[default]
    TaskRole,
    /// Lets ECS pull images and write logs for a task.
    ExecutionRole,
    /// The EC2 instance profile: only what the ECS agent needs.
    InstanceRole,
    /// A Lambda function's execution role.
    LambdaRole,
    /// An EKS cluster, node group or Fargate profile role.
    EksRole,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IamRoleProps {
    pub purpose: RolePurpose,
    pub managed_policy_arns: Vec<String>,
}

/// A CloudFormation resource archsim does not model, kept as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GenericProps {
    /// `AWS::Service::Resource`.
    pub resource_type: String,
    pub properties: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &kind in ComponentKind::ALL {
            assert!(seen.insert(kind.slug()), "duplicate slug {}", kind.slug());
            assert_eq!(ComponentKind::from_slug(kind.slug()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.slug()));
            assert_eq!(Props::default_for(kind).kind(), kind);
        }
    }

    #[test]
    fn serverless_kinds_are_recognised() {
        use ComponentKind::*;
        for kind in [
            AuroraServerless,
            DynamoDbTable,
            S3Bucket,
            ApiGateway,
            LambdaFunction,
            Fargate,
        ] {
            assert_eq!(kind.serverless(), Serverless::Yes, "{kind:?}");
        }
        for kind in [Rds, Ec2Instance, Ec2AutoScalingGroup, EksNodeGroup] {
            assert_eq!(kind.serverless(), Serverless::No, "{kind:?}");
        }
    }

    #[test]
    fn runtime_identifiers_are_kept_within_their_family() {
        assert_eq!(Runtime::of_identifier("nodejs24.x"), Some(Runtime::Nodejs));
        assert_eq!(Runtime::of_identifier("dotnet6"), Some(Runtime::Dotnet));
        assert_eq!(Runtime::of_identifier("cobol"), None);
        assert!(Runtime::is_current("python3.14") && !Runtime::is_current("dotnet6"));
        let mut l = LambdaProps {
            runtime_id: Some("nodejs24.x".into()),
            ..Default::default()
        };
        assert_eq!(l.runtime_identifier(), "nodejs24.x");
        // Another family chosen: its default, not a stale identifier.
        l.runtime = Runtime::Python;
        assert_eq!(l.runtime_identifier(), Runtime::Python.aws_runtime());
        // Every listed identifier names its own family.
        for (id, family) in LAMBDA_RUNTIMES {
            assert_eq!(Runtime::of_identifier(id), Some(*family), "{id}");
        }
    }

    #[test]
    fn lambda_defaults_are_aws_defaults() {
        let l = LambdaProps::default();
        assert_eq!(l.memory_mb, 128);
        assert_eq!(l.timeout_s, 3);
        assert_eq!(l.ephemeral_storage_mb, 512);
        assert_eq!(l.max_event_age_s, 6 * 3600);
        assert_eq!(l.max_retry_attempts, 2);
    }

    #[test]
    fn image_packaging_slows_cold_starts() {
        let mut l = LambdaProps {
            runtime: Runtime::Python,
            ..Default::default()
        };
        assert_eq!(l.effective_init_ms(), 85.0);
        l.packaging = Packaging::Image;
        assert!(l.effective_init_ms() > 85.0 * 1.5);
        l.init_ms = Some(1000.0);
        assert_eq!(l.effective_init_ms(), 1000.0);
    }

    #[test]
    fn props_reject_unknown_fields() {
        let err = Props::deserialize_for(
            ComponentKind::SqsQueue,
            serde_json::json!({"visibility_timeout_s": 30, "colour": "red"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
