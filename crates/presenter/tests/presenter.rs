//! The presenter driven headless with egui_kittest: keys send controls,
//! frames show up as clock, badges and placement.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use archsim_app::{Health, LiveControl, LiveRun, LiveStart};
use archsim_model::scenario::ScenarioEvent;
use archsim_model::starters::starter;
use archsim_presenter::*;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[derive(Default)]
struct Script {
    frames: VecDeque<Frame>,
    sent: Vec<LiveControl>,
}

struct ScriptedFeed(Rc<RefCell<Script>>);

impl LiveFeed for ScriptedFeed {
    fn poll(&mut self, _wall_s: f64) -> Option<Frame> {
        self.0.borrow_mut().frames.pop_front()
    }
    fn send(&mut self, control: LiveControl) -> Result<(), String> {
        self.0.borrow_mut().sent.push(control);
        Ok(())
    }
}

fn harness(example: &str) -> (Harness<'static, Presenter>, Rc<RefCell<Script>>) {
    let script = Rc::new(RefCell::new(Script::default()));
    let design = starter(example).unwrap().build().unwrap();
    let scenario = design.scenarios[0].name.clone();
    let presenter = Presenter::new(design, scenario, Box::new(ScriptedFeed(script.clone())));
    let h = Harness::builder()
        .with_size(egui::Vec2::new(1600.0, 900.0))
        .build_ui_state(|ui, p: &mut Presenter| p.ui(ui), presenter);
    (h, script)
}

/// A 0.5 vCPU / 1 GiB task of the api service.
fn task(state: TaskState) -> TaskView {
    TaskView {
        service: "api-svc".into(),
        cpu_units: 512,
        memory_mib: 1024,
        state,
    }
}

fn frame(time_s: f64, components: &[(&str, ComponentStatus)]) -> Frame {
    Frame {
        time_s,
        components: components
            .iter()
            .map(|(id, s)| (id.to_string(), s.clone()))
            .collect::<BTreeMap<_, _>>(),
        clusters: Vec::new(),
        notes: Vec::new(),
    }
}

#[test]
fn shows_the_design_and_advances_the_clock() {
    let (mut h, script) = harness("serverless-api");
    h.step();
    h.get_by_label("Serverless REST API");
    h.get_by_label("Orders handler");
    h.get_by_label("00:00:00");
    script.borrow_mut().frames.push_back(frame(75.0, &[]));
    h.step();
    h.get_by_label("00:01:15");
    assert_eq!(h.state().frame().time_s, 75.0);
}

#[test]
fn space_pauses_and_resumes() {
    let (mut h, script) = harness("serverless-api");
    h.step();
    h.get_by_label("state: running");
    h.key_press(Key::Space);
    h.step();
    assert!(h.state().paused());
    h.get_by_label("state: paused");
    h.key_press(Key::Space);
    h.step();
    assert!(!h.state().paused());
    assert_eq!(
        script.borrow().sent,
        vec![LiveControl::Pause, LiveControl::Resume]
    );
}

#[test]
fn plus_and_minus_change_speed() {
    let (mut h, script) = harness("serverless-api");
    h.step();
    h.get_by_label("x1");
    h.key_press(Key::Plus);
    h.step();
    h.key_press(Key::Plus);
    h.step();
    h.get_by_label("x5");
    h.key_press(Key::Minus);
    h.step();
    assert_eq!(h.state().speed(), 2.0);
    assert_eq!(
        script.borrow().sent,
        [2.0, 5.0, 2.0].map(|s| LiveControl::Speed { speed: Some(s) })
    );
    // Below the slowest speed nothing more is sent.
    h.key_press(Key::Minus);
    h.step();
    h.key_press(Key::Minus);
    h.step();
    assert_eq!(h.state().speed(), 1.0);
    assert_eq!(script.borrow().sent.len(), 4);
}

