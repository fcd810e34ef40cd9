//! The network: a generated VPC (two AZs, public and private subnets,
//! one NAT gateway) or parameters for an existing one, and the security
//! group rules that let a load balancer reach its targets.

use archsim_model::ComponentKind as K;
use archsim_model::component::{EndpointType, VpcEndpointProps};
use serde_json::{Value, json};

use super::*;
use crate::names::kebab;
use crate::properties::vpc_endpoint;

pub(super) const GENERATED_VPC_IDS: &[&str] = &[
    "Vpc",
    "InternetGateway",
    "VpcGatewayAttachment",
    "PublicSubnet1",
    "PublicSubnet2",
    "PrivateSubnet1",
    "PrivateSubnet2",
    "PublicRouteTable",
    "PublicRoute",
    "PublicSubnet1RouteTableAssociation",
    "PublicSubnet2RouteTableAssociation",
    "NatGatewayEip",
    "NatGateway",
    "PrivateRouteTable",
    "PrivateRoute",
    "PrivateSubnet1RouteTableAssociation",
    "PrivateSubnet2RouteTableAssociation",
    "VpcId",
    "PublicSubnetIds",
    "PrivateSubnetIds",
    "PrivateRouteTableIds",
    "VpcCidr",
    "ArtifactBucket",
    "ImageTag",
];

