//! Runs a starter design's first scenario and prints what each component
//! saw. `cargo run -p archsim-sim --example starter -- serverless-api`
use archsim_model::starters::starter;
use archsim_sim::{RunOptions, find_scenario, simulate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serverless-api".into());
    let design = starter(&name).ok_or("no such starter")?.build()?;
    let scenario = find_scenario(&design, None)?;
    let t = std::time::Instant::now();
    let run = simulate(&design, scenario, &RunOptions::default())?;
    println!(
        "{} / {}: {} events in {:.2?}",
        run.design,
        run.scenario,
        run.events,
        t.elapsed()
    );
    for c in &run.components {
        if c.requests == 0 && c.mean_tasks == 0.0 && c.mean_instances == 0.0 {
            continue;
        }
        println!(
            "{:<16} req {:>8} ok {:>8} err {:>6} thr {:>6} cold {:>5} conc {:>7.2}/{:<4} p50 {:>8.1} p99 {:>8.1} tasks {:>5.2}/{} inst {:.2} scale {}",
            c.id,
            c.requests,
            c.completed,
            c.errors,
            c.throttled,
            c.cold_starts,
            c.mean_concurrency,
            c.max_concurrency,
            c.latency_ms.p50,
            c.latency_ms.p99,
            c.mean_tasks,
            c.max_tasks,
            c.mean_instances,
            c.scale_events
        );
    }
    for d in &run.scale_decisions {
        println!(
            "  {:>7.0}s {} {} -> {}: {}",
            d.at_s, d.component, d.from, d.to, d.reason
        );
    }
    Ok(())
}
