//! Event sources: the field maps of EventBridge rules and schedules (as
//! resources and as SAM events) and of `Poll` connections (event source
//! mappings and SAM SQS, Kinesis and DynamoDB events).

use archsim_model::Meaning;
use archsim_model::component::EventBridgeRuleProps;
use archsim_model::connection::{ConnectionKind, StartingPosition};
use serde_json::{Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

/// A rule's event pattern, held as JSON text in the model.
pub(crate) fn event_pattern(p: &EventBridgeRuleProps) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&p.event_pattern)
}

fn read_event_pattern(p: &mut EventBridgeRuleProps, v: &Value) {
    p.schedule = String::new();
    p.event_pattern = serde_json::to_string(v).unwrap_or_default();
}

/// A rule's pattern (read before the schedule, which wins).
pub(crate) const EVENT_PATTERN: Field<EventBridgeRuleProps> = Field {
    path: "EventPattern",
    write: |p| event_pattern(p).unwrap_or(Value::Null),
    read: Some(read_event_pattern),
    write_back: false,
    sam_global: false,
};

fn read_schedule(p: &mut EventBridgeRuleProps, v: &Value) {
    if let Some(s) = v.as_str() {
        p.schedule = s.into();
        p.event_pattern = String::new();
    }
}

/// A rule's or a scheduler schedule's expression (`rate(5 minutes)`);
/// SAM's `ScheduleV2` events spell it so too.
pub(crate) const SCHEDULE_EXPRESSION: Field<EventBridgeRuleProps> = Field {
    path: "ScheduleExpression",
    write: |p| json!(p.schedule),
    read: Some(read_schedule),
    write_back: false,
    sam_global: false,
};

/// Written when the bus is not the default one.
pub(crate) const EVENT_BUS: Field<EventBridgeRuleProps> = Field {
    path: "EventBusName",
    write: |p| json!(p.event_bus),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const RULE: FieldMap<EventBridgeRuleProps> = FieldMap {
    unset: EventBridgeRuleProps::default,
    fields: &[&EVENT_PATTERN, &SCHEDULE_EXPRESSION, &EVENT_BUS],
};

/// A SAM `Schedule` event's expression.
pub(crate) const SAM_SCHEDULE: Field<EventBridgeRuleProps> = Field {
    path: "Schedule",
    write: |p| json!(p.schedule),
    read: Some(read_schedule),
    write_back: false,
    sam_global: false,
};

/// A SAM `EventBridgeRule` (or `CloudWatchEvent`) event's pattern.
pub(crate) const SAM_PATTERN: Field<EventBridgeRuleProps> = Field {
    path: "Pattern",
    write: |p| event_pattern(p).unwrap_or(Value::Null),
    read: Some(read_event_pattern),
    write_back: false,
    sam_global: false,
};

/// A rule drawn from a SAM event: a schedule when the event names one,
/// a pattern otherwise (`null` when it has none either).
pub(crate) const SAM_RULE_EVENT: FieldMap<EventBridgeRuleProps> = FieldMap {
    unset: || EventBridgeRuleProps {
        schedule: String::new(),
        event_pattern: "null".into(),
        ..Default::default()
    },
    fields: &[
        &SAM_PATTERN,
        &SCHEDULE_EXPRESSION,
        &SAM_SCHEDULE,
        &EVENT_BUS,
    ],
};

/// The settings of a `Poll` connection, which an event source mapping and
/// a SAM SQS, Kinesis or DynamoDB event spell alike.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Poll {
    pub batch_size: u32,
    pub batching_window_s: u32,
    pub parallelization_factor: u32,
    pub max_concurrency: Option<u32>,
    pub starting_position: StartingPosition,
}

