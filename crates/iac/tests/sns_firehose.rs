//! SNS -> Firehose subscriptions in templates: a topic's `Publishes` to a
//! delivery stream is written as an `AWS::SNS::Subscription` (protocol
//! `firehose`, the connection's filter policy) with the role SNS assumes
//! to write to exactly that stream; import draws the connection back
//! without drawing the role, export -> import -> export is
//! byte-identical (as one template and as three stacks), and the
//! templates pass cfn-lint, the SAM transform and (production) checkov.

mod common;

use archsim_iac::{
    ExportOptions, Flavour, Network, Syntax, export, export_layers, export_stacks, import,
    import_stack_files,
};
use archsim_model::component::*;
use archsim_model::edit::apply_op;
use archsim_model::filter_policy::{FilterPolicyScope, SubscriptionFilter};
use archsim_model::{ComponentKind as K, Connection, ConnectionKind, Design, ExportProfile, Op};
use serde_json::{Value, json};

const FLAVOURS: [Flavour; 2] = [Flavour::Sam, Flavour::CloudFormation];
const PROFILES: [ExportProfile; 2] = [ExportProfile::Sandbox, ExportProfile::Production];

/// Shop -> Orders topic; the topic feeds two delivery streams: Order
/// archive (only `order_placed` events, by a filter on the message
/// attributes) and Audit (every message), both into the Lake bucket.
fn design() -> Design {
    let mut d = common::design_of(
        "Order archive",
        vec![
            ("shop", "Shop", Props::Client(Default::default())),
            ("orders", "Orders", Props::SnsTopic(Default::default())),
            (
                "archive",
                "Order archive",
                Props::Firehose(Default::default()),
            ),
            ("audit", "Audit", Props::Firehose(Default::default())),
            ("lake", "Lake", Props::S3Bucket(Default::default())),
        ],
        Vec::new(),
    );
    let links = [
        ("shop", "orders"),
        ("orders", "archive"),
        ("orders", "audit"),
        ("archive", "lake"),
        ("audit", "lake"),
    ];
    for (i, (from, to)) in links.into_iter().enumerate() {
        let mut c = Connection::new(format!("c{i}"), from, to, ConnectionKind::Publishes);
        if to == "archive" {
            c = c.with_filter_policy(filter());
        }
        apply_op(&mut d, Op::Connect { connection: c }).unwrap();
    }
    d
}

fn filter() -> SubscriptionFilter {
    SubscriptionFilter::new(
        json!({"event": ["order_placed"]}),
        FilterPolicyScope::MessageAttributes,
    )
}

fn options(flavour: Flavour, profile: ExportProfile) -> ExportOptions {
    ExportOptions {
        flavour,
        profile: Some(profile),
        ..Default::default()
    }
}

/// The role SNS assumes to write to `stream`, and nothing more.
fn role(stream: &str) -> Value {
    json!({"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "OrdersPutRecords", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["firehose:DescribeDeliveryStream", "firehose:ListTagsForDeliveryStream",
                    "firehose:PutRecord", "firehose:PutRecordBatch"],
                "Resource": [{"Fn::GetAtt": [stream, "Arn"]}]}]}}]}})
}

