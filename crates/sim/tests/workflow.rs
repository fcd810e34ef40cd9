//! Step Functions executions: sequential Tasks add their callees'
//! latencies, Parallel joins at its slowest branch, Map runs its items
//! MaxConcurrency at a time, Retry waits IntervalSeconds x BackoffRate^n,
//! Catch recovers; state transitions and Express duration are counted for
//! the bill; a Choice follows its weights, deterministically per seed.

mod common;

use archsim_model::component::*;
use archsim_model::connection::{Access, ConnectionKind, Meaning};
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, simulate};
use common::*;
use serde_json::{Value, json};

/// A function with no cold start whose handler takes exactly `ms`.
fn function(ms: f64) -> Props {
    Props::LambdaFunction(LambdaProps {
        memory_mb: 1769,
        timeout_s: 900,
        init_ms: Some(0.0),
        work: Work {
            duration: Distribution::Constant { ms },
            cpu_share: 0.0,
        },
        ..Default::default()
    })
}

/// Client -> state machine (synchronously, as StartSyncExecution) -> the
/// functions `fns` (id, handler ms), each a `${id}` of the definition.
fn machine(
    definition: Value,
    fns: &[(&str, f64)],
    tweak: impl FnOnce(&mut StepFunctionsProps),
) -> archsim_model::Design {
    let mut p = StepFunctionsProps {
        definition,
        substitutions: fns
            .iter()
            .map(|(id, _)| (id.to_string(), id.to_string()))
            .collect(),
        ..Default::default()
    };
    tweak(&mut p);
    let mut b = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("sm", Props::StepFunctions(p))
        .link_as("client", "sm", Meaning::InvokeSync);
    for (id, ms) in fns {
        b = b
            .add(id, function(*ms))
            .link_as("sm", id, Meaning::InvokeSync);
    }
    b.design()
}

fn run(design: &archsim_model::Design, rps: f64, duration_s: f64) -> archsim_sim::Run {
    simulate(
        design,
        &scenario("client", TrafficPattern::Constant { rps }, duration_s),
        &RunOptions::default(),
    )
    .unwrap()
}

fn task(var: &str, next: Option<&str>) -> Value {
    match next {
        Some(n) => json!({"Type": "Task", "Resource": format!("${{{var}}}"), "Next": n}),
        None => json!({"Type": "Task", "Resource": format!("${{{var}}}"), "End": true}),
    }
}

#[test]
fn a_sequential_chain_takes_the_sum_of_its_tasks_and_a_wait() {
    let def = json!({"StartAt": "A", "States": {
        "A": task("a", Some("B")),
        "B": task("b", Some("Pause")),
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "C"},
        "C": task("c", None)}});
    let d = machine(def, &[("a", 10.0), ("b", 20.0), ("c", 30.0)], |_| {});
    let r = run(&d, 1.0, 20.0);
    let sm = r.component("sm").unwrap();
    assert_eq!(sm.errors, 0);
    assert!(sm.completed >= 17, "{}", sm.completed);
    // 10 + 20 + 2,000 + 30 ms, exactly (histogram precision: 3 digits).
    assert!(
        (sm.latency_ms.p50 - 2060.0).abs() <= 2.0,
        "{:?}",
        sm.latency_ms
    );
    assert!(
        (sm.latency_ms.max - 2060.0).abs() <= 2.0,
        "{:?}",
        sm.latency_ms
    );
    let u = &r.usage.step_functions["sm"];
    // Four states entered per finished execution; those still running
    // at the end entered some.
    assert_eq!(u.executions, sm.completed + sm.in_flight);
    assert!(
        u.transitions >= 4 * sm.completed + sm.in_flight && u.transitions <= 4 * u.executions,
        "{u:?}"
    );
    assert_eq!(r.component("a").unwrap().requests, u.executions);
}

#[test]
fn retry_waits_interval_times_backoff_powers_then_catch_recovers() {
    // The function is throttled every time (reserved concurrency 0):
    // retries after 1, 2 and 4 s (IntervalSeconds 1, BackoffRate 2,
    // MaxAttempts 3), then the Catch's state.
    let retry = json!([{"ErrorEquals": ["Lambda.TooManyRequestsException"],
        "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3}]);
    let def = |catch: bool| {
        let mut call = json!({"Type": "Task", "Resource": "${f}", "Retry": retry, "End": true});
        if catch {
            call["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "Next": "Recovered"}]);
        }
        json!({"StartAt": "Call", "States": {
            "Call": call, "Recovered": {"Type": "Pass", "End": true}}})
    };
    let throttled = |d: &mut archsim_model::Design| {
        let mut e = archsim_model::Editor::new(d.clone());
        e.apply(archsim_model::Op::SetProperty {
            id: "f".into(),
            path: "reserved_concurrency".into(),
            value: json!(0),
        })
        .unwrap();
        *d = e.into_design();
    };
    for catch in [false, true] {
        let mut d = machine(def(catch), &[("f", 10.0)], |_| {});
        throttled(&mut d);
        let r = run(&d, 0.1, 100.0);
        let sm = r.component("sm").unwrap();
        let u = &r.usage.step_functions["sm"];
        // 1 + 2 + 4 = 7 s of backoff: IntervalSeconds x (1 + r + r^2).
        assert!(
            (sm.latency_ms.max - 7000.0).abs() <= 8.0,
            "{:?}",
            sm.latency_ms
        );
        assert!(
            (sm.latency_ms.p50 - 7000.0).abs() <= 8.0,
            "{:?}",
            sm.latency_ms
        );
        assert_eq!(
            r.component("f").unwrap().throttled,
            4 * u.executions - 4 * sm.in_flight
        );
        if catch {
            assert_eq!(sm.errors, 0);
            // Call, three retries, Recovered.
            assert_eq!(u.transitions, 5 * (u.executions - sm.in_flight));
        } else {
            assert_eq!(sm.completed, 0);
            assert_eq!(sm.errors_by_kind["execution_failed"], sm.errors);
            assert_eq!(u.transitions, 4 * (u.executions - sm.in_flight));
        }
    }
}

#[test]
fn map_runs_its_items_max_concurrency_at_a_time_and_parallel_joins_at_the_slowest() {
    // 10 items, 2 at a time, 100 ms each: 5 rounds, 500 ms.
    let def = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {
            "StartAt": "Item", "States": {"Item": task("item", None)}}, "Next": "Both"},
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "Fast", "States": {"Fast": task("fast", None)}},
            {"StartAt": "Slow", "States": {"Slow": task("slow", None)}}], "End": true}}});
    let d = machine(
        def,
        &[("item", 100.0), ("fast", 50.0), ("slow", 300.0)],
        |p| {
            p.map_items.insert("Each".into(), 10);
        },
    );
    let r = run(&d, 1.0, 30.0);
    let sm = r.component("sm").unwrap();
    assert_eq!(sm.errors, 0);
    assert!(
        (sm.latency_ms.p50 - 800.0).abs() <= 1.0,
        "{:?}",
        sm.latency_ms
    );
    assert_eq!(r.component("item").unwrap().max_concurrency, 2);
    // Map + 10 items + Parallel + 2 branches.
    let u = &r.usage.step_functions["sm"];
    assert_eq!(u.transitions, 14 * (u.executions - sm.in_flight));
}

