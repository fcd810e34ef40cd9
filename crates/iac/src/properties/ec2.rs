//! EC2 instances: the modelled field of [`Ec2InstanceProps`]. Export
//! writes it; import draws an `AWS::EC2::Instance` as a generic resource
//! for now, so nothing is read back.

use archsim_model::component::Ec2InstanceProps;
use serde_json::json;

use super::Field;

pub(crate) const INSTANCE_TYPE: Field<Ec2InstanceProps> = Field {
    path: "InstanceType",
    write: |p| json!(p.instance_type),
    read: None,
    write_back: false,
    sam_global: false,
};
