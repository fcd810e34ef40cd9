//! The run report: one simulated run of a scenario (its own seed and
//! duration, so the same design gives the same report) written out as
//!
//! - `<stem>.components.csv`: one row per component with the run's
//!   figures and its monthly cost;
//! - `<stem>.series.csv`: the 1 s series in long format, one row per
//!   component and second (components whose series are all zero are left
//!   out);
//! - `<stem>.html`: one self-contained page (inline CSS and SVG, no
//!   scripts, nothing fetched): the diagram drawn from the design's saved
//!   positions with each component's key numbers, a chart of each busy
//!   component's 1 s series, the tables of figures and scale decisions,
//!   and the monthly bill of the run's measured usage with its cost curve.
//!
//! Column meanings are in docs/cli.md (`archsim simulate --report`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use archsim_cost::Assumptions;
use archsim_cost::design_cost::{base_component_id, measured_usage, monthly_bill};
use archsim_model::Design;
use archsim_sim::{ComponentStats, Run, RunOptions};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::cost_panel::{
    CostOptions, LambdaBillingMode, component_name, curve_svg, design_cost_error,
    note_measured_rounding, price_book,
};
use crate::view::{CommandError, ErrorCode};

mod html;
use html::Page;

/// Which run to report and how to price it. `{}` is the design's first
/// scenario, free tier off, 1 ms billing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(default, deny_unknown_fields)]
pub struct ReportOptions {
    /// The scenario by name; `None` is the design's first.
    pub scenario: Option<String>,
    pub free_tier: bool,
    pub billing: LambdaBillingMode,
}

impl ReportOptions {
    pub fn assumptions(&self) -> Assumptions {
        CostOptions {
            free_tier: self.free_tier,
            billing: self.billing,
            ..CostOptions::default()
        }
        .assumptions()
    }
}

/// A finished run report: the three files' names and texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct RunReport {
    pub design: String,
    pub scenario: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    pub duration_s: f64,
    /// The monthly bill of the run's measured usage (decimal string).
    pub total_usd: String,
    /// The part of it for the network around the components (NAT gateway,
    /// public IPv4 addresses, data transfer): on the bill, in no
    /// component's row of the CSV.
    pub network_usd: String,
    /// What the production export profile adds (the stack's KMS key,
    /// access logs): on the bill, in no component's row of the CSV; "0.00"
    /// for the sandbox profile.
    pub profile_usd: String,
    pub html_file_name: String,
    pub html: String,
    pub components_csv_file_name: String,
    pub components_csv: String,
    pub series_csv_file_name: String,
    pub series_csv: String,
}

fn report_error(message: String) -> CommandError {
    CommandError {
        code: ErrorCode::Report,
        message,
        suggestion: None,
    }
}

/// Simulates the scenario with its own seed and duration and makes the
/// report. `base_dir` is the design file's folder (for trace files).
pub fn run_report(
    design: &Design,
    base_dir: Option<&Path>,
    options: &ReportOptions,
) -> Result<RunReport, CommandError> {
    let cannot_run = |e: archsim_sim::SimError| CommandError {
        code: ErrorCode::Report,
        ..design_cost_error(e.into())
    };
    let scenario =
        archsim_sim::find_scenario(design, options.scenario.as_deref()).map_err(cannot_run)?;
    let run_options = RunOptions {
        base_dir: base_dir.map(Path::to_path_buf),
        instance_prices: archsim_cost::instance_prices(&design.region),
        ..RunOptions::default()
    };
    let run = archsim_sim::simulate(design, scenario, &run_options).map_err(cannot_run)?;
    report_of_run(design, &run, &options.assumptions())
}

/// The report of a run already made (`archsim simulate --report`).
pub fn report_of_run(
    design: &Design,
    run: &Run,
    assumptions: &Assumptions,
) -> Result<RunReport, CommandError> {
    let book = price_book(design)?;
    let mut usage = measured_usage(design, run, assumptions);
    note_measured_rounding(&mut usage, assumptions);
    let bill = monthly_bill(&book, &usage, assumptions)
        .map_err(|e| report_error(format!("cannot price the run: {e}")))?;
    let mut cost_by_component: Vec<(String, archsim_cost::Decimal)> = Vec::new();
    for (id, amount) in bill.component_totals() {
        let base = base_component_id(&id).to_string();
        match cost_by_component.iter_mut().find(|(b, _)| *b == base) {
            Some((_, sum)) => *sum += amount,
            None => cost_by_component.push((base, amount)),
        }
    }
    let cost_of = |id: &str| {
        let mut usd = cost_by_component
            .iter()
            .find(|(b, _)| b == id)
            .map_or(archsim_cost::Decimal::ZERO, |(_, d)| *d);
        usd.rescale(2);
        usd
    };
    let stem = file_stem(&design.name, &run.scenario);
    let curve = curve_svg(&book, &usage, assumptions, None);
    let page = Page {
        design,
        run,
        bill: &bill,
        notes: &usage.notes,
        cost_of: &cost_of,
        curve: curve.as_deref(),
    };
    Ok(RunReport {
        design: design.name.clone(),
        scenario: run.scenario.clone(),
        seed: run.seed,
        duration_s: run.duration_s,
        total_usd: bill.total_usd.to_string(),
        network_usd: cost_of(archsim_cost::NETWORK_ID).to_string(),
        profile_usd: cost_of(archsim_cost::PROFILE_ID).to_string(),
        html_file_name: format!("{stem}.html"),
        html: page.html(),
        components_csv_file_name: format!("{stem}.components.csv"),
        components_csv: components_csv(design, run, &cost_of),
        series_csv_file_name: format!("{stem}.series.csv"),
        series_csv: series_csv(run),
    })
}

