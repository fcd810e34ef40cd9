//! Queues, topics and streams: the field maps of SQS queues, SNS topics,
//! Kinesis data streams and Firehose delivery streams.

use archsim_model::component::{
    FirehoseProps, KinesisStreamProps, SnsTopicProps, SqsQueueProps, StreamMode,
};
use serde_json::json;

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
