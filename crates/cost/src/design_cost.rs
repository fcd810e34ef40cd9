//! A design's bill as `archsim cost`, `archsim chart` and the designer's
//! cost panel compute it: where the month's usage comes from (the
//! scenario's steady-state estimate, or a simulation run's measured usage),
//! the cost curve's traffic axis, and the break-even comparison a Lambda
//! function is charted with. One place, so the command line and the app
//! always show the same figures.
//!
//! Like [`crate::estimate`] and [`crate::measured`], this is an adapter: it
//! reads the design; the pricing engine below it does not.
//!
//! ```
//! use archsim_cost::design_cost::{scenario_usage, monthly_bill};
//! use archsim_cost::{Assumptions, PriceBook};
//! use archsim_model::starters::starter;
//!
//! let design = starter("serverless-api").unwrap().build().unwrap();
//! let book = PriceBook::embedded(&design.region)?;
//! let assumptions = Assumptions::default();
//! let usage = scenario_usage(&design, None, &assumptions)?;
//! let bill = monthly_bill(&book, &usage, &assumptions)?;
//! assert!(bill.total_usd > archsim_cost::Decimal::ZERO);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use archsim_model::{ComponentKind, Design};
use archsim_sim::{Run, RunOptions, SimError};

use crate::billing::{CostReport, monthly_cost};
use crate::curves::{BreakEvenInput, CurveOptions, Ec2Sizing, FargateSizing};
use crate::estimate::{Estimate, EstimateError, estimate_usage, lambda_workload, pick_scenario};
use crate::measured::usage_from_run;
use crate::usage::{Assumptions, UsageError, UsageProfile};

/// Where a bill's usage came from, as `archsim cost --json` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum UsageSource {
    /// The scenario's mean traffic followed through the design.
    #[serde(rename = "scenario-estimate")]
    ScenarioEstimate,
    /// A simulation run's measured usage, scaled to the month.
    #[serde(rename = "simulation")]
    Simulation,
    /// Usage as given in a file.
    #[serde(rename = "usage-file")]
    UsageFile,
}

impl UsageSource {
    pub fn label(self) -> &'static str {
        match self {
            UsageSource::ScenarioEstimate => "scenario-estimate",
            UsageSource::Simulation => "simulation",
            UsageSource::UsageFile => "usage-file",
        }
    }
}

/// A month of usage for a design, with what it assumed.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignUsage {
    pub source: UsageSource,
    /// The scenario priced (`None` for a usage file).
    pub scenario: Option<String>,
    pub profile: UsageProfile,
    /// What the estimate or the measurement left out, for the reader.
    pub notes: Vec<String>,
    /// Mean requests per second entering the design (`None` for a usage file).
    pub entry_requests_per_s: Option<f64>,
    /// Components of the design the bill does not price.
    pub not_priced: Vec<crate::NotPriced>,
}

impl DesignUsage {
    fn from_estimate(source: UsageSource, e: Estimate, design: &Design) -> Self {
        DesignUsage {
            source,
            scenario: Some(e.scenario),
            profile: e.profile,
            notes: e.notes,
            entry_requests_per_s: Some(e.entry_requests_per_s),
            not_priced: crate::coverage::not_priced(design),
        }
    }
}

