//! The live runner, headless, on tokio's paused clock: frames arrive at
//! about 25 a second, simulated time follows the speed, and commands work.

use std::time::Duration;

use archsim_model::scenario::ScenarioEvent;
use archsim_model::starters::starter;
use archsim_sim::RunOptions;
use archsim_sim::live::{Command, Speed, spawn};

#[tokio::test(start_paused = true)]
async fn live_runner_streams_frames_and_obeys_commands() {
    let design = starter("serverless-api").unwrap().build().unwrap();
    let sc = design.scenario("launch-day").unwrap().clone();
    let mut live = spawn(design, sc, RunOptions::default(), Speed::Times(10.0)).unwrap();

    // One wall second at 10x: 25 frames, 10 simulated seconds.
    let start = tokio::time::Instant::now();
    let mut last = None;
    for _ in 0..25 {
        last = Some(live.frames.recv().await.unwrap());
    }
    let last = last.unwrap();
    assert!(
        (start.elapsed().as_secs_f64() - 1.0).abs() < 0.1,
        "{:?}",
        start.elapsed()
    );
    assert!((last.at_s - 10.0).abs() < 0.5, "{}", last.at_s);
    let f = last
        .components
        .iter()
        .find(|c| c.id == "orders-fn")
        .unwrap();
    assert!(f.requests > 50 && f.cold_starts >= 1, "{f:?}");

    // Paused: no frames.
    live.commands.send(Command::Pause).await.unwrap();
    while tokio::time::timeout(Duration::from_millis(10), live.frames.recv())
        .await
        .is_ok()
    {}
    assert!(
        tokio::time::timeout(Duration::from_secs(1), live.frames.recv())
            .await
            .is_err()
    );

    // Inject a traffic change, then run to the end as fast as possible.
    live.commands
        .send(Command::Inject(ScenarioEvent::TrafficChange {
            entry: "clients".into(),
            factor: 2.0,
        }))
        .await
        .unwrap();
    live.commands
        .send(Command::SetSpeed(Speed::Max))
        .await
        .unwrap();
    live.commands.send(Command::Resume).await.unwrap();
    let end = loop {
        let f = live.frames.recv().await.unwrap();
        if f.finished {
            break f;
        }
    };
    assert!((end.at_s - 600.0).abs() < 1e-6);

    // Seek to the start.
    live.commands.send(Command::Restart).await.unwrap();
    let f = live.frames.recv().await.unwrap();
    assert!(f.at_s < 1.0, "{}", f.at_s);

    live.commands.send(Command::Stop).await.unwrap();
    live.task.await.unwrap();
}

/// A frame's p99 is the latency percentile of everything completed so far:
/// the same number the run reports at that instant.
#[test]
fn frames_carry_the_p99_so_far() {
    let design = starter("serverless-api").unwrap().build().unwrap();
    let sc = design.scenario("launch-day").unwrap();
    let mut sim = archsim_sim::prepare(&design, sc, &RunOptions::default()).unwrap();
    sim.run_until(60.0);
    let frame = sim.frame();
    let run = sim.into_run();
    let in_frame = frame
        .components
        .iter()
        .find(|c| c.id == "orders-fn")
        .unwrap();
    let in_run = run.component("orders-fn").unwrap();
    assert!(in_frame.p99_ms > 0.0);
    assert_eq!(in_frame.p99_ms, in_run.latency_ms.p99);
}

/// The live placement view agrees with itself at every step of a run on
/// EC2 capacity: every EC2 task sits on a live instance of its capacity,
/// each instance lists exactly the tasks that name it, the CPU it reports
/// used is what its tasks reserve, and Fargate tasks have no instance.
#[test]
fn placement_now_is_consistent_while_tasks_come_and_go() {
    use std::collections::BTreeMap;
    let design = starter("ecs-ec2-placement").unwrap().build().unwrap();
    let sc = design.scenarios[0].clone();
    let mut sim = archsim_sim::prepare(&design, &sc, &RunOptions::default()).unwrap();
    // CPU reserved by one task of each service, from its task definition.
    let mut reserve: BTreeMap<String, u64> = BTreeMap::new();
    for c in design.components() {
        if let archsim_model::component::Props::EcsService(_) = &c.props {
            let td = design
                .outgoing(&c.id)
                .into_iter()
                .find_map(|(_, t)| match &t.props {
                    archsim_model::component::Props::TaskDefinition(p) => Some(p.cpu as u64),
                    _ => None,
                });
            if let Some(cpu) = td {
                reserve.insert(c.id.clone(), cpu);
            }
        }
    }
    let mut saw_ec2_task = false;
    let mut t = 0.0;
    while t < sc.duration_s.min(900.0) {
        t += 30.0;
        sim.run_until(t);
        let view = sim.placement_now();
        assert!((view.at_s - t).abs() < 1e-6);
        let mut on_instance: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for s in &view.services {
            for task in &s.tasks {
                assert!(task.id.starts_with(&format!("{}#", s.service)), "{task:?}");
                match (task.capacity_kind.as_str(), &task.instance) {
                    ("ec2", Some(i)) => {
                        saw_ec2_task = true;
                        let cap = task.capacity.clone().expect("EC2 task names its capacity");
                        on_instance
                            .entry((cap, i.clone()))
                            .or_default()
                            .push(task.id.clone());
                    }
                    ("ec2", None) => assert_eq!(task.state, "provisioning", "{task:?}"),
                    (_, None) => {}
                    (_, Some(_)) => panic!("a Fargate task on an instance: {task:?}"),
                }
            }
        }
        for cap in &view.capacities {
            for inst in &cap.instances {
                let mut listed = inst.tasks.clone();
                listed.sort();
                let mut named = on_instance
                    .remove(&(cap.capacity.clone(), inst.instance.clone()))
                    .unwrap_or_default();
                named.sort();
                assert_eq!(listed, named, "{} at {t}", inst.instance);
                let cpu: u64 = listed
                    .iter()
                    .map(|id| reserve[id.split('#').next().unwrap()])
                    .sum();
                assert_eq!(inst.cpu_used, cpu, "{} at {t}", inst.instance);
                assert!(inst.cpu_used <= cap.cpu_units && inst.memory_used <= cap.memory_mb);
            }
        }
        assert!(
            on_instance.is_empty(),
            "tasks on unknown instances: {on_instance:?}"
        );
    }
    assert!(saw_ec2_task);
}
