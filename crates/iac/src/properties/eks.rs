//! EKS: the field maps of clusters, managed node groups and Fargate
//! profiles.

use archsim_model::component::{
    CapacityType, EksClusterProps, EksFargateProfileProps, EksNodeGroupProps, EksSupport,
};
use serde_json::{Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

pub(crate) const VERSION: Field<EksClusterProps> = Field {
    path: "Version",
    write: |p| json!(p.version),
    read: Some(|p, v| {
        if let Some(s) = v.as_str() {
            p.version = s.into();
        }
    }),
    write_back: true,
    sam_global: false,
};

/// Beside the subnets export derives from the network.
pub(crate) const ENDPOINT_PUBLIC: Field<EksClusterProps> = Field {
    path: "ResourcesVpcConfig/EndpointPublicAccess",
    write: |p| json!(p.endpoint_public),
    read: Some(|p, v| {
        if let Some(b) = v.as_bool() {
            p.endpoint_public = b;
        }
    }),
    write_back: false,
    sam_global: false,
};

const SUPPORT_TYPES: &[(EksSupport, &str)] = &[
    (EksSupport::Standard, "STANDARD"),
    (EksSupport::Extended, "EXTENDED"),
];

pub(crate) const SUPPORT: Field<EksClusterProps> = Field {
    path: "UpgradePolicy/SupportType",
    write: |p| json!(spelling(SUPPORT_TYPES, p.support)),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const CLUSTER: FieldMap<EksClusterProps> = FieldMap {
    unset: EksClusterProps::default,
    fields: &[&VERSION, &ENDPOINT_PUBLIC, &SUPPORT],
};

/// One instance type; import reads the first of a list.
pub(crate) const INSTANCE_TYPES: Field<EksNodeGroupProps> = Field {
    path: "InstanceTypes",
    write: |p| json!([p.instance_type]),
    read: Some(|p, v| {
        if let Some(t) = v.get(0).and_then(Value::as_str) {
            p.instance_type = t.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

const CAPACITY_TYPES: &[(CapacityType, &str)] = &[
    (CapacityType::OnDemand, "ON_DEMAND"),
    (CapacityType::Spot, "SPOT"),
];

pub(crate) const CAPACITY_TYPE: Field<EksNodeGroupProps> = Field {
    path: "CapacityType",
    write: |p| json!(spelling(CAPACITY_TYPES, p.capacity_type)),
    read: Some(|p, v| {
        if parse(CAPACITY_TYPES, v) == Some(CapacityType::Spot) {
            p.capacity_type = CapacityType::Spot;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MIN_SIZE: Field<EksNodeGroupProps> = Field {
    path: "ScalingConfig/MinSize",
    write: |p| json!(p.min_size),
    read: Some(|p, v| p.min_size = u32_of(v).unwrap_or(p.min_size)),
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_SIZE: Field<EksNodeGroupProps> = Field {
    path: "ScalingConfig/MaxSize",
    write: |p| json!(p.max_size),
    read: Some(|p, v| p.max_size = u32_of(v).unwrap_or(p.max_size)),
    write_back: false,
    sam_global: false,
};

pub(crate) const DESIRED_SIZE: Field<EksNodeGroupProps> = Field {
    path: "ScalingConfig/DesiredSize",
    write: |p| json!(p.desired_size),
    read: Some(|p, v| p.desired_size = u32_of(v).unwrap_or(p.desired_size)),
    write_back: false,
    sam_global: false,
};

pub(crate) const NODE_GROUP: FieldMap<EksNodeGroupProps> = FieldMap {
    unset: EksNodeGroupProps::default,
    fields: &[
        &INSTANCE_TYPES,
        &CAPACITY_TYPE,
        &MIN_SIZE,
        &MAX_SIZE,
        &DESIRED_SIZE,
    ],
};

/// One selector: the namespace and its labels; import reads the first.
pub(crate) const SELECTORS: Field<EksFargateProfileProps> = Field {
    path: "Selectors",
    write: |p| {
        let mut selector = json!({"Namespace": p.namespace});
        if !p.labels.is_empty() {
            selector["Labels"] = Value::Array(
                p.labels
                    .iter()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect(),
            );
        }
        json!([selector])
    },
    read: Some(|p, v| {
        let Some(sel) = v.get(0) else { return };
        if let Some(ns) = sel.get("Namespace").and_then(Value::as_str) {
            p.namespace = ns.into();
        }
        for l in sel
            .get("Labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(k), Some(v)) = (
                l.get("Key").and_then(Value::as_str),
                l.get("Value").and_then(Value::as_str),
            ) {
                p.labels.insert(k.into(), v.into());
            }
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const FARGATE_PROFILE: FieldMap<EksFargateProfileProps> = FieldMap {
    unset: EksFargateProfileProps::default,
    fields: &[&SELECTORS],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &CLUSTER,
            &EksClusterProps {
                version: "1.30".into(),
                support: EksSupport::Extended,
                endpoint_public: false,
            },
        );
        round_trips(
            &NODE_GROUP,
            &EksNodeGroupProps {
                instance_type: "c7g.xlarge".into(),
                min_size: 2,
                max_size: 8,
                desired_size: 3,
                capacity_type: CapacityType::Spot,
                ..Default::default()
            },
        );
        round_trips(
            &FARGATE_PROFILE,
            &EksFargateProfileProps {
                namespace: "batch".into(),
                labels: [("tier".to_string(), "jobs".to_string())].into(),
            },
        );
    }
}
