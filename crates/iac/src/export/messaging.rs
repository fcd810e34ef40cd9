//! Queues, topics and streams: SQS (with its redrive policy), SNS (with
//! SQS subscriptions and queue policies, and Firehose subscriptions with
//! the role SNS writes through), Kinesis data streams and Firehose
//! delivery streams.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Map, json};

use super::iam::{statement, trust};
use super::*;
use crate::properties::messaging;

/// What SNS may do on a delivery stream it delivers a subscription to
/// (`firehose_subscription`).
const SNS_FIREHOSE_ACTIONS: [&str; 4] = [
    "firehose:DescribeDeliveryStream",
    "firehose:ListTagsForDeliveryStream",
    "firehose:PutRecord",
    "firehose:PutRecordBatch",
];

impl<'a> Ctx<'a> {
    pub(super) fn queue(&mut self, c: &Component, id: &str, p: &SqsQueueProps) {
        let mut props = Map::new();
        if p.fifo {
            messaging::FIFO_QUEUE.put(&mut props, p);
        }
        messaging::VISIBILITY_TIMEOUT.put(&mut props, p);
        messaging::MESSAGE_RETENTION.put(&mut props, p);
        if p.delay_s > 0 {
            messaging::DELAY.put(&mut props, p);
        }
        if p.receive_wait_s > 0 {
            messaging::RECEIVE_WAIT.put(&mut props, p);
        }
        for (conn, to) in self.d.outgoing(&c.id) {
            if matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::SqsQueue {
                props.insert(
                    messaging::REDRIVE_POLICY.into(),
                    redrive_policy(&self.id(&to.id)),
                );
                messaging::MAX_RECEIVE_COUNT.put(&mut props, p);
            }
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::SQS::Queue", "Properties": props}),
        );
        self.outputs.insert(
            format!("{id}Url"),
            json!({"Description": format!("URL of {}", c.name), "Value": r(id)}),
        );
    }

    pub(super) fn topic(&mut self, c: &Component, id: &str, p: &SnsTopicProps) {
        let mut props = Map::new();
        if p.fifo {
            messaging::FIFO_TOPIC.put(&mut props, p);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::SNS::Topic", "Properties": props}),
        );
        // SNS -> SQS subscriptions with the queue policy that lets
        // exactly this topic send; SNS -> Firehose subscriptions with the
        // role SNS delivers through.
        for (conn, to) in self.d.outgoing(&c.id) {
            if to.kind() == K::Firehose && matches!(conn.kind, ConnectionKind::Publishes) {
                self.firehose_subscription(c, id, conn, &self.id(&to.id));
            }
            if to.kind() == K::SqsQueue && matches!(conn.kind, ConnectionKind::Publishes) {
                let q = self.id(&to.id);
                let mut props = object(json!({
                    "TopicArn": r(id), "Protocol": "sqs", "Endpoint": ga(&q, "Arn")}));
                messaging::SUBSCRIPTION_FILTER.put_filter(&mut props, &conn.filter_policy);
                self.put_subscription_dead_letter(&c.id, &mut props);
                self.add(
                    format!("{id}To{q}Subscription"),
                    json!({"Type": "AWS::SNS::Subscription", "Properties": props}),
                );
                self.add(format!("{q}From{id}Policy"), topic_sends_to(&q, id));
            }
        }
        self.subscription_dead_letter_queue(c, id);
    }

