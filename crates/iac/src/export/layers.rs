//! A design made in archsim, exported as three stacks when the user asks:
//! **network** (the VPC, load balancers, VPC endpoints, and what the
//! production profile shares: the stack key, the access-log bucket),
//! **data** (tables, buckets, queues, topics, streams, databases,
//! repositories, secrets, user pools) and **compute** (the rest).
//!
//! The design is exported once, as one template, and its resources are
//! divided: each goes with its component's layer, then rises to the layer
//! of anything it refers to (a bucket whose notifications name a function
//! goes with the function, as does the name of a bucket made of its
//! stack's id), so a stack refers only to the stacks before it. The one
//! template has already merged each queue's (topic's) policies into one
//! resource, so they land in one stack. A reference to an earlier stack's resource becomes an
//! `Fn::ImportValue` of an output that stack exports as
//! `<its stack name>:<logical id>` (`:<id>-<attribute>` for an attribute),
//! the importing stack naming the earlier one by a parameter
//! (`NetworkStack`, `DataStack`) whose default is
//! `<design>-network` / `<design>-data`. `archsim import` reads the three
//! files back as one design.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use archsim_model::{ComponentKind as K, Design};
use serde_json::{Map, Value, json};

use super::{ExportOptions, Exported, GENERATED_VPC_IDS, StackExport, Syntax, generate};
use crate::names::kebab;
use crate::properties::data_stores;
use crate::template::{sub_variables, to_json, to_yaml};
use crate::{ExportError, is_imported};

/// The three stacks, in the order they deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    Network,
    Data,
    Compute,
}

impl Layer {
    const ALL: [Layer; 3] = [Layer::Network, Layer::Data, Layer::Compute];

    fn slug(self) -> &'static str {
        match self {
            Layer::Network => "network",
            Layer::Data => "data",
            Layer::Compute => "compute",
        }
    }

    /// The parameter a later stack names this one by.
    fn parameter(self) -> &'static str {
        match self {
            Layer::Network => "NetworkStack",
            Layer::Data => "DataStack",
            Layer::Compute => "ComputeStack",
        }
    }

    /// The layer a component of `kind` belongs to.
    pub fn of(kind: K) -> Layer {
        match kind {
            K::Alb | K::Nlb | K::Clb | K::VpcEndpoint => Layer::Network,
            K::S3Bucket
            | K::SqsQueue
            | K::SnsTopic
            | K::EventBus
            | K::KinesisStream
            | K::Firehose
            | K::DynamoDbTable
            | K::AuroraServerless
            | K::Rds
            | K::EcrRepository
            | K::Secret
            | K::Cognito => Layer::Data,
            K::Client
            | K::ApiGateway
            | K::CloudFront
            | K::Lex
            | K::Alexa
            | K::EventBridgeRule
            | K::EventBridgePipe
            | K::LambdaFunction
            | K::StepFunctions
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
            | K::ExternalRegistry
            | K::IamRole
            | K::Generic => Layer::Compute,
        }
    }
}

