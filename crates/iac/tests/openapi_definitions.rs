//! An API's inline OpenAPI definition (a SAM API's `DefinitionBody`, a
//! `AWS::ApiGateway::RestApi`'s or `AWS::ApiGatewayV2::Api`'s `Body`),
//! read one way. Lambda authorizers it declares
//! (`x-amazon-apigateway-authorizer` on a security scheme): import draws
//! the function authorizing its API, with the authorizer's settings, and
//! the permission API Gateway needs to invoke it draws nothing more. Its
//! integrations (`x-amazon-apigateway-integration`): the function or the
//! AWS service each method calls, with the method in the evidence.

mod common;

use common::{assert_draws, set};

/// A REST API (Swagger 2) and an HTTP API (OpenAPI 3) whose definitions
/// declare their Lambda authorizers, with the permissions API Gateway
/// needs to invoke them (`${Api}/authorizers/*`).
const OPENAPI_AUTHORIZERS: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  RestAuth:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.13, Handler: index.handler, InlineCode: "x"}
  HttpAuth:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.13, Handler: index.handler, InlineCode: "x"}
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: rest}
        securityDefinitions:
          TokenAuth:
            type: apiKey
            name: X-Api-Token
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${RestAuth.Arn}/invocations
              identitySource: method.request.header.X-Api-Token
              authorizerResultTtlInSeconds: 60
        paths: {}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: http}
        components:
          securitySchemes:
            RequestAuth:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HttpAuth.Arn}/invocations
                identitySource: $request.header.Authorization
                authorizerPayloadFormatVersion: "2.0"
                enableSimpleResponses: true
        paths: {}
  RestAuthPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt RestAuth.Arn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Rest}/authorizers/*
"#;

#[test]
fn openapi_authorizers_authorize_their_api_with_their_settings() {
    use archsim_model::Props;
    use archsim_model::component::AuthorizerPayload;
    let imported = archsim_iac::import(OPENAPI_AUTHORIZERS, "openapi.yaml").unwrap();
    let d = &imported.design;
    for (function, api, want) in [
        (
            "RestAuth",
            "Rest",
            (AuthorizerPayload::Token, "X-Api-Token", 60, false),
        ),
        (
            "HttpAuth",
            "Http",
            (AuthorizerPayload::Request, "Authorization", 0, true),
        ),
    ] {
        let c = d
            .connections()
            .find(|c| c.from == function && c.to == api)
            .unwrap_or_else(|| panic!("{function} -> {api}: {:?}", imported.report.inferred));
        assert_eq!(c.kind, archsim_model::ConnectionKind::Authorizes);
        let evidence = &c.inferred.as_ref().unwrap().evidence;
        assert!(
            evidence.contains("x-amazon-apigateway-authorizer"),
            "{evidence}"
        );
        let Some(Props::ApiGateway(p)) = d.component(api).map(|c| &c.props) else {
            panic!("{api} is an API")
        };
        let a = &p.lambda_authorizer;
        assert_eq!(
            (
                a.payload,
                a.identity_header.as_str(),
                a.result_ttl_s,
                a.simple_responses
            ),
            want,
            "{api}"
        );
        // The API invokes its authorizer as an authorizer, not as an
        // integration.
        assert!(
            !d.connections().any(|c| c.from == api && c.to == function),
            "{api} -> {function} drawn as an integration"
        );
    }
}

/// A plain CloudFormation REST API (Swagger 2 `Body`) and HTTP API
/// (OpenAPI 3 `Body`): a Lambda integration, an SQS service integration
/// through a credentials role, an EventBridge `integrationSubtype` naming
/// its bus, a reusable integration referenced by `$ref`, and a Lambda
/// authorizer on each. Only `Orders` has a permission: the integrations
/// alone say what each API invokes.
const PLAIN_BODIES: &str = r##"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Orders:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: {ZipFile: "x"}}
  Lister:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: {ZipFile: "x"}}
  RestAuth:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: {ZipFile: "x"}}
  HttpAuth:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: {ZipFile: "x"}}
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Inbox:
    Type: AWS::SQS::Queue
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: orders}
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Inbox.Arn}
              - {Effect: Allow, Action: events:PutEvents, Resource: !GetAtt Bus.Arn}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: rest
      Body:
        swagger: "2.0"
        info: {title: rest}
        securityDefinitions:
          TokenAuth:
            type: apiKey
            name: X-Api-Token
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${RestAuth.Arn}/invocations
              identitySource: method.request.header.X-Api-Token
              authorizerResultTtlInSeconds: 60
        paths:
          /orders:
            post:
              security: [{TokenAuth: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
          /inbox:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                credentials: !GetAtt ApiRole.Arn
                uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Inbox.QueueName}
                requestParameters:
                  integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
                requestTemplates:
                  application/json: Action=SendMessage&MessageBody=$input.body
  OrdersPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Orders.Arn
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Rest}/*/POST/orders
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Body:
        openapi: "3.0.1"
        info: {title: http}
        components:
          securitySchemes:
            RequestAuth:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer:
                type: request
                authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HttpAuth.Arn}/invocations
                identitySource: $request.header.Authorization
                authorizerPayloadFormatVersion: "2.0"
                enableSimpleResponses: true
          x-amazon-apigateway-integrations:
            list:
              type: aws_proxy
              httpMethod: POST
              uri: !GetAtt Lister.Arn
              payloadFormatVersion: "2.0"
        paths:
          /orders:
            get:
              security: [{RequestAuth: []}]
              x-amazon-apigateway-integration:
                $ref: "#/components/x-amazon-apigateway-integrations/list"
          /events:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: EventBridge-PutEvents
                credentials: !GetAtt ApiRole.Arn
                payloadFormatVersion: "1.0"
                requestParameters:
                  EventBusName: !GetAtt Bus.Name
                  Detail: $request.body
                  DetailType: order
                  Source: shop
