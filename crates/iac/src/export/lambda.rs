//! Lambda functions: `AWS::Serverless::Function` with SAM Globals, or
//! `AWS::Lambda::Function` with its role, version, alias, event invoke
//! config and function URL.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::ExportError;
use crate::names::kebab;
use crate::properties::{Field, lambda};

impl<'a> Ctx<'a> {
    pub(super) fn sam_globals(&mut self, comps: &[&Component]) {
        let fns: Vec<_> = comps
            .iter()
            .filter_map(|c| {
                let Props::LambdaFunction(p) = &c.props else {
                    return None;
                };
                Some(p)
            })
            .collect();
        if fns.is_empty() {
            return;
        }
        let mut f = Map::new();
        let first = fns[0];
        if fns
            .iter()
            .all(|p| p.packaging == Packaging::Zip && p.runtime == first.runtime)
        {
            lambda::RUNTIME.put(&mut f, first);
        }
        if fns.iter().all(|p| p.architecture == first.architecture) {
            lambda::ARCHITECTURE.put(&mut f, first);
        }
        if fns.iter().all(|p| p.tracing) {
            lambda::TRACING.put(&mut f, first);
        }
        if !f.is_empty() {
            self.globals.insert("Function".into(), Value::Object(f));
        }
    }

    /// Whether SAM's Globals set `field` for every function.
    pub(super) fn global(&self, field: &Field<LambdaProps>) -> bool {
        lambda::in_globals(&self.globals, field)
    }

