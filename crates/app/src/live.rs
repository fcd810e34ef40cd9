//! A live simulation of the open design for the canvas: the engine of
//! archsim-sim advanced in slices as the viewer polls. The caller passes
//! its wall clock in (this crate keeps no timers): each poll runs the
//! simulated time that `speed` says has passed since the last one, and
//! returns the state now ([`LiveView`]). A viewer that stops polling stops
//! the simulation costing anything.
//!
//! Determinism: the engine's results at simulated time `t` do not depend
//! on how the run was sliced, so a live run that reaches the end has the
//! same numbers as `archsim simulate` with the same design, scenario and
//! seed (tested below), unless events were injected along the way.

use std::path::PathBuf;

use archsim_model::scenario::ScenarioEvent;
use archsim_model::{Design, Scenario};
use archsim_sim::{RunOptions, SimError, Simulation};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::sim_view::{DeploymentNow, FrameComponent, PlacementNow, RequestTrace};
use crate::view::{CommandError, ErrorCode};

/// Simulated seconds one poll may run at most (at maximum speed, or after
/// a long pause between polls), so a poll stays short.
pub const MAX_SLICE_S: f64 = 60.0;

/// Simulated seconds one step control may run at most.
pub const MAX_STEP_S: f64 = 3_600.0;

/// Wall time between polls counted at most: a viewer that was hidden for
/// a minute does not get a minute of simulation in one go.
pub const MAX_WALL_STEP_S: f64 = 0.25;

/// A queue deeper than this turns its component amber.
pub const QUEUE_LIMIT: u64 = 1_000;

/// Simulated seconds over which throttles and errors colour a component.
pub const HEALTH_WINDOW_S: usize = 5;

/// Request traces a live run samples (one client request in a thousand,
/// up to this many), so the Traces tab has requests from later in a run.
pub const LIVE_MAX_TRACES: usize = 200;

/// Most points a series answer carries (longer runs are averaged down).
pub const MAX_SERIES_POINTS: usize = 600;

/// How to start a live run.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(default, deny_unknown_fields)]
pub struct LiveStart {
    /// The scenario by name; the design's first when left out.
    pub scenario: Option<String>,
    /// Overrides the scenario's seed.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seed: Option<u64>,
    /// Simulated seconds per wall second; default 1 (real time). Go as
    /// fast as possible with [`LiveControl::Speed`] `null`.
    pub speed: Option<f64>,
    /// Start paused (to step or inspect first).
    pub paused: bool,
}

/// What the viewer can ask of a running simulation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LiveControl {
    Pause,
    Resume,
    /// Simulated seconds per wall second; `null` is as fast as possible.
    Speed {
        speed: Option<f64>,
    },
    /// Back to the start: same design, scenario and seed; injected events
    /// are forgotten; paused or not as before.
    Restart,
    /// Runs `seconds` of simulated time now (stepping while paused), at
    /// most [`MAX_STEP_S`].
    Step {
        seconds: f64,
    },
    /// Multiplies the traffic of every entry point by `factor` (2 doubles it,
    /// 0.5 halves it back).
    Spike {
        factor: f64,
    },
    /// Any scheduled event, now.
    Inject {
        event: ScenarioEvent,
    },
}

// The one verdict the canvas and the presenter both colour a component by.
/// How a component is doing over the last few simulated seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    #[default]
    Ok,
    /// Throttling, or a queue past [`QUEUE_LIMIT`].
    Strained,
    /// Errors.
    Failing,
}

/// One component now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct LiveComponent {
    /// Counters since the start and gauges now (`id` names the component).
    pub now: FrameComponent,
    /// Arrivals and completions in the last full simulated second.
    pub arrivals_per_s: u32,
    pub completions_per_s: u32,
    pub health: Health,
}

/// An event that happened in the run: the scenario's own or one injected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct LiveEvent {
    pub at_s: f64,
    pub text: String,
}

