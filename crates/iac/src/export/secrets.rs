//! Secrets Manager secrets. Their readers' roles are granted
//! `secretsmanager:GetSecretValue` on exactly the secret (`iam.rs`), and
//! their environment names it (`<NAME>_SECRET_ARN`, `environment.rs`).

use archsim_model::Component;
use archsim_model::component::SecretProps;
use serde_json::json;

use super::*;
use crate::properties::secrets;

impl<'a> Ctx<'a> {
    pub(super) fn secret(&mut self, c: &Component, id: &str, p: &SecretProps) {
        let mut props = object(json!({
            "Name": sub(&format!("${{AWS::StackName}}/{}", crate::names::kebab(&c.name)))}));
        if !p.description.is_empty() {
            secrets::DESCRIPTION.put(&mut props, p);
        }
        if p.generated {
            secrets::GENERATE.put(&mut props, p);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::SecretsManager::Secret", "Properties": props}),
        );
    }
}
