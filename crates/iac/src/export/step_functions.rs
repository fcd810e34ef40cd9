//! Step Functions state machines: SAM's `AWS::Serverless::StateMachine`
//! (policy templates where one is exactly the access) or CloudFormation's
//! `AWS::StepFunctions::StateMachine` with a role of its own. Either way the
//! role may do exactly what the connections say on exactly the connected
//! resources, and each `${Variable}` of the definition is substituted with
//! the reference its Task needs (a function's ARN, a queue's URL, a
//! table's name). The production profile turns on execution logging (to a
//! log group of the machine's own) and X-Ray tracing.

use archsim_model::component::{StepFunctionsProps, WorkflowLogLevel};
use archsim_model::{Component, ComponentKind as K, Props};
use serde_json::{Map, Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::properties::step_functions::{
    CFN_LOG_LEVEL, DEFINITION, DEFINITION_SUBSTITUTIONS, LOG_LEVEL, SAM_TRACING, SAM_TYPE,
    STATE_MACHINE_TYPE, TRACING_CONFIGURATION,
};

/// The log-delivery actions Step Functions needs to write execution
/// history; AWS's log delivery APIs take no resource ARN, so `*` is the
/// only resource they accept (Step Functions Developer Guide, "IAM
/// policies for logging to CloudWatch Logs").
const LOG_DELIVERY: &[&str] = &[
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
];

impl<'a> Ctx<'a> {
    pub(super) fn state_machine(&mut self, c: &'a Component, id: &str, p: &StepFunctionsProps) {
        if p.definition.is_null() {
            self.notes.push(format!(
                "{}: no definition (a DefinitionUri file that was not read); nothing exported",
                c.name
            ));
            return;
        }
        let p = p.deployed(self.opts.profile_for(self.d));
        let mut props = Map::new();
        if self.sam() {
            SAM_TYPE.put(&mut props, &p);
        } else {
            STATE_MACHINE_TYPE.put(&mut props, &p);
        }
        DEFINITION.put(&mut props, &p);
        let subs = self.substitutions(&p);
        if !subs.is_empty() {
            DEFINITION_SUBSTITUTIONS.put_value(&mut props, Value::Object(subs));
        }
        let log_group = format!("{id}LogGroup");
        let logging = p.logging != WorkflowLogLevel::Off;
        if logging {
            self.add(
                log_group.clone(),
                json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                    "LogGroupName": sub(&format!("/aws/vendedlogs/states/${{AWS::StackName}}-{id}")),
                    "RetentionInDays": 30}}),
            );
            let level = if self.sam() {
                &LOG_LEVEL
            } else {
                &CFN_LOG_LEVEL
            };
            level.put(&mut props, &p);
            let key = level.path.split('/').next().unwrap_or_default();
            if let Some(Value::Object(config)) = props.get_mut(key) {
                config.insert("IncludeExecutionData".into(), json!(false));
                config.insert(
                    "Destinations".into(),
                    json!([{"CloudWatchLogsLogGroup": {"LogGroupArn": ga(&log_group, "Arn")}}]),
                );
            }
        }
        if p.tracing {
            if self.sam() {
                SAM_TRACING.put(&mut props, &p);
            } else {
                TRACING_CONFIGURATION.put(&mut props, &p);
            }
        }
        let mut extra = Vec::new();
        if logging {
            extra.push(statement(LOG_DELIVERY, vec![json!("*")]));
        }
        // X-Ray's trace APIs take no resource ARN: AWS's managed
        // write-only policy, as traced functions get.
        let xray = managed("AWSXrayWriteOnlyAccess");
        if self.sam() {
            let mut policies = self.sam_policies(&c.id);
            if !extra.is_empty() {
                policies.push(json!({"Version": "2012-10-17", "Statement": extra}));
            }
            if p.tracing {
                policies.push(json!("AWSXrayWriteOnlyAccess"));
            }
            if !policies.is_empty() {
                props.insert("Policies".into(), Value::Array(policies));
            }
            self.add(
                id.to_string(),
                json!({"Type": "AWS::Serverless::StateMachine", "Properties": props}),
            );
            return;
        }
        let role = format!("{id}Role");
        let mut statements = self.statements(&c.id);
        statements.extend(extra);
        let mut role_props = Map::new();
        role_props.insert(
            "AssumeRolePolicyDocument".into(),
            trust("states.amazonaws.com"),
        );
        if p.tracing {
            role_props.insert("ManagedPolicyArns".into(), json!([xray]));
        }
        if !statements.is_empty() {
            role_props.insert(
                "Policies".into(),
                json!([{"PolicyName": format!("{id}Policy"), "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": statements}}]),
            );
        }
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": role_props}),
        );
        props.insert("RoleArn".into(), ga(&role, "Arn"));
        self.add(
            id.to_string(),
            json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": props}),
        );
    }

    /// Each `${Variable}` mapped to a component of the design: the
    /// reference its Task's parameter takes.
    fn substitutions(&self, p: &StepFunctionsProps) -> Map<String, Value> {
        let mut out = Map::new();
        for (var, target) in &p.substitutions {
            let Some(to) = self.d.component(target) else {
                continue;
            };
            let tid = self.id(&to.id);
            let value = match to.kind() {
                K::LambdaFunction => ga(&tid, "Arn"),
                K::EventBridgeRule => match &to.props {
                    Props::EventBridgeRule(rule) => json!(rule.event_bus),
                    _ => continue,
                },
                K::Client | K::ExternalRegistry | K::EventBridgePipe | K::VpcEndpoint => continue,
                // A table's name, a queue's URL, a topic's, state
                // machine's or task definition's ARN: each one's `Ref`.
                K::ApiGateway
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
                | K::KinesisStream
                | K::Firehose
                | K::DynamoDbTable
                | K::AuroraServerless
                | K::Rds
                | K::StepFunctions
                | K::EventBus
                | K::Secret
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
                | K::IamRole
                | K::Generic => r(&tid),
            };
            out.insert(var.clone(), value);
        }
        out
    }
}
