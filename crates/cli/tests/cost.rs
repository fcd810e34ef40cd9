//! `archsim cost` and `archsim chart` end to end.

mod common;
use common::*;

use std::path::PathBuf;
use std::process::Output;
use std::str::FromStr;

use rust_decimal::Decimal;

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn dec(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

#[test]
fn every_example_has_a_bill_whose_items_add_up() {
    for name in [
        "s3-image-pipeline",
        "serverless-api",
        "alb-fargate",
        "ecs-ec2-placement",
        "queue-worker",
        "eks-platform",
    ] {
        let v = json(&archsim(&["cost", "--json", &example(name)]));
        assert_eq!(v["source"], "scenario-estimate");
        let report = &v["report"];
        let items = report["line_items"].as_array().unwrap();
        assert!(!items.is_empty(), "{name}");
        let sum: Decimal = items.iter().map(|i| dec(&i["amount_usd"])).sum();
        assert_eq!(sum, dec(&report["subtotal_usd"]), "{name}");
        assert!(dec(&report["total_usd"]) > Decimal::ZERO, "{name}");
        for item in items {
            // Every cent amount has at most two decimals.
            assert!(dec(&item["amount_usd"]).scale() <= 2, "{item}");
        }
    }
}

/// A Compute Savings Plan from the command line: its commitment is a line
/// of its own, the usage it covers comes off, and a bad plan is refused
/// with one line, exit 2.
#[test]
fn savings_plans_from_the_command_line() {
    let design = example("ecs-ec2-placement");
    let base = json(&archsim(&["cost", "--json", &design]));
    let with = json(&archsim(&[
        "cost",
        "--json",
        &design,
        "--savings-plan",
        "compute:0.10:1",
    ]));
    let items = with["report"]["line_items"].as_array().unwrap();
    let commitment = items
        .iter()
        .find(|i| i["component_id"] == "savings-plans")
        .expect("a commitment line");
    // $0.10 an hour for the 730 h month.
    assert_eq!(dec(&commitment["amount_usd"]), Decimal::new(7300, 2));
    let covered: Decimal = items
        .iter()
        .filter(|i| i["description"].as_str().unwrap().starts_with("Covered by"))
        .map(|i| dec(&i["amount_usd"]))
        .sum();
    assert!(covered < Decimal::ZERO);
    // The plan saves: what it covers is worth more than the commitment.
    assert!(dec(&with["report"]["total_usd"]) < dec(&base["report"]["total_usd"]));
    // The text bill names the lines that belong to no component.
    let text = archsim(&["cost", &design, "--savings-plan", "compute:0.10:1"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("Savings Plans ")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("Network ")), "{text}");
    assert_eq!(
        with["report"]["assumptions"]["savings_plans"][0]["kind"],
        "compute"
    );
    for bad in ["compute:0.10:2", "reserved:1:1", "compute:-1:1", "compute"] {
        let o = archsim(&["cost", &design, "--savings-plan", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&o).contains(bad.rsplit(':').next().unwrap()),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_usage_file_naming_a_component_the_design_lacks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let usage = dir.path().join("usage.json");
    std::fs::write(
        &usage,
        r#"{"components": [{"component_id": "orders-fn@xray", "usage": {"xray": {"traces_recorded": 1}}},
            {"component_id": "nope-fn",
            "usage": {"lambda": {"requests": 3000000, "duration_ms": 120, "memory_mb": 1536}}}]}"#,
    )
    .unwrap();
    let o = archsim(&[
        "cost",
        &example("serverless-api"),
        "--usage",
        usage.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("usage.json: components[1].component_id `nope-fn` is not a component"),
        "{err}"
    );
}

/// AWS's mobile backend example, given as a usage file: $2.73.
#[test]
fn usage_file_reproduces_aws_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let usage = dir.path().join("usage.json");
    std::fs::write(
        &usage,
        r#"{"components": [{"component_id": "orders-fn",
            "usage": {"lambda": {"requests": 3000000, "duration_ms": 120, "memory_mb": 1536}}}]}"#,
    )
    .unwrap();
    let v = json(&archsim(&[
        "cost",
        "--json",
        "--free-tier",
        "on",
        "--usage",
        usage.to_str().unwrap(),
        &example("serverless-api"),
    ]));
    assert_eq!(v["report"]["total_usd"], "2.73");
    assert_eq!(v["source"], "usage-file");
    let off = json(&archsim(&[
        "cost",
        "--json",
        "--usage",
        usage.to_str().unwrap(),
        &example("serverless-api"),
    ]));
    // Without the free tier: 540,000 GB-s x $0.0000166667 = $9.00, + $0.60.
    assert_eq!(off["report"]["total_usd"], "9.60");
}