#[test]
fn spike_zone_loss_and_restart_keys() {
    let (mut h, script) = harness("ecs-ec2-placement");
    let mut f = frame(10.0, &[]);
    f.clusters.push(ClusterView {
        name: "Compute cluster".into(),
        instances: vec![InstanceView {
            id: "i-2".into(),
            zone: "us-east-1b".into(),
            instance_type: "m5.large".into(),
            cpu_units: 2048,
            memory_mib: 8192,
            tasks: Vec::new(),
        }],
        ..Default::default()
    });
    script.borrow_mut().frames.push_back(f);
    h.step();
    for k in [Key::S, Key::Z, Key::R] {
        h.key_press(k);
        h.step();
    }
    assert_eq!(
        script.borrow().sent,
        vec![
            LiveControl::Spike { factor: 5.0 },
            LiveControl::Inject {
                event: ScenarioEvent::ZoneLoss {
                    zone: "us-east-1b".into()
                }
            },
            LiveControl::Restart
        ]
    );
    assert_eq!(h.state().log().last(), Some("restarted"));
}

#[test]
fn badges_show_live_numbers() {
    let (mut h, script) = harness("serverless-api");
    let status = ComponentStatus {
        requests_per_s: 120.0,
        concurrency: 8,
        cold_starts: 3,
        p99_ms: 250.0,
        ..Default::default()
    };
    let client = ComponentStatus {
        requests_per_s: 100.0,
        ..Default::default()
    };
    script
        .borrow_mut()
        .frames
        .push_back(frame(5.0, &[("orders-fn", status), ("clients", client)]));
    h.step();
    // The most telling numbers first, as many whole ones as the card holds
    // (the cold starts do not fit at this size).
    h.get_by_label("120 rps · p99 250 ms · 8 busy");
    // The chart counts what enters the design, not every hop.
    h.get_by_label("requests/s: 100.0");
}

/// The left button going down or up at `at`, then a frame.
fn button(h: &mut Harness<'static, Presenter>, at: egui::Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
}

/// A left click at `at` (press and release).
fn click_at(h: &mut Harness<'static, Presenter>, at: egui::Pos2) {
    h.event(egui::Event::PointerMoved(at));
    button(h, at, true);
    button(h, at, false);
}

#[test]
fn clicking_a_card_charts_that_component_and_escape_goes_back() {
    let (mut h, script) = harness("serverless-api");
    let fn_status = |rps: f64, busy: u32| ComponentStatus {
        requests_per_s: rps,
        concurrency: busy,
        ..Default::default()
    };
    let client = ComponentStatus {
        requests_per_s: 100.0,
        ..Default::default()
    };
    for (t, rps, busy) in [(1.0, 40.0, 3), (2.0, 55.0, 4)] {
        script.borrow_mut().frames.push_back(frame(
            t,
            &[
                ("orders-fn", fn_status(rps, busy)),
                ("clients", client.clone()),
            ],
        ));
        h.step();
    }
    h.get_by_label("requests/s: 100.0");
    let card = h.state().card_rect("orders-fn").expect("the card is drawn");
    click_at(&mut h, card.center());
    assert_eq!(h.state().selected(), Some("orders-fn"));
    h.get_by_label("Orders handler: requests/s: 55.0");
    h.get_by_label("Orders handler: busy: 4.0");
    // Its history came from frames before the click.
    script
        .borrow_mut()
        .frames
        .push_back(frame(3.0, &[("orders-fn", fn_status(70.0, 5))]));
    h.step();
    h.get_by_label("Orders handler: requests/s: 70.0");
    h.key_press(Key::Escape);
    h.step();
    assert_eq!(h.state().selected(), None);
    h.get_by_label("busy (environments + tasks): 5.0");
    // A click on empty canvas also goes back to the whole design.
    click_at(&mut h, card.center());
    assert_eq!(h.state().selected(), Some("orders-fn"));
    let area = h.state().card_rect("clients").unwrap();
    click_at(&mut h, area.left_top() - egui::Vec2::splat(8.0));
    assert_eq!(h.state().selected(), None);
}