#[test]
fn a_topic_subscribes_each_delivery_stream_through_a_role_that_may_write_to_it_only() {
    for (flavour, profile) in FLAVOURS.into_iter().flat_map(|f| PROFILES.map(|p| (f, p))) {
        let out = export(&design(), &options(flavour, profile)).unwrap();
        let res = out.value["Resources"].as_object().unwrap();
        let at = format!("{flavour:?} {profile:?}");
        assert_eq!(
            res["OrdersToOrderArchiveSubscription"],
            json!({"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": {"Ref": "Orders"}, "Protocol": "firehose",
                "Endpoint": {"Fn::GetAtt": ["OrderArchive", "Arn"]},
                "SubscriptionRoleArn": {"Fn::GetAtt": ["OrdersToOrderArchiveRole", "Arn"]},
                "FilterPolicy": {"event": ["order_placed"]}}}),
            "{at}"
        );
        // No filter on the connection, none on the subscription.
        assert_eq!(
            res["OrdersToAuditSubscription"],
            json!({"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": {"Ref": "Orders"}, "Protocol": "firehose",
                "Endpoint": {"Fn::GetAtt": ["Audit", "Arn"]},
                "SubscriptionRoleArn": {"Fn::GetAtt": ["OrdersToAuditRole", "Arn"]}}}),
            "{at}"
        );
        // The streams are not encrypted with the stack key, so the
        // production profile gives the roles nothing more.
        assert_eq!(
            res["OrdersToOrderArchiveRole"],
            role("OrderArchive"),
            "{at}"
        );
        assert_eq!(res["OrdersToAuditRole"], role("Audit"), "{at}");
        let subscriptions = res
            .values()
            .filter(|r| r["Type"] == "AWS::SNS::Subscription")
            .count();
        assert_eq!(subscriptions, 2, "{at}");
    }
}

#[test]
fn import_draws_the_subscription_with_its_filter_and_not_the_role_and_the_round_trip_is_byte_identical()
 {
    let original = design();
    for (flavour, profile) in FLAVOURS.into_iter().flat_map(|f| PROFILES.map(|p| (f, p))) {
        for syntax in [Syntax::Yaml, Syntax::Json] {
            let opts = ExportOptions {
                flavour,
                syntax,
                network: Network::Generated,
                profile: Some(profile),
            };
            let at = format!("{flavour:?} {syntax:?} {profile:?}");
            let first = export(&original, &opts).unwrap();
            let back = import(&first.template, "orders.yaml").unwrap();
            let d = &back.design;
            assert_eq!(
                common::edges(d),
                common::set(&[
                    "Orders -publishes-> OrderArchive",
                    "Orders -publishes-> Audit",
                    "OrderArchive -publishes-> Lake",
                    "Audit -publishes-> Lake",
                ]),
                "{at}"
            );
            let filtered: Vec<(&str, &SubscriptionFilter)> = d
                .connections()
                .filter_map(|c| Some((c.to.as_str(), c.filter_policy.as_ref()?)))
                .collect();
            assert_eq!(filtered, vec![("OrderArchive", &filter())], "{at}");
            // The design's components come back (the client is traffic,
            // not a resource); neither the subscription roles nor each
            // delivery stream's own delivery role are drawn.
            let mut drawn: Vec<(String, K)> =
                d.components().map(|c| (c.id.clone(), c.kind())).collect();
            drawn.sort();
            assert_eq!(
                drawn,
                vec![
                    ("Audit".to_string(), K::Firehose),
                    ("Lake".to_string(), K::S3Bucket),
                    ("OrderArchive".to_string(), K::Firehose),
                    ("Orders".to_string(), K::SnsTopic),
                ],
                "{at}"
            );
            for (role, subscription) in [
                (
                    "OrdersToOrderArchiveRole",
                    "OrdersToOrderArchiveSubscription",
                ),
                ("OrdersToAuditRole", "OrdersToAuditSubscription"),
            ] {
                let line = format!(
                    "{role} (AWS::IAM::Role): the role SNS assumes to deliver {subscription} to Firehose, not drawn"
                );
                assert!(
                    back.report.kept.contains(&line),
                    "{at}: {:?}",
                    back.report.kept
                );
            }
            let second = export(d, &opts).unwrap();
            assert_eq!(second.template, first.template, "{at}");
        }
    }
}

