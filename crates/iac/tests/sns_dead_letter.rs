//! SNS subscription dead-letter queues in templates: a topic's
//! `DeadLetter` connection to a queue is written as the `RedrivePolicy`
//! of each of its subscriptions (queue, function and delivery stream; a
//! SAM function's `SNS` event carries it through) with a queue policy
//! that lets exactly that topic send to the queue; import draws the same
//! connection back, and export -> import -> export is byte-identical. A
//! queue with several senders gets one policy holding them all.

mod common;

use archsim_iac::{ExportOptions, Flavour, Network, Syntax, export, import};
use archsim_model::component::*;
use archsim_model::connection::InvokeMode;
use archsim_model::edit::apply_op;
use archsim_model::{ConnectionKind, Design, ExportProfile, Op};
use serde_json::{Value, json};

const FLAVOURS: [Flavour; 2] = [Flavour::Sam, Flavour::CloudFormation];

/// Shop -> Orders topic; the topic feeds the Billing queue, the Mailer
/// function and the Archive delivery stream, and what it cannot deliver
/// goes to the Undelivered queue.
fn design() -> Design {
    common::design_of(
        "Orders",
        vec![
            ("shop", "Shop", Props::Client(Default::default())),
            ("orders", "Orders", Props::SnsTopic(Default::default())),
            ("billing", "Billing", Props::SqsQueue(Default::default())),
            (
                "mailer",
                "Mailer",
                Props::LambdaFunction(Default::default()),
            ),
            ("archive", "Archive", Props::Firehose(Default::default())),
            (
                "undelivered",
                "Undelivered",
                Props::SqsQueue(Default::default()),
            ),
        ],
        vec![
            ("shop", "orders", ConnectionKind::Publishes),
            ("orders", "billing", ConnectionKind::Publishes),
            (
                "orders",
                "mailer",
                ConnectionKind::Invoke {
                    mode: InvokeMode::Async,
                },
            ),
            ("orders", "archive", ConnectionKind::Publishes),
            ("orders", "undelivered", ConnectionKind::DeadLetter),
        ],
    )
}

fn options(flavour: Flavour, syntax: Syntax) -> ExportOptions {
    ExportOptions {
        flavour,
        syntax,
        network: Network::Generated,
        profile: Some(ExportProfile::Sandbox),
    }
}

