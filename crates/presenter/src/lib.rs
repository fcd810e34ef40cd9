//! # archsim-presenter
//!
//! A projector-friendly egui window for live demos: the design at its saved
//! positions with animated flows and live badges, a placement grid per
//! cluster, live charts and a big clock, driven from the keyboard (space
//! pause, +/- speed, r restart, s spike, z zone loss, d deploy a healthy
//! new version, shift+d a failing one, ctrl+d an ECS service's version
//! that fails its health checks, f fullscreen).
//!
//! The window renders [`Frame`]s it pulls from a [`LiveFeed`] and sends it
//! archsim-app's [`LiveControl`]s; it never computes a domain result. In
//! the binary the feed is archsim-app's [`archsim_app::LiveRun`], the
//! canvas's live run, driven by the window's clock
//! ([`run_feed::RunFeed`]), so a component's numbers and health are the
//! ones the canvas shows; in tests it is a scripted feed.
//!
//! Architecture invariant: depends on the model (to draw the design) and
//! on archsim-app's live run; knows nothing of pricing or templates. One
//! struct ([`Presenter`]) holds the state, one function per panel draws it.

use std::collections::{BTreeMap, VecDeque};

use archsim_app::{DeploymentOutcome, Health, LiveControl, VersionNow};
use archsim_model::Design;
use archsim_model::scenario::ScenarioEvent;
use egui::{Align2, Color32, FontId, Key, Pos2, Rect, RichText, Sense, Stroke, Vec2};

pub mod diagram;
pub mod icons;
use diagram::text_line;
pub mod run_feed;

/// What a card shows of one component, taken from archsim-app's
/// [`archsim_app::LiveComponent`] (the presenter derives nothing itself).
/// Counters are totals since the start of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComponentStatus {
    /// Requests (or messages) arriving in the last full simulated second.
    pub requests_per_s: f64,
    /// Busy Lambda environments, or running tasks/pods.
    pub concurrency: u32,
    /// A function's environments alive now, busy or idle (0 for others).
    pub environments: u32,
    pub cold_starts: u64,
    pub throttles: u64,
    pub errors: u64,
    pub p99_ms: f64,
    pub queue_depth: u64,
    pub health: Health,
    /// The component's latest deployment in the run, if it had one.
    pub deployment: Option<DeploymentStatus>,
}

/// A deployment as a card shows it, from archsim-app's
/// [`archsim_app::DeploymentNow`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentStatus {
    /// The version deployed (2 for the run's first).
    pub version: u32,
    /// The new version's share now, percent.
    pub percent: u32,
    pub outcome: DeploymentOutcome,
    pub old: VersionNow,
    pub new: VersionNow,
}

/// A task as the placement grid shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    pub service: String,
    pub cpu_units: u32,
    pub memory_mib: u32,
    pub state: TaskState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Provisioning,
    Pending,
    Running,
    Draining,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstanceView {
    pub id: String,
    pub zone: String,
    pub instance_type: String,
    pub cpu_units: u32,
    pub memory_mib: u32,
    pub tasks: Vec<TaskView>,
}

/// One cluster's capacity and where its tasks are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterView {
    pub name: String,
    pub instances: Vec<InstanceView>,
    pub fargate_tasks: Vec<TaskView>,
    /// Tasks waiting for capacity (PROVISIONING).
    pub pending: Vec<TaskView>,
}

/// What the simulation looks like at one instant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// Simulated seconds since the start of the scenario.
    pub time_s: f64,
    pub components: BTreeMap<String, ComponentStatus>,
    pub clusters: Vec<ClusterView>,
    /// What the run simulates otherwise than AWS would (its notes).
    pub notes: Vec<String>,
}

/// A source of frames that takes controls.
pub trait LiveFeed {
    /// A new frame, if there is one, at `wall_s` on the window's clock (any
    /// monotonic clock in seconds: the feed runs the simulated time that
    /// passed since the last call at the chosen speed).
    fn poll(&mut self, wall_s: f64) -> Option<Frame>;
    /// Obeys a control, or says why not.
    fn send(&mut self, control: LiveControl) -> Result<(), String>;
}

