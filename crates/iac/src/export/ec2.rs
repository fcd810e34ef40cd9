//! EC2 instances with their security group, role and instance profile.

use archsim_model::Component;
use archsim_model::component::*;
use serde_json::json;

use super::iam::trust;
use super::*;
use crate::properties::ec2;

impl<'a> Ctx<'a> {
    pub(super) fn ec2_instance(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::Ec2InstanceProps,
    ) {
        let ami = format!("{id}AmiId");
        self.params.insert(
            ami.clone(),
            json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Description": format!("AMI for {}", c.name),
                "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}),
        );
        let sg = format!("{id}SecurityGroup");
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Instance {}", c.name), "VpcId": self.vpc_id()}}),
        );
        let stmts = self.statements(&c.id);
        let role_comp = self.assumed_role(&c.id, RolePurpose::InstanceRole);
        let mut profile = None;
        if role_comp.is_some() || !stmts.is_empty() {
            let role = role_comp
                .map(|r| self.id(&r.id))
                .unwrap_or_else(|| format!("{id}Role"));
            let mut arns = vec![managed("AmazonSSMManagedInstanceCore")];
            arns.extend(self.role_extra_managed(role_comp));
            let mut props = json!({"AssumeRolePolicyDocument": trust("ec2.amazonaws.com"), "ManagedPolicyArns": arns});
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                props["Policies"] = json!([pol]);
            }
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": props}),
            );
            let name = format!("{id}InstanceProfile");
            self.add(
                name.clone(),
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [r(&role)]}}),
            );
            profile = Some(name);
        }
        let subnet = match self.opts.network {
            Network::Generated => r("PrivateSubnet1"),
            Network::Existing => json!({"Fn::Select": [0, r("PrivateSubnetIds")]}),
        };
        let mut props = object(json!({"ImageId": r(&ami)}));
        ec2::INSTANCE_TYPE.put(&mut props, p);
        props.extend(object(json!({"SubnetId": subnet,
            "SecurityGroupIds": [r(&sg)], "MetadataOptions": {"HttpTokens": "required"}})));
        if let Some(profile) = profile {
            props.insert("IamInstanceProfile".into(), r(&profile));
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::EC2::Instance", "Properties": props}),
        );
        if p.count > 1 {
            self.notes.push(format!(
                "{}: {} instances are modelled; one is exported (use an Auto Scaling group for more)",
                c.name, p.count
            ));
        }
    }
}
