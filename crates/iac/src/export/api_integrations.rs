//! What an API Gateway API reaches besides functions: AWS service
//! integrations (SQS, SNS, Kinesis) through an integration role, load
//! balancers through VPC links, REST resources and methods, HTTP routes,
//! and Cognito JWT settings.

use archsim_model::component::LoadBalancerProps;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Value, json};

use super::iam::{statement, trust};
use super::*;
use crate::names::{camel, kebab};

/// A load balancer an API reaches through a VPC link.
pub(super) struct Balancer {
    /// The balancer's logical id.
    pub(super) id: String,
    /// Its listener's logical id, and port.
    pub(super) listener: String,
    pub(super) port: u16,
    /// The API path (`ANY`, ending in `{proxy+}`).
    pub(super) path: String,
}

/// Where a REST API's private integration sends a request: the NLB's DNS
/// name and listener port, with the proxied path.
pub(super) fn rest_lb_uri(b: &Balancer) -> Value {
    sub(&format!(
        "http://${{{}.DNSName}}:{}/{{proxy}}",
        b.id, b.port
    ))
}

/// A queue, topic or stream an API sends requests to directly.
pub(super) struct ServiceTarget {
    /// Its logical id.
    pub(super) id: String,
    /// The API path that sends to it (`POST`).
    pub(super) path: String,
    pub(super) kind: Service,
}

/// What an API sends a request body to directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Service {
    Queue,
    Topic,
    Stream,
}

/// A REST API's integration sending the request body to `t` through
/// `role`, as an OpenAPI extension (`openapi`) or a CloudFormation
/// method's `Integration`; the caller gets 200 once the service has it.
/// SQS: the body is the message; SNS: the body is published to the
/// topic; Kinesis: the body is one record, keyed by the request id.
pub(super) fn rest_service_integration(t: &ServiceTarget, role: &str, openapi: bool) -> Value {
    let id = &t.id;
    let (uri, content_type, template) = match t.kind {
        Service::Topic => (
            "sns:path//".to_string(),
            "'application/x-www-form-urlencoded'",
            sub(&format!(
                "Action=Publish&TopicArn=$util.urlEncode('${{{id}}}')&Message=$util.urlEncode($input.body)"
            )),
        ),
        Service::Stream => (
            "kinesis:action/PutRecord".to_string(),
            "'application/x-amz-json-1.1'",
            sub(&format!(
                r#"{{"StreamName": "${{{id}}}", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$context.requestId"}}"#
            )),
        ),
        Service::Queue => (
            format!("sqs:path/${{AWS::AccountId}}/${{{id}.QueueName}}"),
            "'application/x-www-form-urlencoded'",
            json!("Action=SendMessage&MessageBody=$util.urlEncode($input.body)"),
        ),
    };
    let uri = sub(&format!(
        "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:{uri}"
    ));
    let content_type = json!({"integration.request.header.Content-Type": content_type});
    let template = json!({"application/json": template});
    if openapi {
        json!({"type": "aws", "httpMethod": "POST", "uri": uri, "credentials": ga(role, "Arn"),
            "requestParameters": content_type, "requestTemplates": template,
            "passthroughBehavior": "never", "responses": {"default": {"statusCode": "200"}}})
    } else {
        json!({"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri, "Credentials": ga(role, "Arn"),
            "RequestParameters": content_type, "RequestTemplates": template,
            "PassthroughBehavior": "NEVER", "IntegrationResponses": [{"StatusCode": "200"}]})
    }
}

/// An HTTP API's first-class integration sending the request body to `t`:
/// its subtype and request parameters; `None` for a topic (HTTP APIs have
/// no SNS integration).
pub(super) fn http_service_integration(t: &ServiceTarget) -> Option<(&'static str, Value)> {
    match t.kind {
        Service::Stream => Some((
            "Kinesis-PutRecord",
            json!({"StreamName": r(&t.id), "Data": "$request.body", "PartitionKey": "$context.requestId"}),
        )),
        Service::Queue => Some((
            "SQS-SendMessage",
            json!({"QueueUrl": r(&t.id), "MessageBody": "$request.body"}),
        )),
        Service::Topic => None,
    }
}