/// Speeds the +/- keys step through (simulated s per wall s).
pub const SPEEDS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 600.0, f64::INFINITY];

/// How much a spike multiplies traffic by.
pub const SPIKE_FACTOR: f64 = 5.0;

/// The share of requests a failing new version fails (shift+d), as the
/// live bar's "version failing 20%".
pub const FAILING_VERSION_ERROR_RATE: f64 = 0.2;

/// The new versions d deploys, as the live bar's "Deploy…" offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewVersion {
    /// d
    Healthy,
    /// shift+d: fails [`FAILING_VERSION_ERROR_RATE`] of its requests.
    Failing,
    /// ctrl+d: an ECS service's tasks never pass their health checks.
    FailingHealthChecks,
}

/// A stable colour per service name, for its tasks.
fn service_colour(service: &str) -> Color32 {
    const COLOURS: [Color32; 6] = [
        Color32::from_rgb(250, 200, 80),
        Color32::from_rgb(120, 220, 140),
        Color32::from_rgb(240, 120, 200),
        Color32::from_rgb(120, 200, 250),
        Color32::from_rgb(250, 140, 90),
        Color32::from_rgb(190, 160, 250),
    ];
    let h = service
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    COLOURS[h as usize % COLOURS.len()]
}

/// Text colours in the placement grid and the charts.
const STRONG: Color32 = Color32::from_gray(235);
const PLAIN: Color32 = Color32::from_gray(200);
const WEAK: Color32 = Color32::from_gray(130);

/// The rule between the window's areas.
const SEPARATOR: Stroke = Stroke {
    width: 1.0,
    color: Color32::from_gray(60),
};

/// How many frames the charts keep.
const HISTORY: usize = 240;

/// The presenter's whole state.
pub struct Presenter {
    design: Design,
    scenario: String,
    feed: Box<dyn LiveFeed>,
    paused: bool,
    speed_index: usize,
    frame: Frame,
    /// (time, requests/s entering the design, total busy) per frame, for
    /// the charts.
    history: VecDeque<(f64, f64, f64)>,
    /// (time, requests/s, busy) per frame for each component, for its
    /// charts when it is selected.
    component_history: BTreeMap<String, VecDeque<(f64, f64, f64)>>,
    /// The component whose charts show (a click on its card); the whole
    /// design's when none.
    selected: Option<String>,
    fullscreen: bool,
    /// A traffic spike is on (s toggles it).
    spiking: bool,
    /// What d deploys a new version of (archsim-app's choice): its id, and
    /// whether it is an ECS service (whose tasks have health checks).
    deploy_target: Option<(String, bool)>,
    /// Lines of what the presenter did, newest last (shown, and tested).
    log: VecDeque<String>,
    /// The diagram's geometry for the last area it was drawn in.
    layout: Option<diagram::Layout>,
    /// The diagram's zoom and pan (wheel, drag; 0 fits again).
    view: diagram::View,
}

impl Presenter {
    pub fn new(design: Design, scenario: impl Into<String>, feed: Box<dyn LiveFeed>) -> Self {
        let deploy_target = archsim_app::deploy_target(&design).map(|c| {
            (
                c.id.clone(),
                c.kind() == archsim_model::ComponentKind::EcsService,
            )
        });
        Self {
            design,
            scenario: scenario.into(),
            feed,
            paused: false,
            speed_index: 0,
            frame: Frame::default(),
            history: VecDeque::with_capacity(HISTORY),
            component_history: BTreeMap::new(),
            selected: None,
            fullscreen: false,
            spiking: false,
            deploy_target,
            log: VecDeque::new(),
            layout: None,
            view: diagram::View::default(),
        }
    }