    pub(super) fn function(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &LambdaProps,
    ) -> Result<(), ExportError> {
        let sam = self.sam();
        let mut props = Map::new();
        match p.packaging {
            Packaging::Zip => {
                let key = format!("functions/{}.zip", kebab(&c.name));
                if sam {
                    props.insert(
                        "CodeUri".into(),
                        json!({"Bucket": r("ArtifactBucket"), "Key": key}),
                    );
                } else {
                    props.insert(
                        "Code".into(),
                        json!({"S3Bucket": r("ArtifactBucket"), "S3Key": key}),
                    );
                }
                lambda::HANDLER.put(&mut props, p);
                if !(sam && self.global(&lambda::RUNTIME)) {
                    lambda::RUNTIME.put(&mut props, p);
                }
            }
            Packaging::Image => {
                lambda::PACKAGE_TYPE.put(&mut props, p);
                let uri = sub(&format!(
                    "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{}:${{ImageTag}}",
                    kebab(&c.name)
                ));
                if sam {
                    props.insert("ImageUri".into(), uri);
                } else {
                    props.insert("Code".into(), json!({"ImageUri": uri}));
                }
            }
        }
        if !sam {
            props.insert("Role".into(), ga(&format!("{id}Role"), "Arn"));
        }
        lambda::MEMORY.put(&mut props, p);
        lambda::TIMEOUT.put(&mut props, p);
        if !(sam && self.global(&lambda::ARCHITECTURE)) {
            lambda::ARCHITECTURE.put(&mut props, p);
        }
        if p.ephemeral_storage_mb != 512 {
            lambda::EPHEMERAL_STORAGE.put(&mut props, p);
        }
        if p.reserved_concurrency.is_some() {
            lambda::RESERVED_CONCURRENCY.put(&mut props, p);
        }
        if p.tracing && !(sam && self.global(&lambda::TRACING)) {
            if sam {
                lambda::TRACING.put(&mut props, p);
            } else {
                lambda::TRACING_CONFIG.put(&mut props, p);
            }
        }
        let mut env = match (lambda::ENVIRONMENT.write)(p) {
            Value::Object(vars) => vars,
            _ => Map::new(),
        };
        for (k, v) in self.env_for(&c.id) {
            env.entry(k).or_insert(v);
        }
        if !env.is_empty() {
            lambda::ENVIRONMENT.put_value(&mut props, Value::Object(env));
        }
        // Where failed asynchronous events go: a dead-letter queue or
        // topic, or an on-failure destination function.
        let failure = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::DeadLetter)
                    && matches!(to.kind(), K::SqsQueue | K::SnsTopic | K::LambdaFunction)
            })
            .map(|(_, to)| (to.kind(), self.id(&to.id)));
        let mut failure_statement = None;
        let mut on_failure = None;
        match &failure {
            Some((K::SqsQueue, q)) => {
                failure_statement = Some(statement(&["sqs:SendMessage"], vec![ga(q, "Arn")]));
                if sam {
                    props.insert(
                        "DeadLetterQueue".into(),
                        json!({"Type": "SQS", "TargetArn": ga(q, "Arn")}),
                    );
                } else {
                    props.insert(
                        "DeadLetterConfig".into(),
                        json!({"TargetArn": ga(q, "Arn")}),
                    );
                }
            }
            Some((K::SnsTopic, t)) => {
                failure_statement = Some(statement(&["sns:Publish"], vec![r(t)]));
                if sam {
                    props.insert(
                        "DeadLetterQueue".into(),
                        json!({"Type": "SNS", "TargetArn": r(t)}),
                    );
                } else {
                    props.insert("DeadLetterConfig".into(), json!({"TargetArn": r(t)}));
                }
            }
            Some((_, f)) => {
                failure_statement = Some(statement(&["lambda:InvokeFunction"], vec![ga(f, "Arn")]));
                on_failure = Some(json!({"Type": "Lambda", "Destination": ga(f, "Arn")}));
            }
            None => {}
        }
        let custom_async = p.max_event_age_s != 21_600 || p.max_retry_attempts != 2;
        if p.snap_start && p.runtime == Runtime::Java {
            lambda::SNAP_START.put(&mut props, p);
        }
        let alias = p.provisioned_concurrency > 0 || (p.snap_start && p.runtime == Runtime::Java);
        if sam {
            if alias {
                props.insert("AutoPublishAlias".into(), json!("live"));
            }
            if p.provisioned_concurrency > 0 {
                lambda::PROVISIONED_CONCURRENCY.put(&mut props, p);
            }
            if custom_async {
                lambda::MAX_EVENT_AGE.put(&mut props, p);
                lambda::MAX_RETRY_ATTEMPTS.put(&mut props, p);
            }
            if let Some(d) = &on_failure {
                // SAM adds the invoke permission a destination needs.
                let config = props
                    .entry("EventInvokeConfig")
                    .or_insert_with(|| json!({}));
                config["DestinationConfig"] = json!({"OnFailure": d});
            }
            let policies = self.sam_policies(&c.id);
            if !policies.is_empty() {
                props.insert("Policies".into(), Value::Array(policies));
            }
            let events = self.sam_events(c)?;
            if !events.is_empty() {
                props.insert("Events".into(), Value::Object(events));
            }
            if self.has_function_url(&c.id) {
                props.insert("FunctionUrlConfig".into(), json!({"AuthType": "AWS_IAM"}));
                self.outputs.insert(
                    format!("{id}FunctionUrl"),
                    json!({"Description": format!("Function URL of {}", c.name), "Value": ga(&format!("{id}Url"), "FunctionUrl")}),
                );
            }
            self.add(
                id.into(),
                json!({"Type": "AWS::Serverless::Function", "Properties": props}),
            );
        } else {
            let role = format!("{id}Role");
            self.add(
                id.into(),
                json!({"Type": "AWS::Lambda::Function", "Properties": props}),
            );
            let mut managed_arns = vec![managed("service-role/AWSLambdaBasicExecutionRole")];
            if p.tracing {
                managed_arns.push(managed("AWSXrayWriteOnlyAccess"));
            }
            let mut stmts = self.statements(&c.id);
            stmts.extend(failure_statement);
            stmts.extend(self.poll_statements(&c.id));
            let mut role_props = json!({
                "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
                "ManagedPolicyArns": managed_arns,
            });
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                role_props["Policies"] = json!([pol]);
            }
            self.add(
                role,
                json!({"Type": "AWS::IAM::Role", "Properties": role_props}),
            );
            if custom_async || on_failure.is_some() {
                let mut config = object(json!({"FunctionName": r(id), "Qualifier": "$LATEST"}));
                if custom_async {
                    config.insert("MaximumEventAgeInSeconds".into(), json!(p.max_event_age_s));
                    config.insert("MaximumRetryAttempts".into(), json!(p.max_retry_attempts));
                }
                if let Some(d) = &on_failure {
                    config.insert(
                        "DestinationConfig".into(),
                        json!({"OnFailure": {"Destination": d["Destination"]}}),
                    );
                }
                self.add(
                    format!("{id}EventInvokeConfig"),
                    json!({"Type": "AWS::Lambda::EventInvokeConfig", "Properties": config}),
                );
            }
            if alias {
                self.add(
                    format!("{id}Version"),
                    json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": r(id)}}),
                );
                let mut alias_props = object(
                    json!({"FunctionName": r(id), "FunctionVersion": ga(&format!("{id}Version"), "Version"), "Name": "live"}),
                );
                if p.provisioned_concurrency > 0 {
                    lambda::PROVISIONED_CONCURRENCY.put(&mut alias_props, p);
                }
                self.add(
                    format!("{id}Alias"),
                    json!({"Type": "AWS::Lambda::Alias", "Properties": alias_props}),
                );
            }
            self.cfn_event_sources(c, id)?;
            if self.has_function_url(&c.id) {
                self.add(
                    format!("{id}Url"),
                    json!({"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": ga(id, "Arn"), "AuthType": "AWS_IAM"}}),
                );
                self.outputs.insert(
                    format!("{id}FunctionUrl"),
                    json!({"Description": format!("Function URL of {}", c.name), "Value": ga(&format!("{id}Url"), "FunctionUrl")}),
                );
            }
        }
        Ok(())
    }

    /// A client calling a function directly reaches it through a function
    /// URL. It is IAM-authenticated: an open URL is a choice the user
    /// should make by hand.
    pub(super) fn has_function_url(&self, f: &str) -> bool {
        self.d.incoming(f).iter().any(|(conn, from)| {
            from.kind() == K::Client && matches!(conn.kind, ConnectionKind::Invoke { .. })
        })
    }
}
