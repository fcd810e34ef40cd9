//! The `archsim` binary end to end: examples, the broken fixture, exit
//! codes and one-line errors for bad input.

mod common;
use common::*;

use std::path::PathBuf;

#[test]
fn every_example_validates_clean() {
    let all = examples();
    assert!(all.len() >= 6, "{all:?}");
    for path in all {
        let o = archsim(&["validate", path.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            stdout(&o)
        );
        // Examples are production designs: a public ALB in one cannot
        // know the user's certificate, and validation says so; nothing
        // else is found.
        let text = stdout(&o);
        let certificates = text.matches("PRODUCTION_ALB_NO_CERTIFICATE").count();
        assert!(
            text.contains(&format!("0 errors, {certificates} warnings, 0 infos")),
            "{text}"
        );
    }
}

#[test]
fn examples_are_exactly_the_starter_templates() {
    let dir = tempfile::tempdir().unwrap();
    for path in examples() {
        let name = path.file_name().unwrap().to_str().unwrap();
        let template = name.trim_end_matches(".archsim.json");
        let out = dir.path().join(name);
        let o = archsim(&["new", "--template", template, out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            std::fs::read_to_string(&path).unwrap(),
            "{name} differs from `archsim new --template {template}`: regenerate it"
        );
    }
}

#[test]
fn broken_fixture_reports_its_problems_with_codes() {
    let path = root().join("tests/fixtures/broken.archsim.json");
    let o = archsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for code in [
        "FARGATE_GPU",
        "FARGATE_INVALID_SIZE",
        "IMAGE_NO_REGISTRY",
        "LAMBDA_RECURSIVE_LOOP",
        "LAMBDA_UNRESERVED_BELOW_MIN",
        "SERVICE_MIN_GT_DESIRED",
        "SQS_FIFO_DLQ_MISMATCH",
        "CLB_LEGACY",
        "LAMBDA_TIMEOUT_GT_APIGW",
    ] {
        assert!(
            text.contains(&format!("[{code}]")),
            "missing {code}:\n{text}"
        );
    }
    assert!(text.contains("7 errors, 3 warnings, 3 infos"), "{text}");
}

#[test]
fn validate_json_follows_the_documented_schema() {
    let path = root().join("tests/fixtures/broken.archsim.json");
    let o = archsim(&["validate", "--json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 7);
    assert_eq!(v["warnings"], 3);
    assert_eq!(v["infos"], 3);
    assert_eq!(v["design"], "Broken queue workers");
    let p = &v["problems"][0];
    for key in ["code", "severity", "message", "components", "hint"] {
        assert!(p.get(key).is_some(), "problem lacks {key}: {p}");
    }
    assert_eq!(p["severity"], "error");
}

#[test]
fn describe_and_graph_show_the_design() {
    let path = root().join("examples/queue-worker.archsim.json");
    let o = archsim(&["describe", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("Queue-backed workers"));
    assert!(
        text.contains("Accept job invokes asynchronously Audit log"),
        "{text}"
    );
    assert!(
        text.contains("Jobs queue is polled by Job worker (batch 1"),
        "{text}"
    );
    assert!(text.contains("batch-burst"));

    let o = archsim(&["graph", "--dot", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let dot = stdout(&o);
    assert!(
        dot.starts_with("digraph \"Queue-backed workers\" {"),
        "{dot}"
    );
    assert!(dot.contains("subgraph cluster_0"));
    assert!(
        dot.contains("\"jobs\" -> \"worker-svc\" [label=\"is polled by\", style=dotted];"),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn new_refuses_to_overwrite_and_unknown_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.archsim.json");
    let out = out.to_str().unwrap();
    assert_eq!(archsim(&["new", out]).status.code(), Some(0));
    let o = archsim(&["new", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(
        archsim(&["new", "--force", "--name", "Mine", out])
            .status
            .code(),
        Some(0)
    );
    assert!(
        std::fs::read_to_string(out)
            .unwrap()
            .contains("\"name\": \"Mine\"")
    );
    let o = archsim(&["new", "--template", "mainframe", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("serverless-api"), "{}", stderr(&o));
}

/// Bad input: a one-line error naming the file, exit code 2, no panic.
#[test]
fn bad_input_gets_one_line_errors_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let good =
        std::fs::read_to_string(root().join("examples/serverless-api.archsim.json")).unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (dir.path().join("missing.archsim.json"), "cannot read"),
        (dir.path().to_path_buf(), "directory"),
        (write("empty.archsim.json", b""), "empty"),
        (
            write("latin1.archsim.json", b"{\"name\": \"caf\xe9\"}"),
            "not UTF-8",
        ),
        (
            write("shape.archsim.json", b"{\"format\": 1, \"name\": 5}"),
            "name",
        ),
        (
            write("future.archsim.json", b"{\"format\": 9, \"name\": \"x\"}"),
            "newer archsim",
        ),
        (
            write(
                "dangling.archsim.json",
                good.replace("\"to\": \"orders\"", "\"to\": \"nowhere\"")
                    .as_bytes(),
            ),
            "connections[3].to",
        ),
        (
            write(
                "unknown.archsim.json",
                good.replace("\"memory_mb\": 1024", "\"memory_mb\": 1024, \"cores\": 2")
                    .as_bytes(),
            ),
            "unknown field `cores`",
        ),
    ];
    for cmd in ["validate", "describe", "graph"] {
        for (path, expect) in &cases {
            let o = archsim(&[cmd, path.to_str().unwrap()]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd} {}: {err}", path.display());
            assert!(
                err.contains(expect),
                "{cmd} {}: expected {expect:?} in {err}",
                path.display()
            );
            assert!(
                err.contains(path.file_name().unwrap().to_str().unwrap()),
                "{err}"
            );
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}
