//! The cost panel: the open design's monthly bill (line items, totals,
//! assumptions, the estimator's notes), its cost curve and, when it has a
//! Lambda function, where that function's workload breaks even on Fargate
//! and ECS on EC2. The figures come from archsim-cost's `design_cost`, the
//! same code `archsim cost` and `archsim chart` run, so the panel and the
//! command line always agree.

use std::path::Path;

use archsim_cost::design_cost::{
    DesignCostError, DesignUsage, base_component_id, break_even_input, chart_function,
    curve_options, monthly_bill, scenario_usage, simulated_usage,
};
use archsim_cost::estimate::EstimateError;
use archsim_cost::{
    Assumptions, Chart, CostReport, LambdaBilling, PriceBook, break_even, cost_curve,
};
use archsim_model::{ComponentKind, Design};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::view::{CommandError, ErrorCode};

/// Where the panel's usage comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The scenario's mean traffic followed through the design (fast).
    #[default]
    Estimate,
    /// The scenario simulated with its seed and duration, measured usage
    /// scaled to the month (sees cold starts, retries, throttles, scaling).
    Simulation,
}

/// Lambda duration rounding: 1 ms (current) or the legacy 100 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub enum LambdaBillingMode {
    #[default]
    #[serde(rename = "1ms")]
    Ms1,
    #[serde(rename = "100ms")]
    Ms100,
}

impl From<LambdaBillingMode> for LambdaBilling {
    fn from(m: LambdaBillingMode) -> Self {
        match m {
            LambdaBillingMode::Ms1 => LambdaBilling::Millisecond,
            LambdaBillingMode::Ms100 => LambdaBilling::Legacy100Ms,
        }
    }
}

impl From<LambdaBilling> for LambdaBillingMode {
    fn from(b: LambdaBilling) -> Self {
        match b {
            LambdaBilling::Millisecond => LambdaBillingMode::Ms1,
            LambdaBilling::Legacy100Ms => LambdaBillingMode::Ms100,
        }
    }
}

/// What the panel prices, as its toggles set it. Every field is optional
/// in JSON; `{}` is the scenario estimate of the first scenario, free tier
/// off, 1 ms billing: what `archsim cost DESIGN` prints.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(default, deny_unknown_fields)]
pub struct CostOptions {
    pub source: CostSource,
    /// The scenario by name; `None` is the design's first.
    pub scenario: Option<String>,
    /// Apply the monthly free tier (Lambda, SQS, API Gateway).
    pub free_tier: bool,
    pub billing: LambdaBillingMode,
    /// The Lambda function of the break-even chart; `None` is the first.
    pub function: Option<String>,
    /// The width (CSS pixels) the panel shows its charts at, so they are
    /// drawn at that size and their text is not scaled down; `None`: the
    /// full 1000 px of a file.
    pub chart_width: Option<u32>,
}

impl CostOptions {
    /// The bill's assumptions: the CLI's defaults (730 h month, no
    /// discount) with the panel's toggles.
    pub fn assumptions(&self) -> Assumptions {
        Assumptions {
            free_tier: self.free_tier,
            lambda_billing: self.billing.into(),
            ..Assumptions::default()
        }
    }
}

/// One line of the bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CostLineView {
    /// The usage's id: a component id, or `SERVICE@CAPACITY` for a
    /// service's share on one capacity provider.
    pub component_id: String,
    pub component_name: String,
    /// AWS service name (`AWS Lambda`).
    pub service: String,
    pub description: String,
    /// Decimal strings, as `archsim cost --json` writes them.
    pub quantity: String,
    pub unit: String,
    pub rate_usd: String,
    pub rate_unit: String,
    pub amount_usd: String,
}

/// One component's share of the bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ComponentCostView {
    pub component_id: String,
    pub component_name: String,
    pub total_usd: String,
}

/// What the bill assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CostAssumptionsView {
    pub region: String,
    pub currency: String,
    pub month_hours: f64,
    pub free_tier: bool,
    pub billing: LambdaBillingMode,
    pub discount_percent: f64,
}