/// The state of a live run, for one repaint of the canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct LiveView {
    pub scenario: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    pub duration_s: f64,
    pub at_s: f64,
    pub finished: bool,
    pub paused: bool,
    /// Simulated seconds per wall second; `null` is as fast as possible.
    pub speed: Option<f64>,
    pub components: Vec<LiveComponent>,
    pub placement: PlacementNow,
    /// Sampled request traces so far.
    pub traces: u32,
    /// Events injected by the viewer, in order.
    pub events: Vec<LiveEvent>,
    /// Every deployment so far (the scenario's and injected ones), in the
    /// order they started: the new version's share and both versions'
    /// requests and errors now.
    pub deployments: Vec<DeploymentNow>,
    /// What this run simulates otherwise than AWS would (the run's notes,
    /// as `simulate` prints them).
    pub notes: Vec<String>,
}

/// One component's 1 s series, averaged down to at most
/// [`MAX_SERIES_POINTS`] points of `step_s` seconds each.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SeriesView {
    pub id: String,
    pub step_s: u32,
    pub series: crate::sim_view::Series,
}

/// A simulation in progress.
pub struct LiveRun {
    design: Design,
    scenario: Scenario,
    opts: RunOptions,
    sim: Simulation,
    paused: bool,
    speed: Option<f64>,
    last_poll: Option<f64>,
    events: Vec<LiveEvent>,
}

impl std::fmt::Debug for LiveRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveRun")
            .field("scenario", &self.scenario.name)
            .field("at_s", &self.sim.now_s())
            .field("paused", &self.paused)
            .finish()
    }
}

fn sim_error(e: SimError) -> CommandError {
    CommandError::new(ErrorCode::Simulation, e.to_string())
}

impl LiveRun {
    /// Checks the design and prepares the run at time 0. Trace files are
    /// read relative to `base_dir` (the design's folder).
    pub fn start(
        design: &Design,
        base_dir: Option<PathBuf>,
        start: &LiveStart,
    ) -> Result<Self, CommandError> {
        let scenario = archsim_sim::find_scenario(design, start.scenario.as_deref())
            .map_err(sim_error)?
            .clone();
        if let Some(s) = start.speed
            && !(s.is_finite() && s > 0.0)
        {
            return Err(CommandError::new(
                ErrorCode::Simulation,
                format!("speed must be a positive number of simulated seconds per second, not {s}"),
            ));
        }
        let opts = RunOptions {
            seed: start.seed,
            base_dir,
            max_traces: LIVE_MAX_TRACES,
            instance_prices: archsim_cost::instance_prices(&design.region),
            ..RunOptions::default()
        };
        let sim = archsim_sim::prepare(design, &scenario, &opts).map_err(sim_error)?;
        Ok(Self {
            design: design.clone(),
            scenario,
            opts,
            sim,
            paused: start.paused,
            speed: Some(start.speed.unwrap_or(1.0)),
            last_poll: None,
            events: Vec::new(),
        })
    }

    /// The design the run was started on (edits made since do not reach a
    /// running simulation; restart to apply them).
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Advances simulated time by what passed on the caller's clock since
    /// the last poll (`wall_s` is any monotonic clock in seconds), then
    /// returns the state now.
    pub fn poll(&mut self, wall_s: f64) -> LiveView {
        let elapsed = self
            .last_poll
            .map_or(0.0, |last| (wall_s - last).clamp(0.0, MAX_WALL_STEP_S));
        self.last_poll = Some(wall_s);
        if !self.paused && !self.finished() {
            let step = match self.speed {
                Some(x) => (x * elapsed).min(MAX_SLICE_S),
                None if elapsed > 0.0 => MAX_SLICE_S,
                None => 0.0,
            };
            if step > 0.0 {
                self.advance(step);
            }
        }
        self.view()
    }

    fn advance(&mut self, seconds: f64) {
        let to = (self.sim.now_s() + seconds).min(self.sim.duration_s());
        self.sim.run_until(to);
    }

    fn finished(&self) -> bool {
        self.sim.now_s() >= self.sim.duration_s()
    }

