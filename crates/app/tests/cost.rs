//! The cost panel and the run report against the real model, simulator and
//! pricing engine: the panel's figures are the CLI's, the toggles move the
//! bill the way AWS's rules say, and the report's files are complete and
//! self-contained.

use std::path::{Path, PathBuf};

use archsim_app::{
    COMPONENTS_CSV_HEADER, CostOptions, CostSource, ErrorCode, LambdaBillingMode, ReportOptions,
    SERIES_CSV_HEADER, cost_panel, report_of_run, run_report, write_report,
};
use archsim_cost::estimate::{estimate_usage, pick_scenario};
use archsim_cost::measured::usage_from_run;
use archsim_cost::{Assumptions, Decimal, LambdaBilling, PriceBook, monthly_cost};
use archsim_model::Design;

fn example(name: &str) -> (Design, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let design = archsim_model::load(dir.join(format!("{name}.archsim.json"))).unwrap();
    (design, dir)
}

/// A run of the design's first scenario, with its seed, as the CLI does.
fn simulate_first(design: &Design, dir: &Path) -> archsim_sim::Run {
    let scenario = design.scenarios.first().unwrap();
    let options = archsim_sim::RunOptions {
        base_dir: Some(dir.to_path_buf()),
        ..archsim_sim::RunOptions::default()
    };
    archsim_sim::simulate(design, scenario, &options).unwrap()
}

