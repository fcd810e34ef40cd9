//! `archsim export` and `archsim import` end to end: files written, the
//! report, exit codes and one-line errors.

mod common;
use common::*;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn export_writes_the_template_and_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eks.yaml");
    let design = root().join("examples/eks-platform.archsim.json");
    let o = archsim(&[
        "export",
        design.to_str().unwrap(),
        "--format",
        "cloudformation",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let template = std::fs::read_to_string(&out).unwrap();
    assert!(template.contains("Type: AWS::EKS::Cluster"));
    assert!(!template.contains("Transform:"));
    let manifest = std::fs::read_to_string(dir.path().join("web-deployment.k8s.yaml")).unwrap();
    assert!(manifest.contains("kind: Deployment"), "{manifest}");
}

#[test]
fn export_to_stdout_as_json() {
    let design = root().join("examples/serverless-api.archsim.json");
    let o = archsim(&["export", design.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["Transform"], "AWS::Serverless-2016-10-31");
}

#[test]
fn import_writes_a_design_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.archsim.json");
    let template = root().join("tests/iac/templates/sqs-lambda-worker.yaml");
    let o = archsim(&[
        "import",
        template.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report = text(&o.stdout);
    assert!(report.contains("Mapped to components"), "{report}");
    assert!(report.contains("Connections inferred (2)"), "{report}");
    assert!(report.contains("Kept as written"), "{report}");
    // The design opens, validates, and exports back.
    let v = archsim(&["describe", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    let e = archsim(&["export", out.to_str().unwrap()]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert!(text(&e.stdout).contains("Type: AWS::Serverless::Function"));
}

#[test]
fn import_of_bad_input_exits_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Ref Nowhere\n",
    )
    .unwrap();
    let out = dir.path().join("d.archsim.json");
    let o = archsim(&[
        "import",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.yaml:5: !Ref refers to \"Nowhere\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists(), "no partial import is written");
}

#[test]
fn export_profile_overrides_the_designs() {
    // The examples are production designs: the stack's key and HTTPS.
    let design = root().join("examples/alb-fargate.archsim.json");
    let export = |extra: &[&str]| {
        let mut args = vec![
            "export",
            design.to_str().unwrap(),
            "--format",
            "cloudformation",
        ];
        args.extend_from_slice(extra);
        let o = archsim(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let own = export(&[]);
    assert!(own.contains("Type: AWS::KMS::Key"), "{own}");
    assert!(own.contains("Protocol: HTTPS"), "{own}");
    assert_eq!(export(&["--profile", "production"]), own);
    let sandbox = export(&["--profile", "sandbox"]);
    assert!(!sandbox.contains("AWS::KMS::Key"), "{sandbox}");
    assert!(!sandbox.contains("Protocol: HTTPS"), "{sandbox}");
    assert!(!sandbox.contains("checkov"), "{sandbox}");
    let o = archsim(&["export", design.to_str().unwrap(), "--profile", "staging"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown profile is a usage error"
    );
}
