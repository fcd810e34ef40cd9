//! Writing back an imported design: the kept template, with deleted
//! components removed, edited fields overlaid and added components appended.

use archsim_model::component::ApiType;
use archsim_model::{Component, Props};
use serde_json::{Map, Value};

use super::*;
use crate::ExportError;
use crate::properties::{
    api_gateway, cognito, data_stores, ecr, ecs, ecs_task, eks, event_sources, eventbridge, lambda,
    load_balancing, messaging,
};

pub(super) fn export_kept(
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
    let mut gone: Vec<Value> = Vec::new();
    for (component, logical) in &mapping {
        if design.component(component).is_none() && !logical.contains('#') {
            gone.extend(resources.shift_remove(logical));
            removed.insert(logical.clone());
            notes.push(format!("{logical}: removed (its component was deleted)"));
        }
    }
    let drawn: HashSet<&String> = mapping.values().collect();
    loop {
        let dangling: Vec<String> = resources
            .iter()
            .filter(|(id, r)| !drawn.contains(id) && uses_any(r, &removed))
            .map(|(id, _)| id.clone())
            .collect();
        // What only removed resources used (a deleted function's own
        // role, a deleted task definition's log group) goes too.
        let unused: Vec<String> = resources
            .keys()
            .filter(|id| !drawn.contains(id) && !dangling.contains(id))
            .filter(|id| {
                let this = HashSet::from([id.to_string()]);
                gone.iter().any(|r| names_any(r, &this))
                    && !resources
                        .iter()
                        .any(|(other, r)| other != *id && names_any(r, &this))
                    && !template_outputs_name(kept, &this)
            })
            .cloned()
            .collect();
        if dangling.is_empty() && unused.is_empty() {
            break;
        }
        for id in dangling {
            gone.extend(resources.shift_remove(&id));
            notes.push(format!("{id}: removed (it served a deleted component)"));
            removed.insert(id);
        }
        for id in unused {
            gone.extend(resources.shift_remove(&id));
            notes.push(format!("{id}: removed (only deleted components used it)"));
            removed.insert(id);
        }
    }
    for r in resources.values_mut() {
        forget_removed(r, &removed);
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
            overlay(c, &before, res);
        }
    }
    subscription_filters(design, &mapping, resources, &mut notes);
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
        // Mappings too: the production profile's log bucket policy finds
        // the load balancers' log delivery account in one.
        for section in ["Parameters", "Mappings", "Resources", "Outputs"] {
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

/// An SNS subscription's filter policy edited since the import is written
/// back onto the kept subscription (an `AWS::SNS::Subscription` of the
/// topic naming the subscriber, or the subscriber's SAM `SNS` event on
/// the topic); one the template wrote in a form archsim does not read
/// (an intrinsic) is left as written unless a policy was set in its place.
fn subscription_filters(
    design: &Design,
    mapping: &BTreeMap<String, String>,
    resources: &mut Map<String, Value>,
    notes: &mut Vec<String>,
) {
    for conn in design.connections() {
        let Some(from) = design.component(&conn.from) else {
            continue;
        };
        let (true, Some(topic), Some(target)) = (
            conn.is_subscription(from.kind()),
            mapping.get(&conn.from),
            mapping.get(&conn.to),
        ) else {
            continue;
        };
        let names = |v: Option<&Value>, id: &str| {
            v.is_some_and(|v| names_any(v, &HashSet::from([id.to_string()])))
        };
        let subscription = resources
            .iter()
            .find(|(_, r)| {
                r["Type"] == "AWS::SNS::Subscription"
                    && names(r["Properties"].get("TopicArn"), topic)
                    && names(r["Properties"].get("Endpoint"), target)
            })
            .map(|(id, _)| id.clone());
        let props = match &subscription {
            Some(id) => resources
                .get_mut(id)
                .and_then(|r| r.get_mut("Properties"))
                .and_then(Value::as_object_mut),
            None => resources
                .get_mut(target)
                .filter(|r| r["Type"] == "AWS::Serverless::Function")
                .and_then(|r| r.get_mut("Properties"))
                .and_then(|p| p.get_mut("Events"))
                .and_then(Value::as_object_mut)
                .and_then(|events| {
                    events
                        .values_mut()
                        .find(|e| e["Type"] == "SNS" && names(e["Properties"].get("Topic"), topic))
                })
                .and_then(|e| e.get_mut("Properties"))
                .and_then(Value::as_object_mut),
        };
        let Some(props) = props else { continue };
        let written = messaging::SUBSCRIPTION_FILTER.read(props);
        let unreadable = written.is_none() && messaging::FILTER_POLICY.get(props).is_some();
        if written == conn.filter_policy || (unreadable && conn.filter_policy.is_none()) {
            continue;
        }
        for field in messaging::SUBSCRIPTION_FILTER.fields {
            field.remove(props);
        }
        messaging::SUBSCRIPTION_FILTER.put_filter(props, &conn.filter_policy);
        notes.push(format!(
            "{} -> {}: the subscription's filter policy written back as edited",
            topic, target
        ));
    }
}

/// Whether the kept template's outputs name any of `ids`.
fn template_outputs_name(kept: &Value, ids: &HashSet<String>) -> bool {
    kept["template"]
        .get("Outputs")
        .is_some_and(|o| names_any(o, ids))
}

/// Whether a resource uses one of `ids` (names it other than in its
/// `DependsOn`: a stage that waits for a deleted route still serves its
/// API).
fn uses_any(resource: &Value, ids: &HashSet<String>) -> bool {
    any_named(resource, false, ids)
}

/// Drops the removed resources from a kept resource's `DependsOn` (and the
/// `DependsOn` itself when none is left).
fn forget_removed(resource: &mut Value, removed: &HashSet<String>) {
    let Some(m) = resource.as_object_mut() else {
        return;
    };
    let keep = match m.get("DependsOn") {
        Some(Value::String(s)) if removed.contains(s) => None,
        Some(Value::Array(a)) => {
            let left: Vec<Value> = a
                .iter()
                .filter(|d| !d.as_str().is_some_and(|s| removed.contains(s)))
                .cloned()
                .collect();
            if left.len() == a.len() {
                return;
            }
            (!left.is_empty()).then_some(Value::Array(left))
        }
        _ => return,
    };
    match keep {
        Some(v) => {
            m.insert("DependsOn".into(), v);
        }
        None => {
            m.shift_remove("DependsOn");
        }
    }
}

/// Whether `v` names one of `ids` through Ref, GetAtt, `${}` or DependsOn.
pub(super) fn names_any(v: &Value, ids: &HashSet<String>) -> bool {
    any_named(v, true, ids)
}

/// Whether `v` names one of `ids` ([`crate::template::names`]).
fn any_named(v: &Value, depends_on: bool, ids: &HashSet<String>) -> bool {
    let mut named = BTreeSet::new();
    crate::template::names(v, depends_on, &mut named);
    named.iter().any(|n| ids.contains(n))
}

/// Writes the modelled fields that changed since the import onto the kept
/// resource, and nothing else: a field the user did not touch keeps what
/// the template said (an intrinsic, a newer runtime, ...). Which fields
/// are written back, and how, is the field maps' `write_back`.
fn overlay(c: &Component, before: &Value, res: &mut Value) {
    let Some(props) = res.get_mut("Properties").and_then(Value::as_object_mut) else {
        return;
    };
    let before = Props::deserialize_for(c.kind(), before.clone()).ok();
    macro_rules! write_back {
        ($map:expr, $variant:ident, $now:expr) => {{
            let before = if let Some(Props::$variant(b)) = &before {
                Some(b)
            } else {
                None
            };
            $map.write_back(before, $now, props)
        }};
    }
    match &c.props {
        Props::LambdaFunction(p) => write_back!(lambda::FUNCTION, LambdaFunction, p),
        Props::SqsQueue(p) => write_back!(messaging::QUEUE, SqsQueue, p),
        Props::SnsTopic(p) => write_back!(messaging::TOPIC, SnsTopic, p),
        Props::KinesisStream(p) => write_back!(messaging::STREAM, KinesisStream, p),
        Props::Firehose(p) => write_back!(messaging::DELIVERY_STREAM, Firehose, p),
        Props::S3Bucket(p) => write_back!(data_stores::BUCKET, S3Bucket, p),
        Props::DynamoDbTable(p) => write_back!(data_stores::TABLE, DynamoDbTable, p),
        Props::AuroraServerless(p) => write_back!(data_stores::AURORA, AuroraServerless, p),
        Props::Rds(p) => write_back!(data_stores::RDS, Rds, p),
        Props::ApiGateway(p) => match p.api_type {
            ApiType::Rest => write_back!(api_gateway::REST_API, ApiGateway, p),
            ApiType::Http => write_back!(api_gateway::HTTP_API, ApiGateway, p),
        },
        Props::Cognito(p) => write_back!(cognito::USER_POOL, Cognito, p),
        Props::Secret(p) => write_back!(crate::properties::secrets::SECRET, Secret, p),
        Props::VpcEndpoint(p) => {
            write_back!(crate::properties::vpc_endpoint::ENDPOINT, VpcEndpoint, p)
        }
        Props::EventBridgeRule(p) => write_back!(event_sources::RULE, EventBridgeRule, p),
        Props::EventBus(p) => write_back!(eventbridge::BUS, EventBus, p),
        Props::EventBridgePipe(p) => write_back!(eventbridge::PIPE, EventBridgePipe, p),
        // The kept resource's own properties say which of the two it is.
        Props::StepFunctions(p)
            if props.contains_key(crate::properties::step_functions::STATE_MACHINE_TYPE.path)
                || props.contains_key("RoleArn") =>
        {
            write_back!(
                crate::properties::step_functions::STATE_MACHINE,
                StepFunctions,
                p
            )
        }
        Props::StepFunctions(p) => write_back!(
            crate::properties::step_functions::SAM_STATE_MACHINE,
            StepFunctions,
            p
        ),
        Props::EcsCluster(p) => write_back!(ecs::CLUSTER, EcsCluster, p),
        Props::EcsService(p) => write_back!(ecs::SERVICE, EcsService, p),
        Props::TaskDefinition(p) => write_back!(ecs_task::TASK_DEFINITION, TaskDefinition, p),
        Props::Alb(p) => write_back!(load_balancing::LOAD_BALANCER, Alb, p),
        Props::Nlb(p) => write_back!(load_balancing::LOAD_BALANCER, Nlb, p),
        Props::EcrRepository(p) => write_back!(ecr::REPOSITORY, EcrRepository, p),
        Props::EksCluster(p) => write_back!(eks::CLUSTER, EksCluster, p),
        Props::EksNodeGroup(p) => write_back!(eks::NODE_GROUP, EksNodeGroup, p),
        Props::EksFargateProfile(p) => write_back!(eks::FARGATE_PROFILE, EksFargateProfile, p),
        // Import draws these with no resource of their own, with a
        // generic resource's properties kept as written, or (a capacity
        // provider's settings are spread over three resources) with none
        // of their fields read.
        Props::Client(_)
        | Props::ExternalRegistry(_)
        | Props::IamRole(_)
        | Props::Generic(_)
        | Props::Fargate(_)
        | Props::FargateSpot(_)
        | Props::Ec2AutoScalingGroup(_)
        | Props::EksWorkload(_)
        | Props::CloudFront(_)
        | Props::Ec2Instance(_)
        | Props::Clb(_)
        | Props::Lex(_)
        | Props::Alexa(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_any_follows_every_kind_of_reference() {
        let ids: HashSet<String> = ["Gone".to_string()].into();
        for v in [
            json!({"Ref": "Gone"}),
            json!({"Fn::GetAtt": ["Gone", "Arn"]}),
            json!({"Fn::Sub": "${Gone.Arn}/x"}),
            json!({"Fn::GetAtt": "Gone.Arn"}),
            json!({"Fn::Sub": ["${V}", {"V": {"Ref": "Gone"}}]}),
            json!({"DependsOn": ["A", "Gone"]}),
            json!({"Properties": {"X": [{"Ref": "Gone"}]}}),
        ] {
            assert!(names_any(&v, &ids), "{v}");
        }
        assert!(!names_any(&json!({"Ref": "Here", "Sub": "${Gone}"}), &ids));
        // A `Fn::Sub`'s own variable is not a resource.
        assert!(!names_any(
            &json!({"Fn::Sub": ["${Gone}", {"Gone": "x"}]}),
            &ids
        ));
        // Without DependsOn, a resource only waiting for one does not use it.
        assert!(!uses_any(
            &json!({"DependsOn": "Gone", "Properties": {}}),
            &ids
        ));
    }

    /// An edit is written as the template spells the field (task sizes are
    /// strings); what the user did not edit keeps what the template said,
    /// and a field cleared by the edit is removed.
    #[test]
    fn only_edited_fields_are_written_back() {
        use archsim_model::component::{LambdaProps, TaskDefinitionProps};
        use archsim_model::{ComponentKind as K, Props};
        let task = |cpu| TaskDefinitionProps {
            cpu,
            ..Default::default()
        };
        let before = serde_json::to_value(Props::TaskDefinition(task(256))).unwrap();
        let c =
            Component::new("t", "Task", K::TaskDefinition).with(Props::TaskDefinition(task(1024)));
        let mut res = json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": {"Ref": "Family"}, "Cpu": "256", "Memory": {"Ref": "Memory"}}});
        overlay(&c, &before, &mut res);
        assert_eq!(
            res["Properties"],
            json!({"Family": {"Ref": "Family"}, "Cpu": "1024", "Memory": {"Ref": "Memory"}})
        );

        let function = |reserved| LambdaProps {
            reserved_concurrency: reserved,
            ..Default::default()
        };
        let before = serde_json::to_value(Props::LambdaFunction(function(Some(5)))).unwrap();
        let c = Component::new("f", "Function", K::LambdaFunction)
            .with(Props::LambdaFunction(function(None)));
        let mut res =
            json!({"Properties": {"ReservedConcurrentExecutions": 5, "Runtime": "nodejs20.x"}});
        overlay(&c, &before, &mut res);
        assert_eq!(res["Properties"], json!({"Runtime": "nodejs20.x"}));
    }
}
