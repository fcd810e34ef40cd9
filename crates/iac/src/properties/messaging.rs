//! Queues, topics and streams: the field maps of SQS queues, SNS topics,
//! Kinesis data streams and Firehose delivery streams.

use archsim_model::component::{
    FirehoseProps, KinesisStreamProps, SnsTopicProps, SqsQueueProps, StreamMode,
};
use archsim_model::filter_policy::{FilterPolicyScope, SubscriptionFilter};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, bool_of, parse, spelling, u32_of};

pub(crate) const FIFO_QUEUE: Field<SqsQueueProps> = Field {
    path: "FifoQueue",
    write: |p| json!(p.fifo),
    read: Some(|p, v| p.fifo = bool_of(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const VISIBILITY_TIMEOUT: Field<SqsQueueProps> = Field {
    path: "VisibilityTimeout",
    write: |p| json!(p.visibility_timeout_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.visibility_timeout_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const MESSAGE_RETENTION: Field<SqsQueueProps> = Field {
    path: "MessageRetentionPeriod",
    write: |p| json!(p.message_retention_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.message_retention_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const DELAY: Field<SqsQueueProps> = Field {
    path: "DelaySeconds",
    write: |p| json!(p.delay_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.delay_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const RECEIVE_WAIT: Field<SqsQueueProps> = Field {
    path: "ReceiveMessageWaitTimeSeconds",
    write: |p| json!(p.receive_wait_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.receive_wait_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

/// Beside the dead-letter queue's ARN, which export takes from the
/// queue's dead-letter connection.
pub(crate) const MAX_RECEIVE_COUNT: Field<SqsQueueProps> = Field {
    path: "RedrivePolicy/maxReceiveCount",
    write: |p| json!(p.max_receive_count),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_receive_count = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const QUEUE: FieldMap<SqsQueueProps> = FieldMap {
    unset: SqsQueueProps::default,
    fields: &[
        &FIFO_QUEUE,
        &VISIBILITY_TIMEOUT,
        &MESSAGE_RETENTION,
        &DELAY,
        &RECEIVE_WAIT,
        &MAX_RECEIVE_COUNT,
    ],
};

pub(crate) const FIFO_TOPIC: Field<SnsTopicProps> = Field {
    path: "FifoTopic",
    write: |p| json!(p.fifo),
    read: Some(|p, v| p.fifo = bool_of(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const TOPIC: FieldMap<SnsTopicProps> = FieldMap {
    unset: SnsTopicProps::default,
    fields: &[&FIFO_TOPIC],
};

const STREAM_MODES: &[(StreamMode, &str)] = &[
    (StreamMode::Provisioned, "PROVISIONED"),
    (StreamMode::OnDemand, "ON_DEMAND"),
];

pub(crate) const STREAM_MODE: Field<KinesisStreamProps> = Field {
    path: "StreamModeDetails/StreamMode",
    write: |p| json!(spelling(STREAM_MODES, p.mode)),
    read: Some(|p, v| {
        if let Some(mode) = parse(STREAM_MODES, v) {
            p.mode = mode;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const SHARDS: Field<KinesisStreamProps> = Field {
    path: "ShardCount",
    write: |p| json!(p.shards),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.shards = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const RETENTION: Field<KinesisStreamProps> = Field {
    path: "RetentionPeriodHours",
    write: |p| json!(p.retention_hours),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.retention_hours = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const STREAM: FieldMap<KinesisStreamProps> = FieldMap {
    unset: KinesisStreamProps::default,
    fields: &[&STREAM_MODE, &SHARDS, &RETENTION],
};

pub(crate) const BUFFER_SIZE: Field<FirehoseProps> = Field {
    path: "ExtendedS3DestinationConfiguration/BufferingHints/SizeInMBs",
    write: |p| json!(p.buffer_size_mb),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const BUFFER_INTERVAL: Field<FirehoseProps> = Field {
    path: "ExtendedS3DestinationConfiguration/BufferingHints/IntervalInSeconds",
    write: |p| json!(p.buffer_interval_s),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const DELIVERY_STREAM: FieldMap<FirehoseProps> = FieldMap {
    unset: FirehoseProps::default,
    fields: &[&BUFFER_SIZE, &BUFFER_INTERVAL],
};

/// An SNS subscription's filter, as `AWS::SNS::Subscription` and a SAM
/// `SNS` event both spell it (SAM passes `FilterPolicy` and
/// `FilterPolicyScope` through to the subscription it generates).
pub(crate) type Filter = Option<SubscriptionFilter>;

/// Whether a value holds an intrinsic (`Ref`, `Fn::*`): such a policy is
/// kept as written, not read into the model.
fn has_intrinsic(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k == "Ref" || k.starts_with("Fn::") || has_intrinsic(v)),
        Value::Array(a) => a.iter().any(has_intrinsic),
        _ => false,
    }
}

/// The role an SNS subscription delivers through (`AWS::SNS::Subscription`
/// `SubscriptionRoleArn`, required for the `firehose` protocol): export
/// writes it, import recognises the role it names as the subscription's
/// wiring.
pub(crate) const SUBSCRIPTION_ROLE: &str = "SubscriptionRoleArn";

/// A dead-letter queue's setting: an SQS queue's redrive policy, and an
/// SNS subscription's (or SAM `SNS` event's, passed through to the
/// subscription it generates), both `{"deadLetterTargetArn": <queue ARN>}`
/// (AWS SNS Developer Guide, "Amazon SNS dead-letter queues (DLQs)" and
/// "Configuring an Amazon SNS dead-letter queue for a subscription";
/// AWS SAM, "SNS" event source, `RedrivePolicy`). The queue's ARN comes
/// from the dead-letter connection, not from properties.
pub(crate) const REDRIVE_POLICY: &str = "RedrivePolicy";
/// The dead-letter queue's ARN inside a redrive policy.
pub(crate) const DEAD_LETTER_TARGET: &str = "deadLetterTargetArn";

/// A delivery stream that reads a Kinesis data stream: its type, and the
/// stream and role it reads with (Firehose API Reference,
/// "KinesisStreamSourceConfiguration"); a stream put to directly is
/// `DirectPut`.
pub(crate) const DELIVERY_STREAM_TYPE: &str = "DeliveryStreamType";
pub(crate) const KINESIS_SOURCE: &str = "KinesisStreamSourceConfiguration";
pub(crate) const KINESIS_SOURCE_STREAM: &str = "KinesisStreamARN";

/// The policy: a JSON object (CloudFormation also takes it as JSON text).
pub(crate) const FILTER_POLICY: Field<Filter> = Field {
    path: "FilterPolicy",
    write: |f| f.as_ref().map_or(Value::Null, |f| f.policy.clone()),
    read: Some(|f, v| {
        let policy = match v {
            Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            v => v.clone(),
        };
        if policy.is_object() && !has_intrinsic(&policy) {
            *f = Some(SubscriptionFilter::new(
                policy,
                FilterPolicyScope::default(),
            ));
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Written only for the message body (attributes are AWS's default).
pub(crate) const FILTER_POLICY_SCOPE: Field<Filter> = Field {
    path: "FilterPolicyScope",
    write: |f| match f {
        Some(f) if f.scope == FilterPolicyScope::MessageBody => json!(f.scope.aws_name()),
        _ => Value::Null,
    },
    read: Some(|f, v| {
        if let (Some(f), Some(scope)) = (f, v.as_str().and_then(FilterPolicyScope::from_aws_name)) {
            f.scope = scope;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const SUBSCRIPTION_FILTER: FieldMap<Filter> = FieldMap {
    unset: || None,
    fields: &[&FILTER_POLICY, &FILTER_POLICY_SCOPE],
};

impl FieldMap<Filter> {
    /// Writes a subscription's filter into its (or its SAM event's)
    /// properties, when it has one.
    pub(crate) fn put_filter(&self, props: &mut Map<String, Value>, filter: &Filter) {
        for field in self.fields {
            let value = (field.write)(filter);
            if !value.is_null() {
                field.put_value(props, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &QUEUE,
            &SqsQueueProps {
                fifo: true,
                visibility_timeout_s: 90,
                message_retention_s: 3600,
                delay_s: 5,
                receive_wait_s: 20,
                max_receive_count: 3,
            },
        );
        round_trips(&TOPIC, &SnsTopicProps { fifo: true });
        round_trips(
            &SUBSCRIPTION_FILTER,
            &Some(SubscriptionFilter::new(
                json!({"order": {"total": [{"numeric": [">=", 50]}]}}),
                FilterPolicyScope::MessageBody,
            )),
        );
        round_trips(
            &STREAM,
            &KinesisStreamProps {
                mode: StreamMode::OnDemand,
                shards: 4,
                retention_hours: 48,
            },
        );
        round_trips(
            &DELIVERY_STREAM,
            &FirehoseProps {
                buffer_size_mb: 64,
                buffer_interval_s: 60,
            },
        );
    }
}
