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
            let publishes = matches!(conn.kind, ConnectionKind::Publishes);
            let invokes = matches!(conn.kind, ConnectionKind::Invoke { .. });
            let uses = match &conn.kind {
                ConnectionKind::Uses { access } => Some(*access),
                _ => None,
            };
            match &to.props {
                Props::DynamoDbTable(_) => {
                    let Some(access) = uses else { continue };
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
                Props::S3Bucket(_) => {
                    let Some(access) = uses else { continue };
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
                Props::SqsQueue(_) if publishes => {
                    out.push(statement(&["sqs:SendMessage"], vec![ga(&tid, "Arn")]));
                }
                Props::SnsTopic(_) if publishes => {
                    out.push(statement(&["sns:Publish"], vec![r(&tid)]));
                }
                Props::Firehose(_) if publishes => {
                    out.push(statement(
                        &["firehose:PutRecord", "firehose:PutRecordBatch"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                Props::AuroraServerless(_) => {
                    let Some(access) = uses else { continue };
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
                Props::Rds(_) if uses.is_some() => {
                    out.push(statement(
                        &["secretsmanager:GetSecretValue"],
                        vec![ga(&tid, "MasterUserSecret.SecretArn")],
                    ));
                }
                // Read only, whatever the connection says (`SECRET_WRITTEN`).
                Props::Secret(_) if uses.is_some() => {
                    out.push(statement(&["secretsmanager:GetSecretValue"], vec![r(&tid)]));
                }
                Props::KinesisStream(_) if publishes => {
                    out.push(statement(
                        &["kinesis:PutRecord", "kinesis:PutRecords"],
                        vec![ga(&tid, "Arn")],
                    ));
                }
                Props::EventBridgeRule(rule) if publishes => {
                    let bus = &rule.event_bus;
                    let st = statement(
                        &["events:PutEvents"],
                        vec![sub(&format!(
                            "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{bus}"
                        ))],
                    );
                    // The statement names the bus; its Sid names the rule
                    // the events are for, for archsim's import.
                    out.push(with_sid(
                        st,
                        &format!("{}{tid}", crate::import::PUT_EVENTS_SID),
                    ));
                }
                Props::LambdaFunction(_) if invokes => {
                    let st = statement(&["lambda:InvokeFunction"], vec![ga(&tid, "Arn")]);
                    out.push(sync_sid(st, conn, &tid));
                }
                // PutEvents on exactly this bus.
                Props::EventBus(_) if publishes => {
                    out.push(statement(&["events:PutEvents"], vec![ga(&tid, "Arn")]));
                }
                Props::StepFunctions(_) if invokes => {
                    let sync = matches!(
                        conn.kind,
                        ConnectionKind::Invoke {
                            mode: archsim_model::connection::InvokeMode::Sync
                        }
                    );
                    let action = if sync
                        && self.d.component(compute).map(Component::kind) != Some(K::StepFunctions)
                    {
                        "states:StartSyncExecution"
                    } else {
                        "states:StartExecution"
                    };
                    out.push(sync_sid(statement(&[action], vec![r(&tid)]), conn, &tid));
                    // A state machine waiting for another's execution
                    // (`states:startExecution.sync`) watches and may stop
                    // it, through a rule Step Functions manages (Step
                    // Functions Developer Guide, "IAM policies for
                    // integrated services", synchronous).
                    if sync
                        && self.d.component(compute).map(Component::kind) == Some(K::StepFunctions)
                    {
                        out.push(statement(
                            &["states:DescribeExecution", "states:StopExecution"],
                            vec![sub(&format!(
                                "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:${{{tid}.Name}}:*"
                            ))],
                        ));
                        out.push(statement(
                            &["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                            vec![sub(
                                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                            )],
                        ));
                    }
                }
                Props::TaskDefinition(_)
                    if matches!(conn.kind, ConnectionKind::RunsTask)
                        && self.d.component(compute).map(Component::kind)
                            == Some(K::StepFunctions) =>
                {
                    // A state machine's ecs:runTask, passing the task's
                    // roles to ECS (RunTask starts the task with them).
                    out.push(statement(&["ecs:RunTask"], vec![r(&tid)]));
                    out.push(self.pass_task_roles(to));
                }
                // Connected some other way (a queue polled, not sent to), or
                // reached through routes, roles, images and groups, which
                // need no statement of the compute's own.
                Props::SqsQueue(_)
                | Props::SnsTopic(_)
                | Props::Firehose(_)
                | Props::Rds(_)
                | Props::KinesisStream(_)
                | Props::EventBridgeRule(_)
                | Props::EventBus(_)
                | Props::EventBridgePipe(_)
                | Props::LambdaFunction(_)
                | Props::StepFunctions(_)
                | Props::Client(_)
                | Props::ApiGateway(_)
                | Props::CloudFront(_)
                | Props::Alb(_)
                | Props::Nlb(_)
                | Props::Clb(_)
                | Props::Cognito(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::Ec2Instance(_)
                | Props::EcsCluster(_)
                | Props::EcsService(_)
                | Props::TaskDefinition(_)
                | Props::Fargate(_)
                | Props::FargateSpot(_)
                | Props::Ec2AutoScalingGroup(_)
                | Props::EksCluster(_)
                | Props::EksNodeGroup(_)
                | Props::EksFargateProfile(_)
                | Props::EksWorkload(_)
                | Props::EcrRepository(_)
                | Props::ExternalRegistry(_)
                | Props::IamRole(_)
                | Props::VpcEndpoint(_)
                | Props::Secret(_)
                | Props::Generic(_) => {}
            }
        }
        // A service or workload that polls a queue itself.
        let compute_kind = self.d.component(compute).map(Component::kind);
        if !matches!(compute_kind, Some(K::LambdaFunction | K::EventBridgePipe)) {
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

    /// The managed policies a role component adds to those its purpose
    /// needs.
    pub(super) fn role_extra_managed(&self, role: Option<&Component>) -> Vec<Value> {
        let Some(Props::IamRole(p)) = role.map(|r| &r.props) else {
            return Vec::new();
        };
        p.managed_policy_arns
            .iter()
            .map(|a| Value::String(a.clone()))
            .collect()
    }

    /// SAM policy templates where one is exactly the access needed,
    /// inline statements otherwise.
    pub(super) fn sam_policies(&self, f: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut inline = Vec::new();
        for (conn, to) in self.d.outgoing(f) {
            let tid = self.id(&to.id);
            let publishes = matches!(conn.kind, ConnectionKind::Publishes);
            match to.kind() {
                K::DynamoDbTable => match conn.kind {
                    ConnectionKind::Uses {
                        access: Access::ReadWrite,
                    } => out.push(json!({"DynamoDBCrudPolicy": {"TableName": r(&tid)}})),
                    ConnectionKind::Uses {
                        access: Access::Read,
                    } => out.push(json!({"DynamoDBReadPolicy": {"TableName": r(&tid)}})),
                    _ => {}
                },
                K::SqsQueue if publishes => {
                    out.push(json!({"SQSSendMessagePolicy": {"QueueName": ga(&tid, "QueueName")}}))
                }
                K::SnsTopic if publishes => out
                    .push(json!({"SNSPublishMessagePolicy": {"TopicName": ga(&tid, "TopicName")}})),
                // A synchronous invoke is an inline statement with its
                // Sid (below): the template cannot carry one.
                K::LambdaFunction
                    if matches!(conn.kind, ConnectionKind::Invoke { .. })
                        && conn.kind.meaning() != archsim_model::Meaning::InvokeSync =>
                {
                    out.push(json!({"LambdaInvokePolicy": {"FunctionName": r(&tid)}}))
                }
                // No policy template is exactly the access: the statements
                // below say it.
                K::SqsQueue
                | K::SnsTopic
                | K::LambdaFunction
                | K::StepFunctions
                | K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Lex
                | K::Alexa
                | K::S3Bucket
                | K::EventBridgeRule
                | K::EventBus
                | K::EventBridgePipe
                | K::KinesisStream
                | K::Firehose
                | K::AuroraServerless
                | K::Rds
                | K::Ec2Instance
                | K::EcsCluster
                | K::EcsService
                | K::TaskDefinition
                | K::Fargate
                | K::FargateSpot
                | K::Ec2AutoScalingGroup
                | K::EksCluster
                | K::EksNodeGroup
                | K::EksFargateProfile
                | K::EksWorkload
                | K::EcrRepository
                | K::ExternalRegistry
                | K::IamRole
                | K::VpcEndpoint
                | K::Secret
                | K::Generic => {}
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
                    || (a.starts_with("lambda:InvokeFunction") && st.get("Sid").is_none())
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
                // Nothing else is polled.
                K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Lex
                | K::Alexa
                | K::S3Bucket
                | K::SnsTopic
                | K::EventBridgeRule
                | K::EventBus
                | K::EventBridgePipe
                | K::Firehose
                | K::AuroraServerless
                | K::Rds
                | K::LambdaFunction
                | K::StepFunctions
                | K::Ec2Instance
                | K::EcsCluster
                | K::EcsService
                | K::TaskDefinition
                | K::Fargate
                | K::FargateSpot
                | K::Ec2AutoScalingGroup
                | K::EksCluster
                | K::EksNodeGroup
                | K::EksFargateProfile
                | K::EksWorkload
                | K::EcrRepository
                | K::ExternalRegistry
                | K::IamRole
                | K::VpcEndpoint
                | K::Secret
                | K::Generic => {}
            }
        }
        out
    }
}

/// An invoke statement for a connection whose caller waits gets the Sid
/// `SyncInvoke<target>`: IAM cannot say the caller waits (the caller
/// picks the invocation type), and archsim's import reads it back as a
/// synchronous invoke (`import/policies.rs`).
fn sync_sid(statement: Value, conn: &archsim_model::Connection, target: &str) -> Value {
    if conn.kind.meaning() == archsim_model::Meaning::InvokeSync {
        with_sid(
            statement,
            &format!("{}{target}", crate::import::SYNC_INVOKE_SID),
        )
    } else {
        statement
    }
}

/// `statement` with `sid` as its `Sid`, first.
fn with_sid(statement: Value, sid: &str) -> Value {
    match statement {
        Value::Object(rest) => {
            let mut st = serde_json::Map::new();
            st.insert("Sid".into(), json!(sid));
            st.extend(rest);
            Value::Object(st)
        }
        other => other,
    }
}
