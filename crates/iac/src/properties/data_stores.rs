//! Data stores: the field maps of DynamoDB tables, Aurora Serverless v2
//! clusters, RDS instances and S3 buckets (with the Lambda notifications
//! a bucket sends).

use archsim_model::component::{
    AuroraServerlessProps, CapacityScaling, DatabaseEngine, DynamoDbBilling, DynamoDbTableProps,
    RdsProps, S3BucketProps,
};
use serde_json::{Value, json};

use super::{Field, FieldMap, u32_of};

/// The key schema: the partition key, then the sort key when there is one.
fn keys(p: &DynamoDbTableProps) -> Vec<(&str, &'static str)> {
    let mut keys = vec![(p.partition_key.as_str(), "HASH")];
    if !p.sort_key.is_empty() {
        keys.push((p.sort_key.as_str(), "RANGE"));
    }
    keys
}

/// Every key attribute is a string.
pub(crate) const ATTRIBUTE_DEFINITIONS: Field<DynamoDbTableProps> = Field {
    path: "AttributeDefinitions",
    write: |p| {
        json!(
            keys(p)
                .iter()
                .map(|(name, _)| json!({"AttributeName": name, "AttributeType": "S"}))
                .collect::<Vec<_>>()
        )
    },
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const KEY_SCHEMA: Field<DynamoDbTableProps> = Field {
    path: "KeySchema",
    write: |p| {
        json!(
            keys(p)
                .iter()
                .map(|(name, key)| json!({"AttributeName": name, "KeyType": key}))
                .collect::<Vec<_>>()
        )
    },
    read: Some(|p, v| {
        for k in v.as_array().into_iter().flatten() {
            let name = k
                .get("AttributeName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match k.get("KeyType").and_then(Value::as_str) {
                Some("HASH") => p.partition_key = name.into(),
                Some("RANGE") => p.sort_key = name.into(),
                _ => {}
            }
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Present (even as an intrinsic): the table is provisioned. It holds
/// the two capacities below.
pub(crate) const PROVISIONED_THROUGHPUT: Field<DynamoDbTableProps> = Field {
    path: "ProvisionedThroughput",
    write: |_| json!({}),
    read: Some(|p, _| p.billing = DynamoDbBilling::Provisioned),
    write_back: false,
    sam_global: false,
};

pub(crate) const READ_CAPACITY: Field<DynamoDbTableProps> = Field {
    path: "ProvisionedThroughput/ReadCapacityUnits",
    write: |p| json!(p.read_capacity),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.read_capacity = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const WRITE_CAPACITY: Field<DynamoDbTableProps> = Field {
    path: "ProvisionedThroughput/WriteCapacityUnits",
    write: |p| json!(p.write_capacity),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.write_capacity = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Read after the throughput: an on-demand table's throughput (which
/// CloudFormation rejects) is ignored.
pub(crate) const BILLING_MODE: Field<DynamoDbTableProps> = Field {
    path: "BillingMode",
    write: |p| {
        json!(match p.billing {
            DynamoDbBilling::OnDemand => "PAY_PER_REQUEST",
            DynamoDbBilling::Provisioned => "PROVISIONED",
        })
    },
    read: Some(|p, v| {
        if v.as_str() == Some("PAY_PER_REQUEST") {
            let unset = DynamoDbTableProps::default();
            p.billing = DynamoDbBilling::OnDemand;
            p.read_capacity = unset.read_capacity;
            p.write_capacity = unset.write_capacity;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const STREAM_VIEW: Field<DynamoDbTableProps> = Field {
    path: "StreamSpecification/StreamViewType",
    write: |p| json!(p.stream),
    read: Some(|p, v| p.stream = serde_json::from_value(v.clone()).ok()),
    write_back: false,
    sam_global: false,
};

/// Export writes the fields in this order; `BillingMode` comes before the
/// throughput there.
pub(crate) const TABLE: FieldMap<DynamoDbTableProps> = FieldMap {
    unset: DynamoDbTableProps::default,
    fields: &[
        &ATTRIBUTE_DEFINITIONS,
        &KEY_SCHEMA,
        &PROVISIONED_THROUGHPUT,
        &READ_CAPACITY,
        &WRITE_CAPACITY,
        &BILLING_MODE,
        &STREAM_VIEW,
    ],
};

/// The engine of an Aurora cluster or an RDS instance. Aurora takes the
/// Aurora flavour of a plain engine, RDS the plain flavour of an Aurora
/// one; import tells MySQL from PostgreSQL.
fn engine(e: DatabaseEngine, aurora: bool) -> &'static str {
    use DatabaseEngine as E;
    match (e, aurora) {
        (E::AuroraPostgresql | E::Postgres, true) => "aurora-postgresql",
        (E::AuroraMysql | E::Mysql, true) => "aurora-mysql",
        (E::AuroraPostgresql | E::Postgres, false) => "postgres",
        (E::AuroraMysql | E::Mysql, false) => "mysql",
    }
}

fn is_mysql(v: &Value) -> bool {
    v.as_str().is_some_and(|e| e.contains("mysql"))
}

/// On the cluster, and on its `db.serverless` instance.
pub(crate) const AURORA_ENGINE: Field<AuroraServerlessProps> = Field {
    path: "Engine",
    write: |p| json!(engine(p.engine, true)),
    read: Some(|p, v| {
        if is_mysql(v) {
            p.engine = DatabaseEngine::AuroraMysql;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MIN_ACU: Field<AuroraServerlessProps> = Field {
    path: "ServerlessV2ScalingConfiguration/MinCapacity",
    write: |p| json!(p.min_acu),
    read: Some(|p, v| {
        if let Some(n) = v.as_f64() {
            p.min_acu = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_ACU: Field<AuroraServerlessProps> = Field {
    path: "ServerlessV2ScalingConfiguration/MaxCapacity",
    write: |p| json!(p.max_acu),
    read: Some(|p, v| {
        if let Some(n) = v.as_f64() {
            p.max_acu = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const AURORA: FieldMap<AuroraServerlessProps> = FieldMap {
    unset: AuroraServerlessProps::default,
    fields: &[&AURORA_ENGINE, &MIN_ACU, &MAX_ACU],
};

pub(crate) const RDS_ENGINE: Field<RdsProps> = Field {
    path: "Engine",
    write: |p| json!(engine(p.engine, false)),
    read: Some(|p, v| {
        if is_mysql(v) {
            p.engine = DatabaseEngine::Mysql;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const INSTANCE_CLASS: Field<RdsProps> = Field {
    path: "DBInstanceClass",
    write: |p| json!(p.instance_class),
    read: Some(|p, v| {
        if let Some(c) = v.as_str() {
            p.instance_class = c.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// A string, as CloudFormation documents it.
pub(crate) const STORAGE: Field<RdsProps> = Field {
    path: "AllocatedStorage",
    write: |p| json!(p.storage_gb.to_string()),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.storage_gb = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MULTI_AZ: Field<RdsProps> = Field {
    path: "MultiAZ",
    write: |p| json!(p.multi_az),
    read: Some(|p, v| p.multi_az = v.as_bool() == Some(true)),
    write_back: false,
    sam_global: false,
};

pub(crate) const RDS: FieldMap<RdsProps> = FieldMap {
    unset: RdsProps::default,
    fields: &[&RDS_ENGINE, &INSTANCE_CLASS, &STORAGE, &MULTI_AZ],
};

pub(crate) const VERSIONING: Field<S3BucketProps> = Field {
    path: "VersioningConfiguration/Status",
    write: |p| json!(if p.versioning { "Enabled" } else { "Suspended" }),
    read: Some(|p, v| p.versioning = v.as_str() == Some("Enabled")),
    write_back: false,
    sam_global: false,
};

/// The bucket's key filter (prefix and suffix), on a notification or a
/// SAM S3 event; `None` without one.
pub(crate) fn key_filter(p: &S3BucketProps) -> Option<Value> {
    let mut rules = Vec::new();
    if !p.prefix.is_empty() {
        rules.push(json!({"Name": "prefix", "Value": p.prefix}));
    }
    if !p.suffix.is_empty() {
        rules.push(json!({"Name": "suffix", "Value": p.suffix}));
    }
    (!rules.is_empty()).then(|| json!({"S3Key": {"Rules": rules}}))
}

/// One Lambda notification: `event` to `function`, with the key filter.
pub(crate) fn lambda_configuration(p: &S3BucketProps, event: &str, function: Value) -> Value {
    notification(p, event, "Function", function)
}

/// One notification of `event` to a destination (`Function`, `Queue` or
/// `Topic`: how each list names its target), with the key filter.
pub(crate) fn notification(p: &S3BucketProps, event: &str, target: &str, arn: Value) -> Value {
    let mut cfg = json!({"Event": event});
    cfg[target] = arn;
    if let Some(filter) = key_filter(p) {
        cfg["Filter"] = filter;
    }
    cfg
}

/// The event and key filter of a bucket's first notification.
fn read_notification(p: &mut S3BucketProps, v: &Value) {
    let Some(cfg) = v.get(0) else { return };
    if let Some(e) = cfg.get("Event").and_then(Value::as_str) {
        p.events = vec![e.into()];
    }
    let rules = cfg.pointer("/Filter/S3Key/Rules").and_then(Value::as_array);
    for r in rules.into_iter().flatten() {
        let value = r.get("Value").and_then(Value::as_str).unwrap_or_default();
        match r.get("Name").and_then(Value::as_str) {
            Some("prefix") => p.prefix = value.into(),
            Some("suffix") => p.suffix = value.into(),
            _ => {}
        }
    }
}

/// Notifications to queues (`Queue`: the queue's ARN), one per event for
/// each queue the bucket publishes to.
pub(crate) const QUEUE_NOTIFICATIONS: Field<S3BucketProps> = Field {
    path: "NotificationConfiguration/QueueConfigurations",
    write: |_| Value::Null,
    read: Some(read_notification),
    write_back: false,
    sam_global: false,
};

/// Notifications to topics (`Topic`: the topic's ARN, its `Ref`).
pub(crate) const TOPIC_NOTIFICATIONS: Field<S3BucketProps> = Field {
    path: "NotificationConfiguration/TopicConfigurations",
    write: |_| Value::Null,
    read: Some(read_notification),
    write_back: false,
    sam_global: false,
};

/// Export writes one notification per event for each function the bucket
/// invokes; import reads the event and filter of the first.
pub(crate) const NOTIFICATIONS: Field<S3BucketProps> = Field {
    path: "NotificationConfiguration/LambdaConfigurations",
    write: |p| {
        json!(
            p.events
                .iter()
                .map(|e| lambda_configuration(p, e, Value::Null))
                .collect::<Vec<_>>()
        )
    },
    read: Some(read_notification),
    write_back: false,
    sam_global: false,
};

/// How a bucket's ARN joined from parts (`Fn::Join ["", [...]]`) begins.
pub(crate) fn joined_bucket_arn_head() -> [Value; 3] {
    [
        json!("arn:"),
        json!({"Ref": "AWS::Partition"}),
        json!(":s3:::"),
    ]
}

/// A bucket name given as a `Fn::Join` (how the export names a bucket
/// that notifies, so what it waits for can name it before it exists), as
/// the run of values an ARN joined with `""` spells it by: its parts with
/// the separator between them. `None` for a name of any other form.
pub(crate) fn joined_name_run(name: &Value) -> Option<Vec<Value>> {
    let join = name.get("Fn::Join")?.as_array()?;
    let (sep, parts) = (join.first()?, join.get(1)?.as_array()?);
    let mut run = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 && sep != "" {
            run.push(sep.clone());
        }
        run.push(part.clone());
    }
    Some(run)
}

/// The ARN of the bucket named `name` (a `Fn::Join`, see
/// [`joined_name_run`]), joined from its parts, followed by `suffix`
/// (`/*` for its objects) when not empty.
pub(crate) fn joined_bucket_arn(name: &Value, suffix: &str) -> Option<Value> {
    let mut parts = joined_bucket_arn_head().to_vec();
    parts.extend(joined_name_run(name)?);
    if !suffix.is_empty() {
        parts.push(json!(suffix));
    }
    Some(json!({"Fn::Join": ["", parts]}))
}

/// A bucket's events sent to the default event bus (where rules whose
/// pattern matches `source: aws.s3` pick them up).
pub(crate) const EVENTBRIDGE_NOTIFICATIONS: Field<S3BucketProps> = Field {
    path: "NotificationConfiguration/EventBridgeConfiguration/EventBridgeEnabled",
    write: |_| Value::Bool(true),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const BUCKET: FieldMap<S3BucketProps> = FieldMap {
    unset: S3BucketProps::default,
    fields: &[
        &VERSIONING,
        &TOPIC_NOTIFICATIONS,
        &QUEUE_NOTIFICATIONS,
        &NOTIFICATIONS,
    ],
};

/// DynamoDB auto scaling: a table's read or write capacity as an
/// Application Auto Scaling scalable target, with its target tracking
/// policy on the capacity's utilisation.
pub(crate) const SCALING_NAMESPACE: &str = "dynamodb";
/// The scalable dimension of reads (`true`: writes).
pub(crate) fn scaling_dimension(write: bool) -> &'static str {
    if write {
        "dynamodb:table:WriteCapacityUnits"
    } else {
        "dynamodb:table:ReadCapacityUnits"
    }
}
/// The predefined metric its target tracking policy follows.
pub(crate) fn scaling_metric(write: bool) -> &'static str {
    if write {
        "DynamoDBWriteCapacityUtilization"
    } else {
        "DynamoDBReadCapacityUtilization"
    }
}

/// On the scalable target.
pub(crate) const SCALING_MIN: Field<CapacityScaling> = Field {
    path: "MinCapacity",
    write: |p| json!(p.min_capacity),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.min_capacity = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const SCALING_MAX: Field<CapacityScaling> = Field {
    path: "MaxCapacity",
    write: |p| json!(p.max_capacity),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_capacity = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// On the target tracking policy.
pub(crate) const SCALING_TARGET: Field<CapacityScaling> = Field {
    path: "TargetTrackingScalingPolicyConfiguration/TargetValue",
    write: |p| json!(p.target_utilization_pct),
    read: Some(|p, v| {
        if let Some(n) = v.as_f64() {
            p.target_utilization_pct = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;
    use archsim_model::component::StreamView;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &TABLE,
            &DynamoDbTableProps {
                partition_key: "tenant".into(),
                sort_key: "order".into(),
                billing: DynamoDbBilling::Provisioned,
                read_capacity: 7,
                write_capacity: 9,
                stream: Some(StreamView::NewImage),
                ..Default::default()
            },
        );
        round_trips(
            &AURORA,
            &AuroraServerlessProps {
                engine: DatabaseEngine::AuroraMysql,
                min_acu: 1.5,
                max_acu: 32.0,
                ..Default::default()
            },
        );
        round_trips(
            &RDS,
            &RdsProps {
                engine: DatabaseEngine::Mysql,
                instance_class: "db.r6g.large".into(),
                multi_az: true,
                storage_gb: 100,
                ..Default::default()
            },
        );
        round_trips(
            &BUCKET,
            &S3BucketProps {
                versioning: true,
                events: vec!["s3:ObjectRemoved:*".into()],
                prefix: "in/".into(),
                suffix: ".jpg".into(),
                ..Default::default()
            },
        );
    }
}