#[test]
fn in_three_stacks_the_subscription_goes_with_its_role_and_imports_back_the_same() {
    for flavour in FLAVOURS {
        let opts = options(flavour, ExportProfile::Production);
        let stacks = export_layers(&design(), &opts).unwrap();
        let holder = |id: &str| {
            stacks
                .iter()
                .find(|s| s.exported.value["Resources"].get(id).is_some())
                .map(|s| s.file.clone())
                .unwrap_or_else(|| panic!("{flavour:?}: {id} is in no stack"))
        };
        for stream in ["OrderArchive", "Audit"] {
            let subscription = holder(&format!("OrdersTo{stream}Subscription"));
            assert_eq!(
                subscription,
                holder(&format!("OrdersTo{stream}Role")),
                "{flavour:?}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let files = common::write_stacks(dir.path(), &stacks);
        let layered = import_stack_files(&files).unwrap();
        let single = import(&export(&design(), &opts).unwrap().template, "t.yaml").unwrap();
        assert_eq!(
            common::edges(&layered.design),
            common::edges(&single.design),
            "{flavour:?}"
        );
        assert!(
            layered
                .design
                .components()
                .all(|c| !c.id.starts_with("OrdersTo")),
            "{flavour:?}: a subscription's role is drawn"
        );
        let again = export_stacks(&layered.design, &opts).unwrap();
        assert_eq!(again.len(), stacks.len());
        for (a, b) in stacks.iter().zip(&again) {
            assert_eq!(
                a.exported.template, b.exported.template,
                "{flavour:?} {}",
                a.file
            );
        }
    }
}

/// A template archsim did not write: the role is told by what it is
/// (trusted by SNS alone, named by a subscription), not by its name; a
/// role another principal may assume too stays drawn.
#[test]
fn a_foreign_templates_subscription_role_is_kept_not_drawn() {
    let template = r#"
Resources:
  Events:
    Type: AWS::SNS::Topic
  Bucket:
    Type: AWS::S3::Bucket
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamType: DirectPut
      S3DestinationConfiguration:
        BucketARN: !GetAtt Bucket.Arn
        RoleARN: !GetAtt StreamRole.Arn
  StreamRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: firehose.amazonaws.com}
            Action: sts:AssumeRole
  SnsWriter:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: [sns.amazonaws.com]}
            Action: sts:AssumeRole
  SharedWriter:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: [sns.amazonaws.com, lambda.amazonaws.com]}
            Action: sts:AssumeRole
  Archive:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Events
      Protocol: firehose
      Endpoint: !GetAtt Stream.Arn
      SubscriptionRoleArn: !GetAtt SnsWriter.Arn
      FilterPolicyScope: MessageBody
      FilterPolicy: {kind: [audit]}
  Copy:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Events
      Protocol: firehose
      Endpoint: !GetAtt Stream.Arn
      SubscriptionRoleArn: !GetAtt SharedWriter.Arn
"#;
    let imported = common::assert_round_trips_as_written(template, "foreign.yaml");
    let d = &imported.design;
    assert!(
        d.component("SnsWriter").is_none(),
        "the subscription's role is drawn"
    );
    assert_eq!(
        d.component("SharedWriter").map(|c| c.kind()),
        Some(K::IamRole)
    );
    assert!(
        imported.report.kept.contains(
            &"SnsWriter (AWS::IAM::Role): the role SNS assumes to deliver Archive to Firehose, not drawn"
                .to_string()
        ),
        "{:?}",
        imported.report.kept
    );
    let sub = d
        .connections()
        .find(|c| c.from == "Events" && c.to == "Stream")
        .expect("Events -> Stream");
    assert_eq!(sub.kind, ConnectionKind::Publishes);
    assert_eq!(
        sub.filter_policy,
        Some(SubscriptionFilter::new(
            json!({"kind": ["audit"]}),
            FilterPolicyScope::MessageBody
        ))
    );
}

