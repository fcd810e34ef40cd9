//! API Gateway: the field maps of REST APIs (SAM `AWS::Serverless::Api`,
//! or the CloudFormation stage) and HTTP APIs (SAM
//! `AWS::Serverless::HttpApi`, or the CloudFormation stage), and of their
//! Lambda authorizers (a SAM API's `Auth.Authorizers` entry, or an
//! `AWS::ApiGateway::Authorizer` / `AWS::ApiGatewayV2::Authorizer`).

use archsim_model::component::{ApiGatewayProps, ApiType, AuthorizerPayload, LambdaAuthorizer};
use serde_json::{Value, json};

use super::{Field, FieldMap, bool_of, parse, spelling, u32_of};

pub(crate) const STAGE_NAME: Field<ApiGatewayProps> = Field {
    path: "StageName",
    write: |p| json!(p.stage_name),
    read: Some(|p, v| {
        if let Some(s) = v.as_str() {
            p.stage_name = s.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const TRACING: Field<ApiGatewayProps> = Field {
    path: "TracingEnabled",
    write: |p| json!(p.tracing),
    read: Some(|p, v| p.tracing = v.as_bool() == Some(true)),
    write_back: false,
    sam_global: false,
};

/// The stage's throttle, for every method.
pub(crate) const METHOD_SETTINGS: Field<ApiGatewayProps> = Field {
    path: "MethodSettings",
    write: |p| {
        json!([{"ResourcePath": "/*", "HttpMethod": "*",
            "ThrottlingRateLimit": p.throttle_rate_rps, "ThrottlingBurstLimit": p.throttle_burst}])
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Import reads the stage name and tracing of a SAM API (a CloudFormation
/// REST API keeps them on its stage resource, which import does not read
/// yet).
pub(crate) const REST_API: FieldMap<ApiGatewayProps> = FieldMap {
    unset: ApiGatewayProps::default,
    fields: &[&STAGE_NAME, &TRACING, &METHOD_SETTINGS],
};

pub(crate) const ROUTE_RATE_LIMIT: Field<ApiGatewayProps> = Field {
    path: "DefaultRouteSettings/ThrottlingRateLimit",
    write: |p| json!(p.throttle_rate_rps),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const ROUTE_BURST_LIMIT: Field<ApiGatewayProps> = Field {
    path: "DefaultRouteSettings/ThrottlingBurstLimit",
    write: |p| json!(p.throttle_burst),
    read: None,
    write_back: false,
    sam_global: false,
};

/// An HTTP API's stage is `$default`; import reads no field of it yet.
pub(crate) const HTTP_API: FieldMap<ApiGatewayProps> = FieldMap {
    unset: || ApiGatewayProps {
        api_type: ApiType::Http,
        integration_timeout_ms: ApiType::Http.default_integration_timeout_ms(),
        ..Default::default()
    },
    fields: &[&ROUTE_RATE_LIMIT, &ROUTE_BURST_LIMIT],
};

const PAYLOADS: &[(AuthorizerPayload, &str)] = &[
    (AuthorizerPayload::Token, "TOKEN"),
    (AuthorizerPayload::Request, "REQUEST"),
];

/// A SAM authorizer's function (export writes `!GetAtt F.Arn`; import
/// draws the connection from whatever it references).
pub(crate) const FUNCTION_ARN: Field<LambdaAuthorizer> = Field {
    path: "FunctionArn",
    write: |_| Value::Null,
    read: None,
    write_back: false,
    sam_global: false,
};

/// A SAM REST API authorizer's payload: TOKEN (SAM's default) or REQUEST.
pub(crate) const FUNCTION_PAYLOAD_TYPE: Field<LambdaAuthorizer> = Field {
    path: "FunctionPayloadType",
    write: |a| json!(spelling(PAYLOADS, a.payload)),
    read: Some(|a, v| {
        if let Some(p) = parse(PAYLOADS, v) {
            a.payload = p;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// A TOKEN authorizer's header.
pub(crate) const IDENTITY_HEADER: Field<LambdaAuthorizer> = Field {
    path: "Identity/Header",
    write: |a| match a.payload {
        AuthorizerPayload::Token => json!(a.identity_header),
        AuthorizerPayload::Request => Value::Null,
    },
    read: Some(|a, v| {
        if let Some(h) = v.as_str() {
            a.identity_header = h.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// A REQUEST authorizer's headers (a REST API's, or any HTTP API's): the
/// first is the model's identity header.
pub(crate) const IDENTITY_HEADERS: Field<LambdaAuthorizer> = Field {
    path: "Identity/Headers",
    write: |a| json!([a.identity_header]),
    read: Some(|a, v| {
        if let Some(h) = v.get(0).and_then(Value::as_str) {
            a.identity_header = h.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const REAUTHORIZE_EVERY: Field<LambdaAuthorizer> = Field {
    path: "Identity/ReauthorizeEvery",
    write: |a| json!(a.result_ttl_s),
    read: Some(|a, v| {
        if let Some(ttl) = u32_of(v) {
            a.result_ttl_s = ttl;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// An HTTP API authorizer's payload format: archsim writes 2.0 (simple
/// responses need it).
pub(crate) const PAYLOAD_FORMAT_VERSION: Field<LambdaAuthorizer> = Field {
    path: "AuthorizerPayloadFormatVersion",
    write: |_| json!("2.0"),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const SIMPLE_RESPONSES: Field<LambdaAuthorizer> = Field {
    path: "EnableSimpleResponses",
    write: |a| json!(a.simple_responses),
    read: Some(|a, v| a.simple_responses = bool_of(v)),
    write_back: false,
    sam_global: false,
};

/// SAM gives an HTTP API no permission to invoke its authorizer unless
/// told to.
pub(crate) const DEFAULT_PERMISSIONS: Field<LambdaAuthorizer> = Field {
    path: "EnableFunctionDefaultPermissions",
    write: |_| json!(true),
    read: None,
    write_back: false,
    sam_global: false,
};

/// A SAM REST API's Lambda authorizer (`Auth.Authorizers.X`).
pub(crate) const SAM_REST_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: LambdaAuthorizer::default,
    fields: &[
        &FUNCTION_ARN,
        &FUNCTION_PAYLOAD_TYPE,
        &IDENTITY_HEADER,
        &IDENTITY_HEADERS,
        &REAUTHORIZE_EVERY,
    ],
};

/// An HTTP API's Lambda authorizers are REQUEST authorizers, and cache
/// their answers only when given a TTL.
fn http_unset() -> LambdaAuthorizer {
    LambdaAuthorizer {
        payload: AuthorizerPayload::Request,
        result_ttl_s: 0,
        ..Default::default()
    }
}

/// A SAM HTTP API's Lambda authorizer (`Auth.Authorizers.X`).
pub(crate) const SAM_HTTP_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: http_unset,
    fields: &[
        &FUNCTION_ARN,
        &PAYLOAD_FORMAT_VERSION,
        &SIMPLE_RESPONSES,
        &DEFAULT_PERMISSIONS,
        &IDENTITY_HEADERS,
        &REAUTHORIZE_EVERY,
    ],
};

/// An authorizer resource's type: `TOKEN` or `REQUEST` (a REST API's;
/// `COGNITO_USER_POOLS` is written by the Cognito export through
/// `put_value`).
pub(crate) const REST_AUTHORIZER_TYPE: Field<LambdaAuthorizer> = Field {
    path: "Type",
    write: |a| json!(spelling(PAYLOADS, a.payload)),
    read: Some(|a, v| {
        if let Some(p) = parse(PAYLOADS, v) {
            a.payload = p;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The authorizer's function, as API Gateway's Lambda invocation URI
/// (export writes it from the connection).
pub(crate) const AUTHORIZER_URI: Field<LambdaAuthorizer> = Field {
    path: "AuthorizerUri",
    write: |_| Value::Null,
    read: None,
    write_back: false,
    sam_global: false,
};

const REST_HEADER: &str = "method.request.header.";

/// A REST authorizer's identity source: `method.request.header.NAME`
/// (a REQUEST authorizer's may list several, comma-separated).
pub(crate) const REST_IDENTITY_SOURCE: Field<LambdaAuthorizer> = Field {
    path: "IdentitySource",
    write: |a| json!(format!("{REST_HEADER}{}", a.identity_header)),
    read: Some(|a, v| {
        let first = v.as_str().and_then(|s| s.split(',').next()).map(str::trim);
        if let Some(h) = first.and_then(|s| s.strip_prefix(REST_HEADER)) {
            a.identity_header = h.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const RESULT_TTL: Field<LambdaAuthorizer> = Field {
    path: "AuthorizerResultTtlInSeconds",
    write: |a| json!(a.result_ttl_s),
    read: Some(|a, v| {
        if let Some(ttl) = u32_of(v) {
            a.result_ttl_s = ttl;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// `AWS::ApiGateway::Authorizer` of type TOKEN or REQUEST.
pub(crate) const REST_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: LambdaAuthorizer::default,
    fields: &[
        &REST_AUTHORIZER_TYPE,
        &AUTHORIZER_URI,
        &REST_IDENTITY_SOURCE,
        &RESULT_TTL,
    ],
};

/// An HTTP API authorizer's type: archsim's Lambda authorizers are
/// `REQUEST` (the Cognito export writes `JWT` through `put_value`).
pub(crate) const HTTP_AUTHORIZER_TYPE: Field<LambdaAuthorizer> = Field {
    path: "AuthorizerType",
    write: |_| json!("REQUEST"),
    read: None,
    write_back: false,
    sam_global: false,
};

const HTTP_HEADER: &str = "$request.header.";

/// An HTTP API authorizer's identity sources: `$request.header.NAME`,
/// the first read as the model's header.
pub(crate) const HTTP_IDENTITY_SOURCE: Field<LambdaAuthorizer> = Field {
    path: "IdentitySource",
    write: |a| json!([format!("{HTTP_HEADER}{}", a.identity_header)]),
    read: Some(|a, v| {
        let first = v.get(0).or(Some(v)).and_then(Value::as_str);
        if let Some(h) = first.and_then(|s| s.strip_prefix(HTTP_HEADER)) {
            a.identity_header = h.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// `AWS::ApiGatewayV2::Authorizer` of type REQUEST.
pub(crate) const HTTP_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: http_unset,
    fields: &[
        &HTTP_AUTHORIZER_TYPE,
        &AUTHORIZER_URI,
        &PAYLOAD_FORMAT_VERSION,
        &SIMPLE_RESPONSES,
        &HTTP_IDENTITY_SOURCE,
        &RESULT_TTL,
    ],
};

// OpenAPI's `x-amazon-apigateway-authorizer` extension on a security
// scheme of an API's definition (API Gateway Developer Guide,
// "x-amazon-apigateway-authorizer object",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html):
// `type` (`token`, `request`; `jwt` and `cognito_user_pools` are not
// Lambda authorizers), `authorizerUri`, `identitySource`,
// `authorizerResultTtlInSeconds`, and for HTTP APIs
// `enableSimpleResponses`. Import reads them from a security scheme;
// export writes SAM's `Auth` or an authorizer resource instead.

/// The authorizer's type, lower case in OpenAPI.
pub(crate) const OPENAPI_AUTHORIZER_TYPE: Field<LambdaAuthorizer> = Field {
    path: "x-amazon-apigateway-authorizer/type",
    write: |a| json!(spelling(PAYLOADS, a.payload).to_lowercase()),
    read: Some(|a, v| {
        let upper = v.as_str().map(str::to_uppercase).map(Value::from);
        if let Some(p) = upper.and_then(|u| parse(PAYLOADS, &u)) {
            a.payload = p;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The function, as a Lambda invocation URI (the connection draws it).
pub(crate) const OPENAPI_AUTHORIZER_URI: Field<LambdaAuthorizer> = Field {
    path: "x-amazon-apigateway-authorizer/authorizerUri",
    write: |_| Value::Null,
    read: None,
    write_back: false,
    sam_global: false,
};

/// A REST API's `method.request.header.NAME` (comma-separated for a
/// REQUEST authorizer) or an HTTP API's `$request.header.NAME` (a string
/// or a list): the first header is the model's identity header.
pub(crate) const OPENAPI_IDENTITY_SOURCE: Field<LambdaAuthorizer> = Field {
    path: "x-amazon-apigateway-authorizer/identitySource",
    write: |a| json!(format!("{REST_HEADER}{}", a.identity_header)),
    read: Some(|a, v| {
        let first = v
            .get(0)
            .or(Some(v))
            .and_then(Value::as_str)
            .and_then(|s| s.split(',').next())
            .map(str::trim);
        if let Some(h) = first.and_then(|s| {
            s.strip_prefix(REST_HEADER)
                .or_else(|| s.strip_prefix(HTTP_HEADER))
        }) {
            a.identity_header = h.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const OPENAPI_RESULT_TTL: Field<LambdaAuthorizer> = Field {
    path: "x-amazon-apigateway-authorizer/authorizerResultTtlInSeconds",
    write: |a| json!(a.result_ttl_s),
    read: Some(|a, v| {
        if let Some(ttl) = u32_of(v) {
            a.result_ttl_s = ttl;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const OPENAPI_SIMPLE_RESPONSES: Field<LambdaAuthorizer> = Field {
    path: "x-amazon-apigateway-authorizer/enableSimpleResponses",
    write: |a| json!(a.simple_responses),
    read: Some(|a, v| a.simple_responses = bool_of(v)),
    write_back: false,
    sam_global: false,
};

/// A REST API definition's Lambda authorizer (a security scheme).
pub(crate) const OPENAPI_REST_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: LambdaAuthorizer::default,
    fields: &[
        &OPENAPI_AUTHORIZER_TYPE,
        &OPENAPI_AUTHORIZER_URI,
        &OPENAPI_IDENTITY_SOURCE,
        &OPENAPI_RESULT_TTL,
    ],
};

/// An HTTP API definition's Lambda authorizer (REQUEST; cached only when
/// given a TTL).
pub(crate) const OPENAPI_HTTP_AUTHORIZER: FieldMap<LambdaAuthorizer> = FieldMap {
    unset: http_unset,
    fields: &[
        &OPENAPI_AUTHORIZER_URI,
        &OPENAPI_SIMPLE_RESPONSES,
        &OPENAPI_IDENTITY_SOURCE,
        &OPENAPI_RESULT_TTL,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        let sample = ApiGatewayProps {
            stage_name: "dev".into(),
            tracing: true,
            throttle_rate_rps: 50.0,
            throttle_burst: 100,
            ..Default::default()
        };
        round_trips(&REST_API, &sample);
        round_trips(&HTTP_API, &sample);
    }

    #[test]
    fn authorizer_fields_round_trip() {
        use crate::properties::check::round_trips_of;
        for payload in [AuthorizerPayload::Token, AuthorizerPayload::Request] {
            let sample = LambdaAuthorizer {
                payload,
                identity_header: "X-Api-Token".into(),
                result_ttl_s: 45,
                simple_responses: true,
                callers: 100,
            };
            // SAM writes one of a REST authorizer's identity forms: the
            // header of a TOKEN authorizer, the headers of a REQUEST one.
            let identity = match payload {
                AuthorizerPayload::Token => &IDENTITY_HEADER,
                AuthorizerPayload::Request => &IDENTITY_HEADERS,
            };
            round_trips_of(
                &SAM_REST_AUTHORIZER,
                &sample,
                &[&FUNCTION_PAYLOAD_TYPE, identity, &REAUTHORIZE_EVERY],
            );
            round_trips(&REST_AUTHORIZER, &sample);
            round_trips(&OPENAPI_REST_AUTHORIZER, &sample);
        }
        let http = LambdaAuthorizer {
            payload: AuthorizerPayload::Request,
            identity_header: "X-Api-Token".into(),
            result_ttl_s: 45,
            simple_responses: true,
            ..Default::default()
        };
        round_trips(&SAM_HTTP_AUTHORIZER, &http);
        round_trips(&HTTP_AUTHORIZER, &http);
        round_trips(&OPENAPI_HTTP_AUTHORIZER, &http);
    }

    /// What AWS does without a TTL: a REST API caches for 300 s, an HTTP
    /// API not at all.
    #[test]
    fn an_authorizer_without_a_ttl_has_the_api_types_default() {
        let none = serde_json::Map::new();
        assert_eq!(SAM_REST_AUTHORIZER.read(&none).result_ttl_s, 300);
        assert_eq!(REST_AUTHORIZER.read(&none).result_ttl_s, 300);
        assert_eq!(SAM_HTTP_AUTHORIZER.read(&none).result_ttl_s, 0);
        assert_eq!(HTTP_AUTHORIZER.read(&none).result_ttl_s, 0);
    }
}
