//! Roles that only wire an AWS service to a resource: the role SNS
//! assumes to deliver a subscription to a Firehose delivery stream. Such
//! a role is the subscription's wiring, not a component: it is kept in
//! the template, not drawn, and the import report says what it serves.

use super::*;

impl<'a> Importer<'a> {
    /// The subscription that delivers through `role`: an
    /// `AWS::SNS::Subscription` naming it as its `SubscriptionRoleArn`,
    /// when the role trusts SNS and nothing else (a role another service
    /// or a function may assume too is drawn as a role).
    pub(super) fn subscription_role_of(&self, role: &str) -> Option<&'a str> {
        let resources = self.resources();
        let trust = resources
            .get(role)
            .filter(|r| r["Type"].as_str() == Some("AWS::IAM::Role"))?
            .get("Properties")?
            .get("AssumeRolePolicyDocument")?;
        if !trusts_only(trust, "sns.amazonaws.com") {
            return None;
        }
        resources
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::SNS::Subscription"))
            .find(|(_, r)| {
                r.get("Properties")
                    .and_then(|p| p.get(messaging::SUBSCRIPTION_ROLE))
                    .and_then(ref_target)
                    == Some(role)
            })
            .map(|(logical, _)| logical.as_str())
    }
}

/// Whether every statement of a trust policy lets `service` assume the
/// role, and no other principal.
fn trusts_only(trust: &Value, service: &str) -> bool {
    let statements = match trust.get("Statement") {
        Some(Value::Array(s)) => s.as_slice(),
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        _ => return false,
    };
    let only = |principal: &Value| {
        let Some(p) = principal.as_object().filter(|p| p.len() == 1) else {
            return false;
        };
        match p.get("Service") {
            Some(Value::String(s)) => s == service,
            Some(Value::Array(list)) => !list.is_empty() && list.iter().all(|s| s == service),
            _ => false,
        }
    };
    !statements.is_empty()
        && statements
            .iter()
            .all(|s| s.get("Principal").is_some_and(only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_trusted_by_sns_alone_is_told_from_one_others_may_assume() {
        let sns = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        assert!(trusts_only(&sns, "sns.amazonaws.com"));
        let listed = json!({"Statement": {"Principal": {"Service": ["sns.amazonaws.com"]}}});
        assert!(trusts_only(&listed, "sns.amazonaws.com"));
        for other in [
            json!({"Statement": [{"Principal": {"Service": ["sns.amazonaws.com", "lambda.amazonaws.com"]}}]}),
            json!({"Statement": [{"Principal": {"Service": "sns.amazonaws.com", "AWS": "arn:aws:iam::111111111111:root"}}]}),
            json!({"Statement": [{"Principal": {"Service": "sns.amazonaws.com"}}, {"Principal": "*"}]}),
            json!({"Statement": []}),
        ] {
            assert!(!trusts_only(&other, "sns.amazonaws.com"), "{other}");
        }
    }
}
