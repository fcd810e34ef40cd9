//! EventBridge custom buses (`AWS::Events::EventBus`, with an
//! `AWS::Events::Archive` of their events) and Pipes (`AWS::Pipes::Pipe`):
//! their field maps, and the names of the properties that hold a pipe's
//! connections (its source, enrichment and target ARNs, and the block of
//! source parameters its `Poll` connection's settings go in).

use archsim_model::ComponentKind as K;
use archsim_model::component::{EventArchive, EventBusProps, PipeProps};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, u32_of};

pub(crate) const BUS_NAME: Field<EventBusProps> = Field {
    path: "Name",
    write: |p| json!(p.name),
    read: Some(|p, v| {
        if let Some(s) = v.as_str() {
            p.name = s.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The bus's resource policy, held as JSON text in the model.
pub(crate) const BUS_POLICY: Field<EventBusProps> = Field {
    path: "Policy",
    write: |p| serde_json::from_str(&p.policy).unwrap_or(Value::Null),
    read: Some(|p, v| p.policy = serde_json::to_string(v).unwrap_or_default()),
    write_back: false,
    sam_global: false,
};

pub(crate) const BUS: FieldMap<EventBusProps> = FieldMap {
    unset: EventBusProps::default,
    fields: &[&BUS_NAME, &BUS_POLICY],
};

/// The bus an archive reads (`AWS::Events::Archive`), by its ARN.
pub(crate) const ARCHIVE_SOURCE: &str = "SourceArn";

pub(crate) const ARCHIVE_RETENTION: Field<EventArchive> = Field {
    path: "RetentionDays",
    write: |a| json!(a.retention_days),
    read: Some(|a, v| {
        if let Some(n) = u32_of(v) {
            a.retention_days = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const ARCHIVE: FieldMap<EventArchive> = FieldMap {
    unset: EventArchive::default,
    fields: &[&ARCHIVE_RETENTION],
};

/// A bus's properties, with the archive of its events when the template
/// has one (an `AWS::Events::Archive` whose source is this bus).
pub(crate) fn bus(
    p: &Map<String, Value>,
    logical: &str,
    resources: &Map<String, Value>,
) -> EventBusProps {
    let mut bus = BUS.read(p);
    bus.archive = resources
        .values()
        .filter(|r| r["Type"].as_str() == Some(ARCHIVE_TYPE))
        .filter_map(|r| r.get("Properties").and_then(Value::as_object))
        .find(|a| archive_reads(a, logical))
        .map(|a| ARCHIVE.read(a));
    bus
}

pub(crate) const ARCHIVE_TYPE: &str = "AWS::Events::Archive";

/// Whether an archive's source is the bus `logical` (its ARN by `GetAtt`,
/// or its name by `Ref`, as templates write it).
pub(crate) fn archive_reads(archive: &Map<String, Value>, logical: &str) -> bool {
    match archive.get(ARCHIVE_SOURCE) {
        Some(v) => {
            v.get("Fn::GetAtt")
                .and_then(|a| a.get(0))
                .and_then(Value::as_str)
                == Some(logical)
                || v.get("Ref").and_then(Value::as_str) == Some(logical)
        }
        None => false,
    }
}

/// The ARNs of a pipe's source, enrichment and target.
pub(crate) const PIPE_SOURCE: &str = "Source";
pub(crate) const PIPE_ENRICHMENT: &str = "Enrichment";
pub(crate) const PIPE_TARGET: &str = "Target";
/// A Lambda target's invocation type (`REQUEST_RESPONSE` or
/// `FIRE_AND_FORGET`), under `TargetParameters`.
pub(crate) const PIPE_LAMBDA_INVOCATION: &str =
    "TargetParameters/LambdaFunctionParameters/InvocationType";
/// A state machine target's (`FIRE_AND_FORGET` is the only one a
/// Standard workflow takes).
pub(crate) const PIPE_STATE_MACHINE_INVOCATION: &str =
    "TargetParameters/StepFunctionStateMachineParameters/InvocationType";
pub(crate) const FIRE_AND_FORGET: &str = "FIRE_AND_FORGET";
/// A stream source's dead-letter queue or topic, in its source
/// parameters.
pub(crate) const PIPE_DEAD_LETTER: &str = "DeadLetterConfig";
pub(crate) const PIPE_DEAD_LETTER_ARN: &str = "Arn";

/// Where the settings of a pipe's `Poll` connection go (batch size,
/// window, starting position, parallelization factor: the names an event
/// source mapping spells them with), for each source kind pipes read.
pub(crate) fn source_parameters(source: K) -> Option<&'static str> {
    match source {
        K::SqsQueue => Some("SourceParameters/SqsQueueParameters"),
        K::KinesisStream => Some("SourceParameters/KinesisStreamParameters"),
        K::DynamoDbTable => Some("SourceParameters/DynamoDBStreamParameters"),
        _ => None,
    }
}

/// One filter's pattern (a filter is an object of its own).
pub(crate) const FILTER_PATTERN: Field<String> = Field {
    path: "Pattern",
    write: |f| json!(f),
    read: Some(|f, v| {
        if let Some(s) = v.as_str() {
            *f = s.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

fn write_filters(p: &PipeProps) -> Value {
    let filters: Vec<Value> = p
        .filter_patterns
        .iter()
        .map(|f| {
            let mut filter = Map::new();
            FILTER_PATTERN.put(&mut filter, f);
            Value::Object(filter)
        })
        .collect();
    if filters.is_empty() {
        Value::Null
    } else {
        Value::Array(filters)
    }
}

/// Filter patterns given as text (one given by an intrinsic is kept in the
/// template, not read).
fn read_filters(p: &mut PipeProps, v: &Value) {
    if let Some(filters) = v.as_array() {
        p.filter_patterns = filters
            .iter()
            .filter_map(|f| {
                FILTER_PATTERN
                    .in_value(f)
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .collect();
    }
}

pub(crate) const FILTERS: Field<PipeProps> = Field {
    path: "SourceParameters/FilterCriteria/Filters",
    write: write_filters,
    read: Some(read_filters),
    write_back: false,
    sam_global: false,
};

fn write_retry(p: &PipeProps) -> Value {
    p.max_retry_attempts.map_or(Value::Null, |n| json!(n))
}

/// -1 (AWS's default) is until the record expires.
fn read_retry(p: &mut PipeProps, v: &Value) {
    p.max_retry_attempts = u32_of(v);
}

pub(crate) const KINESIS_MAX_RETRY: Field<PipeProps> = Field {
    path: "SourceParameters/KinesisStreamParameters/MaximumRetryAttempts",
    write: write_retry,
    read: Some(read_retry),
    write_back: false,
    sam_global: false,
};

pub(crate) const DYNAMODB_MAX_RETRY: Field<PipeProps> = Field {
    path: "SourceParameters/DynamoDBStreamParameters/MaximumRetryAttempts",
    write: write_retry,
    read: Some(read_retry),
    write_back: false,
    sam_global: false,
};

pub(crate) const INPUT_TEMPLATE: Field<PipeProps> = Field {
    path: "TargetParameters/InputTemplate",
    write: |p| json!(p.input_template),
    read: Some(|p, v| {
        if let Some(s) = v.as_str() {
            p.input_template = s.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const PIPE: FieldMap<PipeProps> = FieldMap {
    unset: PipeProps::default,
    fields: &[
        &FILTERS,
        &KINESIS_MAX_RETRY,
        &DYNAMODB_MAX_RETRY,
        &INPUT_TEMPLATE,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &BUS,
            &EventBusProps {
                name: "orders".into(),
                archive: None,
                policy: r#"{"Statement":[]}"#.into(),
            },
        );
        round_trips(&ARCHIVE, &EventArchive { retention_days: 7 });
        round_trips(
            &PIPE,
            &PipeProps {
                filter_patterns: vec![r#"{"body":{"type":["NEW"]}}"#.into()],
                matching_share: 1.0,
                max_retry_attempts: Some(3),
                input_template: "{\"id\": <$.id>}".into(),
            },
        );
    }
}
