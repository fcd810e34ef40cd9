//! API Gateway AWS service integrations: what an API does with the table,
//! queue, stream, topic, bus or state machine an integration calls.
//!
//! The integration's URI (`arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem`,
//! `...:sqs:path/${AWS::AccountId}/${Queue.QueueName}`) or an HTTP API's
//! `IntegrationSubtype` (`SQS-SendMessage`) names the service and the
//! action; the action decides the connection (a `Query` is a read, a
//! `PutItem` a write, a `SendMessage` a publish). The resource is the one
//! of that service the integration names (its request template or
//! parameters), or else the one the integration's credentials role may
//! call that action on: a role allowed `kinesis:PutRecord` on one stream
//! is the evidence of which stream a `PutRecord` method writes.

use super::*;

/// The service and action an integration calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ServiceCall {
    /// The IAM service prefix (`dynamodb`, `sqs`, `states`).
    pub service: String,
    /// The API action (`PutItem`), when the integration names one.
    pub action: Option<String>,
}

/// The text of a string given plainly, by `Fn::Sub` or by `Fn::Join`, each
/// intrinsic inside replaced by `-` (enough to read the URI's shape).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if m.len() == 1 => {
            if let Some(sub) = m.get("Fn::Sub") {
                let s = match sub {
                    Value::String(s) => s,
                    Value::Array(a) => a.first()?.as_str()?,
                    _ => return None,
                };
                let mut plain = s.to_string();
                for var in crate::template::sub_variables(s) {
                    plain = plain.replace(&format!("${{{var}}}"), "-");
                }
                return Some(plain);
            }
            if let Some(Value::Array(join)) = m.get("Fn::Join") {
                let sep = join.first()?.as_str()?;
                let parts = join.get(1)?.as_array()?;
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| text_of(p).unwrap_or_else(|| "-".into()))
                    .collect();
                return Some(parts.join(sep));
            }
            None
        }
        _ => None,
    }
}

/// The service and action an integration (a REST method's `Integration`,
/// an HTTP API integration's properties, or an OpenAPI
/// `x-amazon-apigateway-integration`) calls; `None` for a Lambda proxy,
/// HTTP or mock integration.
pub(super) fn service_call(integration: &Value) -> Option<ServiceCall> {
    // (`integrationSubtype` in an OpenAPI definition.)
    if let Some(subtype) = ["IntegrationSubtype", "integrationSubtype"]
        .iter()
        .find_map(|k| integration.get(*k))
        .and_then(Value::as_str)
    {
        let (service, action) = subtype.split_once('-')?;
        let service = match service.to_ascii_lowercase().as_str() {
            "eventbridge" => "events".to_string(),
            "stepfunctions" => "states".to_string(),
            s => s.to_string(),
        };
        return Some(ServiceCall {
            service,
            action: Some(action.to_string()),
        });
    }
    let uri = ["Uri", "IntegrationUri", "uri"]
        .iter()
        .find_map(|k| integration.get(*k))
        .and_then(text_of)?;
    // arn:aws:apigateway:{region}:{subdomain.}{service}:{action|path}/{...}
    let rest = uri.splitn(5, ':').collect::<Vec<_>>();
    let [_, _, "apigateway", _, tail] = rest.as_slice() else {
        return None;
    };
    let (service, how) = tail.split_once(':')?;
    let service = service.rsplit('.').next().unwrap_or(service);
    if service == "lambda" {
        // A Lambda proxy integration: the permission draws it.
        return None;
    }
    let action = match how.split_once('/') {
        Some(("action", a)) => Some(a.split(['&', '?']).next().unwrap_or(a).to_string()),
        // A path integration names the resource, not the action: the
        // request parameters or template may (`Action=SendMessage`).
        _ => {
            let mut text = String::new();
            for key in [
                "RequestParameters",
                "RequestTemplates",
                "requestParameters",
                "requestTemplates",
            ] {
                if let Some(v) = integration.get(key) {
                    text.push_str(&v.to_string());
                }
            }
            text.split("Action")
                .skip(1)
                .find_map(|after| {
                    let name: String = after
                        .trim_start_matches(['=', '\'', '"', ':', ' ', '\\'])
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect();
                    (!name.is_empty()).then_some(name)
                })
                .or_else(|| {
                    // S3 object paths: the method decides.
                    (service == "s3").then(|| {
                        match integration
                            .get("IntegrationHttpMethod")
                            .or_else(|| integration.get("httpMethod"))
                            .and_then(Value::as_str)
                            .map(str::to_ascii_uppercase)
                            .as_deref()
                        {
                            Some("PUT" | "POST") => "PutObject".to_string(),
                            Some("DELETE") => "DeleteObject".to_string(),
                            _ => "GetObject".to_string(),
                        }
                    })
                })
        }
    };
    Some(ServiceCall {
        service: service.to_string(),
        action,
    })
}

