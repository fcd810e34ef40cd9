//! The bill follows the export profile (issue #18): a production design
//! pays for what its export adds (the stack's KMS key, the access logs in
//! the log bucket and in CloudWatch Logs, point-in-time recovery on its
//! tables); the same design in the sandbox profile has none of those lines
//! and every other line unchanged.

use std::path::Path;

use archsim_cost::design_cost::{monthly_bill, scenario_usage};
use archsim_cost::{Assumptions, CostReport, PriceBook};
use archsim_model::{Design, ExportProfile};
use rust_decimal::Decimal;

fn example(name: &str) -> Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.archsim.json"));
    archsim_model::load(&path).unwrap()
}

fn bill(design: &Design) -> CostReport {
    let assumptions = Assumptions::default();
    let usage = scenario_usage(design, None, &assumptions).unwrap();
    let book = PriceBook::embedded(&design.region).unwrap();
    monthly_bill(&book, &usage, &assumptions).unwrap()
}

fn line<'a>(
    bill: &'a CostReport,
    component: &str,
    what: &str,
) -> Option<&'a archsim_cost::LineItem> {
    bill.line_items
        .iter()
        .find(|l| l.component_id == component && l.description.starts_with(what))
}

#[test]
fn production_bills_the_key_the_access_logs_and_point_in_time_recovery() {
    for name in ["serverless-api", "alb-fargate", "s3-image-pipeline"] {
        let production = example(name);
        assert_eq!(
            production.export_profile,
            ExportProfile::Production,
            "{name}"
        );
        let mut sandbox = production.clone();
        sandbox.export_profile = ExportProfile::Sandbox;
        let (p, s) = (bill(&production), bill(&sandbox));

        let key = line(&p, "production@kms", "Customer-managed keys")
            .unwrap_or_else(|| panic!("{name}: no KMS key line"));
        assert_eq!(key.service, "AWS Key Management Service");
        assert_eq!(key.quantity, Decimal::ONE, "{name}: one key per stack");
        assert_eq!(
            key.amount_usd,
            Decimal::new(100, 2),
            "{name}: $1.00 a key-month"
        );

        // Nothing of the profile's on the sandbox bill, and the rest is
        // the same bill.
        let profile_free: Vec<_> = p
            .line_items
            .iter()
            .filter(|l| !l.component_id.starts_with("production@"))
            .filter(|l| !l.description.starts_with("Point-in-time recovery"))
            .collect();
        assert!(
            s.line_items
                .iter()
                .all(|l| !l.component_id.starts_with("production@")
                    && !l.description.starts_with("Point-in-time recovery")),
            "{name}: the sandbox bill has a production line"
        );
        assert_eq!(profile_free.len(), s.line_items.len(), "{name}");
        for (a, b) in profile_free.iter().zip(&s.line_items) {
            assert_eq!(
                (&a.component_id, &a.amount_usd),
                (&b.component_id, &b.amount_usd),
                "{name}"
            );
        }
        assert!(p.total_usd > s.total_usd, "{name}: production costs more");
    }
}

#[test]
fn point_in_time_recovery_is_billed_on_the_tables_stored_size() {
    let design = example("serverless-api");
    let table = design
        .components()
        .find_map(|c| match &c.props {
            archsim_model::Props::DynamoDbTable(t) => Some((c.id.clone(), t.stored_gb)),
            _ => None,
        })
        .unwrap();
    let b = bill(&design);
    let pitr = line(&b, &table.0, "Point-in-time recovery").expect("a PITR line");
    assert_eq!(pitr.service, "Amazon DynamoDB");
    assert_eq!(
        pitr.quantity,
        Decimal::try_from(table.1).unwrap().round_dp(6),
        "GB-months of the table's stored size"
    );
}

#[test]
fn access_logs_follow_the_load_balancers_and_apis_traffic() {
    // An ALB's requests go to the log bucket, an API's to CloudWatch Logs.
    let alb = bill(&example("alb-fargate"));
    let logs = line(&alb, "production@access-logs", "S3 Standard storage")
        .expect("the ALB's access logs are stored");
    assert!(logs.quantity > Decimal::ZERO);
    assert_eq!(logs.service, "Amazon S3");
    let api = bill(&example("serverless-api"));
    assert!(
        api.line_items
            .iter()
            .any(|l| l.component_id == "production@api-logs"
                && l.service == "Amazon CloudWatch Logs"),
        "the API's access logs are ingested: {:#?}",
        api.line_items
            .iter()
            .map(|l| (&l.component_id, &l.description))
            .collect::<Vec<_>>()
    );
}
