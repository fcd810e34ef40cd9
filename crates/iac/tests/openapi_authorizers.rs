//! Lambda authorizers an API's OpenAPI definition declares
//! (`x-amazon-apigateway-authorizer` on a security scheme): import draws
//! the function authorizing its API, with the authorizer's settings, and
//! the permission API Gateway needs to invoke it draws nothing more.

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