#[test]
fn an_edited_filter_policy_is_written_back_onto_the_imported_subscription() {
    let opts = options(Flavour::CloudFormation, ExportProfile::Sandbox);
    let first = export(&design(), &opts).unwrap();
    let mut d = import(&first.template, "orders.yaml").unwrap().design;
    let id = d
        .connections()
        .find(|c| c.from == "Orders" && c.to == "Audit")
        .map(|c| c.id.clone())
        .unwrap();
    apply_op(
        &mut d,
        Op::SetProperty {
            id,
            path: "filter_policy".into(),
            value: json!({"policy": {"order": {"total": [{"numeric": [">=", 1000]}]}}, "scope": "MessageBody"}),
        },
    )
    .unwrap();
    let out = export(&d, &opts).unwrap();
    let res = out.value["Resources"].as_object().unwrap();
    assert_eq!(
        res["OrdersToAuditSubscription"]["Properties"],
        json!({"TopicArn": {"Ref": "Orders"}, "Protocol": "firehose",
            "Endpoint": {"Fn::GetAtt": ["Audit", "Arn"]},
            "SubscriptionRoleArn": {"Fn::GetAtt": ["OrdersToAuditRole", "Arn"]},
            "FilterPolicy": {"order": {"total": [{"numeric": [">=", 1000]}]}},
            "FilterPolicyScope": "MessageBody"})
    );
    assert_eq!(res["OrdersToAuditRole"], role("Audit"));
    assert_eq!(
        res["OrdersToOrderArchiveSubscription"],
        first.value["Resources"]["OrdersToOrderArchiveSubscription"]
    );
}

#[test]
fn deleting_an_imported_stream_takes_its_subscription_and_role_with_it() {
    let opts = options(Flavour::CloudFormation, ExportProfile::Sandbox);
    let first = export(&design(), &opts).unwrap();
    let mut d = import(&first.template, "orders.yaml").unwrap().design;
    apply_op(&mut d, Op::RemoveComponent { id: "Audit".into() }).unwrap();
    let out = export(&d, &opts).unwrap();
    let res = out.value["Resources"].as_object().unwrap();
    for gone in ["Audit", "OrdersToAuditSubscription", "OrdersToAuditRole"] {
        assert!(!res.contains_key(gone), "{gone} is still written");
    }
    assert_eq!(res["OrdersToOrderArchiveRole"], role("OrderArchive"));
    assert!(res.contains_key("OrdersToOrderArchiveSubscription"));
}

#[test]
fn the_exports_pass_cfn_lint_the_sam_transform_and_checkov() {
    if common::skip_validators() {
        eprintln!("skipped: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let production = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut sam = Vec::new();
    for (flavour, profile) in FLAVOURS.into_iter().flat_map(|f| PROFILES.map(|p| (f, p))) {
        let out = export(&design(), &options(flavour, profile)).unwrap();
        let name = format!("orders-{}-{flavour:?}", profile.slug());
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, &out.template).expect("write template");
        match (flavour, profile) {
            (Flavour::Sam, ExportProfile::Production) => sam.push((
                file.clone(),
                production.path().join(format!("{name}.transformed.json")),
            )),
            (Flavour::Sam, _) => {
                sam.push((file.clone(), file.with_extension("transformed.json")));
            }
            (_, ExportProfile::Production) => {
                std::fs::write(
                    production.path().join(format!("{name}.yaml")),
                    &out.template,
                )
                .expect("write template");
            }
            _ => {}
        }
        files.push(file);
    }
    // And the three stacks of a layered export.
    for flavour in FLAVOURS {
        let stacks =
            export_layers(&design(), &options(flavour, ExportProfile::Production)).unwrap();
        for s in stacks {
            let file = dir.path().join(format!("layers-{flavour:?}-{}", s.file));
            std::fs::write(&file, &s.exported.template).expect("write template");
            if flavour == Flavour::Sam {
                sam.push((file.clone(), file.with_extension("transformed.json")));
            }
            files.push(file);
        }
    }
    common::assert_templates_lint_clean(&sam, &files);
    common::assert_checkov_clean(production.path(), "the production exports");
}
