//! Scheduled EventBridge rules on the run's clock: a cron rule fires at
//! exactly its UTC times from the scenario's start, a rate rule every
//! period; the fires are the same whatever the seed.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::{Design, Scenario};
use archsim_sim::{RunOptions, SimError, Simulation, simulate};
use common::*;

fn scheduled(expression: &str) -> Design {
    Build::new()
        .add(
            "nightly",
            Props::EventBridgeRule(EventBridgeRuleProps {
                schedule: expression.into(),
                ..Default::default()
            }),
        )
        .add("job", Props::LambdaFunction(LambdaProps::default()))
        .link_as("nightly", "job", Meaning::InvokeAsync)
        .design()
}

fn quiet(start: Option<&str>, duration_s: f64, seed: u64) -> Scenario {
    Scenario {
        name: "clock".into(),
        start: start.map(str::to_string),
        description: String::new(),
        duration_s,
        seed,
        traffic: Vec::new(),
        events: Vec::new(),
    }
}

fn options() -> RunOptions {
    RunOptions::default()
}

/// The seconds at which the rule fired, read from the live run: each
/// whole minute's count is taken half a second before and at the minute,
/// so a fire is placed at its exact second (cron fires on whole minutes)
/// and any fire between minutes fails the test.
fn fire_seconds(design: &Design, scenario: &Scenario) -> Vec<u64> {
    let mut sim = Simulation::new(design, scenario, &options()).unwrap();
    let fired = |sim: &Simulation| {
        sim.frame()
            .components
            .iter()
            .find(|c| c.id == "nightly")
            .unwrap()
            .requests
    };
    let mut out = Vec::new();
    let mut seen = 0;
    let minutes = (scenario.duration_s / 60.0).ceil() as u64;
    for m in 0..=minutes {
        let at = (m * 60) as f64;
        if m > 0 {
            sim.run_until(at - 0.5);
            assert_eq!(fired(&sim), seen, "a fire between minutes, before {at} s");
        }
        sim.run_until(at);
        let now = fired(&sim);
        for _ in seen..now {
            out.push(m * 60);
        }
        seen = now;
    }
    sim.run_until(scenario.duration_s);
    assert_eq!(fired(&sim), seen);
    out
}

#[test]
fn every_quarter_hour_over_two_hours_from_midnight() {
    let sc = quiet(None, 7200.0, 1);
    let got = fire_seconds(&scheduled("cron(0/15 * * * ? *)"), &sc);
    assert_eq!(got, (0..8).map(|k| k * 900).collect::<Vec<_>>());
    // The batch run counts the same fires, each handed to the function.
    let run = simulate(&scheduled("cron(0/15 * * * ? *)"), &sc, &options()).unwrap();
    assert_eq!(run.component("nightly").unwrap().requests, 8);
    assert_eq!(run.component("job").unwrap().requests, 8);
}

#[test]
fn weekdays_at_noon_and_six_over_a_week_from_monday() {
    // The default start is Monday 2026-01-05 00:00 UTC.
    let sc = quiet(None, 7.0 * 86_400.0, 1);
    let got = fire_seconds(&scheduled("cron(0 12,18 ? * MON-FRI *)"), &sc);
    let want: Vec<u64> = (0..5)
        .flat_map(|d| [12, 18].map(|h| d * 86_400 + h * 3600))
        .collect();
    assert_eq!(got, want);
    // From Saturday: the weekend is skipped, Monday noon is 48 h + 12 h in.
    let sc = quiet(Some("2026-01-03T00:00:00Z"), 3.0 * 86_400.0, 1);
    let got = fire_seconds(&scheduled("cron(0 12,18 ? * MON-FRI *)"), &sc);
    assert_eq!(got, [60 * 3600, 66 * 3600]);
}

