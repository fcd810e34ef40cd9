//! ECR repositories: the field map of [`EcrRepositoryProps`].

use archsim_model::component::{EcrRepositoryProps, TagMutability};
use serde_json::{Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

pub(crate) const SCAN_ON_PUSH: Field<EcrRepositoryProps> = Field {
    path: "ImageScanningConfiguration/ScanOnPush",
    write: |p| json!(p.scan_on_push),
    read: Some(|p, v| p.scan_on_push = v.as_bool() == Some(true)),
    write_back: false,
    sam_global: false,
};

const TAG_MUTABILITIES: &[(TagMutability, &str)] = &[
    (TagMutability::Mutable, "MUTABLE"),
    (TagMutability::Immutable, "IMMUTABLE"),
];

pub(crate) const TAG_MUTABILITY: Field<EcrRepositoryProps> = Field {
    path: "ImageTagMutability",
    write: |p| json!(spelling(TAG_MUTABILITIES, p.tag_mutability)),
    read: Some(|p, v| {
        p.tag_mutability = parse(TAG_MUTABILITIES, v).unwrap_or(TagMutability::Mutable)
    }),
    write_back: false,
    sam_global: false,
};

/// The lifecycle policy, as JSON text: expire all but the last images.
pub(crate) const KEEP_IMAGES: Field<EcrRepositoryProps> = Field {
    path: "LifecyclePolicy/LifecyclePolicyText",
    write: |p| {
        let policy = json!({"rules": [{
            "rulePriority": 1,
            "description": format!("keep the last {} images", p.keep_images),
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": p.keep_images},
            "action": {"type": "expire"}}]});
        json!(serde_json::to_string(&policy).unwrap_or_default())
    },
    read: Some(|p, v| {
        let policy = v
            .as_str()
            .and_then(|t| serde_json::from_str::<Value>(t).ok());
        if let Some(n) = policy
            .as_ref()
            .and_then(|l| l.pointer("/rules/0/selection/countNumber"))
            .and_then(u32_of)
        {
            p.keep_images = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const REPOSITORY: FieldMap<EcrRepositoryProps> = FieldMap {
    // A repository that says nothing neither scans nor forbids overwrites.
    unset: || EcrRepositoryProps {
        scan_on_push: false,
        tag_mutability: TagMutability::Mutable,
        ..Default::default()
    },
    fields: &[&SCAN_ON_PUSH, &TAG_MUTABILITY, &KEEP_IMAGES],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        for sample in [
            EcrRepositoryProps {
                scan_on_push: true,
                tag_mutability: TagMutability::Immutable,
                keep_images: 7,
                ..Default::default()
            },
            (REPOSITORY.unset)(),
        ] {
            round_trips(&REPOSITORY, &sample);
        }
    }
}
