//! The scenario estimate and the simulated bill agree: on a steady Poisson
//! version of every example's scenario, each line item of the two bills is
//! within 5%, or the simulated bill says why it differs (cold starts,
//! scaling, throttles, empty receives), naming the component.

use std::collections::BTreeMap;
use std::path::Path;

use archsim_cost::design_cost::{monthly_bill, scenario_usage, simulated_usage};
use archsim_cost::estimate::mean_rate;
use archsim_cost::{Assumptions, CostReport, PriceBook};
use archsim_model::Design;
use archsim_model::scenario::TrafficPattern;
use archsim_sim::RunOptions;

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

/// The example with its first scenario's traffic made steady: Poisson at
/// each profile's mean rate, no scheduled events, half an hour.
fn steady(design: &Design) -> Design {
    let mut d = design.clone();
    let mut s = d.scenarios[0].clone();
    for t in &mut s.traffic {
        let rps = mean_rate(&t.pattern, s.duration_s).expect("not a trace");
        t.pattern = TrafficPattern::Poisson { rps };
    }
    s.events.clear();
    s.duration_s = 1800.0;
    d.scenarios = vec![s];
    d
}

/// Amount per (component, line) of a bill, tiers kept apart; the part of a
/// description after ':' (quantities) is dropped.
fn lines(bill: &CostReport) -> BTreeMap<(String, String), f64> {
    let mut out = BTreeMap::new();
    for l in &bill.line_items {
        let what = l
            .description
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string();
        *out.entry((l.component_id.clone(), what)).or_default() +=
            l.amount_usd.to_string().parse::<f64>().unwrap();
    }
    out
}

#[test]
fn estimate_and_simulation_agree_within_5_percent_or_say_why() {
    let assumptions = Assumptions::default();
    for (name, example) in examples() {
        let design = steady(&example);
        let book = PriceBook::embedded(&design.region).unwrap();
        let estimate = scenario_usage(&design, None, &assumptions).unwrap();
        let (measured, _) =
            simulated_usage(&design, None, &RunOptions::default(), &assumptions).unwrap();
        let (e, s) = (
            lines(&monthly_bill(&book, &estimate, &assumptions).unwrap()),
            lines(&monthly_bill(&book, &measured, &assumptions).unwrap()),
        );
        let mut keys: Vec<_> = e.keys().chain(s.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        let mut explained = 0;
        for key in keys {
            let (a, b) = (
                e.get(&key).copied().unwrap_or(0.0),
                s.get(&key).copied().unwrap_or(0.0),
            );
            // Below 5 cents, rounding to the cent decides.
            if a.max(b) < 0.05 || (a - b).abs() <= 0.05 * a.max(b) {
                continue;
            }
            let component = key.0.split('@').next().unwrap();
            let why = measured
                .notes
                .iter()
                .find(|n| n.starts_with(&format!("{component}: ")));
            assert!(
                why.is_some(),
                "{name}: {key:?} estimate ${a:.2}, simulated ${b:.2}, and the simulated bill does not say why:\n{:#?}",
                measured.notes
            );
            explained += 1;
        }
        eprintln!("{name}: the bills agree within 5% but for {explained} lines the run explains");
    }
}
