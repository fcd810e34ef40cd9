//! Export: a design to a SAM or CloudFormation template.
//!
//! One pass over the components in id order writes each component's
//! resources, then the resources its connections need (events, permissions,
//! listener rules, IAM statements). Every map is built in a fixed order, so
//! the same design always gives the same bytes.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use archsim_model::component::{
    ApiType, Architecture, CapacityType, DynamoDbBilling, EksSupport, LaunchType, LbAlgorithm,
    ListenerProtocol, MfaMode, NetworkMode, Packaging, PlacementConstraintType,
    PlacementStrategyType, RolePurpose, Runtime, ScalingMetric, Scheme, StreamMode, TagMutability,
};
use archsim_model::connection::{Access, ConditionField, StartingPosition};
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Design, Props};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::names::{camel, kebab, logical_ids};
use crate::template::{to_json, to_yaml};
use crate::{EXTENSION_KEY, ExportError};

/// SAM (serverless transform) or plain CloudFormation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    #[default]
    Sam,
    #[serde(rename = "cloudformation")]
    CloudFormation,
}

/// YAML (the default) or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    #[default]
    Yaml,
    Json,
}

/// Where the network comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// A new VPC with two public and two private subnets in two AZs.
    #[default]
    Generated,
    /// Parameters for an existing VPC and its subnets.
    Existing,
}

/// What to export; the desktop app sends it as JSON
/// (`{"flavour": "sam", "syntax": "yaml", "network": "generated"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    pub flavour: Flavour,
    pub syntax: Syntax,
    pub network: Network,
}

/// A Kubernetes manifest written beside the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub file_name: String,
    pub text: String,
}

/// The result of an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exported {
    pub template: String,
    pub value: Value,
    pub manifests: Vec<Manifest>,
    /// Components with no CloudFormation counterpart (clients, external
    /// registries) or not exported yet, with the reason.
    pub notes: Vec<String>,
}

/// Exports a design. An imported design writes back its kept template,
/// with the components added since the import appended.
pub fn export(design: &Design, options: &ExportOptions) -> Result<Exported, ExportError> {
    let (value, manifests, notes) = match design.extensions.get(EXTENSION_KEY) {
        Some(kept) => export_kept(design, kept, options)?,
        None => {
            let ctx = generate(design, *options, &HashSet::new(), None)?;
            let notes = ctx.notes.clone();
            let manifests = ctx.manifests.clone();
            (ctx.finish(), manifests, notes)
        }
    };
    let template = match options.syntax {
        Syntax::Yaml => to_yaml(&value),
        Syntax::Json => to_json(&value),
    };
    Ok(Exported {
        template,
        value,
        manifests,
        notes,
    })
}

/// Runs the generator; when a component's logical id collides with a
/// resource generated for another component, the component's id is
/// reserved (it becomes `Name2`) and the export runs again.
fn generate<'a>(
    design: &'a Design,
    options: ExportOptions,
    reserved: &HashSet<String>,
    only: Option<HashSet<String>>,
) -> Result<Ctx<'a>, ExportError> {
    let mut reserved = reserved.clone();
    for _ in 0..4 {
        let mut ctx = Ctx::new(design, options, &reserved);
        ctx.only = only.clone();
        ctx.run()?;
        if ctx.collisions.is_empty() {
            return Ok(ctx);
        }
        let before = reserved.len();
        reserved.extend(ctx.collisions.iter().cloned());
        if reserved.len() == before {
            break;
        }
    }
    Err(ExportError::Component {
        component: design.name.clone(),
        message: "two generated resources share a logical id; rename one of the components".into(),
    })
}

fn export_kept(
    design: &Design,
    kept: &Value,
    options: &ExportOptions,
) -> Result<(Value, Vec<Manifest>, Vec<String>), ExportError> {
    let mut template = kept
        .get("template")
        .cloned()
        .filter(Value::is_object)
        .ok_or(ExportError::BadExtension)?;
    let mapping: BTreeMap<String, String> = kept
        .get("components")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let snapshots = kept.get("props").and_then(Value::as_object);
    let mut notes = Vec::new();
    let resources = template
        .get_mut("Resources")
        .and_then(Value::as_object_mut)
        .ok_or(ExportError::BadExtension)?;
    // Components deleted since the import take their resource with them,
    // and so do the supporting resources (not drawn) that name a removed
    // resource, until none is left dangling.
    let mut removed: HashSet<String> = HashSet::new();
    for (component, logical) in &mapping {
        if design.component(component).is_none() && !logical.contains('#') {
            resources.shift_remove(logical);
            removed.insert(logical.clone());
            notes.push(format!("{logical}: removed (its component was deleted)"));
        }
    }
    let drawn: HashSet<&String> = mapping.values().collect();
    loop {
        let dangling: Vec<String> = resources
            .iter()
            .filter(|(id, r)| !drawn.contains(id) && names_any(r, &removed))
            .map(|(id, _)| id.clone())
            .collect();
        if dangling.is_empty() {
            break;
        }
        for id in dangling {
            resources.shift_remove(&id);
            notes.push(format!("{id}: removed (it served a deleted component)"));
            removed.insert(id);
        }
    }
    if !removed.is_empty()
        && let Some(outputs) = template.get_mut("Outputs").and_then(Value::as_object_mut)
    {
        outputs.retain(|id, o| {
            let keep = !names_any(o, &removed);
            if !keep {
                notes.push(format!(
                    "output {id}: removed (it named a deleted resource)"
                ));
            }
            keep
        });
    }
    let resources = template
        .get_mut("Resources")
        .and_then(Value::as_object_mut)
        .ok_or(ExportError::BadExtension)?;
    // Edited properties are written back onto the kept resource.
    for c in design.components() {
        let Some(logical) = mapping.get(&c.id) else {
            continue;
        };
        let now = serde_json::to_value(&c.props).unwrap_or(Value::Null);
        let before = snapshots
            .and_then(|s| s.get(&c.id))
            .cloned()
            .unwrap_or(Value::Null);
        if before == now {
            continue;
        }
        if let Some(res) = resources.get_mut(logical) {
            overlay(c, &before, &now, res);
        }
    }
    // Components added since the import are generated and appended.
    let new_ids: Vec<String> = design
        .components()
        .filter(|c| !mapping.contains_key(&c.id))
        .map(|c| c.id.clone())
        .collect();
    let mut manifests = Vec::new();
    if !new_ids.is_empty() {
        let mut sub = design.clone();
        sub.extensions.clear();
        let reserved: HashSet<String> = resources.keys().cloned().collect();
        let ctx = generate(
            &sub,
            *options,
            &reserved,
            Some(new_ids.into_iter().collect()),
        )?;
        notes.extend(ctx.notes.iter().cloned());
        manifests = ctx.manifests.clone();
        let generated = ctx.finish();
        let t = template.as_object_mut().ok_or(ExportError::BadExtension)?;
        for section in ["Parameters", "Resources", "Outputs"] {
            if let Some(add) = generated.get(section).and_then(Value::as_object) {
                let target = t
                    .entry(section)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(target) = target.as_object_mut() {
                    for (k, v) in add {
                        target.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
        }
    }
    let kept_sam = crate::template::is_sam(&template);
    if kept_sam != (options.flavour == Flavour::Sam) {
        notes.push(format!(
            "the imported template is {}; it is written back as it was, not converted",
            if kept_sam {
                "SAM"
            } else {
                "plain CloudFormation"
            }
        ));
    }
    Ok((template, manifests, notes))
}

/// Whether `v` names one of `ids` through Ref, GetAtt, `${}` or DependsOn.
fn names_any(v: &Value, ids: &HashSet<String>) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, child)| match (k.as_str(), child) {
            ("Ref" | "DependsOn", Value::String(s)) => ids.contains(s),
            ("Fn::GetAtt", Value::Array(a)) => a
                .first()
                .and_then(Value::as_str)
                .is_some_and(|s| ids.contains(s)),
            ("Fn::Sub", _) => {
                let text = match child {
                    Value::String(s) => Some(s.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                };
                text.map(crate::template::sub_variables)
                    .unwrap_or_default()
                    .iter()
                    .any(|var| ids.contains(var.split('.').next().unwrap_or_default()))
                    || names_any(child, ids)
            }
            ("DependsOn", Value::Array(a)) => a
                .iter()
                .any(|d| d.as_str().is_some_and(|s| ids.contains(s))),
            _ => names_any(child, ids),
        }),
        Value::Array(a) => a.iter().any(|c| names_any(c, ids)),
        _ => false,
    }
}

/// Which CloudFormation property holds a modelled field, per kind, and
/// whether the template spells the number as a string (ECS task sizes).
/// Only fields in this table are written back onto kept resources.
const WRITE_BACK: &[(K, &str, &str, bool)] = &[
    (K::LambdaFunction, "memory_mb", "MemorySize", false),
    (K::LambdaFunction, "timeout_s", "Timeout", false),
    (K::LambdaFunction, "handler", "Handler", false),
    (
        K::LambdaFunction,
        "reserved_concurrency",
        "ReservedConcurrentExecutions",
        false,
    ),
    (
        K::SqsQueue,
        "visibility_timeout_s",
        "VisibilityTimeout",
        false,
    ),
    (
        K::SqsQueue,
        "message_retention_s",
        "MessageRetentionPeriod",
        false,
    ),
    (K::SqsQueue, "delay_s", "DelaySeconds", false),
    (
        K::SqsQueue,
        "receive_wait_s",
        "ReceiveMessageWaitTimeSeconds",
        false,
    ),
    (K::EcsService, "desired_count", "DesiredCount", false),
    (
        K::EcsService,
        "health_check_grace_s",
        "HealthCheckGracePeriodSeconds",
        false,
    ),
    (K::TaskDefinition, "cpu", "Cpu", true),
    (K::TaskDefinition, "memory_mb", "Memory", true),
    (K::KinesisStream, "shards", "ShardCount", false),
    (
        K::KinesisStream,
        "retention_hours",
        "RetentionPeriodHours",
        false,
    ),
    (K::EksCluster, "version", "Version", false),
];

/// Writes the modelled fields that changed since the import onto the kept
/// resource, and nothing else: a field the user did not touch keeps what
/// the template said (an intrinsic, a newer runtime, ...).
fn overlay(c: &Component, before: &Value, now: &Value, res: &mut Value) {
    let Some(props) = res.get_mut("Properties").and_then(Value::as_object_mut) else {
        return;
    };
    for &(kind, field, key, as_string) in WRITE_BACK {
        if kind != c.kind() || before.get(field) == now.get(field) {
            continue;
        }
        match now.get(field) {
            None | Some(Value::Null) => {
                props.shift_remove(key);
            }
            Some(Value::Number(n)) if as_string => {
                props.insert(key.into(), Value::String(n.to_string()));
            }
            Some(v) => {
                props.insert(key.into(), v.clone());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Small builders

fn r(id: &str) -> Value {
    json!({ "Ref": id })
}

fn ga(id: &str, att: &str) -> Value {
    json!({ "Fn::GetAtt": [id, att] })
}

fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

fn partition_arn(service_path: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:{service_path}"))
}

fn managed(policy: &str) -> Value {
    partition_arn(&format!("iam::aws:policy/{policy}"))
}

/// A load balancer an API reaches through a VPC link.
struct Balancer {
    /// The balancer's logical id.
    id: String,
    /// Its listener's logical id, and port.
    listener: String,
    port: u16,
    /// The API path (`ANY`, ending in `{proxy+}`).
    path: String,
}

/// Where a REST API's private integration sends a request: the NLB's DNS
/// name and listener port, with the proxied path.
fn rest_lb_uri(b: &Balancer) -> Value {
    sub(&format!(
        "http://${{{}.DNSName}}:{}/{{proxy}}",
        b.id, b.port
    ))
}

/// A queue, topic or stream an API sends requests to directly.
struct ServiceTarget {
    /// Its logical id.
    id: String,
    /// The API path that sends to it (`POST`).
    path: String,
    kind: K,
}

/// A REST API's integration sending the request body to `t` through
/// `role`, as an OpenAPI extension (`openapi`) or a CloudFormation
/// method's `Integration`; the caller gets 200 once the service has it.
/// SQS: the body is the message; SNS: the body is published to the
/// topic; Kinesis: the body is one record, keyed by the request id.
fn rest_service_integration(t: &ServiceTarget, role: &str, openapi: bool) -> Value {
    let id = &t.id;
    let (uri, content_type, template) = match t.kind {
        K::SnsTopic => (
            "sns:path//".to_string(),
            "'application/x-www-form-urlencoded'",
            sub(&format!(
                "Action=Publish&TopicArn=$util.urlEncode('${{{id}}}')&Message=$util.urlEncode($input.body)"
            )),
        ),
        K::KinesisStream => (
            "kinesis:action/PutRecord".to_string(),
            "'application/x-amz-json-1.1'",
            sub(&format!(
                r#"{{"StreamName": "${{{id}}}", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$context.requestId"}}"#
            )),
        ),
        _ => (
            format!("sqs:path/${{AWS::AccountId}}/${{{id}.QueueName}}"),
            "'application/x-www-form-urlencoded'",
            json!("Action=SendMessage&MessageBody=$util.urlEncode($input.body)"),
        ),
    };
    let uri = sub(&format!(
        "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:{uri}"
    ));
    let content_type = json!({"integration.request.header.Content-Type": content_type});
    let template = json!({"application/json": template});
    if openapi {
        json!({"type": "aws", "httpMethod": "POST", "uri": uri, "credentials": ga(role, "Arn"),
            "requestParameters": content_type, "requestTemplates": template,
            "passthroughBehavior": "never", "responses": {"default": {"statusCode": "200"}}})
    } else {
        json!({"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri, "Credentials": ga(role, "Arn"),
            "RequestParameters": content_type, "RequestTemplates": template,
            "PassthroughBehavior": "NEVER", "IntegrationResponses": [{"StatusCode": "200"}]})
    }
}

/// An HTTP API's first-class integration sending the request body to `t`:
/// its subtype and request parameters (SQS and Kinesis; HTTP APIs have no
/// SNS integration).
fn http_service_integration(t: &ServiceTarget) -> (&'static str, Value) {
    match t.kind {
        K::KinesisStream => (
            "Kinesis-PutRecord",
            json!({"StreamName": r(&t.id), "Data": "$request.body", "PartitionKey": "$context.requestId"}),
        ),
        _ => (
            "SQS-SendMessage",
            json!({"QueueUrl": r(&t.id), "MessageBody": "$request.body"}),
        ),
    }
}

fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole"
        }]
    })
}

fn statement(actions: &[&str], resources: Vec<Value>) -> Value {
    json!({ "Effect": "Allow", "Action": actions, "Resource": resources })
}

const GENERATED_VPC_IDS: &[&str] = &[
    "Vpc",
    "InternetGateway",
    "VpcGatewayAttachment",
    "PublicSubnet1",
    "PublicSubnet2",
    "PrivateSubnet1",
    "PrivateSubnet2",
    "PublicRouteTable",
    "PublicRoute",
    "PublicSubnet1RouteTableAssociation",
    "PublicSubnet2RouteTableAssociation",
    "NatGatewayEip",
    "NatGateway",
    "PrivateRouteTable",
    "PrivateRoute",
    "PrivateSubnet1RouteTableAssociation",
    "PrivateSubnet2RouteTableAssociation",
    "VpcId",
    "PublicSubnetIds",
    "PrivateSubnetIds",
    "VpcCidr",
    "ArtifactBucket",
    "ImageTag",
];

struct Ctx<'a> {
    d: &'a Design,
    opts: ExportOptions,
    ids: BTreeMap<String, String>,
    params: Map<String, Value>,
    resources: Map<String, Value>,
    outputs: Map<String, Value>,
    globals: Map<String, Value>,
    manifests: Vec<Manifest>,
    notes: Vec<String>,
    /// When exporting only the components added to an imported design.
    only: Option<HashSet<String>>,
    /// Logical ids written twice (a component named like another's
    /// generated resource, e.g. `Orders Role` beside function `Orders`).
    collisions: BTreeSet<String>,
}

impl<'a> Ctx<'a> {
    fn new(d: &'a Design, opts: ExportOptions, reserved: &HashSet<String>) -> Self {
        let mut reserved = reserved.clone();
        reserved.extend(GENERATED_VPC_IDS.iter().map(|s| s.to_string()));
        Self {
            d,
            opts,
            ids: logical_ids(d, &reserved),
            params: Map::new(),
            resources: Map::new(),
            outputs: Map::new(),
            globals: Map::new(),
            manifests: Vec::new(),
            notes: Vec::new(),
            only: None,
            collisions: BTreeSet::new(),
        }
    }

    fn sam(&self) -> bool {
        self.opts.flavour == Flavour::Sam
    }

    fn id(&self, component: &str) -> String {
        self.ids
            .get(component)
            .cloned()
            .unwrap_or_else(|| camel(component))
    }

    fn add(&mut self, id: String, resource: Value) {
        if self.resources.contains_key(&id) {
            self.collisions.insert(id.clone());
        }
        self.resources.insert(id, resource);
    }

    fn included(&self, c: &Component) -> bool {
        self.only.as_ref().is_none_or(|o| o.contains(&c.id))
    }