/// Where two platforms cost the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CrossingView {
    pub requests_per_s: f64,
    pub monthly_usd: f64,
    /// The platform cheaper below the crossing (`Lambda`, `Fargate`, `ECS on EC2`).
    pub cheaper_below: String,
    pub cheaper_above: String,
}

/// One Lambda function's workload on Lambda, Fargate and ECS on EC2.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct BreakEvenView {
    pub function_id: String,
    pub function_name: String,
    /// The chart (SVG document, embedded font), crossings marked.
    pub svg: String,
    /// What it compares (the chart's caption, which a narrow chart leaves
    /// to the panel): the workload and the platforms' sizes.
    pub title: String,
    pub crossings: Vec<CrossingView>,
}

/// The simulated run the measured bill comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct SimulatedRunView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    pub duration_s: f64,
}

/// A component the bill leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct NotPricedView {
    pub component_id: String,
    pub component_name: String,
    /// The kind of component ("RDS database").
    pub service: String,
    pub reason: String,
}

/// A component the panel can chart (a Lambda function).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct FunctionChoice {
    pub id: String,
    pub name: String,
}

/// The cost panel of the open design.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct CostPanel {
    pub design: String,
    pub source: CostSource,
    /// The scenario priced.
    pub scenario: String,
    /// Every scenario of the design, for the scenario choice.
    pub scenarios: Vec<String>,
    /// Every Lambda function, for the break-even choice.
    pub functions: Vec<FunctionChoice>,
    /// Mean requests per second entering the design.
    pub entry_requests_per_s: f64,
    /// Present when the bill comes from a simulation.
    pub run: Option<SimulatedRunView>,
    pub line_items: Vec<CostLineView>,
    /// Each component's total, in the order components first appear.
    pub components: Vec<ComponentCostView>,
    pub subtotal_usd: String,
    pub discount_usd: String,
    pub total_usd: String,
    /// Components AWS charges for that the bill does not price.
    pub not_priced: Vec<NotPricedView>,
    /// False when something is not priced: the total leaves charges out.
    pub total_complete: bool,
    /// Price-book paths of the rates the bill depends on that the book
    /// does not confirm for the design's region (each has a note there).
    pub unconfirmed_rates: Vec<String>,
    pub assumptions: CostAssumptionsView,
    /// What the estimate or the measurement leaves out.
    pub notes: Vec<String>,
    /// Monthly cost from 1/100x to 100x of the scenario's traffic, stacked
    /// by component (SVG document).
    pub cost_curve_svg: Option<String>,
    pub break_even: Option<BreakEvenView>,
    /// Charts that could not be drawn, and why (the bill is still right).
    pub chart_notes: Vec<String>,
}

fn cost_error(message: impl Into<String>, suggestion: Option<&str>) -> CommandError {
    CommandError {
        code: ErrorCode::Cost,
        message: message.into(),
        suggestion: suggestion.map(str::to_string),
    }
}

/// A design-cost error in the designer's words (no command-line flags).
pub(crate) fn design_cost_error(e: DesignCostError) -> CommandError {
    match e {
        DesignCostError::Estimate(EstimateError::NoScenario(_))
        | DesignCostError::Simulation(archsim_sim::SimError::NoScenario) => cost_error(
            "the design has no scenario, so there is no traffic to price",
            Some(
                "add a scenario to the design file's \"scenarios\" (docs/cli.md, archsim simulate)",
            ),
        ),
        DesignCostError::Estimate(e @ EstimateError::TraceTraffic { .. }) => cost_error(
            e.to_string(),
            Some("choose \"Simulated run\": the simulator replays the trace"),
        ),
        DesignCostError::Simulation(archsim_sim::SimError::InvalidDesign(problems)) => cost_error(
            format!("the design fails validation, so it cannot be simulated: {problems}"),
            Some("fix the errors listed in the problems panel, or price the scenario estimate"),
        ),
        other => cost_error(other.to_string(), None),
    }
}

