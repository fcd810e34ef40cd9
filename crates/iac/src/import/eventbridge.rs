//! The connections of EventBridge custom buses and Pipes: a rule's
//! `EventBusName` naming a bus of the template puts the rule on it (bus ->
//! rule); a pipe polls its `Source` with the settings of its source
//! parameters, calls its `Enrichment`, and delivers to its `Target` (a
//! function invoked as its invocation type says, a queue, topic, bus or
//! stream published to, a resource archsim does not model referenced).

use super::*;
use crate::properties::event_sources::{POLL, Poll};
use crate::properties::eventbridge::{
    FIRE_AND_FORGET, PIPE_DEAD_LETTER, PIPE_DEAD_LETTER_ARN, PIPE_ENRICHMENT,
    PIPE_LAMBDA_INVOCATION, PIPE_SOURCE, PIPE_STATE_MACHINE_INVOCATION, PIPE_TARGET,
    source_parameters,
};

impl Importer<'_> {
    /// A rule (a resource, or a SAM event's `props`) on a custom bus of
    /// the template.
    pub(super) fn rule_on_bus(&mut self, rule: &str, props: &Value) {
        let Some(bus) = event_sources::EVENT_BUS
            .in_value(props)
            .and_then(ref_target)
            .and_then(|b| self.comp(b))
        else {
            return;
        };
        if self.design.component(&bus).map(Component::kind) == Some(K::EventBus) {
            self.connect(
                &bus,
                rule,
                ConnectionKind::Publishes,
                &format!("{rule} EventBusName"),
            );
        }
    }

    /// A pipe's source (polled), enrichment and target.
    pub(super) fn pipe(&mut self, pipe: &str, props: &Value) {
        let mut sources = BTreeSet::new();
        references(props.get(PIPE_SOURCE).unwrap_or(&Value::Null), &mut sources);
        for s in sources {
            let (Some(source), Some(kind)) = (self.comp(&s), self.kind_of(&s)) else {
                continue;
            };
            let why = format!("{pipe} {PIPE_SOURCE}");
            let params = source_parameters(kind).and_then(|path| {
                path.split('/')
                    .try_fold(props, |v, segment| v.get(segment))
                    .and_then(Value::as_object)
            });
            let poll = params.map(|params| POLL.read(params));
            // A stream's dead-letter queue or topic.
            if let Some(q) = params
                .and_then(|p| p.get(PIPE_DEAD_LETTER))
                .and_then(|d| d.get(PIPE_DEAD_LETTER_ARN))
                .and_then(ref_target)
                .and_then(|q| self.comp(q))
            {
                self.connect(
                    pipe,
                    &q,
                    ConnectionKind::DeadLetter,
                    &format!("{pipe} {PIPE_DEAD_LETTER}"),
                );
            }
            match poll {
                Some(p) => self.connect(&source, pipe, p.kind(), &why),
                None if source_parameters(kind).is_some() => {
                    self.connect(&source, pipe, Poll::default().kind(), &why)
                }
                None => self.connect(&source, pipe, ConnectionKind::References, &why),
            }
        }
        let fire_and_forget = [PIPE_LAMBDA_INVOCATION, PIPE_STATE_MACHINE_INVOCATION]
            .iter()
            .any(|path| {
                path.split('/')
                    .try_fold(props, |v, segment| v.get(segment))
                    .and_then(Value::as_str)
                    == Some(FIRE_AND_FORGET)
            });
        for (key, enrichment) in [(PIPE_ENRICHMENT, true), (PIPE_TARGET, false)] {
            let mut named = BTreeSet::new();
            references(props.get(key).unwrap_or(&Value::Null), &mut named);
            for r in named {
                let (Some(to), Some(kind)) = (self.comp(&r), self.kind_of(&r)) else {
                    continue;
                };
                let how = if enrichment {
                    enrichment_kind(kind)
                } else {
                    target_kind(kind, fire_and_forget)
                };
                self.connect(pipe, &to, how, &format!("{pipe} {key}"));
            }
        }
    }
}

/// How a pipe calls its enrichment: synchronously, its answer sent on
/// (`Uses`); a resource archsim does not model (an API destination, a
/// state machine) is referenced.
fn enrichment_kind(kind: K) -> ConnectionKind {
    match kind {
        K::LambdaFunction | K::ApiGateway => ConnectionKind::Uses {
            access: Access::Read,
        },
        K::Client
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::Lex
        | K::Alexa
        | K::S3Bucket
        | K::SqsQueue
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::KinesisStream
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
        | K::Secret
        | K::VpcEndpoint
        | K::StepFunctions
        | K::Generic => ConnectionKind::References,
    }
}

/// How a pipe delivers to a target of `kind`.
fn target_kind(kind: K, fire_and_forget: bool) -> ConnectionKind {
    match kind {
        K::LambdaFunction if fire_and_forget => Meaning::InvokeAsync.default_kind(),
        K::LambdaFunction | K::ApiGateway => Meaning::InvokeSync.default_kind(),
        K::StepFunctions if fire_and_forget => Meaning::InvokeAsync.default_kind(),
        K::StepFunctions => Meaning::InvokeSync.default_kind(),
        K::EcsService => Meaning::InvokeAsync.default_kind(),
        K::SqsQueue | K::SnsTopic | K::EventBus | K::KinesisStream | K::Firehose => {
            ConnectionKind::Publishes
        }
        K::Client
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::Lex
        | K::Alexa
        | K::S3Bucket
        | K::EventBridgeRule
        | K::EventBridgePipe
        | K::DynamoDbTable
        | K::AuroraServerless
        | K::Rds
        | K::Ec2Instance
        | K::EcsCluster
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
        | K::Secret
        | K::VpcEndpoint
        | K::Generic => ConnectionKind::References,
    }
}
