//! Shared helpers: the repository root, the example designs, and the
//! Python validators (cfn-lint, aws-sam-translator) in `.venv`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use archsim_model::Design;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn examples() -> Vec<(String, Design)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(repo_root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".archsim.json"))
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .trim_end_matches(".archsim.json")
            .to_string();
        let design = archsim_model::load(&p).expect("example loads");
        out.push((name, design));
    }
    out
}

/// Whether the validators should be skipped (quick local runs only).
pub fn skip_validators() -> bool {
    std::env::var("ARCHSIM_SKIP_CFN_LINT").as_deref() == Ok("1")
}

fn venv_bin(name: &str) -> PathBuf {
    let path = repo_root().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing. Set up the validators with:\n  python3 -m venv .venv && .venv/bin/pip install cfn-lint aws-sam-translator\n(or run scripts/test.sh, which does it; ARCHSIM_SKIP_CFN_LINT=1 skips them for a quick local run)",
        path.display()
    );
    path
}

/// Runs cfn-lint once over `files`; returns the error findings, each
/// naming its file and line (empty: no errors). Warnings and informational
/// findings do not fail a template.
pub fn cfn_lint_errors(files: &[PathBuf]) -> Vec<String> {
    if files.is_empty() {
        return Vec::new();
    }
    let out = Command::new(venv_bin("cfn-lint"))
        .arg("--format")
        .arg("parseable")
        .arg("--")
        .args(files)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("cfn-lint runs");
    let code = out.status.code().unwrap_or(-1);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    // The exit code is a bitmask: 2 = errors, 4 = warnings, 8 = info.
    if code >= 0 && code & 3 == 0 {
        return Vec::new();
    }
    let errors: Vec<String> = text
        .lines()
        .filter(|l| l.contains(":E"))
        .map(str::to_string)
        .collect();
    if errors.is_empty() {
        vec![format!("cfn-lint exit {code}: {text}")]
    } else {
        errors
    }
}

/// Transforms SAM templates with aws-sam-translator: each `(input,
/// output)` pair. Returns the translator's messages on failure.
pub fn sam_translate(pairs: &[(PathBuf, PathBuf)]) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let script = repo_root().join("tests/iac/sam_translate.py");
    let mut cmd = Command::new(venv_bin("python"));
    cmd.arg(script);
    for (i, o) in pairs {
        cmd.arg(i).arg(o);
    }
    let res = cmd
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("python runs");
    if res.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&res.stderr).to_string()
            + &String::from_utf8_lossy(&res.stdout))
    }
}
