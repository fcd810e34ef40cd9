//! Replications: one scenario run over several seeds, with means and 95%
//! confidence intervals (Student t, n - 1 degrees of freedom).

use std::collections::BTreeMap;

use archsim_model::{Design, Scenario};
use serde::Serialize;

use rayon::prelude::*;

use crate::{Run, RunOptions, SimError, prepare};

/// A mean over replications with the half-width of its 95% confidence
/// interval (0 with a single replication).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub ci95: f64,
}

impl Estimate {
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate { mean, ci95: 0.0 };
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        Estimate {
            mean,
            ci95: t975(n - 1) * (var / n as f64).sqrt(),
        }
    }

    pub fn contains(&self, v: f64) -> bool {
        (v - self.mean).abs() <= self.ci95
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        // Cornish-Fisher expansion around the normal quantile.
        _ => {
            let z: f64 = 1.959_964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Per-component estimates over replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentEstimates {
    pub id: String,
    pub kind: String,
    /// `requests`, `completed`, `errors`, `throttled`, `cold_starts`,
    /// `mean_concurrency`, `max_concurrency`, `p50_ms`, `p90_ms`, `p99_ms`,
    /// `max_ms`, `mean_tasks`, `max_tasks`, `scale_events`,
    /// `mean_instances`, `max_instances`, `mean_wait_ms`; functions add their
    /// environments', DynamoDB tables `read_units_per_s`,
    /// `write_units_per_s`, `throttled_attempts` and `retries`, waiting
    /// points (functions, services, queues) `served`, `waited`, `p_wait`,
    /// `mean_queue_length` and `max_queue_length`.
    pub metrics: BTreeMap<String, Estimate>,
}

/// The runs of one scenario over several seeds: per-component estimates,
/// and the first seed's whole run (its series, traces, placements and
/// usage). The other runs are reduced to their metrics as they finish, so
/// memory does not grow with the number of seeds but by a few numbers each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replications {
    pub seeds: Vec<u64>,
    pub components: Vec<ComponentEstimates>,
    /// Events the engine processed, over every run.
    pub events: u64,
    #[serde(skip)]
    pub first: Run,
}

/// The metrics summarised per component, in a stable order.
pub fn metrics_of(c: &crate::ComponentStats) -> Vec<(&'static str, f64)> {
    let mut metrics = vec![
        ("requests", c.requests as f64),
        ("completed", c.completed as f64),
        ("errors", c.errors as f64),
        ("throttled", c.throttled as f64),
        ("cold_starts", c.cold_starts as f64),
        ("mean_concurrency", c.mean_concurrency),
        ("max_concurrency", c.max_concurrency as f64),
        ("p50_ms", c.latency_ms.p50),
        ("p90_ms", c.latency_ms.p90),
        ("p99_ms", c.latency_ms.p99),
        ("max_ms", c.latency_ms.max),
        ("mean_wait_ms", c.mean_wait_ms),
        ("mean_tasks", c.mean_tasks),
        ("max_tasks", c.max_tasks as f64),
        ("scale_events", c.scale_events as f64),
        ("mean_instances", c.mean_instances),
        ("max_instances", c.max_instances as f64),
    ];
    if let Some(e) = &c.environments {
        metrics.extend([
            ("mean_environments", e.mean_alive),
            ("mean_busy_environments", e.mean_busy),
            ("mean_idle_environments", e.mean_idle),
            ("mean_environment_lifetime_s", e.mean_lifetime_s),
            ("cold_start_share", e.cold_start_share),
        ]);
    }
    if let Some(t) = &c.table {
        metrics.extend([
            ("read_units_per_s", t.mean_read_units_per_s),
            ("write_units_per_s", t.mean_write_units_per_s),
            ("throttled_attempts", t.throttled_attempts as f64),
            ("retries", t.retries as f64),
        ]);
    }
    if let Some(q) = &c.queue {
        metrics.extend([
            ("served", q.served as f64),
            ("waited", q.waited as f64),
            ("p_wait", q.p_wait),
            ("mean_queue_length", q.mean_length),
            ("max_queue_length", q.max_length as f64),
        ]);
    }
    metrics
}

/// One run reduced to what replications keep: each component's metrics.
struct Reduced {
    metrics: Vec<Vec<f64>>,
    events: u64,
}

fn reduce(run: &Run) -> Reduced {
    Reduced {
        metrics: run
            .components
            .iter()
            .map(|c| metrics_of(c).into_iter().map(|(_, v)| v).collect())
            .collect(),
        events: run.events,
    }
}

/// Runs `scenario` once per seed, in parallel on rayon's pool (every core
/// unless `RAYON_NUM_THREADS` says otherwise). Each run is reduced to its
/// metrics as soon as it ends (the first seed's is kept whole), and the
/// estimates are made in seed order, so the result is the same however
/// many threads ran it. `progress` is told of each simulated minute (in
/// seconds simulated), from whichever thread ran it.
pub fn replicate(
    design: &Design,
    scenario: &Scenario,
    opts: &RunOptions,
    seeds: &[u64],
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Replications, SimError> {
    let one = |seed: u64, series: bool| -> Result<Run, SimError> {
        let o = RunOptions {
            seed: Some(seed),
            series: series && opts.series,
            ..opts.clone()
        };
        let mut sim = prepare(design, scenario, &o)?;
        let end = sim.duration_s();
        let mut t = 0.0;
        while t < end {
            let next = (t + 60.0).min(end);
            sim.run_until(next);
            progress(next - t);
            t = next;
        }
        Ok(sim.into_run())
    };
    let Some((&head, rest)) = seeds.split_first() else {
        return Err(SimError::BadScenario("no seed to run".into()));
    };
    let (first, others) = rayon::join(
        || one(head, true),
        || {
            rest.par_iter()
                .map(|&seed| one(seed, false).map(|run| reduce(&run)))
                .collect::<Result<Vec<_>, _>>()
        },
    );
    let first = first?;
    let mut reduced = vec![reduce(&first)];
    reduced.extend(others?);
    Ok(estimate(seeds.to_vec(), first, &reduced))
}

/// Means and confidence intervals of runs of one design (all kept, as a
/// caller that already has them holds them).
pub fn summarise(seeds: Vec<u64>, runs: Vec<Run>) -> Replications {
    let reduced: Vec<Reduced> = runs.iter().map(reduce).collect();
    let first = runs.into_iter().next().expect("at least one run");
    estimate(seeds, first, &reduced)
}

fn estimate(seeds: Vec<u64>, first: Run, runs: &[Reduced]) -> Replications {
    let mut components = Vec::new();
    for (i, c) in first.components.iter().enumerate() {
        let mut metrics = BTreeMap::new();
        for (k, (name, _)) in metrics_of(c).into_iter().enumerate() {
            let values: Vec<f64> = runs.iter().map(|r| r.metrics[i][k]).collect();
            metrics.insert(name.to_string(), Estimate::of(&values));
        }
        components.push(ComponentEstimates {
            id: c.id.clone(),
            kind: c.kind.clone(),
            metrics,
        });
    }
    Replications {
        seeds,
        components,
        events: runs.iter().map(|r| r.events).sum(),
        first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_interval() {
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        // s = 1, n = 3: 4.303 / sqrt(3)
        assert!((e.ci95 - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert!((t975(1000) - 1.962).abs() < 0.002);
        assert!(t975(31) < t975(30) && t975(31) > 1.96);
    }
}