fn usd(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_panel_total_is_the_bill_of_the_scenario_estimate() {
    for name in ["serverless-api", "alb-fargate", "queue-worker"] {
        let (design, dir) = example(name);
        let panel = cost_panel(&design, Some(&dir), &CostOptions::default()).unwrap();
        let assumptions = Assumptions::default();
        let scenario = pick_scenario(&design, None).unwrap();
        let estimate = estimate_usage(&design, scenario, &assumptions).unwrap();
        let book = PriceBook::embedded(&design.region).unwrap();
        let bill = monthly_cost(&book, &estimate.profile, &assumptions).unwrap();
        assert_eq!(panel.total_usd, bill.total_usd.to_string(), "{name}");
        assert_eq!(panel.line_items.len(), bill.line_items.len(), "{name}");
        assert_eq!(panel.scenario, scenario.name);
        assert_eq!(panel.notes, estimate.notes);
        // The line items add up to the subtotal, and every one names its component.
        let sum: Decimal = panel.line_items.iter().map(|l| usd(&l.amount_usd)).sum();
        assert_eq!(sum, usd(&panel.subtotal_usd), "{name}");
        for l in &panel.line_items {
            let (base, capacity) = l
                .component_id
                .split_once('@')
                .map_or((l.component_id.as_str(), None), |(b, c)| (b, Some(c)));
            if base == archsim_cost::NETWORK_ID {
                assert_eq!(l.component_name, archsim_cost::NETWORK_NAME);
                continue;
            }
            if base == archsim_cost::PROFILE_ID {
                assert_eq!(
                    l.component_name,
                    format!("{} ({})", archsim_cost::PROFILE_NAME, capacity.unwrap())
                );
                continue;
            }
            let name = &design.component(base).unwrap().name;
            match capacity {
                Some(c) => assert_eq!(l.component_name, format!("{name} ({c})")),
                None => assert_eq!(&l.component_name, name),
            }
        }
        assert!(panel.cost_curve_svg.as_deref().unwrap().contains("<svg"));
        assert!(panel.chart_notes.is_empty(), "{:?}", panel.chart_notes);
    }
}

#[test]
fn free_tier_lowers_and_legacy_billing_raises_a_lambda_design() {
    let (design, dir) = example("serverless-api");
    let total =
        |options: CostOptions| usd(&cost_panel(&design, Some(&dir), &options).unwrap().total_usd);
    let base = total(CostOptions::default());
    let free = total(CostOptions {
        free_tier: true,
        ..CostOptions::default()
    });
    let legacy = total(CostOptions {
        billing: LambdaBillingMode::Ms100,
        ..CostOptions::default()
    });
    assert!(free < base, "free tier {free} vs {base}");
    assert!(legacy > base, "100 ms billing {legacy} vs {base}");
    let panel = cost_panel(
        &design,
        Some(&dir),
        &CostOptions {
            free_tier: true,
            billing: LambdaBillingMode::Ms100,
            ..CostOptions::default()
        },
    )
    .unwrap();
    assert!(panel.assumptions.free_tier);
    assert_eq!(panel.assumptions.billing, LambdaBillingMode::Ms100);
}

#[test]
fn a_lambda_design_has_a_break_even_chart_and_others_do_not() {
    let (design, dir) = example("serverless-api");
    let panel = cost_panel(&design, Some(&dir), &CostOptions::default()).unwrap();
    let be = panel
        .break_even
        .expect("serverless-api has Lambda functions");
    assert!(be.svg.contains("<svg"));
    assert!(
        !be.crossings.is_empty(),
        "Lambda meets an always-on task somewhere in 0.01..1000 rps"
    );
    assert!(panel.functions.iter().any(|f| f.id == be.function_id));
    // Another function can be chosen.
    if let Some(other) = panel.functions.get(1) {
        let chosen = cost_panel(
            &design,
            Some(&dir),
            &CostOptions {
                function: Some(other.id.clone()),
                ..CostOptions::default()
            },
        )
        .unwrap();
        assert_eq!(chosen.break_even.unwrap().function_id, other.id);
    }
    let (design, dir) = example("alb-fargate");
    let panel = cost_panel(&design, Some(&dir), &CostOptions::default()).unwrap();
    assert!(panel.break_even.is_none());
    assert!(panel.functions.is_empty());
}

#[test]
fn the_measured_source_prices_the_simulated_run() {
    let (design, dir) = example("queue-worker");
    let options = CostOptions {
        source: CostSource::Simulation,
        ..CostOptions::default()
    };
    let panel = cost_panel(&design, Some(&dir), &options).unwrap();
    let run = simulate_first(&design, &dir);
    let assumptions = Assumptions::default();
    let usage = usage_from_run(&design, &run, &assumptions);
    let book = PriceBook::embedded(&design.region).unwrap();
    let bill = monthly_cost(&book, &usage.profile, &assumptions).unwrap();
    assert_eq!(panel.total_usd, bill.total_usd.to_string());
    let r = panel.run.unwrap();
    let scenario = design.scenarios.first().unwrap();
    assert_eq!((r.seed, r.duration_s), (scenario.seed, scenario.duration_s));
    assert_eq!(panel.source, CostSource::Simulation);
}

#[test]
fn errors_are_messages_not_crashes() {
    let blank = Design::new("Blank");
    let err = cost_panel(&blank, None, &CostOptions::default()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Cost);
    assert!(err.message.contains("no scenario"), "{}", err.message);
    assert!(err.suggestion.is_some());
    let (design, dir) = example("serverless-api");
    let err = cost_panel(
        &design,
        Some(&dir),
        &CostOptions {
            scenario: Some("missing".into()),
            ..CostOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.message.contains("missing"), "{}", err.message);
    let err = run_report(&blank, None, &ReportOptions::default()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Report);

    // A design with an error-severity problem cannot be simulated: the
    // measured source says so and what to do; the estimate still prices it,
    // as `archsim cost` does.
    let (mut design, dir) = example("serverless-api");
    archsim_model::edit::apply_op(
        &mut design,
        archsim_model::Op::SetProperty {
            id: "orders-fn".into(),
            path: "reserved_concurrency".into(),
            value: serde_json::json!(950),
        },
    )
    .unwrap();
    let simulated = CostOptions {
        source: CostSource::Simulation,
        ..CostOptions::default()
    };
    let err = cost_panel(&design, Some(&dir), &simulated).unwrap_err();
    assert!(err.message.contains("fails validation"), "{}", err.message);
    assert!(
        err.message.contains("LAMBDA_UNRESERVED_BELOW_MIN"),
        "{}",
        err.message
    );
    assert!(err.suggestion.unwrap().contains("problems panel"));
    assert!(cost_panel(&design, Some(&dir), &CostOptions::default()).is_ok());
    let err = run_report(&design, Some(&dir), &ReportOptions::default()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Report);
    assert!(err.message.contains("fails validation"), "{}", err.message);
}

/// Splits CSV text into records of fields (RFC 4180 quoting).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the CSV ends with a line break"
    );
    rows
}