#[test]
fn legacy_billing_and_discount_change_the_bill() {
    let base = json(&archsim(&["cost", "--json", &example("serverless-api")]));
    let legacy = json(&archsim(&[
        "cost",
        "--json",
        "--billing",
        "100ms",
        &example("serverless-api"),
    ]));
    assert!(dec(&legacy["report"]["total_usd"]) > dec(&base["report"]["total_usd"]));
    let discounted = json(&archsim(&[
        "cost",
        "--json",
        "--discount",
        "10",
        &example("serverless-api"),
    ]));
    let expected =
        dec(&base["report"]["subtotal_usd"]) - dec(&discounted["report"]["discount_usd"]);
    assert_eq!(dec(&discounted["report"]["total_usd"]), expected);
    assert!(dec(&discounted["report"]["discount_usd"]) > Decimal::ZERO);
}

#[test]
fn human_table_shows_items_assumptions_and_total() {
    let o = archsim(&["cost", &example("queue-worker")]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("under scenario \"batch-burst\""), "{text}");
    assert!(text.contains("total (USD per month)"), "{text}");
    assert!(text.contains("Fargate Spot"), "{text}");
    assert!(text.contains("free tier off"), "{text}");
}

fn check_image(path: &PathBuf) {
    let bytes = std::fs::read(path).unwrap();
    if path.extension().unwrap() == "png" {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    } else {
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("<svg"), "{text}");
    }
}

