//! `archsim simulate` end to end: every example runs, the JSON schema of
//! docs/cli.md, replications with confidence intervals, CSV output, and
//! clear one-line errors with exit code 2 for bad input.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

/// The serverless-api example with its first scenario's traffic replaced.
fn with_traffic(dir: &Path, pattern: Value) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("examples/serverless-api.archsim.json")).unwrap();
    let mut d: Value = serde_json::from_str(&text).unwrap();
    d["scenarios"][0]["traffic"][0]["pattern"] = pattern;
    let path = dir.join("d.archsim.json");
    std::fs::write(&path, serde_json::to_string_pretty(&d).unwrap()).unwrap();
    path
}

#[test]
fn every_example_and_scenario_simulates_with_the_documented_json() {
    let all = examples();
    assert!(all.len() >= 6);
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        let d: Value = serde_json::from_str(&text).unwrap();
        let scenarios = d["scenarios"].as_array().unwrap();
        assert!(!scenarios.is_empty(), "{} has no scenario", path.display());
        for sc in scenarios {
            let name = sc["name"].as_str().unwrap();
            let o = archsim(&[
                "simulate",
                path.to_str().unwrap(),
                "--scenario",
                name,
                "--duration",
                "2m",
                "--json",
            ]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{} {name}: {}",
                path.display(),
                stderr(&o)
            );
            let v: Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(v["scenario"], name);
            assert_eq!(v["duration_s"], 120.0);
            let comps = v["components"].as_array().unwrap();
            assert!(comps.iter().any(|c| c["requests"].as_u64().unwrap() > 0));
            // Sampled requests with their segments, and where EC2 tasks ran.
            for t in v["traces"].as_array().unwrap() {
                assert!(t["entry"].is_string() && t["start_s"].is_number(), "{t}");
                for seg in t["segments"].as_array().unwrap() {
                    let ms = |k: &str| seg[k].as_f64().unwrap();
                    assert!(ms("end_ms") >= ms("start_ms"), "{seg}");
                    assert!(ms("queued_ms") >= 0.0 && ms("init_ms") >= 0.0, "{seg}");
                    assert!(seg["outcome"].is_string(), "{seg}");
                }
            }
            let ids: Vec<&str> = comps.iter().map(|c| c["id"].as_str().unwrap()).collect();
            for p in v["placements"].as_array().unwrap() {
                assert!(ids.contains(&p["capacity"].as_str().unwrap()), "{p}");
                for i in p["instances"].as_array().unwrap() {
                    for task in i["tasks"].as_array().unwrap() {
                        assert!(ids.contains(&task.as_str().unwrap()), "{i}");
                    }
                }
            }
            if path.to_string_lossy().contains("ecs-ec2-placement") {
                assert!(!v["placements"].as_array().unwrap().is_empty());
            }
            if path.to_string_lossy().contains("serverless-api") {
                let traces = v["traces"].as_array().unwrap();
                assert!(!traces.is_empty());
                assert!(
                    traces
                        .iter()
                        .any(|t| t["segments"].as_array().unwrap().len() >= 3)
                );
            }
            for c in comps {
                for key in [
                    "id",
                    "kind",
                    "requests",
                    "completed",
                    "errors",
                    "throttled",
                    "cold_starts",
                    "mean_concurrency",
                    "max_concurrency",
                ] {
                    assert!(c.get(key).is_some(), "{key} missing in {c}");
                }
                for p in ["p50", "p90", "p99", "max"] {
                    assert!(c["latency_ms"][p].is_number(), "{c}");
                }
                let n = |k: &str| c[k].as_u64().unwrap();
                assert!(
                    n("completed") + n("errors") + n("throttled") <= n("requests"),
                    "{c}"
                );
                match c["kind"].as_str().unwrap() {
                    "ecs_service" | "eks_workload" => {
                        for k in ["mean_tasks", "max_tasks", "scale_events"] {
                            assert!(c[k].is_number(), "{k} in {c}");
                        }
                    }
                    "ec2_capacity" => {
                        for k in ["mean_instances", "max_instances"] {
                            assert!(c[k].is_number(), "{k} in {c}");
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn seeds_give_means_with_confidence_intervals_and_the_table_shows_them() {
    let path = root().join("examples/serverless-api.archsim.json");
    let p = path.to_str().unwrap();
    let o = archsim(&["simulate", p, "--duration", "3m", "--seeds", "4", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["seeds"], serde_json::json!([7, 8, 9, 10]));
    let f = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "orders-fn")
        .unwrap();
    assert!(f["requests"]["mean"].as_f64().unwrap() > 1000.0, "{f}");
    assert!(f["requests"]["ci95"].as_f64().unwrap() > 0.0, "{f}");
    assert!(f["latency_ms"]["p99"]["mean"].is_number());

    // In parallel over every core, or on one thread: the same report.
    let serial = std::process::Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["simulate", p, "--duration", "3m", "--seeds", "4", "--json"])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(serial.status.code(), Some(0), "{}", stderr(&serial));
    assert_eq!(
        String::from_utf8_lossy(&serial.stdout),
        String::from_utf8_lossy(&o.stdout)
    );

    let o = archsim(&["simulate", p, "--duration", "3m", "--seeds", "3"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("orders-fn") && text.contains('±'), "{text}");
    let o = archsim(&["simulate", p, "--duration", "1m", "--seed", "3"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("seed 3"));
}

#[test]
fn csv_series_and_summary_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = root().join("examples/queue-worker.archsim.json");
    let out = dir.path().join("out");
    let o = archsim(&[
        "simulate",
        path.to_str().unwrap(),
        "--duration",
        "90s",
        "--csv",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let series = std::fs::read_to_string(out.join("series-worker-svc.csv")).unwrap();
    assert!(series.starts_with(
        "second,arrivals,completions,errors,throttles,cold_starts,concurrency,tasks,queue_depth,instances,environments\n"
    ));
    assert_eq!(series.lines().count(), 1 + 90);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.contains("worker-svc,ecs_service,mean_tasks,"),
        "{summary}"
    );
}

/// "What if AWS reclaimed idle environments after 1 minute?": more cold
/// starts than under the design's 600 s; a bad value is refused.
#[test]
fn idle_expiry_is_a_what_if() {
    let path = root().join("examples/serverless-api.archsim.json");
    let cold = |extra: &[&str]| -> u64 {
        let mut args = vec![
            "simulate",
            path.to_str().unwrap(),
            "--duration",
            "15m",
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = archsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "orders-fn")
            .unwrap()["cold_starts"]
            .as_u64()
            .unwrap()
    };
    let observed = cold(&[]);
    let sooner = cold(&["--idle-expiry", "1m"]);
    assert!(sooner >= observed, "{sooner} >= {observed}");
    fails_with(
        &archsim(&[
            "simulate",
            path.to_str().unwrap(),
            "--idle-expiry",
            "2 weeks",
        ]),
        "--idle-expiry",
    );
}

#[test]
fn the_warm_up_is_left_out_and_queues_and_events_are_reported() {
    let path = root().join("examples/serverless-api.archsim.json");
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "simulate",
            path.to_str().unwrap(),
            "--duration",
            "3m",
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = archsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let f = |v: &Value, key: &str| -> u64 {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "orders-fn")
            .unwrap()[key]
            .as_u64()
            .unwrap()
    };
    let all = run(&[]);
    let warm = run(&["--warmup", "1m"]);
    assert_eq!(
        (all["duration_s"].as_f64(), all["warmup_s"].as_f64()),
        (Some(180.0), Some(0.0))
    );
    assert_eq!(
        (warm["duration_s"].as_f64(), warm["warmup_s"].as_f64()),
        (Some(120.0), Some(60.0))
    );
    // The same events simulated; fewer requests and cold starts counted.
    assert!(all["events"].as_u64().unwrap() > f(&all, "requests"));
    assert_eq!(all["events"], warm["events"]);
    assert!(f(&warm, "requests") < f(&all, "requests"));
    assert!(f(&warm, "cold_starts") < f(&all, "cold_starts"));
    let lambda = |v: &Value| {
        v["usage"]["lambda"]["orders-fn"]["requests"]
            .as_u64()
            .unwrap()
    };
    assert!(lambda(&warm) < lambda(&all), "the warm-up is not billed");
    // Every waiting point reports its queue.
    for c in all["components"].as_array().unwrap() {
        let waits = matches!(
            c["kind"].as_str().unwrap(),
            "lambda_function" | "ecs_service" | "eks_workload" | "sqs_queue" | "kinesis_stream"
        );
        assert_eq!(c.get("queue").is_some(), waits, "{c}");
        if waits {
            let q = &c["queue"];
            assert!(q["p_wait"].as_f64().unwrap() <= 1.0, "{q}");
            assert!(
                q["waited"].as_u64().unwrap() <= q["served"].as_u64().unwrap(),
                "{q}"
            );
            assert!(q["mean_length"].as_f64().unwrap() >= 0.0, "{q}");
        }
    }
    fails_with(
        &archsim(&[
            "simulate",
            path.to_str().unwrap(),
            "--duration",
            "3m",
            "--warmup",
            "3m",
        ]),
        "--warmup",
    );
}

/// Exit code 2, one line on stderr that says `needle`, no panic.
fn fails_with(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_is_a_clear_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("examples/serverless-api.archsim.json");
    let e = example.to_str().unwrap();

    let o = archsim(&["simulate", e, "--scenario", "black-friday"]);
    fails_with(&o, "no scenario named \"black-friday\"");
    assert!(
        stderr(&o).contains("launch-day"),
        "lists the scenarios: {}",
        stderr(&o)
    );

    let d = with_traffic(
        dir.path(),
        serde_json::json!({"type": "poisson", "rps": -5.0}),
    );
    fails_with(
        &archsim(&["simulate", d.to_str().unwrap()]),
        "traffic[0].pattern.rps: must be a rate of 0 or more",
    );

    std::fs::write(dir.path().join("trace.csv"), "0.5\n1.0\nlater\n").unwrap();
    let d = with_traffic(
        dir.path(),
        serde_json::json!({"type": "trace", "file": "trace.csv", "format": "timestamps"}),
    );
    fails_with(&archsim(&["simulate", d.to_str().unwrap()]), "trace.csv:3:");

    let broken = root().join("tests/fixtures/broken.archsim.json");
    fails_with(
        &archsim(&["simulate", broken.to_str().unwrap()]),
        "fails validation",
    );

    fails_with(
        &archsim(&["simulate", e, "--duration=-3m"]),
        "must be positive",
    );
    fails_with(&archsim(&["simulate", e, "--seeds", "0"]), "--seeds");
}

#[test]
fn a_trace_replays_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("counts.csv"),
        "second,count\n0,5\n1,7\n2,0\n",
    )
    .unwrap();
    let d = with_traffic(
        dir.path(),
        serde_json::json!({"type": "trace", "file": "counts.csv", "format": "per_second_counts"}),
    );
    let o = archsim(&[
        "simulate",
        d.to_str().unwrap(),
        "--duration",
        "10s",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let client = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "clients")
        .unwrap();
    assert_eq!(client["requests"], 12);
}

#[test]
fn report_writes_the_page_and_the_csv_files_and_prices_as_cost_simulate_does() {
    let dir = tempfile::tempdir().unwrap();
    let design = example("queue-worker");
    let html = dir.path().join("run.html");
    let o = archsim(&[
        "simulate",
        &design,
        "--json",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Standard output stays the JSON report; the files are named on stderr.
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    for name in ["run.html", "run.components.csv", "run.series.csv"] {
        assert!(stderr.contains(name), "{stderr}");
        assert!(dir.path().join(name).exists(), "{name}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("src="));
    let cost = archsim(&["cost", &design, "--simulate", "--json"]);
    let bill: Value = serde_json::from_slice(&cost.stdout).unwrap();
    let total = bill["report"]["total_usd"].as_str().unwrap();
    assert!(
        page.contains(&format!("<td id=\"total-usd\">{total}</td>")),
        "the page's bill is archsim cost --simulate's ({total})"
    );
    let csv = std::fs::read_to_string(dir.path().join("run.components.csv")).unwrap();
    let design_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&design).unwrap()).unwrap();
    let components = design_json["components"].as_array().unwrap().len();
    assert_eq!(csv.lines().count(), components + 1);
    // The reported components' requests match the JSON report's.
    for c in json["components"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let row = csv
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("{id} has no row"));
        let requests: u64 = row.split(',').nth(3).unwrap().parse().unwrap();
        assert_eq!(requests, c["requests"].as_u64().unwrap(), "{id}");
    }
}

/// A cron rule fires at its UTC time counted from the scenario's `start`
/// in the file, or from `--start`.
#[test]
fn a_cron_rule_fires_from_the_scenarios_start_or_the_start_flag() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(root().join("examples/serverless-api.archsim.json")).unwrap();
    let mut d: Value = serde_json::from_str(&text).unwrap();
    d["components"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "nine-am", "kind": "eventbridge_rule", "name": "Nine o'clock",
            "position": {"x": 0.0, "y": 300.0},
            "props": {"schedule": "cron(0 9 * * ? *)"}
        }));
    d["connections"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "nine-am--orders-fn", "from": "nine-am", "to": "orders-fn",
            "kind": {"meaning": "invoke", "mode": "async"}
        }));
    d["scenarios"][0]["start"] = "2026-01-05T08:55:00Z".into();
    let path = dir.path().join("d.archsim.json");
    std::fs::write(&path, serde_json::to_string_pretty(&d).unwrap()).unwrap();
    let p = path.to_str().unwrap();
    let fires = |extra: &[&str]| {
        let mut args = vec!["simulate", p, "--duration", "10m", "--json"];
        args.extend_from_slice(extra);
        let o = archsim(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "nine-am")
            .unwrap()["requests"]
            .as_u64()
            .unwrap()
    };
    // 08:55 in the file: 09:00 is five minutes in.
    assert_eq!(fires(&[]), 1);
    // From midnight (the default's time of day), nothing in ten minutes.
    assert_eq!(fires(&["--start", "2026-01-05T00:00:00Z"]), 0);
    // At 09:00 exactly: the first second; one second later: none.
    assert_eq!(fires(&["--start", "2026-01-05T09:00:00Z"]), 1);
    assert_eq!(fires(&["--start", "2026-01-05T09:00:01Z"]), 0);
    fails_with(
        &archsim(&["simulate", p, "--start", "9am"]),
        "--start: `9am` is not an RFC 3339 UTC time",
    );
    d["scenarios"][0]["start"] = "2026-01-05 9am".into();
    std::fs::write(&path, serde_json::to_string_pretty(&d).unwrap()).unwrap();
    fails_with(&archsim(&["simulate", p]), "start: `2026-01-05 9am`");
}