impl<'a> Ctx<'a> {
    /// An HTTP API's VPC link into the private subnets, with a security
    /// group of its own (the balancers accept their listener ports from the
    /// VPC); `None` when the API reaches no load balancer.
    pub(super) fn vpc_link(&mut self, api: &Component, id: &str, needed: bool) -> Option<String> {
        if !needed {
            return None;
        }
        let link = format!("{id}VpcLink");
        let sg = format!("{link}SecurityGroup");
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("VPC link of {}", api.name), "VpcId": self.vpc_id()}}),
        );
        self.add(
            link.clone(),
            json!({"Type": "AWS::ApiGatewayV2::VpcLink", "Properties": {
                "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&api.name))),
                "SubnetIds": self.subnets(false), "SecurityGroupIds": [r(&sg)]}}),
        );
        Some(link)
    }

    /// A REST API's resources for `path` (`/a/{proxy+}`), named after the
    /// API and the target they lead to, each under the one before; returns
    /// the last one's logical id.
    pub(super) fn rest_resources(&mut self, api: &str, target: &str, path: &str) -> String {
        let mut parent = ga(api, "RootResourceId");
        let mut resource = String::new();
        for part in path.trim_start_matches('/').split('/') {
            let name = if part == "{proxy+}" {
                "Proxy".to_string()
            } else {
                camel(part)
            };
            resource = format!("{api}{target}{name}Resource");
            if !self.resources.contains_key(&resource) {
                self.add(
                    resource.clone(),
                    json!({"Type": "AWS::ApiGateway::Resource", "Properties": {
                        "RestApiId": r(api), "ParentId": parent, "PathPart": part}}),
                );
            }
            parent = r(&resource);
        }
        resource
    }

    /// A REST API method `{api}{target}Method` on a resource, behind the
    /// API's authorizer of type `authorization` when it has one, with `rest` (its
    /// integration and what goes with it) after those; returns its logical
    /// id for the deployment to wait on.
    pub(super) fn rest_method(
        &mut self,
        api: &str,
        target: &str,
        resource: &str,
        http_method: &str,
        authorization: Option<&str>,
        rest: Value,
    ) -> Value {
        let method = format!("{api}{target}Method");
        let mut props = json!({
            "RestApiId": r(api), "ResourceId": r(resource), "HttpMethod": http_method,
            "AuthorizationType": authorization.unwrap_or("NONE")});
        if authorization.is_some() {
            props["AuthorizerId"] = r(&format!("{api}Authorizer"));
        }
        if let (Value::Object(props), Value::Object(rest)) = (&mut props, rest) {
            props.extend(rest);
        }
        self.add(
            method.clone(),
            json!({"Type": "AWS::ApiGateway::Method", "Properties": props}),
        );
        json!(method)
    }

    /// An HTTP API route `{api}{target}Route` for `key` (`ANY /path`) to
    /// an integration, behind the API's authorizer of type
    /// `authorization` (JWT or CUSTOM) when it has one;
    /// returns its logical id for the stage to wait on.
    pub(super) fn http_route(
        &mut self,
        api: &str,
        target: &str,
        key: String,
        integration: &str,
        authorization: Option<&str>,
    ) -> Value {
        let route = format!("{api}{target}Route");
        let mut props = json!({
            "ApiId": r(api), "RouteKey": key,
            "Target": sub(&format!("integrations/${{{integration}}}"))});
        if let Some(authorization) = authorization {
            props["AuthorizationType"] = json!(authorization);
            props["AuthorizerId"] = r(&format!("{api}Authorizer"));
        }
        self.add(
            route.clone(),
            json!({"Type": "AWS::ApiGatewayV2::Route", "Properties": props}),
        );
        json!(route)
    }

    /// A REST API's VPC link to one NLB (a REST VPC link has exactly one
    /// target).
    pub(super) fn rest_vpc_link(&mut self, api: &Component, id: &str, b: &Balancer) -> String {
        let link = format!("{id}{}VpcLink", b.id);
        self.add(
            link.clone(),
            json!({"Type": "AWS::ApiGateway::VpcLink", "Properties": {
                "Name": sub(&format!("${{AWS::StackName}}-{}-{}", kebab(&api.name), kebab(&b.id))),
                "TargetArns": [r(&b.id)]}}),
        );
        link
    }

    /// The logical id of the listener an integration reaches a load
    /// balancer through: its first, when it is exported (an ALB's always
    /// is; an NLB's only when the NLB routes somewhere).
    pub(super) fn lb_listener(
        &self,
        lb: &Component,
        p: &LoadBalancerProps,
    ) -> Option<(String, u16)> {
        let first = p.listeners.first()?;
        let routes = self
            .d
            .outgoing(&lb.id)
            .iter()
            .any(|(conn, _)| matches!(conn.kind, ConnectionKind::Route { .. }));
        (lb.kind() == K::Alb || routes).then(|| {
            (
                format!("{}Listener{}", self.id(&lb.id), first.port),
                first.port,
            )
        })
    }

    /// The role API Gateway takes for its service integrations, allowed
    /// only to send to those queues, topics and streams; `None` without any.
    pub(super) fn integration_role(
        &mut self,
        id: &str,
        services: &[ServiceTarget],
    ) -> Option<String> {
        if services.is_empty() {
            return None;
        }
        let role = format!("{id}IntegrationRole");
        let statements: Vec<Value> = services
            .iter()
            .map(|t| match t.kind {
                Service::Topic => statement(&["sns:Publish"], vec![r(&t.id)]),
                Service::Stream => statement(&["kinesis:PutRecord"], vec![ga(&t.id, "Arn")]),
                Service::Queue => statement(&["sqs:SendMessage"], vec![ga(&t.id, "Arn")]),
            })
            .collect();
        self.add(
            role.clone(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust("apigateway.amazonaws.com"),
                "Policies": [{"PolicyName": "service-integrations", "PolicyDocument": {"Version": "2012-10-17",
                    "Statement": statements}}]}}),
        );
        Some(role)
    }

    /// An HTTP API's JWT settings for a Cognito user pool: the pool's
    /// issuer URL, and as audience an app client made for this API (its id
    /// is an output, for the API's callers). `issuer` and `audience` are
    /// the key names, which SAM spells in lower case.
    pub(super) fn jwt_configuration(
        &mut self,
        api: &Component,
        id: &str,
        pool: &str,
        issuer: &str,
        audience: &str,
    ) -> Value {
        let client = format!("{id}UserPoolClient");
        self.add(
            client.clone(),
            json!({"Type": "AWS::Cognito::UserPoolClient", "Properties": {
                "UserPoolId": r(pool),
                "ClientName": sub(&format!("${{AWS::StackName}}-{}", kebab(&api.name))),
                "GenerateSecret": false,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "PreventUserExistenceErrors": "ENABLED"}}),
        );
        self.outputs.insert(
            format!("{client}Id"),
            json!({"Description": format!("Cognito app client whose tokens {} accepts", api.name),
                "Value": r(&client)}),
        );
        json!({
            issuer: sub(&format!("https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{pool}}}")),
            audience: [r(&client)],
        })
    }
}