#[test]
fn every_subscription_of_the_topic_sends_what_it_cannot_deliver_to_the_queue_the_topic_alone_may_write_to()
 {
    let redrive = json!({"deadLetterTargetArn": {"Fn::GetAtt": ["Undelivered", "Arn"]}});
    for flavour in FLAVOURS {
        let out = export(&design(), &options(flavour, Syntax::Yaml)).unwrap();
        let res = out.value["Resources"].as_object().unwrap();
        for sub in ["OrdersToBillingSubscription", "OrdersToArchiveSubscription"] {
            assert_eq!(
                res[sub]["Properties"]["RedrivePolicy"], redrive,
                "{flavour:?} {sub}"
            );
        }
        let mailer = match flavour {
            Flavour::Sam => &res["Mailer"]["Properties"]["Events"]["OrdersMessage"]["Properties"],
            Flavour::CloudFormation => &res["MailerOrdersSubscription"]["Properties"],
        };
        assert_eq!(mailer["RedrivePolicy"], redrive, "{flavour:?}");
        assert_eq!(
            res["UndeliveredFromOrdersDeadLetterPolicy"],
            json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                "Queues": [{"Ref": "Undelivered"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": {"Fn::GetAtt": ["Undelivered", "Arn"]},
                    "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "Orders"}}}}]}}}),
            "{flavour:?}"
        );
        // The dead-letter queue is no subscriber.
        assert!(
            res.values()
                .all(|r| r["Properties"]["Endpoint"]
                    != json!({"Fn::GetAtt": ["Undelivered", "Arn"]})),
            "{flavour:?}"
        );
        assert!(
            out.notes.iter().all(|n| !n.contains("Undelivered")),
            "{flavour:?}: {:?}",
            out.notes
        );
    }
}

#[test]
fn import_draws_the_dead_letter_queue_back_and_the_round_trip_is_byte_identical() {
    for flavour in FLAVOURS {
        for syntax in [Syntax::Yaml, Syntax::Json] {
            let opts = options(flavour, syntax);
            let at = format!("{flavour:?} {syntax:?}");
            let first = export(&design(), &opts).unwrap();
            let back = import(&first.template, "orders.yaml").unwrap();
            let edges = common::edges(&back.design);
            for edge in [
                "Orders -dead_letter-> Undelivered",
                "Orders -publishes-> Billing",
                "Orders -invoke_async-> Mailer",
                "Orders -publishes-> Archive",
            ] {
                assert!(edges.contains(edge), "{at}: {edge} not in {edges:?}");
            }
            let from_topic = back.design.outgoing("Orders").len();
            assert_eq!(from_topic, 4, "{at}: {edges:?}");
            let second = export(&back.design, &opts).unwrap();
            assert_eq!(second.template, first.template, "{at}");
        }
    }
}

#[test]
fn a_dead_letter_queue_of_a_topic_with_no_subscription_is_said_in_the_notes() {
    let mut d = design();
    for id in ["c1", "c2", "c3"] {
        apply_op(&mut d, Op::Disconnect { id: id.into() }).unwrap();
    }
    for flavour in FLAVOURS {
        let out = export(&d, &options(flavour, Syntax::Yaml)).unwrap();
        assert_eq!(
            out.notes
                .iter()
                .filter(|n| n.starts_with("Orders -> Undelivered: the topic has no subscription"))
                .count(),
            1,
            "{flavour:?}: {:?}",
            out.notes
        );
        let res = out.value["Resources"].as_object().unwrap();
        assert!(res.get("UndeliveredFromOrdersDeadLetterPolicy").is_none());
    }
}

#[test]
fn the_templates_pass_cfn_lint_and_the_sam_transform() {
    if common::skip_validators() {
        eprintln!("ARCHSIM_SKIP_CFN_LINT=1: cfn-lint and the SAM transform skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut sam = Vec::new();
    for (flavour, (name, d)) in FLAVOURS
        .into_iter()
        .flat_map(|f| [("orders", design()), ("shared", shared_queue())].map(|d| (f, d)))
    {
        let out = export(&d, &options(flavour, Syntax::Yaml)).unwrap();
        let p = dir.path().join(format!("{name}-{flavour:?}.yaml"));
        std::fs::write(&p, &out.template).unwrap();
        match flavour {
            Flavour::Sam => sam.push((p.clone(), dir.path().join(format!("{name}-sam-out.json")))),
            Flavour::CloudFormation => files.push(p),
        }
    }
    common::assert_templates_lint_clean(&sam, &files);
}

/// A queue that is one topic's subscriber, another's dead-letter queue
/// and a bucket's notification target gets one queue policy with the
/// three statements (several policies on one queue would each replace
/// the queue's whole policy), and the bucket waits for that one.
#[test]
fn one_queue_has_one_policy_however_many_senders_it_has() {
    let d = shared_queue();
    for flavour in FLAVOURS {
        let out = export(&d, &options(flavour, Syntax::Yaml)).unwrap();
        let res = out.value["Resources"].as_object().unwrap();
        let policies: Vec<&String> = res
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::SQS::QueuePolicy")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(policies, vec!["InboxFromOrdersPolicy"], "{flavour:?}");
        let senders: Vec<Value> =
            res["InboxFromOrdersPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["Principal"]["Service"].clone())
                .collect();
        assert_eq!(
            senders,
            vec![
                json!("sns.amazonaws.com"),
                json!("sns.amazonaws.com"),
                json!("s3.amazonaws.com")
            ],
            "{flavour:?}"
        );
        assert_eq!(
            res["Uploads"]["DependsOn"],
            json!(["InboxFromOrdersPolicy"]),
            "{flavour:?}"
        );
        let back = import(&out.template, "shared.yaml").unwrap();
        let edges = common::edges(&back.design);
        for edge in [
            "Orders -publishes-> Inbox",
            "Refunds -dead_letter-> Inbox",
            "Uploads -publishes-> Inbox",
        ] {
            assert!(edges.contains(edge), "{flavour:?}: {edge} not in {edges:?}");
        }
        let again = export(&back.design, &options(flavour, Syntax::Yaml)).unwrap();
        assert_eq!(again.template, out.template, "{flavour:?}");
    }
}

/// Orders -> Inbox (a subscription); Refunds -> Mailer, with Inbox as the
/// subscription's dead-letter queue; Uploads notifies Inbox.
fn shared_queue() -> Design {
    common::design_of(
        "Shared queue",
        vec![
            ("orders", "Orders", Props::SnsTopic(Default::default())),
            ("refunds", "Refunds", Props::SnsTopic(Default::default())),
            (
                "mailer",
                "Mailer",
                Props::LambdaFunction(Default::default()),
            ),
            ("uploads", "Uploads", Props::S3Bucket(Default::default())),
            ("inbox", "Inbox", Props::SqsQueue(Default::default())),
        ],
        vec![
            ("orders", "inbox", ConnectionKind::Publishes),
            (
                "refunds",
                "mailer",
                ConnectionKind::Invoke {
                    mode: InvokeMode::Async,
                },
            ),
            ("refunds", "inbox", ConnectionKind::DeadLetter),
            ("uploads", "inbox", ConnectionKind::Publishes),
        ],
    )
}