#[test]
fn the_report_csv_has_one_row_per_component_and_the_series_in_long_format() {
    let (design, dir) = example("serverless-api");
    let report = run_report(&design, Some(&dir), &ReportOptions::default()).unwrap();
    let run = simulate_first(&design, &dir);
    assert_eq!((report.seed, report.duration_s), (run.seed, run.duration_s));

    let rows = parse_csv(&report.components_csv);
    let header: Vec<&str> = COMPONENTS_CSV_HEADER.split(',').collect();
    assert_eq!(rows[0], header);
    assert_eq!(rows.len() - 1, design.component_count());
    assert_eq!(rows.len() - 1, run.components.len());
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut billed = Decimal::ZERO;
    for (row, stats) in rows[1..].iter().zip(&run.components) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert_eq!(row[col("component")], stats.id);
        assert_eq!(row[col("name")], design.component(&stats.id).unwrap().name);
        assert_eq!(row[col("requests")].parse::<u64>().unwrap(), stats.requests);
        assert_eq!(
            row[col("cold_starts")].parse::<u64>().unwrap(),
            stats.cold_starts
        );
        let p99: f64 = row[col("p99_ms")].parse().unwrap();
        assert!((p99 - stats.latency_ms.p99).abs() < 1e-3);
        billed += usd(&row[col("monthly_usd")]);
    }
    // The components' monthly costs and the network around them (not a
    // component: its lines are on the bill only) add up to the bill.
    let network = usd(&report.network_usd);
    assert!(
        network > Decimal::ZERO,
        "responses to the internet are billed"
    );
    // So does what the production export profile adds (the examples are
    // production designs: the stack's KMS key at least).
    let profile = usd(&report.profile_usd);
    assert!(profile >= Decimal::ONE, "the stack's key is billed");
    assert_eq!(billed + network + profile, usd(&report.total_usd));

    let series = parse_csv(&report.series_csv);
    assert_eq!(series[0], SERIES_CSV_HEADER.split(',').collect::<Vec<_>>());
    let fn_rows: Vec<_> = series[1..].iter().filter(|r| r[0] == "orders-fn").collect();
    let f = run.component("orders-fn").unwrap();
    assert_eq!(fn_rows.len(), f.series.arrivals.len());
    let arrivals: u64 = fn_rows.iter().map(|r| r[2].parse::<u64>().unwrap()).sum();
    assert_eq!(
        arrivals,
        f.series.arrivals.iter().map(|&x| u64::from(x)).sum::<u64>()
    );
    for (t, r) in fn_rows.iter().enumerate() {
        assert_eq!(r[1], t.to_string());
    }
}

#[test]
fn the_html_report_is_self_contained_and_complete() {
    let (design, dir) = example("alb-fargate");
    let report = run_report(&design, Some(&dir), &ReportOptions::default()).unwrap();
    let html = &report.html;
    assert!(html.starts_with("<!doctype html>"));
    for external in [
        "http://", "https://", "src=", "<script", "<link", "@import", "url(http",
    ] {
        assert!(!html.contains(external), "the report holds {external}");
    }
    assert!(html.contains(&design.name));
    for c in design.components() {
        let escaped = c.name.replace('&', "&amp;").replace('<', "&lt;");
        assert!(html.contains(&escaped), "{} is missing", c.name);
        assert!(
            html.contains(&format!("<g class=\"node\" data-id=\"{}\">", c.id)),
            "{} is not drawn",
            c.id
        );
    }
    assert!(html.contains(&format!("<td id=\"total-usd\">{}</td>", report.total_usd)));
    assert!(html.contains("id=\"diagram\""));
    assert!(html.contains("<polyline"), "the 1 s series are charted");
    assert!(
        html.contains("id=\"scale-decisions\""),
        "alb-fargate's services scale"
    );
    // Deterministic: the same design and scenario give the same bytes.
    let again = run_report(&design, Some(&dir), &ReportOptions::default()).unwrap();
    assert_eq!(again.html, report.html);
    assert_eq!(again.components_csv, report.components_csv);
}

