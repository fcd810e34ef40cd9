//! # archsim-sim
//!
//! Deterministic discrete-event simulation of an archsim design under a
//! traffic scenario: what scales, how fast, what is throttled or queued,
//! what the latency is, and the AWS usage a bill is made of.
//!
//! Every request, execution environment, task and message is simulated, on
//! an event queue keyed by (integer microseconds, sequence number). Each
//! component draws from its own seeded random stream, so a design, a
//! scenario and a seed give the same [`Run`] bit for bit on every platform.
//! The behaviours (Lambda environments, concurrency and scaling rate,
//! asynchronous retries, API Gateway throttling and timeouts, ALB rules and
//! target selection, SQS and Kinesis event source mappings, ECS tasks on
//! Fargate and EC2 with placement, service autoscaling, managed scaling,
//! the Horizontal Pod Autoscaler, zone loss and Spot interruptions) follow
//! `SPEC-SIM.md`; the constants carry their sources.
//!
//! Entry points: [`simulate`] runs a scenario to the end and returns a
//! [`Run`]; [`replicate()`] runs it over several seeds with confidence
//! intervals; [`prepare`] gives a [`Simulation`] to step (`run_until`,
//! `frame`, `inject`), which archsim-app's live run drives by the viewer's
//! clock.
//!
//! Architecture invariant: this crate depends only on `archsim-model`. It
//! knows nothing of prices, templates or user interfaces: it reports usage
//! quantities ([`Usage`]) and lets the cost crate price them.
//!
//! ```
//! use archsim_model::starters::starter;
//! use archsim_sim::{RunOptions, simulate};
//!
//! let design = starter("serverless-api").unwrap().build().unwrap();
//! let scenario = design.scenario("launch-day").unwrap();
//! let opts = RunOptions { duration_s: Some(60.0), ..RunOptions::default() };
//! let run = simulate(&design, scenario, &opts)?;
//! let f = run.component("orders-fn").unwrap();
//! assert!(f.requests > 400 && f.cold_starts >= 1);
//! // Every request is accounted for.
//! assert_eq!(f.requests, f.completed + f.errors + f.throttled + f.in_flight);
//! # Ok::<(), archsim_sim::SimError>(())
//! ```

mod engine;
mod placement;
pub mod replicate;
mod rng;
mod run;
pub mod traffic;

use std::path::PathBuf;

use archsim_model::validate::has_errors;
use archsim_model::{Design, Scenario, validate};

pub use engine::{
    DeploymentNow, Frame, FrameComponent, LAMBDA_IDLE_EXPIRY, Simulation, VersionNow, coverage,
    no_traffic_reason, takes_traffic,
};

pub use replicate::{Estimate, Replications, replicate};
pub use run::*;

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("no scenario named \"{name}\" in the design (it has: {available})")]
    UnknownScenario { name: String, available: String },
    #[error("the design has no scenario to run; add one to `scenarios`")]
    NoScenario,
    #[error("{0}")]
    BadScenario(String),
    #[error("{file}:{line}: {message}")]
    Trace {
        file: String,
        line: usize,
        message: String,
    },
    #[error("the design fails validation: {0}")]
    InvalidDesign(String),
}

/// How to run a scenario. Defaults: the scenario's own seed and duration.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: Option<u64>,
    pub duration_s: Option<f64>,
    /// Seconds at the start whose statistics and usage are discarded (the
    /// warm-up), rounded to whole seconds; 0 keeps everything.
    pub warmup_s: f64,
    /// Directory trace files are relative to (the design file's).
    pub base_dir: Option<PathBuf>,
    /// Sample one client request in `trace_every` as a request trace...
    pub trace_every: u64,
    /// ...up to this many traces.
    pub max_traces: usize,
    /// Run even if validation reports errors (tests of partial designs).
    pub skip_validation: bool,
    /// Record each component's 1 s series (on by default). Replications
    /// after the first turn it off: they keep only metrics, which come
    /// from the counters and time-weighted gauges, never from the series.
    pub series: bool,
    /// On-demand USD an hour per EC2 instance type in the design's
    /// region, for what chooses by price (a Karpenter NodePool launches
    /// the cheapest type that fits). The simulator knows no prices: the
    /// callers fill this from the cost crate
    /// (`archsim_cost::instance_prices`); a type missing here is said in
    /// the run's notes.
    pub instance_prices: std::collections::BTreeMap<String, f64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: None,
            duration_s: None,
            warmup_s: 0.0,
            base_dir: None,
            trace_every: 1000,
            max_traces: 20,
            skip_validation: false,
            series: true,
            instance_prices: Default::default(),
        }
    }
}

/// Finds a scenario by name, or the design's first one when `name` is None.
pub fn find_scenario<'a>(design: &'a Design, name: Option<&str>) -> Result<&'a Scenario, SimError> {
    match name {
        Some(n) => design.scenario(n).ok_or_else(|| SimError::UnknownScenario {
            name: n.to_string(),
            available: design
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        None => design.scenarios.first().ok_or(SimError::NoScenario),
    }
}

/// Checks the design and prepares a simulation (for stepping, as the live
/// runner does).
pub fn prepare(
    design: &Design,
    scenario: &Scenario,
    opts: &RunOptions,
) -> Result<Simulation, SimError> {
    if !opts.skip_validation {
        let problems = validate(design);
        if has_errors(&problems) {
            let list: Vec<String> = problems
                .iter()
                .filter(|p| p.severity == archsim_model::Severity::Error)
                .map(|p| format!("{} ({})", p.message, p.code))
                .collect();
            return Err(SimError::InvalidDesign(list.join("; ")));
        }
    }
    Simulation::new(design, scenario, opts)
}

/// Runs `scenario` over `design` to the end.
pub fn simulate(design: &Design, scenario: &Scenario, opts: &RunOptions) -> Result<Run, SimError> {
    Ok(prepare(design, scenario, opts)?.run())
}
