//! A bucket publishing to an EventBridge rule: the export turns on the
//! bucket's EventBridge notifications when the rule's pattern matches S3's
//! events on the default bus (and says why not otherwise); import draws
//! the connection back and the round trip is byte-identical.

mod common;

use archsim_iac::{ExportOptions, Flavour, export, import};
use archsim_model::component::{EventBridgeRuleProps, LambdaProps, S3BucketProps};
use archsim_model::{ConnectionKind, Meaning, Props};

fn design(pattern: &str) -> archsim_model::Design {
    common::design_of(
        "uploads",
        vec![
            (
                "uploads",
                "Uploads",
                Props::S3Bucket(S3BucketProps::default()),
            ),
            (
                "created",
                "Object created",
                Props::EventBridgeRule(EventBridgeRuleProps {
                    schedule: if pattern.is_empty() {
                        "rate(5 minutes)".into()
                    } else {
                        String::new()
                    },
                    event_pattern: pattern.into(),
                    event_bus: "default".into(),
                }),
            ),
            (
                "index",
                "Index",
                Props::LambdaFunction(LambdaProps::default()),
            ),
        ],
        vec![
            ("uploads", "created", ConnectionKind::Publishes),
            ("created", "index", Meaning::InvokeAsync.default_kind()),
        ],
    )
}

#[test]
fn a_bucket_sends_its_events_to_a_rule_matching_them_and_it_comes_back() {
    let d = design(r#"{"source": ["aws.s3"], "detail-type": ["Object Created"]}"#);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut sam = Vec::new();
    for flavour in [Flavour::CloudFormation, Flavour::Sam] {
        let opts = ExportOptions {
            flavour,
            ..Default::default()
        };
        let out = export(&d, &opts).unwrap();
        assert_eq!(
            out.value["Resources"]["Uploads"]["Properties"]["NotificationConfiguration"],
            serde_json::json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}}),
            "{flavour:?}"
        );
        assert!(
            !out.notes
                .iter()
                .any(|n| n.starts_with("Uploads -> Object created")),
            "{:?}",
            out.notes
        );
        let back = import(&out.template, "uploads.yaml").unwrap();
        // (SAM writes the rule as the function's event, named after both.)
        let rule = match flavour {
            Flavour::Sam => "IndexObjectCreated",
            _ => "ObjectCreated",
        };
        let edges = common::edges(&back.design);
        assert!(
            edges.contains(&format!("Uploads -publishes-> {rule}")),
            "{flavour:?}: {edges:#?}"
        );
        assert_eq!(export(&back.design, &opts).unwrap().template, out.template);
        let file = dir.path().join(format!("{flavour:?}.yaml"));
        std::fs::write(&file, &out.template).unwrap();
        if flavour == Flavour::Sam {
            sam.push((file.clone(), file.with_extension("transformed.json")));
        } else {
            files.push(file);
        }
    }
    if common::skip_validators() {
        eprintln!("skipped cfn-lint and the SAM transform: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    common::assert_templates_lint_clean(&sam, &files);
}

/// A schedule rule, or a pattern S3's events do not match, gets nothing
/// from the bucket: the export says so and turns nothing on.
#[test]
fn a_rule_that_cannot_match_s3_events_is_said_in_the_notes() {
    for (pattern, what) in [("", "schedule"), (r#"{"source": ["orders"]}"#, "pattern")] {
        let out = export(&design(pattern), &ExportOptions::default()).unwrap();
        assert!(
            out.value["Resources"]["Uploads"]["Properties"]
                .get("NotificationConfiguration")
                .is_none()
        );
        let note = format!(
            "Uploads -> Object created: a bucket's events reach the default event bus, where this rule's {what} does not match them; give the rule a pattern with \"source\": [\"aws.s3\"] on the default bus"
        );
        assert!(out.notes.contains(&note), "{:#?}", out.notes);
    }
}
