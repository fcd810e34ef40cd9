//! Roles that only wire an AWS service to a resource: the role SNS
//! assumes to deliver a subscription to a Firehose delivery stream, and a
//! resource's own role (a function's execution role, a task definition's
//! task role, a rule's or a delivery stream's role, CodeDeploy's role for
//! a function's deployments) as archsim's export writes it for a
//! component with no role drawn. Such a role is its user's wiring, not a
//! component: it is kept in the template, not drawn (what it allows is
//! drawn as its user's connections), and the import report says whose it
//! is.

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

    /// The resource whose own role `role` is, and the service that
    /// assumes it: a role one AWS service alone may assume, named
    /// `<owner><suffix>` as the export names the role it writes for a
    /// component of the owner's type with none drawn ([`OWN_ROLES`]:
    /// `OrdersHandlerRole` for a function, `WorkerTaskTaskRole` for a task
    /// definition, `RuleToStreamRole` for a rule), and named by nothing but
    /// the owner and the owner's supporting resources (their names start
    /// with the owner's). A role drawn in the design keeps its own name
    /// (`OrdersTaskRole` for a task definition `OrdersTask`, whose own
    /// role would be `OrdersTaskTaskRole`), and a role others use is
    /// shared: both stay drawn.
    pub(super) fn own_role_of(&self, role: &str) -> Option<(&'a str, &'a str)> {
        let resources = self.resources();
        let trust = resources
            .get(role)
            .filter(|r| r["Type"].as_str() == Some("AWS::IAM::Role"))?
            .get("Properties")?
            .get("AssumeRolePolicyDocument")?;
        let service = sole_service(trust)?;
        let (owner, _) = resources
            .iter()
            .filter(|(id, _)| id.as_str() != role)
            .filter(|(id, r)| {
                role.strip_prefix(id.as_str()).is_some_and(|suffix| {
                    own_role_suffix(r["Type"].as_str().unwrap_or_default(), suffix, service)
                })
            })
            .max_by_key(|(id, _)| id.len())?;
        // Another role's policy naming it lets that role pass it (the
        // CodeDeploy role of an ECS blue/green service passes its task's
        // roles): that is not a use.
        let mut named_by = resources.iter().filter(|(id, r)| {
            id.as_str() != role && r["Type"].as_str() != Some("AWS::IAM::Role") && {
                let mut named = BTreeSet::new();
                references(r.get("Properties").unwrap_or(&Value::Null), &mut named);
                named.contains(role)
            }
        });
        let mut any = false;
        let only_owner = named_by.all(|(id, _)| {
            any = true;
            id.starts_with(owner.as_str())
        });
        (any && only_owner).then_some((owner.as_str(), service))
    }
}

/// The roles archsim's export writes for a resource when the design draws
/// none, by the resource's type: the suffix after the resource's name
/// (`*` stands for a target's name) and the service that assumes it.
const OWN_ROLES: &[(&str, &str, &str)] = &[
    ("AWS::Lambda::Function", "Role", "lambda.amazonaws.com"),
    (
        "AWS::Lambda::Function",
        "CodeDeployRole",
        "codedeploy.amazonaws.com",
    ),
    (
        "AWS::Serverless::Function",
        "CodeDeployRole",
        "codedeploy.amazonaws.com",
    ),
    (
        "AWS::ECS::Service",
        "CodeDeployRole",
        "codedeploy.amazonaws.com",
    ),
    (
        "AWS::ECS::TaskDefinition",
        "TaskRole",
        "ecs-tasks.amazonaws.com",
    ),
    (
        "AWS::ECS::TaskDefinition",
        "ExecutionRole",
        "ecs-tasks.amazonaws.com",
    ),
    ("AWS::EC2::Instance", "Role", "ec2.amazonaws.com"),
    ("AWS::EKS::Cluster", "ClusterRole", "eks.amazonaws.com"),
    ("AWS::EKS::Nodegroup", "NodeRole", "ec2.amazonaws.com"),
    (
        "AWS::EKS::FargateProfile",
        "PodExecutionRole",
        "eks-fargate-pods.amazonaws.com",
    ),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        "DeliveryRole",
        "firehose.amazonaws.com",
    ),
    (
        "AWS::ApiGateway::RestApi",
        "IntegrationRole",
        "apigateway.amazonaws.com",
    ),
    (
        "AWS::ApiGatewayV2::Api",
        "IntegrationRole",
        "apigateway.amazonaws.com",
    ),
    (
        "AWS::Serverless::Api",
        "IntegrationRole",
        "apigateway.amazonaws.com",
    ),
    (
        "AWS::Serverless::HttpApi",
        "IntegrationRole",
        "apigateway.amazonaws.com",
    ),
    ("AWS::Events::Rule", "To*Role", "events.amazonaws.com"),
    ("AWS::Pipes::Pipe", "Role", "pipes.amazonaws.com"),
    (
        "AWS::StepFunctions::StateMachine",
        "Role",
        "states.amazonaws.com",
    ),
];

/// Whether `suffix` after the name of a resource of type `ty` names the
/// role the export writes for it, assumed by `service`.
fn own_role_suffix(ty: &str, suffix: &str, service: &str) -> bool {
    OWN_ROLES.iter().any(|&(t, pattern, s)| {
        t == ty
            && s == service
            && match pattern.split_once('*') {
                Some((before, after)) => suffix
                    .strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after))
                    .is_some_and(|target| !target.is_empty()),
                None => suffix == pattern,
            }
    })
}

/// The one AWS service a trust policy lets assume the role, if it lets
/// one service alone.
fn sole_service(trust: &Value) -> Option<&str> {
    let statements = match trust.get("Statement") {
        Some(Value::Array(s)) => s.as_slice(),
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        _ => return None,
    };
    let service = match statements.first()?.get("Principal")?.get("Service")? {
        Value::String(s) => s.as_str(),
        Value::Array(list) => list.first()?.as_str()?,
        _ => return None,
    };
    trusts_only(trust, service).then_some(service)
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
