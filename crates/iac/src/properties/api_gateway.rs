//! API Gateway: the field maps of REST APIs (SAM `AWS::Serverless::Api`,
//! or the CloudFormation stage) and HTTP APIs (SAM
//! `AWS::Serverless::HttpApi`, or the CloudFormation stage).

use archsim_model::component::{ApiGatewayProps, ApiType};
use serde_json::json;

use super::{Field, FieldMap};

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
}
