//! Export: a design to a SAM or CloudFormation template.
//!
//! One pass over the components in id order writes each component's
//! resources, then the resources its connections need (events, permissions,
//! listener rules, IAM statements). Every map is built in a fixed order, so
//! the same design always gives the same bytes. This module holds the
//! options, the pass and the dispatch over kinds; each resource family
//! writes its resources in a file of its own.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use archsim_model::component::Packaging;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Design, ExportProfile, Props};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::names::{camel, logical_ids};
use crate::template::{to_json, to_yaml};
use crate::{EXTENSION_KEY, ExportError};

mod api_gateway;
mod api_integrations;
mod cloudfront;
mod cognito;
mod data_stores;
mod ec2;
mod ecr;
mod ecs_blue_green;
mod ecs_cluster;
mod ecs_service;
mod ecs_task;
mod eks;
mod environment;
mod event_sources;
mod eventbridge;
mod iam;
mod kept;
mod lambda;
mod layers;
mod load_balancing;
mod messaging;
mod network;
mod production;
mod secrets;
mod stacks;
mod step_functions;

pub(crate) use environment::env_var;
use kept::{export_kept, names_any};
pub use layers::{Layer, export_layers};
use network::GENERATED_VPC_IDS;
pub use production::PROFILE_RESOURCES;
pub use stacks::{StackExport, export_stacks, stack_files};

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
    /// Overrides the design's own [`ExportProfile`] (`None`: the design's).
    pub profile: Option<ExportProfile>,
}

