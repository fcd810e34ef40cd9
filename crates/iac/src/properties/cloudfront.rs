//! CloudFront distributions: the modelled field of [`CloudFrontProps`].
//! Export writes it; import draws an `AWS::CloudFront::Distribution` as a
//! generic resource for now, so nothing is read back.

use archsim_model::component::CloudFrontProps;
use serde_json::json;

use super::Field;

pub(crate) const PRICE_CLASS: Field<CloudFrontProps> = Field {
    path: "DistributionConfig/PriceClass",
    write: |p| json!(p.price_class),
    read: None,
    write_back: false,
    sam_global: false,
};