"##;

#[test]
fn plain_cloudformation_bodies_are_read_as_sam_definitions_are() {
    let imported = archsim_iac::import(PLAIN_BODIES, "bodies.yaml").unwrap();
    let d = &imported.design;
    assert_draws(
        d,
        &set(&[
            "Rest -invoke_sync-> Orders",
            "Rest -publishes-> Inbox",
            "RestAuth -authorizes-> Rest",
            "Http -invoke_sync-> Lister",
            "Http -publishes-> Bus",
            "HttpAuth -authorizes-> Http",
            "Orders -assumes_role-> FnRole",
            "Lister -assumes_role-> FnRole",
            "RestAuth -assumes_role-> FnRole",
            "HttpAuth -assumes_role-> FnRole",
        ]),
    );
    // Each connection's evidence says which method of which definition.
    let evidence = |from: &str, to: &str| {
        d.connections()
            .find(|c| c.from == from && c.to == to)
            .and_then(|c| c.inferred.as_ref())
            .map(|i| i.evidence.clone())
            .unwrap_or_default()
    };
    for (from, to, says) in [
        (
            "Rest",
            "Orders",
            "Rest Body POST /orders (x-amazon-apigateway-integration) (Lambda integration)",
        ),
        (
            "Rest",
            "Inbox",
            "Rest Body POST /inbox (x-amazon-apigateway-integration) (service integration sqs:SendMessage)",
        ),
        (
            "RestAuth",
            "Rest",
            "Rest Body security scheme TokenAuth (x-amazon-apigateway-authorizer)",
        ),
        (
            "Http",
            "Lister",
            "Http Body GET /orders (x-amazon-apigateway-integration) (Lambda integration)",
        ),
        (
            "Http",
            "Bus",
            "Http Body POST /events (x-amazon-apigateway-integration) (service integration events:PutEvents)",
        ),
        (
            "HttpAuth",
            "Http",
            "Http Body security scheme RequestAuth (x-amazon-apigateway-authorizer)",
        ),
    ] {
        let e = evidence(from, to);
        assert!(e.contains(says), "{from} -> {to}: {e}");
    }
    // The authorizers' settings are the APIs'.
    for (api, ttl, simple) in [("Rest", 60, false), ("Http", 0, true)] {
        let Some(archsim_model::Props::ApiGateway(p)) = d.component(api).map(|c| &c.props) else {
            panic!("{api} is an API")
        };
        assert_eq!(
            (
                p.lambda_authorizer.result_ttl_s,
                p.lambda_authorizer.simple_responses
            ),
            (ttl, simple),
            "{api}"
        );
    }
}

