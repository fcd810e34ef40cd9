//! Every printing command on a closed pipe (`archsim cost d --json | head
//! -1`): no panic, no "Broken pipe" on standard error, and the exit status
//! the command has when its output is read to the end (docs/cli.md, "Exit
//! codes").
#![cfg(unix)]

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Each printing command, with the status it ends with. Every invocation
/// here prints nothing on standard error when read to the end, so anything
/// there on a closed pipe came from the pipe.
fn printing_commands(dir: &Path) -> Vec<(Vec<String>, i32)> {
    let api = example("serverless-api");
    let broken = root().join("tests/fixtures/broken.archsim.json");
    let template = root().join("tests/iac/templates/alb-fargate-paths.yaml");
    // Imported, so it has no clients (exporting a client is a note on
    // standard error).
    let imported = dir.join("imported.archsim.json");
    let path = |p: &Path| p.to_string_lossy().into_owned();
    let usage = dir.join("usage.json");
    std::fs::write(
        &usage,
        r#"{"components": [{"component_id": "orders-fn",
            "usage": {"lambda": {"requests": 3000000, "duration_ms": 120, "memory_mb": 1536}}}]}"#,
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["new", "--list"], 0),
        (
            vec!["new", "--force", "--template", "queue-worker", "NEW"],
            0,
        ),
        (
            vec!["import", "--force", "TEMPLATE", "--out", "IMPORTED"],
            0,
        ),
        (vec!["validate", &api], 0),
        (vec!["validate", "BROKEN"], 1),
        (vec!["validate", "--json", "BROKEN"], 1),
        (vec!["describe", &api], 0),
        (vec!["graph", "--dot", &api], 0),
        (vec!["simulate", &api, "--duration", "1m"], 0),
        (vec!["simulate", &api, "--duration", "1m", "--json"], 0),
        (
            vec![
                "simulate",
                &api,
                "--duration",
                "1m",
                "--seeds",
                "2",
                "--json",
            ],
            0,
        ),
        (vec!["cost", &api], 0),
        (vec!["cost", &api, "--json"], 0),
        (
            vec!["cost", &api, "--simulate", "--duration", "60", "--json"],
            0,
        ),
        (vec!["cost", &api, "--usage", "USAGE", "--json"], 0),
        (
            vec!["chart", &api, "--kind", "breakeven", "--out", "CHART"],
            0,
        ),
        (vec!["export", "IMPORTED", "--format", "cloudformation"], 0),
        (
            vec!["export", "IMPORTED", "--format", "cloudformation", "--json"],
            0,
        ),
        (
            vec![
                "export",
                "IMPORTED",
                "--format",
                "cloudformation",
                "--out",
                "EXPORTED",
            ],
            0,
        ),
    ];
    let place = |arg: &str| match arg {
        "NEW" => path(&dir.join("new.archsim.json")),
        "TEMPLATE" => path(&template),
        "IMPORTED" => path(&imported),
        "BROKEN" => path(&broken),
        "USAGE" => path(&usage),
        "CHART" => path(&dir.join("chart.svg")),
        "EXPORTED" => path(&dir.join("exported.yaml")),
        other => other.to_string(),
    };
    cases
        .into_iter()
        .map(|(args, status)| (args.into_iter().map(place).collect(), status))
        .collect()
}

/// Runs archsim with its standard output a pipe into `reader`, as `archsim
/// ARGS | READER` does. With `reader_first`, the reader has ended before
/// archsim starts, so archsim's first write surely fails (outputs this
/// small fit in the pipe's buffer; a slow reader would see them whole).
fn piped_into(args: &[String], reader: &[&str], reader_first: bool) -> Output {
    let mut reader = Command::new(reader[0])
        .args(&reader[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run the reader");
    let pipe = reader.stdin.take().expect("piped");
    if reader_first {
        reader.wait().expect("the reader ends");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(pipe)
        .output()
        .expect("run archsim");
    reader.wait().expect("the reader ends");
    o
}

#[test]
fn printing_commands_end_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (args, status) in printing_commands(dir.path()) {
        let line = format!("archsim {}", args.join(" "));
        let read = archsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            read.status.code(),
            Some(status),
            "{line}: {}",
            stderr(&read)
        );
        assert!(!read.stdout.is_empty(), "{line}: prints nothing");
        assert_eq!(stderr(&read), "", "{line}");
        for (how, o) in [
            (
                "| head -n 1",
                piped_into(&args, &["head", "-n", "1"], false),
            ),
            ("| true (ended first)", piped_into(&args, &["true"], true)),
        ] {
            if o.status.code() != Some(status) || !o.stderr.is_empty() {
                failures.push(format!(
                    "{line} {how}: exit {:?}, expected {status}; stderr: {}",
                    o.status.code(),
                    stderr(&o)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