    fn finish(self) -> Value {
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if self.sam() {
            t.insert("Transform".into(), json!("AWS::Serverless-2016-10-31"));
        }
        let description = if self.d.description.is_empty() {
            format!("{} (exported by archsim)", self.d.name)
        } else {
            format!("{}: {}", self.d.name, self.d.description)
        };
        t.insert("Description".into(), json!(description));
        if !self.globals.is_empty() {
            t.insert("Globals".into(), Value::Object(self.globals));
        }
        // Network parameters only where something uses them (an internal
        // load balancer needs the CIDR, a public one the public subnets).
        let mut params = self.params;
        let resources = Value::Object(self.resources.clone());
        params.retain(|id, _| {
            !matches!(
                id.as_str(),
                "VpcId" | "VpcCidr" | "PublicSubnetIds" | "PrivateSubnetIds"
            ) || names_any(&resources, &HashSet::from([id.clone()]))
        });
        if !params.is_empty() {
            t.insert("Parameters".into(), Value::Object(params));
        }
        t.insert("Resources".into(), Value::Object(self.resources));
        if !self.outputs.is_empty() {
            // Output ids stay clear of resource and parameter ids.
            let taken = |id: &str| {
                t.get("Resources").and_then(|r| r.get(id)).is_some()
                    || t.get("Parameters").and_then(|p| p.get(id)).is_some()
            };
            let outputs: Map<String, Value> = self
                .outputs
                .into_iter()
                .map(|(id, o)| {
                    if taken(&id) {
                        (format!("{id}Output"), o)
                    } else {
                        (id, o)
                    }
                })
                .collect();
            t.insert("Outputs".into(), Value::Object(outputs));
        }
        Value::Object(t)
    }