impl Poll {
    /// The settings of a `Poll` connection; `None` for other kinds.
    pub fn of(kind: &ConnectionKind) -> Option<Poll> {
        let ConnectionKind::Poll {
            batch_size,
            batching_window_s,
            parallelization_factor,
            max_concurrency,
            starting_position,
        } = kind
        else {
            return None;
        };
        Some(Poll {
            batch_size: *batch_size,
            batching_window_s: *batching_window_s,
            parallelization_factor: *parallelization_factor,
            max_concurrency: *max_concurrency,
            starting_position: *starting_position,
        })
    }

    pub fn kind(self) -> ConnectionKind {
        ConnectionKind::Poll {
            batch_size: self.batch_size,
            batching_window_s: self.batching_window_s,
            parallelization_factor: self.parallelization_factor,
            max_concurrency: self.max_concurrency,
            starting_position: self.starting_position,
        }
    }
}

impl Default for Poll {
    fn default() -> Self {
        match Poll::of(&Meaning::Poll.default_kind()) {
            Some(p) => p,
            None => unreachable!("a poll meaning's default kind is a poll"),
        }
    }
}

pub(crate) const BATCH_SIZE: Field<Poll> = Field {
    path: "BatchSize",
    write: |p| json!(p.batch_size),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.batch_size = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const BATCHING_WINDOW: Field<Poll> = Field {
    path: "MaximumBatchingWindowInSeconds",
    write: |p| json!(p.batching_window_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.batching_window_s = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

const STARTING_POSITIONS: &[(StartingPosition, &str)] = &[
    (StartingPosition::Latest, "LATEST"),
    (StartingPosition::TrimHorizon, "TRIM_HORIZON"),
];

/// Streams only (Kinesis, DynamoDB).
pub(crate) const STARTING_POSITION: Field<Poll> = Field {
    path: "StartingPosition",
    write: |p| json!(spelling(STARTING_POSITIONS, p.starting_position)),
    read: Some(|p, v| {
        if let Some(s) = parse(STARTING_POSITIONS, v) {
            p.starting_position = s;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Streams only.
pub(crate) const PARALLELIZATION: Field<Poll> = Field {
    path: "ParallelizationFactor",
    write: |p| json!(p.parallelization_factor),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.parallelization_factor = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// SQS only.
pub(crate) const MAX_CONCURRENCY: Field<Poll> = Field {
    path: "ScalingConfig/MaximumConcurrency",
    write: |p| json!(p.max_concurrency),
    read: Some(|p, v| p.max_concurrency = u32_of(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const POLL: FieldMap<Poll> = FieldMap {
    unset: Poll::default,
    fields: &[
        &BATCH_SIZE,
        &BATCHING_WINDOW,
        &STARTING_POSITION,
        &PARALLELIZATION,
        &MAX_CONCURRENCY,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::{round_trips, round_trips_of};
    use crate::properties::parse;

    #[test]
    fn fields_round_trip() {
        let pattern = EventBridgeRuleProps {
            schedule: String::new(),
            event_pattern: r#"{"source":["orders"]}"#.into(),
            event_bus: "orders".into(),
        };
        round_trips_of(&RULE, &pattern, &[&EVENT_PATTERN, &EVENT_BUS]);
        round_trips_of(&SAM_RULE_EVENT, &pattern, &[&SAM_PATTERN, &EVENT_BUS]);
        let schedule = EventBridgeRuleProps {
            schedule: "rate(1 hour)".into(),
            ..Default::default()
        };
        round_trips_of(&RULE, &schedule, &[&SCHEDULE_EXPRESSION]);
        round_trips_of(&SAM_RULE_EVENT, &schedule, &[&SAM_SCHEDULE]);
        round_trips_of(&SAM_RULE_EVENT, &schedule, &[&SCHEDULE_EXPRESSION]);
        round_trips(
            &POLL,
            &Poll {
                batch_size: 100,
                batching_window_s: 5,
                parallelization_factor: 4,
                max_concurrency: Some(20),
                starting_position: StartingPosition::TrimHorizon,
            },
        );
        assert_eq!(
            parse(STARTING_POSITIONS, &json!("TRIM_HORIZON")),
            Some(StartingPosition::TrimHorizon)
        );
    }
}
