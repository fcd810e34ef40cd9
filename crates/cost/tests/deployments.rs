//! The capacity a rolling deployment holds shows in the simulated bill:
//! both versions' Fargate tasks are billed while they overlap (the old
//! ones through their deregistration delay), and the EC2 instances the
//! capacity provider adds for the new tasks are billed from when they
//! are in service.

use archsim_cost::Decimal;
use archsim_cost::measured::usage_from_run;
use archsim_cost::{Assumptions, PriceBook, ServiceUsage, monthly_cost};
use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{
    Scenario, ScenarioEvent, ScheduledEvent, TrafficPattern, TrafficProfile,
};
use archsim_model::{Component, Connection, Design, Editor, Op};
use archsim_sim::{Run, RunOptions, simulate};

fn deploy(component: &str, at_s: f64) -> ScheduledEvent {
    ScheduledEvent {
        at_s,
        event: ScenarioEvent::Deploy {
            component: component.into(),
            work: None,
            init_ms: None,
            error_rate: 0.0,
            fails_health_checks: false,
        },
    }
}

/// Client -> ALB (health check every 10 s, 30 s deregistration delay) ->
/// a Fargate service of 4 tasks (0.25 vCPU, 0.5 GB), minimum 100%,
/// maximum 200%.
fn fargate_service() -> Design {
    let mut e = Editor::default();
    let mut add = |id: &str, props: Props| {
        let kind = props.kind();
        e.apply(Op::AddComponent {
            component: Component::new(id, id, kind).with(props),
        })
        .unwrap();
    };
    add("client", Props::Client(ClientProps::default()));
    add(
        "alb",
        Props::Alb(LoadBalancerProps {
            deregistration_delay_s: 30,
            health_check: HealthCheck {
                interval_s: 10,
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    add(
        "svc",
        Props::EcsService(EcsServiceProps {
            desired_count: 4,
            min_count: 4,
            max_count: 4,
            ..Default::default()
        }),
    );
    add(
        "task",
        Props::TaskDefinition(TaskDefinitionProps::default()),
    );
    add("fargate", Props::Fargate(FargateProps::default()));
    for (from, to, kind) in [
        ("client", "alb", Meaning::InvokeSync.default_kind()),
        ("alb", "svc", Meaning::Route.default_kind()),
        ("svc", "task", Meaning::RunsTask.default_kind()),
        ("svc", "fargate", Meaning::RunsOn.default_kind()),
    ] {
        e.apply(Op::Connect {
            connection: Connection::new(format!("{from}--{to}"), from, to, kind),
        })
        .unwrap();
    }
    e.into_design()
}

fn scenario(events: Vec<ScheduledEvent>) -> Scenario {
    Scenario {
        name: "deploy".into(),
        start: None,
        description: String::new(),
        duration_s: 600.0,
        seed: 3,
        traffic: vec![TrafficProfile {
            entry: "client".into(),
            pattern: TrafficPattern::Poisson { rps: 20.0 },
            request: Default::default(),
        }],
        events,
    }
}

fn run(d: &Design, sc: &Scenario) -> Run {
    let opts = RunOptions {
        skip_validation: true,
        ..RunOptions::default()
    };
    simulate(d, sc, &opts).unwrap()
}

/// The measured quantity of `component` (mean tasks or instances over the
/// run) and what its line items cost a month.
fn billed(d: &Design, r: &Run, component: &str) -> (f64, Decimal) {
    let assumptions = Assumptions::default();
    let usage = usage_from_run(d, r, &assumptions);
    let quantity = usage
        .profile
        .components
        .iter()
        .find(|c| c.component_id == component)
        .map(|c| match &c.usage {
            ServiceUsage::Fargate(f) => f.tasks,
            ServiceUsage::Ec2(e) => e.instances,
            other => panic!("{component}: {other:?}"),
        })
        .unwrap();
    let bill = monthly_cost(
        &PriceBook::default_book().unwrap(),
        &usage.profile,
        &assumptions,
    )
    .unwrap();
    let amount = bill
        .line_items
        .iter()
        .filter(|l| l.component_id == component)
        .map(|l| l.amount_usd)
        .sum();
    (quantity, amount)
}

#[test]
fn both_versions_fargate_tasks_are_billed_while_they_overlap() {
    let d = fargate_service();
    let steady = run(&d, &scenario(Vec::new()));
    let deployed = run(&d, &scenario(vec![deploy("svc", 60.0)]));
    let dep = &deployed.deployments[0];
    assert_eq!(dep.shifts.len(), 4);
    // Four tasks for 600 s; the deployment adds, for each new task that
    // serves (a shift), the old task it replaces draining 30 s more, from
    // the new one's launch at 60 s.
    let extra: f64 = dep.shifts.iter().map(|s| s.at_s + 30.0 - 60.0).sum();
    let seconds = |r: &Run| r.usage.tasks["svc/fargate"].task_seconds;
    assert!((seconds(&steady) - 2400.0).abs() < 1e-6);
    assert!((seconds(&deployed) - (2400.0 + extra)).abs() < 1e-6);
    // The measured bill prices the mean task count over the run.
    let (base_tasks, base_usd) = billed(&d, &steady, "svc@fargate");
    let (tasks, usd) = billed(&d, &deployed, "svc@fargate");
    assert!((base_tasks - 4.0).abs() < 1e-9);
    assert!((tasks - (2400.0 + extra) / 600.0).abs() < 1e-9);
    let ratio =
        usd.to_string().parse::<f64>().unwrap() / base_usd.to_string().parse::<f64>().unwrap();
    assert!(
        (ratio - tasks / 4.0).abs() < 0.001,
        "bill ratio {ratio} tasks {tasks}"
    );
}

#[test]
fn the_instances_added_for_a_rolling_deployment_are_billed() {
    let design = archsim_model::starters::starter("ecs-ec2-placement")
        .unwrap()
        .build()
        .unwrap();
    let sc = design
        .scenarios
        .iter()
        .find(|s| s.name == "rolling-deploy")
        .unwrap()
        .clone();
    let mut without = sc.clone();
    without.events.clear();
    let opts = RunOptions::default();
    let deployed = simulate(&design, &sc, &opts).unwrap();
    let steady = simulate(&design, &without, &opts).unwrap();
    // The group: 3 instances, a 4th launched at the first evaluation
    // (60 s; in service at 105 s after 45 s to boot); the deployment's
    // three more launched at 300 s (in service at 345 s). EC2 bills each
    // from its launch, boot included, to the end, 900 s.
    let seconds = |r: &Run| r.usage.instances["general-asg"].instance_seconds;
    assert!((seconds(&steady) - (3.0 * 900.0 + 840.0)).abs() < 1e-6);
    assert!((seconds(&deployed) - (3.0 * 900.0 + 840.0 + 3.0 * 600.0)).abs() < 1e-6);
    let (base, base_usd) = billed(&design, &steady, "general-asg");
    let (instances, usd) = billed(&design, &deployed, "general-asg");
    assert!((instances - base - 3.0 * 600.0 / 900.0).abs() < 1e-9);
    assert!(usd > base_usd);
}

#[test]
fn deployment_alarms_are_said_not_priced() {
    let alarms_note = |d: &Design| {
        let s = &d.scenarios[0];
        let e = archsim_cost::estimate::estimate_usage(d, s, &Assumptions::default()).unwrap();
        e.notes
            .into_iter()
            .find(|n| n.starts_with("CloudWatch alarms:"))
    };
    let canary = archsim_model::starters::starter("serverless-api")
        .unwrap()
        .build()
        .unwrap();
    let count: usize = canary
        .components()
        .filter_map(|c| match &c.props {
            Props::LambdaFunction(l) => l.deployment.as_ref()?.preference.as_ref(),
            _ => None,
        })
        .map(|p| p.alarms.len())
        .sum();
    assert!(count > 0, "the example's canary has alarms");
    let note = alarms_note(&canary).expect("the alarms are named as not priced");
    assert!(note.contains(&format!("the {count} alarm(s)")), "{note}");
    let plain = archsim_model::starters::starter("queue-worker")
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(alarms_note(&plain), None);
}
