//! `archsim simulate`: runs a scenario of a design and prints what each
//! component saw: a table for people, stable JSON for CI (docs/cli.md),
//! per-second CSV for spreadsheets. With `--seeds K` the scenario runs K
//! times and every figure is a mean with its 95% confidence interval.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use archsim_model::load;
use archsim_sim::replicate::{Replications, metrics_of, replicate};
use archsim_sim::{ComponentStats, Run, RunOptions, find_scenario};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The design file (`*.archsim.json`).
    design: PathBuf,
    /// Scenario to run (default: the design's first).
    #[arg(long)]
    scenario: Option<String>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Replications: run seeds N, N+1, ... and report means with 95% CIs.
    #[arg(long, default_value_t = 1)]
    seeds: u32,
    /// Simulated duration instead of the scenario's: `600`, `90s`, `10m`, `2h`, `1d`.
    #[arg(long)]
    duration: Option<String>,
    /// Wall-clock start instead of the scenario's `start` (RFC 3339, e.g.
    /// `2026-01-05T09:00:00Z`; default Monday 2026-01-05T00:00:00Z): cron
    /// schedules fire at their UTC times from here.
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
    /// Machine-readable output (schema in docs/cli.md).
    #[arg(long)]
    json: bool,
    /// Also write per-second series and a summary as CSV files here.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write a run report of the (first seed's) run: a self-contained
    /// HTML page here, and `STEM.components.csv` and `STEM.series.csv` beside it.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// What if Lambda reclaimed idle execution environments after this long
    /// instead of the design's `account.lambda_idle_expiry_s` (600 s):
    /// `300`, `5m`.
    #[arg(long, value_name = "D")]
    idle_expiry: Option<String>,
    /// Discard the first D of the run (`300`, `5m`) from every statistic,
    /// series and the measured usage: the warm-up.
    #[arg(long, value_name = "D")]
    warmup: Option<String>,
}

/// Kinds whose figures the report shows; roles, registries, task
/// definitions and clusters carry no traffic.
const REPORTED: &[&str] = &[
    "client",
    "api_gateway",
    "cloudfront",
    "alb",
    "nlb",
    "lambda_function",
    "ecs_service",
    "eks_workload",
    "sqs_queue",
    "sns_topic",
    "eventbridge_rule",
    "kinesis_stream",
    "dynamodb_table",
    "aurora_serverless",
    "rds",
    "s3_bucket",
    "ec2_capacity",
    "eks_node_group",
];

fn is_service(kind: &str) -> bool {
    matches!(kind, "ecs_service" | "eks_workload")
}

fn is_capacity(kind: &str) -> bool {
    matches!(kind, "ec2_capacity" | "eks_node_group")
}

/// `600`, `90s`, `10m`, `2h`, `1d` -> seconds.
fn parse_duration(s: &str) -> Result<f64> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num.trim().parse().with_context(|| {
        format!("--duration \"{s}\" is not a number with an optional unit (s, m, h, d)")
    })?;
    let scale = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => bail!("--duration \"{s}\": unknown unit \"{unit}\" (use s, m, h or d)"),
    };
    if !n.is_finite() || n <= 0.0 {
        bail!("--duration \"{s}\" must be positive");
    }
    Ok(n * scale)
}

