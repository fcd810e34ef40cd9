//! The rules on EventBridge custom buses and Pipes: a pipe reads one
//! source and delivers to one target (with at most one enrichment), its
//! stream settings apply to streams, a bus with rules has producers, and
//! a rule's schedule is one EventBridge reads.

use super::*;

/// A pipe's target connections: every outgoing one but its enrichment
/// (`Uses`) and its source's dead-letter queue.
fn pipe_targets<'a>(d: &'a Design, pipe: &str) -> Vec<&'a Component> {
    d.outgoing(pipe)
        .into_iter()
        .filter(|(c, _)| !matches!(c.kind.meaning(), Meaning::Uses | Meaning::DeadLetter))
        .map(|(_, t)| t)
        .collect()
}

fn pipes(d: &Design) -> impl Iterator<Item = (&Component, &crate::component::PipeProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::EventBridgePipe(p) => Some((c, p)),
        _ => None,
    })
}

pub(super) fn pipe_source(d: &Design, out: &mut Found) {
    for (c, _) in pipes(d) {
        if sources(d, &c.id, Meaning::Poll).is_empty() {
            out.push((ids(&[&c.id]), format!("{} has no source to poll", c.name)));
        }
    }
}

pub(super) fn pipe_target(d: &Design, out: &mut Found) {
    for (c, _) in pipes(d) {
        if pipe_targets(d, &c.id).is_empty() {
            out.push((ids(&[&c.id]), format!("{} has no target", c.name)));
        }
    }
}

pub(super) fn pipe_one_each(d: &Design, out: &mut Found) {
    for (c, _) in pipes(d) {
        let counted = [
            ("sources", sources(d, &c.id, Meaning::Poll)),
            ("targets", pipe_targets(d, &c.id)),
            ("enrichments", targets(d, &c.id, Meaning::Uses)),
        ];
        for (what, found) in counted {
            if found.len() > 1 {
                let mut involved = vec![c.id.clone()];
                involved.extend(found.iter().map(|f| f.id.clone()));
                out.push((
                    involved,
                    format!(
                        "{} has {} {what} ({}); a pipe has one",
                        c.name,
                        found.len(),
                        found
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
}

/// `MaximumRetryAttempts` is a stream source's parameter; a queue's
/// messages are retried by their visibility timeout and redrive policy.
pub(super) fn pipe_retry_on_queue(d: &Design, out: &mut Found) {
    for (c, p) in pipes(d) {
        if p.max_retry_attempts.is_none() {
            continue;
        }
        for s in sources(d, &c.id, Meaning::Poll) {
            if s.kind() == K::SqsQueue {
                out.push((
                    ids(&[&c.id, &s.id]),
                    format!(
                        "{} sets a maximum of retries, but its source {} is a queue",
                        c.name, s.name
                    ),
                ));
            }
        }
    }
}

pub(super) fn bus_without_producer(d: &Design, out: &mut Found) {
    for c in d.components().filter(|c| c.kind() == K::EventBus) {
        let rules = targets(d, &c.id, Meaning::Publishes);
        if !rules.is_empty() && sources(d, &c.id, Meaning::Publishes).is_empty() {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} has {} rule(s) but nothing in the design puts events on it",
                    c.name,
                    rules.len()
                ),
            ));
        }
    }
}

/// Pipes scale their pollers themselves: an SQS source's maximum
/// concurrency is an event source mapping's setting, not a pipe's.
pub(super) fn pipe_source_concurrency(d: &Design, out: &mut Found) {
    for (c, _) in pipes(d) {
        for (conn, s) in d.incoming(&c.id) {
            if let ConnectionKind::Poll {
                max_concurrency: Some(n),
                ..
            } = conn.kind
            {
                out.push((
                    ids(&[&c.id, &s.id]),
                    format!(
                        "{} reads {} with a maximum concurrency of {n}, which pipes do not have",
                        c.name, s.name
                    ),
                ));
            }
        }
    }
}

/// A rule's schedule is one EventBridge reads (the simulator fires it and
/// the bill counts it from the same parse).
pub(super) fn schedule_invalid(d: &Design, out: &mut Found) {
    for c in d.components() {
        let Props::EventBridgeRule(r) = &c.props else {
            continue;
        };
        if r.schedule.trim().is_empty() {
            continue;
        }
        if let Err(m) = crate::schedule::Schedule::parse(&r.schedule) {
            out.push((ids(&[&c.id]), format!("{}: {m}", c.name)));
        }
    }
}

/// Schedules run on the default bus only.
pub(super) fn schedule_on_custom_bus(d: &Design, out: &mut Found) {
    for c in d.components() {
        let Props::EventBridgeRule(r) = &c.props else {
            continue;
        };
        if !r.event_pattern.is_empty() || r.schedule.is_empty() {
            continue;
        }
        for bus in sources(d, &c.id, Meaning::Publishes)
            .into_iter()
            .filter(|b| b.kind() == K::EventBus)
        {
            out.push((
                ids(&[&c.id, &bus.id]),
                format!(
                    "{} is a schedule ({}) on the custom bus {}",
                    c.name, r.schedule, bus.name
                ),
            ));
        }
    }
}

/// Whether a rule receives a bucket's events in AWS: S3 puts them on the
/// default bus with source `aws.s3` (S3 User Guide, "Using EventBridge"),
/// so the rule must be on the default bus (no custom bus feeds it) with a
/// pattern matching that source.
pub fn rule_receives_s3_events(d: &Design, rule: &Component) -> bool {
    let Props::EventBridgeRule(r) = &rule.props else {
        return false;
    };
    (r.event_bus.is_empty() || r.event_bus == "default")
        && !d
            .incoming(&rule.id)
            .iter()
            .any(|(_, from)| from.kind() == K::EventBus)
        && r.matches_source("aws.s3")
}

/// A bucket publishing to a rule that cannot receive its events: AWS
/// delivers nothing, while the simulator does not read patterns and
/// delivers every event.
pub(super) fn s3_to_unmatched_rule(d: &Design, out: &mut Found) {
    for c in d.components_of(K::S3Bucket) {
        for (conn, rule) in d.outgoing(&c.id) {
            if rule.kind() != K::EventBridgeRule
                || conn.kind.meaning() != Meaning::Publishes
                || rule_receives_s3_events(d, rule)
            {
                continue;
            }
            out.push((
                ids(&[&c.id, &rule.id]),
                format!(
                    "{} sends its events to {}, which does not match S3's events (source aws.s3 on the default bus): in AWS it would receive none; the simulation delivers them",
                    c.name, rule.name
                ),
            ));
        }
    }
}
