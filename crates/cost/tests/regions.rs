//! Every example priced in every region archsim has a book for: the bill
//! is computed, it is the region's, and it moves from us-east-1's exactly
//! where the region's rates do.

use std::path::Path;

use archsim_cost::design_cost::{monthly_bill, scenario_usage};
use archsim_cost::{Assumptions, CostReport, PriceBook};
use archsim_model::{Design, REGIONS};

fn examples() -> Vec<(String, Design)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out: Vec<(String, Design)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".archsim.json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, archsim_model::load(&p).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 6, "examples not found in {}", dir.display());
    out
}

fn bill(design: &Design, region: &str) -> CostReport {
    let mut design = design.clone();
    design.region = region.to_string();
    let book = PriceBook::embedded(&design.region).unwrap_or_else(|e| panic!("{region}: {e}"));
    let assumptions = Assumptions::default();
    let usage = scenario_usage(&design, None, &assumptions).unwrap();
    monthly_bill(&book, &usage, &assumptions)
        .unwrap_or_else(|e| panic!("{} in {region}: {e}", design.name))
}

#[test]
fn every_example_prices_in_every_region() {
    for (name, design) in examples() {
        let us = bill(&design, "us-east-1");
        // us-east-1 names only the rates its book marks unconfirmed.
        let marked = PriceBook::embedded("us-east-1").unwrap().unconfirmed();
        assert!(
            us.unconfirmed_rates.iter().all(|r| marked.contains(r)),
            "{name}: {:?}",
            us.unconfirmed_rates
        );
        for region in REGIONS {
            let other = bill(&design, region);
            assert_eq!(other.region, *region);
            // The same usage: the same lines, in the same order.
            let lines = |r: &CostReport| {
                r.line_items
                    .iter()
                    .map(|l| (l.component_id.clone(), l.description.clone(), l.quantity))
                    .collect::<Vec<_>>()
            };
            assert_eq!(lines(&other), lines(&us), "{name} in {region}");
            let rates_differ = other
                .line_items
                .iter()
                .zip(&us.line_items)
                .any(|(a, b)| a.rate_usd != b.rate_usd);
            if rates_differ {
                assert_ne!(
                    other.total_usd, us.total_usd,
                    "{name} in {region}: other rates, same total"
                );
            } else {
                assert_eq!(other.total_usd, us.total_usd, "{name} in {region}");
            }
            // Every unconfirmed rate the bill names is one its book marks.
            let marked = PriceBook::embedded(region).unwrap().unconfirmed();
            for path in &other.unconfirmed_rates {
                assert!(marked.contains(path), "{name} in {region}: {path}");
            }
        }
    }
}

#[test]
fn the_dearer_regions_make_every_example_dearer() {
    // Frankfurt and Singapore price Fargate, EC2, load balancers, DynamoDB
    // and S3 above N. Virginia, nothing below it (Tokyo's S3 requests
    // are cheaper, so it is not in this list).
    for (name, design) in examples() {
        let us = bill(&design, "us-east-1").total_usd;
        for region in ["eu-central-1", "ap-southeast-1"] {
            let other = bill(&design, region).total_usd;
            assert!(other > us, "{name}: {region} {other} <= us-east-1 {us}");
        }
    }
}
