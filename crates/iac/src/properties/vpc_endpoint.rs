//! VPC endpoints: the field map of [`VpcEndpointProps`].

use archsim_model::component::{EndpointType, VpcEndpointProps};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling};

/// `com.amazonaws.${AWS::Region}.ecr.api`, plain or in a `Fn::Sub`.
pub(crate) const SERVICE: Field<VpcEndpointProps> = Field {
    path: "ServiceName",
    write: |p| json!({"Fn::Sub": format!("com.amazonaws.${{AWS::Region}}.{}", p.service)}),
    read: Some(|p, v| {
        let text = v
            .as_str()
            .or_else(|| v.get("Fn::Sub").and_then(Value::as_str));
        if let Some(service) = text.and_then(service_of) {
            p.service = service.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The service part of an endpoint service name: what follows
/// `com.amazonaws.<region>.`.
fn service_of(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("com.amazonaws.")?;
    let (_region, service) = rest.split_once('.')?;
    (!service.is_empty()).then_some(service)
}

const TYPES: &[(EndpointType, &str)] = &[
    (EndpointType::Gateway, "Gateway"),
    (EndpointType::Interface, "Interface"),
];

pub(crate) const TYPE: Field<VpcEndpointProps> = Field {
    path: "VpcEndpointType",
    write: |p| json!(spelling(TYPES, p.endpoint_type)),
    read: Some(|p, v| p.endpoint_type = parse(TYPES, v).unwrap_or(EndpointType::Gateway)),
    write_back: false,
    sam_global: false,
};

/// Interface endpoints only.
pub(crate) const PRIVATE_DNS: Field<VpcEndpointProps> = Field {
    path: "PrivateDnsEnabled",
    write: |p| json!(p.private_dns),
    read: Some(|p, v| p.private_dns = v.as_bool() == Some(true)),
    write_back: false,
    sam_global: false,
};

pub(crate) const ENDPOINT: FieldMap<VpcEndpointProps> = FieldMap {
    // AWS's defaults: a gateway endpoint; an interface endpoint without
    // private DNS.
    unset: || VpcEndpointProps {
        private_dns: false,
        ..VpcEndpointProps::default()
    },
    fields: &[&SERVICE, &TYPE, &PRIVATE_DNS],
};

/// An endpoint as a template writes it: its fields, and one zone per
/// subnet of an interface endpoint.
pub(crate) fn endpoint(props: &Map<String, Value>) -> VpcEndpointProps {
    let mut p = ENDPOINT.read(props);
    if let Some(Value::Array(subnets)) = props.get("SubnetIds")
        && !subnets.is_empty()
    {
        p.availability_zones = subnets.len() as u32;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn every_field_round_trips() {
        round_trips(
            &ENDPOINT,
            &VpcEndpointProps {
                service: "ecr.dkr".into(),
                endpoint_type: EndpointType::Interface,
                availability_zones: 2,
                private_dns: true,
            },
        );
        round_trips(&ENDPOINT, &VpcEndpointProps::default());
    }

    #[test]
    fn the_service_is_read_from_plain_and_substituted_names() {
        assert_eq!(service_of("com.amazonaws.us-east-1.s3"), Some("s3"));
        assert_eq!(
            service_of("com.amazonaws.${AWS::Region}.ecr.api"),
            Some("ecr.api")
        );
        assert_eq!(service_of("aws.sagemaker.us-east-1.notebook"), None);
    }
}
