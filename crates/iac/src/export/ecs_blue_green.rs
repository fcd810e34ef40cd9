//! ECS blue/green through CodeDeploy: the green target group beside the
//! route's (blue) one, the test listener, the CodeDeploy application
//! (`ComputePlatform: ECS`, one per stack), the service's deployment group
//! (traffic-shift configuration, termination wait, the target group pair
//! with its production and test listeners) and CodeDeploy's service role,
//! limited to this service, its task sets, listeners and task roles.

use archsim_model::component::{BlueGreen, NetworkMode};
use archsim_model::{Component, ConnectionKind};
use serde_json::json;

use super::iam::{statement, trust};
use super::*;
use crate::properties::ecs;

/// The one CodeDeploy application of a stack's ECS services.
pub(super) const ECS_APPLICATION: &str = "CodeDeployEcsApplication";

/// What the service export knows of the route a blue/green deployment
/// shifts: its load balancer, the blue target group and the listener.
pub(super) struct BlueGreenRoute<'r> {
    pub lb: &'r Component,
    pub lbid: String,
    pub blue: String,
    pub listener: String,
    pub mode: NetworkMode,
    pub port: u16,
}

impl<'a> Ctx<'a> {
    /// Writes the blue/green resources of service `c` (logical id `id`, in
    /// cluster `cid`, running task definition `task`); returns the test
    /// listener the service must wait for, if any.
    pub(super) fn blue_green(
        &mut self,
        c: &Component,
        id: &str,
        cid: &str,
        task: &Component,
        bg: &BlueGreen,
        route: &BlueGreenRoute,
    ) -> Option<String> {
        let green = format!("{}Green", route.blue);
        self.target_group(route.lb, &green, route.mode, route.port);
        let alb = route.lb.kind() == archsim_model::ComponentKind::Alb;
        let test = bg.test_listener_port.map(|port| {
            let listener = format!("{}{id}TestListener", route.lbid);
            let mut props = object(json!({"LoadBalancerArn": r(&route.lbid),
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": r(&route.blue)}]}));
            props.insert("Port".into(), json!(port));
            props.insert("Protocol".into(), json!(if alb { "HTTP" } else { "TCP" }));
            self.add(
                listener.clone(),
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": props}),
            );
            // Testers reach the test port as clients reach the listeners.
            let public = matches!(&route.lb.props,
                archsim_model::Props::Alb(p) | archsim_model::Props::Nlb(p)
                    if p.scheme == archsim_model::component::Scheme::InternetFacing);
            let cidr = if public {
                json!("0.0.0.0/0")
            } else {
                self.vpc_cidr()
            };
            self.add(
                format!("{listener}Ingress"),
                json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                    "GroupId": ga(&format!("{}SecurityGroup", route.lbid), "GroupId"),
                    "IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": cidr,
                    "Description": format!("Test listener of {}", c.name)}}),
            );
            listener
        });
        if !self.resources.contains_key(ECS_APPLICATION) {
            self.add(
                ECS_APPLICATION.into(),
                json!({"Type": "AWS::CodeDeploy::Application", "Properties": {"ComputePlatform": "ECS"}}),
            );
        }
        let config = if bg.is_predefined() {
            json!(format!("CodeDeployDefault.{}", bg.config_name()))
        } else {
            self.deployment_config(id, "ECS", &bg.traffic_shift)
        };
        let role = format!("{id}CodeDeployRole");
        self.blue_green_role(&role, id, cid, task, route, test.as_deref());
        let mut pair = json!({
            "TargetGroups": [{"Name": ga(&route.blue, "TargetGroupName")}, {"Name": ga(&green, "TargetGroupName")}],
            "ProdTrafficRoute": {"ListenerArns": [r(&route.listener)]},
        });
        if let Some(t) = &test {
            pair["TestTrafficRoute"] = json!({"ListenerArns": [r(t)]});
        }
        let mut group = object(json!({
            "ApplicationName": r(ECS_APPLICATION),
            "ServiceRoleArn": ga(&role, "Arn"),
            "DeploymentConfigName": config,
            "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
            "AutoRollbackConfiguration": {"Enabled": true, "Events": ["DEPLOYMENT_FAILURE"]},
            "BlueGreenDeploymentConfiguration": {
                "DeploymentReadyOption": {"ActionOnTimeout": "CONTINUE_DEPLOYMENT"},
                "TerminateBlueInstancesOnDeploymentSuccess": {"Action": "TERMINATE"}},
            "ECSServices": [{"ClusterName": r(cid), "ServiceName": ga(id, "Name")}],
            "LoadBalancerInfo": {"TargetGroupPairInfoList": [pair]},
        }));
        ecs::TERMINATION_WAIT.put(&mut group, bg);
        self.add(
            format!("{id}DeploymentGroup"),
            json!({"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": group}),
        );
        self.notes.push(format!(
            "{}: deployed blue/green by CodeDeploy ({}); CloudFormation creates the service, and new versions go out as CodeDeploy deployments (an AppSpec naming the new task definition), not stack updates",
            c.name,
            bg.config_name()
        ));
        test
    }

    /// CodeDeploy's role for one service: its task sets, its listeners'
    /// rules, passing its task definition's roles to ECS. The load
    /// balancer's `Describe*` calls cannot be limited to resources.
    fn blue_green_role(
        &mut self,
        role: &str,
        id: &str,
        cid: &str,
        task: &Component,
        route: &BlueGreenRoute,
        test: Option<&str>,
    ) {
        let mut listeners = vec![r(&route.listener)];
        listeners.extend(test.map(r));
        let rules = sub(&format!(
            "arn:${{AWS::Partition}}:elasticloadbalancing:${{AWS::Region}}:${{AWS::AccountId}}:listener-rule/*/${{{}.LoadBalancerName}}/*",
            route.lbid
        ));
        let pass = self.pass_task_roles(task);
        let stmts = vec![
            statement(&["ecs:DescribeServices"], vec![r(id)]),
            statement(
                &[
                    "ecs:CreateTaskSet",
                    "ecs:DeleteTaskSet",
                    "ecs:UpdateServicePrimaryTaskSet",
                ],
                vec![
                    r(id),
                    sub(&format!(
                        "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-set/${{{cid}}}/${{{id}.Name}}/*"
                    )),
                ],
            ),
            statement(
                &[
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                vec![json!("*")],
            ),
            statement(
                &[
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:ModifyRule",
                ],
                listeners.into_iter().chain([rules]).collect(),
            ),
            pass,
        ];
        let mut props = json!({"AssumeRolePolicyDocument": trust("codedeploy.amazonaws.com")});
        if let Some(pol) = self.inline_policy(&format!("{id}CodeDeploy"), stmts) {
            props["Policies"] = json!([pol]);
        }
        self.add(
            role.into(),
            json!({"Type": "AWS::IAM::Role", "Properties": props}),
        );
    }
}

/// The listener a route is served by (its rule's listener, or the one
/// whose default action it is).
pub(super) fn route_listener(lbid: &str, conn: &archsim_model::Connection) -> Option<String> {
    match &conn.kind {
        ConnectionKind::Route { listener_port, .. } => {
            Some(format!("{lbid}Listener{listener_port}"))
        }
        _ => None,
    }
}