#[test]
fn the_wheel_zooms_around_the_pointer_a_drag_pans_and_0_fits_again() {
    let (mut h, _) = harness("serverless-api");
    h.step();
    let fitted = h.state().card_rect("orders-fn").expect("the card is drawn");
    // Zoom in with the pointer on the card: it grows and stays under it.
    let at = fitted.center();
    h.event(egui::Event::PointerMoved(at));
    h.step();
    for _ in 0..3 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::Vec2::new(0.0, 120.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    for _ in 0..30 {
        h.step();
    }
    let zoomed = h.state().card_rect("orders-fn").unwrap();
    assert!(h.state().view().zoom > 1.2, "{:?}", h.state().view());
    assert!(
        zoomed.width() > fitted.width() * 1.2,
        "{fitted:?} -> {zoomed:?}"
    );
    assert!(
        zoomed.contains(at),
        "the point under the pointer stays: {zoomed:?} {at:?}"
    );
    // A drag moves the diagram with the pointer.
    let from = zoomed.center();
    let to = from + egui::Vec2::new(-120.0, 60.0);
    button(&mut h, from, true);
    for k in 1..=6 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (k as f32 / 6.0),
        ));
        h.step();
    }
    button(&mut h, to, false);
    h.step();
    let panned = h.state().card_rect("orders-fn").unwrap();
    let moved = panned.center() - zoomed.center();
    assert!((moved - (to - from)).length() < 2.0, "moved by {moved:?}");
    assert_eq!(h.state().selected(), None, "a drag is not a click");
    // 0 fits the whole design again.
    h.key_press(Key::Num0);
    h.step();
    h.step();
    assert_eq!(h.state().card_rect("orders-fn"), Some(fitted));
}

#[test]
fn placement_grid_lists_zones_fargate_and_pending_tasks() {
    let (mut h, script) = harness("ecs-ec2-placement");
    let inst = |id: &str, zone: &str| InstanceView {
        id: id.into(),
        zone: zone.into(),
        instance_type: "m5.large".into(),
        cpu_units: 2048,
        memory_mib: 8192,
        tasks: vec![task(TaskState::Running)],
    };
    let mut f = frame(30.0, &[]);
    f.clusters.push(ClusterView {
        name: "Compute cluster".into(),
        instances: vec![
            inst("i-1", "us-east-1a"),
            inst("i-2", "us-east-1a"),
            inst("i-3", "us-east-1b"),
        ],
        fargate_tasks: vec![task(TaskState::Running); 3],
        pending: vec![task(TaskState::Provisioning)],
    });
    script.borrow_mut().frames.push_back(f);
    h.step();
    // The cluster's node in the diagram and its heading in the grid.
    // The cluster's card and its frame in the diagram, and its heading in
    // the grid.
    assert_eq!(h.get_all_by_label("Compute cluster").count(), 3);
    h.get_by_label("Placement");
    h.get_by_label("us-east-1a: 2 instance(s)");
    h.get_by_label("us-east-1b: 1 instance(s)");
    h.get_by_label("Fargate tasks: 3");
    h.get_by_label("PROVISIONING: 1");
}

#[test]
fn a_scaled_out_cluster_still_fits_the_placement_grid() {
    let (mut h, script) = harness("ecs-ec2-placement");
    let instances = (0..60)
        .map(|k| InstanceView {
            id: format!("i-{k}"),
            zone: if k % 2 == 0 {
                "us-east-1a"
            } else {
                "us-east-1b"
            }
            .into(),
            instance_type: "m5.large".into(),
            cpu_units: 2048,
            memory_mib: 8192,
            tasks: vec![task(TaskState::Running); 3],
        })
        .collect();
    let mut f = frame(30.0, &[]);
    f.clusters.push(ClusterView {
        name: "Compute cluster".into(),
        instances,
        fargate_tasks: vec![task(TaskState::Running); 3],
        pending: vec![task(TaskState::Provisioning); 2],
    });
    script.borrow_mut().frames.push_back(f);
    h.step();
    h.get_by_label("us-east-1a: 30 instance(s)");
    h.get_by_label("us-east-1b: 30 instance(s)");
    // What comes after the 60 rows is still in the window.
    let last = h.get_by_label("PROVISIONING: 2").rect();
    assert!(
        last.max.y <= 900.0,
        "the grid runs off the window: {last:?}"
    );
}

#[test]
fn instance_rows_shrink_to_fit_and_drop_their_text_when_short() {
    let roomy = instance_row(800.0, 100.0, 5);
    assert_eq!((roomy.height, roomy.gap, roomy.text), (22.0, 4.0, true));
    let tight = instance_row(800.0, 100.0, 60);
    assert!(tight.height < 16.0 && !tight.text, "{tight:?}");
    assert!(100.0 + 60.0 * (tight.height + tight.gap) <= 800.0 + 0.01);
    // Past the floor the rows stop shrinking (the grid is cut instead).
    assert_eq!(instance_row(800.0, 100.0, 500).height, 6.0);
    assert_eq!(instance_row(800.0, 100.0, 0).height, 22.0);
}

