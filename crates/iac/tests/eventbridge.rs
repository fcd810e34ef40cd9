//! EventBridge custom buses and Pipes in templates: a rule on a bus names
//! it (`EventBusName: !Ref Bus`, in a SAM `EventBridgeRule` event too),
//! a producer may put events on exactly that bus, a pipe's role may do
//! exactly what the pipe does; import draws them back, and export ->
//! import -> export is byte-identical.

mod common;

use archsim_iac::{ExportOptions, Flavour, export, import};
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, StartingPosition};
use archsim_model::edit::apply_op;
use archsim_model::{Component, Connection, Design, Meaning, Op};
use common::set;
use serde_json::{Value, json};

fn design() -> Design {
    let mut d = Design::new("Orders events");
    let mut add = |id: &str, name: &str, props: Props| {
        apply_op(
            &mut d,
            Op::AddComponent {
                component: Component::new(id, name, props.kind()).with(props),
            },
        )
        .unwrap();
    };
    add(
        "checkout",
        "Checkout",
        Props::LambdaFunction(LambdaProps::default()),
    );
    add(
        "bus",
        "Orders bus",
        Props::EventBus(EventBusProps::default()),
    );
    add(
        "placed",
        "Order placed",
        Props::EventBridgeRule(EventBridgeRuleProps {
            schedule: String::new(),
            event_pattern: r#"{"source":["shop.orders"]}"#.into(),
            ..Default::default()
        }),
    );
    add(
        "billing",
        "Billing",
        Props::LambdaFunction(LambdaProps::default()),
    );
    add(
        "outbox",
        "Outbox",
        Props::SqsQueue(SqsQueueProps::default()),
    );
    add(
        "relay",
        "Outbox relay",
        Props::EventBridgePipe(PipeProps {
            filter_patterns: vec![r#"{"body":{"type":["NEW"]}}"#.into()],
            input_template: r#"{"id": <$.body.id>}"#.into(),
            ..Default::default()
        }),
    );
    add(
        "enrich",
        "Enrich",
        Props::LambdaFunction(LambdaProps::default()),
    );
    let links = [
        ("checkout", "bus", ConnectionKind::Publishes),
        ("bus", "placed", ConnectionKind::Publishes),
        ("placed", "billing", Meaning::InvokeAsync.default_kind()),
        ("checkout", "outbox", ConnectionKind::Publishes),
        (
            "outbox",
            "relay",
            ConnectionKind::Poll {
                batch_size: 100,
                batching_window_s: 5,
                parallelization_factor: 1,
                max_concurrency: None,
                starting_position: StartingPosition::Latest,
            },
        ),
        (
            "relay",
            "enrich",
            ConnectionKind::Uses {
                access: Access::Read,
            },
        ),
        ("relay", "bus", ConnectionKind::Publishes),
    ];
    for (i, (from, to, kind)) in links.into_iter().enumerate() {
        apply_op(
            &mut d,
            Op::Connect {
                connection: Connection::new(format!("c{i}"), from, to, kind),
            },
        )
        .unwrap();
    }
    d
}

fn resources(v: &Value) -> &serde_json::Map<String, Value> {
    v["Resources"].as_object().unwrap()
}

/// Every statement of every policy in `v`.
fn statements(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(s)) = m.get("Statement") {
                out.extend(s.iter().cloned());
            }
            m.values().for_each(|c| statements(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| statements(c, out)),
        _ => {}
    }
}

#[test]
fn a_rule_names_its_bus_and_producers_may_put_events_on_exactly_it() {
    for flavour in [Flavour::Sam, Flavour::CloudFormation] {
        let out = export(
            &design(),
            &ExportOptions {
                flavour,
                ..Default::default()
            },
        )
        .unwrap();
        let res = resources(&out.value);
        assert_eq!(res["OrdersBus"]["Type"], "AWS::Events::EventBus");
        let bus_name = match flavour {
            // Its only target is a function: SAM writes the rule as the
            // function's event.
            Flavour::Sam => {
                &res["Billing"]["Properties"]["Events"]["OrderPlaced"]["Properties"]["EventBusName"]
            }
            Flavour::CloudFormation => &res["OrderPlaced"]["Properties"]["EventBusName"],
        };
        assert_eq!(bus_name, &json!({"Ref": "OrdersBus"}), "{flavour:?}");
        let mut all = Vec::new();
        statements(&out.value, &mut all);
        let put: Vec<&Value> = all
            .iter()
            .filter(|s| s["Action"].to_string().contains("events:PutEvents"))
            .collect();
        assert!(!put.is_empty(), "{flavour:?}");
        for s in put {
            assert_eq!(
                s["Resource"],
                json!([{"Fn::GetAtt": ["OrdersBus", "Arn"]}]),
                "{flavour:?}"
            );
        }
    }
}