/// A note for a measured bill under legacy billing: the simulator rounds
/// each invocation to 1 ms as it runs, so only the legacy rate applies.
pub(crate) fn note_measured_rounding(usage: &mut DesignUsage, assumptions: &Assumptions) {
    let has_lambda = usage
        .profile
        .components
        .iter()
        .any(|c| matches!(c.usage, archsim_cost::ServiceUsage::Lambda(_)));
    if has_lambda && assumptions.lambda_billing == LambdaBilling::Legacy100Ms {
        usage.notes.push(
            "Lambda billing 100 ms: the simulation measured durations rounded to 1 ms per invocation, so only the legacy x86 rate applies here; the scenario estimate rounds to 100 ms".into(),
        );
    }
}

/// A component's name for a usage id: `orders-svc@fargate_spot` is the
/// service's name with its capacity provider, `Orders (fargate_spot)`.
pub(crate) fn component_name(design: &Design, usage_id: &str) -> String {
    if usage_id == archsim_cost::NETWORK_ID {
        return archsim_cost::NETWORK_NAME.to_string();
    }
    if usage_id == archsim_cost::SAVINGS_PLANS_ID {
        return "Savings Plans (commitments)".to_string();
    }
    if let Some((archsim_cost::PROFILE_ID, part)) = usage_id.split_once('@') {
        return format!("{} ({part})", archsim_cost::PROFILE_NAME);
    }
    let Some(c) = design.component(base_component_id(usage_id)) else {
        return usage_id.to_string();
    };
    match usage_id.split_once('@') {
        Some((_, capacity)) => format!("{} ({capacity})", c.name),
        None => c.name.clone(),
    }
}

pub(crate) fn price_book(design: &Design) -> Result<PriceBook, CommandError> {
    PriceBook::embedded(&design.region).map_err(|e| match e {
        archsim_cost::PriceBookError::UnknownRegion { region, known } => cost_error(
            format!("no price book for region `{region}`: archsim prices {known}"),
            Some("pick one of these regions in the design's settings"),
        ),
        other => cost_error(other.to_string(), None),
    })
}

pub(crate) fn line_views(design: &Design, report: &CostReport) -> Vec<CostLineView> {
    report
        .line_items
        .iter()
        .map(|l| CostLineView {
            component_id: l.component_id.clone(),
            component_name: component_name(design, &l.component_id),
            service: l.service.clone(),
            description: l.description.clone(),
            quantity: l.quantity.to_string(),
            unit: l.unit.clone(),
            rate_usd: l.rate_usd.to_string(),
            rate_unit: l.rate_unit.clone(),
            amount_usd: l.amount_usd.to_string(),
        })
        .collect()
}

pub(crate) fn assumptions_view(report: &CostReport) -> CostAssumptionsView {
    let a = &report.assumptions;
    CostAssumptionsView {
        region: report.region.clone(),
        currency: report.currency.clone(),
        month_hours: a.month_hours,
        free_tier: a.free_tier,
        billing: a.lambda_billing.into(),
        discount_percent: a.discount_percent,
    }
}

