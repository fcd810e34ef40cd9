//! A DynamoDB table's bill follows what the simulated calls consumed: the
//! item size's units, and no charge for throttled attempts; provisioned
//! tables pay for their capacity, not their requests.

use archsim_cost::{Assumptions, ServiceUsage, measured};
use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::{Scenario, TrafficPattern, TrafficProfile};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{RunOptions, simulate};

fn design(table: DynamoDbTableProps) -> Design {
    let mut e = Editor::default();
    let mut add = |id: &str, props: Props| {
        e.apply(Op::AddComponent {
            component: Component::new(id, id, props.kind()).with(props),
        })
        .unwrap();
    };
    add("client", Props::Client(ClientProps::default()));
    add(
        "fn",
        Props::LambdaFunction(LambdaProps {
            init_ms: Some(0.0),
            ..Default::default()
        }),
    );
    add("table", Props::DynamoDbTable(table));
    for (id, from, to, kind) in [
        ("c", "client", "fn", Meaning::InvokeSync.default_kind()),
        (
            "t",
            "fn",
            "table",
            ConnectionKind::Uses {
                access: Access::Write,
            },
        ),
    ] {
        e.apply(Op::Connect {
            connection: Connection::new(id, from, to, kind),
        })
        .unwrap();
    }
    e.into_design()
}

fn table_usage(
    table: DynamoDbTableProps,
    rps: f64,
) -> (archsim_sim::Run, archsim_cost::DynamoDbUsage) {
    let d = design(table);
    let sc = Scenario {
        name: "s".into(),
        start: None,
        description: String::new(),
        duration_s: 600.0,
        seed: 1,
        traffic: vec![TrafficProfile {
            entry: "client".into(),
            pattern: TrafficPattern::Constant { rps },
            request: Default::default(),
        }],
        events: Vec::new(),
    };
    let run = simulate(&d, &sc, &RunOptions::default()).unwrap();
    let est = measured::usage_from_run(&d, &run, &Assumptions::default());
    let usage = est
        .profile
        .components
        .iter()
        .find_map(|c| match (&c.usage, c.component_id.as_str()) {
            (ServiceUsage::DynamoDb(u), "table") => Some(u.clone()),
            _ => None,
        })
        .unwrap();
    (run, usage)
}

#[test]
fn on_demand_writes_are_billed_per_write_unit_of_the_item_size() {
    let month_s = Assumptions::default().month_hours * 3600.0;
    let (run, u) = table_usage(
        DynamoDbTableProps {
            item_size_kb: Some(2.5),
            ..Default::default()
        },
        10.0,
    );
    let writes = run
        .component("table")
        .unwrap()
        .table
        .as_ref()
        .unwrap()
        .writes as f64;
    // 2.5 KB: three write units each.
    let want = 3.0 * writes * month_s / run.duration_s;
    assert!(
        (u.write_request_units / want - 1.0).abs() < 1e-9,
        "{} against {want}",
        u.write_request_units
    );
    assert!(u.provisioned.is_none());
}

#[test]
fn throttled_attempts_are_not_billed_and_provisioned_capacity_is() {
    // 20 writes/s on 1 WCU: 300 units of burst then 1 a second.
    let table = DynamoDbTableProps {
        billing: DynamoDbBilling::Provisioned,
        write_capacity: 1,
        sdk_retry: Some(SdkRetry {
            max_attempts: 1,
            ..SdkRetry::default()
        }),
        ..Default::default()
    };
    let (run, u) = table_usage(table, 20.0);
    let t = run.component("table").unwrap();
    assert!(t.throttled > 10_000);
    let month_s = Assumptions::default().month_hours * 3600.0;
    let consumed = t.table.as_ref().unwrap().write_units;
    assert!((u.write_request_units - consumed * month_s / run.duration_s).abs() < 1e-6);
    let p = u.provisioned.as_ref().unwrap();
    assert_eq!(p.write_capacity_units, 1.0);
}

#[test]
fn an_auto_scaled_table_is_billed_for_the_capacity_it_held() {
    // 20 writes/s on 5 WCU, scaled at 70% between 5 and 100. The 1,500
    // units of burst last 100 s, so the second minute consumed 15/s: at
    // 120 s capacity becomes ceil(15 / 0.7) = 22; 20/s on 22 is 91%, so at
    // 240 s it becomes ceil(20 / 0.7) = 29, held to the end at 600 s.
    let table = DynamoDbTableProps {
        billing: DynamoDbBilling::Provisioned,
        read_capacity: 5,
        write_capacity: 5,
        write_scaling: Some(CapacityScaling {
            min_capacity: 5,
            max_capacity: 100,
            target_utilization_pct: 70.0,
        }),
        ..Default::default()
    };
    let (run, u) = table_usage(table, 20.0);
    let changes: Vec<(f64, u32, u32)> = run
        .scale_decisions
        .iter()
        .map(|d| (d.at_s, d.from, d.to))
        .collect();
    assert_eq!(changes, vec![(120.0, 5, 22), (240.0, 22, 29)]);
    let p = u.provisioned.unwrap();
    let want = (5.0 * 120.0 + 22.0 * 120.0 + 29.0 * 360.0) / 600.0;
    assert!(
        (p.write_capacity_units - want).abs() < 1e-9,
        "{} against {want}",
        p.write_capacity_units
    );
    assert_eq!(p.read_capacity_units, 5.0);
}
