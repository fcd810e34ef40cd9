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

impl<'a> Ctx<'a> {
    pub(super) fn sam_globals(&mut self, comps: &[&Component]) {
        let fns: Vec<_> = comps
            .iter()
            .filter_map(|c| match &c.props {
                Props::LambdaFunction(p) => Some(p),
                _ => None,
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
            f.insert("Runtime".into(), json!(first.runtime.aws_runtime()));
        }
        if fns.iter().all(|p| p.architecture == first.architecture) {
            f.insert("Architectures".into(), json!([arch(first.architecture)]));
        }
        if fns.iter().all(|p| p.tracing) {
            f.insert("Tracing".into(), json!("Active"));
        }
        if !f.is_empty() {
            self.globals.insert("Function".into(), Value::Object(f));
        }
    }

    pub(super) fn global(&self, key: &str) -> bool {
        self.globals
            .get("Function")
            .and_then(|f| f.get(key))
            .is_some()
    }

    pub(super) fn function(&mut self, c: &'a Component, id: &str) -> Result<(), ExportError> {
        let Props::LambdaFunction(p) = &c.props else {
            return Ok(());
        };
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
                props.insert("Handler".into(), json!(p.handler));
                if !(sam && self.global("Runtime")) {
                    props.insert("Runtime".into(), json!(p.runtime.aws_runtime()));
                }
            }
            Packaging::Image => {
                props.insert("PackageType".into(), json!("Image"));
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
        props.insert("MemorySize".into(), json!(p.memory_mb));
        props.insert("Timeout".into(), json!(p.timeout_s));
        if !(sam && self.global("Architectures")) {
            props.insert("Architectures".into(), json!([arch(p.architecture)]));
        }
        if p.ephemeral_storage_mb != 512 {
            props.insert(
                "EphemeralStorage".into(),
                json!({"Size": p.ephemeral_storage_mb}),
            );
        }
        if let Some(n) = p.reserved_concurrency {
            props.insert("ReservedConcurrentExecutions".into(), json!(n));
        }
        if p.tracing && !(sam && self.global("Tracing")) {
            if sam {
                props.insert("Tracing".into(), json!("Active"));
            } else {
                props.insert("TracingConfig".into(), json!({"Mode": "Active"}));
            }
        }
        let mut env = Map::new();
        for (k, v) in &p.environment {
            env.insert(k.clone(), json!(v));
        }
        for (k, v) in self.env_for(&c.id) {
            env.entry(k).or_insert(v);
        }
        if !env.is_empty() {
            props.insert("Environment".into(), json!({"Variables": env}));
        }
        let dlq = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::SqsQueue
            })
            .map(|(_, to)| self.id(&to.id));
        if let Some(q) = &dlq {
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
        let custom_async = p.max_event_age_s != 21_600 || p.max_retry_attempts != 2;
        if p.snap_start && p.runtime == Runtime::Java {
            props.insert("SnapStart".into(), json!({"ApplyOn": "PublishedVersions"}));
        }
        let alias = p.provisioned_concurrency > 0 || (p.snap_start && p.runtime == Runtime::Java);
        if sam {
            if alias {
                props.insert("AutoPublishAlias".into(), json!("live"));
            }
            if p.provisioned_concurrency > 0 {
                props.insert(
                    "ProvisionedConcurrencyConfig".into(),
                    json!({"ProvisionedConcurrentExecutions": p.provisioned_concurrency}),
                );
            }
            if custom_async {
                props.insert(
                    "EventInvokeConfig".into(),
                    json!({"MaximumEventAgeInSeconds": p.max_event_age_s, "MaximumRetryAttempts": p.max_retry_attempts}),
                );
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
            if let Some(q) = &dlq {
                stmts.push(statement(&["sqs:SendMessage"], vec![ga(q, "Arn")]));
            }
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
            if custom_async {
                self.add(
                    format!("{id}EventInvokeConfig"),
                    json!({"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
                        "FunctionName": r(id), "Qualifier": "$LATEST",
                        "MaximumEventAgeInSeconds": p.max_event_age_s, "MaximumRetryAttempts": p.max_retry_attempts}}),
                );
            }
            if alias {
                self.add(
                    format!("{id}Version"),
                    json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": r(id)}}),
                );
                let mut alias_props = json!({"FunctionName": r(id), "FunctionVersion": ga(&format!("{id}Version"), "Version"), "Name": "live"});
                if p.provisioned_concurrency > 0 {
                    alias_props["ProvisionedConcurrencyConfig"] =
                        json!({"ProvisionedConcurrentExecutions": p.provisioned_concurrency});
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

pub(super) fn arch(a: Architecture) -> &'static str {
    match a {
        Architecture::X86_64 => "x86_64",
        Architecture::Arm64 => "arm64",
    }
}