    /// Obeys a control. Errors name what was wrong with it.
    pub fn control(&mut self, control: LiveControl) -> Result<(), CommandError> {
        let bad = |m: String| Err(CommandError::new(ErrorCode::Simulation, m));
        match control {
            LiveControl::Pause => self.paused = true,
            LiveControl::Resume => self.paused = false,
            LiveControl::Speed { speed } => {
                if let Some(s) = speed
                    && !(s.is_finite() && s > 0.0)
                {
                    return bad(format!(
                        "speed must be a positive number of simulated seconds per second, not {s}"
                    ));
                }
                self.speed = speed;
            }
            LiveControl::Restart => {
                self.sim = archsim_sim::Simulation::new(&self.design, &self.scenario, &self.opts)
                    .map_err(sim_error)?;
                self.events.clear();
            }
            LiveControl::Step { seconds } => {
                if !(seconds.is_finite() && seconds > 0.0) {
                    return bad(format!(
                        "a step must be a positive number of seconds, not {seconds}"
                    ));
                }
                self.advance(seconds.min(MAX_STEP_S));
            }
            LiveControl::Spike { factor } => {
                if !(factor.is_finite() && factor > 0.0) {
                    return bad(format!("a spike factor must be positive, not {factor}"));
                }
                for entry in self.scenario.entries() {
                    self.sim
                        .inject(ScenarioEvent::TrafficChange { entry, factor });
                }
                self.log(format!("traffic x{factor}"));
            }
            LiveControl::Inject { event } => {
                self.check_event(&event)?;
                self.log(describe_event(&event));
                self.sim.inject(event);
            }
        }
        Ok(())
    }

    fn log(&mut self, text: String) {
        self.events.push(LiveEvent {
            at_s: self.sim.now_s(),
            text,
        });
    }

    /// Injected events must name things the design has.
    fn check_event(&self, event: &ScenarioEvent) -> Result<(), CommandError> {
        let missing = |what: &str, id: &str| {
            Err(CommandError::new(
                ErrorCode::Simulation,
                format!("the design has no {what} \"{id}\""),
            ))
        };
        match event {
            ScenarioEvent::TrafficChange { entry, .. }
                if self.design.component(entry).is_none() =>
            {
                missing("component", entry)
            }
            ScenarioEvent::SpotInterruption { service, .. }
                if self.design.component(service).is_none() =>
            {
                missing("service", service)
            }
            ScenarioEvent::DependencySlowdown { component, .. }
                if self.design.component(component).is_none() =>
            {
                missing("component", component)
            }
            ScenarioEvent::Deploy { component, .. }
                if self.design.component(component).is_none() =>
            {
                missing("component", component)
            }
            ScenarioEvent::ZoneLoss { zone } if !self.sim.zones().contains(zone) => {
                missing("availability zone", zone)
            }
            _ => Ok(()),
        }
    }

    /// The state now, without advancing.
    pub fn view(&self) -> LiveView {
        let frame = self.sim.frame();
        // Frames list components in the simulator's order, as its series do.
        let components = frame
            .components
            .into_iter()
            .zip(self.sim.all_series())
            .map(|(now, s)| {
                let last = |v: &[u32]| v.last().copied().unwrap_or(0);
                let recent = |v: &[u32]| -> u64 {
                    v.iter()
                        .rev()
                        .take(HEALTH_WINDOW_S)
                        .map(|&x| u64::from(x))
                        .sum()
                };
                let (arrivals_per_s, completions_per_s, errors, throttles) = (
                    last(&s.arrivals),
                    last(&s.completions),
                    recent(&s.errors),
                    recent(&s.throttles),
                );
                let health = if errors > 0 {
                    Health::Failing
                } else if throttles > 0 || now.queue_depth > QUEUE_LIMIT {
                    Health::Strained
                } else {
                    Health::Ok
                };
                LiveComponent {
                    now: now.into(),
                    arrivals_per_s,
                    completions_per_s,
                    health,
                }
            })
            .collect();
        LiveView {
            scenario: self.scenario.name.clone(),
            seed: self.opts.seed.unwrap_or(self.scenario.seed),
            duration_s: self.sim.duration_s(),
            at_s: self.sim.now_s(),
            finished: self.finished(),
            paused: self.paused,
            speed: self.speed,
            components,
            placement: frame.placement.into(),
            traces: u32::try_from(self.sim.traces().len()).unwrap_or(u32::MAX),
            events: self.events.clone(),
            deployments: self
                .sim
                .deployments_now()
                .into_iter()
                .map(DeploymentNow::from)
                .collect(),
            notes: self.sim.notes().to_vec(),
        }
    }