pub fn run(args: SimulateArgs) -> Result<u8> {
    let mut design = load(&args.design)?;
    if let Some(d) = &args.idle_expiry {
        let s = parse_duration(d).map_err(|e| {
            anyhow::anyhow!("{}", e.to_string().replace("--duration", "--idle-expiry"))
        })?;
        if !(1.0..=86_400.0).contains(&s) {
            bail!("--idle-expiry \"{d}\" must be from 1 s to 1 day");
        }
        design.account.lambda_idle_expiry_s = s.round() as u32;
    }
    let file = args.design.display().to_string();
    let mut scenario = find_scenario(&design, args.scenario.as_deref())
        .with_context(|| file.clone())?
        .clone();
    if let Some(start) = &args.start {
        archsim_model::civil::UtcTime::parse_rfc3339(start)
            .map_err(|m| anyhow::anyhow!("--start: {m}"))?;
        scenario.start = Some(start.clone());
    }
    let scenario = &scenario;
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let duration_s = args.duration.as_deref().map(parse_duration).transpose()?;
    let warmup_s = match &args.warmup {
        Some(d) => {
            let w = parse_duration(d).map_err(|e| {
                anyhow::anyhow!("{}", e.to_string().replace("--duration", "--warmup"))
            })?;
            let run_s = duration_s.unwrap_or(scenario.duration_s);
            if w >= run_s {
                bail!("--warmup \"{d}\" must be shorter than the run ({run_s} s)");
            }
            w
        }
        None => 0.0,
    };
    let base = args.seed.unwrap_or(scenario.seed);
    let seeds: Vec<u64> = (0..u64::from(args.seeds))
        .map(|i| base.wrapping_add(i))
        .collect();
    let opts = RunOptions {
        duration_s,
        warmup_s,
        base_dir: args.design.parent().map(Path::to_path_buf),
        instance_prices: archsim_cost::instance_prices(&design.region),
        // The 1 s series are read only by the CSV files and the report.
        series: args.csv.is_some() || args.report.is_some(),
        ..RunOptions::default()
    };

    let total_s = duration_s.unwrap_or(scenario.duration_s) * seeds.len() as f64;
    let expected_requests: f64 = total_s
        * scenario
            .traffic
            .iter()
            .map(|t| match &t.pattern {
                archsim_model::scenario::TrafficPattern::Constant { rps }
                | archsim_model::scenario::TrafficPattern::Poisson { rps } => *rps,
                _ => 100.0,
            })
            .sum::<f64>();
    // A bar only where someone watches it, and only when the wait is long.
    let bar = (std::io::stderr().is_terminal() && expected_requests > 2e6).then(|| {
        let b = indicatif::ProgressBar::new(total_s.ceil() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:40}] {pos}/{len} simulated s ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });

    // Replications run in parallel over every core; the result is the
    // same as one after another (archsim_sim::replicate).
    let tick = |s: f64| {
        if let Some(b) = &bar {
            b.inc(s.round() as u64);
        }
    };
    let reps = replicate(&design, scenario, &opts, &seeds, &tick).with_context(|| file.clone())?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    if let Some(dir) = &args.csv {
        write_csv(dir, &reps).with_context(|| format!("writing CSV to {}", dir.display()))?;
    }
    if let Some(path) = &args.report {
        // Priced as `archsim cost` prices by default: free tier off, 1 ms billing.
        let report =
            archsim_app::report_of_run(&design, &reps.first, &archsim_cost::Assumptions::default())
                .map_err(|e| anyhow::anyhow!(e.message))?;
        for file in
            archsim_app::write_report(&report, path).map_err(|e| anyhow::anyhow!(e.message))?
        {
            eprintln!("wrote {}", file.display());
        }
    }
    if args.json {
        crate::output::print(&(serde_json::to_string_pretty(&to_json(&reps))? + "\n"))?;
    } else {
        crate::output::print(&table(&reps))?;
    }
    Ok(0)
}

fn reported(run: &Run) -> impl Iterator<Item = (usize, &ComponentStats)> {
    run.components
        .iter()
        .enumerate()
        .filter(|(_, c)| REPORTED.contains(&c.kind.as_str()))
}

