//! Import: a SAM or CloudFormation template to a design.
//!
//! Resources of known types become components with their properties;
//! connections are inferred from SAM events, event source mappings,
//! permissions, listener rules and target groups, and from what policies
//! (SAM policy templates, statements of a function's role) allow on the
//! resources they name: the actions decide read, write, send or invoke.
//! An environment variable naming a resource is no connection of its own.
//! Modelled values given by a parameter are read as its default. Resources
//! that only wire others together (permissions, roles' policies,
//! listeners, subnets, ...) are not drawn. The whole template is kept in the design's extensions so export
//! writes back everything, drawn or not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use archsim_model::ExportProfile;
use archsim_model::component::{
    BlueGreen, DeploymentController, EcsServiceProps, GenericProps, LambdaAuthorizer, LaunchType,
};
use archsim_model::connection::{Access, check_connection};
use archsim_model::edit::apply_op;
use archsim_model::{
    Component, ComponentKind as K, Connection, ConnectionKind, Design, Group, GroupKind, Meaning,
    Op, Position, Props,
};
use serde_json::{Map, Value, json};

use crate::properties::ecs::{self, RunsOn};
use crate::properties::{
    FieldMap, api_gateway, data_stores, ecs_task, event_sources, lambda, load_balancing, messaging,
};
use crate::template::{Parsed, check_references, is_sam, parse};
use crate::{EXTENSION_KEY, ImportError};

mod containers;
mod eventbridge;
mod infer;
mod integrations;
mod openapi;
mod policies;
mod service_roles;
mod stacks;
mod step_functions;
use policies::{Grant, Grants};
pub(crate) use policies::{PUT_EVENTS_SID, SYNC_INVOKE_SID};
pub use stacks::{import_stack_files, import_stacks};

