//! `archsim cost` and `archsim chart`: the monthly bill of a design, and
//! its cost curve, break-even and memory charts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use archsim_cost::design_cost::{
    DesignUsage, UsageSource, break_even_input, chart_function, curve_options, scenario_usage,
    simulated_usage,
};
use archsim_cost::estimate::lambda_power_tuning;
use archsim_cost::{
    Assumptions, CostReport, ImageFormat, LambdaBilling, PriceBook, SavingsPlan, SavingsPlanKind,
    UsageProfile, break_even, cost_curve, memory_curve, render_breakeven, render_cost_curve,
    render_memory,
};
use archsim_model::Design;
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Billing {
    #[value(name = "1ms")]
    Ms1,
    #[value(name = "100ms")]
    Ms100,
}

/// How the bill is computed: prices and assumptions.
#[derive(Args)]
pub struct PricingArgs {
    /// Apply the monthly free tier (Lambda, SQS, API Gateway for new accounts).
    #[arg(long, value_enum, default_value = "off")]
    free_tier: OnOff,
    /// Lambda duration rounding: 1 ms (current) or the legacy 100 ms.
    #[arg(long, value_enum, default_value = "1ms")]
    billing: Billing,
    /// Hours in the month (720 = 30 days, 730 = AWS's average, 744 = 31 days).
    #[arg(long, default_value_t = 730.0)]
    month_hours: f64,
    /// A negotiated discount on the whole bill, percent.
    #[arg(long, default_value_t = 0.0)]
    discount: f64,
    /// An extra price book: a whole book (with `format`) for the design's
    /// region, which may be one archsim does not embed, or an overrides file
    /// (same shape, only the rates to change) laid over the embedded book.
    #[arg(long)]
    prices: Option<PathBuf>,
    /// A Savings Plan the account holds, `KIND:USD_PER_HOUR:YEARS` with KIND
    /// `compute` or `ec2-instance` and a 1- or 3-year term, e.g.
    /// `compute:0.50:1`; repeat for several.
    #[arg(long = "savings-plan", value_parser = parse_savings_plan)]
    savings_plans: Vec<SavingsPlan>,
}

/// `compute:0.50:1` -> a Compute Savings Plan of $0.50 an hour for a year.
fn parse_savings_plan(text: &str) -> std::result::Result<SavingsPlan, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [kind, usd, years] = parts[..] else {
        return Err(format!(
            "`{text}`: write KIND:USD_PER_HOUR:YEARS, e.g. compute:0.50:1"
        ));
    };
    let kind = match kind {
        "compute" => SavingsPlanKind::Compute,
        "ec2-instance" => SavingsPlanKind::Ec2Instance,
        other => return Err(format!("`{other}`: the kind is compute or ec2-instance")),
    };
    let commitment_usd_per_hour = usd
        .parse::<f64>()
        .ok()
        .filter(|v| *v > 0.0 && v.is_finite())
        .ok_or_else(|| format!("`{usd}`: the commitment is dollars an hour, above 0"))?;
    let term_years = match years {
        "1" => 1,
        "3" => 3,
        other => return Err(format!("`{other}`: the term is 1 or 3 years")),
    };
    Ok(SavingsPlan {
        kind,
        commitment_usd_per_hour,
        term_years,
    })
}

impl PricingArgs {
    fn assumptions(&self) -> Assumptions {
        Assumptions {
            savings_plans: self.savings_plans.clone(),
            month_hours: self.month_hours,
            free_tier: self.free_tier == OnOff::On,
            lambda_billing: match self.billing {
                Billing::Ms1 => LambdaBilling::Millisecond,
                Billing::Ms100 => LambdaBilling::Legacy100Ms,
            },
            discount_percent: self.discount,
            ..Assumptions::default()
        }
    }

    fn book(&self, design: &Design) -> Result<PriceBook> {
        Ok(PriceBook::load(&design.region, self.prices.as_deref())?)
    }
}

#[derive(Args)]
pub struct CostArgs {
    design: PathBuf,
    /// The scenario whose mean traffic is priced (default: the design's first).
    #[arg(long, conflicts_with = "usage")]
    scenario: Option<String>,
    /// Price a usage profile (JSON, schema in docs/cli.md) instead of a scenario.
    #[arg(long)]
    usage: Option<PathBuf>,
    /// Simulate the scenario and price its measured usage, scaled to a month
    /// (instead of the steady-state estimate).
    #[arg(long, conflicts_with = "usage")]
    simulate: bool,
    /// Seed for --simulate (default: the scenario's).
    #[arg(long, requires = "simulate")]
    seed: Option<u64>,
    /// Simulated seconds for --simulate (default: the scenario's duration).
    #[arg(long, requires = "simulate")]
    duration: Option<f64>,
    /// Machine-readable output (schema in docs/cli.md).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    pricing: PricingArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// Monthly cost against traffic, 1/100x to 100x, stacked by component.
    CostCurve,
    /// One function's workload on Lambda, Fargate and ECS on EC2.
    Breakeven,
    /// One function's cost per 1M invocations against memory size.
    Memory,
}

