//! `archsim export` and `archsim import` end to end: files written, the
//! report, exit codes and one-line errors.

mod common;
use common::*;

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
    assert!(o.status.success(), "{}", stderr(&o));
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
    assert!(o.status.success(), "{}", stderr(&o));
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
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(report.contains("Mapped to components"), "{report}");
    assert!(report.contains("Connections inferred (2)"), "{report}");
    assert!(report.contains("Kept as written"), "{report}");
    // The design opens, validates, and exports back.
    let v = archsim(&["describe", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stderr(&v));
    let e = archsim(&["export", out.to_str().unwrap()]);
    assert!(e.status.success(), "{}", stderr(&e));
    assert!(stdout(&e).contains("Type: AWS::Serverless::Function"));
}

#[test]
fn several_stacks_import_as_one_design_and_export_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.archsim.json");
    let stacks = root().join("tests/iac/templates/stacks");
    let file = |f: &str| stacks.join(f).to_str().unwrap().to_string();
    let (network, web, worker) = (file("network.yaml"), file("web.yaml"), file("worker.yaml"));
    let o = archsim(&[
        "import",
        &network,
        &web,
        &worker,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(report.contains("Stacks (9):"), "{report}");
    assert!(
        report.contains("web.yaml: Fn::ImportValue orders-network-ListenerArn -> network.yaml output ListenerArn"),
        "{report}"
    );
    // One template cannot hold three stacks: a directory is asked for.
    let o = archsim(&["export", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("holds 3 stacks (network.yaml, web.yaml, worker.yaml); pass --out DIR"),
        "{err}"
    );
    let written = dir.path().join("stacks");
    let o = archsim(&[
        "export",
        out.to_str().unwrap(),
        "--format",
        "cloudformation",
        "--out",
        written.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["network.yaml", "web.yaml", "worker.yaml"] {
        let back = std::fs::read_to_string(written.join(f)).unwrap();
        assert!(back.contains("Resources:"), "{f}: {back}");
    }
    let web = std::fs::read_to_string(written.join("web.yaml")).unwrap();
    assert!(
        web.contains("Fn::ImportValue"),
        "imports stay imports: {web}"
    );
}

#[test]
fn layers_write_three_stacks_that_import_back_as_one_design() {
    let dir = tempfile::tempdir().unwrap();
    let design = root().join("examples/queue-worker.archsim.json");
    let design = design.to_str().unwrap();
    // A directory is needed.
    let o = archsim(&["export", design, "--layers"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    let written = dir.path().join("layers");
    let o = archsim(&[
        "export",
        design,
        "--layers",
        "--out",
        written.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files: Vec<String> = ["network.yaml", "data.yaml", "compute.yaml"]
        .iter()
        .map(|f| written.join(f).to_str().unwrap().to_string())
        .collect();
    for f in &files {
        assert!(stdout(&o).contains(&format!("wrote {f}")), "{}", stdout(&o));
    }
    let compute = std::fs::read_to_string(&files[2]).unwrap();
    assert!(compute.contains("Fn::ImportValue"), "{compute}");
    // Read back as one design, it is written back as its three files, and
    // `--layers` is refused for it: it keeps the stacks it came from.
    let back = dir.path().join("back.archsim.json");
    let o = archsim(&[
        "import",
        &files[0],
        &files[1],
        &files[2],
        "--out",
        back.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = archsim(&[
        "export",
        back.to_str().unwrap(),
        "--layers",
        "--out",
        written.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is written back as those"),
        "{}",
        stderr(&o)
    );
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
    let err = stderr(&o);
    assert!(
        err.contains("bad.yaml:5: !Ref refers to \"Nowhere\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists(), "no partial import is written");
}

#[test]
fn export_project_writes_a_sam_project_and_keeps_edited_handlers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pipeline");
    let design = root().join("examples/s3-image-pipeline.archsim.json");
    let run = |json: bool| {
        let mut args = vec![
            "export",
            design.to_str().unwrap(),
            "--project",
            out.to_str().unwrap(),
        ];
        if json {
            args.push("--json");
        }
        let o = archsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    let first = run(false);
    assert!(stdout(&first).starts_with("created "), "{}", stdout(&first));
    let template = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    assert!(
        template.contains("CodeUri: src/resize-image/"),
        "{template}"
    );
    assert!(!template.contains("ArtifactBucket"));
    for f in [
        "src/resize-image/app.py",
        "events/resize-image/uploads-bucket.json",
        "samconfig.toml",
        "README.md",
        "s3-image-pipeline.archsim.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let handler = out.join("src/resize-image/app.py");
    std::fs::write(&handler, "def handler(event, context):\n    return 1\n").unwrap();
    let again = run(true);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["created"], false);
    assert!(
        report["kept"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("src/resize-image/app.py")),
        "{report}"
    );
    assert!(
        std::fs::read_to_string(&handler)
            .unwrap()
            .contains("return 1")
    );
}

#[test]
fn export_project_bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let design = root().join("examples/serverless-api.archsim.json");
    // A folder that is not an archsim project.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = archsim(&[
        "export",
        design.to_str().unwrap(),
        "--project",
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("not an archsim project"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
    // A runtime with no stub.
    let rust = dir.path().join("rust.archsim.json");
    let text_of_design = std::fs::read_to_string(&design).unwrap();
    assert!(text_of_design.contains("\"runtime\": \"nodejs\""));
    std::fs::write(
        &rust,
        text_of_design.replace("\"runtime\": \"nodejs\"", "\"runtime\": \"rust\""),
    )
    .unwrap();
    let target = dir.path().join("new");
    let o = archsim(&[
        "export",
        rust.to_str().unwrap(),
        "--project",
        target.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no handler stub"), "{}", stderr(&o));
    assert!(!target.exists());
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
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
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

#[test]
fn an_imported_subscriptions_filter_policy_is_reported_and_described() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.yaml");
    std::fs::write(
        &template,
        "Resources:\n  Orders:\n    Type: AWS::SNS::Topic\n  Inbox:\n    Type: AWS::SQS::Queue\n  InboxSubscription:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref Orders\n      Protocol: sqs\n      Endpoint: !GetAtt Inbox.Arn\n      FilterPolicy: {event: [order_placed]}\n      FilterPolicyScope: MessageBody\n",
    )
    .unwrap();
    let out = dir.path().join("d.archsim.json");
    let o = archsim(&[
        "import",
        template.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "Orders -> Inbox (publishes to, from InboxSubscription subscription, FilterPolicy on MessageBody (event))"
        ),
        "{}",
        stdout(&o)
    );
    let v = archsim(&["describe", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stderr(&v));
    assert!(
        stdout(&v).contains(
            r#"Orders publishes to Inbox, filter policy on MessageBody: {"event":["order_placed"]}"#
        ),
        "{}",
        stdout(&v)
    );
}
