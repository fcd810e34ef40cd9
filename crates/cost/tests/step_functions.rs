//! A state machine's bill, estimated from the scenario and measured from a
//! run: the estimate walks the definition (Choice weights, Map items) for
//! the transitions and the duration the simulator counts execution by
//! execution; the two agree.

use archsim_cost::design_cost::{monthly_bill, scenario_usage, simulated_usage};
use archsim_cost::{Assumptions, CostReport, PriceBook};
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::RunOptions;
use serde_json::json;

fn design(workflow_type: WorkflowType) -> Design {
    let mut e = Editor::default();
    let mut add = |id: &str, props: Props| {
        e.apply(Op::AddComponent {
            component: Component::new(id, id, props.kind()).with(props),
        })
        .unwrap();
    };
    add("client", Props::Client(ClientProps::default()));
    add(
        "flow",
        Props::StepFunctions(StepFunctionsProps {
            workflow_type,
            definition: json!({"StartAt": "Each", "States": {
                "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {"StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": "${Work}", "End": true}}},
                    "Next": "Keep"},
                "Keep": {"Type": "Choice", "Choices": [{"Variable": "$.keep", "BooleanEquals": true, "Next": "Save"}],
                    "Default": "Done"},
                "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Parameters": {"TableName": "${Table}"}, "End": true},
                "Done": {"Type": "Succeed"}}}),
            substitutions: [("Work", "work"), ("Table", "table")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            map_items: [("Each".to_string(), 4)].into_iter().collect(),
            choice_weights: [("Keep".to_string(), vec![0.5, 0.5])].into_iter().collect(),
            ..Default::default()
        }),
    );
    add(
        "work",
        Props::LambdaFunction(LambdaProps {
            init_ms: Some(0.0),
            memory_mb: 1769,
            work: Work {
                duration: Distribution::Constant { ms: 40.0 },
                cpu_share: 0.0,
            },
            ..Default::default()
        }),
    );
    add(
        "table",
        Props::DynamoDbTable(DynamoDbTableProps {
            latency: Distribution::Constant { ms: 5.0 },
            ..Default::default()
        }),
    );
    for (from, to, kind) in [
        ("client", "flow", Meaning::InvokeSync.default_kind()),
        ("flow", "work", Meaning::InvokeSync.default_kind()),
        (
            "flow",
            "table",
            ConnectionKind::Uses {
                access: Access::Write,
            },
        ),
    ] {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}-{to}"), from, to, kind),
        })
        .unwrap();
    }
    let mut d = e.into_design();
    d.scenarios.push(Scenario {
        name: "steady".into(),
        start: None,
        description: String::new(),
        duration_s: 1800.0,
        seed: 7,
        traffic: vec![TrafficProfile {
            entry: "client".into(),
            pattern: TrafficPattern::Poisson { rps: 20.0 },
            request: Default::default(),
        }],
        events: Vec::new(),
    });
    d
}

fn step_functions_lines(bill: &CostReport) -> Vec<(String, f64)> {
    bill.line_items
        .iter()
        .filter(|l| l.service == "AWS Step Functions")
        .map(|l| {
            (
                l.description.clone(),
                l.amount_usd.to_string().parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn estimate_and_run_agree_on_transitions_requests_and_duration() {
    let assumptions = Assumptions::default();
    let book = PriceBook::default_book().unwrap();
    for workflow_type in [WorkflowType::Standard, WorkflowType::Express] {
        let d = design(workflow_type);
        let estimate = scenario_usage(&d, None, &assumptions).unwrap();
        let (measured, _) =
            simulated_usage(&d, None, &RunOptions::default(), &assumptions).unwrap();
        let e = step_functions_lines(&monthly_bill(&book, &estimate, &assumptions).unwrap());
        let m = step_functions_lines(&monthly_bill(&book, &measured, &assumptions).unwrap());
        assert_eq!(e.len(), m.len(), "{e:?} {m:?}");
        assert!(!e.is_empty());
        for ((what, a), (_, b)) in e.iter().zip(&m) {
            // Standard: Map + 4 items + Choice + half a Save or Done = 7
            // transitions an execution; Express: 2 rounds of 40 ms (+5 ms
            // for half) rounds up to 100 ms either way.
            assert!(
                (a - b).abs() <= 0.05 * a.max(*b),
                "{workflow_type:?} {what}: estimate {a}, run {b}"
            );
        }
    }
}
