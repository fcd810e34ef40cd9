//! EC2 instances: the modelled field of [`Ec2InstanceProps`], written by
//! export and read back by import (an `AWS::EC2::Instance` is drawn as an
//! EC2 instance; one resource is one instance).

use archsim_model::component::Ec2InstanceProps;
use serde_json::json;

use super::{Field, FieldMap};

pub(crate) const INSTANCE_TYPE: Field<Ec2InstanceProps> = Field {
    path: "InstanceType",
    write: |p| json!(p.instance_type),
    read: Some(|p, v| {
        if let Some(t) = v.as_str() {
            p.instance_type = t.into();
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const INSTANCE: FieldMap<Ec2InstanceProps> = FieldMap {
    // EC2's RunInstances starts an m1.small when no type is given.
    unset: || Ec2InstanceProps {
        instance_type: "m1.small".into(),
        count: 1,
    },
    fields: &[&INSTANCE_TYPE],
};