#[test]
fn the_second_tuesday_and_the_last_friday() {
    // From Thursday 2026-01-01 for 59 days: Tuesday 13 January, Tuesday
    // 10 February; Friday 30 January, Friday 27 February.
    let sc = quiet(Some("2026-01-01T00:00:00Z"), 59.0 * 86_400.0, 1);
    let day = |d: u64, h: u64| (d - 1) * 86_400 + h * 3600;
    let run = |e: &str| {
        let run = simulate(&scheduled(e), &sc, &options()).unwrap();
        let arrivals = &run.component("nightly").unwrap().series.arrivals;
        assert_eq!(
            arrivals.iter().map(|&a| u64::from(a)).sum::<u64>(),
            2,
            "{e}"
        );
        run.component("nightly").unwrap().requests
    };
    assert_eq!(run("cron(0 9 ? * 3#2 *)"), 2);
    assert_eq!(run("cron(0 9 ? * 6L *)"), 2);
    // Exact seconds, over the first 20 days (13 January only).
    let sc = quiet(Some("2026-01-01T00:00:00Z"), 20.0 * 86_400.0, 1);
    assert_eq!(
        fire_seconds(&scheduled("cron(0 9 ? * 3#2 *)"), &sc),
        [day(13, 9)]
    );
}

#[test]
fn a_run_started_mid_interval_fires_at_the_next_quarter_hour() {
    let sc = quiet(Some("2026-01-05T00:07:30Z"), 3600.0, 1);
    // 00:15, 00:30, 00:45, 01:00 are 450, 1350, 2250 and 3150 s in; the
    // fires fall half a minute past the run's whole minutes.
    let mut sim = Simulation::new(&scheduled("cron(0/15 * * * ? *)"), &sc, &options()).unwrap();
    let mut fired_at = Vec::new();
    let mut seen = 0;
    for s in 0..=3600u64 {
        sim.run_until(s as f64);
        let now = sim
            .frame()
            .components
            .iter()
            .find(|c| c.id == "nightly")
            .unwrap()
            .requests;
        if now > seen {
            fired_at.push(s);
            seen = now;
        }
    }
    assert_eq!(fired_at, [450, 1350, 2250, 3150]);
}

#[test]
fn an_offset_start_is_converted_to_utc() {
    // 02:00 at +02:00 is midnight UTC: the noon fire is 12 h in.
    let sc = quiet(Some("2026-01-05T02:00:00+02:00"), 86_400.0, 1);
    assert_eq!(
        fire_seconds(&scheduled("cron(0 12 * * ? *)"), &sc),
        [12 * 3600]
    );
}

#[test]
fn fires_are_the_same_for_every_seed_and_runs_repeat_per_seed() {
    let design = scheduled("cron(0/5 8-9 ? * MON-FRI *)");
    let run =
        |seed: u64| simulate(&design, &quiet(None, 2.0 * 86_400.0, seed), &options()).unwrap();
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a, b);
    let arrivals = |r: &archsim_sim::Run| r.component("nightly").unwrap().series.arrivals.clone();
    assert_eq!(arrivals(&a), arrivals(&c));
    assert_eq!(a.component("nightly").unwrap().requests, 2 * 24);
    // The function's latencies come from the seed.
    assert_ne!(
        a.component("job").unwrap().latency_ms,
        c.component("job").unwrap().latency_ms
    );
}

#[test]
fn rate_rules_fire_a_period_apart_from_the_start() {
    let sc = quiet(None, 7200.0, 1);
    let got = fire_seconds(&scheduled("rate(15 minutes)"), &sc);
    assert_eq!(got, (1..=8).map(|k| k * 900).collect::<Vec<_>>());
}

#[test]
fn a_bad_start_is_refused_naming_the_field() {
    let sc = quiet(Some("next monday"), 60.0, 1);
    let err = match simulate(&scheduled("cron(0 12 * * ? *)"), &sc, &options()) {
        Err(SimError::BadScenario(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(err.contains("start") && err.contains("RFC 3339"), "{err}");
    // Validation says the same, by field.
    let mut design = scheduled("cron(0 12 * * ? *)");
    design.scenarios.push(sc);
    let problems = archsim_model::validate(&design);
    assert!(
        problems.iter().any(|p| p
            .message
            .contains("start: `next monday` is not an RFC 3339")),
        "{problems:?}"
    );
}