/// `Serverless REST API`, `launch-day` -> `serverless-rest-api.launch-day`.
fn file_stem(design: &str, scenario: &str) -> String {
    let slug = |s: &str| {
        let mut out = String::new();
        for ch in s.chars() {
            if ch.is_ascii_alphanumeric() {
                out.push(ch.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        let t = out.trim_matches('-').to_string();
        if t.is_empty() { "design".into() } else { t }
    };
    format!("{}.{}", slug(design), slug(scenario))
}

/// Writes the report: the HTML at `html_path` (`.html` added when
/// missing) and the two CSV files beside it, named after it. Returns the
/// files written.
pub fn write_report(report: &RunReport, html_path: &Path) -> Result<Vec<PathBuf>, CommandError> {
    let name = html_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| report.html_file_name.clone());
    let stem = name
        .strip_suffix(".html")
        .or_else(|| name.strip_suffix(".htm"))
        .unwrap_or(&name)
        .to_string();
    let dir = html_path.parent().unwrap_or(Path::new(""));
    let files = [
        (dir.join(format!("{stem}.html")), &report.html),
        (
            dir.join(format!("{stem}.components.csv")),
            &report.components_csv,
        ),
        (dir.join(format!("{stem}.series.csv")), &report.series_csv),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|e| CommandError {
            code: ErrorCode::Save,
            message: format!("cannot write {}: {e}", path.display()),
            suggestion: Some("choose a folder you can write to".into()),
        })?;
        written.push(path);
    }
    Ok(written)
}

// ------------------------------------------------------------------- CSV

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

pub const COMPONENTS_CSV_HEADER: &str = "component,name,kind,requests,completed,errors,throttled,in_flight,cold_starts,retries,dead_lettered,mean_concurrency,max_concurrency,p50_ms,p90_ms,p99_ms,max_ms,mean_wait_ms,mean_service_ms,mean_queue_depth,max_queue_depth,queue_served,queue_waited,p_wait,mean_tasks,max_tasks,mean_instances,max_instances,scale_events,mean_environments,mean_idle_environments,mean_environment_lifetime_s,errors_by_kind,monthly_usd";

fn errors_by_kind(c: &ComponentStats) -> String {
    c.errors_by_kind
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn components_csv(
    design: &Design,
    run: &Run,
    cost_of: &dyn Fn(&str) -> archsim_cost::Decimal,
) -> String {
    let mut out = String::from(COMPONENTS_CSV_HEADER);
    out.push('\n');
    for c in &run.components {
        let l = &c.latency_ms;
        let fields = [
            csv_field(&c.id),
            csv_field(&component_name(design, &c.id)),
            c.kind.clone(),
            c.requests.to_string(),
            c.completed.to_string(),
            c.errors.to_string(),
            c.throttled.to_string(),
            c.in_flight.to_string(),
            c.cold_starts.to_string(),
            c.retries.to_string(),
            c.dead_lettered.to_string(),
            num(c.mean_concurrency),
            c.max_concurrency.to_string(),
            num(l.p50),
            num(l.p90),
            num(l.p99),
            num(l.max),
            num(c.mean_wait_ms),
            num(c.mean_service_ms),
            num(c.mean_queue_depth),
            c.max_queue_depth.to_string(),
            c.queue
                .as_ref()
                .map_or(String::new(), |q| q.served.to_string()),
            c.queue
                .as_ref()
                .map_or(String::new(), |q| q.waited.to_string()),
            c.queue.as_ref().map_or(String::new(), |q| num(q.p_wait)),
            num(c.mean_tasks),
            c.max_tasks.to_string(),
            num(c.mean_instances),
            c.max_instances.to_string(),
            c.scale_events.to_string(),
            c.environments
                .as_ref()
                .map_or(String::new(), |e| num(e.mean_alive)),
            c.environments
                .as_ref()
                .map_or(String::new(), |e| num(e.mean_idle)),
            c.environments
                .as_ref()
                .map_or(String::new(), |e| num(e.mean_lifetime_s)),
            csv_field(&errors_by_kind(c)),
            cost_of(&c.id).to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

pub const SERIES_CSV_HEADER: &str = "component,second,arrivals,completions,errors,throttles,cold_starts,concurrency,tasks,queue_depth,instances,environments";

fn series_columns(c: &ComponentStats) -> [&[u32]; 10] {
    let s = &c.series;
    [
        &s.arrivals,
        &s.completions,
        &s.errors,
        &s.throttles,
        &s.cold_starts,
        &s.concurrency,
        &s.tasks,
        &s.queue_depth,
        &s.instances,
        &s.environments,
    ]
}

fn is_busy(c: &ComponentStats) -> bool {
    series_columns(c)
        .iter()
        .any(|col| col.iter().any(|&v| v > 0))
}

fn series_csv(run: &Run) -> String {
    let mut out = String::from(SERIES_CSV_HEADER);
    out.push('\n');
    for c in run.components.iter().filter(|c| is_busy(c)) {
        let cols = series_columns(c);
        let len = cols.iter().map(|v| v.len()).max().unwrap_or(0);
        let id = csv_field(&c.id);
        // The series start after the run's warm-up.
        let from = run.warmup_s as usize;
        for t in 0..len {
            let _ = write!(out, "{id},{}", from + t);
            for col in cols {
                let _ = write!(out, ",{}", col.get(t).copied().unwrap_or(0));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_slugs() {
        assert_eq!(
            file_stem("Serverless REST API", "launch-day"),
            "serverless-rest-api.launch-day"
        );
        assert_eq!(file_stem("!!", "a b"), "design.a-b");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(2.0), "2");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(0.1234), "0.123");
        assert_eq!(num(-0.0001), "0");
    }
}