    fn components(&self) -> Vec<&'a Component> {
        self.d.components().filter(|c| self.included(c)).collect()
    }

    fn run(&mut self) -> Result<(), ExportError> {
        let comps = self.components();
        let needs_vpc = comps.iter().any(|c| {
            matches!(
                c.kind(),
                K::Alb
                    | K::Nlb
                    | K::EcsService
                    | K::EksCluster
                    | K::Ec2AutoScalingGroup
                    | K::AuroraServerless
                    | K::Rds
                    | K::Ec2Instance
                    | K::Clb
            )
        });
        if comps.iter().any(|c| {
            c.kind() == K::LambdaFunction
                && matches!(&c.props, Props::LambdaFunction(p) if p.packaging == Packaging::Zip)
        }) {
            self.params.insert(
                "ArtifactBucket".into(),
                json!({
                    "Type": "String",
                    "Description": "S3 bucket holding the functions' deployment packages (functions/<name>.zip)",
                    "Default": "my-artifact-bucket"
                }),
            );
        }
        // Image tags are a parameter wherever the template builds an image
        // URI: image-packaged functions and tasks pulling from this stack's
        // ECR repositories (manifests name their images themselves).
        if comps.iter().any(|c| match &c.props {
            Props::LambdaFunction(p) => p.packaging == Packaging::Image,
            Props::TaskDefinition(_) => self.d.outgoing(&c.id).iter().any(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::PullsImage) && to.kind() == K::EcrRepository
            }),
            _ => false,
        }) {
            self.params.insert(
                "ImageTag".into(),
                json!({
                    "Type": "String",
                    "Description": "Tag of the container images to deploy",
                    "Default": "latest"
                }),
            );
        }
        if needs_vpc {
            self.network();
        }
        if self.sam() {
            self.sam_globals(&comps);
        }
        for c in comps {
            self.component(c)?;
        }
        Ok(())
    }

    // --- network ---------------------------------------------------------

    fn network(&mut self) {
        match self.opts.network {
            Network::Existing => {
                self.params.insert(
                    "VpcId".into(),
                    json!({"Type": "AWS::EC2::VPC::Id", "Description": "The VPC to deploy into"}),
                );
                self.params.insert(
                    "VpcCidr".into(),
                    json!({"Type": "String", "Description": "The VPC's CIDR block (for internal load balancer rules)", "Default": "10.0.0.0/16"}),
                );
                self.params.insert(
                    "PublicSubnetIds".into(),
                    json!({"Type": "List<AWS::EC2::Subnet::Id>", "Description": "Public subnets in two or more AZs (load balancers)"}),
                );
                self.params.insert(
                    "PrivateSubnetIds".into(),
                    json!({"Type": "List<AWS::EC2::Subnet::Id>", "Description": "Private subnets with a route to a NAT gateway (tasks, instances, nodes)"}),
                );
            }
            Network::Generated => {
                let eks = self.d.components().any(|c| c.kind() == K::EksCluster);
                self.add(
                    "Vpc".into(),
                    json!({"Type": "AWS::EC2::VPC", "Properties": {
                        "CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true,
                        "Tags": [{"Key": "Name", "Value": {"Ref": "AWS::StackName"}}]}}),
                );
                self.add(
                    "InternetGateway".into(),
                    json!({"Type": "AWS::EC2::InternetGateway"}),
                );
                self.add(
                    "VpcGatewayAttachment".into(),
                    json!({"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                        "VpcId": r("Vpc"), "InternetGatewayId": r("InternetGateway")}}),
                );
                for (i, public) in [(1, true), (2, true), (1, false), (2, false)] {
                    let name = if public {
                        format!("PublicSubnet{i}")
                    } else {
                        format!("PrivateSubnet{i}")
                    };
                    let cidr = if public {
                        format!("10.0.{}.0/24", i - 1)
                    } else {
                        format!("10.0.{}.0/24", 9 + i)
                    };
                    let mut tags = vec![
                        json!({"Key": "Name", "Value": sub(&format!("${{AWS::StackName}}-{}", kebab(&name)))}),
                    ];
                    if eks {
                        let role = if public {
                            "kubernetes.io/role/elb"
                        } else {
                            "kubernetes.io/role/internal-elb"
                        };
                        tags.push(json!({"Key": role, "Value": "1"}));
                    }
                    self.add(
                        name,
                        json!({"Type": "AWS::EC2::Subnet", "Properties": {
                            "VpcId": r("Vpc"), "CidrBlock": cidr,
                            "AvailabilityZone": {"Fn::Select": [i - 1, {"Fn::GetAZs": ""}]},
                            "MapPublicIpOnLaunch": public,
                            "Tags": tags}}),
                    );
                }
                self.add(
                    "PublicRouteTable".into(),
                    json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": r("Vpc")}}),
                );
                self.add(
                    "PublicRoute".into(),
                    json!({"Type": "AWS::EC2::Route", "DependsOn": "VpcGatewayAttachment", "Properties": {
                        "RouteTableId": r("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": r("InternetGateway")}}),
                );
                for i in [1, 2] {
                    self.add(
                        format!("PublicSubnet{i}RouteTableAssociation"),
                        json!({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                            "SubnetId": r(&format!("PublicSubnet{i}")), "RouteTableId": r("PublicRouteTable")}}),
                    );
                }
                self.add(
                    "NatGatewayEip".into(),
                    json!({"Type": "AWS::EC2::EIP", "DependsOn": "VpcGatewayAttachment", "Properties": {"Domain": "vpc"}}),
                );
                self.add(
                    "NatGateway".into(),
                    json!({"Type": "AWS::EC2::NatGateway", "Properties": {
                        "AllocationId": ga("NatGatewayEip", "AllocationId"), "SubnetId": r("PublicSubnet1")}}),
                );
                self.add(
                    "PrivateRouteTable".into(),
                    json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": r("Vpc")}}),
                );
                self.add(
                    "PrivateRoute".into(),
                    json!({"Type": "AWS::EC2::Route", "Properties": {
                        "RouteTableId": r("PrivateRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": r("NatGateway")}}),
                );
                for i in [1, 2] {
                    self.add(
                        format!("PrivateSubnet{i}RouteTableAssociation"),
                        json!({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                            "SubnetId": r(&format!("PrivateSubnet{i}")), "RouteTableId": r("PrivateRouteTable")}}),
                    );
                }
            }
        }
    }

    fn vpc_id(&self) -> Value {
        match self.opts.network {
            Network::Generated => r("Vpc"),
            Network::Existing => r("VpcId"),
        }
    }

    fn vpc_cidr(&self) -> Value {
        match self.opts.network {
            Network::Generated => ga("Vpc", "CidrBlock"),
            Network::Existing => r("VpcCidr"),
        }
    }

    fn subnets(&self, public: bool) -> Value {
        match (self.opts.network, public) {
            (Network::Generated, true) => json!([r("PublicSubnet1"), r("PublicSubnet2")]),
            (Network::Generated, false) => json!([r("PrivateSubnet1"), r("PrivateSubnet2")]),
            (Network::Existing, true) => r("PublicSubnetIds"),
            (Network::Existing, false) => r("PrivateSubnetIds"),
        }
    }

    fn all_subnets(&self) -> Value {
        match self.opts.network {
            Network::Generated => json!([
                r("PublicSubnet1"),
                r("PublicSubnet2"),
                r("PrivateSubnet1"),
                r("PrivateSubnet2")
            ]),
            Network::Existing => {
                json!({"Fn::Split": [",", {"Fn::Join": [",", [{"Fn::Join": [",", r("PublicSubnetIds")]}, {"Fn::Join": [",", r("PrivateSubnetIds")]}]]}]})
            }
        }
    }

    // --- per component -------------------------------------------------

    fn component(&mut self, c: &'a Component) -> Result<(), ExportError> {
        let id = self.id(&c.id);
        match &c.props {
            Props::Client(_) => self.notes.push(format!(
                "{}: a client is traffic, not a resource; nothing exported",
                c.name
            )),
            Props::ExternalRegistry(_) => self.notes.push(format!(
                "{}: an external registry is referenced by image name only",
                c.name
            )),
            Props::IamRole(_) => {
                // Roles are written by the component that assumes them, so
                // their policies come from that component's connections.
                if self.d.incoming(&c.id).is_empty() {
                    self.notes
                        .push(format!("{}: no component assumes this role", c.name));
                }
            }
            Props::ApiGateway(p) => self.api(c, &id, p)?,
            Props::Cognito(p) => {
                let mut props = json!({
                    "UserPoolName": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))),
                    "MfaConfiguration": match p.mfa { MfaMode::Off => "OFF", MfaMode::Optional => "OPTIONAL", MfaMode::On => "ON" },
                    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": !p.self_sign_up},
                    "AutoVerifiedAttributes": ["email"],
                    "UsernameAttributes": ["email"]
                });
                if p.mfa != MfaMode::Off {
                    props["EnabledMfas"] = json!(["SOFTWARE_TOKEN_MFA"]);
                }
                self.add(
                    id,
                    json!({"Type": "AWS::Cognito::UserPool", "Properties": props}),
                );
            }
            Props::S3Bucket(p) => self.bucket(c, &id, p),
            Props::SqsQueue(p) => {
                let mut props = Map::new();
                if p.fifo {
                    props.insert("FifoQueue".into(), json!(true));
                }
                props.insert("VisibilityTimeout".into(), json!(p.visibility_timeout_s));
                props.insert(
                    "MessageRetentionPeriod".into(),
                    json!(p.message_retention_s),
                );
                if p.delay_s > 0 {
                    props.insert("DelaySeconds".into(), json!(p.delay_s));
                }
                if p.receive_wait_s > 0 {
                    props.insert(
                        "ReceiveMessageWaitTimeSeconds".into(),
                        json!(p.receive_wait_s),
                    );
                }
                for (conn, to) in self.d.outgoing(&c.id) {
                    if matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::SqsQueue {
                        props.insert(
                            "RedrivePolicy".into(),
                            json!({"deadLetterTargetArn": ga(&self.id(&to.id), "Arn"), "maxReceiveCount": p.max_receive_count}),
                        );
                    }
                }
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::SQS::Queue", "Properties": props}),
                );
                self.outputs.insert(
                    format!("{id}Url"),
                    json!({"Description": format!("URL of {}", c.name), "Value": r(&id)}),
                );
            }
            Props::SnsTopic(p) => {
                let mut props = Map::new();
                if p.fifo {
                    props.insert("FifoTopic".into(), json!(true));
                }
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::SNS::Topic", "Properties": props}),
                );
                // SNS -> SQS subscriptions with the queue policy that lets
                // exactly this topic send.
                for (conn, to) in self.d.outgoing(&c.id) {
                    if to.kind() == K::SqsQueue && matches!(conn.kind, ConnectionKind::Publishes) {
                        let q = self.id(&to.id);
                        self.add(
                            format!("{id}To{q}Subscription"),
                            json!({"Type": "AWS::SNS::Subscription", "Properties": {
                                "TopicArn": r(&id), "Protocol": "sqs", "Endpoint": ga(&q, "Arn")}}),
                        );
                        self.add(
                            format!("{q}From{id}Policy"),
                            json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                                "Queues": [r(&q)],
                                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                    "Action": "sqs:SendMessage", "Resource": ga(&q, "Arn"),
                                    "Condition": {"ArnEquals": {"aws:SourceArn": r(&id)}}}]}}}),
                        );
                    }
                }
            }
            Props::EventBridgeRule(p) => self.rule(c, &id, p)?,
            Props::KinesisStream(p) => {
                let props = match p.mode {
                    StreamMode::OnDemand => json!({
                        "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
                        "RetentionPeriodHours": p.retention_hours}),
                    StreamMode::Provisioned => json!({
                        "ShardCount": p.shards,
                        "RetentionPeriodHours": p.retention_hours}),
                };
                self.add(
                    id,
                    json!({"Type": "AWS::Kinesis::Stream", "Properties": props}),
                );
            }
            Props::DynamoDbTable(p) => {
                let mut attrs =
                    vec![json!({"AttributeName": p.partition_key, "AttributeType": "S"})];
                let mut keys = vec![json!({"AttributeName": p.partition_key, "KeyType": "HASH"})];
                if !p.sort_key.is_empty() {
                    attrs.push(json!({"AttributeName": p.sort_key, "AttributeType": "S"}));
                    keys.push(json!({"AttributeName": p.sort_key, "KeyType": "RANGE"}));
                }
                let mut props = json!({"AttributeDefinitions": attrs, "KeySchema": keys});
                match p.billing {
                    DynamoDbBilling::OnDemand => props["BillingMode"] = json!("PAY_PER_REQUEST"),
                    DynamoDbBilling::Provisioned => {
                        props["BillingMode"] = json!("PROVISIONED");
                        props["ProvisionedThroughput"] = json!({"ReadCapacityUnits": p.read_capacity, "WriteCapacityUnits": p.write_capacity});
                    }
                }
                if let Some(view) = p.stream {
                    props["StreamSpecification"] = json!({"StreamViewType": view});
                }
                self.add(
                    id,
                    json!({"Type": "AWS::DynamoDB::Table", "Properties": props}),
                );
            }
            Props::LambdaFunction(_) => self.function(c, &id)?,
            Props::EcsCluster(p) => self.cluster(c, &id, p.container_insights),
            Props::EcsService(_) => self.service(c, &id)?,
            Props::TaskDefinition(_) => self.task_definition(c, &id)?,
            Props::Fargate(_) | Props::FargateSpot(_) => {
                // Fargate capacity is named in the cluster's capacity
                // provider association; it has no resource of its own.
            }
            Props::Ec2AutoScalingGroup(_) => self.ec2_capacity(c, &id)?,
            Props::Alb(_) | Props::Nlb(_) => self.load_balancer(c, &id)?,
            Props::EcrRepository(p) => {
                let lifecycle = json!({"rules": [{
                    "rulePriority": 1,
                    "description": format!("keep the last {} images", p.keep_images),
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": p.keep_images},
                    "action": {"type": "expire"}}]});
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::ECR::Repository", "Properties": {
                        "ImageScanningConfiguration": {"ScanOnPush": p.scan_on_push},
                        "ImageTagMutability": match p.tag_mutability { TagMutability::Mutable => "MUTABLE", TagMutability::Immutable => "IMMUTABLE" },
                        "LifecyclePolicy": {"LifecyclePolicyText": serde_json::to_string(&lifecycle).unwrap_or_default()}}}),
                );
                self.outputs.insert(
                    format!("{id}Uri"),
                    json!({"Description": format!("Repository URI of {}", c.name), "Value": ga(&id, "RepositoryUri")}),
                );
            }
            Props::EksCluster(_) => self.eks_cluster(c, &id)?,
            Props::EksNodeGroup(_) => self.eks_node_group(c, &id)?,
            Props::EksFargateProfile(_) => self.eks_fargate_profile(c, &id)?,
            Props::EksWorkload(_) => self.eks_workload(c, &id)?,
            Props::Generic(p) => {
                self.add(
                    id,
                    json!({"Type": p.resource_type, "Properties": p.properties}),
                );
            }
            Props::Firehose(p) => self.firehose(c, &id, p),
            Props::AuroraServerless(p) => {
                self.database_network(c, &id);
                let engine = engine_name(p.engine, true);
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": {
                        "Engine": engine,
                        "ServerlessV2ScalingConfiguration": {"MinCapacity": p.min_acu, "MaxCapacity": p.max_acu},
                        "MasterUsername": "dbadmin",
                        "ManageMasterUserPassword": true,
                        "EnableHttpEndpoint": true,
                        "StorageEncrypted": true,
                        "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
                        "VpcSecurityGroupIds": [r(&format!("{id}SecurityGroup"))]}}),
                );
                self.add(
                    format!("{id}Instance"),
                    json!({"Type": "AWS::RDS::DBInstance", "Properties": {
                        "DBClusterIdentifier": r(&id), "DBInstanceClass": "db.serverless", "Engine": engine}}),
                );
            }
            Props::Rds(p) => {
                self.database_network(c, &id);
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": {
                        "Engine": engine_name(p.engine, false),
                        "DBInstanceClass": p.instance_class,
                        "AllocatedStorage": p.storage_gb.to_string(),
                        "MultiAZ": p.multi_az,
                        "MasterUsername": "dbadmin",
                        "ManageMasterUserPassword": true,
                        "StorageEncrypted": true,
                        "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
                        "VPCSecurityGroups": [r(&format!("{id}SecurityGroup"))]}}),
                );
            }
            Props::CloudFront(p) => self.cloudfront(c, &id, p),
            Props::Ec2Instance(p) => self.ec2_instance(c, &id, p),
            Props::Clb(p) => {
                let public = p.scheme == Scheme::InternetFacing;
                let sg = format!("{id}SecurityGroup");
                let ingress: Vec<Value> = p
                    .listeners
                    .iter()
                    .map(|l| {
                        json!({"IpProtocol": "tcp", "FromPort": l.port, "ToPort": l.port,
                        "CidrIp": if public { json!("0.0.0.0/0") } else { self.vpc_cidr() }})
                    })
                    .collect();
                self.add(
                    sg.clone(),
                    json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                        "GroupDescription": format!("Load balancer {}", c.name), "VpcId": self.vpc_id(),
                        "SecurityGroupIngress": ingress}}),
                );
                let listeners: Vec<Value> = p
                    .listeners
                    .iter()
                    .map(|l| json!({"LoadBalancerPort": l.port.to_string(), "InstancePort": l.port.to_string(),
                        "Protocol": if l.protocol == ListenerProtocol::Http { "HTTP" } else { "TCP" }}))
                    .collect();
                let instances: Vec<Value> = self
                    .d
                    .outgoing(&c.id)
                    .iter()
                    .filter(|(_, to)| to.kind() == K::Ec2Instance)
                    .map(|(_, to)| r(&self.id(&to.id)))
                    .collect();
                let mut props = json!({
                    "Scheme": if public { "internet-facing" } else { "internal" },
                    "Subnets": self.subnets(public),
                    "SecurityGroups": [r(&sg)],
                    "Listeners": listeners,
                    "ConnectionSettings": {"IdleTimeout": p.idle_timeout_s},
                });
                if !instances.is_empty() {
                    props["Instances"] = Value::Array(instances);
                }
                self.add(
                    id.clone(),
                    json!({"Type": "AWS::ElasticLoadBalancing::LoadBalancer", "Properties": props}),
                );
                self.notes.push(format!(
                    "{}: Classic Load Balancers are legacy; consider an ALB or NLB",
                    c.name
                ));
            }
            Props::Lex(_) | Props::Alexa(_) => self.notes.push(format!(
                "{}: {} is not exported yet; add it to the template by hand",
                c.name,
                c.kind().label()
            )),
        }
        Ok(())
    }

    // --- storage ---------------------------------------------------------

    /// Buckets that notify a function get a fixed name, so the function's
    /// policy can name the bucket without a circular dependency.
    fn bucket_notifies_function(&self, bucket: &str) -> bool {
        self.d.outgoing(bucket).iter().any(|(conn, to)| {
            to.kind() == K::LambdaFunction && matches!(conn.kind, ConnectionKind::Invoke { .. })
        })
    }

    /// `<name>-<account>-<stack id suffix>`: unique per stack, always
    /// lowercase (a stack name may not be), at most 63 characters.
    fn fixed_bucket_name_parts(&self, c: &Component) -> Vec<Value> {
        let mut name = kebab(&c.name);
        name.truncate(24);
        let name = name.trim_end_matches('-').to_string();
        vec![
            json!(name),
            r("AWS::AccountId"),
            json!({"Fn::Select": [4, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", r("AWS::StackId")]}]}]}]}),
        ]
    }

    fn bucket_name(&self, c: &Component) -> Option<Value> {
        self.bucket_notifies_function(&c.id)
            .then(|| json!({"Fn::Join": ["-", self.fixed_bucket_name_parts(c)]}))
    }

    fn fixed_bucket_arn(&self, c: &Component, suffix: &str) -> Value {
        let mut parts = vec![json!("arn:"), r("AWS::Partition"), json!(":s3:::")];
        for (i, part) in self.fixed_bucket_name_parts(c).into_iter().enumerate() {
            if i > 0 {
                parts.push(json!("-"));
            }
            parts.push(part);
        }
        if !suffix.is_empty() {
            parts.push(json!(suffix));
        }
        json!({"Fn::Join": ["", parts]})
    }

    fn bucket_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies_function(&c.id) {
            true => self.fixed_bucket_arn(c, ""),
            false => ga(&self.id(&c.id), "Arn"),
        }
    }

    fn bucket_objects_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies_function(&c.id) {
            true => self.fixed_bucket_arn(c, "/*"),
            false => sub(&format!("${{{}.Arn}}/*", self.id(&c.id))),
        }
    }

    fn bucket(&mut self, c: &Component, id: &str, p: &archsim_model::component::S3BucketProps) {
        let mut props = Map::new();
        if let Some(name) = self.bucket_name(c) {
            props.insert("BucketName".into(), name);
        }
        if p.versioning {
            props.insert(
                "VersioningConfiguration".into(),
                json!({"Status": "Enabled"}),
            );
        }
        props.insert(
            "PublicAccessBlockConfiguration".into(),
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}),
        );
        props.insert(
            "BucketEncryption".into(),
            json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}),
        );
        let mut depends = Vec::new();
        if !self.sam() {
            let mut configs = Vec::new();
            for (conn, to) in self.d.outgoing(&c.id) {
                if to.kind() == K::LambdaFunction
                    && matches!(conn.kind, ConnectionKind::Invoke { .. })
                {
                    let f = self.id(&to.id);
                    let perm = format!("{f}{id}Permission");
                    self.add(
                        perm.clone(),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&f, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "s3.amazonaws.com", "SourceAccount": r("AWS::AccountId"),
                            "SourceArn": self.bucket_arn(c)}}),
                    );
                    depends.push(json!(perm));
                    for event in &p.events {
                        let mut cfg = json!({"Event": event, "Function": ga(&f, "Arn")});
                        if let Some(filter) = s3_filter(p) {
                            cfg["Filter"] = filter;
                        }
                        configs.push(cfg);
                    }
                }
            }
            if !configs.is_empty() {
                props.insert(
                    "NotificationConfiguration".into(),
                    json!({"LambdaConfigurations": configs}),
                );
            }
        }
        let mut res = json!({"Type": "AWS::S3::Bucket"});
        if !depends.is_empty() {
            res["DependsOn"] = Value::Array(depends);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
    }

    // --- CloudFront and instances --------------------------------------

    fn cloudfront(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::CloudFrontProps,
    ) {
        // Managed cache and origin request policies (AWS documents the ids).
        const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
        const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
        const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
        let mut origins = Vec::new();
        let mut behaviors = Vec::new();
        let mut default = None;
        for (conn, to) in self.d.outgoing(&c.id) {
            let tid = self.id(&to.id);
            let (origin, is_static) = match &to.props {
                Props::S3Bucket(_) => {
                    let oac = format!("{id}{tid}AccessControl");
                    self.add(
                        oac.clone(),
                        json!({"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {"OriginAccessControlConfig": {
                            "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&to.name))),
                            "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}}}),
                    );
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
                            "Bucket": r(&tid),
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Action": "s3:GetObject", "Resource": self.bucket_objects_arn(to),
                                "Condition": {"StringEquals": {"AWS:SourceArn": sub(&format!(
                                    "arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{id}}}"))}}}]}}}),
                    );
                    (
                        json!({"Id": tid, "DomainName": ga(&tid, "RegionalDomainName"),
                        "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": ga(&oac, "Id")}),
                        true,
                    )
                }
                Props::Alb(_) => (
                    json!({"Id": tid, "DomainName": ga(&tid, "DNSName"),
                    "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}),
                    false,
                ),
                Props::ApiGateway(api) => {
                    let mut o = json!({"Id": tid,
                        "DomainName": sub(&format!("${{{tid}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}")),
                        "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}});
                    if api.api_type == ApiType::Rest {
                        o["OriginPath"] = json!(format!("/{}", api.stage_name));
                    }
                    (o, false)
                }
                _ => {
                    self.notes.push(format!(
                        "{} -> {}: this origin is not exported",
                        c.name, to.name
                    ));
                    continue;
                }
            };
            origins.push(origin);
            let mut behavior = json!({"TargetOriginId": tid, "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": if is_static { CACHING_OPTIMIZED } else { CACHING_DISABLED }});
            if !is_static {
                behavior["AllowedMethods"] =
                    json!(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]);
                behavior["OriginRequestPolicyId"] = json!(ALL_VIEWER_EXCEPT_HOST);
            }
            let paths: Vec<String> = match &conn.kind {
                ConnectionKind::Route { conditions, .. } => conditions
                    .iter()
                    .filter(|c| c.field == ConditionField::PathPattern)
                    .flat_map(|c| c.values.clone())
                    .collect(),
                _ => Vec::new(),
            };
            if paths.is_empty() && default.is_none() {
                default = Some(behavior);
            } else {
                for path in paths {
                    let mut b = behavior.clone();
                    b["PathPattern"] = json!(path);
                    behaviors.push(b);
                }
            }
        }
        let default = default.or_else(|| {
            behaviors.first().map(|b| {
                let mut b = b.clone();
                if let Some(m) = b.as_object_mut() {
                    m.shift_remove("PathPattern");
                }
                b
            })
        });
        let Some(default) = default else {
            self.notes.push(format!(
                "{}: a distribution needs an origin; none is connected",
                c.name
            ));
            return;
        };
        let mut config = json!({"Enabled": true, "PriceClass": p.price_class, "HttpVersion": "http2and3",
            "Origins": origins, "DefaultCacheBehavior": default});
        if !behaviors.is_empty() {
            config["CacheBehaviors"] = Value::Array(behaviors);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": config}}),
        );
        self.outputs.insert(
            format!("{id}DomainName"),
            json!({"Description": format!("Domain name of {}", c.name), "Value": ga(id, "DomainName")}),
        );
    }

    fn ec2_instance(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::Ec2InstanceProps,
    ) {
        let ami = format!("{id}AmiId");
        self.params.insert(
            ami.clone(),
            json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Description": format!("AMI for {}", c.name),
                "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}),
        );
        let sg = format!("{id}SecurityGroup");
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Instance {}", c.name), "VpcId": self.vpc_id()}}),
        );
        let stmts = self.statements(&c.id);
        let role_comp = self.assumed_role(&c.id, RolePurpose::InstanceRole);
        let mut profile = None;
        if role_comp.is_some() || !stmts.is_empty() {
            let role = role_comp
                .map(|r| self.id(&r.id))
                .unwrap_or_else(|| format!("{id}Role"));
            let mut arns = vec![managed("AmazonSSMManagedInstanceCore")];
            arns.extend(self.role_extra_managed(role_comp));
            let mut props = json!({"AssumeRolePolicyDocument": trust("ec2.amazonaws.com"), "ManagedPolicyArns": arns});
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                props["Policies"] = json!([pol]);
            }
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": props}),
            );
            let name = format!("{id}InstanceProfile");
            self.add(
                name.clone(),
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r(&role)]}}),
            );
            profile = Some(name);
        }
        let subnet = match self.opts.network {
            Network::Generated => r("PrivateSubnet1"),
            Network::Existing => json!({"Fn::Select": [0, r("PrivateSubnetIds")]}),
        };
        let mut props = json!({"ImageId": r(&ami), "InstanceType": p.instance_type, "SubnetId": subnet,
            "SecurityGroupIds": [r(&sg)], "MetadataOptions": {"HttpTokens": "required"}});
        if let Some(profile) = profile {
            props["IamInstanceProfile"] = r(&profile);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::EC2::Instance", "Properties": props}),
        );
        if p.count > 1 {
            self.notes.push(format!(
                "{}: {} instances are modelled; one is exported (use an Auto Scaling group for more)",
                c.name, p.count
            ));
        }
    }

    // --- databases and delivery streams ------------------------------

    /// A database's subnet group (private subnets) and security group. The
    /// security group admits nothing: Lambda reaches Aurora through the Data
    /// API, and other clients are added by the user who knows their network.
    fn database_network(&mut self, c: &Component, id: &str) {
        self.add(
            format!("{id}SubnetGroup"),
            json!({"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
                "DBSubnetGroupDescription": format!("Private subnets of {}", c.name),
                "SubnetIds": self.subnets(false)}}),
        );
        self.add(
            format!("{id}SecurityGroup"),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Database {}", c.name), "VpcId": self.vpc_id()}}),
        );
    }

    fn firehose(&mut self, c: &Component, id: &str, p: &archsim_model::component::FirehoseProps) {
        let bucket = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::Publishes) && to.kind() == K::S3Bucket
            })
            .map(|(_, to)| to);
        let (bucket_arn, objects_arn) = match bucket {
            Some(b) => (self.bucket_arn(b), self.bucket_objects_arn(b)),
            None => {
                // Firehose must deliver somewhere: a bucket of its own.
                let b = format!("{id}DeliveryBucket");
                self.add(
                    b.clone(),
                    json!({"Type": "AWS::S3::Bucket", "Properties": {
                        "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}}),
                );
                (ga(&b, "Arn"), sub(&format!("${{{b}.Arn}}/*")))
            }
        };
        let transform = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(_, to)| to.kind() == K::LambdaFunction)
            .map(|(_, to)| self.id(&to.id));
        let role = format!("{id}DeliveryRole");
        let mut stmts = vec![
            statement(
                &[
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                vec![bucket_arn.clone()],
            ),
            statement(
                &["s3:PutObject", "s3:AbortMultipartUpload"],
                vec![objects_arn],
            ),
        ];
        if let Some(f) = &transform {
            stmts.push(statement(
                &["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
                vec![ga(f, "Arn")],
            ));
        }
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("firehose.amazonaws.com"),
                "Policies": [{"PolicyName": format!("{id}Delivery"), "PolicyDocument": {"Version": "2012-10-17", "Statement": stmts}}]}}),
        );
        let mut dest = json!({
            "BucketARN": bucket_arn,
            "RoleARN": ga(&role, "Arn"),
            "BufferingHints": {"SizeInMBs": p.buffer_size_mb, "IntervalInSeconds": p.buffer_interval_s},
        });
        if let Some(f) = &transform {
            dest["ProcessingConfiguration"] = json!({"Enabled": true, "Processors": [{"Type": "Lambda",
                "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": ga(f, "Arn")}]}]});
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
                "DeliveryStreamType": "DirectPut", "ExtendedS3DestinationConfiguration": dest}}),
        );
    }

    // --- IAM from connections ------------------------------------------

    /// The least-privilege statements a compute component needs for its
    /// `Uses`, `Publishes` and `Invoke` connections, and for the queues
    /// that a service or workload polls itself.
    fn statements(&self, compute: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (conn, to) in self.d.outgoing(compute) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (ConnectionKind::Uses { access }, K::DynamoDbTable) => {
                    let mut actions = Vec::new();
                    if access.reads() {
                        actions.extend([
                            "dynamodb:GetItem",
                            "dynamodb:BatchGetItem",
                            "dynamodb:Query",
                            "dynamodb:Scan",
                            "dynamodb:ConditionCheckItem",
                            "dynamodb:DescribeTable",
                        ]);
                    }
                    if access.writes() {
                        actions.extend([
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:BatchWriteItem",
                        ]);
                    }
                    out.push(statement(
                        &actions,
                        vec![ga(&tid, "Arn"), sub(&format!("${{{tid}.Arn}}/index/*"))],
                    ));
                }
                (ConnectionKind::Uses { access }, K::S3Bucket) => {
                    if access.reads() {
                        out.push(statement(&["s3:ListBucket"], vec![self.bucket_arn(to)]));
                        out.push(statement(
                            &["s3:GetObject"],
                            vec![self.bucket_objects_arn(to)],
                        ));
                    }
                    if access.writes() {
                        out.push(statement(
                            &["s3:PutObject", "s3:DeleteObject"],
                            vec![self.bucket_objects_arn(to)],
                        ));
                    }
                }
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push(statement(&["sqs:SendMessage"], vec![ga(&tid, "Arn")]));
                }
                (ConnectionKind::Publishes, K::SnsTopic) => {
                    out.push(statement(&["sns:Publish"], vec![r(&tid)]));
                }
                (ConnectionKind::Publishes, K::Firehose) => {
                    out.push(statement(
                        &["firehose:PutRecord", "firehose:PutRecordBatch"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                (ConnectionKind::Uses { access }, K::AuroraServerless) => {
                    // The Data API: statements on exactly this cluster, and
                    // the cluster's own secret.
                    let mut actions = vec![
                        "rds-data:ExecuteStatement",
                        "rds-data:BatchExecuteStatement",
                    ];
                    if access.writes() {
                        actions.extend([
                            "rds-data:BeginTransaction",
                            "rds-data:CommitTransaction",
                            "rds-data:RollbackTransaction",
                        ]);
                    }
                    out.push(statement(&actions, vec![ga(&tid, "DBClusterArn")]));
                    out.push(statement(
                        &["secretsmanager:GetSecretValue"],
                        vec![ga(&tid, "MasterUserSecret.SecretArn")],
                    ));
                }
                (ConnectionKind::Uses { .. }, K::Rds) => {
                    out.push(statement(
                        &["secretsmanager:GetSecretValue"],
                        vec![ga(&tid, "MasterUserSecret.SecretArn")],
                    ));
                }
                (ConnectionKind::Publishes, K::KinesisStream) => {
                    out.push(statement(
                        &["kinesis:PutRecord", "kinesis:PutRecords"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                (ConnectionKind::Publishes, K::EventBridgeRule) => {
                    let bus = match &to.props {
                        Props::EventBridgeRule(p) => p.event_bus.clone(),
                        _ => "default".into(),
                    };
                    out.push(statement(
                        &["events:PutEvents"],
                        vec![sub(&format!(
                            "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{bus}"
                        ))],
                    ));
                }
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push(statement(&["lambda:InvokeFunction"], vec![ga(&tid, "Arn")]));
                }
                _ => {}
            }
        }
        // A service or workload that polls a queue itself.
        let compute_kind = self.d.component(compute).map(Component::kind);
        if compute_kind != Some(K::LambdaFunction) {
            for (conn, from) in self.d.incoming(compute) {
                if matches!(conn.kind, ConnectionKind::Poll { .. }) && from.kind() == K::SqsQueue {
                    out.push(statement(
                        &[
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                        ],
                        vec![ga(&self.id(&from.id), "Arn")],
                    ));
                }
            }
        }
        out
    }

    /// Environment variables naming what a compute component talks to.
    fn env_for(&self, compute: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        // `Jobs queue` -> JOBS_QUEUE_URL, `Orders` (a table) -> ORDERS_TABLE_NAME.
        let var = |c: &Component, what: &str| {
            let (word, detail) = what.split_once('_').unwrap_or((what, "NAME"));
            let base = kebab(&c.name).replace('-', "_").to_uppercase();
            if base == word || base.ends_with(&format!("_{word}")) {
                format!("{base}_{detail}")
            } else {
                format!("{base}_{word}_{detail}")
            }
        };
        for (conn, to) in self.d.outgoing(compute) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (ConnectionKind::Uses { .. }, K::DynamoDbTable) => {
                    out.push((var(to, "TABLE_NAME"), r(&tid)));
                }
                (ConnectionKind::Uses { .. }, K::S3Bucket) => {
                    // A bucket that notifies a function is named by its
                    // fixed name: `!Ref` would make a dependency cycle.
                    let name = self.bucket_name(to).unwrap_or_else(|| r(&tid));
                    out.push((var(to, "BUCKET_NAME"), name));
                }
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push((var(to, "QUEUE_URL"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::SnsTopic) => {
                    out.push((var(to, "TOPIC_ARN"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::KinesisStream) => {
                    out.push((var(to, "STREAM_NAME"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::Firehose) => {
                    out.push((var(to, "STREAM_NAME"), r(&tid)))
                }
                (ConnectionKind::Uses { .. }, K::AuroraServerless) => {
                    out.push((var(to, "CLUSTER_ARN"), ga(&tid, "DBClusterArn")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                (ConnectionKind::Uses { .. }, K::Rds) => {
                    out.push((var(to, "DATABASE_HOST"), ga(&tid, "Endpoint.Address")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push((var(to, "FUNCTION_NAME"), r(&tid)))
                }
                _ => {}
            }
        }
        if self.d.component(compute).map(Component::kind) != Some(K::LambdaFunction) {
            for (conn, from) in self.d.incoming(compute) {
                if matches!(conn.kind, ConnectionKind::Poll { .. }) && from.kind() == K::SqsQueue {
                    out.push((var(from, "QUEUE_URL"), r(&self.id(&from.id))));
                }
            }
        }
        out
    }

    fn inline_policy(&self, name: &str, statements: Vec<Value>) -> Option<Value> {
        (!statements.is_empty()).then(|| {
            json!({"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})
        })
    }

    /// A role component that `from` assumes with the given purpose.
    fn assumed_role(&self, from: &str, purpose: RolePurpose) -> Option<&'a Component> {
        self.d
            .outgoing(from)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::AssumesRole))
            .map(|(_, to)| to)
            .find(|to| matches!(&to.props, Props::IamRole(p) if p.purpose == purpose))
            .and_then(|to| self.d.component(&to.id))
    }

    fn role_extra_managed(&self, role: Option<&Component>) -> Vec<Value> {
        match role.map(|r| &r.props) {
            Some(Props::IamRole(p)) => p
                .managed_policy_arns
                .iter()
                .map(|a| Value::String(a.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    // --- Lambda ----------------------------------------------------------

    fn sam_globals(&mut self, comps: &[&Component]) {
        let fns: Vec<_> = comps
            .iter()
            .filter_map(|c| match &c.props {
                Props::LambdaFunction(p) => Some(p),
                _ => None,
            })
            .collect();
        if fns.is_empty() {
            return;
        }
        let mut f = Map::new();
        let first = fns[0];
        if fns
            .iter()
            .all(|p| p.packaging == Packaging::Zip && p.runtime == first.runtime)
        {
            f.insert("Runtime".into(), json!(first.runtime.aws_runtime()));
        }
        if fns.iter().all(|p| p.architecture == first.architecture) {
            f.insert("Architectures".into(), json!([arch(first.architecture)]));
        }
        if fns.iter().all(|p| p.tracing) {
            f.insert("Tracing".into(), json!("Active"));
        }
        if !f.is_empty() {
            self.globals.insert("Function".into(), Value::Object(f));
        }
    }

    fn global(&self, key: &str) -> bool {
        self.globals
            .get("Function")
            .and_then(|f| f.get(key))
            .is_some()
    }

    fn function(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::LambdaFunction(p) = &c.props else {
            return Ok(());
        };
        let sam = self.sam();
        let mut props = Map::new();
        match p.packaging {
            Packaging::Zip => {
                let key = format!("functions/{}.zip", kebab(&c.name));
                if sam {
                    props.insert(
                        "CodeUri".into(),
                        json!({"Bucket": r("ArtifactBucket"), "Key": key}),
                    );
                } else {
                    props.insert(
                        "Code".into(),
                        json!({"S3Bucket": r("ArtifactBucket"), "S3Key": key}),
                    );
                }
                props.insert("Handler".into(), json!(p.handler));
                if !(sam && self.global("Runtime")) {
                    props.insert("Runtime".into(), json!(p.runtime.aws_runtime()));
                }
            }
            Packaging::Image => {
                props.insert("PackageType".into(), json!("Image"));
                let uri = sub(&format!(
                    "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{}:${{ImageTag}}",
                    kebab(&c.name)
                ));
                if sam {
                    props.insert("ImageUri".into(), uri);
                } else {
                    props.insert("Code".into(), json!({"ImageUri": uri}));
                }
            }
        }
        if !sam {
            props.insert("Role".into(), ga(&format!("{id}Role"), "Arn"));
        }
        props.insert("MemorySize".into(), json!(p.memory_mb));
        props.insert("Timeout".into(), json!(p.timeout_s));
        if !(sam && self.global("Architectures")) {
            props.insert("Architectures".into(), json!([arch(p.architecture)]));
        }
        if p.ephemeral_storage_mb != 512 {
            props.insert(
                "EphemeralStorage".into(),
                json!({"Size": p.ephemeral_storage_mb}),
            );
        }
        if let Some(n) = p.reserved_concurrency {
            props.insert("ReservedConcurrentExecutions".into(), json!(n));
        }
        if p.tracing && !(sam && self.global("Tracing")) {
            if sam {
                props.insert("Tracing".into(), json!("Active"));
            } else {
                props.insert("TracingConfig".into(), json!({"Mode": "Active"}));
            }
        }
        let mut env = Map::new();
        for (k, v) in &p.environment {
            env.insert(k.clone(), json!(v));
        }
        for (k, v) in self.env_for(&c.id) {
            env.entry(k).or_insert(v);
        }
        if !env.is_empty() {
            props.insert("Environment".into(), json!({"Variables": env}));
        }
        let dlq = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::SqsQueue
            })
            .map(|(_, to)| self.id(&to.id));
        if let Some(q) = &dlq {
            if sam {
                props.insert(
                    "DeadLetterQueue".into(),
                    json!({"Type": "SQS", "TargetArn": ga(q, "Arn")}),
                );
            } else {
                props.insert(
                    "DeadLetterConfig".into(),
                    json!({"TargetArn": ga(q, "Arn")}),
                );
            }
        }
        let custom_async = p.max_event_age_s != 21_600 || p.max_retry_attempts != 2;
        if p.snap_start && p.runtime == Runtime::Java {
            props.insert("SnapStart".into(), json!({"ApplyOn": "PublishedVersions"}));
        }
        let alias = p.provisioned_concurrency > 0 || (p.snap_start && p.runtime == Runtime::Java);
        if sam {
            if alias {
                props.insert("AutoPublishAlias".into(), json!("live"));
            }
            if p.provisioned_concurrency > 0 {
                props.insert(
                    "ProvisionedConcurrencyConfig".into(),
                    json!({"ProvisionedConcurrentExecutions": p.provisioned_concurrency}),
                );
            }
            if custom_async {
                props.insert(
                    "EventInvokeConfig".into(),
                    json!({"MaximumEventAgeInSeconds": p.max_event_age_s, "MaximumRetryAttempts": p.max_retry_attempts}),
                );
            }
            let policies = self.sam_policies(&c.id);
            if !policies.is_empty() {
                props.insert("Policies".into(), Value::Array(policies));
            }
            let events = self.sam_events(c)?;
            if !events.is_empty() {
                props.insert("Events".into(), Value::Object(events));
            }
            if self.has_function_url(&c.id) {
                props.insert("FunctionUrlConfig".into(), json!({"AuthType": "AWS_IAM"}));
                self.outputs.insert(
                    format!("{id}FunctionUrl"),
                    json!({"Description": format!("Function URL of {}", c.name), "Value": ga(&format!("{id}Url"), "FunctionUrl")}),
                );
            }
            self.add(
                id.into(),
                json!({"Type": "AWS::Serverless::Function", "Properties": props}),
            );
        } else {
            let role = format!("{id}Role");
            self.add(
                id.into(),
                json!({"Type": "AWS::Lambda::Function", "Properties": props}),
            );
            let mut managed_arns = vec![managed("service-role/AWSLambdaBasicExecutionRole")];
            if p.tracing {
                managed_arns.push(managed("AWSXrayWriteOnlyAccess"));
            }
            let mut stmts = self.statements(&c.id);
            if let Some(q) = &dlq {
                stmts.push(statement(&["sqs:SendMessage"], vec![ga(q, "Arn")]));
            }
            stmts.extend(self.poll_statements(&c.id));
            let mut role_props = json!({
                "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
                "ManagedPolicyArns": managed_arns,
            });
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                role_props["Policies"] = json!([pol]);
            }
            self.add(
                role,
                json!({"Type": "AWS::IAM::Role", "Properties": role_props}),
            );
            if custom_async {
                self.add(
                    format!("{id}EventInvokeConfig"),
                    json!({"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
                        "FunctionName": r(id), "Qualifier": "$LATEST",
                        "MaximumEventAgeInSeconds": p.max_event_age_s, "MaximumRetryAttempts": p.max_retry_attempts}}),
                );
            }
            if alias {
                self.add(
                    format!("{id}Version"),
                    json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": r(id)}}),
                );
                let mut alias_props = json!({"FunctionName": r(id), "FunctionVersion": ga(&format!("{id}Version"), "Version"), "Name": "live"});
                if p.provisioned_concurrency > 0 {
                    alias_props["ProvisionedConcurrencyConfig"] =
                        json!({"ProvisionedConcurrentExecutions": p.provisioned_concurrency});
                }
                self.add(
                    format!("{id}Alias"),
                    json!({"Type": "AWS::Lambda::Alias", "Properties": alias_props}),
                );
            }
            self.cfn_event_sources(c, id)?;
            if self.has_function_url(&c.id) {
                self.add(
                    format!("{id}Url"),
                    json!({"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": ga(id, "Arn"), "AuthType": "AWS_IAM"}}),
                );
                self.outputs.insert(
                    format!("{id}FunctionUrl"),
                    json!({"Description": format!("Function URL of {}", c.name), "Value": ga(&format!("{id}Url"), "FunctionUrl")}),
                );
            }
        }
        Ok(())
    }

    /// A client calling a function directly reaches it through a function
    /// URL. It is IAM-authenticated: an open URL is a choice the user
    /// should make by hand.
    fn has_function_url(&self, f: &str) -> bool {
        self.d.incoming(f).iter().any(|(conn, from)| {
            from.kind() == K::Client && matches!(conn.kind, ConnectionKind::Invoke { .. })
        })
    }

    /// SAM policy templates where one is exactly the access needed,
    /// inline statements otherwise.
    fn sam_policies(&self, f: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut inline = Vec::new();
        for (conn, to) in self.d.outgoing(f) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (
                    ConnectionKind::Uses {
                        access: Access::ReadWrite,
                    },
                    K::DynamoDbTable,
                ) => out.push(json!({"DynamoDBCrudPolicy": {"TableName": r(&tid)}})),
                (
                    ConnectionKind::Uses {
                        access: Access::Read,
                    },
                    K::DynamoDbTable,
                ) => out.push(json!({"DynamoDBReadPolicy": {"TableName": r(&tid)}})),
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push(json!({"SQSSendMessagePolicy": {"QueueName": ga(&tid, "QueueName")}}))
                }
                (ConnectionKind::Publishes, K::SnsTopic) => out
                    .push(json!({"SNSPublishMessagePolicy": {"TopicName": ga(&tid, "TopicName")}})),
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push(json!({"LambdaInvokePolicy": {"FunctionName": r(&tid)}}))
                }
                _ => {}
            }
        }
        // Everything without an exact template: the same statements the
        // CloudFormation flavour writes, minus those covered above.
        for st in self.statements(f) {
            let actions: Vec<&str> = st["Action"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let covered = actions.iter().any(|a| {
                a.starts_with("sqs:SendMessage")
                    || a.starts_with("sns:Publish")
                    || a.starts_with("lambda:InvokeFunction")
            }) || (actions.contains(&"dynamodb:GetItem")
                && actions.contains(&"dynamodb:PutItem"))
                || (actions.contains(&"dynamodb:GetItem")
                    && !actions.contains(&"dynamodb:PutItem"));
            if !covered {
                inline.push(st);
            }
        }
        if !inline.is_empty() {
            out.push(json!({"Version": "2012-10-17", "Statement": inline}));
        }
        out
    }

    fn poll_statements(&self, f: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (conn, from) in self.d.incoming(f) {
            if !matches!(conn.kind, ConnectionKind::Poll { .. }) {
                continue;
            }
            let sid = self.id(&from.id);
            match from.kind() {
                K::SqsQueue => out.push(statement(
                    &[
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                    ],
                    vec![ga(&sid, "Arn")],
                )),
                K::KinesisStream => out.push(statement(
                    &[
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:ListShards",
                    ],
                    vec![ga(&sid, "Arn")],
                )),
                K::DynamoDbTable => out.push(statement(
                    &[
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                        "dynamodb:DescribeStream",
                        "dynamodb:ListStreams",
                    ],
                    vec![ga(&sid, "StreamArn")],
                )),
                _ => {}
            }
        }
        out
    }

    fn api_path(&self, api: &str, f: &Component) -> String {
        let targets = self
            .d
            .outgoing(api)
            .iter()
            .filter(|(_, to)| to.kind() == K::LambdaFunction)
            .count();
        if targets <= 1 {
            "/{proxy+}".into()
        } else {
            format!("/{}/{{proxy+}}", kebab(&f.name))
        }
    }

    fn poll_props(&self, conn_kind: &ConnectionKind, source: K, sam: bool) -> Map<String, Value> {
        let mut m = Map::new();
        if let ConnectionKind::Poll {
            batch_size,
            batching_window_s,
            parallelization_factor,
            max_concurrency,
            starting_position,
        } = conn_kind
        {
            m.insert("BatchSize".into(), json!(batch_size));
            if *batching_window_s > 0 {
                m.insert(
                    "MaximumBatchingWindowInSeconds".into(),
                    json!(batching_window_s),
                );
            }
            if source != K::SqsQueue {
                m.insert(
                    "StartingPosition".into(),
                    json!(match starting_position {
                        StartingPosition::Latest => "LATEST",
                        StartingPosition::TrimHorizon => "TRIM_HORIZON",
                    }),
                );
                if *parallelization_factor > 1 {
                    m.insert(
                        "ParallelizationFactor".into(),
                        json!(parallelization_factor),
                    );
                }
            }
            if let (Some(n), K::SqsQueue) = (max_concurrency, source) {
                m.insert("ScalingConfig".into(), json!({"MaximumConcurrency": n}));
            }
            let _ = sam;
        }
        m
    }

    fn sam_events(&self, f: &Component) -> Result<Map<String, Value>, ExportError> {
        let mut events = Map::new();
        for (conn, from) in self.d.incoming(&f.id) {
            let sid = self.id(&from.id);
            let (name, event) = match (&conn.kind, &from.props) {
                (ConnectionKind::Invoke { .. }, Props::ApiGateway(api)) => {
                    let path = self.api_path(&from.id, f);
                    match api.api_type {
                        ApiType::Rest => (
                            format!("{sid}Request"),
                            json!({"Type": "Api", "Properties": {"RestApiId": r(&sid), "Path": path, "Method": "ANY"}}),
                        ),
                        ApiType::Http => (
                            format!("{sid}Request"),
                            json!({"Type": "HttpApi", "Properties": {"ApiId": r(&sid), "Path": path, "Method": "ANY"}}),
                        ),
                    }
                }
                (ConnectionKind::Invoke { .. }, Props::S3Bucket(b)) => {
                    let mut props = json!({"Bucket": r(&sid), "Events": b.events});
                    if let Some(filter) = s3_filter(b) {
                        props["Filter"] = filter;
                    }
                    (
                        format!("{sid}Event"),
                        json!({"Type": "S3", "Properties": props}),
                    )
                }
                (ConnectionKind::Invoke { .. }, Props::SnsTopic(_)) => (
                    format!("{sid}Message"),
                    json!({"Type": "SNS", "Properties": {"Topic": r(&sid)}}),
                ),
                (ConnectionKind::Invoke { .. }, Props::EventBridgeRule(rule))
                    if self.rule_embedded(&from.id) =>
                {
                    if rule.event_pattern.is_empty() {
                        (
                            sid.clone(),
                            json!({"Type": "Schedule", "Properties": {"Schedule": rule.schedule}}),
                        )
                    } else {
                        let mut props = json!({"Pattern": pattern(from, &rule.event_pattern)?});
                        if rule.event_bus != "default" {
                            props["EventBusName"] = json!(rule.event_bus);
                        }
                        (
                            sid.clone(),
                            json!({"Type": "EventBridgeRule", "Properties": props}),
                        )
                    }
                }
                (ConnectionKind::Poll { .. }, Props::SqsQueue(_)) => {
                    let mut props = Map::new();
                    props.insert("Queue".into(), ga(&sid, "Arn"));
                    props.extend(self.poll_props(&conn.kind, K::SqsQueue, true));
                    (
                        format!("{sid}Messages"),
                        json!({"Type": "SQS", "Properties": props}),
                    )
                }
                (ConnectionKind::Poll { .. }, Props::KinesisStream(_)) => {
                    let mut props = Map::new();
                    props.insert("Stream".into(), ga(&sid, "Arn"));
                    props.extend(self.poll_props(&conn.kind, K::KinesisStream, true));
                    (
                        format!("{sid}Records"),
                        json!({"Type": "Kinesis", "Properties": props}),
                    )
                }
                (ConnectionKind::Poll { .. }, Props::DynamoDbTable(_)) => {
                    let mut props = Map::new();
                    props.insert("Stream".into(), ga(&sid, "StreamArn"));
                    props.extend(self.poll_props(&conn.kind, K::DynamoDbTable, true));
                    (
                        format!("{sid}Stream"),
                        json!({"Type": "DynamoDB", "Properties": props}),
                    )
                }
                _ => continue,
            };
            events.insert(name, event);
        }
        Ok(events)
    }

    /// In SAM, a rule whose every target is a function is written as an
    /// event of those functions.
    fn rule_embedded(&self, rule: &str) -> bool {
        let out = self.d.outgoing(rule);
        self.sam() && !out.is_empty() && out.iter().all(|(_, to)| to.kind() == K::LambdaFunction)
    }

    fn cfn_event_sources(&mut self, f: &Component, id: &str) -> Result<(), ExportError> {
        for (conn, from) in self.d.incoming(&f.id) {
            let sid = self.id(&from.id);
            let source_arn = match from.kind() {
                K::SqsQueue | K::KinesisStream => Some(ga(&sid, "Arn")),
                K::DynamoDbTable => Some(ga(&sid, "StreamArn")),
                _ => None,
            };
            match (&conn.kind, source_arn) {
                (ConnectionKind::Poll { .. }, Some(arn)) => {
                    let mut props = Map::new();
                    props.insert("FunctionName".into(), r(id));
                    props.insert("EventSourceArn".into(), arn);
                    props.extend(self.poll_props(&conn.kind, from.kind(), false));
                    self.add(
                        format!("{id}{sid}Mapping"),
                        json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": props}),
                    );
                }
                (ConnectionKind::Invoke { .. }, _) if from.kind() == K::SnsTopic => {
                    self.add(
                        format!("{id}{sid}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(id, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "sns.amazonaws.com", "SourceArn": r(&sid)}}),
                    );
                    self.add(
                        format!("{id}{sid}Subscription"),
                        json!({"Type": "AWS::SNS::Subscription", "Properties": {
                            "TopicArn": r(&sid), "Protocol": "lambda", "Endpoint": ga(id, "Arn")}}),
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }

    // --- API Gateway -----------------------------------------------------

    /// An HTTP API's VPC link into the private subnets, with a security
    /// group of its own (the balancers accept their listener ports from the
    /// VPC); `None` when the API reaches no load balancer.
    fn vpc_link(&mut self, api: &Component, id: &str, needed: bool) -> Option<String> {
        if !needed {
            return None;
        }
        let link = format!("{id}VpcLink");
        let sg = format!("{link}SecurityGroup");
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("VPC link of {}", api.name), "VpcId": self.vpc_id()}}),
        );
        self.add(
            link.clone(),
            json!({"Type": "AWS::ApiGatewayV2::VpcLink", "Properties": {
                "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&api.name))),
                "SubnetIds": self.subnets(false), "SecurityGroupIds": [r(&sg)]}}),
        );
        Some(link)
    }

    /// A REST API's resources for `path` (`/a/{proxy+}`), named after the
    /// API and the target they lead to, each under the one before; returns
    /// the last one's logical id.
    fn rest_resources(&mut self, api: &str, target: &str, path: &str) -> String {
        let mut parent = ga(api, "RootResourceId");
        let mut resource = String::new();
        for part in path.trim_start_matches('/').split('/') {
            let name = if part == "{proxy+}" {
                "Proxy".to_string()
            } else {
                camel(part)
            };
            resource = format!("{api}{target}{name}Resource");
            if !self.resources.contains_key(&resource) {
                self.add(
                    resource.clone(),
                    json!({"Type": "AWS::ApiGateway::Resource", "Properties": {
                        "RestApiId": r(api), "ParentId": parent, "PathPart": part}}),
                );
            }
            parent = r(&resource);
        }
        resource
    }

    /// A REST API method `{api}{target}Method` on a resource, behind the
    /// API's Cognito authorizer when it has one, with `rest` (its
    /// integration and what goes with it) after those; returns its logical
    /// id for the deployment to wait on.
    fn rest_method(
        &mut self,
        api: &str,
        target: &str,
        resource: &str,
        http_method: &str,
        authorized: bool,
        rest: Value,
    ) -> Value {
        let method = format!("{api}{target}Method");
        let mut props = json!({
            "RestApiId": r(api), "ResourceId": r(resource), "HttpMethod": http_method,
            "AuthorizationType": if authorized { "COGNITO_USER_POOLS" } else { "NONE" }});
        if authorized {
            props["AuthorizerId"] = r(&format!("{api}Authorizer"));
        }
        if let (Value::Object(props), Value::Object(rest)) = (&mut props, rest) {
            props.extend(rest);
        }
        self.add(
            method.clone(),
            json!({"Type": "AWS::ApiGateway::Method", "Properties": props}),
        );
        json!(method)
    }

    /// An HTTP API route `{api}{target}Route` for `key` (`ANY /path`) to
    /// an integration, behind the API's JWT authorizer when it has one;
    /// returns its logical id for the stage to wait on.
    fn http_route(
        &mut self,
        api: &str,
        target: &str,
        key: String,
        integration: &str,
        authorized: bool,
    ) -> Value {
        let route = format!("{api}{target}Route");
        let mut props = json!({
            "ApiId": r(api), "RouteKey": key,
            "Target": sub(&format!("integrations/${{{integration}}}"))});
        if authorized {
            props["AuthorizationType"] = json!("JWT");
            props["AuthorizerId"] = r(&format!("{api}Authorizer"));
        }
        self.add(
            route.clone(),
            json!({"Type": "AWS::ApiGatewayV2::Route", "Properties": props}),
        );
        json!(route)
    }

    /// A REST API's VPC link to one NLB (a REST VPC link has exactly one
    /// target).
    fn rest_vpc_link(&mut self, api: &Component, id: &str, b: &Balancer) -> String {
        let link = format!("{id}{}VpcLink", b.id);
        self.add(
            link.clone(),
            json!({"Type": "AWS::ApiGateway::VpcLink", "Properties": {
                "Name": sub(&format!("${{AWS::StackName}}-{}-{}", kebab(&api.name), kebab(&b.id))),
                "TargetArns": [r(&b.id)]}}),
        );
        link
    }

    /// The logical id of the listener an integration reaches a load
    /// balancer through: its first, when it is exported (an ALB's always
    /// is; an NLB's only when the NLB routes somewhere).
    fn lb_listener(&self, lb: &Component) -> Option<(String, u16)> {
        let (Props::Alb(p) | Props::Nlb(p)) = &lb.props else {
            return None;
        };
        let first = p.listeners.first()?;
        let routes = self
            .d
            .outgoing(&lb.id)
            .iter()
            .any(|(conn, _)| matches!(conn.kind, ConnectionKind::Route { .. }));
        (lb.kind() == K::Alb || routes).then(|| {
            (
                format!("{}Listener{}", self.id(&lb.id), first.port),
                first.port,
            )
        })
    }

    /// The role API Gateway takes for its service integrations, allowed
    /// only to send to those queues, topics and streams; `None` without any.
    fn integration_role(&mut self, id: &str, services: &[ServiceTarget]) -> Option<String> {
        if services.is_empty() {
            return None;
        }
        let role = format!("{id}IntegrationRole");
        let statements: Vec<Value> = services
            .iter()
            .map(|t| match t.kind {
                K::SnsTopic => statement(&["sns:Publish"], vec![r(&t.id)]),
                K::KinesisStream => statement(&["kinesis:PutRecord"], vec![ga(&t.id, "Arn")]),
                _ => statement(&["sqs:SendMessage"], vec![ga(&t.id, "Arn")]),
            })
            .collect();
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("apigateway.amazonaws.com"),
                "Policies": [{"PolicyName": "service-integrations", "PolicyDocument": {"Version": "2012-10-17",
                    "Statement": statements}}]}}),
        );
        Some(role)
    }

    /// An HTTP API's JWT settings for a Cognito user pool: the pool's
    /// issuer URL, and as audience an app client made for this API (its id
    /// is an output, for the API's callers). `issuer` and `audience` are
    /// the key names, which SAM spells in lower case.
    fn jwt_configuration(
        &mut self,
        api: &Component,
        id: &str,
        pool: &str,
        issuer: &str,
        audience: &str,
    ) -> Value {
        let client = format!("{id}UserPoolClient");
        self.add(
            client.clone(),
            json!({"Type": "AWS::Cognito::UserPoolClient", "Properties": {
                "UserPoolId": r(pool),
                "ClientName": sub(&format!("${{AWS::StackName}}-{}", kebab(&api.name))),
                "GenerateSecret": false,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "PreventUserExistenceErrors": "ENABLED"}}),
        );
        self.outputs.insert(
            format!("{client}Id"),
            json!({"Description": format!("Cognito app client whose tokens {} accepts", api.name),
                "Value": r(&client)}),
        );
        json!({
            issuer: sub(&format!("https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{pool}}}")),
            audience: [r(&client)],
        })
    }

    fn api(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::ApiGatewayProps,
    ) -> Result<(), ExportError> {
        let authorizer = self
            .d
            .incoming(&c.id)
            .into_iter()
            .find(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Authorizes) && from.kind() == K::Cognito
            })
            .map(|(_, from)| self.id(&from.id));
        let functions: Vec<&Component> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter(|(_, to)| to.kind() == K::LambdaFunction)
            .filter_map(|(_, to)| self.d.component(&to.id))
            .collect();
        // Queues, topics and streams: AWS service integrations that pass
        // the request body on, through a role allowed only that.
        let services: Vec<ServiceTarget> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter_map(|(_, to)| {
                let fits = match &to.props {
                    Props::SqsQueue(_) | Props::KinesisStream(_) => true,
                    Props::SnsTopic(t) => p.api_type == ApiType::Rest && !t.fifo,
                    _ => false,
                };
                fits.then(|| ServiceTarget {
                    id: self.id(&to.id),
                    path: format!("/{}", kebab(&to.name)),
                    kind: to.kind(),
                })
            })
            .collect();
        // Load balancers behind an HTTP API: private integrations through a
        // VPC link to the balancer's first listener.
        let mut balancers: Vec<Balancer> = Vec::new();
        let lb_targets = self
            .d
            .outgoing(&c.id)
            .iter()
            .filter(|(_, to)| matches!(to.kind(), K::Alb | K::Nlb))
            .count();
        for (_, to) in self.d.outgoing(&c.id) {
            let lb = matches!(to.kind(), K::Alb | K::Nlb);
            // An HTTP API's VPC link reaches either kind; a REST API's only
            // an NLB.
            let reachable = p.api_type == ApiType::Http || to.kind() == K::Nlb;
            let listener = self.lb_listener(to).filter(|_| lb && reachable);
            if let Some((listener, port)) = listener {
                let path = if functions.is_empty() && lb_targets == 1 {
                    "/{proxy+}".to_string()
                } else {
                    format!("/{}/{{proxy+}}", kebab(&to.name))
                };
                balancers.push(Balancer {
                    id: self.id(&to.id),
                    listener,
                    port,
                    path,
                });
            } else if lb && !reachable {
                self.notes.push(format!(
                    "{} -> {}: a REST API reaches a load balancer only through a VPC link to an NLB; put an NLB in front of the ALB, or make {} an HTTP API, to have it exported",
                    c.name, to.name, c.name
                ));
            } else if lb {
                self.notes.push(format!(
                    "{} -> {}: the load balancer has no listener with a target; add the integration by hand",
                    c.name, to.name
                ));
            } else if to.kind() == K::SnsTopic && !services.iter().any(|t| t.id == self.id(&to.id))
            {
                self.notes.push(format!(
                    "{} -> {}: {}; add this integration by hand",
                    c.name,
                    to.name,
                    if p.api_type == ApiType::Http {
                        "HTTP APIs have no SNS integration (a REST API has)"
                    } else {
                        "a FIFO topic needs a message group id"
                    }
                ));
            } else if !matches!(
                to.kind(),
                K::LambdaFunction | K::SqsQueue | K::KinesisStream | K::SnsTopic
            ) {
                self.notes.push(format!(
                    "{} -> {}: only Lambda, SQS, SNS, Kinesis and (HTTP API) load balancer integrations are exported; add this integration by hand",
                    c.name, to.name
                ));
            }
        }
        let link = self.vpc_link(c, id, p.api_type == ApiType::Http && !balancers.is_empty());
        let role = self.integration_role(id, &services);
        let stage = &p.stage_name;
        match (self.sam(), p.api_type) {
            (true, ApiType::Rest) => {
                let mut props = json!({
                    "StageName": stage,
                    "TracingEnabled": p.tracing,
                    "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*",
                        "ThrottlingRateLimit": p.throttle_rate_rps, "ThrottlingBurstLimit": p.throttle_burst}]
                });
                if let Some(pool) = &authorizer {
                    props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer", "Authorizers": {
                        "CognitoAuthorizer": {"UserPoolArn": ga(pool, "Arn")}}});
                }
                let secured = |mut op: Value| {
                    if authorizer.is_some() {
                        op["security"] = json!([{"CognitoAuthorizer": []}]);
                    }
                    op
                };
                let mut paths = Map::new();
                if let Some(role) = &role {
                    for t in &services {
                        let post = json!({
                            "consumes": ["application/json"],
                            "responses": {"200": {"description": "accepted"}},
                            "x-amazon-apigateway-integration": rest_service_integration(t, role, true)});
                        paths.insert(t.path.clone(), json!({"post": secured(post)}));
                    }
                }
                for b in &balancers {
                    let link = self.rest_vpc_link(c, id, b);
                    let any = json!({
                        "parameters": [{"name": "proxy", "in": "path", "required": true, "type": "string"}],
                        "responses": {},
                        "x-amazon-apigateway-integration": {
                            "type": "http_proxy", "httpMethod": "ANY", "uri": rest_lb_uri(b),
                            "connectionType": "VPC_LINK", "connectionId": r(&link),
                            "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                            "passthroughBehavior": "when_no_match"}});
                    paths.insert(
                        b.path.clone(),
                        json!({"x-amazon-apigateway-any-method": secured(any)}),
                    );
                }
                if !paths.is_empty() {
                    props["DefinitionBody"] = json!({"swagger": "2.0",
                        "info": {"title": sub("${AWS::StackName}"), "version": "1.0"},
                        "paths": paths});
                    // Without this SAM leaves the functions' paths out of a
                    // REST API that has a definition.
                    props["MergeDefinitions"] = json!(true);
                }
                self.add(
                    id.into(),
                    json!({"Type": "AWS::Serverless::Api", "Properties": props}),
                );
            }
            (true, ApiType::Http) => {
                let mut props = json!({
                    "DefaultRouteSettings": {"ThrottlingRateLimit": p.throttle_rate_rps, "ThrottlingBurstLimit": p.throttle_burst}});
                if let Some(pool) = &authorizer {
                    let jwt = self.jwt_configuration(c, id, pool, "issuer", "audience");
                    props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer", "Authorizers": {
                        "CognitoAuthorizer": {"IdentitySource": "$request.header.Authorization",
                            "JwtConfiguration": jwt}}});
                }
                let mut paths = Map::new();
                let secured = |mut op: Value| {
                    if authorizer.is_some() {
                        op["security"] = json!([{"CognitoAuthorizer": []}]);
                    }
                    op
                };
                if let Some(role) = &role {
                    for t in &services {
                        let (subtype, parameters) = http_service_integration(t);
                        let post = json!({
                            "responses": {"200": {"description": "accepted"}},
                            "x-amazon-apigateway-integration": {
                                "type": "aws_proxy", "integrationSubtype": subtype,
                                "connectionType": "INTERNET", "payloadFormatVersion": "1.0",
                                "credentials": ga(role, "Arn"), "requestParameters": parameters}});
                        paths.insert(t.path.clone(), json!({"post": secured(post)}));
                    }
                }
                if let Some(link) = &link {
                    for Balancer { listener, path, .. } in &balancers {
                        let any = json!({
                            "responses": {"default": {"description": "the load balancer's answer"}},
                            "x-amazon-apigateway-integration": {
                                "type": "http_proxy", "httpMethod": "ANY", "uri": r(listener),
                                "connectionType": "VPC_LINK", "connectionId": r(link),
                                "payloadFormatVersion": "1.0"}});
                        paths.insert(
                            path.clone(),
                            json!({"x-amazon-apigateway-any-method": secured(any)}),
                        );
                    }
                }
                if !paths.is_empty() {
                    props["DefinitionBody"] = json!({"openapi": "3.0.1",
                        "info": {"title": sub("${AWS::StackName}"), "version": "1.0"},
                        "paths": paths});
                }
                self.add(
                    id.into(),
                    json!({"Type": "AWS::Serverless::HttpApi", "Properties": props}),
                );
            }
            (false, ApiType::Rest) => {
                self.add(
                    id.into(),
                    json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {
                        "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name)))}}),
                );
                if let Some(pool) = &authorizer {
                    self.add(
                        format!("{id}Authorizer"),
                        json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": {
                            "Name": "CognitoAuthorizer", "RestApiId": r(id), "Type": "COGNITO_USER_POOLS",
                            "IdentitySource": "method.request.header.Authorization",
                            "ProviderARNs": [ga(pool, "Arn")]}}),
                    );
                }
                let mut methods = Vec::new();
                let authorized = authorizer.is_some();
                for f in &functions {
                    let fid = self.id(&f.id);
                    let path = self.api_path(&c.id, f);
                    let resource = self.rest_resources(id, &fid, &path);
                    let integration = json!({"Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                        "Uri": sub(&format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{fid}.Arn}}/invocations"))}});
                    methods.push(self.rest_method(
                        id,
                        &fid,
                        &resource,
                        "ANY",
                        authorized,
                        integration,
                    ));
                    self.add(
                        format!("{fid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "apigateway.amazonaws.com",
                            "SourceArn": sub(&format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}/*"))}}),
                    );
                }
                for t in &services {
                    let Some(role) = &role else { break };
                    // `/target-name`: named after the path alone.
                    let resource = self.rest_resources(id, "", &t.path);
                    let integration = json!({
                        "Integration": rest_service_integration(t, role, false),
                        "MethodResponses": [{"StatusCode": "200"}]});
                    methods.push(self.rest_method(
                        id,
                        &t.id,
                        &resource,
                        "POST",
                        authorized,
                        integration,
                    ));
                }
                for b in &balancers {
                    let link = self.rest_vpc_link(c, id, b);
                    let resource = self.rest_resources(id, &b.id, &b.path);
                    let integration = json!({
                        "RequestParameters": {"method.request.path.proxy": true},
                        "Integration": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "ANY",
                            "Uri": rest_lb_uri(b), "ConnectionType": "VPC_LINK", "ConnectionId": r(&link),
                            "RequestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                            "PassthroughBehavior": "WHEN_NO_MATCH"}});
                    methods.push(self.rest_method(
                        id,
                        &b.id,
                        &resource,
                        "ANY",
                        authorized,
                        integration,
                    ));
                }
                let mut deployment = json!({"Type": "AWS::ApiGateway::Deployment"});
                if !methods.is_empty() {
                    deployment["DependsOn"] = Value::Array(methods);
                }
                deployment["Properties"] = json!({"RestApiId": r(id)});
                self.add(format!("{id}Deployment"), deployment);
                self.add(
                    format!("{id}Stage"),
                    json!({"Type": "AWS::ApiGateway::Stage", "Properties": {
                        "RestApiId": r(id), "DeploymentId": r(&format!("{id}Deployment")), "StageName": stage,
                        "TracingEnabled": p.tracing,
                        "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*",
                            "ThrottlingRateLimit": p.throttle_rate_rps, "ThrottlingBurstLimit": p.throttle_burst}]}}),
                );
            }
            (false, ApiType::Http) => {
                self.add(
                    id.into(),
                    json!({"Type": "AWS::ApiGatewayV2::Api", "Properties": {
                        "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))), "ProtocolType": "HTTP"}}),
                );
                if let Some(pool) = &authorizer {
                    let jwt = self.jwt_configuration(c, id, pool, "Issuer", "Audience");
                    self.add(
                        format!("{id}Authorizer"),
                        json!({"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": {
                            "ApiId": r(id), "Name": "CognitoAuthorizer", "AuthorizerType": "JWT",
                            "IdentitySource": ["$request.header.Authorization"],
                            "JwtConfiguration": jwt}}),
                    );
                }
                let mut routes = Vec::new();
                for f in &functions {
                    let fid = self.id(&f.id);
                    let integration = format!("{id}{fid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "AWS_PROXY",
                            "IntegrationUri": ga(&fid, "Arn"), "PayloadFormatVersion": "2.0"}}),
                    );
                    let key = format!("ANY {}", self.api_path(&c.id, f));
                    routes.push(self.http_route(id, &fid, key, &integration, authorizer.is_some()));
                    self.add(
                        format!("{fid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "apigateway.amazonaws.com",
                            "SourceArn": sub(&format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}/*"))}}),
                    );
                }
                for t in &services {
                    let Some(role) = &role else { break };
                    let (qid, path) = (&t.id, &t.path);
                    let (subtype, parameters) = http_service_integration(t);
                    let integration = format!("{id}{qid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "AWS_PROXY",
                            "IntegrationSubtype": subtype, "PayloadFormatVersion": "1.0",
                            "CredentialsArn": ga(role, "Arn"), "RequestParameters": parameters}}),
                    );
                    let key = format!("POST {path}");
                    routes.push(self.http_route(id, qid, key, &integration, authorizer.is_some()));
                }
                for Balancer {
                    id: lbid,
                    listener,
                    path,
                    ..
                } in &balancers
                {
                    let Some(link) = &link else { break };
                    let integration = format!("{id}{lbid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "HTTP_PROXY", "IntegrationMethod": "ANY",
                            "ConnectionType": "VPC_LINK", "ConnectionId": r(link),
                            "IntegrationUri": r(listener), "PayloadFormatVersion": "1.0"}}),
                    );
                    let key = format!("ANY {path}");
                    routes.push(self.http_route(id, lbid, key, &integration, authorizer.is_some()));
                }
                let mut stage_res = json!({"Type": "AWS::ApiGatewayV2::Stage"});
                if !routes.is_empty() {
                    stage_res["DependsOn"] = Value::Array(routes);
                }
                stage_res["Properties"] = json!({"ApiId": r(id), "StageName": "$default", "AutoDeploy": true,
                    "DefaultRouteSettings": {"ThrottlingRateLimit": p.throttle_rate_rps, "ThrottlingBurstLimit": p.throttle_burst}});
                self.add(format!("{id}Stage"), stage_res);
            }
        }
        let url = match p.api_type {
            ApiType::Rest => format!(
                "https://${{{id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}/"
            ),
            ApiType::Http => {
                format!("https://${{{id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/")
            }
        };
        self.outputs.insert(
            format!("{id}Url"),
            json!({"Description": format!("Endpoint of {}", c.name), "Value": sub(&url)}),
        );
        Ok(())
    }

    // --- EventBridge -----------------------------------------------------

    fn rule(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::EventBridgeRuleProps,
    ) -> Result<(), ExportError> {
        if self.rule_embedded(&c.id) {
            return Ok(());
        }
        let mut props = Map::new();
        if p.event_pattern.is_empty() {
            props.insert("ScheduleExpression".into(), json!(p.schedule));
        } else {
            props.insert("EventPattern".into(), pattern(c, &p.event_pattern)?);
            if p.event_bus != "default" {
                props.insert("EventBusName".into(), json!(p.event_bus));
            }
        }
        props.insert("State".into(), json!("ENABLED"));
        let mut targets = Vec::new();
        for (_, to) in self.d.outgoing(&c.id) {
            let tid = self.id(&to.id);
            match to.kind() {
                K::LambdaFunction => {
                    targets.push(json!({"Id": tid, "Arn": ga(&tid, "Arn")}));
                    self.add(
                        format!("{tid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&tid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "events.amazonaws.com", "SourceArn": ga(id, "Arn")}}),
                    );
                }
                K::SqsQueue => {
                    targets.push(json!({"Id": tid, "Arn": ga(&tid, "Arn")}));
                    // The queue must let exactly this rule send to it.
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                            "Queues": [r(&tid)],
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage", "Resource": ga(&tid, "Arn"),
                                "Condition": {"ArnEquals": {"aws:SourceArn": ga(id, "Arn")}}}]}}}),
                    );
                }
                K::SnsTopic => {
                    targets.push(json!({"Id": tid, "Arn": r(&tid)}));
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {
                            "Topics": [r(&tid)],
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sns:Publish", "Resource": r(&tid),
                                "Condition": {"ArnEquals": {"aws:SourceArn": ga(id, "Arn")}}}]}}}),
                    );
                }
                K::KinesisStream => {
                    // Kinesis targets need a role the rule assumes.
                    let role = format!("{id}To{tid}Role");
                    self.add(
                        role.clone(),
                        json!({"Type": "AWS::IAM::Role", "Properties": {
                            "AssumeRolePolicyDocument": trust("events.amazonaws.com"),
                            "Policies": [{"PolicyName": format!("{id}PutRecords"), "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [statement(&["kinesis:PutRecord", "kinesis:PutRecords"], vec![ga(&tid, "Arn")])]}}]}}),
                    );
                    targets.push(
                        json!({"Id": tid, "Arn": ga(&tid, "Arn"), "RoleArn": ga(&role, "Arn"),
                        "KinesisParameters": {"PartitionKeyPath": "$.id"}}),
                    );
                }
                _ => self.notes.push(format!(
                    "{} -> {}: this rule target is not exported",
                    c.name, to.name
                )),
            }
        }
        if !targets.is_empty() {
            props.insert("Targets".into(), Value::Array(targets));
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::Events::Rule", "Properties": props}),
        );
        Ok(())
    }

    // --- ECS -------------------------------------------------------------

    fn cluster_members(&self, cluster: &str) -> Vec<&'a Component> {
        self.d
            .group_owned_by(cluster)
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|m| self.d.component(m))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn capacity_provider_name(&self, c: &Component) -> Value {
        match c.kind() {
            K::Fargate => json!("FARGATE"),
            K::FargateSpot => json!("FARGATE_SPOT"),
            _ => r(&format!("{}CapacityProvider", self.id(&c.id))),
        }
    }

    fn cluster(&mut self, c: &Component, id: &str, insights: bool) {
        self.add(
            id.into(),
            json!({"Type": "AWS::ECS::Cluster", "Properties": {
                "ClusterSettings": [{"Name": "containerInsights", "Value": if insights { "enabled" } else { "disabled" }}]}}),
        );
        let mut providers: Vec<&Component> = self
            .cluster_members(&c.id)
            .into_iter()
            .filter(|m| m.kind().is_ecs_capacity())
            .collect();
        // Capacity reached only through services' RunsOn connections.
        for m in self.cluster_members(&c.id) {
            for (conn, to) in self.d.outgoing(&m.id) {
                if matches!(conn.kind, ConnectionKind::RunsOn { .. })
                    && to.kind().is_ecs_capacity()
                    && !providers.iter().any(|p| p.id == to.id)
                    && let Some(t) = self.d.component(&to.id)
                {
                    providers.push(t);
                }
            }
        }
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        if providers.is_empty() {
            return;
        }
        let names: Vec<Value> = providers
            .iter()
            .map(|p| self.capacity_provider_name(p))
            .collect();
        // The `Ref`s to EC2 capacity providers order their creation.
        let mut res = json!({"Type": "AWS::ECS::ClusterCapacityProviderAssociations"});
        res["Properties"] = json!({
            "Cluster": r(id),
            "CapacityProviders": names,
            "DefaultCapacityProviderStrategy": [{"CapacityProvider": names[0], "Weight": 1}]
        });
        self.add(format!("{id}CapacityProviders"), res);
    }

    fn cluster_of(&self, member: &str) -> Option<&'a Component> {
        self.d
            .cluster_of(member)
            .and_then(|c| self.d.component(&c.id))
    }

    fn ec2_capacity(&mut self, c: &Component, id: &str) -> Result<(), ExportError> {
        let Props::Ec2AutoScalingGroup(p) = &c.props else {
            return Ok(());
        };
        let cluster = self
            .cluster_of(&c.id)
            .or_else(|| {
                // Capacity outside a cluster group: the cluster of a service
                // that runs on it.
                self.d
                    .incoming(&c.id)
                    .into_iter()
                    .find_map(|(_, s)| self.cluster_of(&s.id))
            })
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message:
                    "EC2 capacity must belong to an ECS cluster (put it in the cluster's group)"
                        .into(),
            })?;
        let cid = self.id(&cluster.id);
        let gpu = self.d.incoming(&c.id).iter().any(|(_, s)| {
            self.task_of(&s.id)
                .is_some_and(|t| matches!(&t.props, Props::TaskDefinition(td) if td.gpus() > 0))
        });
        let ami_param = format!("{id}AmiId");
        self.params.insert(
            ami_param.clone(),
            json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Description": format!("ECS-optimised AMI for {}", c.name),
                "Default": if gpu { "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id" } else { "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }}),
        );
        // The instance role holds only what the ECS agent needs.
        let role_comp = self.assumed_role(&c.id, RolePurpose::InstanceRole);
        let role = role_comp
            .map(|r| self.id(&r.id))
            .unwrap_or_else(|| format!("{id}InstanceRole"));
        if !self.resources.contains_key(&role) {
            let mut arns = vec![
                managed("service-role/AmazonEC2ContainerServiceforEC2Role"),
                managed("AmazonSSMManagedInstanceCore"),
            ];
            arns.extend(self.role_extra_managed(role_comp));
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": trust("ec2.amazonaws.com"), "ManagedPolicyArns": arns}}),
            );
            self.add(
                format!("{role}InstanceProfile"),
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r(&role)]}}),
            );
        }
        let sg = format!("{cid}InstanceSecurityGroup");
        if !self.resources.contains_key(&sg) {
            self.add(
                sg.clone(),
                json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": format!("Container instances of {}", cluster.name),
                    "VpcId": self.vpc_id()}}),
            );
        }
        let mut user_data =
            format!("#!/bin/bash\necho ECS_CLUSTER=${{{cid}}} >> /etc/ecs/ecs.config\n");
        if p.awsvpc_trunking {
            user_data.push_str("echo ECS_ENABLE_TASK_ENI=true >> /etc/ecs/ecs.config\n");
        }
        let lt = format!("{id}LaunchTemplate");
        let mut data = json!({
            "ImageId": r(&ami_param),
            "InstanceType": p.instance_type,
            "IamInstanceProfile": {"Arn": ga(&format!("{role}InstanceProfile"), "Arn")},
            "SecurityGroupIds": [r(&sg)],
            "MetadataOptions": {"HttpTokens": "required"},
            "UserData": {"Fn::Base64": sub(&user_data)}
        });
        if p.spot {
            data["InstanceMarketOptions"] = json!({"MarketType": "spot"});
        }
        self.add(
            lt.clone(),
            json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data}}),
        );
        let asg = format!("{id}AutoScalingGroup");
        let mut asg_props = json!({
            "MinSize": p.min_size.to_string(),
            "MaxSize": p.max_size.to_string(),
            "VPCZoneIdentifier": self.subnets(false),
            "LaunchTemplate": {"LaunchTemplateId": r(&lt), "Version": ga(&lt, "LatestVersionNumber")},
        });
        if !p.managed_scaling {
            asg_props["DesiredCapacity"] = json!(p.desired_capacity.to_string());
        }
        if p.managed_termination_protection {
            asg_props["NewInstancesProtectedFromScaleIn"] = json!(true);
        }
        asg_props["Tags"] = json!([{"Key": "Name", "Value": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))), "PropagateAtLaunch": true}]);
        self.add(
            asg.clone(),
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": asg_props}),
        );
        let mut provider = json!({"AutoScalingGroupArn": r(&asg)});
        if p.managed_scaling {
            provider["ManagedScaling"] = json!({
                "Status": "ENABLED",
                "TargetCapacity": p.target_capacity_percent,
                "MinimumScalingStepSize": p.minimum_scaling_step,
                "MaximumScalingStepSize": p.maximum_scaling_step,
                "InstanceWarmupPeriod": p.instance_warmup_s});
        } else {
            provider["ManagedScaling"] = json!({"Status": "DISABLED"});
        }
        provider["ManagedTerminationProtection"] = json!(if p.managed_termination_protection {
            "ENABLED"
        } else {
            "DISABLED"
        });
        self.add(
            format!("{id}CapacityProvider"),
            json!({"Type": "AWS::ECS::CapacityProvider", "Properties": {"AutoScalingGroupProvider": provider}}),
        );
        Ok(())
    }

    fn task_of(&self, service: &str) -> Option<&'a Component> {
        self.d
            .outgoing(service)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::RunsTask) && to.kind() == K::TaskDefinition
            })
            .and_then(|(_, to)| self.d.component(&to.id))
    }

    fn services_of_task(&self, task: &str) -> Vec<&'a Component> {
        self.d
            .incoming(task)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::RunsTask))
            .filter_map(|(_, s)| self.d.component(&s.id))
            .collect()
    }

    fn on_fargate(&self, service: &str) -> bool {
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

    fn image_of(&self, owner: &str, image: &str) -> Value {
        let repo = self
            .d
            .outgoing(owner)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::PullsImage) && to.kind() == K::EcrRepository
            })
            .map(|(_, to)| self.id(&to.id));
        match repo {
            Some(repo) => sub(&format!("${{{repo}.RepositoryUri}}:${{ImageTag}}")),
            None => json!(image),
        }
    }

    fn task_definition(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
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

    /// The load balancers routing to `target`, with their route
    /// connections.
    fn routes_to(&self, target: &str) -> Vec<(&'a archsim_model::Connection, &'a Component)> {
        self.d
            .incoming(target)
            .into_iter()
            .filter(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Route { .. })
                    && matches!(from.kind(), K::Alb | K::Nlb)
            })
            .filter_map(|(conn, from)| {
                Some((self.d.connection(&conn.id)?, self.d.component(&from.id)?))
            })
            .collect()
    }

    fn service(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::EcsService(p) = &c.props else {
            return Ok(());
        };
        let cluster = self
            .cluster_of(&c.id)
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message: "an ECS service must belong to a cluster (put it in the cluster's group)"
                    .into(),
            })?;
        let cid = self.id(&cluster.id);
        let task = self.task_of(&c.id).ok_or_else(|| ExportError::Component {
            component: c.id.clone(),
            message: "an ECS service needs a task definition (a runs-task connection)".into(),
        })?;
        let tid = self.id(&task.id);
        let Props::TaskDefinition(td) = &task.props else {
            return Ok(());
        };
        let fargate = self.on_fargate(&c.id);
        let mut props = Map::new();
        props.insert("Cluster".into(), r(&cid));
        props.insert("TaskDefinition".into(), r(&tid));
        props.insert("DesiredCount".into(), json!(p.desired_count));
        let runs_on: Vec<_> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter_map(|(conn, to)| match conn.kind {
                ConnectionKind::RunsOn { weight, base } if to.kind().is_ecs_capacity() => {
                    Some((self.capacity_provider_name(to), weight, base))
                }
                _ => None,
            })
            .collect();
        let mut depends = Vec::new();
        if runs_on.is_empty() {
            props.insert(
                "LaunchType".into(),
                json!(if fargate { "FARGATE" } else { "EC2" }),
            );
        } else {
            let strategy: Vec<Value> = runs_on
                .iter()
                .map(|(name, weight, base)| {
                    let mut s = json!({"CapacityProvider": name, "Weight": weight});
                    if *base > 0 {
                        s["Base"] = json!(base);
                    }
                    s
                })
                .collect();
            props.insert("CapacityProviderStrategy".into(), Value::Array(strategy));
            depends.push(json!(format!("{cid}CapacityProviders")));
        }
        props.insert(
            "DeploymentConfiguration".into(),
            json!({"MinimumHealthyPercent": p.min_healthy_percent, "MaximumPercent": p.max_percent,
                "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}}),
        );
        if !fargate {
            let strategies: Vec<Value> = p
                .placement_strategies
                .iter()
                .map(|s| {
                    let mut v = json!({"Type": match s.kind { PlacementStrategyType::Binpack => "binpack", PlacementStrategyType::Spread => "spread", PlacementStrategyType::Random => "random" }});
                    if !s.field.is_empty() && s.kind != PlacementStrategyType::Random {
                        v["Field"] = json!(s.field);
                    }
                    v
                })
                .collect();
            if !strategies.is_empty() {
                props.insert("PlacementStrategies".into(), Value::Array(strategies));
            }
            let constraints: Vec<Value> = p
                .placement_constraints
                .iter()
                .map(|pc| match pc.kind {
                    PlacementConstraintType::DistinctInstance => {
                        json!({"Type": "distinctInstance"})
                    }
                    PlacementConstraintType::MemberOf => {
                        json!({"Type": "memberOf", "Expression": pc.expression})
                    }
                })
                .collect();
            if !constraints.is_empty() {
                props.insert("PlacementConstraints".into(), Value::Array(constraints));
            }
        }
        let routes = self.routes_to(&c.id);
        let container = td.containers.iter().find(|ct| !ct.port_mappings.is_empty());
        let mut lbs = Vec::new();
        let sg = format!("{id}SecurityGroup");
        for (conn, lb) in &routes {
            let lbid = self.id(&lb.id);
            let tg = format!("{lbid}{id}TargetGroup");
            let port = match (&conn.kind, container) {
                (
                    ConnectionKind::Route {
                        target_port: Some(p),
                        ..
                    },
                    _,
                ) => *p,
                (_, Some(ct)) => ct.port_mappings[0].container_port,
                _ => 80,
            };
            let name = container.map_or("app".to_string(), |c| c.name.clone());
            let entry =
                json!({"ContainerName": name, "ContainerPort": port, "TargetGroupArn": r(&tg)});
            if !lbs.contains(&entry) {
                lbs.push(entry);
            }
            self.target_group(lb, &tg, &lbid, conn, td.network_mode, port);
            depends.extend(self.listener_wiring(lb, &lbid, conn, &tg));
            if td.network_mode == NetworkMode::Awsvpc {
                self.ingress_from_lb(&sg, &lbid, port, port, &c.name);
            } else {
                let isg = format!("{cid}InstanceSecurityGroup");
                let (from, to) = if td.network_mode == NetworkMode::Bridge {
                    (32768, 65535)
                } else {
                    (port, port)
                };
                self.ingress_from_lb(&isg, &lbid, from, to, &c.name);
            }
        }
        if !lbs.is_empty() {
            props.insert("LoadBalancers".into(), Value::Array(lbs));
            props.insert(
                "HealthCheckGracePeriodSeconds".into(),
                json!(p.health_check_grace_s),
            );
        }
        if td.network_mode == NetworkMode::Awsvpc {
            if !self.resources.contains_key(&sg) {
                self.add(
                    sg.clone(),
                    json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                        "GroupDescription": format!("Tasks of {}; only its load balancers may connect", c.name),
                        "VpcId": self.vpc_id()}}),
                );
            }
            props.insert(
                "NetworkConfiguration".into(),
                json!({"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "SecurityGroups": [r(&sg)], "Subnets": self.subnets(false)}}),
            );
        }
        depends.sort_by_key(|v| v.as_str().map(str::to_string));
        depends.dedup();
        let mut res = json!({"Type": "AWS::ECS::Service"});
        if !depends.is_empty() {
            res["DependsOn"] = Value::Array(depends);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
        if let Some(scaling) = &p.autoscaling {
            self.service_scaling(c, id, &cid, p, scaling, &routes);
        }
        Ok(())
    }

    fn ingress_from_lb(&mut self, sg: &str, lbid: &str, from: u16, to: u16, what: &str) {
        let mut id = format!("{sg}From{lbid}");
        if let Some(existing) = self.resources.get(&id) {
            let p = &existing["Properties"];
            if p["FromPort"] == json!(from) && p["ToPort"] == json!(to) {
                return;
            }
            id = format!("{sg}From{lbid}Port{from}");
            if self.resources.contains_key(&id) {
                return;
            }
        }
        self.add(
            id,
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": r(sg), "IpProtocol": "tcp", "FromPort": from, "ToPort": to,
                "SourceSecurityGroupId": r(&format!("{lbid}SecurityGroup")),
                "Description": format!("{what} from its load balancer")}}),
        );
    }

    fn service_scaling(
        &mut self,
        c: &Component,
        id: &str,
        cid: &str,
        p: &archsim_model::component::EcsServiceProps,
        scaling: &archsim_model::component::ServiceAutoScaling,
        routes: &[(&archsim_model::Connection, &Component)],
    ) {
        let target = format!("{id}ScalableTarget");
        self.add(
            target.clone(),
            json!({"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
                "MinCapacity": p.min_count, "MaxCapacity": p.max_count,
                "ResourceId": sub(&format!("service/${{{cid}}}/${{{id}.Name}}")),
                "ScalableDimension": "ecs:service:DesiredCount", "ServiceNamespace": "ecs"}}),
        );
        for (i, tt) in scaling.target_tracking.iter().enumerate() {
            let mut metric = json!({"PredefinedMetricType": match tt.metric {
                ScalingMetric::CpuUtilization => "ECSServiceAverageCPUUtilization",
                ScalingMetric::MemoryUtilization => "ECSServiceAverageMemoryUtilization",
                ScalingMetric::AlbRequestCountPerTarget => "ALBRequestCountPerTarget",
            }});
            if tt.metric == ScalingMetric::AlbRequestCountPerTarget {
                let Some((_, lb)) = routes.first() else {
                    self.notes.push(format!(
                        "{}: request-count scaling needs a load balancer route; policy skipped",
                        c.name
                    ));
                    continue;
                };
                let lbid = self.id(&lb.id);
                let tg = format!("{lbid}{id}TargetGroup");
                metric["ResourceLabel"] = json!({"Fn::Join": ["/", [ga(&lbid, "LoadBalancerFullName"), ga(&tg, "TargetGroupFullName")]]});
            }
            self.add(
                format!("{id}ScalingPolicy{}", i + 1),
                json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                    "PolicyName": format!("{}-target-tracking-{}", kebab(&c.name), i + 1),
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": r(&target),
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": metric,
                        "TargetValue": tt.target,
                        "ScaleInCooldown": tt.scale_in_cooldown_s,
                        "ScaleOutCooldown": tt.scale_out_cooldown_s}}}),
            );
        }
        for (i, step) in scaling.step.iter().enumerate() {
            let policy = format!("{id}StepScalingPolicy{}", i + 1);
            let adjustments: Vec<Value> = step
                .steps
                .iter()
                .map(|s| json!({"MetricIntervalLowerBound": s.lower_bound, "ScalingAdjustment": s.adjustment}))
                .collect();
            self.add(
                policy.clone(),
                json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                    "PolicyName": format!("{}-step-{}", kebab(&c.name), i + 1),
                    "PolicyType": "StepScaling",
                    "ScalingTargetId": r(&target),
                    "StepScalingPolicyConfiguration": {
                        "AdjustmentType": "ChangeInCapacity", "Cooldown": step.cooldown_s,
                        "MetricAggregationType": "Average", "StepAdjustments": adjustments}}}),
            );
            let metric = match step.metric {
                ScalingMetric::MemoryUtilization => "MemoryUtilization",
                _ => "CPUUtilization",
            };
            self.add(
                format!("{policy}Alarm"),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "Namespace": "AWS/ECS", "MetricName": metric, "Statistic": "Average",
                    "Dimensions": [{"Name": "ClusterName", "Value": r(cid)}, {"Name": "ServiceName", "Value": ga(id, "Name")}],
                    "Period": 60, "EvaluationPeriods": 2, "Threshold": step.alarm_threshold,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "AlarmActions": [r(&policy)]}}),
            );
        }
    }

    // --- load balancing --------------------------------------------------

    fn load_balancer(&mut self, c: &Component, id: &str) -> Result<(), ExportError> {
        let (Props::Alb(p) | Props::Nlb(p)) = &c.props else {
            return Ok(());
        };
        let alb = c.kind() == K::Alb;
        let public = p.scheme == Scheme::InternetFacing;
        let sg = format!("{id}SecurityGroup");
        let ingress: Vec<Value> = p
            .listeners
            .iter()
            .map(|l| {
                let mut rule = json!({"IpProtocol": if l.protocol == ListenerProtocol::Udp { "udp" } else { "tcp" },
                    "FromPort": l.port, "ToPort": l.port});
                if public {
                    rule["CidrIp"] = json!("0.0.0.0/0");
                } else {
                    rule["CidrIp"] = self.vpc_cidr();
                }
                rule
            })
            .collect();
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Load balancer {}", c.name),
                "VpcId": self.vpc_id(), "SecurityGroupIngress": ingress}}),
        );
        let mut attrs = vec![];
        if alb {
            attrs.push(json!({"Key": "idle_timeout.timeout_seconds", "Value": p.idle_timeout_s.to_string()}));
        } else {
            attrs.push(json!({"Key": "load_balancing.cross_zone.enabled", "Value": p.cross_zone.to_string()}));
        }
        let mut props = json!({
            "Type": if alb { "application" } else { "network" },
            "Scheme": if public { "internet-facing" } else { "internal" },
            "Subnets": self.subnets(public),
            "SecurityGroups": [r(&sg)],
            "LoadBalancerAttributes": attrs
        });
        if !alb && !public {
            props["Subnets"] = self.subnets(false);
        }
        let mut res = json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer"});
        if public && self.opts.network == Network::Generated {
            res["DependsOn"] = json!(["VpcGatewayAttachment"]);
        }
        res["Properties"] = props;
        self.add(id.into(), res);
        // Listeners: an ALB answers 404 unless a rule matches; a route
        // without conditions becomes the default action instead.
        let routes: Vec<_> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Route { .. }))
            .collect();
        for l in &p.listeners {
            let default_route = routes.iter().find(|(conn, _)| {
                matches!(&conn.kind, ConnectionKind::Route { conditions, listener_port, .. }
                    if conditions.is_empty() && *listener_port == l.port)
            });
            let action = match default_route {
                Some((_, to)) => {
                    json!([{"Type": "forward", "TargetGroupArn": r(&self.target_group_id(id, to))}])
                }
                None if alb => {
                    json!([{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}])
                }
                None => match routes.first() {
                    Some((_, to)) => {
                        json!([{"Type": "forward", "TargetGroupArn": r(&self.target_group_id(id, to))}])
                    }
                    None => continue,
                },
            };
            let protocol = match l.protocol {
                ListenerProtocol::Http => "HTTP",
                ListenerProtocol::Https => "HTTPS",
                ListenerProtocol::Tcp => "TCP",
                ListenerProtocol::Udp => "UDP",
                ListenerProtocol::Tls => "TLS",
            };
            let mut lprops = json!({"LoadBalancerArn": r(id), "Port": l.port, "Protocol": protocol, "DefaultActions": action});
            if matches!(l.protocol, ListenerProtocol::Https | ListenerProtocol::Tls) {
                let param = format!("{id}CertificateArn");
                self.params.insert(
                    param.clone(),
                    json!({"Type": "String", "Description": format!("ACM certificate for {} port {}", c.name, l.port)}),
                );
                lprops["Certificates"] = json!([{"CertificateArn": r(&param)}]);
            }
            self.add(
                format!("{id}Listener{}", l.port),
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": lprops}),
            );
        }
        self.outputs.insert(
            format!("{id}DnsName"),
            json!({"Description": format!("DNS name of {}", c.name), "Value": ga(id, "DNSName")}),
        );
        // Lambda and EKS targets; ECS services wire their own.
        for (conn, to) in routes {
            let Some(conn) = self.d.connection(&conn.id) else {
                continue;
            };
            match to.kind() {
                K::LambdaFunction => {
                    let tg = self.target_group_id(id, to);
                    let fid = self.id(&to.id);
                    let perm = format!("{fid}{id}Permission");
                    if !self.resources.contains_key(&tg) {
                        self.add(
                            perm.clone(),
                            json!({"Type": "AWS::Lambda::Permission", "Properties": {
                                "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                                "Principal": "elasticloadbalancing.amazonaws.com"}}),
                        );
                        self.add(
                            tg.clone(),
                            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "DependsOn": [perm], "Properties": {
                                "TargetType": "lambda", "Targets": [{"Id": ga(&fid, "Arn")}]}}),
                        );
                    }
                    self.listener_wiring(c, id, conn, &tg);
                }
                K::EksWorkload => {
                    let tg = self.target_group_id(id, to);
                    let port = match &conn.kind {
                        ConnectionKind::Route {
                            target_port: Some(p),
                            ..
                        } => *p,
                        _ => match &to.props {
                            Props::EksWorkload(w) => w.container_port,
                            _ => 80,
                        },
                    };
                    self.target_group(c, &tg, id, conn, NetworkMode::Awsvpc, port);
                    self.listener_wiring(c, id, conn, &tg);
                    self.outputs.insert(
                        format!("{tg}Arn"),
                        json!({"Description": format!("Target group for {} (bind it with a TargetGroupBinding)", to.name), "Value": r(&tg)}),
                    );
                }
                K::EcsService => {}
                K::Ec2Instance => {
                    let tg = self.target_group_id(id, to);
                    let port = match &conn.kind {
                        ConnectionKind::Route {
                            target_port: Some(p),
                            ..
                        } => *p,
                        _ => 80,
                    };
                    let iid = self.id(&to.id);
                    self.target_group(c, &tg, id, conn, NetworkMode::Host, port);
                    if let Some(props) = self
                        .resources
                        .get_mut(&tg)
                        .and_then(|t| t.get_mut("Properties"))
                    {
                        props["Targets"] = json!([{"Id": r(&iid), "Port": port}]);
                    }
                    self.listener_wiring(c, id, conn, &tg);
                    self.ingress_from_lb(&format!("{iid}SecurityGroup"), id, port, port, &to.name);
                }
                _ => self.notes.push(format!(
                    "{} -> {}: this load balancer target is not exported",
                    c.name, to.name
                )),
            }
        }
        Ok(())
    }

    fn target_group_id(&self, lbid: &str, to: &Component) -> String {
        format!("{lbid}{}TargetGroup", self.id(&to.id))
    }

    fn target_group(
        &mut self,
        lb: &Component,
        tg: &str,
        _lbid: &str,
        _conn: &archsim_model::Connection,
        mode: NetworkMode,
        port: u16,
    ) {
        // Several routes from one load balancer to one target share a
        // target group, each with its own rule.
        if self.resources.contains_key(tg) {
            return;
        }
        let (Props::Alb(p) | Props::Nlb(p)) = &lb.props else {
            return;
        };
        let alb = lb.kind() == K::Alb;
        let mut attrs = vec![
            json!({"Key": "deregistration_delay.timeout_seconds", "Value": p.deregistration_delay_s.to_string()}),
        ];
        if alb {
            if p.slow_start_s > 0 {
                attrs.push(json!({"Key": "slow_start.duration_seconds", "Value": p.slow_start_s.to_string()}));
            }
            attrs.push(
                json!({"Key": "load_balancing.algorithm.type", "Value": match p.algorithm {
                    LbAlgorithm::RoundRobin => "round_robin",
                    LbAlgorithm::LeastOutstandingRequests => "least_outstanding_requests",
                    LbAlgorithm::WeightedRandom => "weighted_random",
                }}),
            );
        }
        let mut props = json!({
            "TargetType": if mode == NetworkMode::Awsvpc { "ip" } else { "instance" },
            "Port": port,
            "Protocol": if alb { "HTTP" } else { "TCP" },
            "VpcId": self.vpc_id(),
            // Dynamic host ports (bridge mode) need health checks on the
            // port traffic goes to.
            "HealthCheckPort": "traffic-port",
            "HealthCheckIntervalSeconds": p.health_check.interval_s,
            "HealthyThresholdCount": p.health_check.healthy_threshold,
            "UnhealthyThresholdCount": p.health_check.unhealthy_threshold,
        });
        if alb {
            props["HealthCheckPath"] = json!(p.health_check.path);
            props["HealthCheckTimeoutSeconds"] = json!(p.health_check.timeout_s);
        }
        props["TargetGroupAttributes"] = Value::Array(attrs);
        self.add(
            tg.into(),
            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props}),
        );
    }

    /// A listener rule for a routed connection with conditions; returns the
    /// ids a service must wait for.
    fn listener_wiring(
        &mut self,
        lb: &Component,
        lbid: &str,
        conn: &archsim_model::Connection,
        tg: &str,
    ) -> Vec<Value> {
        let ConnectionKind::Route {
            priority,
            conditions,
            listener_port,
            ..
        } = &conn.kind
        else {
            return Vec::new();
        };
        let listener = format!("{lbid}Listener{listener_port}");
        if conditions.is_empty() || lb.kind() == K::Nlb {
            return vec![json!(listener)];
        }
        let priority = priority.unwrap_or_else(|| {
            // Unnumbered rules follow the numbered ones, in connection order.
            let routes = self.d.outgoing(&lb.id);
            let index = routes
                .iter()
                .position(|(c, _)| c.id == conn.id)
                .unwrap_or(0);
            1000 + index as u32
        });
        let conds: Vec<Value> = conditions
            .iter()
            .map(|cond| match cond.field {
                ConditionField::PathPattern => json!({"Field": "path-pattern", "PathPatternConfig": {"Values": cond.values}}),
                ConditionField::HostHeader => json!({"Field": "host-header", "HostHeaderConfig": {"Values": cond.values}}),
                ConditionField::HttpMethod => json!({"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": cond.values}}),
                ConditionField::SourceIp => json!({"Field": "source-ip", "SourceIpConfig": {"Values": cond.values}}),
                ConditionField::HttpHeader => {
                    let (name, values) = cond.values.split_first().map_or(("X-Header", &[][..]), |(n, v)| (n.as_str(), v));
                    json!({"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": values}})
                }
                ConditionField::QueryString => {
                    let pairs: Vec<Value> = cond.values.iter().map(|v| match v.split_once('=') {
                        Some((k, val)) => json!({"Key": k, "Value": val}),
                        None => json!({"Value": v}),
                    }).collect();
                    json!({"Field": "query-string", "QueryStringConfig": {"Values": pairs}})
                }
            })
            .collect();
        let mut rule = format!("{tg}Rule");
        if self.resources.contains_key(&rule) {
            rule = format!("{tg}Rule{priority}");
        }
        self.add(
            rule.clone(),
            json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                "ListenerArn": r(&listener), "Priority": priority, "Conditions": conds,
                "Actions": [{"Type": "forward", "TargetGroupArn": r(tg)}]}}),
        );
        vec![json!(rule)]
    }

    // --- EKS -------------------------------------------------------------

    fn eks_role(
        &mut self,
        owner: &Component,
        purpose: RolePurpose,
        default_id: String,
        service: &str,
        policies: &[&str],
    ) -> String {
        let comp = self
            .assumed_role(&owner.id, purpose)
            .or_else(|| self.assumed_role(&owner.id, RolePurpose::EksRole));
        let role = comp.map(|r| self.id(&r.id)).unwrap_or(default_id);
        if !self.resources.contains_key(&role) {
            let mut arns: Vec<Value> = policies.iter().map(|p| managed(p)).collect();
            arns.extend(self.role_extra_managed(comp));
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": trust(service), "ManagedPolicyArns": arns}}),
            );
        }
        role
    }

    fn eks_cluster(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::EksCluster(p) = &c.props else {
            return Ok(());
        };
        let role = self.eks_role(
            c,
            RolePurpose::EksRole,
            format!("{id}ClusterRole"),
            "eks.amazonaws.com",
            &["AmazonEKSClusterPolicy"],
        );
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::Cluster", "Properties": {
                "Version": p.version,
                "RoleArn": ga(&role, "Arn"),
                "ResourcesVpcConfig": {"SubnetIds": self.all_subnets(), "EndpointPublicAccess": p.endpoint_public, "EndpointPrivateAccess": true},
                "AccessConfig": {"AuthenticationMode": "API_AND_CONFIG_MAP"},
                "UpgradePolicy": {"SupportType": match p.support { EksSupport::Standard => "STANDARD", EksSupport::Extended => "EXTENDED" }}}}),
        );
        self.add(
            format!("{id}PodIdentityAgent"),
            json!({"Type": "AWS::EKS::Addon", "Properties": {"ClusterName": r(id), "AddonName": "eks-pod-identity-agent"}}),
        );
        self.outputs.insert(
            format!("{id}Endpoint"),
            json!({"Description": format!("API endpoint of {}", c.name), "Value": ga(id, "Endpoint")}),
        );
        Ok(())
    }

    fn eks_cluster_id(&self, c: &Component) -> Result<String, ExportError> {
        self.cluster_of(&c.id)
            .map(|k| self.id(&k.id))
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message: "must belong to an EKS cluster (put it in the cluster's group)".into(),
            })
    }

    fn eks_node_group(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::EksNodeGroup(p) = &c.props else {
            return Ok(());
        };
        let cluster = self.eks_cluster_id(c)?;
        let role = self.eks_role(
            c,
            RolePurpose::InstanceRole,
            format!("{id}NodeRole"),
            "ec2.amazonaws.com",
            &[
                "AmazonEKSWorkerNodePolicy",
                "AmazonEKS_CNI_Policy",
                "AmazonEC2ContainerRegistryReadOnly",
            ],
        );
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::Nodegroup", "Properties": {
                "ClusterName": r(&cluster), "NodeRole": ga(&role, "Arn"), "Subnets": self.subnets(false),
                "InstanceTypes": [p.instance_type],
                "CapacityType": match p.capacity_type { CapacityType::OnDemand => "ON_DEMAND", CapacityType::Spot => "SPOT" },
                "ScalingConfig": {"MinSize": p.min_size, "MaxSize": p.max_size, "DesiredSize": p.desired_size}}}),
        );
        Ok(())
    }

    fn eks_fargate_profile(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::EksFargateProfile(p) = &c.props else {
            return Ok(());
        };
        let cluster = self.eks_cluster_id(c)?;
        let role = self.eks_role(
            c,
            RolePurpose::ExecutionRole,
            format!("{id}PodExecutionRole"),
            "eks-fargate-pods.amazonaws.com",
            &["AmazonEKSFargatePodExecutionRolePolicy"],
        );
        let mut selector = json!({"Namespace": p.namespace});
        if !p.labels.is_empty() {
            selector["Labels"] = Value::Array(
                p.labels
                    .iter()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect(),
            );
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::FargateProfile", "Properties": {
                "ClusterName": r(&cluster), "PodExecutionRoleArn": ga(&role, "Arn"),
                "Subnets": self.subnets(false), "Selectors": [selector]}}),
        );
        Ok(())
    }

    fn eks_workload(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::EksWorkload(p) = &c.props else {
            return Ok(());
        };
        let cluster = self.eks_cluster_id(c)?;
        let name = kebab(&c.name);
        // Application permissions: a role for the workload's service account
        // through EKS Pod Identity.
        let stmts = self.statements(&c.id);
        let mut service_account = None;
        if !stmts.is_empty() {
            let role = format!("{id}PodRole");
            let mut props = json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]}]}});
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                props["Policies"] = json!([pol]);
            }
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": props}),
            );
            self.add(
                format!("{id}PodIdentity"),
                json!({"Type": "AWS::EKS::PodIdentityAssociation", "DependsOn": [format!("{cluster}PodIdentityAgent")], "Properties": {
                    "ClusterName": r(&cluster), "Namespace": p.namespace, "ServiceAccount": name, "RoleArn": ga(&role, "Arn")}}),
            );
            service_account = Some(name.clone());
        }
        // The manifest cannot hold a CloudFormation reference: an image from
        // an ECR repository of this stack names the stack output to use.
        let image = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::PullsImage) && to.kind() == K::EcrRepository
            })
            .map(|(_, to)| format!("{{{{{}Uri}}}}:latest", self.id(&to.id)))
            .unwrap_or_else(|| p.image.clone());
        let mut docs = Vec::new();
        if let Some(sa) = &service_account {
            docs.push(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": p.namespace}}));
        }
        let mut resources = json!({"requests": {"cpu": format!("{}m", p.cpu_request_millicores), "memory": format!("{}Mi", p.memory_request_mb)}});
        let mut limits = Map::new();
        if let Some(cpu) = p.cpu_limit_millicores {
            limits.insert("cpu".into(), json!(format!("{cpu}m")));
        }
        if let Some(mem) = p.memory_limit_mb {
            limits.insert("memory".into(), json!(format!("{mem}Mi")));
        }
        if !limits.is_empty() {
            resources["limits"] = Value::Object(limits);
        }
        // Manifests cannot hold CloudFormation references: each value a
        // workload needs is a stack output, named in a `{{Output}}`
        // placeholder for the deploy script to fill in.
        let mut env: Vec<Value> = Vec::new();
        for (k, v) in self.env_for(&c.id) {
            let output = match &v {
                Value::Object(m) => m
                    .get("Ref")
                    .and_then(Value::as_str)
                    .map(|r| format!("{r}Ref")),
                _ => None,
            };
            let value = match output {
                Some(output) => {
                    self.outputs.entry(output.clone()).or_insert_with(|| {
                        json!({"Description": format!("{k} for the {} manifests", c.name), "Value": v.clone()})
                    });
                    format!("{{{{{output}}}}}")
                }
                None => v.as_str().unwrap_or_default().to_string(),
            };
            env.push(json!({"name": k, "value": value}));
        }
        let on_fargate = self.d.outgoing(&c.id).iter().any(|(conn, to)| {
            matches!(conn.kind, ConnectionKind::RunsOn { .. }) && to.kind() == K::EksFargateProfile
        });
        if on_fargate && service_account.is_some() {
            self.notes.push(format!(
                "{}: runs on a Fargate profile, where EKS Pod Identity is not available; bind its role {id}PodRole through IAM roles for service accounts (IRSA) instead",
                c.name
            ));
        }
        let mut container = json!({"name": name, "image": image, "ports": [{"containerPort": p.container_port}], "resources": resources});
        if !env.is_empty() {
            container["env"] = Value::Array(env);
        }
        let mut pod_spec = json!({"containers": [container]});
        if let Some(sa) = &service_account {
            pod_spec["serviceAccountName"] = json!(sa);
        }
        let labels = json!({"app": name});
        docs.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": p.namespace, "labels": labels},
            "spec": {"replicas": p.replicas, "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec}}}));
        docs.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": p.namespace},
            "spec": {"selector": labels, "ports": [{"port": p.container_port, "targetPort": p.container_port, "protocol": "TCP"}]}}));
        if let Some(hpa) = &p.hpa {
            docs.push(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": name, "namespace": p.namespace},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": hpa.min_replicas, "maxReplicas": hpa.max_replicas,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": hpa.target_cpu_percent}}}]}}));
        }
        let text = docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n");
        self.manifests.push(Manifest {
            file_name: format!("{name}.k8s.yaml"),
            text,
        });
        Ok(())
    }
}

fn engine_name(e: archsim_model::component::DatabaseEngine, aurora: bool) -> &'static str {
    use archsim_model::component::DatabaseEngine as E;
    match (e, aurora) {
        (E::AuroraPostgresql | E::Postgres, true) => "aurora-postgresql",
        (E::AuroraMysql | E::Mysql, true) => "aurora-mysql",
        (E::AuroraPostgresql | E::Postgres, false) => "postgres",
        (E::AuroraMysql | E::Mysql, false) => "mysql",
    }
}

fn arch(a: Architecture) -> &'static str {
    match a {
        Architecture::X86_64 => "x86_64",
        Architecture::Arm64 => "arm64",
    }
}

fn s3_filter(b: &archsim_model::component::S3BucketProps) -> Option<Value> {
    let mut rules = Vec::new();
    if !b.prefix.is_empty() {
        rules.push(json!({"Name": "prefix", "Value": b.prefix}));
    }
    if !b.suffix.is_empty() {
        rules.push(json!({"Name": "suffix", "Value": b.suffix}));
    }
    (!rules.is_empty()).then(|| json!({"S3Key": {"Rules": rules}}))
}

fn pattern(c: &Component, text: &str) -> Result<Value, ExportError> {
    serde_json::from_str(text).map_err(|e| ExportError::Component {
        component: c.id.clone(),
        message: format!("the event pattern is not JSON: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_from_the_desktop_apps_json() {
        let o: ExportOptions =
            serde_json::from_str(r#"{"flavour": "cloudformation", "syntax": "json"}"#).unwrap();
        assert_eq!(
            o,
            ExportOptions {
                flavour: Flavour::CloudFormation,
                syntax: Syntax::Json,
                network: Network::Generated
            }
        );
        assert_eq!(
            serde_json::from_str::<ExportOptions>("{}").unwrap(),
            ExportOptions::default()
        );
    }

    #[test]
    fn names_any_follows_every_kind_of_reference() {
        let ids: HashSet<String> = ["Gone".to_string()].into();
        for v in [
            json!({"Ref": "Gone"}),
            json!({"Fn::GetAtt": ["Gone", "Arn"]}),
            json!({"Fn::Sub": "${Gone.Arn}/x"}),
            json!({"DependsOn": ["A", "Gone"]}),
            json!({"Properties": {"X": [{"Ref": "Gone"}]}}),
        ] {
            assert!(names_any(&v, &ids), "{v}");
        }
        assert!(!names_any(&json!({"Ref": "Here", "Sub": "${Gone}"}), &ids));
    }
}
