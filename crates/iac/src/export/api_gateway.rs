//! API Gateway REST and HTTP APIs, in SAM (`AWS::Serverless::Api` /
//! `HttpApi` with an OpenAPI definition) or CloudFormation (API, stage,
//! deployment, methods or routes, integrations, authorizers).

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::api_integrations::{
    Balancer, Service, ServiceTarget, http_service_integration, rest_lb_uri,
    rest_service_integration,
};
use super::*;
use crate::ExportError;
use crate::names::kebab;
use crate::properties::api_gateway;

impl<'a> Ctx<'a> {
    pub(super) fn api_path(&self, api: &str, f: &Component) -> String {
        let targets = self
            .d
            .outgoing(api)
            .iter()
            .filter(|(_, to)| to.kind() == K::LambdaFunction)
            .count();
        if targets <= 1 {
            "/{proxy+}".into()
        } else {
            format!("/{}/{{proxy+}}", kebab(&f.name))
        }
    }

    pub(super) fn api(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::ApiGatewayProps,
    ) -> Result<(), ExportError> {
        // Its authorizer (validation allows one): a Cognito user pool's
        // JWTs, or a Lambda function.
        let guard = self.d.incoming(&c.id).into_iter().find_map(|(conn, from)| {
            match (&conn.kind, from.kind()) {
                (ConnectionKind::Authorizes, K::Cognito) => Some(Guard::Cognito(self.id(&from.id))),
                (ConnectionKind::Authorizes, K::LambdaFunction) => {
                    Some(Guard::Lambda(self.id(&from.id)))
                }
                _ => None,
            }
        });
        let authorizer = guard.as_ref().map(Guard::name);
        let lambda_authorizer = &p.lambda_authorizer;
        let functions: Vec<&Component> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter(|(_, to)| to.kind() == K::LambdaFunction)
            .filter_map(|(_, to)| self.d.component(&to.id))
            .collect();
        // Queues, topics and streams: AWS service integrations that pass
        // the request body on, through a role allowed only that.
        let services: Vec<ServiceTarget> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter_map(|(_, to)| {
                let kind = match &to.props {
                    Props::SqsQueue(_) => Service::Queue,
                    Props::KinesisStream(_) => Service::Stream,
                    Props::SnsTopic(t) if p.api_type == ApiType::Rest && !t.fifo => Service::Topic,
                    // Functions and load balancers are integrated below;
                    // the rest (and topics an API cannot publish to) get a
                    // note there.
                    Props::SnsTopic(_)
                    | Props::Client(_)
                    | Props::ApiGateway(_)
                    | Props::CloudFront(_)
                    | Props::Alb(_)
                    | Props::Nlb(_)
                    | Props::Clb(_)
                    | Props::Cognito(_)
                    | Props::Lex(_)
                    | Props::Alexa(_)
                    | Props::S3Bucket(_)
                    | Props::EventBridgeRule(_)
                    | Props::EventBus(_)
                    | Props::EventBridgePipe(_)
                    | Props::Firehose(_)
                    | Props::DynamoDbTable(_)
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
                    | Props::Secret(_)
                    | Props::Generic(_) => return None,
                };
                Some(ServiceTarget {
                    id: self.id(&to.id),
                    path: format!("/{}", kebab(&to.name)),
                    kind,
                })
            })
            .collect();
        // Load balancers behind an HTTP API: private integrations through a
        // VPC link to the balancer's first listener.
        let mut balancers: Vec<Balancer> = Vec::new();
        let lb_targets = self
            .d
            .outgoing(&c.id)
            .iter()
            .filter(|(_, to)| matches!(to.kind(), K::Alb | K::Nlb))
            .count();
        for (_, to) in self.d.outgoing(&c.id) {
            match &to.props {
                Props::Alb(lb) | Props::Nlb(lb) => {
                    // An HTTP API's VPC link reaches either kind; a REST
                    // API's only an NLB.
                    let reachable = p.api_type == ApiType::Http || to.kind() == K::Nlb;
                    let listener = self.lb_listener(to, lb).filter(|_| reachable);
                    if let Some((listener, port)) = listener {
                        let path = if functions.is_empty() && lb_targets == 1 {
                            "/{proxy+}".to_string()
                        } else {
                            format!("/{}/{{proxy+}}", kebab(&to.name))
                        };
                        balancers.push(Balancer {
                            id: self.id(&to.id),
                            listener,
                            port,
                            path,
                        });
                    } else if !reachable {
                        self.notes.push(format!(
                            "{} -> {}: a REST API reaches a load balancer only through a VPC link to an NLB; put an NLB in front of the ALB, or make {} an HTTP API, to have it exported",
                            c.name, to.name, c.name
                        ));
                    } else {
                        self.notes.push(format!(
                            "{} -> {}: the load balancer has no listener with a target; add the integration by hand",
                            c.name, to.name
                        ));
                    }
                }
                Props::SnsTopic(_) if !services.iter().any(|t| t.id == self.id(&to.id)) => {
                    self.notes.push(format!(
                        "{} -> {}: {}; add this integration by hand",
                        c.name,
                        to.name,
                        if p.api_type == ApiType::Http {
                            "HTTP APIs have no SNS integration (a REST API has)"
                        } else {
                            "a FIFO topic needs a message group id"
                        }
                    ));
                }
                // Integrated: functions (above), queues, streams and topics
                // (service integrations).
                Props::LambdaFunction(_)
                | Props::SqsQueue(_)
                | Props::KinesisStream(_)
                | Props::SnsTopic(_) => {}
                Props::Client(_)
                | Props::ApiGateway(_)
                | Props::CloudFront(_)
                | Props::Clb(_)
                | Props::Cognito(_)
                | Props::Secret(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::S3Bucket(_)
                | Props::EventBridgeRule(_)
                | Props::EventBus(_)
                | Props::EventBridgePipe(_)
                | Props::Firehose(_)
                | Props::StepFunctions(_)
                | Props::DynamoDbTable(_)
                | Props::AuroraServerless(_)
                | Props::Rds(_)
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
                | Props::Generic(_) => {
                    self.notes.push(format!(
                        "{} -> {}: only Lambda, SQS, SNS, Kinesis and (HTTP API) load balancer integrations are exported; add this integration by hand",
                        c.name, to.name
                    ));
                }
            }
        }
        let link = self.vpc_link(c, id, p.api_type == ApiType::Http && !balancers.is_empty());
        let role = self.integration_role(id, &services);
        let stage = &p.stage_name;
        match (self.sam_api(p.api_type), p.api_type) {
            (true, ApiType::Rest) => {
                let mut props = Map::new();
                api_gateway::STAGE_NAME.put(&mut props, p);
                api_gateway::TRACING.put(&mut props, p);
                api_gateway::METHOD_SETTINGS.put(&mut props, p);
                let mut props = Value::Object(props);
                match &guard {
                    Some(Guard::Cognito(pool)) => {
                        props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer", "Authorizers": {
                            "CognitoAuthorizer": {"UserPoolArn": ga(pool, "Arn")}}});
                    }
                    Some(Guard::Lambda(f)) => {
                        let mut a = Map::new();
                        api_gateway::FUNCTION_ARN.put_value(&mut a, ga(f, "Arn"));
                        api_gateway::FUNCTION_PAYLOAD_TYPE.put(&mut a, lambda_authorizer);
                        let identity = match lambda_authorizer.payload {
                            AuthorizerPayload::Token => &api_gateway::IDENTITY_HEADER,
                            AuthorizerPayload::Request => &api_gateway::IDENTITY_HEADERS,
                        };
                        identity.put(&mut a, lambda_authorizer);
                        api_gateway::REAUTHORIZE_EVERY.put(&mut a, lambda_authorizer);
                        props["Auth"] = json!({"DefaultAuthorizer": "LambdaAuthorizer",
                            "Authorizers": {"LambdaAuthorizer": a}});
                    }
                    None => {}
                }
                let secured = |mut op: Value| {
                    if let Some(name) = authorizer {
                        op["security"] = json!([{name: []}]);
                    }
                    op
                };
                let mut paths = Map::new();
                if let Some(role) = &role {
                    for t in &services {
                        let post = json!({
                            "consumes": ["application/json"],
                            "responses": {"200": {"description": "accepted"}},
                            "x-amazon-apigateway-integration": rest_service_integration(t, role, true)});
                        paths.insert(t.path.clone(), json!({"post": secured(post)}));
                    }
                }
                for b in &balancers {
                    let link = self.rest_vpc_link(c, id, b);
                    let any = json!({
                        "parameters": [{"name": "proxy", "in": "path", "required": true, "type": "string"}],
                        "responses": {},
                        "x-amazon-apigateway-integration": {
                            "type": "http_proxy", "httpMethod": "ANY", "uri": rest_lb_uri(b),
                            "connectionType": "VPC_LINK", "connectionId": r(&link),
                            "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                            "passthroughBehavior": "when_no_match"}});
                    paths.insert(
                        b.path.clone(),
                        json!({"x-amazon-apigateway-any-method": secured(any)}),
                    );
                }
                if !paths.is_empty() {
                    props["DefinitionBody"] = json!({"swagger": "2.0",
                        "info": {"title": sub("${AWS::StackName}"), "version": "1.0"},
                        "paths": paths});
                    // Without this SAM leaves the functions' paths out of a
                    // REST API that has a definition.
                    props["MergeDefinitions"] = json!(true);
                }
                self.add(
                    id.into(),
                    json!({"Type": "AWS::Serverless::Api", "Properties": props}),
                );
            }
            (true, ApiType::Http) => {
                let mut props = Map::new();
                api_gateway::ROUTE_RATE_LIMIT.put(&mut props, p);
                api_gateway::ROUTE_BURST_LIMIT.put(&mut props, p);
                let mut props = Value::Object(props);
                match &guard {
                    Some(Guard::Cognito(pool)) => {
                        let jwt = self.jwt_configuration(c, id, pool, "issuer", "audience");
                        let mut a = Map::new();
                        api_gateway::HTTP_IDENTITY_SOURCE
                            .put_value(&mut a, json!("$request.header.Authorization"));
                        a.insert("JwtConfiguration".into(), jwt);
                        props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer",
                            "Authorizers": {"CognitoAuthorizer": a}});
                    }
                    Some(Guard::Lambda(f)) => {
                        let mut a = Map::new();
                        api_gateway::FUNCTION_ARN.put_value(&mut a, ga(f, "Arn"));
                        for field in [
                            &api_gateway::PAYLOAD_FORMAT_VERSION,
                            &api_gateway::SIMPLE_RESPONSES,
                            &api_gateway::DEFAULT_PERMISSIONS,
                            &api_gateway::IDENTITY_HEADERS,
                            &api_gateway::REAUTHORIZE_EVERY,
                        ] {
                            field.put(&mut a, lambda_authorizer);
                        }
                        props["Auth"] = json!({"DefaultAuthorizer": "LambdaAuthorizer",
                            "Authorizers": {"LambdaAuthorizer": a}});
                    }
                    None => {}
                }
                let mut paths = Map::new();
                let secured = |mut op: Value| {
                    if let Some(name) = authorizer {
                        op["security"] = json!([{name: []}]);
                    }
                    op
                };
                if let Some(role) = &role {
                    for t in &services {
                        let Some((subtype, parameters)) = http_service_integration(t) else {
                            continue;
                        };
                        let post = json!({
                            "responses": {"200": {"description": "accepted"}},
                            "x-amazon-apigateway-integration": {
                                "type": "aws_proxy", "integrationSubtype": subtype,
                                "connectionType": "INTERNET", "payloadFormatVersion": "1.0",
                                "credentials": ga(role, "Arn"), "requestParameters": parameters}});
                        paths.insert(t.path.clone(), json!({"post": secured(post)}));
                    }
                }
                if let Some(link) = &link {
                    for Balancer { listener, path, .. } in &balancers {
                        let any = json!({
                            "responses": {"default": {"description": "the load balancer's answer"}},
                            "x-amazon-apigateway-integration": {
                                "type": "http_proxy", "httpMethod": "ANY", "uri": r(listener),
                                "connectionType": "VPC_LINK", "connectionId": r(link),
                                "payloadFormatVersion": "1.0"}});
                        paths.insert(
                            path.clone(),
                            json!({"x-amazon-apigateway-any-method": secured(any)}),
                        );
                    }
                }
                if !paths.is_empty() {
                    props["DefinitionBody"] = json!({"openapi": "3.0.1",
                        "info": {"title": sub("${AWS::StackName}"), "version": "1.0"},
                        "paths": paths});
                }
                self.add(
                    id.into(),
                    json!({"Type": "AWS::Serverless::HttpApi", "Properties": props}),
                );
            }
            (false, ApiType::Rest) => {
                self.add(
                    id.into(),
                    json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {
                        "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name)))}}),
                );
                match &guard {
                    Some(Guard::Cognito(pool)) => {
                        let mut a =
                            object(json!({"Name": "CognitoAuthorizer", "RestApiId": r(id)}));
                        api_gateway::REST_AUTHORIZER_TYPE
                            .put_value(&mut a, json!("COGNITO_USER_POOLS"));
                        api_gateway::REST_IDENTITY_SOURCE
                            .put_value(&mut a, json!("method.request.header.Authorization"));
                        a.insert("ProviderARNs".into(), json!([ga(pool, "Arn")]));
                        self.add(
                            format!("{id}Authorizer"),
                            json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": a}),
                        );
                    }
                    Some(Guard::Lambda(f)) => {
                        let mut a = object(json!({"Name": "LambdaAuthorizer", "RestApiId": r(id)}));
                        // (The URI's place first, then its value: the field
                        // map's order.)
                        for field in api_gateway::REST_AUTHORIZER.fields {
                            field.put(&mut a, lambda_authorizer);
                        }
                        api_gateway::AUTHORIZER_URI.put_value(&mut a, lambda_uri(f));
                        self.add(
                            format!("{id}Authorizer"),
                            json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": a}),
                        );
                        self.authorizer_permission(id, f);
                    }
                    None => {}
                }
                let mut methods = Vec::new();
                let authorized = guard.as_ref().map(|g| g.rest_type());
                for f in &functions {
                    let fid = self.id(&f.id);
                    let path = self.api_path(&c.id, f);
                    let resource = self.rest_resources(id, &fid, &path);
                    let integration = json!({"Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                        "Uri": lambda_uri(&fid)}});
                    methods.push(self.rest_method(
                        id,
                        &fid,
                        &resource,
                        "ANY",
                        authorized,
                        integration,
                    ));
                    self.add(
                        format!("{fid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "apigateway.amazonaws.com",
                            "SourceArn": sub(&format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}/*"))}}),
                    );
                }
                for t in &services {
                    let Some(role) = &role else { break };
                    // `/target-name`: named after the path alone.
                    let resource = self.rest_resources(id, "", &t.path);
                    let integration = json!({
                        "Integration": rest_service_integration(t, role, false),
                        "MethodResponses": [{"StatusCode": "200"}]});
                    methods.push(self.rest_method(
                        id,
                        &t.id,
                        &resource,
                        "POST",
                        authorized,
                        integration,
                    ));
                }
                for b in &balancers {
                    let link = self.rest_vpc_link(c, id, b);
                    let resource = self.rest_resources(id, &b.id, &b.path);
                    let integration = json!({
                        "RequestParameters": {"method.request.path.proxy": true},
                        "Integration": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "ANY",
                            "Uri": rest_lb_uri(b), "ConnectionType": "VPC_LINK", "ConnectionId": r(&link),
                            "RequestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                            "PassthroughBehavior": "WHEN_NO_MATCH"}});
                    methods.push(self.rest_method(
                        id,
                        &b.id,
                        &resource,
                        "ANY",
                        authorized,
                        integration,
                    ));
                }
                let mut deployment = json!({"Type": "AWS::ApiGateway::Deployment"});
                if !methods.is_empty() {
                    deployment["DependsOn"] = Value::Array(methods);
                }
                deployment["Properties"] = json!({"RestApiId": r(id)});
                self.add(format!("{id}Deployment"), deployment);
                let mut stage = object(json!({
                    "RestApiId": r(id), "DeploymentId": r(&format!("{id}Deployment"))}));
                api_gateway::STAGE_NAME.put(&mut stage, p);
                api_gateway::TRACING.put(&mut stage, p);
                api_gateway::METHOD_SETTINGS.put(&mut stage, p);
                self.add(
                    format!("{id}Stage"),
                    json!({"Type": "AWS::ApiGateway::Stage", "Properties": stage}),
                );
            }
            (false, ApiType::Http) => {
                self.add(
                    id.into(),
                    json!({"Type": "AWS::ApiGatewayV2::Api", "Properties": {
                        "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))), "ProtocolType": "HTTP"}}),
                );
                match &guard {
                    Some(Guard::Cognito(pool)) => {
                        let jwt = self.jwt_configuration(c, id, pool, "Issuer", "Audience");
                        let mut a = object(json!({"ApiId": r(id), "Name": "CognitoAuthorizer"}));
                        api_gateway::HTTP_AUTHORIZER_TYPE.put_value(&mut a, json!("JWT"));
                        api_gateway::HTTP_IDENTITY_SOURCE
                            .put_value(&mut a, json!(["$request.header.Authorization"]));
                        a.insert("JwtConfiguration".into(), jwt);
                        self.add(
                            format!("{id}Authorizer"),
                            json!({"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": a}),
                        );
                    }
                    Some(Guard::Lambda(f)) => {
                        let mut a = object(json!({"ApiId": r(id), "Name": "LambdaAuthorizer"}));
                        for field in api_gateway::HTTP_AUTHORIZER.fields {
                            field.put(&mut a, lambda_authorizer);
                        }
                        api_gateway::AUTHORIZER_URI.put_value(&mut a, lambda_uri(f));
                        self.add(
                            format!("{id}Authorizer"),
                            json!({"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": a}),
                        );
                        self.authorizer_permission(id, f);
                    }
                    None => {}
                }
                let authorized = guard.as_ref().map(|g| g.http_type());
                let mut routes = Vec::new();
                for f in &functions {
                    let fid = self.id(&f.id);
                    let integration = format!("{id}{fid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "AWS_PROXY",
                            "IntegrationUri": ga(&fid, "Arn"), "PayloadFormatVersion": "2.0"}}),
                    );
                    let key = format!("ANY {}", self.api_path(&c.id, f));
                    routes.push(self.http_route(id, &fid, key, &integration, authorized));
                    self.add(
                        format!("{fid}{id}Permission"),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "apigateway.amazonaws.com",
                            "SourceArn": sub(&format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}/*"))}}),
                    );
                }
                for t in &services {
                    let Some(role) = &role else { break };
                    let (qid, path) = (&t.id, &t.path);
                    let Some((subtype, parameters)) = http_service_integration(t) else {
                        continue;
                    };
                    let integration = format!("{id}{qid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "AWS_PROXY",
                            "IntegrationSubtype": subtype, "PayloadFormatVersion": "1.0",
                            "CredentialsArn": ga(role, "Arn"), "RequestParameters": parameters}}),
                    );
                    let key = format!("POST {path}");
                    routes.push(self.http_route(id, qid, key, &integration, authorized));
                }
                for Balancer {
                    id: lbid,
                    listener,
                    path,
                    ..
                } in &balancers
                {
                    let Some(link) = &link else { break };
                    let integration = format!("{id}{lbid}Integration");
                    self.add(
                        integration.clone(),
                        json!({"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
                            "ApiId": r(id), "IntegrationType": "HTTP_PROXY", "IntegrationMethod": "ANY",
                            "ConnectionType": "VPC_LINK", "ConnectionId": r(link),
                            "IntegrationUri": r(listener), "PayloadFormatVersion": "1.0"}}),
                    );
                    let key = format!("ANY {path}");
                    routes.push(self.http_route(id, lbid, key, &integration, authorized));
                }
                let mut stage_res = json!({"Type": "AWS::ApiGatewayV2::Stage"});
                if !routes.is_empty() {
                    stage_res["DependsOn"] = Value::Array(routes);
                }
                let mut stage = object(json!({"ApiId": r(id)}));
                api_gateway::STAGE_NAME.put_value(&mut stage, json!("$default"));
                stage.insert("AutoDeploy".into(), json!(true));
                api_gateway::ROUTE_RATE_LIMIT.put(&mut stage, p);
                api_gateway::ROUTE_BURST_LIMIT.put(&mut stage, p);
                stage_res["Properties"] = Value::Object(stage);
                self.add(format!("{id}Stage"), stage_res);
            }
        }
        let url = match p.api_type {
            ApiType::Rest => format!(
                "https://${{{id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}/"
            ),
            ApiType::Http => {
                format!("https://${{{id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/")
            }
        };
        self.outputs.insert(
            format!("{id}Url"),
            json!({"Description": format!("Endpoint of {}", c.name), "Value": sub(&url)}),
        );
        Ok(())
    }
}

/// What guards an API's methods or routes.
enum Guard {
    /// A Cognito user pool (its logical id): its JWTs.
    Cognito(String),
    /// A Lambda function (its logical id): a Lambda authorizer.
    Lambda(String),
}

impl Guard {
    /// The authorizer's name in SAM's `Auth` and in OpenAPI `security`.
    fn name(&self) -> &'static str {
        match self {
            Self::Cognito(_) => "CognitoAuthorizer",
            Self::Lambda(_) => "LambdaAuthorizer",
        }
    }

    /// A REST method's `AuthorizationType`.
    fn rest_type(&self) -> &'static str {
        match self {
            Self::Cognito(_) => "COGNITO_USER_POOLS",
            Self::Lambda(_) => "CUSTOM",
        }
    }

    /// An HTTP route's `AuthorizationType`.
    fn http_type(&self) -> &'static str {
        match self {
            Self::Cognito(_) => "JWT",
            Self::Lambda(_) => "CUSTOM",
        }
    }
}

/// API Gateway's URI for invoking function `f` (an integration's or an
/// authorizer's).
fn lambda_uri(f: &str) -> Value {
    sub(&format!(
        "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{f}.Arn}}/invocations"
    ))
}

impl Ctx<'_> {
    /// Lets API Gateway invoke `f` as the API's authorizer, and as nothing
    /// else: the source is that authorizer.
    fn authorizer_permission(&mut self, api: &str, f: &str) {
        self.add(
            format!("{f}{api}AuthorizerPermission"),
            json!({"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": ga(f, "Arn"), "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": sub(&format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/authorizers/${{{api}Authorizer}}"))}}),
        );
    }
}
