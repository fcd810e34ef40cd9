//! Cognito user pools.

use archsim_model::Component;
use archsim_model::component::*;
use serde_json::json;

use super::*;
use crate::names::kebab;
use crate::properties::cognito;

impl<'a> Ctx<'a> {
    pub(super) fn user_pool(&mut self, c: &Component, id: &str, p: &CognitoProps) {
        let mut props = object(json!({
            "UserPoolName": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name)))}));
        cognito::MFA.put(&mut props, p);
        cognito::SELF_SIGN_UP.put(&mut props, p);
        props.extend(object(json!({
            "AutoVerifiedAttributes": ["email"],
            "UsernameAttributes": ["email"]})));
        if p.mfa != MfaMode::Off {
            cognito::ENABLED_MFAS.put(&mut props, p);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::Cognito::UserPool", "Properties": props}),
        );
    }
}