/// Why a design's bill could not be computed. Each message names what was
/// wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DesignCostError {
    #[error(transparent)]
    Estimate(#[from] EstimateError),
    #[error(transparent)]
    Simulation(#[from] SimError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("no component \"{id}\" in design \"{design}\"")]
    UnknownComponent { design: String, id: String },
    #[error("{0} is not a Lambda function")]
    NotAFunction(String),
    #[error("design \"{0}\" has no Lambda function to chart")]
    NoFunction(String),
}

/// Usage estimated from a scenario's mean traffic (by name, or the
/// design's first), held for the month.
pub fn scenario_usage(
    design: &Design,
    scenario: Option<&str>,
    assumptions: &Assumptions,
) -> Result<DesignUsage, DesignCostError> {
    let s = pick_scenario(design, scenario)?;
    let estimate = estimate_usage(design, s, assumptions)?;
    Ok(DesignUsage::from_estimate(
        UsageSource::ScenarioEstimate,
        estimate,
        design,
    ))
}

/// Simulates the scenario (by name, or the design's first) with `options`
/// (seed and duration default to the scenario's) and returns the run with
/// its measured usage scaled to the month.
pub fn simulated_usage(
    design: &Design,
    scenario: Option<&str>,
    options: &RunOptions,
    assumptions: &Assumptions,
) -> Result<(DesignUsage, Run), DesignCostError> {
    let s = archsim_sim::find_scenario(design, scenario)?;
    let run = archsim_sim::simulate(design, s, options)?;
    Ok((measured_usage(design, &run, assumptions), run))
}

/// The usage a finished run measured, scaled to the month.
pub fn measured_usage(design: &Design, run: &Run, assumptions: &Assumptions) -> DesignUsage {
    DesignUsage::from_estimate(
        UsageSource::Simulation,
        usage_from_run(design, run, assumptions),
        design,
    )
}

/// The month's bill of `usage`, with what it leaves out and the
/// unconfirmed rates it depends on.
pub fn monthly_bill(
    book: &crate::PriceBook,
    usage: &DesignUsage,
    assumptions: &Assumptions,
) -> Result<CostReport, UsageError> {
    let unconfirmed =
        crate::unconfirmed::unconfirmed_rates_used(book, &usage.profile, assumptions)?;
    Ok(monthly_cost(book, &usage.profile, assumptions)?
        .with_not_priced(usage.not_priced.clone())
        .with_unconfirmed(unconfirmed))
}

/// The cost curve's range: 1/100x to 100x of the scenario's traffic, on an
/// axis in requests/s when the entry rate is known.
pub fn curve_options(usage: &DesignUsage) -> CurveOptions {
    CurveOptions {
        base_requests_per_s: usage.entry_requests_per_s.filter(|r| *r > 0.0),
        ..CurveOptions::default()
    }
}

/// The Lambda function to chart: `wanted`, or the design's first.
pub fn chart_function(design: &Design, wanted: Option<&str>) -> Result<String, DesignCostError> {
    match wanted {
        Some(id) => match design.component(id) {
            Some(c) if c.kind() == ComponentKind::LambdaFunction => Ok(id.to_string()),
            Some(_) => Err(DesignCostError::NotAFunction(id.to_string())),
            None => Err(DesignCostError::UnknownComponent {
                design: design.name.clone(),
                id: id.to_string(),
            }),
        },
        None => design
            .components_of(ComponentKind::LambdaFunction)
            .next()
            .map(|c| c.id.clone())
            .ok_or_else(|| DesignCostError::NoFunction(design.name.clone())),
    }
}

/// One Lambda function's workload compared on Lambda, on Fargate (1 vCPU
/// tasks held at 60% CPU, at least one) and on ECS on EC2 (m5.large), from
/// 0.01 to 1,000 requests/s, with what surrounds each platform (logs; the
/// containers' NAT gateway and its address).
pub fn break_even_input(
    design: &Design,
    function_id: &str,
) -> Result<BreakEvenInput, DesignCostError> {
    let workload = lambda_workload(design, function_id)
        .ok_or_else(|| DesignCostError::NotAFunction(function_id.to_string()))?;
    let memory_gb = f64::from(workload.memory_mb) / 1024.0;
    let architecture = workload.architecture;
    Ok(BreakEvenInput {
        workload,
        fargate: FargateSizing {
            vcpu: 1.0,
            memory_gb: memory_gb.max(2.0).ceil(),
            target_cpu_utilization: 0.6,
            min_tasks: 1,
            architecture,
            spot: false,
        },
        ec2: Some(Ec2Sizing {
            instance_type: "m5.large".into(),
            task_vcpu: 1.0,
            task_memory_gb: memory_gb.max(2.0).ceil(),
            target_cpu_utilization: 0.6,
            min_tasks: 1,
            min_instances: 1,
        }),
        min_requests_per_s: 0.01,
        max_requests_per_s: 1000.0,
        surroundings: true,
        points: 200,
    })
}

/// The design component a usage id belongs to: a service's usage on one
/// capacity provider is keyed `SERVICE@CAPACITY` and belongs to `SERVICE`.
pub fn base_component_id(usage_id: &str) -> &str {
    usage_id.split('@').next().unwrap_or(usage_id)
}
