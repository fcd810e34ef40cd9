//! Ground truth: the engine against exact queueing results. Long runs over
//! ten seeds; the 95% confidence interval of the replications must contain
//! the exact value, computed here independently of the engine.

mod common;

use archsim_model::scenario::TrafficPattern;
use archsim_sim::replicate::Estimate;
use archsim_sim::{RunOptions, simulate};
use common::*;

const SEEDS: std::ops::Range<u64> = 1..11;

fn opts(seed: u64) -> RunOptions {
    RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    }
}

#[test]
fn exact_values_match_the_published_ones() {
    assert!((erlang_b(8.0, 10) - 0.121661).abs() < 1e-6);
    assert!((erlang_b(20.0, 25) - 0.050222).abs() < 1e-6);
    assert!((erlang_c(2.0, 3) - 4.0 / 9.0).abs() < 1e-9);
    assert!((erlang_c(5.0, 6) - 0.587516).abs() < 1e-6);
}

/// M/M/c/c: a Lambda function capped at c with no queue throttles an
/// arriving request exactly when all c environments are busy.
fn lambda_throttle_ratio(rate: f64, mean_s: f64, c: u32, duration_s: f64) {
    let design = capped_lambda(c, mean_s * 1e3);
    let sc = scenario("client", TrafficPattern::Poisson { rps: rate }, duration_s);
    let mut ratios = Vec::new();
    let mut requests = 0;
    for seed in SEEDS {
        let run = simulate(&design, &sc, &opts(seed)).unwrap();
        let f = run.component("fn").unwrap();
        assert!(
            f.cold_starts <= u64::from(c),
            "at most c environments ever exist"
        );
        requests += f.requests;
        ratios.push(f.throttled as f64 / f.requests as f64);
        // Little's law on the function: busy environments = rate x time.
        let throughput = f.served as f64 / run.duration_s;
        let little = throughput * f.mean_service_ms / 1e3;
        assert!(
            (f.mean_concurrency - little).abs() / little < 0.01,
            "Little: {} vs {little}",
            f.mean_concurrency
        );
    }
    let exact = erlang_b(rate * mean_s, c);
    let e = Estimate::of(&ratios);
    assert!(requests >= 1_000_000, "{requests} requests");
    assert!(
        e.contains(exact),
        "throttle ratio {:.6} +- {:.6}, Erlang B {exact:.6}",
        e.mean,
        e.ci95
    );
}

#[test]
fn lambda_concurrency_cap_is_erlang_b_8rps_10() {
    lambda_throttle_ratio(8.0, 1.0, 10, 12_600.0);
}

#[test]
fn lambda_concurrency_cap_is_erlang_b_100rps_25() {
    lambda_throttle_ratio(100.0, 0.2, 25, 1_100.0);
}

/// M/M/c: c single-worker tasks behind one FIFO queue; P(wait), Wq and Lq
/// as the output reports them, after a warm-up.
fn service_wait(rate: f64, mu: f64, c: u32, duration_s: f64) {
    let design = single_worker_service(c, 1e3 / mu, None);
    let sc = scenario("client", TrafficPattern::Poisson { rps: rate }, duration_s);
    let (mut pw, mut wq, mut lq, mut requests) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for seed in SEEDS {
        // Steady state: the queue starts empty, so the first 5% of the
        // run (over a thousand service times) is left out.
        let o = RunOptions {
            warmup_s: duration_s / 20.0,
            ..opts(seed)
        };
        let run = simulate(&design, &sc, &o).unwrap();
        let s = run.component("svc").unwrap();
        // The queue as the output reports it.
        let q = s.queue.as_ref().expect("a service is a waiting point");
        assert_eq!((q.served, q.waited), (s.served, s.waited));
        requests += q.served;
        pw.push(q.p_wait);
        wq.push(q.mean_wait_ms / 1e3);
        lq.push(q.mean_length);
        // Little's law twice: busy workers and the queue.
        let throughput = s.served as f64 / run.duration_s;
        let busy = throughput * s.mean_service_ms / 1e3;
        assert!(
            (s.mean_concurrency - busy).abs() / busy < 0.01,
            "{} vs {busy}",
            s.mean_concurrency
        );
        let queued = throughput * s.mean_wait_ms / 1e3;
        assert!(
            (s.mean_queue_depth - queued).abs() / queued.max(1e-9) < 0.02,
            "{} vs {queued}",
            s.mean_queue_depth
        );
    }
    let a = rate / mu;
    let c_exact = erlang_c(a, c);
    let wq_exact = c_exact / (f64::from(c) * mu - rate);
    // Mean number waiting: Lq = C(c, a) a / (c - a) (= rate x Wq).
    let lq_exact = c_exact * a / (f64::from(c) - a);
    let (pw, wq, lq) = (Estimate::of(&pw), Estimate::of(&wq), Estimate::of(&lq));
    assert!(requests >= 1_000_000, "{requests} requests");
    assert!(
        pw.contains(c_exact),
        "P(wait) {:.6} +- {:.6}, Erlang C {c_exact:.6}",
        pw.mean,
        pw.ci95
    );
    assert!(
        wq.contains(wq_exact),
        "Wq {:.6} +- {:.6}, exact {wq_exact:.6}",
        wq.mean,
        wq.ci95
    );
    assert!(
        lq.contains(lq_exact),
        "Lq {:.6} +- {:.6}, exact {lq_exact:.6}",
        lq.mean,
        lq.ci95
    );
}

#[test]
fn service_queue_is_erlang_c_rate2_mu1_c3() {
    service_wait(2.0, 1.0, 3, 55_000.0);
}

#[test]
fn service_queue_is_erlang_c_rate50_mu10_c6() {
    service_wait(50.0, 10.0, 6, 2_200.0);
}
