//! ECR repositories (scan on push, lifecycle policy) and the image URIs
//! of tasks that pull from them.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Value, json};

use super::*;
use crate::properties::ecr;

impl<'a> Ctx<'a> {
    pub(super) fn repository(&mut self, c: &Component, id: &str, p: &EcrRepositoryProps) {
        let mut props = Map::new();
        ecr::SCAN_ON_PUSH.put(&mut props, p);
        ecr::TAG_MUTABILITY.put(&mut props, p);
        ecr::KEEP_IMAGES.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::ECR::Repository", "Properties": props}),
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
