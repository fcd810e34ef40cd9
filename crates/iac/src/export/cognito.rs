//! Cognito user pools.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K};
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
        // What the pool does to others that the template does not say:
        // said, not dropped. (An API's Cognito authorizer is the API's.)
        for (_, to) in self.d.outgoing(&c.id) {
            let what = if to.kind() == K::LambdaFunction {
                "the user pool trigger is not exported (the design does not say which trigger it is); add the pool's LambdaConfig and a lambda:InvokeFunction permission for cognito-idp.amazonaws.com by hand"
            } else if to.kind() == K::Alb {
                "the load balancer's authenticate-cognito action is not exported; add a user pool client and domain and the listener's authenticate-cognito action by hand"
            } else {
                continue;
            };
            self.notes
                .push(format!("{} -> {}: {what}", c.name, to.name));
        }
    }
}
