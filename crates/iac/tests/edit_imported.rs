//! An imported design edited on the canvas: changed properties are written
//! back onto the kept resources, deleted components take their resource
//! with them, added components are generated and appended; the layout puts
//! sources left, compute in the middle and data right.

mod common;

use std::path::Path;

use archsim_iac::{ExportOptions, export, import_file};
use archsim_model::edit::apply_op;
use archsim_model::{Component, ComponentKind as K, Op};
use serde_json::json;

/// One of our own templates (`tests/iac/templates`).
fn own(file: &str) -> archsim_iac::Imported {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/iac/templates")
        .join(file);
    import_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn sqs_lambda() -> archsim_iac::Imported {
    own("sqs-lambda-worker.yaml")
}

#[test]
fn edits_are_written_back_and_nothing_else_changes() {
    let imported = sqs_lambda();
    let mut design = imported.design;
    let before = export(&design, &ExportOptions::default()).unwrap();
    let function = design
        .components_of(K::LambdaFunction)
        .next()
        .unwrap()
        .id
        .clone();
    apply_op(
        &mut design,
        Op::SetProperty {
            id: function.clone(),
            path: "memory_mb".into(),
            value: json!(1024),
        },
    )
    .unwrap();
    let after = export(&design, &ExportOptions::default()).unwrap();
    assert_eq!(
        after.value["Resources"][&function]["Properties"]["MemorySize"],
        json!(1024)
    );
    // Everything else is as it was: the runtime the template names
    // (newer than the model's) and the timeout stay as written.
    let mut expected = before.value.clone();
    expected["Resources"][&function]["Properties"]["MemorySize"] = json!(1024);
    assert_eq!(after.value, expected);
    assert_eq!(
        after.value["Resources"][&function]["Properties"]["Runtime"],
        before.value["Resources"][&function]["Properties"]["Runtime"]
    );
}

#[test]
fn deleted_components_are_dropped_and_added_ones_generated() {
    let imported = sqs_lambda();
    let mut design = imported.design;
    let queue = design.components_of(K::SqsQueue).next().unwrap().id.clone();
    let function = design
        .components_of(K::LambdaFunction)
        .next()
        .unwrap()
        .id
        .clone();
    apply_op(
        &mut design,
        Op::AddComponent {
            component: Component::new("audit", "Audit table", K::DynamoDbTable),
        },
    )
    .unwrap();
    let out = export(&design, &ExportOptions::default()).unwrap();
    let resources = out.value["Resources"].as_object().unwrap();
    assert_eq!(resources["AuditTable"]["Type"], "AWS::DynamoDB::Table");
    assert!(resources.contains_key(&queue));

    apply_op(
        &mut design,
        Op::RemoveComponent {
            id: function.clone(),
        },
    )
    .unwrap();
    let out = export(&design, &ExportOptions::default()).unwrap();
    assert!(
        !out.value["Resources"]
            .as_object()
            .unwrap()
            .contains_key(&function)
    );
}

#[test]
fn layout_puts_sources_left_compute_middle_data_right() {
    let d = own("sam-event-sources.yaml").design;
    let x = |kind: K| {
        d.components_of(kind)
            .map(|c| c.position.x)
            .next()
            .unwrap_or_else(|| panic!("no {kind:?}"))
    };
    assert!(x(K::ApiGateway) < x(K::LambdaFunction));
    assert!(x(K::LambdaFunction) < x(K::DynamoDbTable));
    // No two components share a place.
    let mut places: Vec<(i64, i64)> = d
        .components()
        .map(|c| (c.position.x as i64, c.position.y as i64))
        .collect();
    let n = places.len();
    places.sort();
    places.dedup();
    assert_eq!(places.len(), n);
}

#[test]
fn a_component_named_like_a_generated_resource_gets_its_own_id() {
    use archsim_iac::Flavour;
    let mut d = archsim_model::Design::new("clash");
    for (id, name, kind) in [
        ("f", "Orders", K::LambdaFunction),
        ("t", "Orders Role", K::DynamoDbTable),
    ] {
        apply_op(
            &mut d,
            Op::AddComponent {
                component: Component::new(id, name, kind),
            },
        )
        .unwrap();
    }
    let out = export(
        &d,
        &ExportOptions {
            flavour: Flavour::CloudFormation,
            ..Default::default()
        },
    )
    .unwrap();
    let r = out.value["Resources"].as_object().unwrap();
    assert_eq!(r["OrdersRole"]["Type"], "AWS::IAM::Role");
    assert_eq!(r["OrdersRole2"]["Type"], "AWS::DynamoDB::Table");
    assert_eq!(r["Orders"]["Type"], "AWS::Lambda::Function");
}

#[test]
fn task_sizes_are_written_back_as_cloudformation_spells_them() {
    let mut design = own("alb-fargate-paths.yaml").design;
    apply_op(
        &mut design,
        Op::SetProperty {
            id: "OrdersTask".into(),
            path: "cpu".into(),
            value: json!(1024),
        },
    )
    .unwrap();
    let out = export(&design, &ExportOptions::default()).unwrap();
    let props = &out.value["Resources"]["OrdersTask"]["Properties"];
    assert_eq!(props["Cpu"], json!("1024"));
    assert_eq!(props["Memory"], json!("1024"), "unchanged");
    // The !If in the image is still there.
    assert!(props["ContainerDefinitions"][0]["Image"]["Fn::Sub"].is_array());
}

#[test]
fn a_load_balancer_added_to_an_imported_production_template_brings_its_log_bucket() {
    use archsim_iac::{Flavour, import};
    use archsim_model::ExportProfile;
    let (_, design) = common::examples()
        .into_iter()
        .find(|(n, _)| n == "queue-worker")
        .expect("the queue worker example");
    let opts = ExportOptions {
        flavour: Flavour::CloudFormation,
        profile: Some(ExportProfile::Production),
        ..Default::default()
    };
    let first = export(&design, &opts).unwrap();
    assert!(
        first.value.get("Mappings").is_none(),
        "no load balancer yet"
    );
    let mut back = import(&first.template, "worker.yaml").unwrap().design;
    assert_eq!(back.export_profile, ExportProfile::Production);
    apply_op(
        &mut back,
        Op::AddComponent {
            component: Component::new("edge", "Edge", K::Alb),
        },
    )
    .unwrap();
    let out = export(&back, &opts).unwrap();
    let r = out.value["Resources"].as_object().unwrap();
    assert_eq!(
        r["Edge"]["Type"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer"
    );
    assert_eq!(r["AccessLogBucket"]["Type"], "AWS::S3::Bucket");
    // The bucket policy finds the log delivery account in the mapping the
    // added load balancer brought along.
    assert!(
        out.value["Mappings"]["ElbLogDeliveryAccount"]["us-east-1"]["Account"].is_string(),
        "{}",
        out.template
    );
    // The kept key is written back as it was, not replaced.
    assert_eq!(r["StackKey"], first.value["Resources"]["StackKey"]);
}

/// A topic with a queue subscription (CloudFormation, its policy as JSON
/// text) and a SAM function subscribed by its `SNS` event, the second
/// policy written with a parameter (an intrinsic: not read).
const SUBSCRIPTIONS: &str = r#"Transform: AWS::Serverless-2016-10-31
Parameters:
  Region:
    Type: String
    Default: eu
Resources:
  Orders:
    Type: AWS::SNS::Topic
  Inbox:
    Type: AWS::SQS::Queue
  InboxSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt Inbox.Arn
      FilterPolicy: '{"event": ["order_placed"]}'
  Billing:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      InlineCode: "def handler(e, c): return e"
      Events:
        Orders:
          Type: SNS
          Properties:
            Topic: !Ref Orders
            FilterPolicy:
              region: [!Ref Region]
"#;

#[test]
fn an_edited_filter_policy_is_written_back_and_one_not_read_is_kept() {
    let imported = archsim_iac::import(SUBSCRIPTIONS, "t.yaml").unwrap();
    // The policy given as an intrinsic is kept, and the report says so.
    assert!(
        imported
            .report
            .kept
            .iter()
            .any(|k| k.contains("filter policy is not a JSON object archsim reads")),
        "{:?}",
        imported.report.kept
    );
    let mut design = imported.design;
    let sub = |d: &archsim_model::Design, to: &str| {
        d.connections()
            .find(|c| c.from == "Orders" && c.to == to)
            .unwrap()
            .clone()
    };
    assert_eq!(
        sub(&design, "Inbox").filter_policy.unwrap().policy,
        json!({"event": ["order_placed"]})
    );
    assert!(sub(&design, "Billing").filter_policy.is_none());
    let before = export(&design, &ExportOptions::default()).unwrap();
    for (to, filter) in [
        (
            "Inbox",
            json!({"policy": {"event": ["order_placed", "order_cancelled"]}, "scope": "MessageBody"}),
        ),
        ("Billing", json!({"policy": {"region": ["eu"]}})),
    ] {
        let id = sub(&design, to).id;
        apply_op(
            &mut design,
            Op::SetProperty {
                id,
                path: "filter_policy".into(),
                value: filter,
            },
        )
        .unwrap();
    }
    let after = export(&design, &ExportOptions::default()).unwrap();
    let r = &after.value["Resources"];
    assert_eq!(
        r["InboxSubscription"]["Properties"]["FilterPolicy"],
        json!({"event": ["order_placed", "order_cancelled"]})
    );
    assert_eq!(
        r["InboxSubscription"]["Properties"]["FilterPolicyScope"],
        json!("MessageBody")
    );
    assert_eq!(
        r["Billing"]["Properties"]["Events"]["Orders"]["Properties"]["FilterPolicy"],
        json!({"region": ["eu"]})
    );
    // Nothing else moved.
    let mut expected = before.value.clone();
    expected["Resources"]["InboxSubscription"]["Properties"]["FilterPolicy"] =
        json!({"event": ["order_placed", "order_cancelled"]});
    expected["Resources"]["InboxSubscription"]["Properties"]["FilterPolicyScope"] =
        json!("MessageBody");
    expected["Resources"]["Billing"]["Properties"]["Events"]["Orders"]["Properties"]["FilterPolicy"] =
        json!({"region": ["eu"]});
    assert_eq!(after.value, expected);
    // Removing a policy removes it from the template.
    let id = sub(&design, "Inbox").id;
    apply_op(
        &mut design,
        Op::SetProperty {
            id,
            path: "filter_policy".into(),
            value: json!(null),
        },
    )
    .unwrap();
    let cleared = export(&design, &ExportOptions::default()).unwrap();
    let props = &cleared.value["Resources"]["InboxSubscription"]["Properties"];
    assert!(props.get("FilterPolicy").is_none() && props.get("FilterPolicyScope").is_none());
}

/// Deleting a function of an imported design of our own export takes its
/// own role (not drawn) with it, and nothing another component uses.
#[test]
fn a_deleted_function_takes_its_own_role_and_nothing_else() {
    let (_, design) = common::examples()
        .into_iter()
        .find(|(n, _)| n == "queue-worker")
        .expect("the queue-worker example");
    let opts = ExportOptions {
        flavour: archsim_iac::Flavour::CloudFormation,
        ..Default::default()
    };
    let first = export(&design, &opts).unwrap();
    let back = archsim_iac::import(&first.template, "queue-worker.yaml").unwrap();
    let mut d = back.design;
    assert!(d.component("AcceptJob").is_some());
    assert!(
        d.component("AcceptJobRole").is_none(),
        "the function's own role is not drawn"
    );
    apply_op(
        &mut d,
        Op::RemoveComponent {
            id: "AcceptJob".into(),
        },
    )
    .unwrap();
    let out = export(&d, &opts).unwrap();
    let before: std::collections::BTreeSet<&String> = first.value["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let after: std::collections::BTreeSet<&String> =
        out.value["Resources"].as_object().unwrap().keys().collect();
    let removed: Vec<&str> = before.difference(&after).map(|s| s.as_str()).collect();
    // The function, what served it (its permission, the API's
    // integration and route to it) and its own role; the API's stage,
    // which waited for the route, stays without that DependsOn.
    assert_eq!(
        removed,
        [
            "AcceptJob",
            "AcceptJobJobsAPIPermission",
            "AcceptJobRole",
            "JobsAPIAcceptJobIntegration",
            "JobsAPIAcceptJobRoute"
        ]
    );
    assert!(
        out.notes
            .iter()
            .any(|n| n == "AcceptJobRole: removed (only deleted components used it)"),
        "{:#?}",
        out.notes
    );
    let stage = &out.value["Resources"]["JobsAPIStage"];
    assert_eq!(
        first.value["Resources"]["JobsAPIStage"]["DependsOn"],
        json!(["JobsAPIAcceptJobRoute"])
    );
    assert!(stage.get("DependsOn").is_none(), "{stage}");
    assert_eq!(
        stage["Properties"],
        first.value["Resources"]["JobsAPIStage"]["Properties"]
    );
    if common::skip_validators() {
        eprintln!("cfn-lint skipped: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, &out.template).expect("write template");
    common::assert_templates_lint_clean(&[], &[file]);
}