    /// One component's series so far.
    pub fn series(&self, id: &str) -> Result<SeriesView, CommandError> {
        let s = self.sim.series(id).ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                format!("the running simulation has no component \"{id}\""),
            )
        })?;
        let len = s.arrivals.len();
        let step = len.div_ceil(MAX_SERIES_POINTS).max(1);
        Ok(SeriesView {
            id: id.to_string(),
            step_s: u32::try_from(step).unwrap_or(u32::MAX),
            series: if step == 1 {
                s.clone().into()
            } else {
                s.downsample(step).into()
            },
        })
    }

    /// The request traces sampled so far.
    pub fn traces(&self) -> Vec<RequestTrace> {
        self.sim.traces().iter().map(RequestTrace::from).collect()
    }
}

/// What a one-key "Deploy" (the presenter's) deploys a new version of:
/// the design's first Lambda function with a deployment preference (its
/// traffic shifts as CodeDeploy's configuration says), else its first ECS
/// service, else its first function (all at once); `None` when it has
/// none of them. The live bar lets the user pick any of them instead.
pub fn deploy_target(design: &Design) -> Option<&archsim_model::Component> {
    use archsim_model::component::Props;
    let preference = |c: &&archsim_model::Component| match &c.props {
        Props::LambdaFunction(l) => l
            .deployment
            .as_ref()
            .is_some_and(|d| d.preference.is_some()),
        _ => false,
    };
    let is =
        |kind: archsim_model::ComponentKind| move |c: &&archsim_model::Component| c.kind() == kind;
    design
        .components()
        .find(preference)
        .or_else(|| {
            design
                .components()
                .find(is(archsim_model::ComponentKind::EcsService))
        })
        .or_else(|| {
            design
                .components()
                .find(is(archsim_model::ComponentKind::LambdaFunction))
        })
}

/// A scenario event in words, as the run's event log and the presenter
/// show it.
pub fn describe_event(e: &ScenarioEvent) -> String {
    match e {
        ScenarioEvent::TrafficChange { entry, factor } => format!("traffic at {entry} x{factor}"),
        ScenarioEvent::ZoneLoss { zone } => format!("zone {zone} lost"),
        ScenarioEvent::SpotInterruption { service, share } => {
            format!("Spot interruption of {:.0}% of {service}", share * 100.0)
        }
        ScenarioEvent::DependencySlowdown {
            component,
            factor,
            duration_s,
        } => format!("{component} {factor}x slower for {duration_s} s"),
        ScenarioEvent::Deploy {
            component,
            error_rate,
            ..
        } => format!(
            "new version of {component} deployed ({:.0}% errors)",
            error_rate * 100.0
        ),
    }
}

/// The open design's live run, if one is going: what the desktop shell and
/// `archsim serve` keep beside their [`crate::Session`].
#[derive(Debug, Default)]
pub struct LiveSlot(Option<LiveRun>);

fn not_running() -> CommandError {
    CommandError::new(
        ErrorCode::NotFound,
        "no simulation is running; start one first".to_string(),
    )
}

impl LiveSlot {
    /// Starts (or restarts from scratch) a run of the session's design as
    /// it is now.
    pub fn start(
        &mut self,
        session: &crate::Session,
        start: &LiveStart,
        wall_s: f64,
    ) -> Result<LiveView, CommandError> {
        let base = session
            .path()
            .and_then(|p| p.parent())
            .map(std::path::Path::to_path_buf);
        let mut run = LiveRun::start(session.design(), base, start)?;
        let view = run.poll(wall_s);
        self.0 = Some(run);
        Ok(view)
    }

    /// The state now, advanced by the clock; `None` when nothing runs.
    pub fn poll(&mut self, wall_s: f64) -> Option<LiveView> {
        self.0.as_mut().map(|r| r.poll(wall_s))
    }

    pub fn control(&mut self, control: LiveControl) -> Result<LiveView, CommandError> {
        let run = self.0.as_mut().ok_or_else(not_running)?;
        run.control(control)?;
        Ok(run.view())
    }

    pub fn stop(&mut self) {
        self.0 = None;
    }

    pub fn series(&self, id: &str) -> Result<SeriesView, CommandError> {
        self.0.as_ref().ok_or_else(not_running)?.series(id)
    }

    pub fn traces(&self) -> Result<Vec<RequestTrace>, CommandError> {
        Ok(self.0.as_ref().ok_or_else(not_running)?.traces())
    }
}