impl<'a> Ctx<'a> {
    pub(super) fn network(&mut self) {
        match self.opts.network {
            Network::Existing => {
                self.params.insert(
                    "VpcId".into(),
                    json!({"Type": "AWS::EC2::VPC::Id", "Description": "The VPC to deploy into"}),
                );
                self.params.insert(
                    "VpcCidr".into(),
                    json!({"Type": "String", "Description": "The VPC's CIDR block (for internal load balancer rules)", "Default": "10.0.0.0/16"}),
                );
                self.params.insert(
                    "PublicSubnetIds".into(),
                    json!({"Type": "List<AWS::EC2::Subnet::Id>", "Description": "Public subnets in two or more AZs (load balancers)"}),
                );
                self.params.insert(
                    "PrivateSubnetIds".into(),
                    json!({"Type": "List<AWS::EC2::Subnet::Id>", "Description": "Private subnets with a route to a NAT gateway (tasks, instances, nodes)"}),
                );
            }
            Network::Generated => {
                let eks = self.d.components().any(|c| c.kind() == K::EksCluster);
                self.add(
                    "Vpc".into(),
                    json!({"Type": "AWS::EC2::VPC", "Properties": {
                        "CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true,
                        "Tags": [{"Key": "Name", "Value": {"Ref": "AWS::StackName"}}]}}),
                );
                self.add(
                    "InternetGateway".into(),
                    json!({"Type": "AWS::EC2::InternetGateway"}),
                );
                self.add(
                    "VpcGatewayAttachment".into(),
                    json!({"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                        "VpcId": r("Vpc"), "InternetGatewayId": r("InternetGateway")}}),
                );
                for (i, public) in [(1, true), (2, true), (1, false), (2, false)] {
                    let name = if public {
                        format!("PublicSubnet{i}")
                    } else {
                        format!("PrivateSubnet{i}")
                    };
                    let cidr = if public {
                        format!("10.0.{}.0/24", i - 1)
                    } else {
                        format!("10.0.{}.0/24", 9 + i)
                    };
                    let mut tags = vec![
                        json!({"Key": "Name", "Value": sub(&format!("${{AWS::StackName}}-{}", kebab(&name)))}),
                    ];
                    if eks {
                        let role = if public {
                            "kubernetes.io/role/elb"
                        } else {
                            "kubernetes.io/role/internal-elb"
                        };
                        tags.push(json!({"Key": role, "Value": "1"}));
                    }
                    self.add(
                        name,
                        json!({"Type": "AWS::EC2::Subnet", "Properties": {
                            "VpcId": r("Vpc"), "CidrBlock": cidr,
                            "AvailabilityZone": {"Fn::Select": [i - 1, {"Fn::GetAZs": ""}]},
                            "MapPublicIpOnLaunch": public,
                            "Tags": tags}}),
                    );
                }
                self.add(
                    "PublicRouteTable".into(),
                    json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": r("Vpc")}}),
                );
                self.add(
                    "PublicRoute".into(),
                    json!({"Type": "AWS::EC2::Route", "DependsOn": "VpcGatewayAttachment", "Properties": {
                        "RouteTableId": r("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": r("InternetGateway")}}),
                );
                for i in [1, 2] {
                    self.add(
                        format!("PublicSubnet{i}RouteTableAssociation"),
                        json!({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                            "SubnetId": r(&format!("PublicSubnet{i}")), "RouteTableId": r("PublicRouteTable")}}),
                    );
                }
                self.add(
                    "NatGatewayEip".into(),
                    json!({"Type": "AWS::EC2::EIP", "DependsOn": "VpcGatewayAttachment", "Properties": {"Domain": "vpc"}}),
                );
                self.add(
                    "NatGateway".into(),
                    json!({"Type": "AWS::EC2::NatGateway", "Properties": {
                        "AllocationId": ga("NatGatewayEip", "AllocationId"), "SubnetId": r("PublicSubnet1")}}),
                );
                self.add(
                    "PrivateRouteTable".into(),
                    json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": r("Vpc")}}),
                );
                self.add(
                    "PrivateRoute".into(),
                    json!({"Type": "AWS::EC2::Route", "Properties": {
                        "RouteTableId": r("PrivateRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": r("NatGateway")}}),
                );
                for i in [1, 2] {
                    self.add(
                        format!("PrivateSubnet{i}RouteTableAssociation"),
                        json!({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                            "SubnetId": r(&format!("PrivateSubnet{i}")), "RouteTableId": r("PrivateRouteTable")}}),
                    );
                }
            }
        }
    }

    /// A VPC endpoint: a gateway endpoint is a route in the private
    /// subnets' route tables; an interface endpoint a network interface in
    /// each private subnet, reachable on 443 from the VPC.
    pub(super) fn vpc_endpoint(&mut self, c: &Component, id: &str, p: &VpcEndpointProps) {
        let mut props = object(json!({"VpcId": self.vpc_id()}));
        vpc_endpoint::SERVICE.put(&mut props, p);
        vpc_endpoint::TYPE.put(&mut props, p);
        match p.endpoint_type {
            EndpointType::Gateway => {
                let tables = match self.opts.network {
                    Network::Generated => json!([r("PrivateRouteTable")]),
                    Network::Existing => {
                        self.params.insert(
                            "PrivateRouteTableIds".into(),
                            json!({"Type": "CommaDelimitedList", "Description": "The route tables of the private subnets (gateway VPC endpoints)"}),
                        );
                        r("PrivateRouteTableIds")
                    }
                };
                props.insert("RouteTableIds".into(), tables);
            }
            EndpointType::Interface => {
                let sg = format!("{id}SecurityGroup");
                self.add(
                    sg.clone(),
                    json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                        "GroupDescription": format!("{}: HTTPS from the VPC", c.name),
                        "VpcId": self.vpc_id(),
                        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "CidrIp": self.vpc_cidr(), "Description": "HTTPS from the VPC to the endpoint"}]}}),
                );
                props.insert("SubnetIds".into(), self.subnets(false));
                props.insert("SecurityGroupIds".into(), json!([r(&sg)]));
                vpc_endpoint::PRIVATE_DNS.put(&mut props, p);
            }
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::EC2::VPCEndpoint", "Properties": props}),
        );
    }

    pub(super) fn vpc_id(&self) -> Value {
        match self.opts.network {
            Network::Generated => r("Vpc"),
            Network::Existing => r("VpcId"),
        }
    }

    pub(super) fn vpc_cidr(&self) -> Value {
        match self.opts.network {
            Network::Generated => ga("Vpc", "CidrBlock"),
            Network::Existing => r("VpcCidr"),
        }
    }

    pub(super) fn subnets(&self, public: bool) -> Value {
        match (self.opts.network, public) {
            (Network::Generated, true) => json!([r("PublicSubnet1"), r("PublicSubnet2")]),
            (Network::Generated, false) => json!([r("PrivateSubnet1"), r("PrivateSubnet2")]),
            (Network::Existing, true) => r("PublicSubnetIds"),
            (Network::Existing, false) => r("PrivateSubnetIds"),
        }
    }

    pub(super) fn all_subnets(&self) -> Value {
        match self.opts.network {
            Network::Generated => json!([
                r("PublicSubnet1"),
                r("PublicSubnet2"),
                r("PrivateSubnet1"),
                r("PrivateSubnet2")
            ]),
            Network::Existing => {
                json!({"Fn::Split": [",", {"Fn::Join": [",", [{"Fn::Join": [",", r("PublicSubnetIds")]}, {"Fn::Join": [",", r("PrivateSubnetIds")]}]]}]})
            }
        }
    }

    pub(super) fn ingress_from_lb(&mut self, sg: &str, lbid: &str, from: u16, to: u16, what: &str) {
        let mut id = format!("{sg}From{lbid}");
        if let Some(existing) = self.resources.get(&id) {
            let p = &existing["Properties"];
            if p["FromPort"] == json!(from) && p["ToPort"] == json!(to) {
                return;
            }
            id = format!("{sg}From{lbid}Port{from}");
            if self.resources.contains_key(&id) {
                return;
            }
        }
        self.add(
            id,
            json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": r(sg), "IpProtocol": "tcp", "FromPort": from, "ToPort": to,
                "SourceSecurityGroupId": r(&format!("{lbid}SecurityGroup")),
                "Description": format!("{what} from its load balancer")}}),
        );
    }
}
