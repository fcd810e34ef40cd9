//! EventBridge custom buses (with the archive of their events) and Pipes
//! (with a role allowed exactly what the pipe does: read its source, call
//! its enrichment, deliver to its target). The same in both flavours: SAM
//! has no resource type of its own for either.

use archsim_model::component::{EventBusProps, PipeProps};
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::properties::Field;
use crate::properties::event_sources::MAX_CONCURRENCY;
use crate::properties::eventbridge::{
    self as fields, ARCHIVE_SOURCE, ARCHIVE_TYPE, FIRE_AND_FORGET, PIPE_DEAD_LETTER,
    PIPE_DEAD_LETTER_ARN, PIPE_ENRICHMENT, PIPE_LAMBDA_INVOCATION, PIPE_SOURCE,
    PIPE_STATE_MACHINE_INVOCATION, PIPE_TARGET, source_parameters,
};

/// Puts `value` at a `/`-separated path of `props` (a pipe's parameter
/// blocks, whose place depends on the source or target kind).
fn put_at(props: &mut Map<String, Value>, path: &'static str, value: Value) {
    Field::<PipeProps> {
        path,
        write: |_| Value::Null,
        read: None,
        write_back: false,
        sam_global: false,
    }
    .put_value(props, value);
}

impl<'a> Ctx<'a> {
    /// The bus a rule is on, when a custom bus of the design connects to it.
    pub(super) fn rule_bus(&self, rule: &str) -> Option<String> {
        self.d
            .incoming(rule)
            .into_iter()
            .find(|(_, from)| from.kind() == K::EventBus)
            .map(|(_, from)| self.id(&from.id))
    }

    pub(super) fn event_bus(&mut self, id: &str, p: &EventBusProps) {
        let mut props = Map::new();
        if p.name.is_empty() {
            fields::BUS_NAME.put_value(&mut props, sub(&format!("${{AWS::StackName}}-{id}")));
        } else {
            fields::BUS_NAME.put(&mut props, p);
        }
        if !p.policy.is_empty() {
            fields::BUS_POLICY.put(&mut props, p);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::Events::EventBus", "Properties": props}),
        );
        if let Some(a) = &p.archive {
            let mut archive = Map::new();
            archive.insert(ARCHIVE_SOURCE.into(), ga(id, "Arn"));
            if a.retention_days > 0 {
                fields::ARCHIVE_RETENTION.put(&mut archive, a);
            }
            self.add(
                format!("{id}Archive"),
                json!({"Type": ARCHIVE_TYPE, "Properties": archive}),
            );
        }
    }

