//! EventBridge custom buses and Pipes, priced from the events reaching
//! them: a bus's custom events and its archive; a pipe's requests after
//! filtering. A rule on a custom bus bills nothing itself: its events
//! were billed when they were put on the bus; nor does a rule on the
//! default bus fed only by AWS services (an S3 bucket's notifications):
//! their events are free.

use archsim_model::component::{EventBusProps, PipeProps};
use archsim_model::connection::ConnectionKind;
use archsim_model::{Component, ComponentKind as K, Design};

use crate::rated::Traffic;
use crate::usage::EventBridgeUsage;

const KB_PER_GB: f64 = 1024.0 * 1024.0;
const DAYS_PER_MONTH: f64 = 730.0 / 24.0;

/// Whether every producer of a rule is an AWS service (an S3 bucket's
/// EventBridge notifications): their events are free.
pub(crate) fn only_aws_service_events(design: &Design, rule: &Component) -> bool {
    let producers: Vec<_> = design
        .incoming(&rule.id)
        .into_iter()
        .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Publishes))
        .collect();
    !producers.is_empty() && producers.iter().all(|(_, p)| p.kind() == K::S3Bucket)
}

/// A bus's month: its custom events, and what its archive processes and
/// stores. An archive kept indefinitely (retention 0) is priced with the
/// month's events stored: it grows by as much every month.
pub(crate) fn bus_usage(p: &EventBusProps, t: Traffic) -> EventBridgeUsage {
    let month = t.rps * t.month_s;
    let gb = month * t.payload_kb / KB_PER_GB;
    let (processed, stored) = match &p.archive {
        None => (0.0, 0.0),
        Some(a) if a.retention_days == 0 => (gb, gb),
        Some(a) => (
            gb,
            gb * (f64::from(a.retention_days) / DAYS_PER_MONTH).min(1.0),
        ),
    };
    EventBridgeUsage {
        custom_events: month,
        payload_kb: t.payload_kb,
        scheduler_invocations: 0.0,
        scheduled_rule_invocations: 0.0,
        archive_processed_gb: processed,
        archive_storage_gb_month: stored,
        pipe_requests: 0.0,
    }
}

/// Whether a rule's events come through a custom bus (billed there).
pub(crate) fn on_custom_bus(design: &Design, rule: &Component) -> bool {
    design
        .incoming(&rule.id)
        .iter()
        .any(|(_, from)| from.kind() == K::EventBus)
}

/// A pipe's month: `t.rps` is the events that passed its filters.
pub(crate) fn pipe_usage(_p: &PipeProps, t: Traffic) -> EventBridgeUsage {
    EventBridgeUsage {
        custom_events: 0.0,
        payload_kb: t.payload_kb,
        scheduler_invocations: 0.0,
        scheduled_rule_invocations: 0.0,
        archive_processed_gb: 0.0,
        archive_storage_gb_month: 0.0,
        pipe_requests: t.rps * t.month_s,
    }
}
