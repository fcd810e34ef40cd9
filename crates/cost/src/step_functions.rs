//! What one Step Functions execution is expected to do, for the scenario
//! estimate: the state transitions it is billed, how long it runs (for
//! Express's duration) and how often it calls each connected component.
//! The walk follows the simulator's reading of the definition (Choice
//! branches by their weights, Map by its items, MaxConcurrency at a time,
//! Parallel joined at its slowest branch) in steady state: no errors, so
//! no retries or catches; a state revisited on one path counts once.

use std::collections::BTreeMap;

use archsim_model::component::{StateKind, StepFunctionsProps, TaskCall, Workflow};
use archsim_model::connection::{ConnectionKind, InvokeMode};
use archsim_model::{Component, Design};

/// One execution's expectation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Expected {
    pub transitions: f64,
    pub duration_ms: f64,
    /// Calls per execution, by component id.
    pub calls: BTreeMap<String, f64>,
}

/// The expectation of an execution of `machine`; `task_ms` is how long a
/// synchronous call to a component takes. An unreadable definition runs
/// no states (as in the simulator).
pub(crate) fn expected(
    design: &Design,
    machine: &Component,
    p: &StepFunctionsProps,
    task_ms: &dyn Fn(&Component) -> f64,
) -> Expected {
    match p.workflow() {
        Ok(w) => walk(
            &w,
            &w.start_at,
            design,
            machine,
            p,
            task_ms,
            &mut Vec::new(),
        ),
        Err(_) => Expected::default(),
    }
}

fn add(into: &mut Expected, from: &Expected, times: f64) {
    into.transitions += from.transitions * times;
    for (id, n) in &from.calls {
        *into.calls.entry(id.clone()).or_default() += n * times;
    }
}

fn walk(
    w: &Workflow,
    name: &str,
    design: &Design,
    machine: &Component,
    p: &StepFunctionsProps,
    task_ms: &dyn Fn(&Component) -> f64,
    path: &mut Vec<String>,
) -> Expected {
    let Some(s) = w.states.get(name) else {
        return Expected::default();
    };
    if path.iter().any(|n| n == name) {
        return Expected::default();
    }
    path.push(name.to_string());
    let mut e = Expected {
        transitions: 1.0,
        ..Expected::default()
    };
    let rest = |next: &str, e: &mut Expected, weight: f64, path: &mut Vec<String>| {
        let after = walk(w, next, design, machine, p, task_ms, path);
        add(e, &after, weight);
        e.duration_ms += after.duration_ms * weight;
    };
    match &s.kind {
        StateKind::Task(t) => match p.task_call(design, &machine.id, t) {
            TaskCall::Component(c, conn) => {
                *e.calls.entry(c.id.clone()).or_default() += 1.0;
                e.duration_ms += match &conn.kind {
                    ConnectionKind::Invoke {
                        mode: InvokeMode::Async,
                    }
                    | ConnectionKind::Publishes => 0.0,
                    ConnectionKind::Invoke {
                        mode: InvokeMode::Sync,
                    }
                    | ConnectionKind::Uses { .. } => task_ms(c),
                    _ => p.other_task_ms,
                };
            }
            TaskCall::Unmodelled | TaskCall::Unnamed | TaskCall::NotConnected => {
                e.duration_ms += p.other_task_ms;
            }
        },
        StateKind::Wait { seconds } => e.duration_ms += seconds * 1000.0,
        StateKind::Parallel { branches } => {
            let mut slowest: f64 = 0.0;
            for b in branches {
                let x = walk(b, &b.start_at, design, machine, p, task_ms, &mut Vec::new());
                slowest = slowest.max(x.duration_ms);
                add(&mut e, &x, 1.0);
            }
            e.duration_ms += slowest;
        }
        StateKind::Map {
            iterator,
            max_concurrency,
        } => {
            let items = f64::from(
                p.map_items
                    .get(name)
                    .copied()
                    .unwrap_or(p.default_map_items),
            );
            let x = walk(
                iterator,
                &iterator.start_at,
                design,
                machine,
                p,
                task_ms,
                &mut Vec::new(),
            );
            add(&mut e, &x, items);
            let rounds = if *max_concurrency == 0 || items == 0.0 {
                items.min(1.0)
            } else {
                (items / f64::from(*max_concurrency)).ceil()
            };
            e.duration_ms += rounds * x.duration_ms;
        }
        StateKind::Choice { branches, default } => {
            let nexts: Vec<&String> = branches.iter().chain(default.iter()).collect();
            let weights = p
                .choice_weights
                .get(name)
                .filter(|ws| ws.len() == nexts.len() && ws.iter().sum::<f64>() > 0.0)
                .cloned()
                .unwrap_or_else(|| vec![1.0; nexts.len()]);
            let total: f64 = weights.iter().map(|x| x.max(0.0)).sum();
            for (next, weight) in nexts.iter().zip(&weights) {
                rest(next, &mut e, weight.max(0.0) / total, path);
            }
            path.pop();
            return e;
        }
        StateKind::Pass | StateKind::Succeed | StateKind::Fail => {}
    }
    if let Some(next) = &s.next {
        rest(next, &mut e, 1.0, path);
    }
    path.pop();
    e
}
