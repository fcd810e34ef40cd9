//! IAM roles: what a role is for, told from its trust policy and managed
//! policies.

use archsim_model::component::{IamRoleProps, RolePurpose};
use serde_json::{Map, Value};

/// A role's purpose: ECS tasks (the execution role has the execution
/// policy), EKS, EC2 instances, or Lambda (anything else). Its managed
/// policies are kept in the template, not read into the design.
pub(crate) fn role(p: &Map<String, Value>) -> IamRoleProps {
    let text =
        |key: &str| serde_json::to_string(p.get(key).unwrap_or(&Value::Null)).unwrap_or_default();
    let principal = text("AssumeRolePolicyDocument");
    let managed = text("ManagedPolicyArns");
    let purpose = if principal.contains("ecs-tasks") {
        if managed.contains("AmazonECSTaskExecutionRolePolicy") {
            RolePurpose::ExecutionRole
        } else {
            RolePurpose::TaskRole
        }
    } else if principal.contains("eks") || managed.contains("AmazonEKS") {
        RolePurpose::EksRole
    } else if principal.contains("ec2.amazonaws.com") {
        RolePurpose::InstanceRole
    } else {
        RolePurpose::LambdaRole
    };
    IamRoleProps {
        purpose,
        managed_policy_arns: Vec::new(),
    }
}
