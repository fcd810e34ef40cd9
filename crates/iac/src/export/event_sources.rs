//! Event sources of functions: SAM events, event source mappings, SNS
//! subscriptions and permissions, S3 notification filters, and
//! EventBridge rules with their targets.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::ExportError;
use crate::properties::event_sources::{self, Poll};
use crate::properties::{data_stores, messaging};

impl<'a> Ctx<'a> {
    /// A `Poll` connection's settings, as an event source mapping or a SAM
    /// event from `source` writes them.
    pub(super) fn poll_props(&self, conn_kind: &ConnectionKind, source: K) -> Map<String, Value> {
        let mut m = Map::new();
        let Some(p) = Poll::of(conn_kind) else {
            return m;
        };
        event_sources::BATCH_SIZE.put(&mut m, &p);
        if p.batching_window_s > 0 {
            event_sources::BATCHING_WINDOW.put(&mut m, &p);
        }
        if source != K::SqsQueue {
            event_sources::STARTING_POSITION.put(&mut m, &p);
            if p.parallelization_factor > 1 {
                event_sources::PARALLELIZATION.put(&mut m, &p);
            }
        }
        if p.max_concurrency.is_some() && source == K::SqsQueue {
            event_sources::MAX_CONCURRENCY.put(&mut m, &p);
        }
        m
    }