    pub(super) fn pipe(&mut self, c: &Component, id: &str, p: &PipeProps) {
        let source = self
            .d
            .incoming(&c.id)
            .into_iter()
            .find(|(conn, _)| matches!(conn.kind, ConnectionKind::Poll { .. }));
        let outgoing = self.d.outgoing(&c.id);
        let target = outgoing.iter().find(|(conn, _)| {
            !matches!(
                conn.kind,
                ConnectionKind::Uses { .. } | ConnectionKind::DeadLetter
            )
        });
        let dead_letter = outgoing
            .iter()
            .find(|(conn, _)| matches!(conn.kind, ConnectionKind::DeadLetter))
            .map(|(_, q)| q);
        let enrichment = outgoing
            .iter()
            .find(|(conn, _)| matches!(conn.kind, ConnectionKind::Uses { .. }));
        let (Some((poll, from)), Some((target_conn, to))) = (source, target) else {
            self.notes.push(format!(
                "{}: a pipe needs a source and a target; nothing exported",
                c.name
            ));
            return;
        };
        let Some(target_arn) = self.pipe_arn(to) else {
            self.notes.push(format!(
                "{} -> {}: archsim does not write this pipe target; nothing exported",
                c.name, to.name
            ));
            return;
        };
        let role = format!("{id}Role");
        let sid = self.id(&from.id);
        let mut props = Map::new();
        props.insert("RoleArn".into(), ga(&role, "Arn"));
        let source_arn = if from.kind() == K::DynamoDbTable {
            ga(&sid, "StreamArn")
        } else {
            ga(&sid, "Arn")
        };
        props.insert(PIPE_SOURCE.into(), source_arn);
        if !p.filter_patterns.is_empty() {
            fields::FILTERS.put(&mut props, p);
        }
        let mut dead_letter_statement = None;
        if let Some(path) = source_parameters(from.kind()) {
            let mut params = self.poll_props(&poll.kind, from.kind());
            // Pipes scale their SQS pollers themselves.
            MAX_CONCURRENCY.remove(&mut params);
            // A stream's failed batches go to the dead-letter queue or
            // topic (a queue source redrives by its own policy).
            if let Some(q) = dead_letter.filter(|_| from.kind() != K::SqsQueue) {
                let qid = self.id(&q.id);
                let (arn, action) = if q.kind() == K::SnsTopic {
                    (r(&qid), "sns:Publish")
                } else {
                    (ga(&qid, "Arn"), "sqs:SendMessage")
                };
                params.insert(
                    PIPE_DEAD_LETTER.into(),
                    json!({ PIPE_DEAD_LETTER_ARN: arn.clone() }),
                );
                dead_letter_statement = Some(statement(&[action], vec![arn]));
            }
            put_at(&mut props, path, Value::Object(params));
        }
        if let Some(q) = dead_letter.filter(|_| from.kind() == K::SqsQueue) {
            self.notes.push(format!(
                "{} -> {}: a pipe reading a queue has no dead-letter target of its own (the queue's redrive policy is); not exported: draw the dead-letter connection from {} instead",
                c.name, q.name, from.name
            ));
        }
        if p.max_retry_attempts.is_some() {
            if from.kind() == K::KinesisStream {
                fields::KINESIS_MAX_RETRY.put(&mut props, p);
            } else if from.kind() == K::DynamoDbTable {
                fields::DYNAMODB_MAX_RETRY.put(&mut props, p);
            }
        }
        let enrichment_arn = enrichment.and_then(|(_, e)| self.pipe_arn(e));
        if let (Some((_, e)), None) = (enrichment, &enrichment_arn) {
            self.notes.push(format!(
                "{} -> {}: this enrichment is not exported (an API enrichment names a stage's invoke ARN); add the pipe's Enrichment by hand",
                c.name, e.name
            ));
        }
        if let Some(arn) = &enrichment_arn {
            props.insert(PIPE_ENRICHMENT.into(), arn.clone());
        }
        props.insert(PIPE_TARGET.into(), target_arn.clone());
        let asynchronous = matches!(
            target_conn.kind,
            ConnectionKind::Invoke {
                mode: archsim_model::connection::InvokeMode::Async
            }
        );
        match to.kind() {
            K::LambdaFunction if asynchronous => {
                put_at(&mut props, PIPE_LAMBDA_INVOCATION, json!(FIRE_AND_FORGET))
            }
            K::StepFunctions if asynchronous => put_at(
                &mut props,
                PIPE_STATE_MACHINE_INVOCATION,
                json!(FIRE_AND_FORGET),
            ),
            _ => {}
        }
        if !p.input_template.is_empty() {
            fields::INPUT_TEMPLATE.put(&mut props, p);
        }
        // Exactly what the pipe does: read its source, call its
        // enrichment, deliver to its target.
        let mut statements = self.poll_statements(&c.id);
        statements.extend(self.statements(&c.id));
        if let Some((_, e)) = enrichment {
            statements.extend(self.pipe_call_statement(e, true));
        }
        statements.extend(self.pipe_call_statement(to, false));
        statements.extend(dead_letter_statement);
        let policy = self.inline_policy(&format!("{id}Access"), statements);
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("pipes.amazonaws.com"),
                "Policies": policy.into_iter().collect::<Vec<_>>()}}),
        );
        self.add(
            id.into(),
            json!({"Type": "AWS::Pipes::Pipe", "Properties": props}),
        );
    }

    /// The ARN a pipe names a source, enrichment or target by; `None` for
    /// what archsim does not write as one.
    fn pipe_arn(&self, c: &Component) -> Option<Value> {
        let id = self.id(&c.id);
        match &c.props {
            Props::LambdaFunction(_)
            | Props::SqsQueue(_)
            | Props::EventBus(_)
            | Props::KinesisStream(_)
            | Props::Firehose(_) => Some(ga(&id, "Arn")),
            // A topic's and a state machine's `Ref` is their ARN (a state
            // machine imported before it had a kind is a generic resource).
            Props::SnsTopic(_) | Props::StepFunctions(_) => Some(r(&id)),
            Props::Generic(g) if is_state_machine(&g.resource_type) => Some(r(&id)),
            Props::Generic(_)
            | Props::ApiGateway(_)
            | Props::EcsService(_)
            | Props::Client(_)
            | Props::CloudFront(_)
            | Props::Alb(_)
            | Props::Nlb(_)
            | Props::Clb(_)
            | Props::Cognito(_)
            | Props::Lex(_)
            | Props::Alexa(_)
            | Props::S3Bucket(_)
            | Props::EventBridgeRule(_)
            | Props::EventBridgePipe(_)
            | Props::DynamoDbTable(_)
            | Props::AuroraServerless(_)
            | Props::Rds(_)
            | Props::Ec2Instance(_)
            | Props::EcsCluster(_)
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
            | Props::Secret(_)
            | Props::VpcEndpoint(_) => None,
        }
    }

    /// What the pipe's role needs to call its enrichment, or a target the
    /// compute statements (`statements`, from its connections) do not
    /// cover: a state machine kept as a generic resource.
    fn pipe_call_statement(&self, c: &Component, enrichment: bool) -> Option<Value> {
        let id = self.id(&c.id);
        if let Props::Generic(g) = &c.props
            && is_state_machine(&g.resource_type)
        {
            return Some(statement(
                &["states:StartExecution", "states:StartSyncExecution"],
                vec![r(&id)],
            ));
        }
        (enrichment && c.kind() == K::LambdaFunction)
            .then(|| statement(&["lambda:InvokeFunction"], vec![ga(&id, "Arn")]))
    }
}

/// A Step Functions state machine kept as a generic resource.
fn is_state_machine(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine"
    )
}