#[test]
fn the_html_report_shows_a_rolled_back_deployment() {
    let (design, dir) = example("serverless-api");
    let report = run_report(
        &design,
        Some(&dir),
        &ReportOptions {
            scenario: Some("bad-deploy".into()),
            ..ReportOptions::default()
        },
    )
    .unwrap();
    let html = &report.html;
    assert!(html.contains("id=\"deployments\""));
    assert!(html.contains("Canary10Percent5Minutes"));
    assert!(
        html.contains("10% at 120 s \u{2192} 0% at 180 s"),
        "the shifts in order"
    );
    assert!(html.contains("rolled back at 180 s by alarms[0]: error_rate &gt; 1 for 1 x 60 s"));
    // The timeline draws the share over the run: 0% until 120 s, 10% until
    // the rollback at 180 s, 0% to the end (600 s), each shift on hover.
    assert!(html.contains("<svg id=\"deployment-timeline-0\""));
    let timeline = &html[html.find("deployment-timeline-0").unwrap()..];
    let timeline = &timeline[..timeline.find("</svg>").unwrap()];
    assert!(
        timeline.contains("points=\"44,84 125.2,84 125.2,76.6 165.8,76.6 165.8,84 450,84\""),
        "{timeline}"
    );
    assert!(timeline.contains("<title>10% at 120 s</title>"));
    assert!(timeline.contains("<title>0% at 180 s</title>"));
    // A run without a deployment has no such section.
    let (plain, dir) = example("alb-fargate");
    let plain = run_report(&plain, Some(&dir), &ReportOptions::default()).unwrap();
    assert!(!plain.html.contains("id=\"deployments\""));
}

#[test]
fn the_report_prices_with_the_chosen_toggles_and_escapes_names() {
    let (mut design, dir) = example("serverless-api");
    let id = design.components().next().unwrap().id.clone();
    let renamed = "Orders <API> & \"friends\"";
    archsim_model::edit::apply_op(
        &mut design,
        archsim_model::Op::Rename {
            id: id.clone(),
            name: renamed.into(),
        },
    )
    .unwrap();
    let run = simulate_first(&design, &dir);
    let off = report_of_run(&design, &run, &Assumptions::default()).unwrap();
    let free = report_of_run(
        &design,
        &run,
        &Assumptions {
            free_tier: true,
            ..Assumptions::default()
        },
    )
    .unwrap();
    assert!(usd(&free.total_usd) < usd(&off.total_usd));
    // The run already rounded each invocation to 1 ms: legacy billing says so.
    let legacy = report_of_run(
        &design,
        &run,
        &Assumptions {
            lambda_billing: LambdaBilling::Legacy100Ms,
            ..Assumptions::default()
        },
    )
    .unwrap();
    assert!(usd(&legacy.total_usd) >= usd(&off.total_usd));
    assert!(legacy.html.contains("measured durations rounded to 1 ms"));
    assert!(!off.html.contains(renamed));
    assert!(
        off.html
            .contains("Orders &lt;API&gt; &amp; &quot;friends&quot;")
    );
    let rows = parse_csv(&off.components_csv);
    assert!(
        rows.iter().any(|r| r[1] == renamed),
        "quoted in the CSV, read back whole"
    );

    let out = tempfile::tempdir().unwrap();
    let files = write_report(&off, &out.path().join("orders")).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["orders.html", "orders.components.csv", "orders.series.csv"]
    );
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), off.html);
}

#[test]
fn trace_traffic_is_priced_by_simulating_it_from_the_design_folder() {
    let (mut design, _) = example("serverless-api");
    let folder = tempfile::tempdir().unwrap();
    let counts: String = (0..60).map(|t| format!("{t},{}\n", 5 + t % 7)).collect();
    std::fs::write(folder.path().join("trace.csv"), counts).unwrap();
    design.scenarios[0].traffic[0].pattern = archsim_model::scenario::TrafficPattern::Trace {
        file: "trace.csv".into(),
        format: archsim_model::scenario::TraceFormat::PerSecondCounts,
    };
    // The steady-state estimate has no mean rate for a trace: it says what to do.
    let err = cost_panel(&design, Some(folder.path()), &CostOptions::default()).unwrap_err();
    assert!(err.message.contains("trace"), "{}", err.message);
    assert!(err.suggestion.unwrap().contains("Simulated run"));
    // Simulating reads the trace beside the design file.
    let simulated = CostOptions {
        source: CostSource::Simulation,
        ..CostOptions::default()
    };
    let panel = cost_panel(&design, Some(folder.path()), &simulated).unwrap();
    assert!(usd(&panel.total_usd) > Decimal::ZERO);
    let report = run_report(&design, Some(folder.path()), &ReportOptions::default()).unwrap();
    assert!(report.html.contains("Orders handler"));
    // Without the folder the trace is not found, and the message names it.
    let err = cost_panel(&design, None, &simulated).unwrap_err();
    assert!(err.message.contains("trace.csv"), "{}", err.message);
}