/// Whether `ty` is a Step Functions state machine.
fn state_machine(ty: &str) -> bool {
    matches!(
        ty,
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine"
    )
}

impl Importer<'_> {
    /// What `role`'s policies (inline, and `AWS::IAM::Policy` /
    /// `ManagedPolicy` resources attached to it) grant.
    /// Empty grants that know the template's buckets named by a
    /// `Fn::Join` (see [`Grants`]).
    pub(super) fn new_grants(&self) -> Grants {
        Grants {
            3: self.joined_buckets.clone(),
            ..Default::default()
        }
    }

    pub(super) fn role_grants(&self, role: &str) -> Grants {
        let mut grants = self.new_grants();
        let resources = self.resources();
        let Some(res) = resources
            .get(role)
            .filter(|r| r["Type"].as_str() == Some("AWS::IAM::Role"))
        else {
            return grants;
        };
        grants.role_policies(res.get("Properties").and_then(|p| p.get("Policies")));
        let mut managed = BTreeSet::new();
        references(
            res.get("Properties")
                .and_then(|p| p.get("ManagedPolicyArns"))
                .unwrap_or(&Value::Null),
            &mut managed,
        );
        for (logical, policy) in resources {
            let ty = policy["Type"].as_str().unwrap_or_default();
            if !matches!(ty, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") {
                continue;
            }
            let mut roles = BTreeSet::new();
            references(
                policy
                    .get("Properties")
                    .and_then(|p| p.get("Roles"))
                    .unwrap_or(&Value::Null),
                &mut roles,
            );
            if (roles.contains(role) || managed.contains(logical))
                && let Some(doc) = policy
                    .get("Properties")
                    .and_then(|p| p.get("PolicyDocument"))
            {
                grants.document(doc);
            }
        }
        grants
    }

    /// Draws what one AWS service integration of `api` does; `false` when
    /// `integration` is not a service integration (so the caller looks
    /// for a VPC link or a queue named plainly).
    pub(super) fn service_integration(
        &mut self,
        api: &str,
        integration: &Value,
        why: &str,
    ) -> bool {
        let Some(call) = service_call(integration) else {
            return false;
        };
        let named_action = call.action.as_deref().unwrap_or("*");
        let wanted = policies::action_grant(&format!("{}:{named_action}", call.service));
        let how = format!(
            "{why} (service integration {}:{})",
            call.service,
            call.action.as_deref().unwrap_or("?")
        );
        let credentials = ["Credentials", "CredentialsArn", "credentials"]
            .iter()
            .find_map(|k| integration.get(*k));
        let mut role_refs = BTreeSet::new();
        references(credentials.unwrap_or(&Value::Null), &mut role_refs);
        let mut named = BTreeSet::new();
        references(integration, &mut named);
        let resources = self.resources();
        // A state machine started by the API: StartSyncExecution waits for
        // the execution's result, StartExecution does not.
        if call.service == "states" {
            let start = if call.action.as_deref() == Some("StartSyncExecution") {
                Meaning::InvokeSync
            } else {
                Meaning::InvokeAsync
            };
            let machines: Vec<String> = named
                .iter()
                .filter(|r| {
                    resources
                        .get(*r)
                        .and_then(|r| r["Type"].as_str())
                        .is_some_and(state_machine)
                })
                .cloned()
                .collect();
            let machines = if machines.is_empty() {
                role_refs
                    .iter()
                    .flat_map(|role| self.role_grants(role).0.into_keys())
                    .filter(|r| {
                        resources
                            .get(r)
                            .and_then(|r| r["Type"].as_str())
                            .is_some_and(state_machine)
                    })
                    .collect()
            } else {
                machines
            };
            for m in machines {
                if let Some(to) = self.comp(&m) {
                    self.connect(api, &to, start.default_kind(), &how);
                }
            }
            return true;
        }
        let of_service =
            |me: &Self, r: &str| me.kind_of(r).and_then(iam_service) == Some(call.service.as_str());
        let mut grants = self.new_grants();
        for r in named.iter().filter(|r| !role_refs.contains(*r)) {
            if of_service(self, r) && !wanted.is_empty() {
                grants.add(r.clone(), wanted, format!("{how} names {r}"));
            }
        }
        if grants.0.is_empty() {
            // The resource the credentials role may call the action on:
            // the evidence is weak when the role allows it on several.
            let mut candidates = Vec::new();
            for role in &role_refs {
                for (r, (granted, evidence)) in self.role_grants(role).0 {
                    let grant = granted.intersect(wanted);
                    if of_service(self, &r) && !grant.is_empty() {
                        let evidence: Vec<&str> = evidence.iter().map(String::as_str).collect();
                        candidates.push((
                            r.clone(),
                            grant,
                            format!(
                                "{how}; role {role} allows it on {r}: {}",
                                evidence.join("; ")
                            ),
                        ));
                    }
                }
            }
            let one = candidates.len() == 1;
            for (r, grant, evidence) in candidates {
                if one {
                    grants.add(r, grant, evidence);
                } else {
                    grants.add_weak(r, grant, format!("{evidence} (one of several)"));
                }
            }
        }
        for (r, (grant, evidence)) in &grants.0 {
            let entry = self
                .api_calls
                .entry((api.to_string(), r.clone()))
                .or_default();
            entry.0 = entry.0.union(*grant);
            entry.1.extend(evidence.iter().cloned());
            entry.2 |= !grants.weak(r);
        }
        true
    }

    /// Draws what the APIs' service integrations do, each API's methods
    /// on one resource taken together.
    pub(super) fn draw_api_calls(&mut self) {
        for ((api, r), (grant, evidence, strong)) in std::mem::take(&mut self.api_calls) {
            let (Some(target), Some(kind)) = (self.comp(&r), self.kind_of(&r)) else {
                continue;
            };
            if let Some(conn) = grant_connection(K::ApiGateway, kind, grant) {
                let evidence: Vec<&str> = evidence.iter().map(String::as_str).collect();
                self.connect_marked(&api, &target, conn, &evidence.join("; "), !strong);
            }
        }
    }
}

