//! IAM from connections: trust policies, least-privilege statements for
//! `Uses`/`Publishes`/`Invoke`/`Poll`, SAM policy templates, and the role
//! components a resource assumes.

use archsim_model::component::*;
use archsim_model::connection::Access;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Value, json};

use super::*;

pub(super) fn trust(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole"
        }]
    })
}

pub(super) fn statement(actions: &[&str], resources: Vec<Value>) -> Value {
    json!({ "Effect": "Allow", "Action": actions, "Resource": resources })
}

impl<'a> Ctx<'a> {
    /// The least-privilege statements a compute component needs for its
    /// `Uses`, `Publishes` and `Invoke` connections, and for the queues
    /// that a service or workload polls itself.
    pub(super) fn statements(&self, compute: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (conn, to) in self.d.outgoing(compute) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (ConnectionKind::Uses { access }, K::DynamoDbTable) => {
                    let mut actions = Vec::new();
                    if access.reads() {
                        actions.extend([
                            "dynamodb:GetItem",
                            "dynamodb:BatchGetItem",
                            "dynamodb:Query",
                            "dynamodb:Scan",
                            "dynamodb:ConditionCheckItem",
                            "dynamodb:DescribeTable",
                        ]);
                    }
                    if access.writes() {
                        actions.extend([
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:BatchWriteItem",
                        ]);
                    }
                    out.push(statement(
                        &actions,
                        vec![ga(&tid, "Arn"), sub(&format!("${{{tid}.Arn}}/index/*"))],
                    ));
                }
                (ConnectionKind::Uses { access }, K::S3Bucket) => {
                    if access.reads() {
                        out.push(statement(&["s3:ListBucket"], vec![self.bucket_arn(to)]));
                        out.push(statement(
                            &["s3:GetObject"],
                            vec![self.bucket_objects_arn(to)],
                        ));
                    }
                    if access.writes() {
                        out.push(statement(
                            &["s3:PutObject", "s3:DeleteObject"],
                            vec![self.bucket_objects_arn(to)],
                        ));
                    }
                }
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push(statement(&["sqs:SendMessage"], vec![ga(&tid, "Arn")]));
                }
                (ConnectionKind::Publishes, K::SnsTopic) => {
                    out.push(statement(&["sns:Publish"], vec![r(&tid)]));
                }
                (ConnectionKind::Publishes, K::Firehose) => {
                    out.push(statement(
                        &["firehose:PutRecord", "firehose:PutRecordBatch"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                (ConnectionKind::Uses { access }, K::AuroraServerless) => {
                    // The Data API: statements on exactly this cluster, and
                    // the cluster's own secret.
                    let mut actions = vec![
                        "rds-data:ExecuteStatement",
                        "rds-data:BatchExecuteStatement",
                    ];
                    if access.writes() {
                        actions.extend([
                            "rds-data:BeginTransaction",
                            "rds-data:CommitTransaction",
                            "rds-data:RollbackTransaction",
                        ]);
                    }
                    out.push(statement(&actions, vec![ga(&tid, "DBClusterArn")]));
                    out.push(statement(
                        &["secretsmanager:GetSecretValue"],
                        vec![ga(&tid, "MasterUserSecret.SecretArn")],
                    ));
                }
                (ConnectionKind::Uses { .. }, K::Rds) => {
                    out.push(statement(
                        &["secretsmanager:GetSecretValue"],
                        vec![ga(&tid, "MasterUserSecret.SecretArn")],
                    ));
                }
                (ConnectionKind::Publishes, K::KinesisStream) => {
                    out.push(statement(
                        &["kinesis:PutRecord", "kinesis:PutRecords"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                (ConnectionKind::Publishes, K::EventBridgeRule) => {
                    let bus = match &to.props {
                        Props::EventBridgeRule(p) => p.event_bus.clone(),
                        _ => "default".into(),
                    };
                    out.push(statement(
                        &["events:PutEvents"],
                        vec![sub(&format!(
                            "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{bus}"
                        ))],
                    ));
                }
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push(statement(&["lambda:InvokeFunction"], vec![ga(&tid, "Arn")]));
                }
                _ => {}
            }
        }
        // A service or workload that polls a queue itself.
        let compute_kind = self.d.component(compute).map(Component::kind);
        if compute_kind != Some(K::LambdaFunction) {
            for (conn, from) in self.d.incoming(compute) {
                if matches!(conn.kind, ConnectionKind::Poll { .. }) && from.kind() == K::SqsQueue {
                    out.push(statement(
                        &[
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                        ],
                        vec![ga(&self.id(&from.id), "Arn")],
                    ));
                }
            }
        }
        out
    }

    pub(super) fn inline_policy(&self, name: &str, statements: Vec<Value>) -> Option<Value> {
        (!statements.is_empty()).then(|| {
            json!({"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}})
        })
    }

    /// A role component that `from` assumes with the given purpose.
    pub(super) fn assumed_role(&self, from: &str, purpose: RolePurpose) -> Option<&'a Component> {
        self.d
            .outgoing(from)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::AssumesRole))
            .map(|(_, to)| to)
            .find(|to| matches!(&to.props, Props::IamRole(p) if p.purpose == purpose))
            .and_then(|to| self.d.component(&to.id))
    }

    pub(super) fn role_extra_managed(&self, role: Option<&Component>) -> Vec<Value> {
        match role.map(|r| &r.props) {
            Some(Props::IamRole(p)) => p
                .managed_policy_arns
                .iter()
                .map(|a| Value::String(a.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// SAM policy templates where one is exactly the access needed,
    /// inline statements otherwise.
    pub(super) fn sam_policies(&self, f: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut inline = Vec::new();
        for (conn, to) in self.d.outgoing(f) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (
                    ConnectionKind::Uses {
                        access: Access::ReadWrite,
                    },
                    K::DynamoDbTable,
                ) => out.push(json!({"DynamoDBCrudPolicy": {"TableName": r(&tid)}})),
                (
                    ConnectionKind::Uses {
                        access: Access::Read,
                    },
                    K::DynamoDbTable,
                ) => out.push(json!({"DynamoDBReadPolicy": {"TableName": r(&tid)}})),
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push(json!({"SQSSendMessagePolicy": {"QueueName": ga(&tid, "QueueName")}}))
                }
                (ConnectionKind::Publishes, K::SnsTopic) => out
                    .push(json!({"SNSPublishMessagePolicy": {"TopicName": ga(&tid, "TopicName")}})),
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push(json!({"LambdaInvokePolicy": {"FunctionName": r(&tid)}}))
                }
                _ => {}
            }
        }
        // Everything without an exact template: the same statements the
        // CloudFormation flavour writes, minus those covered above.
        for st in self.statements(f) {
            let actions: Vec<&str> = st["Action"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let covered = actions.iter().any(|a| {
                a.starts_with("sqs:SendMessage")
                    || a.starts_with("sns:Publish")
                    || a.starts_with("lambda:InvokeFunction")
            }) || (actions.contains(&"dynamodb:GetItem")
                && actions.contains(&"dynamodb:PutItem"))
                || (actions.contains(&"dynamodb:GetItem")
                    && !actions.contains(&"dynamodb:PutItem"));
            if !covered {
                inline.push(st);
            }
        }
        if !inline.is_empty() {
            out.push(json!({"Version": "2012-10-17", "Statement": inline}));
        }
        out
    }

    pub(super) fn poll_statements(&self, f: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (conn, from) in self.d.incoming(f) {
            if !matches!(conn.kind, ConnectionKind::Poll { .. }) {
                continue;
            }
            let sid = self.id(&from.id);
            match from.kind() {
                K::SqsQueue => out.push(statement(
                    &[
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                    ],
                    vec![ga(&sid, "Arn")],
                )),
                K::KinesisStream => out.push(statement(
                    &[
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:ListShards",
                    ],
                    vec![ga(&sid, "Arn")],
                )),
                K::DynamoDbTable => out.push(statement(
                    &[
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                        "dynamodb:DescribeStream",
                        "dynamodb:ListStreams",
                    ],
                    vec![ga(&sid, "StreamArn")],
                )),
                _ => {}
            }
        }
        out
    }
}