/// What an import did, for the person who asked for it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    /// `LogicalId (Type) -> component kind`.
    pub mapped: Vec<String>,
    /// Connections inferred, `from -> to (meaning, source)`.
    pub inferred: Vec<String>,
    /// Resources and sections kept as written and not drawn.
    pub kept: Vec<String>,
    /// Modelled values given by `!Ref` to a parameter, read as its default
    /// (`Fn: parameter Memory read as its default 512`).
    pub parameters: Vec<String>,
    /// For several stacks: each stack's name and file, and each
    /// `Fn::ImportValue` resolved to another stack's export (or not).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<String>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (title, list) in [
            ("Stacks", &self.stacks),
            ("Mapped to components", &self.mapped),
            ("Connections inferred", &self.inferred),
            ("Kept as written (exported unchanged)", &self.kept),
            ("Values from parameter defaults", &self.parameters),
        ] {
            if list.is_empty()
                && (std::ptr::eq(list, &self.parameters) || std::ptr::eq(list, &self.stacks))
            {
                continue;
            }
            writeln!(f, "{title} ({}):", list.len())?;
            for line in list {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub design: Design,
    pub report: ImportReport,
}

/// Reads and imports a template file, with the nested stacks it names by
/// a local path as stacks of their own ([`import_stack_files`]).
pub fn import_file(path: &Path) -> Result<Imported, ImportError> {
    import_stack_files(&[path.to_path_buf()])
}

/// A template file's text, refused when too large or not UTF-8.
fn read_template(path: &Path) -> Result<String, ImportError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    if meta.len() as usize > crate::template::MAX_TEMPLATE_BYTES {
        return Err(ImportError::TooLarge {
            file,
            bytes: meta.len() as usize,
            limit: crate::template::MAX_TEMPLATE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Syntax {
        file: file.clone(),
        line: 1,
        message: format!(
            "not UTF-8 text (invalid byte at offset {}); expected a YAML or JSON template",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(text)
}

/// Imports a template's text; `file` names it in errors.
pub fn import(text: &str, file: &str) -> Result<Imported, ImportError> {
    let parsed = parse(text, file)?;
    check_shape(&parsed, file)?;
    check_references(&parsed, file)?;
    Importer::new(&parsed, file).run()
}

fn check_shape(parsed: &Parsed, file: &str) -> Result<(), ImportError> {
    let not = |pointer: &str, message: String| ImportError::NotATemplate {
        file: file.into(),
        line: parsed.line_of(pointer),
        message,
    };
    let Some(top) = parsed.value.as_object() else {
        return Err(not(
            "",
            "expected a mapping with a Resources section at the top level".into(),
        ));
    };
    let Some(resources) = top.get("Resources") else {
        return Err(not(
            "",
            "no Resources section; expected a CloudFormation or SAM template".into(),
        ));
    };
    let Some(resources) = resources.as_object() else {
        return Err(not(
            "/Resources",
            "Resources must be a mapping of logical ids to resources".into(),
        ));
    };
    if resources.is_empty() {
        return Err(not(
            "/Resources",
            "Resources is empty; a template declares at least one resource".into(),
        ));
    }
    for (id, r) in resources {
        let p = format!("/Resources/{id}");
        match r.get("Type") {
            Some(Value::String(t)) if t.contains("::") => {}
            _ => {
                return Err(not(
                    &p,
                    format!("resource {id} has no Type such as AWS::Lambda::Function"),
                ));
            }
        }
        if let Some(props) = r.get("Properties")
            && !props.is_object()
        {
            return Err(not(
                &format!("{p}/Properties"),
                format!("the Properties of {id} must be a mapping"),
            ));
        }
    }
    Ok(())
}

/// Types that wire other resources together: kept, not drawn.
const WIRING: &[&str] = &[
    crate::properties::eventbridge::ARCHIVE_TYPE,
    "AWS::Events::EventBusPolicy",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup",
    "AWS::CodeDeploy::DeploymentConfig",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::Logs::LogGroup",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::VpcLink",
    "AWS::ApiGateway::VpcLink",
    "AWS::Cognito::UserPoolClient",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::EKS::Addon",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::RDS::DBSubnetGroup",
    "AWS::Lambda::Url",
];

struct Importer<'a> {
    parsed: &'a Parsed,
    /// The template file's folder, when it is a file (a state machine's
    /// `DefinitionUri` is read from beside it).
    dir: Option<std::path::PathBuf>,
    design: Design,
    report: ImportReport,
    /// Logical id -> component id.
    by_logical: BTreeMap<String, String>,
    /// Component id -> logical id (or `Fn#Events/Name` for components drawn
    /// from a SAM event).
    mapping: Map<String, Value>,
    next_row: BTreeMap<u32, u32>,
    /// Capacity drawn for services, by cluster logical id.
    cluster_members: BTreeMap<String, BTreeSet<String>>,
    /// What each API's service integrations do, by (API component,
    /// resource logical id), gathered over all its methods before drawing
    /// (a `PutItem` method and a `Query` method are one read-write use).
    /// The flag: whether any of the evidence is strong.
    api_calls: BTreeMap<(String, String), (Grant, BTreeSet<String>, bool)>,
    /// The parameters (`Memory = 512`) whose defaults a resource's
    /// modelled values were read from, by logical id (`Globals.Function`
    /// for SAM's globals).
    parameters: BTreeMap<String, Vec<String>>,
    /// The buckets named by a `Fn::Join`, with their name's run of parts
    /// (what [`Grants`] matches joined ARNs against), read once.
    joined_buckets: Vec<(String, Vec<Value>)>,
}

fn ref_target(v: &Value) -> Option<&str> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    if let Some(Value::String(s)) = m.get("Ref") {
        return Some(s);
    }
    if let Some(Value::Array(a)) = m.get("Fn::GetAtt") {
        return a.first()?.as_str();
    }
    if let Some(Value::String(s)) = m.get("Fn::GetAtt") {
        return s.split('.').next();
    }
    None
}

/// Every resource named by Ref / GetAtt / ${} anywhere in `v`.
fn references(v: &Value, out: &mut BTreeSet<String>) {
    crate::template::names(v, false, out);
}

/// The IAM service whose actions a policy grants on a component of
/// `kind`, for the kinds a function's policies connect it to.
fn iam_service(kind: K) -> Option<&'static str> {
    Some(match kind {
        K::DynamoDbTable => "dynamodb",
        K::S3Bucket => "s3",
        K::SqsQueue => "sqs",
        K::SnsTopic => "sns",
        K::KinesisStream => "kinesis",
        K::Firehose => "firehose",
        K::LambdaFunction => "lambda",
        K::AuroraServerless | K::Rds => "rds-data",
        K::EventBridgeRule | K::EventBus => "events",
        K::Secret => "secretsmanager",
        K::StepFunctions => "states",
        K::Client
        | K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::Lex
        | K::Alexa
        | K::EventBridgePipe
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
        | K::Generic => return None,
    })
}

/// A value unlike `v` of the same type (a parameter's default changed, to
/// see whether what is read follows it).
fn perturbed(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(n) => json!(n + 1),
            None => json!(n.as_f64().unwrap_or_default() + 1.0),
        },
        Value::String(s) => match s.parse::<u64>() {
            Ok(n) => json!((n + 1).to_string()),
            Err(_) => json!(format!("{s}-other")),
        },
        Value::Bool(b) => json!(!b),
        _ => Value::Null,
    }
}

/// `v` with each `{"Ref": name}` replaced by `with`.
fn replace_ref(v: &Value, name: &str, with: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.get("Ref").and_then(Value::as_str) == Some(name) => {
            with.clone()
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), replace_ref(v, name, with)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| replace_ref(v, name, with)).collect()),
        other => other.clone(),
    }
}

/// How an SNS subscription or an EventBridge rule hands events to a target
/// of `kind`: a function is invoked, anything else is published to (and
/// [`Importer::connect`] drops what the model does not allow).
fn delivery(kind: K) -> ConnectionKind {
    match kind {
        K::LambdaFunction | K::StepFunctions => Meaning::InvokeAsync.default_kind(),
        K::Client
        | K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
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
        | K::AuroraServerless
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
        | K::Secret
        | K::Generic => ConnectionKind::Publishes,
    }
}

/// A `Poll` connection with the settings an event source mapping or a SAM
/// event gives.
fn poll(props: &Value) -> ConnectionKind {
    props
        .as_object()
        .map(|p| event_sources::POLL.read(p))
        .unwrap_or_default()
        .kind()
}

/// `OrdersTableV2` -> `Orders Table V2`, `ECSService` -> `ECS Service`.
fn words(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if i > 0 && ch.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(' ');
            }
        }
        out.push(ch);
    }
    out
}

