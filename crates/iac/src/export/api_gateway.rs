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
        let authorizer = self
            .d
            .incoming(&c.id)
            .into_iter()
            .find(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Authorizes) && from.kind() == K::Cognito
            })
            .map(|(_, from)| self.id(&from.id));
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
                if let Some(pool) = &authorizer {
                    props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer", "Authorizers": {
                        "CognitoAuthorizer": {"UserPoolArn": ga(pool, "Arn")}}});
                }
                let secured = |mut op: Value| {
                    if authorizer.is_some() {
                        op["security"] = json!([{"CognitoAuthorizer": []}]);
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
                if let Some(pool) = &authorizer {
                    let jwt = self.jwt_configuration(c, id, pool, "issuer", "audience");
                    props["Auth"] = json!({"DefaultAuthorizer": "CognitoAuthorizer", "Authorizers": {
                        "CognitoAuthorizer": {"IdentitySource": "$request.header.Authorization",
                            "JwtConfiguration": jwt}}});
                }
                let mut paths = Map::new();
                let secured = |mut op: Value| {
                    if authorizer.is_some() {
                        op["security"] = json!([{"CognitoAuthorizer": []}]);
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
                if let Some(pool) = &authorizer {
                    self.add(
                        format!("{id}Authorizer"),
                        json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": {
                            "Name": "CognitoAuthorizer", "RestApiId": r(id), "Type": "COGNITO_USER_POOLS",
                            "IdentitySource": "method.request.header.Authorization",
                            "ProviderARNs": [ga(pool, "Arn")]}}),
                    );
                }
                let mut methods = Vec::new();
                let authorized = authorizer.is_some();
                for f in &functions {
                    let fid = self.id(&f.id);
                    let path = self.api_path(&c.id, f);
                    let resource = self.rest_resources(id, &fid, &path);
                    let integration = json!({"Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                        "Uri": sub(&format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{fid}.Arn}}/invocations"))}});
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
                if let Some(pool) = &authorizer {
                    let jwt = self.jwt_configuration(c, id, pool, "Issuer", "Audience");
                    self.add(
                        format!("{id}Authorizer"),
                        json!({"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": {
                            "ApiId": r(id), "Name": "CognitoAuthorizer", "AuthorizerType": "JWT",
                            "IdentitySource": ["$request.header.Authorization"],
                            "JwtConfiguration": jwt}}),
                    );
                }
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
                    routes.push(self.http_route(id, &fid, key, &integration, authorizer.is_some()));
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
                    routes.push(self.http_route(id, qid, key, &integration, authorizer.is_some()));
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
                    routes.push(self.http_route(id, lbid, key, &integration, authorizer.is_some()));
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