#[test]
fn a_plain_body_round_trips_byte_for_byte() {
    common::assert_round_trips_as_written(PLAIN_BODIES, "bodies.yaml");
}

/// A definition kept outside the template is not read, and the report
/// says so rather than drawing an API with no integrations silently.
#[test]
fn a_definition_outside_the_template_is_reported_unread() {
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Included:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: api.yaml}
  InS3:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: specs, Key: api.yaml}
  FromUri:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: s3://specs/http.yaml
"#;
    let imported = archsim_iac::import(template, "elsewhere.yaml").unwrap();
    let unread: Vec<&String> = imported
        .report
        .kept
        .iter()
        .filter(|l| l.contains("outside the template and was not read"))
        .collect();
    assert_eq!(unread.len(), 3, "{:?}", imported.report.kept);
    for (api, key) in [
        ("Included", "AWS::Include of api.yaml"),
        ("InS3", "BodyS3Location"),
        ("FromUri", "DefinitionUri"),
    ] {
        assert!(
            unread
                .iter()
                .any(|l| l.starts_with(&format!("{api}: ")) && l.contains(key)),
            "{api}: {unread:?}"
        );
    }
}

/// A definition in a file beside the template (an `AWS::Include` in a
/// SAM API's `DefinitionBody`, a SAM HTTP API's `DefinitionUri`) is read
/// from there, as the corpus's `apigw-sqs-lambda.yaml` writes it; the
/// template keeps the reference and round-trips.
#[test]
fn a_definition_in_a_file_beside_the_template_is_read() {
    let dir = std::env::temp_dir().join(format!("archsim-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox:
    Type: AWS::SQS::Queue
  Lister:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.13, Handler: index.handler, InlineCode: "x"}
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Inbox.Arn}]
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: api.yaml}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: http.yaml
"#;
    let rest_api = r#"openapi: "3.0.1"
info: {title: rest}
paths:
  /inbox:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        credentials:
          Fn::GetAtt: [ApiRole, Arn]
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Inbox.QueueName}
        requestParameters:
          integration.request.querystring.Action: "'SendMessage'"
"#;
    let http_api = r#"openapi: "3.0.1"
info: {title: http}
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri: !GetAtt Lister.Arn
"#;
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    std::fs::write(dir.join("api.yaml"), rest_api).unwrap();
    std::fs::write(dir.join("http.yaml"), http_api).unwrap();
    let imported = archsim_iac::import_file(&dir.join("template.yaml")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let d = &imported.design;
    assert_draws(
        d,
        &set(&["Rest -publishes-> Inbox", "Http -invoke_sync-> Lister"]),
    );
    let evidence = |from: &str| {
        d.connections()
            .find(|c| c.from == from)
            .and_then(|c| c.inferred.as_ref())
            .map(|i| i.evidence.clone())
            .unwrap_or_default()
    };
    assert!(
        evidence("Rest").starts_with(
            "Rest DefinitionBody (AWS::Include of api.yaml) POST /inbox (x-amazon-apigateway-integration) (service integration sqs:SendMessage)"
        ),
        "{}",
        evidence("Rest")
    );
    assert!(
        evidence("Http").starts_with("Http (DefinitionUri http.yaml) GET /items"),
        "{}",
        evidence("Http")
    );
    for api in ["Rest", "Http"] {
        assert!(
            imported
                .report
                .kept
                .iter()
                .any(|l| l.starts_with(&format!("{api}: OpenAPI definition read from"))),
            "{:?}",
            imported.report.kept
        );
    }
    // The template keeps its references: export writes it back as it was.
    let original = archsim_iac::template::parse(template, "template.yaml")
        .unwrap()
        .value;
    let opts = archsim_iac::ExportOptions {
        flavour: archsim_iac::Flavour::Sam,
        ..Default::default()
    };
    let out = archsim_iac::export(d, &opts).unwrap().template;
    let back = archsim_iac::template::parse(&out, "exported")
        .unwrap()
        .value;
    assert_eq!(back, original);
}
