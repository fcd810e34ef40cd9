//! The rules on Secrets Manager secrets and their readers, and on VPC
//! endpoints.

use super::*;
use crate::component::SecretReads;

fn secrets(d: &Design) -> impl Iterator<Item = (&Component, &crate::component::SecretProps)> {
    d.components().filter_map(|c| match &c.props {
        Props::Secret(s) => Some((c, s)),
        _ => None,
    })
}

/// A connection that writes a secret: the export grants its readers
/// `GetSecretValue` only (a secret's value changes by rotation or by hand).
pub(super) fn secret_written(d: &Design, out: &mut Found) {
    for (s, _) in secrets(d) {
        for (conn, from) in d.incoming(&s.id) {
            if let ConnectionKind::Uses { access } = conn.kind
                && access.writes()
            {
                out.push((
                    ids(&[&from.id, &s.id, &conn.id]),
                    format!(
                        "{} writes the secret {}: archsim exports read access (secretsmanager:GetSecretValue) only",
                        from.name, s.name
                    ),
                ));
            }
        }
    }
}

/// A secret read on every request: each read is an API call billed and
/// waited for.
pub(super) fn secret_read_every_request(d: &Design, out: &mut Found) {
    for (s, p) in secrets(d) {
        if p.reads == SecretReads::EveryRequest && !d.incoming(&s.id).is_empty() {
            out.push((
                ids(&[&s.id]),
                format!(
                    "{} is read on every request: each read is a GetSecretValue call, billed at $0.05 per 10,000 and adding its latency to the request",
                    s.name
                ),
            ));
        }
    }
}

/// A gateway endpoint exists for S3 and DynamoDB only.
pub(super) fn vpc_endpoint_type(d: &Design, out: &mut Found) {
    use crate::component::{EndpointType, VpcEndpointProps};
    for c in d.components() {
        let Props::VpcEndpoint(e) = &c.props else {
            continue;
        };
        if e.endpoint_type == EndpointType::Gateway
            && !VpcEndpointProps::GATEWAY_SERVICES.contains(&e.service.as_str())
        {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} is a gateway endpoint for {}: gateway endpoints exist for s3 and dynamodb only",
                    c.name, e.service
                ),
            ));
        }
    }
}