impl ExportOptions {
    /// The profile this export writes for `design`.
    pub fn profile_for(&self, design: &Design) -> ExportProfile {
        self.profile.unwrap_or(design.export_profile)
    }
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
    if let Some(files) = stack_files(design) {
        return Err(ExportError::SeveralStacks { files });
    }
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

/// The profile a template was exported with: production when it says so
/// in its `Metadata` (the production export writes
/// `Metadata: {archsim: {profile: production}}`), else sandbox.
pub fn profile_of(template: &Value) -> ExportProfile {
    match template["Metadata"]["archsim"]["profile"].as_str() {
        Some("production") => ExportProfile::Production,
        _ => ExportProfile::Sandbox,
    }
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

/// The mapping a `json!({...})` object literal builds, for adding fields
/// from a field map to.
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

struct Ctx<'a> {
    d: &'a Design,
    opts: ExportOptions,
    ids: BTreeMap<String, String>,
    params: Map<String, Value>,
    mappings: Map<String, Value>,
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
            mappings: Map::new(),
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

    /// Whether an API of `api_type` is written as SAM's serverless
    /// resource (`AWS::Serverless::Api` / `HttpApi`, with the functions'
    /// `Api` events). A production SAM export writes a REST API as plain
    /// CloudFormation instead (API, resources, methods, deployment,
    /// stage): the SAM transform does not copy an `AWS::Serverless::Api`'s
    /// `Metadata` onto the stage it generates, so the scanner skips the
    /// stage carries, each with its reason, would not reach the stack
    /// that is deployed.
    fn sam_api(&self, api_type: archsim_model::component::ApiType) -> bool {
        self.sam()
            && !(api_type == archsim_model::component::ApiType::Rest
                && self.opts.profile_for(self.d) == ExportProfile::Production)
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
        if self.opts.profile_for(self.d) == ExportProfile::Production && self.only.is_none() {
            t.insert(
                "Metadata".into(),
                json!({"archsim": {"profile": ExportProfile::Production.slug()}}),
            );
        }
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
        if !self.mappings.is_empty() {
            t.insert("Mappings".into(), Value::Object(self.mappings));
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
        let needs_vpc = comps.iter().any(|c| c.kind().in_vpc());
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
            | Props::StepFunctions(_)
            | Props::DynamoDbTable(_)
            | Props::AuroraServerless(_)
            | Props::Rds(_)
            | Props::Ec2Instance(_)
            | Props::EcsCluster(_)
            | Props::EcsService(_)
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
            | Props::Generic(_) => false,
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
        for c in &comps {
            self.component(c)?;
        }
        self.unwritten_roles(&comps);
        self.merge_resource_policies();
        if self.opts.profile_for(self.d) == ExportProfile::Production {
            self.production();
        }
        Ok(())
    }

    // --- per component -------------------------------------------------

    fn component(&mut self, c: &'a Component) -> Result<(), ExportError> {
        let id = self.id(&c.id);
        match &c.props {
            Props::Client(_) | Props::ExternalRegistry(_) | Props::Lex(_) | Props::Alexa(_) => {
                self.not_exported(c)
            }
            Props::IamRole(_) => {
                // Roles are written by the component that assumes them, so
                // their policies come from that component's connections.
                if self.d.incoming(&c.id).is_empty() {
                    self.notes
                        .push(format!("{}: no component assumes this role", c.name));
                }
            }
            Props::ApiGateway(p) => self.api(c, &id, p)?,
            Props::Cognito(p) => self.user_pool(c, &id, p),
            Props::Secret(p) => self.secret(c, &id, p),
            Props::VpcEndpoint(p) => self.vpc_endpoint(c, &id, p),
            Props::S3Bucket(p) => self.bucket(c, &id, p),
            Props::SqsQueue(p) => self.queue(c, &id, p),
            Props::SnsTopic(p) => self.topic(c, &id, p),
            Props::EventBridgeRule(p) => self.rule(c, &id, p)?,
            Props::EventBus(p) => self.event_bus(&id, p),
            Props::EventBridgePipe(p) => self.pipe(c, &id, p),
            Props::KinesisStream(p) => self.stream(&id, p),
            Props::DynamoDbTable(p) => self.table(&id, p),
            Props::LambdaFunction(p) => self.function(c, &id, p)?,
            Props::StepFunctions(p) => self.state_machine(c, &id, p),
            Props::EcsCluster(p) => self.cluster(c, &id, p),
            Props::EcsService(p) => self.service(c, &id, p)?,
            Props::TaskDefinition(p) => self.task_definition(c, &id, p)?,
            Props::Fargate(_) | Props::FargateSpot(_) => {
                // Fargate capacity is named in the cluster's capacity
                // provider association; it has no resource of its own.
                let used = self.cluster_of(&c.id).is_some()
                    || self
                        .d
                        .incoming(&c.id)
                        .iter()
                        .any(|(conn, _)| matches!(conn.kind, ConnectionKind::RunsOn { .. }));
                if !used {
                    self.notes.push(format!(
                        "{}: no cluster or service uses this capacity; nothing exported",
                        c.name
                    ));
                }
            }
            Props::Ec2AutoScalingGroup(p) => self.ec2_capacity(c, &id, p)?,
            Props::Alb(p) | Props::Nlb(p) => self.load_balancer(c, &id, p)?,
            Props::EcrRepository(p) => self.repository(c, &id, p),
            Props::EksCluster(p) => self.eks_cluster(c, &id, p)?,
            Props::EksNodeGroup(p) => self.eks_node_group(c, &id, p)?,
            Props::EksFargateProfile(p) => self.eks_fargate_profile(c, &id, p)?,
            Props::EksWorkload(p) => self.eks_workload(c, &id, p)?,
            Props::Generic(p) => {
                let parts: Vec<&str> = p.resource_type.split("::").collect();
                if parts.len() >= 3 && parts.iter().all(|s| !s.is_empty()) {
                    self.add(
                        id,
                        json!({"Type": p.resource_type, "Properties": p.properties}),
                    );
                } else {
                    // An empty type would make a template CloudFormation refuses.
                    self.notes.push(format!(
                        "{}: no resource type such as AWS::Service::Resource is set; nothing exported",
                        c.name
                    ));
                }
            }
            Props::Firehose(p) => self.firehose(c, &id, p),
            Props::AuroraServerless(p) => self.aurora(c, &id, p),
            Props::Rds(p) => self.rds(c, &id, p),
            Props::CloudFront(p) => self.cloudfront(c, &id, p),
            Props::Ec2Instance(p) => self.ec2_instance(c, &id, p),
            Props::Clb(p) => self.classic_load_balancer(c, &id, p),
        }
        Ok(())
    }

    /// The note for a component whose kind export does not write, with
    /// the reason the coverage table gives.
    fn not_exported(&mut self, c: &Component) {
        let reason = crate::export_coverage(c.kind())
            .reason()
            .unwrap_or("nothing exported");
        self.notes.push(format!("{}: {reason}", c.name));
    }

    /// Roles are written by the components that assume them; a role that
    /// none of them wrote (a function writes a role of its own, a purpose
    /// the assuming component does not take) is said so.
    fn unwritten_roles(&mut self, comps: &[&'a Component]) {
        for c in comps {
            if c.kind() == K::IamRole
                && !self.d.incoming(&c.id).is_empty()
                && !self.resources.contains_key(&self.id(&c.id))
            {
                self.notes.push(format!(
                    "{}: no component that assumes this role takes a role of its purpose; nothing exported",
                    c.name
                ));
            }
        }
    }
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
                network: Network::Generated,
                profile: None,
            }
        );
        assert_eq!(
            serde_json::from_str::<ExportOptions>("{}").unwrap(),
            ExportOptions::default()
        );
    }
}
