//! ECR repositories (scan on push, lifecycle policy) and the image URIs
//! of tasks that pull from them.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Value, json};

use super::*;

impl<'a> Ctx<'a> {
    pub(super) fn repository(&mut self, c: &Component, id: &str, p: &EcrRepositoryProps) {
        let lifecycle = json!({"rules": [{
            "rulePriority": 1,
            "description": format!("keep the last {} images", p.keep_images),
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": p.keep_images},
            "action": {"type": "expire"}}]});
        self.add(
            id.into(),
            json!({"Type": "AWS::ECR::Repository", "Properties": {
                "ImageScanningConfiguration": {"ScanOnPush": p.scan_on_push},
                "ImageTagMutability": match p.tag_mutability { TagMutability::Mutable => "MUTABLE", TagMutability::Immutable => "IMMUTABLE" },
                "LifecyclePolicy": {"LifecyclePolicyText": serde_json::to_string(&lifecycle).unwrap_or_default()}}}),
        );
        self.outputs.insert(
            format!("{id}Uri"),
            json!({"Description": format!("Repository URI of {}", c.name), "Value": ga(id, "RepositoryUri")}),
        );
    }

    pub(super) fn image_of(&self, owner: &str, image: &str) -> Value {
        let repo = self
            .d
            .outgoing(owner)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::PullsImage) && to.kind() == K::EcrRepository
            })
            .map(|(_, to)| self.id(&to.id));
        match repo {
            Some(repo) => sub(&format!("${{{repo}.RepositoryUri}}:${{ImageTag}}")),
            None => json!(image),
        }
    }
}