#[derive(Args)]
pub struct ChartArgs {
    design: PathBuf,
    #[arg(long, value_enum)]
    kind: ChartKind,
    /// Output file; `.svg` or `.png`.
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    scenario: Option<String>,
    /// The Lambda function for breakeven and memory charts (default: the first).
    #[arg(long)]
    function: Option<String>,
    #[command(flatten)]
    pricing: PricingArgs,
}

/// Usage from a file, or estimated from a scenario (archsim-cost's
/// `design_cost`, which the designer's cost panel uses too).
fn usage_for(
    design: &Design,
    scenario: Option<&str>,
    usage: Option<&Path>,
    assumptions: &Assumptions,
) -> Result<DesignUsage> {
    if let Some(path) = usage {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut de = serde_json::Deserializer::from_str(&text);
        let profile: UsageProfile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner = e.inner();
            anyhow::anyhow!(
                "{}:{}:{}: {} (at {})",
                path.display(),
                inner.line(),
                inner.column(),
                inner,
                e.path()
            )
        })?;
        // A usage line for a component the design lacks is a mistake (a
        // typo, or the file of another design), not a charge to add.
        for (i, c) in profile.components.iter().enumerate() {
            let id = c.component_id.as_str();
            let base = id.split('@').next().unwrap_or(id);
            if design.component(base).is_none()
                && id != archsim_cost::NETWORK_ID
                && base != archsim_cost::PROFILE_ID
            {
                let known: Vec<&str> = design.components().map(|c| c.id.as_str()).collect();
                anyhow::bail!(
                    "{}: components[{i}].component_id `{id}` is not a component of design \"{}\" (its components: {}; `{}` for the network around them, `{}@...` for what the production export profile adds)",
                    path.display(),
                    design.name,
                    known.join(", "),
                    archsim_cost::NETWORK_ID,
                    archsim_cost::PROFILE_ID
                );
            }
        }
        return Ok(DesignUsage {
            source: UsageSource::UsageFile,
            scenario: None,
            profile,
            notes: vec![format!("usage as given in {}", path.display())],
            entry_requests_per_s: None,
            not_priced: archsim_cost::coverage::not_priced(design),
        });
    }
    Ok(scenario_usage(design, scenario, assumptions)?)
}

/// Usage measured by simulating the scenario.
fn measured_usage(
    design: &Design,
    args: &CostArgs,
    assumptions: &Assumptions,
) -> Result<DesignUsage> {
    let opts = archsim_sim::RunOptions {
        seed: args.seed,
        duration_s: args.duration,
        base_dir: args.design.parent().map(PathBuf::from),
        // The prices the bill uses (overrides included), for what the
        // run picks by price (Karpenter's instance types).
        instance_prices: PriceBook::load(&design.region, args.pricing.prices.as_deref())
            .map(|b| b.instance_prices())
            .unwrap_or_default(),
        ..archsim_sim::RunOptions::default()
    };
    let (usage, _run) = simulated_usage(design, args.scenario.as_deref(), &opts, assumptions)?;
    Ok(usage)
}

pub fn cost(args: CostArgs) -> Result<u8> {
    let design = archsim_model::load(&args.design)?;
    let assumptions = args.pricing.assumptions();
    let book = args.pricing.book(&design)?;
    let priced = if args.simulate {
        measured_usage(&design, &args, &assumptions)?
    } else {
        usage_for(
            &design,
            args.scenario.as_deref(),
            args.usage.as_deref(),
            &assumptions,
        )?
    };
    let report = archsim_cost::design_cost::monthly_bill(&book, &priced, &assumptions)?;
    if args.json {
        let out = serde_json::json!({
            "design": design.name,
            "source": priced.source.label(),
            "scenario": priced.scenario,
            "entry_requests_per_s": priced.entry_requests_per_s,
            "notes": priced.notes,
            "report": report,
        });
        crate::output::print(&(serde_json::to_string_pretty(&out)? + "\n"))?;
    } else {
        crate::output::print(&table(&design, &priced, &report))?;
    }
    Ok(0)
}

