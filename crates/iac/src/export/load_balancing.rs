//! Load balancing: ALBs and NLBs with listeners, target groups and
//! listener rules (Lambda, EKS and EC2 targets; ECS services wire their
//! own), and Classic Load Balancers.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Value, json};

use super::*;
use crate::ExportError;
use crate::properties::load_balancing::{self, Rule};

impl<'a> Ctx<'a> {
    pub(super) fn load_balancer(
        &mut self,
        c: &Component,
        id: &str,
        p: &LoadBalancerProps,
    ) -> Result<(), ExportError> {
        let alb = c.kind() == K::Alb;
        let public = p.scheme == Scheme::InternetFacing;
        let sg = format!("{id}SecurityGroup");
        let ingress: Vec<Value> = p
            .listeners
            .iter()
            .map(|l| {
                let mut rule = json!({"IpProtocol": if l.protocol == ListenerProtocol::Udp { "udp" } else { "tcp" },
                    "FromPort": l.port, "ToPort": l.port});
                if public {
                    rule["CidrIp"] = json!("0.0.0.0/0");
                } else {
                    rule["CidrIp"] = self.vpc_cidr();
                }
                rule
            })
            .collect();
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Load balancer {}", c.name),
                "VpcId": self.vpc_id(), "SecurityGroupIngress": ingress}}),
        );
        let mut props = Map::new();
        load_balancing::put_type(&mut props, alb);
        load_balancing::SCHEME.put(&mut props, p);
        props.insert("Subnets".into(), self.subnets(public));
        props.insert("SecurityGroups".into(), json!([r(&sg)]));
        if alb {
            load_balancing::IDLE_TIMEOUT.put(&mut props, p);
        } else {
            load_balancing::CROSS_ZONE.put(&mut props, p);
        }
        let mut res = json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer"});
        if public && self.opts.network == Network::Generated {
            res["DependsOn"] = json!(["VpcGatewayAttachment"]);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
        // Listeners: an ALB answers 404 unless a rule matches; a route
        // without conditions becomes the default action instead.
        let routes: Vec<_> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Route { .. }))
            .collect();
        // Only targets written as target groups are forwarded to (the
        // others are said in the notes below): a listener naming a target
        // group that is not in the template would not deploy.
        let targeted: Vec<_> = routes
            .iter()
            .filter(|(_, to)| {
                matches!(
                    to.kind(),
                    K::LambdaFunction | K::EksWorkload | K::EcsService | K::Ec2Instance
                )
            })
            .collect();
        for l in &p.listeners {
            // The default routes: one target group, or several by weight.
            let defaults: Vec<(String, u32)> = targeted
                .iter()
                .filter_map(|(conn, to)| match &conn.kind {
                    ConnectionKind::Route {
                        conditions,
                        listener_port,
                        weight,
                        ..
                    } if conditions.is_empty() && *listener_port == l.port => {
                        Some((self.target_group_id(id, to), *weight))
                    }
                    _ => None,
                })
                .collect();
            let action = match defaults.first() {
                Some(_) if alb => json!([load_balancing::forward_action(&defaults)]),
                // A Network Load Balancer's listener forwards to one
                // target group (validation says so of more).
                Some((tg, _)) => {
                    if defaults.len() > 1 {
                        self.notes.push(format!(
                            "{}: listener {} forwards to its first target group only; a Network Load Balancer takes one",
                            c.name, l.port
                        ));
                    }
                    json!([{"Type": "forward", "TargetGroupArn": r(tg)}])
                }
                None if alb => {
                    json!([{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}])
                }
                None => match targeted.first() {
                    Some((_, to)) => {
                        json!([{"Type": "forward", "TargetGroupArn": r(&self.target_group_id(id, to))}])
                    }
                    None => continue,
                },
            };
            let mut lprops = object(json!({"LoadBalancerArn": r(id)}));
            load_balancing::PORT.put(&mut lprops, l);
            load_balancing::PROTOCOL.put(&mut lprops, l);
            lprops.insert("DefaultActions".into(), action);
            if matches!(l.protocol, ListenerProtocol::Https | ListenerProtocol::Tls) {
                let param = format!("{id}CertificateArn");
                let mut spec = json!({"Type": "String", "Description": format!("ACM certificate for {} port {}", c.name, l.port)});
                if !p.certificate_arn.trim().is_empty() {
                    spec["Default"] = json!(p.certificate_arn.trim());
                }
                self.params.insert(param.clone(), spec);
                lprops.insert(
                    "Certificates".into(),
                    json!([{"CertificateArn": r(&param)}]),
                );
            }
            self.add(
                format!("{id}Listener{}", l.port),
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": lprops}),
            );
        }
        self.outputs.insert(
            format!("{id}DnsName"),
            json!({"Description": format!("DNS name of {}", c.name), "Value": ga(id, "DNSName")}),
        );
        // Lambda and EKS targets; ECS services wire their own.
        for (conn, to) in routes {
            let Some(conn) = self.d.connection(&conn.id) else {
                continue;
            };
            let target_port = match &conn.kind {
                ConnectionKind::Route { target_port, .. } => *target_port,
                _ => None,
            };
            match &to.props {
                Props::LambdaFunction(_) => {
                    let tg = self.target_group_id(id, to);
                    let fid = self.id(&to.id);
                    let perm = format!("{fid}{id}Permission");
                    if !self.resources.contains_key(&tg) {
                        self.add(
                            perm.clone(),
                            json!({"Type": "AWS::Lambda::Permission", "Properties": {
                                "FunctionName": ga(&fid, "Arn"), "Action": "lambda:InvokeFunction",
                                "Principal": "elasticloadbalancing.amazonaws.com"}}),
                        );
                        self.add(
                            tg.clone(),
                            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "DependsOn": [perm], "Properties": {
                                "TargetType": "lambda", "Targets": [{"Id": ga(&fid, "Arn")}]}}),
                        );
                    }
                    self.listener_wiring(c, id, conn, &tg);
                }
                Props::EksWorkload(w) => {
                    let tg = self.target_group_id(id, to);
                    let port = target_port.unwrap_or(w.container_port);
                    self.target_group(c, &tg, NetworkMode::Awsvpc, port);
                    self.listener_wiring(c, id, conn, &tg);
                    self.outputs.insert(
                        format!("{tg}Arn"),
                        json!({"Description": format!("Target group for {} (bind it with a TargetGroupBinding)", to.name), "Value": r(&tg)}),
                    );
                }
                Props::EcsService(_) => {}
                Props::Ec2Instance(_) => {
                    let tg = self.target_group_id(id, to);
                    let port = target_port.unwrap_or(80);
                    let iid = self.id(&to.id);
                    self.target_group(c, &tg, NetworkMode::Host, port);
                    if let Some(props) = self
                        .resources
                        .get_mut(&tg)
                        .and_then(|t| t.get_mut("Properties"))
                    {
                        props["Targets"] = json!([{"Id": r(&iid), "Port": port}]);
                    }
                    self.listener_wiring(c, id, conn, &tg);
                    self.ingress_from_lb(&format!("{iid}SecurityGroup"), id, port, port, &to.name);
                }
                Props::Client(_)
                | Props::ApiGateway(_)
                | Props::CloudFront(_)
                | Props::Alb(_)
                | Props::Nlb(_)
                | Props::Clb(_)
                | Props::Cognito(_)
                | Props::Secret(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::S3Bucket(_)
                | Props::SqsQueue(_)
                | Props::SnsTopic(_)
                | Props::EventBridgeRule(_)
                | Props::EventBus(_)
                | Props::EventBridgePipe(_)
                | Props::KinesisStream(_)
                | Props::Firehose(_)
                | Props::StepFunctions(_)
                | Props::DynamoDbTable(_)
                | Props::AuroraServerless(_)
                | Props::Rds(_)
                | Props::EcsCluster(_)
                | Props::TaskDefinition(_)
                | Props::Fargate(_)
                | Props::FargateSpot(_)
                | Props::Ec2AutoScalingGroup(_)
                | Props::EksCluster(_)
                | Props::EksNodeGroup(_)
                | Props::EksFargateProfile(_)
                | Props::EcrRepository(_)
                | Props::ExternalRegistry(_)
                | Props::IamRole(_)
                | Props::VpcEndpoint(_)
                | Props::Generic(_) => self.notes.push(format!(
                    "{} -> {}: this load balancer target is not exported",
                    c.name, to.name
                )),
            }
        }
        Ok(())
    }

    pub(super) fn target_group_id(&self, lbid: &str, to: &Component) -> String {
        format!("{lbid}{}TargetGroup", self.id(&to.id))
    }

    pub(super) fn target_group(&mut self, lb: &Component, tg: &str, mode: NetworkMode, port: u16) {
        // Several routes from one load balancer to one target share a
        // target group, each with its own rule.
        if self.resources.contains_key(tg) {
            return;
        }
        let (Props::Alb(p) | Props::Nlb(p)) = &lb.props else {
            return;
        };
        let alb = lb.kind() == K::Alb;
        let mut props = object(json!({
            "TargetType": if mode == NetworkMode::Awsvpc { "ip" } else { "instance" },
            "Port": port,
            "Protocol": if alb { "HTTP" } else { "TCP" },
            "VpcId": self.vpc_id(),
            // Dynamic host ports (bridge mode) need health checks on the
            // port traffic goes to.
            "HealthCheckPort": "traffic-port",
        }));
        load_balancing::HEALTH_CHECK_INTERVAL.put(&mut props, p);
        load_balancing::HEALTHY_THRESHOLD.put(&mut props, p);
        load_balancing::UNHEALTHY_THRESHOLD.put(&mut props, p);
        if alb {
            load_balancing::HEALTH_CHECK_PATH.put(&mut props, p);
            load_balancing::HEALTH_CHECK_TIMEOUT.put(&mut props, p);
            load_balancing::ALB_TARGET_GROUP_ATTRIBUTES.put(&mut props, p);
        } else {
            load_balancing::NLB_TARGET_GROUP_ATTRIBUTES.put(&mut props, p);
        }
        self.add(
            tg.into(),
            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props}),
        );
    }

    /// A listener rule for a routed connection with conditions; returns the
    /// ids a service must wait for.
    pub(super) fn listener_wiring(
        &mut self,
        lb: &Component,
        lbid: &str,
        conn: &archsim_model::Connection,
        tg: &str,
    ) -> Vec<Value> {
        let ConnectionKind::Route { listener_port, .. } = &conn.kind else {
            return Vec::new();
        };
        let Some(mut route) = Rule::of(&conn.kind) else {
            return Vec::new();
        };
        let listener = format!("{lbid}Listener{listener_port}");
        if route.conditions.is_empty() || lb.kind() == K::Nlb {
            return vec![json!(listener)];
        }
        let priority = *route.priority.get_or_insert_with(|| {
            // Unnumbered rules follow the numbered ones, in connection order.
            let routes = self.d.outgoing(&lb.id);
            let index = routes
                .iter()
                .position(|(c, _)| c.id == conn.id)
                .unwrap_or(0);
            1000 + index as u32
        });
        // Routes that share this one's priority and conditions are one
        // rule forwarding to their target groups by weight, written once.
        let group: Vec<(String, String, u32)> = self
            .d
            .outgoing(&lb.id)
            .into_iter()
            .filter_map(|(c, to)| match &c.kind {
                ConnectionKind::Route {
                    priority: Some(p),
                    conditions,
                    listener_port: port,
                    weight,
                    ..
                } if *p == priority && port == listener_port && *conditions == route.conditions => {
                    Some((c.id.clone(), self.target_group_id(lbid, to), *weight))
                }
                _ => None,
            })
            .collect();
        if group.len() > 1 {
            let rule = format!("{lbid}Listener{listener_port}Rule{priority}");
            if group[0].0 == conn.id {
                let tgs: Vec<(String, u32)> =
                    group.iter().map(|(_, tg, w)| (tg.clone(), *w)).collect();
                let mut props = object(json!({"ListenerArn": r(&listener)}));
                load_balancing::PRIORITY.put(&mut props, &route);
                load_balancing::CONDITIONS.put(&mut props, &route);
                props.insert(
                    "Actions".into(),
                    json!([load_balancing::forward_action(&tgs)]),
                );
                self.add(
                    rule.clone(),
                    json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": props}),
                );
            }
            return vec![json!(rule)];
        }
        let mut rule = format!("{tg}Rule");
        if self.resources.contains_key(&rule) {
            rule = format!("{tg}Rule{priority}");
        }
        let mut props = object(json!({"ListenerArn": r(&listener)}));
        load_balancing::PRIORITY.put(&mut props, &route);
        load_balancing::CONDITIONS.put(&mut props, &route);
        props.insert(
            "Actions".into(),
            json!([{"Type": "forward", "TargetGroupArn": r(tg)}]),
        );
        self.add(
            rule.clone(),
            json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": props}),
        );
        vec![json!(rule)]
    }

    pub(super) fn classic_load_balancer(
        &mut self,
        c: &Component,
        id: &str,
        p: &ClassicLoadBalancerProps,
    ) {
        let public = p.scheme == Scheme::InternetFacing;
        let sg = format!("{id}SecurityGroup");
        let ingress: Vec<Value> = p
            .listeners
            .iter()
            .map(|l| {
                json!({"IpProtocol": "tcp", "FromPort": l.port, "ToPort": l.port,
                "CidrIp": if public { json!("0.0.0.0/0") } else { self.vpc_cidr() }})
            })
            .collect();
        self.add(
            sg.clone(),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Load balancer {}", c.name), "VpcId": self.vpc_id(),
                "SecurityGroupIngress": ingress}}),
        );
        let instances: Vec<Value> = self
            .d
            .outgoing(&c.id)
            .iter()
            .filter(|(_, to)| to.kind() == K::Ec2Instance)
            .map(|(_, to)| r(&self.id(&to.id)))
            .collect();
        let mut props = Map::new();
        load_balancing::CLASSIC_SCHEME.put(&mut props, p);
        props.insert("Subnets".into(), self.subnets(public));
        props.insert("SecurityGroups".into(), json!([r(&sg)]));
        load_balancing::CLASSIC_LISTENERS.put(&mut props, p);
        load_balancing::CLASSIC_IDLE_TIMEOUT.put(&mut props, p);
        if !instances.is_empty() {
            props.insert(
                load_balancing::CLASSIC_INSTANCES.into(),
                Value::Array(instances),
            );
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::ElasticLoadBalancing::LoadBalancer", "Properties": props}),
        );
        self.notes.push(format!(
            "{}: Classic Load Balancers are legacy; consider an ALB or NLB",
            c.name
        ));
        for (_, to) in self.d.outgoing(&c.id) {
            if to.kind() == K::EcsService {
                self.notes.push(format!(
                    "{} -> {}: a service's registration with a Classic Load Balancer is not exported; add the service's LoadBalancers (LoadBalancerName, ContainerName, ContainerPort) by hand",
                    c.name, to.name
                ));
            }
        }
    }
}
