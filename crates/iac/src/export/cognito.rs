//! Cognito user pools.

use archsim_model::Component;
use archsim_model::component::*;
use serde_json::json;

use super::*;
use crate::names::kebab;

impl<'a> Ctx<'a> {
    pub(super) fn user_pool(&mut self, c: &Component, id: &str, p: &CognitoProps) {
        let mut props = json!({
            "UserPoolName": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))),
            "MfaConfiguration": match p.mfa { MfaMode::Off => "OFF", MfaMode::Optional => "OPTIONAL", MfaMode::On => "ON" },
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": !p.self_sign_up},
            "AutoVerifiedAttributes": ["email"],
            "UsernameAttributes": ["email"]
        });
        if p.mfa != MfaMode::Off {
            props["EnabledMfas"] = json!(["SOFTWARE_TOKEN_MFA"]);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::Cognito::UserPool", "Properties": props}),
        );
    }
}
