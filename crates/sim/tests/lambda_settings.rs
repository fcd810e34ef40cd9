//! A function's what-if settings: its cold start as a distribution of
//! init durations, and its scaling rate.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, simulate};
use common::*;

/// Client -> function whose handler takes no time: its latency is its
/// init time. Requests 100 s apart and environments reclaimed after 60 s
/// make every request a cold start.
fn always_cold(cold_start: Option<Distribution>, init_ms: Option<f64>) -> archsim_model::Design {
    let mut d = Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "fn",
            Props::LambdaFunction(LambdaProps {
                memory_mb: 1024,
                timeout_s: 900,
                init_ms,
                cold_start,
                work: Work {
                    duration: Distribution::Constant { ms: 0.0 },
                    cpu_share: 0.0,
                },
                ..Default::default()
            }),
        )
        .link_as("client", "fn", Meaning::InvokeSync)
        .design();
    d.account.lambda_idle_expiry_s = 60;
    d
}

/// 20,000 cold starts.
fn cold_run(cold_start: Option<Distribution>, init_ms: Option<f64>) -> archsim_sim::Run {
    let design = always_cold(cold_start, init_ms);
    let sc = scenario(
        "client",
        TrafficPattern::Constant { rps: 0.01 },
        2_000_000.0,
    );
    simulate(&design, &sc, &RunOptions::default()).unwrap()
}

fn close(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got / want - 1.0).abs() <= tolerance,
        "{what}: {got} against {want} (tolerance {tolerance})"
    );
}

#[test]
fn cold_start_latency_follows_an_exponential_init() {
    let run = cold_run(Some(Distribution::Exponential { mean_ms: 200.0 }), None);
    let f = run.component("fn").unwrap();
    assert_eq!(f.cold_starts, 20_000);
    assert_eq!(f.cold_starts, f.requests);
    // Mean 200 ms (standard error 1.4 ms); median 200 ln 2, p99 200 ln 100.
    close("mean", f.latency_ms.mean, 200.0, 0.03);
    close("p50", f.latency_ms.p50, 200.0 * 2f64.ln(), 0.04);
    close("p99", f.latency_ms.p99, 200.0 * 100f64.ln(), 0.06);
}

#[test]
fn cold_start_latency_follows_a_lognormal_fitted_to_mean_and_p99() {
    let run = cold_run(
        Some(Distribution::Lognormal {
            mean_ms: 300.0,
            p99_ms: 1_200.0,
        }),
        None,
    );
    let f = run.component("fn").unwrap();
    assert_eq!(f.cold_starts, 20_000);
    close("mean", f.latency_ms.mean, 300.0, 0.03);
    close("p99", f.latency_ms.p99, 1_200.0, 0.06);
}

#[test]
fn cold_start_latency_draws_measured_init_durations_uniformly() {
    let samples = vec![100.0, 200.0, 600.0];
    let run = cold_run(
        Some(Distribution::Empirical {
            samples_ms: samples,
        }),
        None,
    );
    let f = run.component("fn").unwrap();
    // Each measured duration a third of the time: mean 300 ms (standard
    // error 1.6 ms), median 200, the largest 600.
    close("mean", f.latency_ms.mean, 300.0, 0.02);
    close("p50", f.latency_ms.p50, 200.0, 0.01);
    close("max", f.latency_ms.max, 600.0, 0.01);
    close("p90", f.latency_ms.p90, 600.0, 0.01);
}

#[test]
fn the_bill_follows_the_drawn_init_durations() {
    // Init is billed in 1 ms steps: each cold request bills its init
    // rounded up, at 1 GB.
    let constant = cold_run(None, Some(150.0));
    let drawn = cold_run(
        Some(Distribution::Empirical {
            samples_ms: vec![100.0, 200.0, 600.0],
        }),
        None,
    );
    let gb_s = |run: &archsim_sim::Run| run.usage.lambda["fn"].gb_seconds;
    assert!(
        (gb_s(&constant) - 20_000.0 * 0.150).abs() < 1e-6,
        "{}",
        gb_s(&constant)
    );
    let f = drawn.component("fn").unwrap();
    // The mean of the latency histogram is exact to its precision: the
    // bill is the same draws' sum.
    close(
        "billed",
        gb_s(&drawn),
        20_000.0 * f.latency_ms.mean / 1e3,
        0.005,
    );
    close(
        "billed against the measured mean",
        gb_s(&drawn),
        20_000.0 * 0.300,
        0.02,
    );
}

/// Client -> function.
fn function(props: LambdaProps) -> archsim_model::Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add("fn", Props::LambdaFunction(props))
        .link_as("client", "fn", Meaning::InvokeSync)
        .design()
}

fn exponential_work(init_ms: Option<f64>, cold_start: Option<Distribution>) -> LambdaProps {
    LambdaProps {
        memory_mb: 1769,
        timeout_s: 900,
        init_ms,
        cold_start,
        work: Work {
            duration: Distribution::Exponential { mean_ms: 100.0 },
            cpu_share: 0.0,
        },
        ..Default::default()
    }
}

#[test]
fn a_constant_distribution_is_todays_init_ms_draw_for_draw() {
    // A constant draws nothing, so every other draw stays as it was.
    let sc = scenario("client", TrafficPattern::Poisson { rps: 200.0 }, 300.0);
    let init_ms = simulate(
        &function(exponential_work(Some(180.0), None)),
        &sc,
        &RunOptions::default(),
    )
    .unwrap();
    let constant = simulate(
        &function(exponential_work(
            None,
            Some(Distribution::Constant { ms: 180.0 }),
        )),
        &sc,
        &RunOptions::default(),
    )
    .unwrap();
    assert!(init_ms.component("fn").unwrap().cold_starts > 20);
    assert_eq!(init_ms.components, constant.components);
    assert_eq!(init_ms.usage, constant.usage);
}

#[test]
fn the_default_scaling_rate_is_awss_documented_1000_per_10_seconds() {
    assert_eq!(LambdaProps::default().scaling_rate_per_10s(), 1_000);
    assert_eq!(LAMBDA_SCALING_RATE_PER_10S, 1_000);
}

#[test]
fn a_burst_is_throttled_at_exactly_the_functions_scaling_rate() {
    // 200 rps of 60 s work, far more than the function may add: 50
    // environments at once, then 5 a second (a bucket of 50 refilled over
    // 10 s); every arrival finds every environment busy.
    let design = function(LambdaProps {
        memory_mb: 1769,
        timeout_s: 900,
        scaling_rate_per_10s: Some(50),
        work: Work {
            duration: Distribution::Constant { ms: 60_000.0 },
            cpu_share: 0.0,
        },
        ..Default::default()
    });
    let sc = scenario("client", TrafficPattern::Constant { rps: 200.0 }, 40.0);
    let run = simulate(&design, &sc, &RunOptions::default()).unwrap();
    let f = run.component("fn").unwrap();
    let mut total = 0;
    let mut by_second = Vec::new();
    for &c in &f.series.cold_starts {
        total += c;
        by_second.push(total);
    }
    // Arrivals every 5 ms: the last of second s, at s + 0.995 s, has had
    // 50 + floor(5 (s + 0.995)) = 54 + 5 s tokens.
    let want: Vec<u32> = (0..40).map(|s| 54 + 5 * s).collect();
    assert_eq!(by_second, want);
    assert_eq!(f.throttled, f.requests - f.cold_starts);
}
