//! A VPC endpoint: the private path from the design's VPC to an AWS
//! service, instead of the NAT gateway.

use serde::{Deserialize, Serialize};

/// How the endpoint reaches its service.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EndpointType {
    /// A route in the private subnets' route tables: S3 and DynamoDB
    /// only, no charge.
    #[default]
    Gateway,
    /// A network interface in each private subnet (AWS PrivateLink),
    /// billed per hour per availability zone and per GB processed.
    Interface,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VpcEndpointProps {
    /// The service's endpoint name after `com.amazonaws.<region>.`:
    /// `s3`, `dynamodb`, `sqs`, `sns`, `secretsmanager`, `ecr.api`,
    /// `ecr.dkr`, `logs`, `kinesis-streams`, `execute-api`, ...
    pub service: String,
    pub endpoint_type: EndpointType,
    /// An interface endpoint's network interfaces: one per private subnet
    /// (the export's two availability zones).
    pub availability_zones: u32,
    /// An interface endpoint answers the service's public DNS name inside
    /// the VPC, so SDKs use it unchanged.
    pub private_dns: bool,
}

impl Default for VpcEndpointProps {
    fn default() -> Self {
        Self {
            service: "s3".into(),
            endpoint_type: EndpointType::Gateway,
            availability_zones: 2,
            private_dns: true,
        }
    }
}

impl VpcEndpointProps {
    /// The services a gateway endpoint exists for.
    pub const GATEWAY_SERVICES: &'static [&'static str] = &["s3", "dynamodb"];
}