#[test]
fn starts_at_the_nearest_listed_speed() {
    let design = starter("serverless-api").unwrap().build().unwrap();
    let feed = || Box::new(ScriptedFeed(Rc::new(RefCell::new(Script::default()))));
    assert_eq!(
        Presenter::new(design.clone(), "s", feed())
            .with_speed(30.0)
            .speed(),
        30.0
    );
    assert_eq!(
        Presenter::new(design.clone(), "s", feed())
            .with_speed(7.0)
            .speed(),
        5.0
    );
    assert_eq!(Presenter::new(design, "s", feed()).speed(), 1.0);
}

#[test]
fn clock_formats_hours_minutes_seconds() {
    assert_eq!(clock(0.0), "00:00:00");
    assert_eq!(clock(3_723.9), "01:02:03");
    assert_eq!(clock(-5.0), "00:00:00");
}

/// A card shows what archsim-app's live run reports, health included: the
/// presenter computes none of it.
#[test]
fn cards_show_the_live_runs_numbers_and_health() {
    use archsim_presenter::run_feed::FrameConverter;
    let mut design = starter("serverless-api").unwrap().build().unwrap();
    // One execution environment for the launch: the function throttles.
    archsim_model::edit::apply_op(
        &mut design,
        archsim_model::edit::Op::SetProperty {
            id: "orders-fn".into(),
            path: "reserved_concurrency".into(),
            value: 1.into(),
        },
    )
    .unwrap();
    let start = LiveStart {
        paused: true,
        ..LiveStart::default()
    };
    let mut run = LiveRun::start(&design, None, &start).unwrap();
    run.control(LiveControl::Step { seconds: 130.0 }).unwrap();
    let view = run.view();
    let frame = FrameConverter::new(design).convert(&view);
    assert_eq!(frame.time_s, view.at_s);
    assert_eq!(frame.components.len(), view.components.len());
    for c in &view.components {
        let card = &frame.components[&c.now.id];
        assert_eq!(card.health, c.health, "{}", c.now.id);
        assert_eq!(card.requests_per_s, f64::from(c.arrivals_per_s));
        assert_eq!(card.throttles, c.now.throttled);
        assert_eq!(card.errors, c.now.errors);
        assert_eq!(card.p99_ms, c.now.p99_ms);
    }
    assert_ne!(frame.components["orders-fn"].health, Health::Ok);
}

/// The run's feed: the window's clock advances the run at the chosen
/// speed, 25 frames a wall second at most, none while paused; controls
/// reach the run, and the run's refusals come back.
#[test]
fn the_run_feed_follows_the_window_clock() {
    use archsim_presenter::run_feed::RunFeed;
    let design = starter("serverless-api").unwrap().build().unwrap();
    let start = LiveStart {
        speed: Some(8.0),
        ..LiveStart::default()
    };
    let mut feed = RunFeed::new(LiveRun::start(&design, None, &start).unwrap());
    // Clock readings that are exact in binary, so simulated times are too.
    assert_eq!(feed.poll(0.0).map(|f| f.time_s), Some(0.0));
    assert!(feed.poll(0.015625).is_none(), "too soon for a frame");
    assert_eq!(feed.poll(0.125).map(|f| f.time_s), Some(1.0));
    feed.send(LiveControl::Pause).unwrap();
    assert_eq!(
        feed.poll(0.25).map(|f| f.time_s),
        Some(1.0),
        "after a control"
    );
    assert!(feed.poll(0.375).is_none(), "paused");
    feed.send(LiveControl::Resume).unwrap();
    feed.send(LiveControl::Restart).unwrap();
    assert_eq!(feed.poll(0.4375).map(|f| f.time_s), Some(0.5));
    let refused = feed.send(LiveControl::Inject {
        event: ScenarioEvent::ZoneLoss {
            zone: "mars-1a".into(),
        },
    });
    assert!(refused.unwrap_err().contains("mars-1a"));
}