impl<'a> Importer<'a> {
    fn new(parsed: &'a Parsed, file: &str) -> Self {
        let mut design = Design::new(
            parsed
                .value
                .get("Description")
                .and_then(Value::as_str)
                .map(|d| {
                    d.lines()
                        .next()
                        .unwrap_or(d)
                        .trim()
                        .chars()
                        .take(80)
                        .collect::<String>()
                })
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "Imported template".into()),
        );
        design.serverless = is_sam(&parsed.value);
        design.export_profile = crate::export::profile_of(&parsed.value);
        Self {
            parsed,
            dir: Path::new(file)
                .is_file()
                .then(|| Path::new(file).parent().map(Path::to_path_buf))
                .flatten(),
            design,
            report: ImportReport::default(),
            by_logical: BTreeMap::new(),
            mapping: Map::new(),
            next_row: BTreeMap::new(),
            cluster_members: BTreeMap::new(),
            api_calls: BTreeMap::new(),
            parameters: BTreeMap::new(),
            joined_buckets: parsed.value["Resources"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, r)| r["Type"] == "AWS::S3::Bucket")
                .filter_map(|(logical, r)| {
                    let run =
                        data_stores::joined_name_run(r.get("Properties")?.get("BucketName")?)?;
                    Some((logical.clone(), run))
                })
                .collect(),
        }
    }

    fn resources(&self) -> &'a Map<String, Value> {
        self.parsed.value["Resources"]
            .as_object()
            .expect("checked shape")
    }

    fn props(&self, logical: &str) -> Option<&'a Map<String, Value>> {
        self.resources()
            .get(logical)?
            .get("Properties")?
            .as_object()
    }

    fn column(kind: K) -> u32 {
        use archsim_model::component::Category as C;
        match kind.category() {
            C::EventSources => 0,
            C::Networking => 1,
            C::Compute | C::Containers => 2,
            C::Data => 3,
            C::Registries | C::Security | C::Other => 4,
        }
    }

    fn add(&mut self, id: String, name: String, props: Props, kept_as: String) {
        let col = Self::column(props.kind());
        let row = self.next_row.entry(col).or_insert(0);
        let position = Position::new(f64::from(col) * 280.0, f64::from(*row) * 140.0);
        *row += 1;
        let component = Component {
            id: id.clone(),
            name,
            position,
            props,
        };
        match apply_op(&mut self.design, Op::AddComponent { component }) {
            Ok(_) => {
                self.mapping.insert(id, json!(kept_as));
            }
            // Kept in the template and written back, but not drawn: say
            // why rather than lose it silently.
            Err(e) => self.report.kept.push(format!("{kept_as}: not drawn: {e}")),
        }
    }

    /// Connects each Cognito user pool that `authorizer` refers to (a SAM
    /// authorizer's `UserPoolArn` or JWT issuer, or an authorizer
    /// resource's provider ARNs or issuer), or the Lambda function it
    /// invokes (a SAM authorizer's `FunctionArn`, an authorizer resource's
    /// `AuthorizerUri`), to the API it guards; a Lambda authorizer's
    /// settings, read through `fields`, become the API's.
    fn authorizer(
        &mut self,
        api: &str,
        authorizer: &Value,
        fields: &FieldMap<LambdaAuthorizer>,
        why: &str,
    ) {
        let Some(api) = self.comp(api) else {
            return;
        };
        let mut refs = BTreeSet::new();
        references(authorizer, &mut refs);
        for r in refs {
            match self.kind_of(&r) {
                Some(K::Cognito) => {
                    if let Some(pool) = self.comp(&r) {
                        self.connect(
                            &pool,
                            &api,
                            ConnectionKind::Authorizes,
                            &format!("{why} (authorizer)"),
                        );
                    }
                }
                Some(K::LambdaFunction) => {
                    let Some(f) = self.comp(&r) else { continue };
                    self.connect(
                        &f,
                        &api,
                        ConnectionKind::Authorizes,
                        &format!("{why} (Lambda authorizer)"),
                    );
                    // (A value given by a parameter reads as its default.)
                    let given = self.defaults(authorizer, None, &mut BTreeSet::new());
                    if let Some(settings) = given.as_object().map(|a| fields.read(a)) {
                        let _ = apply_op(
                            &mut self.design,
                            Op::SetProperty {
                                id: api.clone(),
                                path: "lambda_authorizer".into(),
                                value: serde_json::json!(settings),
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Connects an API to what one integration of it (a method's, an HTTP
    /// API integration's, or one of its OpenAPI definition's) refers to:
    /// the function it invokes, the AWS service it calls, or the load
    /// balancer whose listener it reaches through a VPC link.
    fn integration(&mut self, api: &str, integration: &Value, why: &str) {
        let Some(api) = self.comp(api) else {
            return;
        };
        if !self.service_integration(&api, integration, why) {
            self.integration_targets(&api, integration, why);
        }
    }

    /// What an integration that is not an AWS service call reaches: the
    /// function a Lambda integration invokes, a queue, topic or stream it
    /// names (a definition that says no more), or the load balancer whose
    /// listener it reaches through a VPC link.
    fn integration_targets(&mut self, api: &str, integration: &Value, why: &str) {
        let mut refs = BTreeSet::new();
        references(integration, &mut refs);
        // A Lambda integration's URI names the function (REST:
        // `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`;
        // an HTTP API may give the function's ARN itself).
        let mut invoked = BTreeSet::new();
        if let Some(uri) = ["Uri", "IntegrationUri", "uri"]
            .iter()
            .find_map(|k| integration.get(*k))
        {
            references(uri, &mut invoked);
        }
        for f in invoked {
            if self.kind_of(&f) == Some(K::LambdaFunction)
                && let Some(f) = self.comp(&f)
            {
                self.connect(
                    api,
                    &f,
                    Meaning::InvokeSync.default_kind(),
                    &format!("{why} (Lambda integration)"),
                );
            }
        }
        for r in refs {
            if matches!(
                self.kind_of(&r),
                Some(K::SqsQueue | K::SnsTopic | K::KinesisStream)
            ) && let Some(q) = self.comp(&r)
            {
                self.connect(
                    api,
                    &q,
                    ConnectionKind::Publishes,
                    &format!("{why} (service integration)"),
                );
            }
            // The balancer itself (a REST VPC link's URI names its DNS
            // name), or the one whose listener an HTTP VPC link names.
            let listener = self
                .resources()
                .get(&r)
                .filter(|l| l["Type"].as_str() == Some("AWS::ElasticLoadBalancingV2::Listener"));
            let lb = match listener {
                Some(l) => l
                    .get("Properties")
                    .and_then(|p| p.get("LoadBalancerArn"))
                    .and_then(ref_target),
                None => {
                    Some(r.as_str()).filter(|r| matches!(self.kind_of(r), Some(K::Alb | K::Nlb)))
                }
            };
            if let Some(lb) = lb.and_then(|lb| self.comp(lb)) {
                self.connect(
                    api,
                    &lb,
                    Meaning::InvokeSync.default_kind(),
                    &format!("{why} (VPC link)"),
                );
            }
        }
    }

    fn connect(&mut self, from: &str, to: &str, kind: ConnectionKind, why: &str) {
        self.connect_marked(from, to, kind, why, false);
    }

    /// Draws `from -> to` with its evidence; `weak`: evidence that only
    /// suggests it (the inspector asks the user to confirm or delete it).
    fn connect_marked(
        &mut self,
        from: &str,
        to: &str,
        kind: ConnectionKind,
        why: &str,
        weak: bool,
    ) {
        self.connect_with(from, to, kind, why, weak, None);
    }

    /// Draws an SNS subscription with its filter policy.
    fn connect_filtered(
        &mut self,
        from: &str,
        to: &str,
        kind: ConnectionKind,
        why: &str,
        filter: Option<archsim_model::filter_policy::SubscriptionFilter>,
    ) {
        self.connect_with(from, to, kind, why, false, filter);
    }

    fn connect_with(
        &mut self,
        from: &str,
        to: &str,
        kind: ConnectionKind,
        why: &str,
        weak: bool,
        filter: Option<archsim_model::filter_policy::SubscriptionFilter>,
    ) {
        let (Some(f), Some(t)) = (self.design.component(from), self.design.component(to)) else {
            return;
        };
        if check_connection(f.kind(), t.kind(), kind.meaning()).is_err() {
            return;
        }
        // One connection per meaning between two components, except
        // routes: each listener rule (its own listener, priority and
        // conditions) forwarding to the same target is a route of its own.
        let same = |c: &Connection| match (&c.kind, &kind) {
            (ConnectionKind::Route { .. }, ConnectionKind::Route { .. }) => c.kind == kind,
            _ => c.kind.meaning() == kind.meaning(),
        };
        let existing = self
            .design
            .connections()
            .find(|c| c.from == from && c.to == to && same(c))
            .map(|c| (c.id.clone(), c.inferred.clone(), c.filter_policy.is_some()));
        if let Some((id, inferred, filtered)) = existing {
            // A subscription met after its permission: the filter goes on
            // the connection drawn, and its evidence with it.
            if let (Some(filter), false) = (filter, filtered) {
                let evidence =
                    inferred.map_or(why.to_string(), |i| format!("{}; {why}", i.evidence));
                let weak = false;
                let ops = [
                    (
                        "filter_policy",
                        serde_json::to_value(filter).unwrap_or(Value::Null),
                    ),
                    ("inferred", json!({"evidence": evidence, "weak": weak})),
                ];
                for (path, value) in ops {
                    let _ = apply_op(
                        &mut self.design,
                        Op::SetProperty {
                            id: id.clone(),
                            path: path.into(),
                            value,
                        },
                    );
                }
                self.report.inferred.push(format!(
                    "{from} -> {to} ({}, from {why})",
                    kind.meaning().describe()
                ));
            }
            return;
        }
        let id = self.design.fresh_id(&format!("{from}-{to}"));
        let line = format!(
            "{from} -> {to} ({}, from {why}){}",
            kind.meaning().describe(),
            if weak { " [inferred: confirm it]" } else { "" }
        );
        if apply_op(
            &mut self.design,
            Op::Connect {
                connection: Connection {
                    filter_policy: filter,
                    ..Connection::new(id, from, to, kind).inferred(why, weak)
                },
            },
        )
        .is_ok()
        {
            self.report.inferred.push(line);
        }
    }

    /// `v` with each `{"Ref": P}` to a template parameter that has a
    /// `Default` replaced by that default (what a deployment that does
    /// not override it gets); the parameters used go to `used`.
    fn defaults(&self, v: &Value, only: Option<&str>, used: &mut BTreeSet<String>) -> Value {
        match v {
            Value::Object(m) => {
                if m.len() == 1
                    && let Some(Value::String(name)) = m.get("Ref")
                    && only.is_none_or(|o| o == name)
                    && let Some(default) = self
                        .parsed
                        .value
                        .get("Parameters")
                        .and_then(|ps| ps.get(name))
                        .and_then(|p| p.get("Default"))
                {
                    used.insert(name.clone());
                    return default.clone();
                }
                Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), self.defaults(v, only, used)))
                        .collect(),
                )
            }
            Value::Array(a) => {
                Value::Array(a.iter().map(|v| self.defaults(v, only, used)).collect())
            }
            other => other.clone(),
        }
    }

    /// A CloudFormation function keeps some settings on resources of
    /// their own: its asynchronous invocation settings on an
    /// `AWS::Lambda::EventInvokeConfig`, provisioned concurrency on an
    /// `AWS::Lambda::Alias`. Read, they sit where a SAM function holds
    /// them (`EventInvokeConfig`, `ProvisionedConcurrencyConfig`).
    fn function_resources(&self, f: &str, props: &mut Value) {
        let Value::Object(props) = props else { return };
        for res in self.resources().values() {
            let Some(p) = res.get("Properties") else {
                continue;
            };
            if p.get("FunctionName").and_then(ref_target) != Some(f) {
                continue;
            }
            match res["Type"].as_str() {
                Some("AWS::Lambda::EventInvokeConfig") => {
                    props.insert("EventInvokeConfig".into(), p.clone());
                }
                Some("AWS::Lambda::Alias") => {
                    if let Some(c) = p.get("ProvisionedConcurrencyConfig") {
                        props.insert("ProvisionedConcurrencyConfig".into(), c.clone());
                    }
                    if let Some(name) = p.get("Name") {
                        props.insert(lambda::AUTO_PUBLISH_ALIAS.path.into(), name.clone());
                    }
                    if let Some(pref) = res
                        .get("UpdatePolicy")
                        .and_then(|u| u.get("CodeDeployLambdaAliasUpdate"))
                        .and_then(|u| self.alias_update_preference(u))
                    {
                        props.insert(lambda::DEPLOYMENT_PREFERENCE.path.into(), pref);
                    }
                }
                _ => {}
            }
        }
    }

    /// A CloudFormation alias shifted through CodeDeploy
    /// (`CodeDeployLambdaAliasUpdate`): its deployment group read as SAM's
    /// `DeploymentPreference`, inline ([`Self::inline_preference`]).
    fn alias_update_preference(&self, update: &Value) -> Option<Value> {
        let group = ref_target(update.get("DeploymentGroupName")?)
            .and_then(|g| self.resources().get(g))?
            .get("Properties")?;
        let kind = match group.get("DeploymentConfigName")? {
            Value::String(s) => json!(s.strip_prefix("CodeDeployDefault.Lambda")?),
            other => other.clone(),
        };
        let alarms: Vec<Value> = group
            .get("AlarmConfiguration")
            .and_then(|a| a.get("Alarms"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.get("Name").cloned()).collect())
            .unwrap_or_default();
        let mut pref = lambda::deployment_preference(
            kind,
            alarms,
            update.get("BeforeAllowTrafficHook").cloned(),
            update.get("AfterAllowTrafficHook").cloned(),
        );
        self.inline_preference(&mut pref);
        Some(pref)
    }

    /// A deployment preference's custom configuration, alarms and hooks
    /// are resources of their own, named by `Ref`: put inline as the
    /// field map reads them (a configuration's name, the alarms'
    /// properties, the hooks' logical ids).
    fn inline_preference(&self, pref: &mut Value) {
        let resources = self.resources();
        let properties = |v: &Value| {
            ref_target(v)
                .and_then(|t| resources.get(t))
                .and_then(|r| r.get("Properties"))
        };
        if let Some(shift) = pref
            .get("Type")
            .and_then(properties)
            .and_then(|p| p.get("TrafficRoutingConfig"))
            .and_then(lambda::read_traffic_routing)
        {
            pref["Type"] = json!(shift.name());
        }
        if let Some(Value::Array(alarms)) = pref.get_mut("Alarms") {
            for a in alarms.iter_mut() {
                if let Some(p) = properties(a) {
                    *a = p.clone();
                }
            }
        }
        if let Some(Value::Object(hooks)) = pref.get_mut("Hooks") {
            for h in hooks.values_mut() {
                if let Some(t) = ref_target(h) {
                    *h = json!(t);
                }
            }
        }
    }

    /// A blue/green service's CodeDeploy deployment group (the one whose
    /// `ECSServices` names `service`): its termination wait, its traffic
    /// shift (a predefined configuration's name, or a custom
    /// configuration's routing) and its test listener's port.
    fn blue_green(&self, service: &str, s: &mut EcsServiceProps) {
        let DeploymentController::CodeDeploy(bg) = &mut s.deployment_controller else {
            return;
        };
        let resources = self.resources();
        let Some(group) = resources
            .values()
            .filter(|r| r["Type"] == "AWS::CodeDeploy::DeploymentGroup")
            .filter_map(|r| r.get("Properties")?.as_object())
            .find(|p| {
                p.get("ECSServices")
                    .and_then(Value::as_array)
                    .is_some_and(|l| {
                        l.iter()
                            .any(|e| e.get("ServiceName").and_then(ref_target) == Some(service))
                    })
            })
        else {
            return;
        };
        let mut read = ecs::BLUE_GREEN.read(group);
        let shift = match group.get("DeploymentConfigName") {
            Some(Value::String(name)) => BlueGreen::shift_from_name(name),
            Some(v) => ref_target(v)
                .and_then(|t| resources.get(t))
                .and_then(|r| r.pointer("/Properties/TrafficRoutingConfig"))
                .and_then(lambda::read_traffic_routing),
            None => None,
        };
        if let Some(shift) = shift {
            read.traffic_shift = shift;
        }
        read.test_listener_port = group
            .get("LoadBalancerInfo")
            .and_then(|l| l.pointer("/TargetGroupPairInfoList/0/TestTrafficRoute/ListenerArns/0"))
            .and_then(ref_target)
            .and_then(|l| self.props(l))
            .and_then(|p| load_balancing::PORT.get(p))
            .and_then(crate::properties::u16_of);
        *bg = read;
    }

    /// A SAM state machine's `DefinitionUri` naming a local file: read
    /// from beside the template into `Definition` (for reading only; the
    /// kept template keeps the URI), or reported as not read.
    fn definition_file(&mut self, logical: &str, raw: &mut Value) {
        use crate::properties::step_functions::{DEFINITION, DEFINITION_URI};
        let Some(uri) = raw.get(DEFINITION_URI.path).and_then(Value::as_str) else {
            return;
        };
        let uri = uri.to_string();
        let text = self
            .dir
            .as_ref()
            .map(|d| d.join(&uri))
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::read_to_string(p).ok());
        let definition = text.and_then(|t| {
            serde_json::from_str::<Value>(&t)
                .ok()
                .or_else(|| parse(&t, &uri).ok().map(|p| p.value))
        });
        match definition {
            Some(d) if d.is_object() => {
                if let Some(m) = raw.as_object_mut() {
                    m.insert(DEFINITION.path.into(), d);
                }
                self.report
                    .kept
                    .push(format!("{logical}: definition read from {uri}"));
            }
            _ => self.report.kept.push(format!(
                "{logical}: DefinitionUri {uri} was not found beside the template; the definition is kept as written, not read (simulation runs no states)"
            )),
        }
    }

    /// Reports that `logical`'s modelled value came from `parameter`'s
    /// default.
    fn report_parameter(&mut self, logical: &str, parameter: &str) {
        let default = self.parsed.value["Parameters"][parameter]["Default"].to_string();
        let line = format!("{logical}: parameter {parameter} read as its default {default}");
        if !self.report.parameters.contains(&line) {
            self.report.parameters.push(line);
        }
        let entry = self.parameters.entry(logical.to_string()).or_default();
        let value = format!("{parameter} = {default}");
        if !entry.contains(&value) {
            entry.push(value);
        }
    }

    /// A resource's typed properties, values given by parameters read as
    /// their defaults (each parameter that changes what is read is
    /// reported).
    fn read_props(
        &mut self,
        ty: &str,
        logical: &str,
        p: &Map<String, Value>,
        globals: Option<&Map<String, Value>>,
    ) -> Option<Props> {
        let mut raw = Value::Object(p.clone());
        if ty == "AWS::Lambda::Function" {
            self.function_resources(logical, &mut raw);
        }
        if ty == "AWS::Serverless::Function"
            && let Some(pref) = raw.get_mut(lambda::DEPLOYMENT_PREFERENCE.path)
        {
            self.inline_preference(pref);
        }
        if ty == "AWS::Serverless::StateMachine" {
            self.definition_file(logical, &mut raw);
        }
        let mut used = BTreeSet::new();
        let resolved = self.defaults(&raw, None, &mut used);
        let resources = self.resources();
        let read = |v: &Value| {
            crate::properties::read_resource(ty, v.as_object()?, logical, resources, globals)
        };
        let mut props = read(&resolved)?;
        if let Props::EcsService(s) = &mut props {
            self.blue_green(logical, s);
        }
        // A parameter matters when what is read follows its value: read
        // with its default and with another value, the two differ.
        let mut mattered = Vec::new();
        for param in &used {
            let one = self.defaults(&raw, Some(param), &mut BTreeSet::new());
            let other = replace_ref(
                &raw,
                param,
                &perturbed(&self.parsed.value["Parameters"][param]["Default"]),
            );
            if read(&one) != read(&other) {
                mattered.push(param.clone());
            }
        }
        for param in mattered {
            self.report_parameter(logical, &param);
        }
        Some(props)
    }

    fn run(mut self) -> Result<Imported, ImportError> {
        let globals = self
            .parsed
            .value
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .cloned();
        let globals = globals.map(|g| {
            let mut used = BTreeSet::new();
            let resolved = self.defaults(&g, None, &mut used);
            for p in used {
                self.report_parameter("Globals.Function", &p);
            }
            resolved
        });
        let globals = globals.as_ref().and_then(Value::as_object);
        for (logical, res) in self.resources() {
            let ty = res["Type"].as_str().unwrap_or_default();
            let p = res.get("Properties").and_then(Value::as_object);
            let empty = Map::new();
            let p = p.unwrap_or(&empty);
            let served = self.subscription_role_of(logical);
            let owned = served
                .is_none()
                .then(|| self.own_role_of(logical))
                .flatten();
            let props = match ty {
                // An instance of a cluster belongs to the cluster's drawing.
                "AWS::RDS::DBInstance" if p.contains_key("DBClusterIdentifier") => None,
                // What the production profile adds around the design is
                // the profile's, not a component.
                _ if self.design.export_profile == ExportProfile::Production
                    && crate::export::PROFILE_RESOURCES.contains(&logical.as_str()) =>
                {
                    None
                }
                t if WIRING.contains(&t) => None,
                _ if served.is_some() || owned.is_some() => None,
                t => Some(self.read_props(t, logical, p, globals).unwrap_or_else(|| {
                    Props::Generic(GenericProps {
                        resource_type: t.to_string(),
                        properties: p.clone(),
                    })
                })),
            };
            match props {
                Some(props) => {
                    let kind = props.kind();
                    self.report
                        .mapped
                        .push(format!("{logical} ({ty}) -> {}", kind.label()));
                    if kind == K::Generic {
                        self.report.kept.push(format!(
                            "{logical} ({ty}): not modelled; drawn as a generic resource"
                        ));
                    }
                    self.by_logical.insert(logical.clone(), logical.clone());
                    self.add(logical.clone(), words(logical), props, logical.clone());
                }
                None if self.design.export_profile == ExportProfile::Production
                    && crate::export::PROFILE_RESOURCES.contains(&logical.as_str()) =>
                {
                    self.report.kept.push(format!(
                        "{logical} ({ty}): added by the production export profile, not drawn"
                    ))
                }
                None if served.is_some() => self.report.kept.push(format!(
                    "{logical} ({ty}): the role SNS assumes to deliver {} to Firehose, not drawn",
                    served.unwrap_or_default()
                )),
                None if let Some((owner, service)) = owned => self.report.kept.push(
                    if service == "codedeploy.amazonaws.com" {
                        format!("{logical} ({ty}): the role CodeDeploy assumes to deploy {owner}, not drawn")
                    } else {
                        format!("{logical} ({ty}): {owner}'s own role ({service} assumes it), not drawn; what it allows is drawn as {owner}'s connections")
                    },
                ),
                None => self
                    .report
                    .kept
                    .push(format!("{logical} ({ty}): supporting resource, not drawn")),
            }
        }
        for section in [
            "Parameters",
            "Conditions",
            "Mappings",
            "Outputs",
            "Metadata",
            "Globals",
            "Rules",
        ] {
            if let Some(Value::Object(m)) = self.parsed.value.get(section) {
                self.report
                    .kept
                    .push(format!("{section}: {} entries", m.len()));
            }
        }
        self.infer();
        self.table_scaling();
        self.group_clusters();
        let snapshots: Map<String, Value> = self
            .design
            .components()
            .map(|c| {
                (
                    c.id.clone(),
                    serde_json::to_value(&c.props).unwrap_or(Value::Null),
                )
            })
            .collect();
        self.design.extensions.insert(
            EXTENSION_KEY.into(),
            json!({"template": self.parsed.value, "components": self.mapping, "props": snapshots,
                "parameters": self.component_parameters()}),
        );
        Ok(Imported {
            design: self.design,
            report: self.report,
        })
    }

    /// For each drawn component, the parameters its values were read from:
    /// its own, and for a SAM function those of `Globals.Function`.
    fn component_parameters(&self) -> Map<String, Value> {
        let globals = self.parameters.get("Globals.Function");
        let mut out = Map::new();
        for c in self.design.components() {
            let logical = self
                .mapping
                .get(&c.id)
                .and_then(Value::as_str)
                .unwrap_or(&c.id);
            let mut list: Vec<String> = self.parameters.get(logical).cloned().unwrap_or_default();
            let sam_function = self
                .resources()
                .get(logical)
                .and_then(|r| r["Type"].as_str())
                == Some("AWS::Serverless::Function");
            if sam_function {
                for g in globals.into_iter().flatten() {
                    if !list.contains(g) {
                        list.push(format!("{g} (Globals)"));
                    }
                }
            }
            if !list.is_empty() {
                out.insert(c.id.clone(), json!(list));
            }
        }
        out
    }

    /// DynamoDB auto scaling: each scalable target on a table's read or
    /// write capacity (and the target tracking policy on it) read onto the
    /// table, kept as written for export; one the import cannot read (its
    /// table not found, a value from an intrinsic) is said.
    fn table_scaling(&mut self) {
        use crate::properties::data_stores as ds;
        let resources = self.resources();
        for (logical, res) in resources {
            let p = &res["Properties"];
            if res["Type"].as_str() != Some("AWS::ApplicationAutoScaling::ScalableTarget")
                || p["ServiceNamespace"].as_str() != Some(ds::SCALING_NAMESPACE)
            {
                continue;
            }
            let write = match p["ScalableDimension"].as_str() {
                Some(d) if d == ds::scaling_dimension(true) => true,
                Some(d) if d == ds::scaling_dimension(false) => false,
                _ => continue,
            };
            let mut named = BTreeSet::new();
            references(&p["ResourceId"], &mut named);
            let table = named
                .iter()
                .find(|n| self.kind_of(n) == Some(K::DynamoDbTable))
                .and_then(|n| Some((n.clone(), self.comp(n)?)));
            let Some((table_logical, table)) = table else {
                self.report.kept.push(format!(
                    "{logical}: DynamoDB auto scaling of a table this template does not hold; kept as written, not simulated"
                ));
                continue;
            };
            let mut s = archsim_model::component::CapacityScaling::default();
            let given = self.defaults(p, None, &mut BTreeSet::new());
            if let Some(m) = given.as_object() {
                for f in [&ds::SCALING_MIN, &ds::SCALING_MAX] {
                    if let (Some(read), Some(v)) = (f.read, f.get(m)) {
                        read(&mut s, v);
                    }
                }
            }
            // Its target tracking policy, when there is one.
            let policy = resources.values().find(|r| {
                r["Type"].as_str() == Some("AWS::ApplicationAutoScaling::ScalingPolicy")
                    && ref_target(&r["Properties"]["ScalingTargetId"]) == Some(logical.as_str())
            });
            if let Some(m) = policy.and_then(|r| r["Properties"].as_object())
                && let (Some(read), Some(v)) = (ds::SCALING_TARGET.read, ds::SCALING_TARGET.get(m))
            {
                read(&mut s, v);
            }
            let what = if write { "write" } else { "read" };
            let _ = apply_op(
                &mut self.design,
                Op::SetProperty {
                    id: table.clone(),
                    path: format!("{what}_scaling"),
                    value: json!(s),
                },
            );
            self.report.kept.push(format!(
                "{logical}: {table_logical}'s {what} auto scaling ({} to {} at {}%), read onto the table and kept as written",
                s.min_capacity, s.max_capacity, s.target_utilization_pct
            ));
        }
    }

    fn comp(&self, logical: &str) -> Option<String> {
        self.by_logical.get(logical).cloned()
    }

    fn kind_of(&self, logical: &str) -> Option<K> {
        self.design
            .component(&self.comp(logical)?)
            .map(Component::kind)
    }

    fn group_clusters(&mut self) {
        let eks: Vec<String> = self
            .design
            .components_of(K::EksCluster)
            .map(|c| c.id.clone())
            .collect();
        for cluster in eks {
            let members: BTreeSet<String> = self
                .resources()
                .iter()
                .filter(|(_, r)| {
                    matches!(
                        r["Type"].as_str(),
                        Some("AWS::EKS::Nodegroup" | "AWS::EKS::FargateProfile")
                    )
                })
                .filter(|(_, r)| {
                    r.get("Properties")
                        .and_then(|p| p.get("ClusterName"))
                        .and_then(ref_target)
                        == Some(cluster.as_str())
                })
                .filter_map(|(l, _)| self.comp(l))
                .collect();
            let group = Group {
                id: self.design.fresh_id(&format!("{cluster}-group")),
                name: words(&cluster),
                kind: GroupKind::EksCluster,
                owner: Some(cluster.clone()),
                members,
            };
            let _ = apply_op(&mut self.design, Op::CreateGroup { group });
        }
        let clusters: Vec<String> = self
            .design
            .components_of(K::EcsCluster)
            .map(|c| c.id.clone())
            .collect();
        for cluster in clusters {
            let mut members: BTreeSet<String> = self
                .resources()
                .iter()
                .filter(|(_, r)| r["Type"] == "AWS::ECS::Service")
                .filter(|(_, r)| {
                    r.get("Properties")
                        .and_then(|p| p.get("Cluster"))
                        .and_then(ref_target)
                        == Some(cluster.as_str())
                })
                .filter_map(|(l, _)| self.comp(l))
                .collect();
            members.extend(
                self.cluster_members
                    .get(&cluster)
                    .cloned()
                    .unwrap_or_default(),
            );
            for (_, r) in self
                .resources()
                .iter()
                .filter(|(_, r)| r["Type"] == "AWS::ECS::ClusterCapacityProviderAssociations")
            {
                let props = r.get("Properties").cloned().unwrap_or(Value::Null);
                if props.get("Cluster").and_then(ref_target) == Some(cluster.as_str())
                    && let Some(Value::Array(providers)) = props.get("CapacityProviders")
                {
                    members.extend(
                        providers
                            .iter()
                            .filter_map(ref_target)
                            .filter_map(|p| self.comp(p)),
                    );
                }
            }
            let group = Group {
                id: self.design.fresh_id(&format!("{cluster}-group")),
                name: words(&cluster),
                kind: GroupKind::EcsCluster,
                owner: Some(cluster.clone()),
                members,
            };
            let _ = apply_op(&mut self.design, Op::CreateGroup { group });
        }
    }
}