#[test]
fn a_pipes_role_reads_its_source_calls_its_enrichment_and_delivers_to_its_target_only() {
    let out = export(&design(), &ExportOptions::default()).unwrap();
    let res = resources(&out.value);
    let pipe = &res["OutboxRelay"]["Properties"];
    assert_eq!(pipe["Source"], json!({"Fn::GetAtt": ["Outbox", "Arn"]}));
    assert_eq!(pipe["Enrichment"], json!({"Fn::GetAtt": ["Enrich", "Arn"]}));
    assert_eq!(pipe["Target"], json!({"Fn::GetAtt": ["OrdersBus", "Arn"]}));
    assert_eq!(
        pipe["SourceParameters"]["SqsQueueParameters"],
        json!({"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5})
    );
    let mut role = Vec::new();
    statements(&res["OutboxRelayRole"], &mut role);
    let granted: Vec<(String, Value)> = role
        .iter()
        .flat_map(|s| {
            let actions = match &s["Action"] {
                Value::Array(a) => a.clone(),
                one => vec![one.clone()],
            };
            actions
                .iter()
                .map(|a| (a.as_str().unwrap().to_string(), s["Resource"].clone()))
                .collect::<Vec<_>>()
        })
        // (The production profile lets every role use the stack's key.)
        .filter(|(a, _)| a != "sts:AssumeRole" && !a.starts_with("kms:"))
        .collect();
    let on = |name: &str, att: &str| json!([{"Fn::GetAtt": [name, att]}]);
    assert_eq!(
        granted,
        vec![
            ("sqs:ReceiveMessage".into(), on("Outbox", "Arn")),
            ("sqs:DeleteMessage".into(), on("Outbox", "Arn")),
            ("sqs:GetQueueAttributes".into(), on("Outbox", "Arn")),
            ("events:PutEvents".into(), on("OrdersBus", "Arn")),
            ("lambda:InvokeFunction".into(), on("Enrich", "Arn")),
        ]
    );
}

#[test]
fn import_draws_them_back_and_the_round_trip_is_byte_identical() {
    for flavour in [Flavour::Sam, Flavour::CloudFormation] {
        let opts = ExportOptions {
            flavour,
            ..Default::default()
        };
        let first = export(&design(), &opts).unwrap();
        let back = import(&first.template, "orders.yaml").unwrap();
        let mut want = vec![
            "Checkout -publishes-> OrdersBus",
            "OrdersBus -publishes-> OrderPlaced",
            "Checkout -publishes-> Outbox",
            "Outbox -poll-> OutboxRelay",
            "OutboxRelay -uses_read-> Enrich",
            "OutboxRelay -publishes-> OrdersBus",
        ];
        let rule_to_billing = match flavour {
            Flavour::Sam => "BillingOrderPlaced -invoke_async-> Billing",
            Flavour::CloudFormation => "OrderPlaced -invoke_async-> Billing",
        };
        want.push(rule_to_billing);
        if flavour == Flavour::Sam {
            want[1] = "OrdersBus -publishes-> BillingOrderPlaced";
        }
        let got: std::collections::BTreeSet<String> = common::edges(&back.design)
            .into_iter()
            .filter(|e| !e.contains("assumes_role"))
            .collect();
        assert_eq!(got, set(&want), "{flavour:?}");
        let pipe = back
            .design
            .components()
            .find(|c| c.kind() == archsim_model::ComponentKind::EventBridgePipe)
            .unwrap();
        let Props::EventBridgePipe(p) = &pipe.props else {
            unreachable!()
        };
        assert_eq!(p.filter_patterns, vec![r#"{"body":{"type":["NEW"]}}"#]);
        assert_eq!(p.input_template, r#"{"id": <$.body.id>}"#);
        let poll = back.design.connections().find(|c| c.to == pipe.id).unwrap();
        assert!(
            matches!(
                poll.kind,
                ConnectionKind::Poll {
                    batch_size: 100,
                    batching_window_s: 5,
                    ..
                }
            ),
            "{poll:?}"
        );
        let again = export(&back.design, &opts).unwrap();
        assert_eq!(again.template, first.template, "{flavour:?}");
    }
}