#[test]
fn charts_render_to_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, design, file) in [
        ("cost-curve", "alb-fargate", "curve.svg"),
        ("cost-curve", "serverless-api", "curve.png"),
        ("breakeven", "serverless-api", "be.svg"),
        ("memory", "s3-image-pipeline", "mem.png"),
    ] {
        let out = dir.path().join(file);
        let o = archsim(&[
            "chart",
            &example(design),
            "--kind",
            kind,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        check_image(&out);
    }
    let out = dir.path().join("be.png");
    let o = archsim(&[
        "chart",
        &example("serverless-api"),
        "--kind",
        "breakeven",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Lambda and Fargate cost the same at"),
        "{text}"
    );
}

#[test]
fn bad_cost_input_is_a_clear_error() {
    let o = archsim(&["cost", "--scenario", "nope", &example("serverless-api")]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("launch-day"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let usage = dir.path().join("bad.json");
    std::fs::write(&usage, "{\"components\": [\n {\"component_id\": 5}]}").unwrap();
    let o = archsim(&[
        "cost",
        "--usage",
        usage.to_str().unwrap(),
        &example("serverless-api"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json:2:") && err.contains("components[0].component_id"),
        "{err}"
    );

    let o = archsim(&[
        "chart",
        &example("alb-fargate"),
        "--kind",
        "memory",
        "--out",
        "/tmp/x.svg",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no Lambda function"));

    let o = archsim(&[
        "chart",
        &example("serverless-api"),
        "--kind",
        "memory",
        "--out",
        "/tmp/x.gif",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// The steady-state estimate and a simulation of the same scenario agree on
/// what is counted exactly (API requests), and both price the design.
#[test]
fn simulated_usage_agrees_with_the_estimate_on_request_counts() {
    let api_requests = |v: &serde_json::Value| -> f64 {
        v["report"]["line_items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["component_id"] == "api")
            .map(|i| dec(&i["quantity"]).to_string().parse::<f64>().unwrap())
            .sum()
    };
    let estimate = json(&archsim(&["cost", "--json", &example("serverless-api")]));
    let simulated = json(&archsim(&[
        "cost",
        "--json",
        "--simulate",
        "--duration",
        "600",
        &example("serverless-api"),
    ]));
    assert_eq!(simulated["source"], "simulation");
    let (e, s) = (api_requests(&estimate), api_requests(&simulated));
    assert!(
        e > 0.0 && ((s - e) / e).abs() < 0.03,
        "estimate {e} vs simulated {s}"
    );
    assert!(dec(&simulated["report"]["total_usd"]) > Decimal::ZERO);
}

/// The example with its region set to `region`, written in `dir`.
fn in_region(dir: &std::path::Path, name: &str, region: &str) -> String {
    let text = std::fs::read_to_string(example(name)).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["region"] = serde_json::Value::String(region.into());
    let path = dir.join(format!("{name}-{region}.archsim.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_design_region_chooses_the_price_book() {
    let dir = tempfile::tempdir().unwrap();
    let us = json(&archsim(&["cost", "--json", &example("alb-fargate")]));
    let eu_design = in_region(dir.path(), "alb-fargate", "eu-central-1");
    let eu = json(&archsim(&["cost", "--json", &eu_design]));
    assert_eq!(us["report"]["region"], "us-east-1");
    assert_eq!(eu["report"]["region"], "eu-central-1");
    assert!(dec(&eu["report"]["total_usd"]) > dec(&us["report"]["total_usd"]));
    // The example is a production design: its table's point-in-time
    // recovery is the one rate not confirmed in the us-east-1 book.
    assert_eq!(
        us["report"]["unconfirmed_rates"],
        serde_json::json!(["dynamodb.pitr_storage"])
    );
    let unconfirmed = eu["report"]["unconfirmed_rates"].as_array().unwrap();
    assert!(
        unconfirmed.iter().any(|r| r == "fargate.vcpu_x86"),
        "{unconfirmed:?}"
    );

    // The text output names the region and warns about the unconfirmed rates.
    let o = archsim(&["cost", &eu_design]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("region eu-central-1"), "{text}");
    let warning = text
        .lines()
        .find(|l| l.starts_with("warning:"))
        .unwrap_or_else(|| panic!("no warning in {text}"));
    assert!(
        warning.contains(&format!("{} rates", unconfirmed.len()))
            && warning.contains("not confirmed for eu-central-1")
            && warning.contains("fargate.vcpu_x86"),
        "{warning}"
    );
    // In us-east-1 only the production profile's point-in-time recovery
    // rate is unconfirmed.
    let o = archsim(&["cost", &example("alb-fargate")]);
    let text = stdout(&o);
    for warning in text.lines().filter(|l| l.starts_with("warning:")) {
        assert!(
            warning.contains("1 rate used") && warning.contains("dynamodb.pitr_storage"),
            "{warning}"
        );
    }

    // validate and cost agree: a region without a book is a warning for
    // one and an error naming the way out for the other.
    let sa_design = in_region(dir.path(), "alb-fargate", "sa-east-1");
    let o = archsim(&["validate", &sa_design]);
    assert!(stdout(&o).contains("REGION_UNKNOWN"), "{}", stdout(&o));
    let o = archsim(&["cost", &sa_design]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("sa-east-1") && err.contains("--prices FILE"),
        "{err}"
    );
    for region in archsim_model::REGIONS {
        let design = in_region(dir.path(), "serverless-api", region);
        let o = archsim(&["validate", &design]);
        assert!(!stdout(&o).contains("REGION_UNKNOWN"), "{region}");
    }
}

#[test]
fn prices_loads_a_whole_book_or_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let book_text = std::fs::read_to_string(root().join("crates/cost/pricing/aws-us-east-1.json"))
        .unwrap()
        .replace("\"us-east-1\"", "\"sa-east-1\"");
    let book = dir.path().join("aws-sa-east-1.json");
    std::fs::write(&book, &book_text).unwrap();
    let sa_design = in_region(dir.path(), "serverless-api", "sa-east-1");
    let v = json(&archsim(&[
        "cost",
        "--json",
        &sa_design,
        "--prices",
        book.to_str().unwrap(),
    ]));
    assert_eq!(v["report"]["region"], "sa-east-1");
    let us = json(&archsim(&["cost", "--json", &example("serverless-api")]));
    assert_eq!(v["report"]["total_usd"], us["report"]["total_usd"]);

    // Overrides on the embedded book of the design's region.
    let o = dir.path().join("o.json");
    std::fs::write(&o, r#"{"lambda": {"requests": {"usd": 0.4}}}"#).unwrap();
    let v = json(&archsim(&[
        "cost",
        "--json",
        &example("serverless-api"),
        "--prices",
        o.to_str().unwrap(),
    ]));
    assert!(dec(&v["report"]["total_usd"]) > dec(&us["report"]["total_usd"]));
}

#[test]
fn a_bad_price_book_is_one_line_naming_the_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(root().join("crates/cost/pricing/aws-us-east-1.json")).unwrap();
    let line_of = |t: &str, needle: &str| t.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let mut missing: serde_json::Value = serde_json::from_str(&text).unwrap();
    missing["s3"]
        .as_object_mut()
        .unwrap()
        .remove("get_requests");
    let negative = text.replacen("\"usd\": 0.2,", "\"usd\": -0.2,", 1);
    let non_numeric = text.replacen("\"usd\": 0.2,", "\"usd\": \"twenty cents\",", 1);
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        (
            "missing.json",
            serde_json::to_string_pretty(&missing).unwrap(),
            vec!["`s3`".into(), "missing field `get_requests`".into()],
        ),
        (
            "negative.json",
            negative.clone(),
            vec![
                "`lambda.requests.usd`".into(),
                format!("line {}", line_of(&negative, "-0.2")),
                "negative".into(),
            ],
        ),
        (
            "non-numeric.json",
            non_numeric.clone(),
            vec![
                "`lambda.requests.usd`".into(),
                format!("line {}", line_of(&non_numeric, "twenty cents")),
            ],
        ),
        (
            "other-region.json",
            text.replace("\"us-east-1\"", "\"eu-west-9\""),
            vec!["`region`".into(), "eu-west-9".into(), "us-east-1".into()],
        ),
        (
            "overrides.json",
            r#"{"s3": {"get_requests": {"usd": "free"}}}"#.into(),
            vec!["`s3.get_requests.usd`".into()],
        ),
        (
            "broken.json",
            "{\n  \"format\": 1,\n  oops\n}".into(),
            vec!["line 3".into()],
        ),
    ];
    for (file, content, wants) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, content).unwrap();
        let o = archsim(&[
            "cost",
            &example("serverless-api"),
            "--prices",
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{file}: one line: {err}");
        assert!(err.contains(file), "{file}: {err}");
        for want in wants {
            assert!(err.contains(&want), "{file}: no {want} in {err}");
        }
    }
}
