//! ECS clusters and their capacity: the cluster with its capacity
//! provider associations, and EC2 capacity (launch template, Auto Scaling
//! group, instance role and capacity provider).

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Value, json};

use super::iam::trust;
use super::*;
use crate::ExportError;
use crate::names::kebab;

impl<'a> Ctx<'a> {
    pub(super) fn cluster_members(&self, cluster: &str) -> Vec<&'a Component> {
        self.d
            .group_owned_by(cluster)
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|m| self.d.component(m))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn capacity_provider_name(&self, c: &Component) -> Value {
        match c.kind() {
            K::Fargate => json!("FARGATE"),
            K::FargateSpot => json!("FARGATE_SPOT"),
            _ => r(&format!("{}CapacityProvider", self.id(&c.id))),
        }
    }

    pub(super) fn cluster(&mut self, c: &Component, id: &str, insights: bool) {
        self.add(
            id.into(),
            json!({"Type": "AWS::ECS::Cluster", "Properties": {
                "ClusterSettings": [{"Name": "containerInsights", "Value": if insights { "enabled" } else { "disabled" }}]}}),
        );
        let mut providers: Vec<&Component> = self
            .cluster_members(&c.id)
            .into_iter()
            .filter(|m| m.kind().is_ecs_capacity())
            .collect();
        // Capacity reached only through services' RunsOn connections.
        for m in self.cluster_members(&c.id) {
            for (conn, to) in self.d.outgoing(&m.id) {
                if matches!(conn.kind, ConnectionKind::RunsOn { .. })
                    && to.kind().is_ecs_capacity()
                    && !providers.iter().any(|p| p.id == to.id)
                    && let Some(t) = self.d.component(&to.id)
                {
                    providers.push(t);
                }
            }
        }
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        if providers.is_empty() {
            return;
        }
        let names: Vec<Value> = providers
            .iter()
            .map(|p| self.capacity_provider_name(p))
            .collect();
        // The `Ref`s to EC2 capacity providers order their creation.
        let mut res = json!({"Type": "AWS::ECS::ClusterCapacityProviderAssociations"});
        res["Properties"] = json!({
            "Cluster": r(id),
            "CapacityProviders": names,
            "DefaultCapacityProviderStrategy": [{"CapacityProvider": names[0], "Weight": 1}]
        });
        self.add(format!("{id}CapacityProviders"), res);
    }

    pub(super) fn cluster_of(&self, member: &str) -> Option<&'a Component> {
        self.d
            .cluster_of(member)
            .and_then(|c| self.d.component(&c.id))
    }

    pub(super) fn ec2_capacity(&mut self, c: &Component, id: &str) -> Result<(), ExportError> {
        let Props::Ec2AutoScalingGroup(p) = &c.props else {
            return Ok(());
        };
        let cluster = self
            .cluster_of(&c.id)
            .or_else(|| {
                // Capacity outside a cluster group: the cluster of a service
                // that runs on it.
                self.d
                    .incoming(&c.id)
                    .into_iter()
                    .find_map(|(_, s)| self.cluster_of(&s.id))
            })
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message:
                    "EC2 capacity must belong to an ECS cluster (put it in the cluster's group)"
                        .into(),
            })?;
        let cid = self.id(&cluster.id);
        let gpu = self.d.incoming(&c.id).iter().any(|(_, s)| {
            self.task_of(&s.id)
                .is_some_and(|t| matches!(&t.props, Props::TaskDefinition(td) if td.gpus() > 0))
        });
        let ami_param = format!("{id}AmiId");
        self.params.insert(
            ami_param.clone(),
            json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Description": format!("ECS-optimised AMI for {}", c.name),
                "Default": if gpu { "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id" } else { "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }}),
        );
        // The instance role holds only what the ECS agent needs.
        let role_comp = self.assumed_role(&c.id, RolePurpose::InstanceRole);
        let role = role_comp
            .map(|r| self.id(&r.id))
            .unwrap_or_else(|| format!("{id}InstanceRole"));
        if !self.resources.contains_key(&role) {
            let mut arns = vec![
                managed("service-role/AmazonEC2ContainerServiceforEC2Role"),
                managed("AmazonSSMManagedInstanceCore"),
            ];
            arns.extend(self.role_extra_managed(role_comp));
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": trust("ec2.amazonaws.com"), "ManagedPolicyArns": arns}}),
            );
            self.add(
                format!("{role}InstanceProfile"),
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r(&role)]}}),
            );
        }
        let sg = format!("{cid}InstanceSecurityGroup");
        if !self.resources.contains_key(&sg) {
            self.add(
                sg.clone(),
                json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": format!("Container instances of {}", cluster.name),
                    "VpcId": self.vpc_id()}}),
            );
        }
        let mut user_data =
            format!("#!/bin/bash\necho ECS_CLUSTER=${{{cid}}} >> /etc/ecs/ecs.config\n");
        if p.awsvpc_trunking {
            user_data.push_str("echo ECS_ENABLE_TASK_ENI=true >> /etc/ecs/ecs.config\n");
        }
        let lt = format!("{id}LaunchTemplate");
        let mut data = json!({
            "ImageId": r(&ami_param),
            "InstanceType": p.instance_type,
            "IamInstanceProfile": {"Arn": ga(&format!("{role}InstanceProfile"), "Arn")},
            "SecurityGroupIds": [r(&sg)],
            "MetadataOptions": {"HttpTokens": "required"},
            "UserData": {"Fn::Base64": sub(&user_data)}
        });
        if p.spot {
            data["InstanceMarketOptions"] = json!({"MarketType": "spot"});
        }
        self.add(
            lt.clone(),
            json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data}}),
        );
        let asg = format!("{id}AutoScalingGroup");
        let mut asg_props = json!({
            "MinSize": p.min_size.to_string(),
            "MaxSize": p.max_size.to_string(),
            "VPCZoneIdentifier": self.subnets(false),
            "LaunchTemplate": {"LaunchTemplateId": r(&lt), "Version": ga(&lt, "LatestVersionNumber")},
        });
        if !p.managed_scaling {
            asg_props["DesiredCapacity"] = json!(p.desired_capacity.to_string());
        }
        if p.managed_termination_protection {
            asg_props["NewInstancesProtectedFromScaleIn"] = json!(true);
        }
        asg_props["Tags"] = json!([{"Key": "Name", "Value": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))), "PropagateAtLaunch": true}]);
        self.add(
            asg.clone(),
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": asg_props}),
        );
        let mut provider = json!({"AutoScalingGroupArn": r(&asg)});
        if p.managed_scaling {
            provider["ManagedScaling"] = json!({
                "Status": "ENABLED",
                "TargetCapacity": p.target_capacity_percent,
                "MinimumScalingStepSize": p.minimum_scaling_step,
                "MaximumScalingStepSize": p.maximum_scaling_step,
                "InstanceWarmupPeriod": p.instance_warmup_s});
        } else {
            provider["ManagedScaling"] = json!({"Status": "DISABLED"});
        }
        provider["ManagedTerminationProtection"] = json!(if p.managed_termination_protection {
            "ENABLED"
        } else {
            "DISABLED"
        });
        self.add(
            format!("{id}CapacityProvider"),
            json!({"Type": "AWS::ECS::CapacityProvider", "Properties": {"AutoScalingGroupProvider": provider}}),
        );
        Ok(())
    }
}