    /// Starts at the listed speed closest to `speed` (the runner is told
    /// the exact speed by whoever started it).
    pub fn with_speed(mut self, speed: f64) -> Self {
        self.speed_index = SPEEDS
            .iter()
            .enumerate()
            .min_by(|a, b| {
                let d = |x: f64| {
                    if x.is_finite() {
                        (x - speed).abs()
                    } else {
                        f64::MAX
                    }
                };
                d(*a.1).total_cmp(&d(*b.1))
            })
            .map_or(0, |(i, _)| i);
        self
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed_index]
    }

    pub fn fullscreen(&self) -> bool {
        self.fullscreen
    }

    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    pub fn log(&self) -> impl Iterator<Item = &str> {
        self.log.iter().map(String::as_str)
    }

    fn note(&mut self, line: String) {
        if self.log.len() == 8 {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    fn send(&mut self, control: LiveControl) {
        let line = describe_control(&control);
        match self.feed.send(control) {
            Ok(()) => self.note(line),
            Err(why) => self.note(format!("{line}: refused: {why}")),
        }
    }

    /// Takes a new frame from the feed, if there is one, at `wall_s` on
    /// the window's clock.
    pub fn pull(&mut self, wall_s: f64) {
        if let Some(frame) = self.feed.poll(wall_s) {
            if frame.time_s < self.frame.time_s {
                // Restarted: the old history no longer applies.
                self.history.clear();
                self.component_history.clear();
            }
            // Requests entering the design: what its clients send.
            let total: f64 = frame
                .components
                .iter()
                .filter(|(id, _)| {
                    self.design
                        .component(id)
                        .is_some_and(|c| c.kind() == archsim_model::ComponentKind::Client)
                })
                .map(|(_, c)| c.requests_per_s)
                .sum();
            let busy: f64 = frame
                .components
                .values()
                .map(|c| f64::from(c.concurrency))
                .sum();
            push_capped(&mut self.history, (frame.time_s, total, busy));
            for (id, c) in &frame.components {
                let h = self.component_history.entry(id.clone()).or_default();
                push_capped(
                    h,
                    (frame.time_s, c.requests_per_s, f64::from(c.concurrency)),
                );
            }
            self.frame = frame;
        }
    }

    /// The component whose charts show, if one is selected.
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Shows one component's charts (`None`: the whole design's).
    pub fn select(&mut self, id: Option<&str>) {
        self.selected = id
            .filter(|id| self.design.component(id).is_some())
            .map(str::to_owned);
    }

    /// The diagram's zoom and pan.
    pub fn view(&self) -> diagram::View {
        self.view
    }

    /// Where a component's card was last drawn.
    pub fn card_rect(&self, id: &str) -> Option<Rect> {
        self.layout.as_ref()?.card(id).map(|c| c.rect)
    }

    /// Keyboard controls.
    pub fn handle_keys(&mut self, ctx: &egui::Context) {
        let pressed = |k: Key| ctx.input(|i| i.key_pressed(k));
        if pressed(Key::Space) {
            self.toggle_pause();
        }
        if pressed(Key::Plus) || pressed(Key::Equals) {
            self.faster();
        }
        if pressed(Key::Minus) {
            self.slower();
        }
        if pressed(Key::R) {
            self.send(LiveControl::Restart);
        }
        if pressed(Key::S) {
            self.toggle_spike();
        }
        if pressed(Key::Z) {
            let zone = self.zone_to_lose();
            self.send(LiveControl::Inject {
                event: ScenarioEvent::ZoneLoss { zone },
            });
        }
        if pressed(Key::D) {
            let modifiers = ctx.input(|i| i.modifiers);
            self.deploy(if modifiers.command {
                NewVersion::FailingHealthChecks
            } else if modifiers.shift {
                NewVersion::Failing
            } else {
                NewVersion::Healthy
            });
        }
        if pressed(Key::Escape) {
            self.select(None);
        }
        if pressed(Key::F) {
            self.fullscreen = !self.fullscreen;
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(self.fullscreen));
        }
    }

    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        self.send(if self.paused {
            LiveControl::Pause
        } else {
            LiveControl::Resume
        });
    }

    /// Multiplies traffic by [`SPIKE_FACTOR`], or takes it back.
    pub fn toggle_spike(&mut self) {
        self.spiking = !self.spiking;
        let factor = if self.spiking {
            SPIKE_FACTOR
        } else {
            1.0 / SPIKE_FACTOR
        };
        self.send(LiveControl::Spike { factor });
    }

    /// Deploys a new version of the design's deploy target, as the live
    /// bar's "Deploy…" does; says so when there is nothing to deploy, or
    /// when health checks are asked of something that has none.
    pub fn deploy(&mut self, version: NewVersion) {
        let Some((component, service)) = self.deploy_target.clone() else {
            self.note("nothing to deploy: the design has no Lambda function or ECS service".into());
            return;
        };
        if version == NewVersion::FailingHealthChecks && !service {
            self.note(format!(
                "{component} is a function: only an ECS service's tasks have health checks to fail"
            ));
            return;
        }
        self.send(LiveControl::Inject {
            event: ScenarioEvent::Deploy {
                component,
                work: None,
                init_ms: None,
                error_rate: if version == NewVersion::Failing {
                    FAILING_VERSION_ERROR_RATE
                } else {
                    0.0
                },
                fails_health_checks: version == NewVersion::FailingHealthChecks,
            },
        });
    }

    pub fn faster(&mut self) {
        if self.speed_index + 1 < SPEEDS.len() {
            self.speed_index += 1;
            self.send(self.speed_control());
        }
    }

    pub fn slower(&mut self) {
        if self.speed_index > 0 {
            self.speed_index -= 1;
            self.send(self.speed_control());
        }
    }

    /// The current speed as the run takes it (`None`: as fast as possible).
    fn speed_control(&self) -> LiveControl {
        let speed = self.speed();
        LiveControl::Speed {
            speed: speed.is_finite().then_some(speed),
        }
    }

    /// The zone a "zone loss" takes: the first zone holding instances, or
    /// the account's first zone.
    fn zone_to_lose(&self) -> String {
        self.frame
            .clusters
            .iter()
            .flat_map(|c| &c.instances)
            .map(|i| i.zone.clone())
            .min()
            .or_else(|| self.design.account.availability_zones.first().cloned())
            .unwrap_or_else(|| "us-east-1a".into())
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.handle_keys(ui.ctx());
        self.pull(ui.input(|i| i.time));
        self.top_bar(ui);
        let full = ui.available_rect_before_wrap();
        let right_w = (full.width() * 0.28).clamp(220.0, 520.0);
        let bottom_h = (full.height() * 0.22).clamp(100.0, 260.0);
        let diagram = Rect::from_min_max(
            full.min,
            Pos2::new(full.max.x - right_w, full.max.y - bottom_h),
        );
        let placement = Rect::from_min_max(Pos2::new(diagram.max.x, full.min.y), full.max);
        let charts = Rect::from_min_max(
            Pos2::new(full.min.x, diagram.max.y),
            Pos2::new(diagram.max.x, full.max.y),
        );
        // Each area draws in a child clipped to it, so its shapes and its
        // text share one clip rectangle and tessellate into one mesh.
        let mut within = |area: Rect| {
            let mut child = ui.new_child(egui::UiBuilder::new().max_rect(area));
            child.set_clip_rect(area);
            child
        };
        self.diagram(&mut within(diagram), diagram);
        self.placement(&mut within(placement), placement);
        self.charts(&mut within(charts), charts);
        if !self.paused {
            ui.ctx().request_repaint();
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&self.design.name).size(26.0).strong());
            ui.label(RichText::new(format!("scenario: {}", self.scenario)).size(18.0));
            ui.separator();
            ui.label(
                RichText::new(clock(self.frame.time_s))
                    .size(40.0)
                    .monospace()
                    .strong(),
            );
            let speed = if self.speed().is_finite() {
                format!("x{}", self.speed())
            } else {
                "max speed".to_string()
            };
            ui.label(RichText::new(speed).size(22.0));
            ui.label(
                RichText::new(if self.paused {
                    "state: paused"
                } else {
                    "state: running"
                })
                .size(22.0),
            );
            // What the run simulates otherwise than AWS, on hover.
            let notes = &self.frame.notes;
            if !notes.is_empty() {
                let n = notes.len();
                ui.label(
                    RichText::new(format!("{n} {}", if n == 1 { "note" } else { "notes" }))
                        .size(18.0)
                        .color(Color32::from_rgb(0x92, 0x40, 0x0e)),
                )
                .on_hover_text(notes.join("\n"));
            }
        });
        // The keys, and what the presenter last did, on a row of their own
        // that is always there (so the areas below never move), cut to the
        // window's width.
        ui.horizontal(|ui| {
            let deployable = self.deploy_target.is_some();
            let service = self.deploy_target.as_ref().is_some_and(|t| t.1);
            let hint = |r: egui::Response| {
                if deployable {
                    r
                } else {
                    r.on_disabled_hover_text("the design has no Lambda function or ECS service")
                }
            };
            if hint(ui.add_enabled(deployable, egui::Button::new("Deploy (d)"))).clicked() {
                self.deploy(NewVersion::Healthy);
            }
            if hint(ui.add_enabled(
                deployable,
                egui::Button::new("Deploy failing 20% (shift+d)"),
            ))
            .clicked()
            {
                self.deploy(NewVersion::Failing);
            }
            if service
                && ui
                    .button("Deploy failing health checks (ctrl+d)")
                    .clicked()
            {
                self.deploy(NewVersion::FailingHealthChecks);
            }
            ui.separator();
            if let Some(last) = self.log.back() {
                ui.label(RichText::new(last).size(14.0).italics());
                ui.separator();
            }
            ui.add(
                egui::Label::new(
                    RichText::new(
                        "space pause · +/- speed · r restart · s spike · z zone loss · d deploy · f fullscreen · click a card for its charts, esc for all · wheel zoom, drag pan, 0 fit",
                    )
                    .size(14.0)
                    .weak(),
                )
                .truncate(),
            );
        });
    }

    fn placement(&mut self, ui: &mut egui::Ui, area: Rect) {
        let painter = ui.painter_at(area);
        // A rule, not a fill: a filled area costs every pixel of it again
        // under software rendering.
        painter.vline(area.min.x + 1.0, area.y_range(), SEPARATOR);
        let mut y = area.min.y + 8.0;
        let x0 = area.min.x + 10.0;
        let width = area.width() - 20.0;
        text_line(
            ui,
            Rect::from_min_size(Pos2::new(x0, y), Vec2::new(width, 24.0)),
            "Placement",
            FontId::proportional(18.0),
            STRONG,
        );
        y += 30.0;
        if self.frame.clusters.is_empty() {
            text_line(
                ui,
                Rect::from_min_size(Pos2::new(x0, y), Vec2::new(width, 20.0)),
                "no ECS or EKS capacity in this design",
                FontId::proportional(13.0),
                WEAK,
            );
            return;
        }
        // Instance rows shrink to fit the area when a cluster has scaled out.
        let per_row = ((width / 16.0) as usize).max(1);
        let fixed: f32 = self
            .frame
            .clusters
            .iter()
            .map(|c| {
                let zones: std::collections::BTreeSet<&str> =
                    c.instances.iter().map(|i| i.zone.as_str()).collect();
                let boxes = |tasks: &[TaskView]| {
                    if tasks.is_empty() {
                        0.0
                    } else {
                        22.0 + tasks.len().div_ceil(per_row) as f32 * 16.0
                    }
                };
                30.0 + zones.len() as f32 * 18.0 + boxes(&c.fargate_tasks) + boxes(&c.pending)
            })
            .sum();
        let instances: usize = self.frame.clusters.iter().map(|c| c.instances.len()).sum();
        let row = instance_row(area.max.y - y, fixed, instances);
        for cluster in &self.frame.clusters {
            text_line(
                ui,
                Rect::from_min_size(Pos2::new(x0, y), Vec2::new(width, 20.0)),
                &cluster.name,
                FontId::proportional(15.0),
                STRONG,
            );
            y += 22.0;
            let mut zones: BTreeMap<&str, Vec<&InstanceView>> = BTreeMap::new();
            for i in &cluster.instances {
                zones.entry(i.zone.as_str()).or_default().push(i);
            }
            for (zone, instances) in zones {
                text_line(
                    ui,
                    Rect::from_min_size(Pos2::new(x0, y), Vec2::new(width, 16.0)),
                    &format!("{zone}: {} instance(s)", instances.len()),
                    FontId::proportional(12.0),
                    PLAIN,
                );
                y += 18.0;
                for inst in instances {
                    let r = Rect::from_min_size(Pos2::new(x0, y), Vec2::new(width, row.height));
                    painter.rect_stroke(
                        r,
                        0.0,
                        Stroke::new(1.0, Color32::from_gray(140)),
                        egui::StrokeKind::Inside,
                    );
                    let cpu_used: u32 = inst.tasks.iter().map(|t| t.cpu_units).sum();
                    let mem_used: u32 = inst.tasks.iter().map(|t| t.memory_mib).sum();
                    let cpu = (cpu_used as f32 / inst.cpu_units.max(1) as f32).min(1.0);
                    let mem = (mem_used as f32 / inst.memory_mib.max(1) as f32).min(1.0);
                    painter.rect_filled(
                        Rect::from_min_size(r.min, Vec2::new(r.width() * cpu, r.height() / 2.0)),
                        0.0,
                        Color32::from_rgb(70, 140, 230),
                    );
                    painter.rect_filled(
                        Rect::from_min_size(
                            r.min + Vec2::new(0.0, r.height() / 2.0),
                            Vec2::new(r.width() * mem, r.height() / 2.0),
                        ),
                        0.0,
                        Color32::from_rgb(80, 190, 120),
                    );
                    if row.text {
                        painter.text(
                            r.left_center() + Vec2::new(4.0, 0.0),
                            Align2::LEFT_CENTER,
                            format!(
                                "{} {} · {} task(s)",
                                inst.instance_type,
                                inst.id,
                                inst.tasks.len()
                            ),
                            FontId::proportional(11.0),
                            Color32::WHITE,
                        );
                    }
                    // The tasks on it, right-aligned: filled when running,
                    // outlined while starting or draining.
                    let side = (row.height - 4.0).min(9.0);
                    for (k, t) in inst.tasks.iter().enumerate() {
                        let sq = Rect::from_min_size(
                            Pos2::new(
                                r.max.x - (side + 3.0) * (k as f32 + 1.0),
                                r.center().y - side / 2.0,
                            ),
                            Vec2::splat(side),
                        );
                        let colour = service_colour(&t.service);
                        if t.state == TaskState::Running {
                            painter.rect_filled(sq, 1.5, colour);
                        } else {
                            painter.rect_stroke(
                                sq,
                                1.5,
                                Stroke::new(1.5, colour),
                                egui::StrokeKind::Inside,
                            );
                        }
                    }
                    y += row.height + row.gap;
                }
            }
            let boxes = |label: &str, tasks: &[TaskView], colour: Color32, y: &mut f32| {
                if tasks.is_empty() {
                    return;
                }
                text_line(
                    ui,
                    Rect::from_min_size(Pos2::new(x0, *y), Vec2::new(width, 16.0)),
                    &format!("{label}: {}", tasks.len()),
                    FontId::proportional(12.0),
                    PLAIN,
                );
                *y += 18.0;
                for (i, _) in tasks.iter().enumerate() {
                    let (row, col) = (i / per_row, i % per_row);
                    let r = Rect::from_min_size(
                        Pos2::new(x0 + col as f32 * 16.0, *y + row as f32 * 16.0),
                        Vec2::splat(12.0),
                    );
                    painter.rect_filled(r, 2.0, colour);
                }
                *y += (tasks.len().div_ceil(per_row)) as f32 * 16.0 + 4.0;
            };
            boxes(
                "Fargate tasks",
                &cluster.fargate_tasks,
                Color32::from_rgb(240, 150, 60),
                &mut y,
            );
            boxes(
                "PROVISIONING",
                &cluster.pending,
                Color32::from_gray(120),
                &mut y,
            );
            y += 8.0;
        }
    }

    fn charts(&mut self, ui: &mut egui::Ui, area: Rect) {
        let painter = ui.painter_at(area);
        painter.hline(area.x_range(), area.min.y + 1.0, SEPARATOR);
        let half = area.width() / 2.0;
        let selected = self
            .selected
            .as_deref()
            .and_then(|id| self.design.component(id));
        let empty = VecDeque::new();
        let (history, rate_title, busy_title) = match selected {
            Some(c) => (
                self.component_history.get(&c.id).unwrap_or(&empty),
                format!("{}: requests/s", c.name),
                format!("{}: busy", c.name),
            ),
            None => (
                &self.history,
                "requests/s".to_owned(),
                "busy (environments + tasks)".to_owned(),
            ),
        };
        let panels = [
            (
                rate_title,
                Rect::from_min_size(area.min, Vec2::new(half, area.height())),
                1usize,
                Color32::from_rgb(90, 170, 255),
            ),
            (
                busy_title,
                Rect::from_min_size(
                    area.min + Vec2::new(half, 0.0),
                    Vec2::new(half, area.height()),
                ),
                2,
                Color32::from_rgb(255, 170, 80),
            ),
        ];
        for (title, rect, column, colour) in panels {
            let plot = rect.shrink(12.0);
            let values: Vec<f64> = history
                .iter()
                .map(|h| if column == 1 { h.1 } else { h.2 })
                .collect();
            let top = values.iter().copied().fold(0.0, f64::max).max(1e-9);
            let current = values.last().copied().unwrap_or(0.0);
            text_line(
                ui,
                Rect::from_min_size(plot.min, Vec2::new(plot.width(), 20.0)),
                &format!("{title}: {current:.1}"),
                FontId::proportional(15.0),
                PLAIN,
            );
            let n = values.len();
            if n >= 2 {
                let pts: Vec<Pos2> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        Pos2::new(
                            plot.min.x + plot.width() * i as f32 / (n - 1) as f32,
                            plot.max.y - (plot.height() - 24.0) * (*v / top) as f32,
                        )
                    })
                    .collect();
                painter.add(egui::Shape::line(pts, Stroke::new(2.0, colour)));
            }
        }
        let _ = ui.allocate_rect(area, Sense::hover());
    }
}

