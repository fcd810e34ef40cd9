//! CloudFront distributions: the modelled field of [`CloudFrontProps`].
//! Export writes it and import reads it back. The default TTL and the
//! cache hit ratio are the model's assumptions (a template's cache policy
//! does not say how often the edge hits), so import keeps the defaults.

use archsim_model::component::CloudFrontProps;
use serde_json::json;

use super::{Field, FieldMap};

pub(crate) const PRICE_CLASS: Field<CloudFrontProps> = Field {
    path: "DistributionConfig/PriceClass",
    write: |p| json!(p.price_class),
    read: Some(|p, v| {
        if let Some(class) = v.as_str() {
            p.price_class = class.to_string();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// An `AWS::CloudFront::Distribution`. Without a `PriceClass` a
/// distribution serves from every edge location (`PriceClass_All`).
pub(crate) const DISTRIBUTION: FieldMap<CloudFrontProps> = FieldMap {
    unset: || CloudFrontProps {
        price_class: "PriceClass_All".into(),
        ..CloudFrontProps::default()
    },
    fields: &[&PRICE_CLASS],
};