fn table(design: &Design, priced: &DesignUsage, report: &CostReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: monthly cost{}",
        design.name,
        priced
            .scenario
            .as_ref()
            .map(|s| format!(" under scenario \"{s}\""))
            .unwrap_or_default()
    );
    let name = |id: &str| {
        if id == archsim_cost::NETWORK_ID {
            return "Network".to_string();
        }
        if id == archsim_cost::SAVINGS_PLANS_ID {
            return "Savings Plans".to_string();
        }
        if let Some((archsim_cost::PROFILE_ID, part)) = id.split_once('@') {
            return format!("Production profile ({part})");
        }
        let base = id.split('@').next().unwrap_or(id);
        design
            .component(base)
            .map_or(id.to_string(), |c| c.name.clone())
    };
    let _ = writeln!(
        out,
        "\n{:<22} {:<46} {:>24} {:>10}",
        "component", "item", "quantity", "USD"
    );
    for item in &report.line_items {
        let _ = writeln!(
            out,
            "{:<22} {:<46} {:>24} {:>10}",
            truncate(&name(&item.component_id), 22),
            truncate(&item.description, 46),
            format!(
                "{} {}",
                thousands(item.quantity.round_dp(2)),
                short_unit(&item.unit)
            ),
            item.amount_usd
        );
    }
    if !report.discount_usd.is_zero() {
        let _ = writeln!(
            out,
            "{:<94} {:>10}",
            "discount",
            format!("-{}", report.discount_usd)
        );
    }
    for n in &report.not_priced {
        let _ = writeln!(
            out,
            "{:<22} {:<71} {:>10}",
            truncate(&name(&n.component_id), 22),
            truncate(&format!("not priced: {}", n.reason), 71),
            "-"
        );
    }
    let _ = writeln!(
        out,
        "{:<94} {:>10}",
        if report.total_complete {
            "total (USD per month)".to_string()
        } else {
            format!(
                "total (USD per month), incomplete: {} not priced",
                plural(report.not_priced.len(), "component")
            )
        },
        report.total_usd
    );
    let a = &report.assumptions;
    let _ = writeln!(
        out,
        "\nassumptions: {} h month, free tier {}, Lambda billing {}, region {}",
        a.month_hours,
        if a.free_tier { "on" } else { "off" },
        match a.lambda_billing {
            LambdaBilling::Millisecond => "1 ms",
            LambdaBilling::Legacy100Ms => "100 ms (legacy)",
        },
        report.region
    );
    for n in &priced.notes {
        let _ = writeln!(out, "  - {n}");
    }
    if !report.unconfirmed_rates.is_empty() {
        let _ = writeln!(
            out,
            "\nwarning: {} used by this bill {} not confirmed for {} (the price book's notes say where each value came from): {}",
            plural(report.unconfirmed_rates.len(), "rate"),
            if report.unconfirmed_rates.len() == 1 {
                "is"
            } else {
                "are"
            },
            report.region,
            report.unconfirmed_rates.join(", ")
        );
    }
    out
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// 1234567.5 -> "1,234,567.5".
fn thousands(n: archsim_cost::Decimal) -> String {
    let text = n.normalize().to_string();
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn short_unit(unit: &str) -> &str {
    unit.split_whitespace().next().unwrap_or(unit)
}

pub fn chart(args: ChartArgs) -> Result<u8> {
    let design = archsim_model::load(&args.design)?;
    let assumptions = args.pricing.assumptions();
    let book = args.pricing.book(&design)?;
    let format = ImageFormat::from_path(&args.out)?;
    match args.kind {
        ChartKind::CostCurve => {
            let priced = usage_for(&design, args.scenario.as_deref(), None, &assumptions)?;
            let curve = cost_curve(
                &book,
                &priced.profile,
                &assumptions,
                &curve_options(&priced),
            )?;
            render_cost_curve(&curve, format, &args.out)?;
        }
        ChartKind::Breakeven => {
            let id = chart_function(&design, args.function.as_deref())?;
            let input = break_even_input(&design, &id)?;
            let result = break_even(&book, &input, &assumptions)?;
            render_breakeven(&result, format, &args.out)?;
            for c in &result.crossings {
                crate::output::print(&format!(
                    "{} and {} cost the same at {:.2} requests/s (${:.2}/month)\n",
                    c.cheaper_below.label(),
                    c.cheaper_above.label(),
                    c.requests_per_s,
                    c.monthly_usd
                ))?;
            }
        }
        ChartKind::Memory => {
            let id = chart_function(&design, args.function.as_deref())?;
            let input = lambda_power_tuning(&design, &id)
                .with_context(|| format!("{id} is not a Lambda function"))?;
            let curve = memory_curve(&book, &input, &assumptions)?;
            render_memory(&curve, format, &args.out)?;
        }
    }
    crate::output::print(&format!("wrote {}\n", args.out.display()))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        use std::str::FromStr;
        let d = |s: &str| archsim_cost::Decimal::from_str(s).unwrap();
        assert_eq!(thousands(d("1234567.50")), "1,234,567.5");
        assert_eq!(thousands(d("730")), "730");
        assert_eq!(thousands(d("-1000")), "-1,000");
        assert_eq!(thousands(d("0.25")), "0.25");
    }
}