/// The JSON report: one object per component; with several seeds every
/// figure is `{"mean": m, "ci95": half_width}`.
fn to_json(reps: &Replications) -> Value {
    let first = &reps.first;
    let many = reps.seeds.len() > 1;
    let mut components = Vec::new();
    for (i, c) in reported(first) {
        let est = &reps.components[i].metrics;
        let v = |name: &str| -> Value {
            let e = est[name];
            if many {
                json!({"mean": e.mean, "ci95": e.ci95})
            } else if matches!(
                name,
                "mean_concurrency"
                    | "mean_tasks"
                    | "mean_instances"
                    | "mean_wait_ms"
                    | "mean_environments"
                    | "mean_busy_environments"
                    | "mean_idle_environments"
                    | "mean_environment_lifetime_s"
                    | "cold_start_share"
                    | "p_wait"
                    | "mean_queue_length"
                    | "p50_ms"
                    | "p90_ms"
                    | "p99_ms"
                    | "max_ms"
            ) {
                json!(e.mean)
            } else {
                json!(e.mean as u64)
            }
        };
        let mut o = json!({
            "id": c.id,
            "kind": c.kind,
            "requests": v("requests"),
            "completed": v("completed"),
            "errors": v("errors"),
            "throttled": v("throttled"),
            "cold_starts": v("cold_starts"),
            "mean_concurrency": v("mean_concurrency"),
            "max_concurrency": v("max_concurrency"),
            "latency_ms": {"p50": v("p50_ms"), "p90": v("p90_ms"), "p99": v("p99_ms"), "max": v("max_ms")},
            "mean_wait_ms": v("mean_wait_ms"),
        });
        if !many {
            o["errors_by_kind"] = json!(c.errors_by_kind);
        }
        if is_service(&c.kind) {
            o["mean_tasks"] = v("mean_tasks");
            o["max_tasks"] = v("max_tasks");
            o["scale_events"] = v("scale_events");
        }
        if c.environments.is_some() {
            o["environments"] = json!({
                "mean_alive": v("mean_environments"),
                "mean_busy": v("mean_busy_environments"),
                "mean_idle": v("mean_idle_environments"),
                "mean_lifetime_s": v("mean_environment_lifetime_s"),
                "cold_start_share": v("cold_start_share"),
            });
        }
        if c.table.is_some() {
            o["table"] = json!({
                "billing": c.table.as_ref().map(|t| t.billing.clone()),
                "read_units_per_s": v("read_units_per_s"),
                "write_units_per_s": v("write_units_per_s"),
                "throttled_attempts": v("throttled_attempts"),
                "retries": v("retries"),
            });
        }
        if c.queue.is_some() {
            o["queue"] = json!({
                "served": v("served"),
                "waited": v("waited"),
                "p_wait": v("p_wait"),
                "mean_length": v("mean_queue_length"),
                "max_length": v("max_queue_length"),
            });
        }
        if is_capacity(&c.kind) {
            o["mean_instances"] = v("mean_instances");
            o["max_instances"] = v("max_instances");
            o["scale_events"] = v("scale_events");
        }
        components.push(o);
    }
    json!({
        "design": first.design,
        "scenario": first.scenario,
        "seeds": reps.seeds,
        "duration_s": first.duration_s,
        "warmup_s": first.warmup_s,
        "events": reps.events,
        "components": components,
        "scale_decisions": first.scale_decisions,
        "deployments": first.deployments,
        "placements": first.placements,
        "traces": first.traces,
        "usage": first.usage,
        "notes": first.notes,
    })
}