/// Placement comes from the live run: every instance with the tasks on it,
/// and tasks waiting for capacity, grouped by the design's clusters.
#[test]
fn the_live_runs_placement_becomes_the_clusters_capacity() {
    use archsim_presenter::run_feed::FrameConverter;
    let design = starter("ecs-ec2-placement").unwrap().build().unwrap();
    let start = LiveStart {
        paused: true,
        ..LiveStart::default()
    };
    let mut run = LiveRun::start(&design, None, &start).unwrap();
    run.control(LiveControl::Step { seconds: 300.0 }).unwrap();
    let view = run.view();
    let real = &view.placement;
    let f = FrameConverter::new(design).convert(&view);
    let cluster = &f.clusters[0];
    assert_eq!(cluster.name, "Compute cluster");
    let instances: usize = real.capacities.iter().map(|c| c.instances.len()).sum();
    assert!(instances > 0);
    assert_eq!(cluster.instances.len(), instances);
    let on_instances: usize = cluster.instances.iter().map(|i| i.tasks.len()).sum();
    let placed: usize = real
        .capacities
        .iter()
        .flat_map(|c| &c.instances)
        .map(|i| i.tasks.len())
        .sum();
    assert_eq!(on_instances, placed);
    assert!(placed > 0);
    for i in &cluster.instances {
        let used: u32 = i.tasks.iter().map(|t| t.cpu_units).sum();
        assert!(used <= i.cpu_units, "{} overcommitted", i.id);
    }
    let waiting: usize = real
        .services
        .iter()
        .flat_map(|s| &s.tasks)
        .filter(|t| t.state == "provisioning")
        .count();
    assert_eq!(cluster.pending.len(), waiting);
}

/// EKS: the node group's nodes with the pods on them, each pod sized by
/// its requests in the nodes' millicores.
#[test]
fn the_eks_clusters_nodes_carry_their_pods() {
    use archsim_presenter::run_feed::FrameConverter;
    let design = starter("eks-platform").unwrap().build().unwrap();
    let start = LiveStart {
        paused: true,
        ..LiveStart::default()
    };
    let mut run = LiveRun::start(&design, None, &start).unwrap();
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    let view = run.view();
    let f = FrameConverter::new(design).convert(&view);
    let cluster = f
        .clusters
        .iter()
        .find(|c| !c.instances.is_empty())
        .expect("the EKS cluster shows its nodes");
    // Three m5.xlarge nodes (3,920 m allocatable), the web workload's
    // three pods of 500 m spread one a node.
    assert_eq!(cluster.instances.len(), 3);
    for i in &cluster.instances {
        assert_eq!(i.instance_type, "m5.xlarge");
        assert_eq!(i.cpu_units, 3_920);
        assert_eq!(i.tasks.len(), 1, "{}", i.id);
        assert_eq!(i.tasks[0].cpu_units, 500);
        // The bar the presenter draws (its pods' requests over the
        // node's allocatable CPU) is the engine's: both in millicores.
        let engine = view
            .placement
            .capacities
            .iter()
            .flat_map(|c| &c.instances)
            .find(|e| e.instance == i.id)
            .unwrap();
        let drawn: u32 = i.tasks.iter().map(|t| t.cpu_units).sum();
        assert_eq!(u64::from(drawn), engine.cpu_used, "{}", i.id);
        assert_eq!(u64::from(i.cpu_units), engine.cpu_units);
    }
}

fn deploy(component: &str, error_rate: f64) -> LiveControl {
    deploy_version(component, error_rate, false)
}

fn deploy_version(component: &str, error_rate: f64, fails_health_checks: bool) -> LiveControl {
    LiveControl::Inject {
        event: ScenarioEvent::Deploy {
            component: component.into(),
            work: None,
            init_ms: None,
            error_rate,
            fails_health_checks,
        },
    }
}

/// d deploys a healthy new version of the design's function with a
/// deployment preference (the live bar's "healthy version"), shift+d one
/// failing 20% of its requests; the on-screen buttons do the same.
#[test]
fn d_deploys_a_new_version_and_shift_d_a_failing_one() {
    let (mut h, script) = harness("serverless-api");
    h.step();
    h.key_press(Key::D);
    h.step();
    h.key_press_modifiers(egui::Modifiers::SHIFT, Key::D);
    h.step();
    h.get_by_label("Deploy (d)").click();
    h.step();
    h.get_by_label("Deploy failing 20% (shift+d)").click();
    h.step();
    assert_eq!(
        script.borrow().sent,
        vec![
            deploy("orders-fn", 0.0),
            deploy("orders-fn", 0.2),
            deploy("orders-fn", 0.0),
            deploy("orders-fn", 0.2)
        ]
    );
    h.get_by_label("new version of orders-fn deployed (20% errors)");
    // A function has no health checks to fail: ctrl+d says so.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::D);
    h.step();
    assert_eq!(script.borrow().sent.len(), 4);
    h.get_by_label(
        "orders-fn is a function: only an ECS service's tasks have health checks to fail",
    );
    // A design of containers deploys its first ECS service, whose new
    // version may also fail its health checks (ctrl+d, or its button).
    let (mut h, script) = harness("ecs-ec2-placement");
    h.step();
    h.key_press(Key::D);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::D);
    h.step();
    h.get_by_label("Deploy failing health checks (ctrl+d)")
        .click();
    h.step();
    let sent = script.borrow().sent.clone();
    let [
        LiveControl::Inject {
            event: ScenarioEvent::Deploy { component, .. },
        },
        ..,
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    let design = starter("ecs-ec2-placement").unwrap().build().unwrap();
    assert_eq!(
        design.component(component).unwrap().kind(),
        archsim_model::ComponentKind::EcsService
    );
    assert_eq!(
        sent,
        [
            deploy(component, 0.0),
            deploy_version(component, 0.0, true),
            deploy_version(component, 0.0, true)
        ]
    );
}

