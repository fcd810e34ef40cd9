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
                // The repository the function pulls from, when drawn;
                // one named after the function otherwise.
                let named = sub(&format!(
                    "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{}:${{ImageTag}}",
                    kebab(&c.name)
                ));
                let uri = match self.image_of(&c.id, "") {
                    Value::String(_) => named,
                    repository => repository,
                };
                if sam {
                    props.insert("ImageUri".into(), uri);
                } else {
                    props.insert("Code".into(), json!({"ImageUri": uri}));
                }
            }
        }
        if p.packaging == Packaging::Zip {
            for (conn, to) in self.d.outgoing(&c.id) {
                if matches!(conn.kind, ConnectionKind::PullsImage) {
                    self.notes.push(format!(
                        "{} -> {}: the function is packaged as a .zip archive, so no image is pulled from the repository; set its packaging to image for the export to name the repository",
                        c.name, to.name
                    ));
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
        // topic, or an on-failure destination function or event bus
        // (Lambda Developer Guide, "Capturing records of Lambda
        // asynchronous invocations": an SNS topic, SQS queue, function or
        // EventBridge bus; SAM adds the permission a destination needs,
        // "OnFailure").
        let failure = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::DeadLetter)
                    && matches!(
                        to.kind(),
                        K::SqsQueue | K::SnsTopic | K::LambdaFunction | K::EventBus
                    )
            })
            .map(|(_, to)| (to.kind(), self.id(&to.id)));
        // An on-failure destination on an event bus needs the bus's ARN,
        // which a rule component does not carry: said, not dropped.
        for (conn, to) in self.d.outgoing(&c.id) {
            if matches!(conn.kind, ConnectionKind::DeadLetter) && to.kind() == K::EventBridgeRule {
                self.notes.push(format!(
                    "{}: its failed events to {} are not exported (an EventBridge on-failure destination names an event bus); add the function's EventInvokeConfig by hand",
                    c.name, to.name
                ));
            }
        }
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
            Some((K::EventBus, b)) => {
                failure_statement = Some(statement(&["events:PutEvents"], vec![ga(b, "Arn")]));
                on_failure = Some(json!({"Type": "EventBridge", "Destination": ga(b, "Arn")}));
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
        let alias = lambda::alias_name(p);
        let preference = self.preference(c, p, alias.as_deref());
        if sam {
            if alias.is_some() {
                lambda::AUTO_PUBLISH_ALIAS.put(&mut props, p);
            }
            if let Some(pref) = preference {
                let dep = self.deployment_resources(id, pref, alias.as_deref().unwrap_or_default());
                let role = format!("{id}CodeDeployRole");
                self.codedeploy_role(&role, id, &dep);
                let mut value = lambda::deployment_preference(
                    dep.kind.clone(),
                    dep.alarms.iter().map(|a| r(a)).collect(),
                    dep.pre.as_ref().map(|h| r(h)),
                    dep.post.as_ref().map(|h| r(h)),
                );
                value["Role"] = ga(&role, "Arn");
                lambda::DEPLOYMENT_PREFERENCE.put_value(&mut props, value);
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
            let mut policies = self.sam_policies(&c.id);
            let hooks = self.hook_statements(&c.id);
            if !hooks.is_empty() {
                policies.push(json!({"Statement": hooks}));
            }
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
            stmts.extend(self.hook_statements(&c.id));
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
            if let Some(alias) = &alias {
                self.add(
                    format!("{id}Version"),
                    json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": r(id)}}),
                );
                let mut alias_props = object(
                    json!({"FunctionName": r(id), "FunctionVersion": ga(&format!("{id}Version"), "Version"), "Name": alias}),
                );
                if p.provisioned_concurrency > 0 {
                    lambda::PROVISIONED_CONCURRENCY.put(&mut alias_props, p);
                }
                let mut resource = json!({"Type": "AWS::Lambda::Alias", "Properties": alias_props});
                if let Some(pref) = preference {
                    resource["UpdatePolicy"] = self.codedeploy_group(id, pref, alias);
                    self.notes.push(format!(
                        "{}: CodeDeploy shifts its alias {alias}, but in the CloudFormation flavour its callers invoke the function itself, so a deployment does not shift their traffic; the SAM flavour's events invoke the alias",
                        c.name
                    ));
                }
                self.add(format!("{id}Alias"), resource);
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

/// What a deployment preference is exported as: the configuration
/// (`Canary10Percent5Minutes`, or a `Ref` to a custom one), the alarms'
/// and the hooks' logical ids.
pub(super) struct DeploymentResources {
    kind: Value,
    alarms: Vec<String>,
    pre: Option<String>,
    post: Option<String>,
}

impl<'a> Ctx<'a> {
    /// The function's deployment preference, if it is exported: it needs
    /// an alias (`LAMBDA_DEPLOYMENT_NO_ALIAS` otherwise, and a note).
    fn preference<'p>(
        &mut self,
        c: &Component,
        p: &'p LambdaProps,
        alias: Option<&str>,
    ) -> Option<&'p DeploymentPreference> {
        let pref = p.deployment.as_ref()?.preference.as_ref()?;
        if p.deployment
            .as_ref()?
            .alias
            .as_deref()
            .is_none_or(|a| a.trim().is_empty())
        {
            self.notes.push(format!(
                "{}: its deployment preference is not exported: it has no alias (AutoPublishAlias) to shift",
                c.name
            ));
            return None;
        }
        alias.map(|_| pref)
    }

    /// A hook, if it is another function of the design.
    fn hook(&self, f: &str, hook: Option<&String>) -> Option<String> {
        let h = self.d.component(hook?)?;
        (h.kind() == K::LambdaFunction && h.id != f).then(|| self.id(&h.id))
    }

    /// The alarms and a custom configuration, as resources of their own.
    fn deployment_resources(
        &mut self,
        id: &str,
        pref: &DeploymentPreference,
        alias: &str,
    ) -> DeploymentResources {
        let mut alarms = Vec::new();
        for (i, a) in pref.alarms.iter().enumerate() {
            let name = format!("{id}DeploymentAlarm{}", i + 1);
            self.add(
                name.clone(),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": lambda::alarm_properties(a, &r(id), alias)}),
            );
            alarms.push(name);
        }
        let kind = if pref.shift.is_predefined() {
            json!(pref.shift.name())
        } else {
            self.deployment_config(id, "Lambda", &pref.shift)
        };
        let f = self.component_of(id);
        DeploymentResources {
            kind,
            alarms,
            pre: self.hook(&f, pref.pre_traffic_hook.as_ref()),
            post: self.hook(&f, pref.post_traffic_hook.as_ref()),
        }
    }

    /// The component a function's logical id was given to.
    /// A CodeDeploy deployment configuration of `shift` for one of
    /// `platform`'s deployments (`Lambda`, `ECS`): for the shifts CodeDeploy
    /// has no predefined configuration of. Answers a `Ref` to it.
    pub(super) fn deployment_config(
        &mut self,
        id: &str,
        platform: &str,
        shift: &archsim_model::component::TrafficShift,
    ) -> Value {
        let config = format!("{id}DeploymentConfig");
        self.add(
            config.clone(),
            json!({"Type": "AWS::CodeDeploy::DeploymentConfig", "Properties": {
                "ComputePlatform": platform,
                "TrafficRoutingConfig": lambda::traffic_routing(shift)}}),
        );
        r(&config)
    }

    fn component_of(&self, logical: &str) -> String {
        self.ids
            .iter()
            .find(|(_, l)| l.as_str() == logical)
            .map(|(c, _)| c.clone())
            .unwrap_or_default()
    }

    /// The role CodeDeploy shifts the alias with: reads the alarms,
    /// updates this function's alias, invokes the hooks; nothing else.
    fn codedeploy_role(&mut self, role: &str, id: &str, dep: &DeploymentResources) {
        let mut stmts = vec![statement(
            &[
                "lambda:GetAlias",
                "lambda:UpdateAlias",
                "lambda:GetProvisionedConcurrencyConfig",
            ],
            vec![ga(id, "Arn"), sub(&format!("${{{id}.Arn}}:*"))],
        )];
        if !dep.alarms.is_empty() {
            stmts.push(statement(
                &["cloudwatch:DescribeAlarms"],
                dep.alarms.iter().map(|a| ga(a, "Arn")).collect(),
            ));
        }
        let hooks: Vec<Value> = dep
            .pre
            .iter()
            .chain(dep.post.iter())
            .map(|h| ga(h, "Arn"))
            .collect();
        if !hooks.is_empty() {
            stmts.push(statement(&["lambda:InvokeFunction"], hooks));
        }
        let mut props = json!({"AssumeRolePolicyDocument": trust("codedeploy.amazonaws.com")});
        if let Some(pol) = self.inline_policy(&format!("{id}CodeDeploy"), stmts) {
            props["Policies"] = json!([pol]);
        }
        self.add(
            role.into(),
            json!({"Type": "AWS::IAM::Role", "Properties": props}),
        );
    }

    /// CloudFormation: the CodeDeploy application (one per stack), the
    /// function's deployment group and its role; returns the alias's
    /// `UpdatePolicy`, which makes CloudFormation shift it through
    /// CodeDeploy as SAM does.
    fn codedeploy_group(&mut self, id: &str, pref: &DeploymentPreference, alias: &str) -> Value {
        let dep = self.deployment_resources(id, pref, alias);
        let app = "CodeDeployApplication";
        if !self.resources.contains_key(app) {
            self.add(
                app.into(),
                json!({"Type": "AWS::CodeDeploy::Application", "Properties": {"ComputePlatform": "Lambda"}}),
            );
        }
        let role = format!("{id}CodeDeployRole");
        self.codedeploy_role(&role, id, &dep);
        let config = match &dep.kind {
            Value::String(name) => json!(format!("CodeDeployDefault.Lambda{name}")),
            other => other.clone(),
        };
        let mut group = json!({
            "ApplicationName": r(app),
            "ServiceRoleArn": ga(&role, "Arn"),
            "DeploymentConfigName": config,
            "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
            "AutoRollbackConfiguration": {"Enabled": true, "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        });
        if !dep.alarms.is_empty() {
            group["AlarmConfiguration"] = json!({"Enabled": true,
                "Alarms": dep.alarms.iter().map(|a| json!({"Name": r(a)})).collect::<Vec<_>>()});
        }
        let dg = format!("{id}DeploymentGroup");
        self.add(
            dg.clone(),
            json!({"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": group}),
        );
        let mut update = json!({"ApplicationName": r(app), "DeploymentGroupName": r(&dg)});
        if let Some(h) = &dep.pre {
            update["BeforeAllowTrafficHook"] = r(h);
        }
        if let Some(h) = &dep.post {
            update["AfterAllowTrafficHook"] = r(h);
        }
        json!({"CodeDeployLambdaAliasUpdate": update})
    }

    /// A hook function reports to CodeDeploy on the deployments of the
    /// functions it is a hook of, and invokes their new versions.
    pub(super) fn hook_statements(&self, f: &str) -> Vec<Value> {
        let mut targets = Vec::new();
        for c in self.d.components() {
            let Props::LambdaFunction(p) = &c.props else {
                continue;
            };
            let Some(pref) = p.deployment.as_ref().and_then(|d| d.preference.as_ref()) else {
                continue;
            };
            let hooked = [&pref.pre_traffic_hook, &pref.post_traffic_hook]
                .into_iter()
                .any(|h| h.as_deref() == Some(f));
            if hooked && c.id != f && lambda::alias_name(p).is_some() {
                targets.push(self.id(&c.id));
            }
        }
        if targets.is_empty() {
            return Vec::new();
        }
        let group = if self.sam() {
            "${AWS::StackName}-ServerlessDeploymentApplication-*/*".to_string()
        } else {
            "${CodeDeployApplication}/*".to_string()
        };
        vec![
            statement(
                &["codedeploy:PutLifecycleEventHookExecutionStatus"],
                vec![sub(&format!(
                    "arn:${{AWS::Partition}}:codedeploy:${{AWS::Region}}:${{AWS::AccountId}}:deploymentgroup:{group}"
                ))],
            ),
            statement(
                &["lambda:InvokeFunction"],
                targets
                    .iter()
                    .map(|t| sub(&format!("${{{t}.Arn}}:*")))
                    .collect(),
            ),
        ]
    }
}