    pub(super) fn sam_events(&self, f: &Component) -> Result<Map<String, Value>, ExportError> {
        let mut events = Map::new();
        for (conn, from) in self.d.incoming(&f.id) {
            let sid = self.id(&from.id);
            let invoke = matches!(conn.kind, ConnectionKind::Invoke { .. });
            let poll = matches!(conn.kind, ConnectionKind::Poll { .. });
            let (name, event) = match &from.props {
                // A REST API written as plain CloudFormation integrates
                // its functions itself.
                Props::ApiGateway(api) if invoke && !self.sam_api(api.api_type) => continue,
                Props::ApiGateway(api) if invoke => {
                    let path = self.api_path(&from.id, f);
                    match api.api_type {
                        ApiType::Rest => (
                            format!("{sid}Request"),
                            json!({"Type": "Api", "Properties": {"RestApiId": r(&sid), "Path": path, "Method": "ANY"}}),
                        ),
                        ApiType::Http => (
                            format!("{sid}Request"),
                            json!({"Type": "HttpApi", "Properties": {"ApiId": r(&sid), "Path": path, "Method": "ANY"}}),
                        ),
                    }
                }
                Props::S3Bucket(b) if invoke => {
                    let mut props = json!({"Bucket": r(&sid), "Events": b.events});
                    if let Some(filter) = data_stores::key_filter(b) {
                        props["Filter"] = filter;
                    }
                    (
                        format!("{sid}Event"),
                        json!({"Type": "S3", "Properties": props}),
                    )
                }
                Props::SnsTopic(_) if invoke => {
                    let mut props = Map::new();
                    props.insert("Topic".into(), r(&sid));
                    messaging::SUBSCRIPTION_FILTER.put_filter(&mut props, &conn.filter_policy);
                    self.put_subscription_dead_letter(&from.id, &mut props);
                    (
                        format!("{sid}Message"),
                        json!({"Type": "SNS", "Properties": props}),
                    )
                }
                Props::EventBridgeRule(rule) if invoke && self.rule_embedded(&from.id) => {
                    let mut props = Map::new();
                    if rule.event_pattern.is_empty() {
                        event_sources::SAM_SCHEDULE.put(&mut props, rule);
                        (
                            sid.clone(),
                            json!({"Type": "Schedule", "Properties": props}),
                        )
                    } else {
                        event_sources::SAM_PATTERN.put_value(&mut props, pattern(from, rule)?);
                        if let Some(bus) = self.rule_bus(&from.id) {
                            event_sources::EVENT_BUS.put_value(&mut props, r(&bus));
                        } else if rule.event_bus != "default" {
                            event_sources::EVENT_BUS.put(&mut props, rule);
                        }
                        (
                            sid.clone(),
                            json!({"Type": "EventBridgeRule", "Properties": props}),
                        )
                    }
                }
                Props::SqsQueue(_) if poll => {
                    let mut props = Map::new();
                    props.insert("Queue".into(), ga(&sid, "Arn"));
                    props.extend(self.poll_props(&conn.kind, K::SqsQueue));
                    (
                        format!("{sid}Messages"),
                        json!({"Type": "SQS", "Properties": props}),
                    )
                }
                Props::KinesisStream(_) if poll => {
                    let mut props = Map::new();
                    props.insert("Stream".into(), ga(&sid, "Arn"));
                    props.extend(self.poll_props(&conn.kind, K::KinesisStream));
                    (
                        format!("{sid}Records"),
                        json!({"Type": "Kinesis", "Properties": props}),
                    )
                }
                Props::DynamoDbTable(_) if poll => {
                    let mut props = Map::new();
                    props.insert("Stream".into(), ga(&sid, "StreamArn"));
                    props.extend(self.poll_props(&conn.kind, K::DynamoDbTable));
                    (
                        format!("{sid}Stream"),
                        json!({"Type": "DynamoDB", "Properties": props}),
                    )
                }
                // Not an event of the function: a rule with other targets
                // is a resource of its own; load balancers, clients and the
                // rest reach a function through their own resources.
                Props::ApiGateway(_)
                | Props::S3Bucket(_)
                | Props::SnsTopic(_)
                | Props::EventBridgeRule(_)
                | Props::EventBus(_)
                | Props::EventBridgePipe(_)
                | Props::SqsQueue(_)
                | Props::KinesisStream(_)
                | Props::DynamoDbTable(_)
                | Props::Client(_)
                | Props::CloudFront(_)
                | Props::Alb(_)
                | Props::Nlb(_)
                | Props::Clb(_)
                | Props::Cognito(_)
                | Props::Secret(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::Firehose(_)
                | Props::AuroraServerless(_)
                | Props::Rds(_)
                | Props::LambdaFunction(_)
                | Props::StepFunctions(_)
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
                | Props::Generic(_) => continue,
            };
            events.insert(name, event);
        }
        Ok(events)
    }

    /// In SAM, a rule whose every target is a function is written as an
    /// event of those functions.
    pub(super) fn rule_embedded(&self, rule: &str) -> bool {
        let out = self.d.outgoing(rule);
        self.sam() && !out.is_empty() && out.iter().all(|(_, to)| to.kind() == K::LambdaFunction)
    }

    pub(super) fn cfn_event_sources(&mut self, f: &Component, id: &str) -> Result<(), ExportError> {
        for (conn, from) in self.d.incoming(&f.id) {
            let sid = self.id(&from.id);
            let poll = matches!(conn.kind, ConnectionKind::Poll { .. });
            match from.kind() {
                K::SqsQueue | K::KinesisStream | K::DynamoDbTable if poll => {
                    let arn = if from.kind() == K::DynamoDbTable {
                        ga(&sid, "StreamArn")
                    } else {
                        ga(&sid, "Arn")
                    };
                    let mut props = Map::new();
                    props.insert("FunctionName".into(), r(id));
                    props.insert("EventSourceArn".into(), arn);
                    props.extend(self.poll_props(&conn.kind, from.kind()));
                    self.add(
                        format!("{id}{sid}Mapping"),
                        json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": props}),
                    );
                }
                K::SnsTopic if matches!(conn.kind, ConnectionKind::Invoke { .. }) => {
                    self.add(
                        format!("{id}{sid}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(id, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "sns.amazonaws.com", "SourceArn": r(&sid)}}),
                    );
                    let mut props = object(json!({
                        "TopicArn": r(&sid), "Protocol": "lambda", "Endpoint": ga(id, "Arn")}));
                    messaging::SUBSCRIPTION_FILTER.put_filter(&mut props, &conn.filter_policy);
                    self.put_subscription_dead_letter(&from.id, &mut props);
                    self.add(
                        format!("{id}{sid}Subscription"),
                        json!({"Type": "AWS::SNS::Subscription", "Properties": props}),
                    );
                }
                // The source writes the permission itself (API Gateway, S3,
                // EventBridge, load balancers), or there is nothing to wire.
                K::SqsQueue
                | K::KinesisStream
                | K::DynamoDbTable
                | K::SnsTopic
                | K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Secret
                | K::Lex
                | K::Alexa
                | K::S3Bucket
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
                | K::Generic => {}
            }
        }
        Ok(())
    }

    pub(super) fn rule(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::EventBridgeRuleProps,
    ) -> Result<(), ExportError> {
        if self.rule_embedded(&c.id) {
            return Ok(());
        }
        let mut props = Map::new();
        if p.event_pattern.is_empty() {
            event_sources::SCHEDULE_EXPRESSION.put(&mut props, p);
        } else {
            event_sources::EVENT_PATTERN.put_value(&mut props, pattern(c, p)?);
            if let Some(bus) = self.rule_bus(&c.id) {
                event_sources::EVENT_BUS.put_value(&mut props, r(&bus));
            } else if p.event_bus != "default" {
                event_sources::EVENT_BUS.put(&mut props, p);
            }
        }
        props.insert("State".into(), json!("ENABLED"));
        let mut targets = Vec::new();
        for (_, to) in self.d.outgoing(&c.id) {
            let tid = self.id(&to.id);
            match to.kind() {
                K::LambdaFunction => {
                    targets.push(json!({"Id": tid, "Arn": ga(&tid, "Arn")}));
                    self.add(
                        format!("{tid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&tid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "events.amazonaws.com", "SourceArn": ga(id, "Arn")}}),
                    );
                }
                K::SqsQueue => {
                    targets.push(json!({"Id": tid, "Arn": ga(&tid, "Arn")}));
                    // The queue must let exactly this rule send to it.
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                            "Queues": [r(&tid)],
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage", "Resource": ga(&tid, "Arn"),
                                "Condition": {"ArnEquals": {"aws:SourceArn": ga(id, "Arn")}}}]}}}),
                    );
                }
                K::SnsTopic => {
                    targets.push(json!({"Id": tid, "Arn": r(&tid)}));
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {
                            "Topics": [r(&tid)],
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sns:Publish", "Resource": r(&tid),
                                "Condition": {"ArnEquals": {"aws:SourceArn": ga(id, "Arn")}}}]}}}),
                    );
                }
                K::KinesisStream => {
                    // Kinesis targets need a role the rule assumes.
                    let role = format!("{id}To{tid}Role");
                    self.add(
                        role.clone(),
                        json!({"Type": "AWS::IAM::Role", "Properties": {
                            "AssumeRolePolicyDocument": trust("events.amazonaws.com"),
                            "Policies": [{"PolicyName": format!("{id}PutRecords"), "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [statement(&["kinesis:PutRecord", "kinesis:PutRecords"], vec![ga(&tid, "Arn")])]}}]}}),
                    );
                    targets.push(
                        json!({"Id": tid, "Arn": ga(&tid, "Arn"), "RoleArn": ga(&role, "Arn"),
                        "KinesisParameters": {"PartitionKeyPath": "$.id"}}),
                    );
                }
                K::StepFunctions => {
                    // A rule starts executions through a role allowed
                    // exactly that on exactly this state machine.
                    let role = format!("{id}To{tid}Role");
                    self.add(
                        role.clone(),
                        json!({"Type": "AWS::IAM::Role", "Properties": {
                            "AssumeRolePolicyDocument": trust("events.amazonaws.com"),
                            "Policies": [{"PolicyName": format!("{id}StartExecution"), "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [statement(&["states:StartExecution"], vec![r(&tid)])]}}]}}),
                    );
                    targets.push(json!({"Id": tid, "Arn": r(&tid), "RoleArn": ga(&role, "Arn")}));
                }
                K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Secret
                | K::Lex
                | K::Alexa
                | K::S3Bucket
                | K::EventBridgeRule
                | K::EventBus
                | K::EventBridgePipe
                | K::Firehose
                | K::DynamoDbTable
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
                | K::Generic => self.notes.push(format!(
                    "{} -> {}: this rule target is not exported",
                    c.name, to.name
                )),
            }
        }
        if !targets.is_empty() {
            props.insert("Targets".into(), Value::Array(targets));
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::Events::Rule", "Properties": props}),
        );
        Ok(())
    }
}

/// A rule's event pattern as JSON; export fails on one that is not.
pub(super) fn pattern(c: &Component, p: &EventBridgeRuleProps) -> Result<Value, ExportError> {
    event_sources::event_pattern(p).map_err(|e| ExportError::Component {
        component: c.id.clone(),
        message: format!("the event pattern is not JSON: {e}"),
    })
}