/// A design with no function and no ECS service has nothing to deploy:
/// the key says so and sends nothing, the buttons are disabled.
#[test]
fn nothing_deployable_says_so() {
    let (mut h, script) = harness("eks-platform");
    h.step();
    h.key_press(Key::D);
    h.step();
    assert!(script.borrow().sent.is_empty());
    h.get_by_label("nothing to deploy: the design has no Lambda function or ECS service");
    h.get_by_label("Deploy (d)").click();
    h.step();
    assert!(script.borrow().sent.is_empty(), "the button is disabled");
}

/// While a deployment runs, the function's card shows the new version's
/// share and its errors, in place of the kind's line.
#[test]
fn a_cards_deployment_shows_the_new_versions_share_and_errors() {
    use archsim_app::{DeploymentOutcome, VersionNow};
    let (mut h, script) = harness("serverless-api");
    let status = ComponentStatus {
        requests_per_s: 120.0,
        concurrency: 8,
        errors: 12,
        health: Health::Failing,
        deployment: Some(DeploymentStatus {
            version: 2,
            percent: 10,
            outcome: DeploymentOutcome::InProgress,
            old: VersionNow {
                requests: 1_080,
                errors: 0,
            },
            new: VersionNow {
                requests: 120,
                errors: 12,
            },
        }),
        ..Default::default()
    };
    script
        .borrow_mut()
        .frames
        .push_back(frame(90.0, &[("orders-fn", status)]));
    h.step();
    h.get_by_label("v2 10% (12 errors)");
    h.get_by_label("120 rps · 12 errors · 8 busy");
}

/// The cards' deployments come from the live run: its latest deployment
/// per component, as archsim-app reports it.
#[test]
fn the_live_runs_deployments_reach_the_cards() {
    use archsim_presenter::run_feed::FrameConverter;
    let design = starter("serverless-api").unwrap().build().unwrap();
    let start = LiveStart {
        paused: true,
        ..LiveStart::default()
    };
    let mut run = LiveRun::start(&design, None, &start).unwrap();
    run.control(LiveControl::Step { seconds: 60.0 }).unwrap();
    run.control(deploy("orders-fn", 0.2)).unwrap();
    run.control(LiveControl::Step { seconds: 30.0 }).unwrap();
    let view = run.view();
    let real = &view.deployments[0];
    let frame = FrameConverter::new(design).convert(&view);
    let card = frame.components["orders-fn"].deployment.as_ref().unwrap();
    assert_eq!(
        (card.version, card.percent, card.outcome),
        (real.version, real.percent, real.outcome)
    );
    assert_eq!([card.old, card.new], real.versions);
    assert_eq!(card.percent, 10);
    assert!(card.new.errors > 0 && card.old.errors == 0);
    assert!(frame.components["clients"].deployment.is_none());
}

#[test]
fn the_runs_notes_are_counted_in_the_top_bar() {
    let (mut h, script) = harness("serverless-api");
    h.step();
    assert!(h.query_by_label("1 note").is_none(), "no notes, no label");
    let mut f = frame(5.0, &[]);
    f.notes = vec!["nodes: Karpenter's consolidation is simplified".into()];
    script.borrow_mut().frames.push_back(f);
    h.step();
    h.get_by_label("1 note");
    assert_eq!(h.state().frame().notes.len(), 1);
}