/// The connection a grant from a component of kind `from` to one of kind
/// `to` stands for: reading or writing a data store is using it; sending
/// to a queue, topic, stream or bus is publishing; invoking a function is
/// invoking it (synchronously from an API, asynchronously from code). A
/// receive draws nothing: the event source that polls draws that.
pub(super) fn grant_connection(from: K, to: K, grant: Grant) -> Option<ConnectionKind> {
    let access = match (grant.read, grant.write) {
        (true, true) => Some(Access::ReadWrite),
        (true, false) => Some(Access::Read),
        (false, true) => Some(Access::Write),
        (false, false) => None,
    };
    match to {
        K::DynamoDbTable | K::S3Bucket | K::AuroraServerless | K::Rds | K::Secret => {
            access.map(|access| ConnectionKind::Uses { access })
        }
        K::SqsQueue
        | K::SnsTopic
        | K::KinesisStream
        | K::Firehose
        | K::EventBridgeRule
        | K::EventBus => grant.send.then_some(ConnectionKind::Publishes),
        K::LambdaFunction if from == K::ApiGateway => {
            grant.invoke.then(|| Meaning::InvokeSync.default_kind())
        }
        K::LambdaFunction | K::StepFunctions if grant.sync => {
            grant.invoke.then(|| Meaning::InvokeSync.default_kind())
        }
        K::LambdaFunction | K::StepFunctions => {
            grant.invoke.then(|| Meaning::InvokeAsync.default_kind())
        }
        K::TaskDefinition => grant.run.then_some(ConnectionKind::RunsTask),
        K::Client
        | K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::Lex
        | K::Alexa
        | K::EventBridgePipe
        | K::Ec2Instance
        | K::EcsCluster
        | K::EcsService
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
        | K::Generic => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(service: &str, action: Option<&str>) -> Option<ServiceCall> {
        Some(ServiceCall {
            service: service.into(),
            action: action.map(String::from),
        })
    }

    #[test]
    fn uris_and_subtypes_name_the_service_and_action() {
        let sub = json!({"Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem"}});
        assert_eq!(service_call(&sub), call("dynamodb", Some("PutItem")));
        let join = json!({"Uri": {"Fn::Join": ["", ["arn:aws:apigateway:", {"Ref": "AWS::Region"},
            ":sqs:path/", {"Ref": "AWS::AccountId"}, "/", {"Fn::Sub": "${Q.QueueName}"}]]},
            "RequestParameters": {"integration.request.querystring.Action": "'ReceiveMessage'"}});
        assert_eq!(service_call(&join), call("sqs", Some("ReceiveMessage")));
        let template = json!({"Uri": "arn:aws:apigateway:us-east-1:sqs:path/1/q",
            "RequestTemplates": {"application/json": "Action=SendMessage&MessageBody=$input.body"}});
        assert_eq!(service_call(&template), call("sqs", Some("SendMessage")));
        let http = json!({"IntegrationSubtype": "EventBridge-PutEvents"});
        assert_eq!(service_call(&http), call("events", Some("PutEvents")));
        let sfn = json!({"IntegrationSubtype": "StepFunctions-StartExecution"});
        assert_eq!(service_call(&sfn), call("states", Some("StartExecution")));
        let s3 = json!({"uri": "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}", "httpMethod": "PUT"});
        assert_eq!(service_call(&s3), call("s3", Some("PutObject")));
        let firehose = json!({"Uri": "arn:aws:apigateway:eu-west-1:firehose:action/PutRecord"});
        assert_eq!(service_call(&firehose), call("firehose", Some("PutRecord")));
        // A Lambda proxy, an HTTP proxy and a mock are not service calls.
        let proxy = json!({"Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${F.Arn}/invocations"}});
        assert_eq!(service_call(&proxy), None);
        assert_eq!(service_call(&json!({"Uri": "https://example.com/"})), None);
        assert_eq!(service_call(&json!({"Type": "MOCK"})), None);
    }

    #[test]
    fn grants_become_connections_by_what_they_allow() {
        let read = policies::action_grant("dynamodb:Query");
        let write = policies::action_grant("dynamodb:PutItem");
        assert_eq!(
            grant_connection(K::ApiGateway, K::DynamoDbTable, read),
            Some(ConnectionKind::Uses {
                access: Access::Read
            })
        );
        assert_eq!(
            grant_connection(K::ApiGateway, K::DynamoDbTable, read.union(write)),
            Some(ConnectionKind::Uses {
                access: Access::ReadWrite
            })
        );
        let receive = policies::action_grant("sqs:ReceiveMessage");
        assert_eq!(grant_connection(K::ApiGateway, K::SqsQueue, receive), None);
        let invoke = policies::action_grant("lambda:InvokeFunction");
        assert_eq!(
            grant_connection(K::ApiGateway, K::LambdaFunction, invoke),
            Some(Meaning::InvokeSync.default_kind())
        );
        assert_eq!(
            grant_connection(K::LambdaFunction, K::LambdaFunction, invoke),
            Some(Meaning::InvokeAsync.default_kind())
        );
    }
}