/// How tall an EC2 instance's row in the placement grid is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceRow {
    pub height: f32,
    /// Space under each row.
    pub gap: f32,
    /// Whether the row is tall enough for its type, id and task count.
    pub text: bool,
}

/// Rows for `instances` instances in `available` pixels, of which `fixed`
/// go to headings and Fargate boxes: full height (22 px) when they fit,
/// shorter as a cluster scales out, never under 6 px (past that the grid
/// is cut at the bottom of the window).
pub fn instance_row(available: f32, fixed: f32, instances: usize) -> InstanceRow {
    let each = if instances == 0 {
        f32::INFINITY
    } else {
        (available - fixed) / instances as f32
    };
    let gap = if each >= 18.0 { 4.0 } else { 2.0 };
    let height = (each - gap).clamp(6.0, 22.0);
    InstanceRow {
        height,
        gap,
        text: height >= 16.0,
    }
}

/// Appends to a chart's history, dropping the oldest past [`HISTORY`].
fn push_capped(h: &mut VecDeque<(f64, f64, f64)>, point: (f64, f64, f64)) {
    if h.len() == HISTORY {
        h.pop_front();
    }
    h.push_back(point);
}

/// hh:mm:ss of simulated time.
pub fn clock(time_s: f64) -> String {
    let s = time_s.max(0.0) as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

fn describe_control(c: &LiveControl) -> String {
    match c {
        LiveControl::Pause => "paused".into(),
        LiveControl::Resume => "resumed".into(),
        LiveControl::Speed { speed: Some(s) } => format!("speed x{s}"),
        LiveControl::Speed { speed: None } => "speed: as fast as possible".into(),
        LiveControl::Restart => "restarted".into(),
        LiveControl::Step { seconds } => format!("stepped {seconds} s"),
        LiveControl::Spike { factor } if *factor >= 1.0 => format!("traffic spike x{factor}"),
        LiveControl::Spike { .. } => "traffic back to normal".into(),
        LiveControl::Inject { event } => archsim_app::describe_event(event),
    }
}

/// The eframe application around a [`Presenter`].
pub struct PresenterApp(pub Presenter);

impl eframe::App for PresenterApp {
    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        // The diagram's background (the areas paint no fill of their own),
        // as eframe wants it: gamma-space components, as its default does.
        diagram::BACKGROUND.to_normalized_gamma_f32()
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        // No panel fill: the clear colour is the background everywhere (a
        // fill would paint the window twice, costly with software
        // rendering).
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.inner_margin(8.0))
            .show(ui, |ui| self.0.ui(ui));
    }
}