    /// The queues the topic `topic`'s `DeadLetter` connections name, in
    /// order.
    fn dead_letter_queues(&self, topic: &str) -> Vec<&'a Component> {
        self.d
            .outgoing(topic)
            .into_iter()
            .filter(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::SqsQueue
            })
            .map(|(_, to)| to)
            .collect()
    }

    /// The dead-letter queue of the topic `topic`'s subscriptions: the
    /// queue its first `DeadLetter` connection names. SNS sends there
    /// what a subscription cannot deliver after its retries.
    pub(super) fn subscription_dead_letter(&self, topic: &str) -> Option<String> {
        self.dead_letter_queues(topic)
            .first()
            .map(|to| self.id(&to.id))
    }

    /// Puts the topic's dead-letter queue, if it has one, on one of its
    /// subscriptions (an `AWS::SNS::Subscription` or a SAM `SNS` event).
    pub(super) fn put_subscription_dead_letter(&self, topic: &str, props: &mut Map<String, Value>) {
        if let Some(q) = self.subscription_dead_letter(topic) {
            props.insert(messaging::REDRIVE_POLICY.into(), redrive_policy(&q));
        }
    }

    /// The queue policy that lets the topic send what its subscriptions
    /// could not deliver to its dead-letter queue (the same least
    /// privilege as a queue subscription's: `sqs:SendMessage` from the SNS
    /// service principal, for this topic only; SNS Developer Guide,
    /// "Configuring an Amazon SNS dead-letter queue for a subscription").
    /// A `DeadLetter` connection that no subscription carries is said in
    /// the notes.
    fn subscription_dead_letter_queue(&mut self, c: &Component, id: &str) {
        let dead_letters = self.dead_letter_queues(&c.id);
        let Some((first, others)) = dead_letters.split_first() else {
            return;
        };
        let subscribed = self
            .d
            .outgoing(&c.id)
            .iter()
            .any(|(conn, _)| conn.is_subscription(c.kind()));
        if !subscribed {
            self.notes.push(format!(
                "{} -> {}: the topic has no subscription, so this dead-letter queue is not exported; subscribe something to the topic, or give the subscription a RedrivePolicy by hand",
                c.name, first.name
            ));
            return;
        }
        let q = self.id(&first.id);
        self.add(
            format!("{q}From{id}DeadLetterPolicy"),
            topic_sends_to(&q, id),
        );
        for other in others {
            self.notes.push(format!(
                "{} -> {}: an SNS subscription has one dead-letter queue, and the topic's subscriptions send theirs to {}; this one is not exported",
                c.name, other.name, first.name
            ));
        }
    }

    /// A topic's subscription of the delivery stream `stream`, and the
    /// role SNS assumes to write to it. A Firehose subscription must name
    /// a role that trusts the SNS service principal and may write to the
    /// stream (`SubscriptionRoleArn`; AWS SNS Developer Guide,
    /// "Prerequisites for subscribing Firehose delivery streams to Amazon
    /// SNS topics"). The role may do, on exactly this stream, what the
    /// guide's example policy and AWS CDK's `FirehoseSubscription` (which
    /// deploys with it) allow: put records, describe the stream and list
    /// its tags; their `ListDeliveryStreams` is left out, as it cannot be
    /// scoped to one stream (on a stream's ARN it allows nothing).
    fn firehose_subscription(
        &mut self,
        c: &Component,
        topic: &str,
        conn: &archsim_model::Connection,
        stream: &str,
    ) {
        let role = format!("{topic}To{stream}Role");
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("sns.amazonaws.com"),
                "Policies": [{"PolicyName": format!("{topic}PutRecords"), "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [statement(&SNS_FIREHOSE_ACTIONS, vec![ga(stream, "Arn")])]}}]}}),
        );
        let mut props = object(json!({
            "TopicArn": r(topic), "Protocol": "firehose", "Endpoint": ga(stream, "Arn")}));
        props.insert(messaging::SUBSCRIPTION_ROLE.into(), ga(&role, "Arn"));
        messaging::SUBSCRIPTION_FILTER.put_filter(&mut props, &conn.filter_policy);
        self.put_subscription_dead_letter(&c.id, &mut props);
        self.add(
            format!("{topic}To{stream}Subscription"),
            json!({"Type": "AWS::SNS::Subscription", "Properties": props}),
        );
    }

    /// Several policies on one queue (or topic) do not add up: each sets
    /// the queue's whole policy, so the last one applied wins (an SQS
    /// queue has one `Policy` attribute, which `AWS::SQS::QueuePolicy`
    /// sets; the same for an SNS topic). The policies written for one
    /// queue (a topic's subscription, a topic's dead-letter queue, a
    /// bucket's notifications) are merged into the first by logical id,
    /// their statements in that order, and a `DependsOn` naming a merged
    /// one names the first instead.
    pub(super) fn merge_resource_policies(&mut self) {
        for (ty, list) in [
            ("AWS::SQS::QueuePolicy", "Queues"),
            ("AWS::SNS::TopicPolicy", "Topics"),
        ] {
            let mut by_target: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (id, res) in &self.resources {
                let targets = res["Properties"][list].as_array();
                if let (true, Some([one])) = (res["Type"] == ty, targets.map(Vec::as_slice)) {
                    by_target
                        .entry(one.to_string())
                        .or_default()
                        .push(id.clone());
                }
            }
            for ids in by_target.into_values() {
                let Some((first, merged)) = ids.split_first() else {
                    continue;
                };
                let mut statements = Vec::new();
                for id in merged {
                    if let Some(res) = self.resources.shift_remove(id)
                        && let Some(Value::Array(s)) =
                            res["Properties"]["PolicyDocument"].get("Statement")
                    {
                        statements.extend(s.iter().cloned());
                    }
                }
                if let Some(Value::Array(s)) = self
                    .resources
                    .get_mut(first)
                    .and_then(|r| r.pointer_mut("/Properties/PolicyDocument/Statement"))
                {
                    s.extend(statements);
                }
                for res in self.resources.values_mut() {
                    let Some(Value::Array(depends)) = res.get_mut("DependsOn") else {
                        continue;
                    };
                    let mut seen = BTreeSet::new();
                    depends.retain_mut(|d| {
                        if d.as_str().is_some_and(|d| merged.iter().any(|m| m == d)) {
                            *d = json!(first);
                        }
                        seen.insert(d.to_string())
                    });
                }
            }
        }
    }

    pub(super) fn stream(&mut self, id: &str, p: &KinesisStreamProps) {
        let mut props = Map::new();
        match p.mode {
            StreamMode::OnDemand => messaging::STREAM_MODE.put(&mut props, p),
            StreamMode::Provisioned => messaging::SHARDS.put(&mut props, p),
        }
        messaging::RETENTION.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::Kinesis::Stream", "Properties": props}),
        );
    }

    pub(super) fn firehose(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::FirehoseProps,
    ) {
        let bucket = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::Publishes) && to.kind() == K::S3Bucket
            })
            .map(|(_, to)| to);
        let (bucket_arn, objects_arn) = match bucket {
            Some(b) => (self.bucket_arn(b), self.bucket_objects_arn(b)),
            None => {
                // Firehose must deliver somewhere: a bucket of its own.
                let b = format!("{id}DeliveryBucket");
                self.add(
                    b.clone(),
                    json!({"Type": "AWS::S3::Bucket", "Properties": {
                        "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}}),
                );
                (ga(&b, "Arn"), sub(&format!("${{{b}.Arn}}/*")))
            }
        };
        let transform = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(_, to)| to.kind() == K::LambdaFunction)
            .map(|(_, to)| self.id(&to.id));
        // A Kinesis data stream it reads, with the same role (Firehose
        // Developer Guide, "Grant Firehose access to a Kinesis data stream
        // source": these four read actions on that stream).
        let source = self
            .d
            .incoming(&c.id)
            .into_iter()
            .find(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Poll { .. }) && from.kind() == K::KinesisStream
            })
            .map(|(_, from)| self.id(&from.id));
        let role = format!("{id}DeliveryRole");
        let mut stmts = vec![
            statement(
                &[
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                ],
                vec![bucket_arn.clone()],
            ),
            statement(
                &["s3:PutObject", "s3:AbortMultipartUpload"],
                vec![objects_arn],
            ),
        ];
        if let Some(f) = &transform {
            stmts.push(statement(
                &["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
                vec![ga(f, "Arn")],
            ));
        }
        if let Some(s) = &source {
            stmts.push(statement(
                &[
                    "kinesis:DescribeStream",
                    "kinesis:GetShardIterator",
                    "kinesis:GetRecords",
                    "kinesis:ListShards",
                ],
                vec![ga(s, "Arn")],
            ));
        }
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("firehose.amazonaws.com"),
                "Policies": [{"PolicyName": format!("{id}Delivery"), "PolicyDocument": {"Version": "2012-10-17", "Statement": stmts}}]}}),
        );
        let mut props = Map::new();
        match &source {
            Some(s) => {
                props.insert(
                    messaging::DELIVERY_STREAM_TYPE.into(),
                    json!("KinesisStreamAsSource"),
                );
                let mut config = Map::new();
                config.insert(messaging::KINESIS_SOURCE_STREAM.into(), ga(s, "Arn"));
                config.insert("RoleARN".into(), ga(&role, "Arn"));
                props.insert(messaging::KINESIS_SOURCE.into(), Value::Object(config));
            }
            None => {
                props.insert(messaging::DELIVERY_STREAM_TYPE.into(), json!("DirectPut"));
            }
        }
        props.insert(
            "ExtendedS3DestinationConfiguration".into(),
            json!({"BucketARN": bucket_arn, "RoleARN": ga(&role, "Arn")}),
        );
        messaging::BUFFER_SIZE.put(&mut props, p);
        messaging::BUFFER_INTERVAL.put(&mut props, p);
        if let (Some(f), Some(Value::Object(dest))) = (
            &transform,
            props.get_mut("ExtendedS3DestinationConfiguration"),
        ) {
            dest.insert(
                "ProcessingConfiguration".into(),
                json!({"Enabled": true, "Processors": [{"Type": "Lambda",
                "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": ga(f, "Arn")}]}]}),
            );
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": props}),
        );
    }
}

/// A redrive policy naming the dead-letter queue `queue` (a logical id).
fn redrive_policy(queue: &str) -> Value {
    let mut policy = Map::new();
    policy.insert(messaging::DEAD_LETTER_TARGET.into(), ga(queue, "Arn"));
    Value::Object(policy)
}

/// The queue policy that lets the topic `topic` (and only it) send to the
/// queue `queue` (logical ids).
fn topic_sends_to(queue: &str, topic: &str) -> Value {
    json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
        "Queues": [r(queue)],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": ga(queue, "Arn"),
            "Condition": {"ArnEquals": {"aws:SourceArn": r(topic)}}}]}}})
}