fn table(reps: &Replications) -> String {
    let first = &reps.first;
    let many = reps.seeds.len() > 1;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} / {}: {:.0} s, seed{} {}",
        first.design,
        first.scenario,
        first.duration_s,
        if many { "s" } else { "" },
        reps.seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if many {
        let _ = writeln!(
            out,
            "(means over {} runs; ± is the 95% confidence interval)",
            reps.seeds.len()
        );
    }
    let _ = writeln!(
        out,
        "\n{:<18} {:<16} {:>12} {:>12} {:>10} {:>10} {:>8} {:>14} {:>10} {:>10} {:>12}",
        "component",
        "kind",
        "requests",
        "completed",
        "errors",
        "throttled",
        "cold",
        "concurrency",
        "p50 ms",
        "p99 ms",
        "tasks/inst"
    );
    for (i, c) in reported(first) {
        let m = &reps.components[i].metrics;
        let f = |name: &str, digits: usize| -> String {
            let e = m[name];
            if many && e.ci95 > 0.0 {
                format!("{:.*}±{:.*}", digits, e.mean, digits, e.ci95)
            } else {
                format!("{:.*}", digits, e.mean)
            }
        };
        let conc = format!("{}/{}", f("mean_concurrency", 1), f("max_concurrency", 0));
        let fleet = if is_service(&c.kind) {
            format!("{}/{}", f("mean_tasks", 1), f("max_tasks", 0))
        } else if is_capacity(&c.kind) {
            format!("{}/{}", f("mean_instances", 1), f("max_instances", 0))
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{:<18} {:<16} {:>12} {:>12} {:>10} {:>10} {:>8} {:>14} {:>10} {:>10} {:>12}",
            c.id,
            c.kind,
            f("requests", 0),
            f("completed", 0),
            f("errors", 0),
            f("throttled", 0),
            f("cold_starts", 0),
            conc,
            f("p50_ms", 1),
            f("p99_ms", 1),
            fleet
        );
    }
    if !first.scale_decisions.is_empty() {
        let _ = writeln!(out, "\nscaling (seed {}):", first.seed);
        for d in &first.scale_decisions {
            let _ = writeln!(
                out,
                "  {:>8.0} s  {:<18} {} -> {}  {}",
                d.at_s, d.component, d.from, d.to, d.reason
            );
        }
    }
    if !first.notes.is_empty() {
        let _ = writeln!(out, "\nnotes:");
        for n in &first.notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    if !first.deployments.is_empty() {
        let _ = writeln!(out, "\ndeployments (seed {}):", first.seed);
        for d in &first.deployments {
            let shifts: Vec<String> = d
                .shifts
                .iter()
                .map(|s| format!("{}%@{:.0}s", s.percent, s.at_s))
                .collect();
            let outcome = match d.outcome {
                archsim_sim::DeploymentOutcome::Succeeded => "succeeded",
                archsim_sim::DeploymentOutcome::RolledBack => "rolled back",
                archsim_sim::DeploymentOutcome::Failed => "failed",
                archsim_sim::DeploymentOutcome::InProgress => "in progress",
            };
            let _ = writeln!(
                out,
                "  {:>8.0} s  {:<18} {} {outcome}{}  shifts {}",
                d.started_at_s,
                d.component,
                d.strategy,
                d.finished_at_s
                    .map(|t| format!(" at {t:.0} s"))
                    .unwrap_or_default(),
                shifts.join(" ")
            );
            if let Some(a) = &d.alarm {
                let _ = writeln!(out, "             alarm {a}");
            }
            for v in &d.versions {
                let _ = writeln!(
                    out,
                    "             {:<4} {} requests, {} errors, {} throttles, p99 {:.1} ms",
                    v.version, v.requests, v.errors, v.throttles, v.p99_ms
                );
            }
        }
    }
    out
}

/// `summary.csv` (means, and CIs with several seeds) and one
/// `series-<component>.csv` per component (the first seed's 1 s series).
fn write_csv(dir: &Path, reps: &Replications) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let first = &reps.first;
    let mut summary = String::from("component,kind,metric,mean,ci95\n");
    for (i, c) in reported(first) {
        for (name, _) in metrics_of(c) {
            let e = reps.components[i].metrics[name];
            let _ = writeln!(summary, "{},{},{name},{},{}", c.id, c.kind, e.mean, e.ci95);
        }
    }
    std::fs::write(dir.join("summary.csv"), summary)?;
    for (_, c) in reported(first) {
        let s = &c.series;
        let mut text = String::from(
            "second,arrivals,completions,errors,throttles,cold_starts,concurrency,tasks,queue_depth,instances,environments\n",
        );
        // The series start after the warm-up.
        let from = first.warmup_s as usize;
        for k in 0..s.arrivals.len() {
            let _ = writeln!(
                text,
                "{},{},{},{},{},{},{},{},{},{},{}",
                from + k + 1,
                s.arrivals[k],
                s.completions[k],
                s.errors[k],
                s.throttles[k],
                s.cold_starts[k],
                s.concurrency[k],
                s.tasks[k],
                s.queue_depth[k],
                s.instances[k],
                s.environments.get(k).copied().unwrap_or(0)
            );
        }
        std::fs::write(dir.join(format!("series-{}.csv", c.id)), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("600").unwrap(), 600.0);
        assert_eq!(parse_duration("10m").unwrap(), 600.0);
        assert_eq!(parse_duration("2h").unwrap(), 7200.0);
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("5w").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
