//! The rules on S3 buckets as the scenarios use them, and on DynamoDB
//! tables' auto scaling.

use super::*;
use crate::component::ComponentKind;

/// A scenario whose every upload into a bucket misses the bucket's
/// notification filter: in that scenario the bucket notifies nothing (the
/// simulator takes the key written from the traffic's `path`).
pub(super) fn s3_filter_never_passes(d: &Design, out: &mut Found) {
    for b in d.components() {
        let Props::S3Bucket(p) = &b.props else {
            continue;
        };
        if p.events.is_empty() || (p.prefix.is_empty() && p.suffix.is_empty()) {
            continue;
        }
        if d.outgoing(&b.id).is_empty() {
            continue;
        }
        let writers: Vec<&str> = d
            .incoming(&b.id)
            .into_iter()
            .filter(|(conn, from)| {
                from.kind() == ComponentKind::Client
                    && matches!(conn.kind, ConnectionKind::Uses { access } if access.writes())
            })
            .map(|(_, from)| from.id.as_str())
            .collect();
        for s in &d.scenarios {
            let keys: Vec<&str> = s
                .traffic
                .iter()
                .filter(|t| writers.contains(&t.entry.as_str()))
                .map(|t| t.request.path.trim_start_matches('/'))
                .collect();
            let passes =
                |k: &&str| k.starts_with(p.prefix.as_str()) && k.ends_with(p.suffix.as_str());
            if !keys.is_empty() && !keys.iter().any(passes) {
                out.push((
                    ids(&[&b.id]),
                    format!(
                        "scenario \"{}\" writes {} into {}, which its notification filter (prefix \"{}\", suffix \"{}\") does not pass: in that scenario {} notifies nothing",
                        s.name,
                        keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", "),
                        b.name,
                        p.prefix,
                        p.suffix,
                        b.name
                    ),
                ));
            }
        }
    }
}

/// Auto scaling a table cannot take: on an on-demand table (Application
/// Auto Scaling scales provisioned capacity only), or a minimum above the
/// maximum.
pub(super) fn dynamodb_scaling(d: &Design, out: &mut Found) {
    for c in d.components() {
        let Props::DynamoDbTable(t) = &c.props else {
            continue;
        };
        for (what, scaling) in [("read", &t.read_scaling), ("write", &t.write_scaling)] {
            let Some(s) = scaling else { continue };
            if t.billing == crate::component::DynamoDbBilling::OnDemand {
                out.push((
                    ids(&[&c.id]),
                    format!(
                        "{} is on demand but has {what} auto scaling: only provisioned capacity scales",
                        c.name
                    ),
                ));
            } else if s.min_capacity > s.max_capacity {
                out.push((
                    ids(&[&c.id]),
                    format!(
                        "{}: {what} auto scaling's minimum {} is above its maximum {}",
                        c.name, s.min_capacity, s.max_capacity
                    ),
                ));
            }
        }
    }
}
