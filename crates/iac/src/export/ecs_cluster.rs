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
use crate::properties::ecs::{self, RunsOn};

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

    /// How a capacity provider strategy names ECS capacity; `None` for
    /// a component that is none.
    pub(super) fn capacity_provider_name(&self, c: &Component) -> Option<Value> {
        match c.kind() {
            K::Fargate => Some(json!("FARGATE")),
            K::FargateSpot => Some(json!("FARGATE_SPOT")),
            K::Ec2AutoScalingGroup => Some(r(&format!("{}CapacityProvider", self.id(&c.id)))),
            K::Client
            | K::ApiGateway
            | K::CloudFront
            | K::Alb
            | K::Nlb
            | K::Clb
            | K::Cognito
            | K::Lex
            | K::Alexa
            | K::S3Bucket
            | K::SqsQueue
            | K::SnsTopic
            | K::EventBridgeRule
            | K::EventBus
            | K::EventBridgePipe
            | K::KinesisStream
            | K::Firehose
            | K::DynamoDbTable
            | K::AuroraServerless
            | K::Rds
            | K::LambdaFunction
            | K::StepFunctions
            | K::Ec2Instance
            | K::EcsCluster
            | K::EcsService
            | K::TaskDefinition
            | K::EksCluster
            | K::EksNodeGroup
            | K::EksFargateProfile
            | K::EksWorkload
            | K::EcrRepository
            | K::ExternalRegistry
            | K::IamRole
            | K::VpcEndpoint
            | K::Secret
            | K::Generic => None,
        }
    }

    pub(super) fn cluster(&mut self, c: &Component, id: &str, p: &EcsClusterProps) {
        let mut props = Map::new();
        ecs::CONTAINER_INSIGHTS.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::ECS::Cluster", "Properties": props}),
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
            .filter_map(|p| self.capacity_provider_name(p))
            .collect();
        // The `Ref`s to EC2 capacity providers order their creation.
        let mut default = object(json!({"CapacityProvider": names[0]}));
        ecs::WEIGHT.put(&mut default, &RunsOn::default());
        let mut res = json!({"Type": "AWS::ECS::ClusterCapacityProviderAssociations"});
        res["Properties"] = json!({
            "Cluster": r(id),
            "CapacityProviders": names,
            "DefaultCapacityProviderStrategy": [default]
        });
        self.add(format!("{id}CapacityProviders"), res);
    }

    pub(super) fn cluster_of(&self, member: &str) -> Option<&'a Component> {
        self.d
            .cluster_of(member)
            .and_then(|c| self.d.component(&c.id))
    }

    pub(super) fn ec2_capacity(
        &mut self,
        c: &Component,
        id: &str,
        p: &Ec2CapacityProps,
    ) -> Result<(), ExportError> {
        let cluster = self
            .d
            .ecs_cluster_of_capacity(&c.id)
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message: match self.cluster_of(&c.id) {
                    Some(eks) => format!(
                        "{} is EC2 Auto Scaling capacity for ECS inside EKS cluster {}: EKS nodes are an EKS node group; replace it with one, or move it to an ECS cluster's group",
                        c.name, eks.name
                    ),
                    None => format!(
                        "{} is in no ECS cluster, so its instances have no cluster to join: put it in its ECS cluster's group, or have a service of that cluster run on it (RunsOn)",
                        c.name
                    ),
                },
            })?;
        if let [_, other, ..] = self.d.ecs_clusters_served_by_capacity(&c.id)[..] {
            return Err(ExportError::Component {
                component: c.id.clone(),
                message: format!(
                    "{} serves ECS clusters {} and {}: an Auto Scaling group's capacity provider and instances belong to one cluster; give {} its own Auto Scaling group",
                    c.name, cluster.name, other.name, other.name
                ),
            });
        }
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
        // The instance role holds only what the ECS agent needs: data
        // access drawn on the group would reach every task on its
        // instances, so it is said, not granted.
        for (conn, to) in self.d.outgoing(&c.id) {
            if matches!(
                conn.kind,
                ConnectionKind::Uses { .. } | ConnectionKind::Publishes
            ) {
                self.notes.push(format!(
                    "{} -> {}: access on the instance role is not exported (every task on the instances would have it); grant it on the task role of the services that need it, or add it to the instance role by hand",
                    c.name, to.name
                ));
            }
        }
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
        let mut lt_props = object(json!({"LaunchTemplateData": {"ImageId": r(&ami_param)}}));
        ecs::LAUNCH_INSTANCE_TYPE.put(&mut lt_props, p);
        if let Some(Value::Object(data)) = lt_props.get_mut("LaunchTemplateData") {
            data.extend(object(json!({
                "IamInstanceProfile": {"Arn": ga(&format!("{role}InstanceProfile"), "Arn")},
                "SecurityGroupIds": [r(&sg)],
                "MetadataOptions": {"HttpTokens": "required"},
                "UserData": {"Fn::Base64": sub(&user_data)}
            })));
        }
        if p.spot {
            ecs::MARKET_TYPE.put(&mut lt_props, p);
        }
        self.add(
            lt.clone(),
            json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": lt_props}),
        );
        let asg = format!("{id}AutoScalingGroup");
        let mut asg_props = Map::new();
        ecs::MIN_SIZE.put(&mut asg_props, p);
        ecs::MAX_SIZE.put(&mut asg_props, p);
        asg_props.extend(object(json!({
            "VPCZoneIdentifier": self.subnets(false),
            "LaunchTemplate": {"LaunchTemplateId": r(&lt), "Version": ga(&lt, "LatestVersionNumber")},
        })));
        if !p.managed_scaling {
            ecs::DESIRED_CAPACITY.put(&mut asg_props, p);
        }
        if p.managed_termination_protection {
            ecs::SCALE_IN_PROTECTION.put(&mut asg_props, p);
        }
        asg_props.insert("Tags".into(), json!([{"Key": "Name", "Value": sub(&format!("${{AWS::StackName}}-{}", kebab(&c.name))), "PropagateAtLaunch": true}]));
        self.add(
            asg.clone(),
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": asg_props}),
        );
        let mut provider = object(json!({"AutoScalingGroupArn": r(&asg)}));
        ecs::SCALING_STATUS.put(&mut provider, p);
        if p.managed_scaling {
            ecs::TARGET_CAPACITY.put(&mut provider, p);
            ecs::MINIMUM_SCALING_STEP.put(&mut provider, p);
            ecs::MAXIMUM_SCALING_STEP.put(&mut provider, p);
            ecs::INSTANCE_WARMUP.put(&mut provider, p);
        }
        ecs::TERMINATION_PROTECTION.put(&mut provider, p);
        self.add(
            format!("{id}CapacityProvider"),
            json!({"Type": "AWS::ECS::CapacityProvider", "Properties": {"AutoScalingGroupProvider": provider}}),
        );
        Ok(())
    }
}
