//! The rules on Step Functions state machines: a readable definition, Task
//! states that call what the design connects, and Express workflows'
//! limits (AWS Step Functions Developer Guide, "Choosing workflow type":
//! Express runs at most 5 minutes and supports neither `.sync` nor
//! `.waitForTaskToken`).

use super::*;
use crate::component::{
    EXPRESS_MAX_DURATION_S, IntegrationPattern, StateKind, StepFunctionsProps, TaskCall,
    WorkflowType,
};

fn machines(d: &Design) -> impl Iterator<Item = (&Component, &StepFunctionsProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::StepFunctions(s) => Some((c, s)),
        _ => None,
    })
}

pub(super) fn definition_readable(d: &Design, out: &mut Found) {
    for (c, s) in machines(d) {
        if s.definition.is_null() {
            out.push((
                vec![c.id.clone()],
                format!(
                    "{}'s definition was not read (a DefinitionUri file archsim could not open): simulation runs no states and counts no transitions",
                    c.name
                ),
            ));
        }
    }
}

pub(super) fn definition_valid(d: &Design, out: &mut Found) {
    for (c, s) in machines(d).filter(|(_, s)| !s.definition.is_null()) {
        if let Err(e) = s.workflow() {
            out.push((vec![c.id.clone()], format!("{}'s definition: {e}", c.name)));
        }
    }
}

pub(super) fn task_connected(d: &Design, out: &mut Found) {
    for (c, s) in machines(d) {
        let Ok(w) = s.workflow() else { continue };
        for (state, task) in w.tasks() {
            if s.task_call(d, &c.id, task) == TaskCall::NotConnected {
                out.push((
                    vec![c.id.clone()],
                    format!(
                        "{}: Task {state} calls {} ({}), which is not a {} the state machine connects to",
                        c.name,
                        task.target
                            .as_ref()
                            .map(|t| match t {
                                crate::component::TaskTarget::Variable(v) => format!("${{{v}}}"),
                                crate::component::TaskTarget::Name(n) => n.clone(),
                            })
                            .unwrap_or_default(),
                        task.resource,
                        task.service.target_kind().map_or("", |k| k.label()),
                    ),
                ));
            }
        }
    }
}

pub(super) fn express_limits(d: &Design, out: &mut Found) {
    for (c, s) in machines(d).filter(|(_, s)| s.workflow_type == WorkflowType::Express) {
        let Ok(w) = s.workflow() else { continue };
        let waits = w.longest_wait_s();
        if waits > EXPRESS_MAX_DURATION_S {
            out.push((
                vec![c.id.clone()],
                format!(
                    "{} is an Express workflow and waits {waits} s on its longest path; Express executions stop after {EXPRESS_MAX_DURATION_S} s",
                    c.name
                ),
            ));
        }
        for (state, task) in w.tasks() {
            let pattern = match task.pattern {
                IntegrationPattern::RequestResponse => continue,
                IntegrationPattern::Sync => ".sync",
                IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
            };
            out.push((
                vec![c.id.clone()],
                format!(
                    "{}: Task {state} uses {pattern}, which Express workflows do not support",
                    c.name
                ),
            ));
        }
    }
}

pub(super) fn simulation_settings(d: &Design, out: &mut Found) {
    for (c, s) in machines(d) {
        let Ok(w) = s.workflow() else { continue };
        let mut kinds = BTreeMap::new();
        w.visit(&mut |name, state| {
            kinds.insert(name.to_string(), state);
        });
        for (name, weights) in &s.choice_weights {
            let why = match kinds.get(name).map(|st| &st.kind) {
                Some(StateKind::Choice { branches, default }) => {
                    let n = branches.len() + usize::from(default.is_some());
                    if weights.len() != n {
                        Some(format!(
                            "has {n} branches (rules, then Default) but {} weights",
                            weights.len()
                        ))
                    } else if weights.iter().any(|w| !w.is_finite() || *w < 0.0)
                        || weights.iter().sum::<f64>() <= 0.0
                    {
                        Some("needs weights of at least 0 that do not all equal 0".into())
                    } else {
                        None
                    }
                }
                _ => Some("is not a Choice state of the definition".into()),
            };
            if let Some(why) = why {
                out.push((
                    vec![c.id.clone()],
                    format!("{}: choice_weights {name} {why}", c.name),
                ));
            }
        }
        for name in s.map_items.keys() {
            if !matches!(
                kinds.get(name).map(|st| &st.kind),
                Some(StateKind::Map { .. })
            ) {
                out.push((
                    vec![c.id.clone()],
                    format!(
                        "{}: map_items {name} is not a Map state of the definition",
                        c.name
                    ),
                ));
            }
        }
    }
}