/// Exports a design made in archsim as its network, data and compute
/// stacks (an empty layer is left out), each to its own file
/// (`network.yaml`, ...).
pub fn export_layers(
    design: &Design,
    options: &ExportOptions,
) -> Result<Vec<StackExport>, ExportError> {
    if is_imported(design) {
        return Err(ExportError::Component {
            component: design.name.clone(),
            message: "an imported design is written back as the stacks it was imported from, not divided into layers".into(),
        });
    }
    let ctx = generate(design, *options, &HashSet::new(), None)?;
    let ids = ctx.ids.clone();
    let mut notes = ctx.notes.clone();
    let manifests = ctx.manifests.clone();
    let whole = ctx.finish();
    let resources = whole["Resources"].as_object().cloned().unwrap_or_default();

    // Each resource's component: the component whose logical id it is, or
    // the longest that begins it (`OrdersHandlerRole`).
    let by_logical: BTreeMap<&str, &str> =
        ids.iter().map(|(c, l)| (l.as_str(), c.as_str())).collect();
    let owner = |id: &str| -> Option<&str> {
        by_logical
            .iter()
            .filter(|(l, _)| id.starts_with(*l))
            .max_by_key(|(l, _)| l.len())
            .map(|(_, c)| *c)
    };
    let home = |id: &str| -> Layer {
        if GENERATED_VPC_IDS.contains(&id) {
            return Layer::Network;
        }
        owner(id)
            .and_then(|c| design.component(c))
            .map(|c| Layer::of(c.kind()))
            .unwrap_or(Layer::Network)
    };
    let mut layer: BTreeMap<String, Layer> =
        resources.keys().map(|id| (id.clone(), home(id))).collect();
    // What each resource refers to, by logical id: another resource, or
    // (an id SAM generates, `OrdersHandlerRole`) the resource it comes with.
    let resolve = |name: &str| -> Option<String> {
        if resources.contains_key(name) {
            return Some(name.to_string());
        }
        let c = owner(name)?;
        let l = ids.get(c)?;
        resources.contains_key(l).then(|| l.clone())
    };
    let fixed = fixed_name_buckets(&resources);
    let refers: BTreeMap<String, BTreeSet<String>> = resources
        .iter()
        .map(|(id, r)| {
            let mut names = BTreeSet::new();
            names_in(r, &mut names);
            fixed_buckets_in(r, &fixed, &mut names);
            let set = names
                .iter()
                .filter_map(|n| resolve(n))
                .filter(|n| n != id)
                .collect();
            (id.clone(), set)
        })
        .collect();
    // SAM resolves an event's bucket, user pool or API within its own
    // template: they go with the function.
    let mut together: Vec<(String, String)> = Vec::new();
    for (id, r) in &resources {
        for event in r["Properties"]["Events"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            let p = &event["Properties"];
            for key in ["Bucket", "UserPool", "RestApiId", "ApiId"] {
                let mut names = BTreeSet::new();
                names_in(&p[key], &mut names);
                together.extend(
                    names
                        .into_iter()
                        .filter_map(|n| resolve(&n))
                        .map(|n| (id.clone(), n)),
                );
            }
        }
    }
    loop {
        let mut changed = false;
        for (id, to) in &refers {
            let top = to.iter().map(|t| layer[t]).max().unwrap_or(Layer::Network);
            if top > layer[id] {
                layer.insert(id.clone(), top);
                changed = true;
            }
        }
        for (a, b) in &together {
            let top = layer[a].max(layer[b]);
            for x in [a, b] {
                if layer[x] < top {
                    layer.insert(x.clone(), top);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (id, l) in &layer {
        let was = home(id);
        if *l > was && owner(id).is_some_and(|c| ids.get(c) == Some(id)) {
            notes.push(format!(
                "{id} is written in the {} stack rather than the {}: it refers to, or is named by an event of, a resource there",
                l.slug(),
                was.slug()
            ));
        }
    }

    let base = kebab(&design.name);
    let stack_default = |l: Layer| format!("{base}-{}", l.slug());
    // Outputs earlier stacks export, by layer: logical id -> attribute.
    let mut exports: BTreeMap<Layer, BTreeSet<(String, Option<String>)>> = BTreeMap::new();
    // Each stack: its layer, resources, outputs and the stacks it imports from.
    type Body = (
        Layer,
        Map<String, Value>,
        Map<String, Value>,
        BTreeSet<Layer>,
    );
    let mut bodies: Vec<Body> = Vec::new();
    for l in Layer::ALL {
        let mut own = Map::new();
        let mut imports = BTreeSet::new();
        for (id, r) in &resources {
            if layer[id] != l {
                continue;
            }
            let mut r = r.clone();
            let mut rewrite = Rewrite {
                layer: &layer,
                here: l,
                fixed: &fixed,
                imported: BTreeSet::new(),
            };
            rewrite.value(&mut r);
            // An earlier stack is deployed first: no DependsOn across.
            let here = |d: &Value| d.as_str().is_none_or(|d| layer.get(d) == Some(&l));
            let obj = r.as_object_mut().expect("a resource");
            if let Some(Value::Array(deps)) = obj.get_mut("DependsOn") {
                deps.retain(here);
            }
            if obj.get("DependsOn").is_some_and(|d| match d {
                Value::Array(deps) => deps.is_empty(),
                d => !here(d),
            }) {
                obj.remove("DependsOn");
            }
            for (from, id, attr) in rewrite.imported {
                imports.insert(from);
                exports.entry(from).or_default().insert((id, attr));
            }
            own.insert(id.clone(), r);
        }
        // The design's outputs go where what they name is.
        let mut outputs = Map::new();
        for (name, o) in whole["Outputs"].as_object().into_iter().flatten() {
            let mut names = BTreeSet::new();
            names_in(o, &mut names);
            let at = names
                .iter()
                .filter_map(|n| layer.get(&resolve(n)?).copied())
                .max()
                .unwrap_or(Layer::Network);
            if at == l {
                outputs.insert(name.clone(), o.clone());
            }
        }
        if !own.is_empty() {
            bodies.push((l, own, outputs, imports));
        }
    }

    let mut out = Vec::new();
    let last = bodies.last().map(|b| b.0);
    for (l, own, mut outputs, imports) in bodies {
        for (id, attr) in exports.get(&l).into_iter().flatten() {
            let export = export_name(id, attr.as_deref());
            let (name, value) = match attr {
                None => (format!("{id}Export"), json!({"Ref": id})),
                Some(a) => (
                    format!("{id}{}Export", a.replace('.', "")),
                    json!({"Fn::GetAtt": [id, a]}),
                ),
            };
            outputs.insert(
                name,
                json!({"Value": value,
                    "Export": {"Name": {"Fn::Sub": format!("${{AWS::StackName}}:{export}")}}}),
            );
        }
        let sam = own.values().any(|r| {
            r["Type"]
                .as_str()
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        });
        // The parameters, conditions and mappings this stack names.
        let mut named = BTreeSet::new();
        let body = Value::Object(own);
        names_in(&body, &mut named);
        let outputs_value = Value::Object(outputs.clone());
        names_in(&outputs_value, &mut named);
        if sam {
            names_in(&whole["Globals"], &mut named);
        }
        let mut sections: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for section in ["Conditions", "Mappings"] {
            for (k, v) in whole[section].as_object().into_iter().flatten() {
                if body_mentions(&body, k) || body_mentions(&outputs_value, k) {
                    sections
                        .entry(section)
                        .or_default()
                        .insert(k.clone(), v.clone());
                    names_in(v, &mut named);
                }
            }
        }
        let mut params = Map::new();
        for from in &imports {
            params.insert(
                from.parameter().into(),
                json!({"Type": "String", "Default": stack_default(*from),
                    "Description": format!("The name of the {} stack this one imports from", from.slug())}),
            );
        }
        for (k, v) in whole["Parameters"].as_object().into_iter().flatten() {
            if named.contains(k) {
                params.insert(k.clone(), v.clone());
            }
        }
        if !params.is_empty() {
            sections.insert("Parameters", params);
        }
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if sam && let Some(tr) = whole.get("Transform") {
            t.insert("Transform".into(), tr.clone());
        }
        t.insert(
            "Description".into(),
            json!(format!(
                "{} ({} stack)",
                whole["Description"].as_str().unwrap_or(&design.name),
                l.slug()
            )),
        );
        if let Some(m) = whole.get("Metadata") {
            t.insert("Metadata".into(), m.clone());
        }
        if sam && let Some(g) = whole.get("Globals") {
            t.insert("Globals".into(), g.clone());
        }
        for section in ["Parameters", "Conditions", "Mappings"] {
            if let Some(m) = sections.remove(section) {
                t.insert(section.into(), Value::Object(m));
            }
        }
        t.insert("Resources".into(), body);
        if !outputs.is_empty() {
            t.insert("Outputs".into(), Value::Object(outputs));
        }
        let value = Value::Object(t);
        let template = match options.syntax {
            Syntax::Yaml => to_yaml(&value),
            Syntax::Json => to_json(&value),
        };
        let ext = match options.syntax {
            Syntax::Yaml => "yaml",
            Syntax::Json => "json",
        };
        out.push(StackExport {
            file: format!("{}.{ext}", l.slug()),
            exported: Exported {
                template,
                value,
                manifests: if Some(l) == last {
                    manifests.clone()
                } else {
                    Vec::new()
                },
                notes: if Some(l) == last {
                    std::mem::take(&mut notes)
                } else {
                    Vec::new()
                },
            },
        });
    }
    Ok(out)
}

/// The name a stack exports a resource (or one of its attributes) under,
/// after its own stack's name: `Queue`, `Queue-Arn`.
fn export_name(id: &str, attr: Option<&str>) -> String {
    match attr {
        None => id.to_string(),
        Some(a) => format!("{id}-{}", a.replace('.', "-")),
    }
}

/// Whether `v` names `name` (as a condition, a mapping or anything else).
fn body_mentions(v: &Value, name: &str) -> bool {
    match v {
        Value::String(s) => s == name,
        Value::Object(m) => m.iter().any(|(k, c)| {
            (k == "Fn::FindInMap" || k == "Fn::If" || k == "Condition")
                && c.as_array()
                    .and_then(|a| a.first())
                    .or(Some(c))
                    .and_then(Value::as_str)
                    == Some(name)
                || body_mentions(c, name)
        }),
        Value::Array(a) => a.iter().any(|c| body_mentions(c, name)),
        _ => false,
    }
}

/// Every name `Ref`, `Fn::GetAtt` and `Fn::Sub` variables in `v` refer
/// to, and each `DependsOn`.
fn names_in(v: &Value, out: &mut BTreeSet<String>) {
    crate::template::names(v, true, out);
}

/// A bucket that notifies a function, queue or topic is named after its
/// stack's id (`<name>-<account>-<stack id suffix>`, `Fn::Join`ed), so
/// the permission or policy it waits for can spell its ARN without
/// referring to it, and its readers' roles and environments spell the
/// same. Spelled in another stack, that name would be a bucket of that
/// stack's id: a spelling counts as a reference to the bucket (its
/// resource goes in the bucket's stack or a later one), and a later
/// stack imports the bucket's name (`Ref`) or `Arn` instead.
/// Each such bucket's logical id and its name's `Fn::Join`.
fn fixed_name_buckets(resources: &Map<String, Value>) -> Vec<(String, Value)> {
    resources
        .iter()
        .filter_map(|(id, r)| {
            let name = &r["Properties"]["BucketName"];
            let join = name.get("Fn::Join")?.as_array()?;
            let by_stack = join
                .get(1)?
                .to_string()
                .contains("{\"Ref\":\"AWS::StackId\"}");
            (r["Type"] == "AWS::S3::Bucket" && join.first() == Some(&json!("-")) && by_stack)
                .then(|| (id.clone(), name.clone()))
        })
        .collect()
}

/// How `v` spells a bucket of `fixed` by its name.
enum Spelled {
    /// The name itself.
    Name,
    /// Its ARN, and what follows it (`/*`), if anything.
    Arn(Option<Value>),
}

/// The bucket of `fixed` that `v` spells by its name, and how.
fn fixed_bucket_spelled<'f>(v: &Value, fixed: &'f [(String, Value)]) -> Option<(&'f str, Spelled)> {
    if let Some((id, _)) = fixed.iter().find(|(_, name)| name == v) {
        return Some((id.as_str(), Spelled::Name));
    }
    let join = v.get("Fn::Join")?.as_array()?;
    if join.first() != Some(&json!("")) || v.as_object()?.len() != 1 {
        return None;
    }
    let head = data_stores::joined_bucket_arn_head();
    let rest = join.get(1)?.as_array()?.strip_prefix(head.as_slice())?;
    fixed.iter().find_map(|(id, name)| {
        let spelled = data_stores::joined_name_run(name)?;
        match rest.strip_prefix(spelled.as_slice())? {
            [] => Some((id.as_str(), Spelled::Arn(None))),
            [suffix] => Some((id.as_str(), Spelled::Arn(Some(suffix.clone())))),
            _ => None,
        }
    })
}

/// Every bucket of `fixed` that `v` spells by its name (its own
/// `BucketName` included).
fn fixed_buckets_in(v: &Value, fixed: &[(String, Value)], out: &mut BTreeSet<String>) {
    if let Some((id, _)) = fixed_bucket_spelled(v, fixed) {
        out.insert(id.to_string());
        return;
    }
    match v {
        Value::Object(m) => m.values().for_each(|c| fixed_buckets_in(c, fixed, out)),
        Value::Array(a) => a.iter().for_each(|c| fixed_buckets_in(c, fixed, out)),
        _ => {}
    }
}

/// Turns references to an earlier stack's resources into imports.
struct Rewrite<'a> {
    layer: &'a BTreeMap<String, Layer>,
    here: Layer,
    /// The buckets named after their stack's id (`fixed_name_buckets`).
    fixed: &'a [(String, Value)],
    /// (stack, logical id, attribute) imported.
    imported: BTreeSet<(Layer, String, Option<String>)>,
}

impl Rewrite<'_> {
    /// The layer `id` is in, when that is an earlier stack.
    fn earlier(&self, id: &str) -> Option<Layer> {
        self.layer.get(id).copied().filter(|l| *l < self.here)
    }

    fn import(&mut self, from: Layer, id: &str, attr: Option<&str>) -> Value {
        self.imported
            .insert((from, id.to_string(), attr.map(str::to_string)));
        let export = export_name(id, attr);
        json!({"Fn::ImportValue": {"Fn::Sub": format!("${{{}}}:{export}", from.parameter())}})
    }

    fn value(&mut self, v: &mut Value) {
        if let Some((bucket, spelled)) = fixed_bucket_spelled(v, self.fixed)
            && let Some(from) = self.earlier(bucket)
        {
            let bucket = bucket.to_string();
            *v = match spelled {
                Spelled::Name => self.import(from, &bucket, None),
                Spelled::Arn(None) => self.import(from, &bucket, Some("Arn")),
                Spelled::Arn(Some(suffix)) => {
                    json!({"Fn::Join": ["", [self.import(from, &bucket, Some("Arn")), suffix]]})
                }
            };
            return;
        }
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    if let Some(Value::String(id)) = m.get("Ref")
                        && let Some(from) = self.earlier(id)
                    {
                        let id = id.clone();
                        *v = self.import(from, &id, None);
                        return;
                    }
                    let getatt = match m.get("Fn::GetAtt") {
                        Some(Value::Array(a)) => a
                            .first()
                            .and_then(Value::as_str)
                            .zip(a.get(1).and_then(Value::as_str))
                            .map(|(i, a)| (i.to_string(), a.to_string())),
                        Some(Value::String(s)) => s
                            .split_once('.')
                            .map(|(i, a)| (i.to_string(), a.to_string())),
                        _ => None,
                    };
                    if let Some((id, attr)) = getatt
                        && let Some(from) = self.earlier(&id)
                    {
                        *v = self.import(from, &id, Some(&attr));
                        return;
                    }
                    if let Some(sub) = m.get("Fn::Sub").cloned()
                        && let Some(new) = self.sub(&sub)
                    {
                        m.insert("Fn::Sub".into(), new);
                        return;
                    }
                }
                for c in m.values_mut() {
                    self.value(c);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| self.value(c)),
            _ => {}
        }
    }

    /// A `Fn::Sub` whose variables name an earlier stack's resources, with
    /// those variables given as imports; `None` when it names none.
    fn sub(&mut self, sub: &Value) -> Option<Value> {
        let (text, vars) = match sub {
            Value::String(s) => (s.clone(), Map::new()),
            Value::Array(a) => (
                a.first()?.as_str()?.to_string(),
                a.get(1)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            ),
            _ => return None,
        };
        let mut vars = vars;
        let mut text = text;
        let mut changed = false;
        for var in sub_variables(&text) {
            let (id, attr) = match var.split_once('.') {
                Some((i, a)) => (i.to_string(), Some(a.to_string())),
                None => (var.to_string(), None),
            };
            if vars.contains_key(&id) {
                continue;
            }
            let Some(from) = self.earlier(&id) else {
                continue;
            };
            let name = format!(
                "{id}{}",
                attr.as_deref().unwrap_or_default().replace('.', "")
            );
            let import = self.import(from, &id, attr.as_deref());
            vars.insert(name.clone(), import);
            text = text.replace(&format!("${{{var}}}"), &format!("${{{name}}}"));
            changed = true;
        }
        let mut vars = Value::Object(vars);
        // Imports inside the variables of an array form.
        if let Value::Object(m) = &mut vars {
            for c in m.values_mut() {
                let before = c.clone();
                self.value(c);
                changed |= *c != before;
            }
        }
        changed.then(|| json!([text, vars]))
    }
}