/// The monthly bill of `design` as the panel shows it. `base_dir` is the
/// design file's folder (trace files named by a scenario are read from
/// there when simulating).
pub fn cost_panel(
    design: &Design,
    base_dir: Option<&Path>,
    options: &CostOptions,
) -> Result<CostPanel, CommandError> {
    let assumptions = options.assumptions();
    let book = price_book(design)?;
    let (usage, run) = match options.source {
        CostSource::Estimate => (
            scenario_usage(design, options.scenario.as_deref(), &assumptions)
                .map_err(design_cost_error)?,
            None,
        ),
        CostSource::Simulation => {
            let run_options = archsim_sim::RunOptions {
                base_dir: base_dir.map(Path::to_path_buf),
                instance_prices: archsim_cost::instance_prices(&design.region),
                ..archsim_sim::RunOptions::default()
            };
            let (mut usage, run) = simulated_usage(
                design,
                options.scenario.as_deref(),
                &run_options,
                &assumptions,
            )
            .map_err(design_cost_error)?;
            note_measured_rounding(&mut usage, &assumptions);
            let run = SimulatedRunView {
                seed: run.seed,
                duration_s: run.duration_s,
            };
            (usage, Some(run))
        }
    };
    let report =
        monthly_bill(&book, &usage, &assumptions).map_err(|e| cost_error(e.to_string(), None))?;
    let mut chart_notes = Vec::new();
    let cost_curve_svg = match curve_svg(&book, &usage, &assumptions, options.chart_width) {
        Ok(svg) => Some(svg),
        Err(e) => {
            chart_notes.push(format!("cost curve: {e}"));
            None
        }
    };
    let break_even = if design
        .components_of(ComponentKind::LambdaFunction)
        .next()
        .is_some()
    {
        match break_even_view(design, &book, options, &assumptions) {
            Ok(view) => Some(view),
            Err(e) => {
                chart_notes.push(format!("break-even: {e}"));
                None
            }
        }
    } else {
        None
    };
    Ok(CostPanel {
        design: design.name.clone(),
        source: options.source,
        scenario: usage.scenario.clone().unwrap_or_default(),
        scenarios: design.scenarios.iter().map(|s| s.name.clone()).collect(),
        functions: design
            .components_of(ComponentKind::LambdaFunction)
            .map(|c| FunctionChoice {
                id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect(),
        entry_requests_per_s: usage.entry_requests_per_s.unwrap_or(0.0),
        run,
        line_items: line_views(design, &report),
        components: report
            .component_totals()
            .into_iter()
            .map(|(id, total)| ComponentCostView {
                component_name: component_name(design, &id),
                component_id: id,
                total_usd: total.to_string(),
            })
            .collect(),
        subtotal_usd: report.subtotal_usd.to_string(),
        discount_usd: report.discount_usd.to_string(),
        total_usd: report.total_usd.to_string(),
        not_priced: report
            .not_priced
            .iter()
            .map(|n| NotPricedView {
                component_id: n.component_id.clone(),
                component_name: component_name(design, &n.component_id),
                service: n.service.clone(),
                reason: n.reason.clone(),
            })
            .collect(),
        total_complete: report.total_complete,
        unconfirmed_rates: report.unconfirmed_rates.clone(),
        assumptions: assumptions_view(&report),
        notes: usage.notes,
        cost_curve_svg,
        break_even,
        chart_notes,
    })
}

/// The cost curve of `usage` as an SVG document.
pub(crate) fn curve_svg(
    book: &PriceBook,
    usage: &DesignUsage,
    assumptions: &Assumptions,
    width: Option<u32>,
) -> Result<String, String> {
    let curve = cost_curve(book, &usage.profile, assumptions, &curve_options(usage))
        .map_err(|e| e.to_string())?;
    svg_at(Chart::CostCurve(&curve), width)
}

/// A chart at the panel's width, or full size.
fn svg_at(chart: Chart, width: Option<u32>) -> Result<String, String> {
    match width {
        Some(w) => chart.to_svg_at(w),
        None => chart.to_svg(),
    }
    .map_err(|e| e.to_string())
}

fn break_even_view(
    design: &Design,
    book: &PriceBook,
    options: &CostOptions,
    assumptions: &Assumptions,
) -> Result<BreakEvenView, String> {
    let id = chart_function(design, options.function.as_deref()).map_err(|e| e.to_string())?;
    let input = break_even_input(design, &id).map_err(|e| e.to_string())?;
    let result = break_even(book, &input, assumptions).map_err(|e| e.to_string())?;
    let svg = svg_at(Chart::BreakEven(&result), options.chart_width)?;
    Ok(BreakEvenView {
        function_name: component_name(design, &id),
        function_id: id,
        svg,
        title: archsim_cost::break_even_title(&result),
        crossings: result
            .crossings
            .iter()
            .map(|c| CrossingView {
                requests_per_s: c.requests_per_s,
                monthly_usd: c.monthly_usd,
                cheaper_below: c.cheaper_below.label().to_string(),
                cheaper_above: c.cheaper_above.label().to_string(),
            })
            .collect(),
    })
}