#[test]
fn express_duration_is_billed_per_100_ms_at_64_mb() {
    let def = json!({"StartAt": "A", "States": {"A": task("a", None)}});
    let d = machine(def, &[("a", 130.0)], |p| {
        p.workflow_type = WorkflowType::Express
    });
    let r = run(&d, 1.0, 10.0);
    let u = &r.usage.step_functions["sm"];
    assert!(u.express);
    // 130 ms rounds up to 200 ms: 0.2 s x 64/1024 GB per execution.
    let done = u.executions - r.component("sm").unwrap().in_flight;
    assert!(
        (u.gb_seconds - done as f64 * 0.2 * 0.0625).abs() < 1e-9,
        "{u:?}"
    );
}

#[test]
fn a_choice_follows_its_weights_and_a_table_task_takes_the_table_latency() {
    let def = json!({"StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Save"}],
                 "Default": "Skip"},
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                 "Parameters": {"TableName": "${orders}"}, "End": true},
        "Skip": {"Type": "Succeed"}}});
    let build = || {
        let mut d = machine(def.clone(), &[], |p| {
            p.choice_weights.insert("Pick".into(), vec![0.25, 0.75]);
            p.substitutions.insert("orders".into(), "orders".into());
        });
        let mut e = archsim_model::Editor::new(d.clone());
        e.apply(archsim_model::Op::AddComponent {
            component: archsim_model::Component::new(
                "orders",
                "orders",
                ComponentKind::DynamoDbTable,
            )
            .with(Props::DynamoDbTable(DynamoDbTableProps {
                latency: Distribution::Constant { ms: 5.0 },
                ..Default::default()
            })),
        })
        .unwrap();
        e.apply(archsim_model::Op::Connect {
            connection: archsim_model::Connection::new(
                "sm--orders",
                "sm",
                "orders",
                ConnectionKind::Uses {
                    access: Access::Write,
                },
            ),
        })
        .unwrap();
        d = e.into_design();
        d
    };
    let d = build();
    let r = run(&d, 100.0, 100.0);
    let again = run(&build(), 100.0, 100.0);
    let sm = r.component("sm").unwrap();
    let writes = r.component("orders").unwrap().requests as f64;
    let share = writes / sm.requests as f64;
    // 10,000 executions: the share is 0.25 within 4 standard deviations.
    assert!(
        (share - 0.25).abs() < 4.0 * (0.25f64 * 0.75 / 10_000.0).sqrt(),
        "{share}"
    );
    assert!(
        (sm.latency_ms.max - 5.0).abs() <= 0.1,
        "{:?}",
        sm.latency_ms
    );
    assert_eq!(r.usage, again.usage, "same seed, same run");
    assert_eq!(
        r.component("orders").unwrap().requests,
        again.component("orders").unwrap().requests
    );
}

#[test]
fn a_loop_with_no_wait_fails_and_a_long_map_completes() {
    // Pass -> Choice -> Pass ... at one instant: AWS fails such an
    // execution when its history outgrows the limit; so does archsim.
    let looping = json!({"StartAt": "Again", "States": {
        "Again": {"Type": "Pass", "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Again"}],
                 "Default": "Again"}}});
    let r = run(&machine(looping, &[], |_| {}), 1.0, 3.0);
    let sm = r.component("sm").unwrap();
    assert!(sm.errors >= 2 && sm.completed == 0, "{sm:?}");
    assert_eq!(sm.errors_by_kind["execution_failed"], sm.errors);
    // 20,000 items of a Pass state each, one at a time.
    let long = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {
            "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}, "End": true}}});
    let r = run(
        &machine(long, &[], |p| {
            p.map_items.insert("Each".into(), 20_000);
        }),
        1.0,
        3.0,
    );
    let sm = r.component("sm").unwrap();
    assert_eq!(sm.errors, 0);
    assert!(sm.completed >= 2, "{sm:?}");
    assert_eq!(
        r.usage.step_functions["sm"].transitions,
        20_001 * sm.completed
    );
}
