//! ECS services: launch type or capacity provider strategy, placement,
//! load balancer wiring, network configuration and service auto scaling.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::*;
use crate::ExportError;
use crate::names::kebab;
use crate::properties::ecs::{self, RunsOn};

impl<'a> Ctx<'a> {
    /// The load balancers routing to `target`, with their route
    /// connections.
    pub(super) fn routes_to(
        &self,
        target: &str,
    ) -> Vec<(&'a archsim_model::Connection, &'a Component)> {
        self.d
            .incoming(target)
            .into_iter()
            .filter(|(conn, from)| {
                matches!(conn.kind, ConnectionKind::Route { .. })
                    && matches!(from.kind(), K::Alb | K::Nlb)
            })
            .filter_map(|(conn, from)| {
                Some((self.d.connection(&conn.id)?, self.d.component(&from.id)?))
            })
            .collect()
    }

    pub(super) fn service(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &EcsServiceProps,
    ) -> Result<(), ExportError> {
        let cluster = self
            .cluster_of(&c.id)
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message: "an ECS service must belong to a cluster (put it in the cluster's group)"
                    .into(),
            })?;
        let cid = self.id(&cluster.id);
        let task = self.task_of(&c.id).ok_or_else(|| ExportError::Component {
            component: c.id.clone(),
            message: "an ECS service needs a task definition (a runs-task connection)".into(),
        })?;
        let tid = self.id(&task.id);
        let Props::TaskDefinition(td) = &task.props else {
            return Ok(());
        };
        let fargate = self.on_fargate(c);
        let mut props = Map::new();
        props.insert("Cluster".into(), r(&cid));
        props.insert("TaskDefinition".into(), r(&tid));
        ecs::DESIRED_COUNT.put(&mut props, p);
        let runs_on: Vec<_> = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .filter_map(|(conn, to)| match conn.kind {
                ConnectionKind::RunsOn { weight, base } => {
                    Some((self.capacity_provider_name(to)?, weight, base))
                }
                _ => None,
            })
            .collect();
        let mut depends = Vec::new();
        if runs_on.is_empty() {
            let launch = if fargate {
                LaunchType::Fargate
            } else {
                LaunchType::Ec2
            };
            ecs::LAUNCH_TYPE.put_value(&mut props, ecs::launch_type(launch));
        } else {
            let strategy: Vec<Value> = runs_on
                .iter()
                .map(|(name, weight, base)| {
                    let item = RunsOn {
                        weight: *weight,
                        base: *base,
                    };
                    let mut s = object(json!({"CapacityProvider": name}));
                    ecs::WEIGHT.put(&mut s, &item);
                    if item.base > 0 {
                        ecs::BASE.put(&mut s, &item);
                    }
                    Value::Object(s)
                })
                .collect();
            props.insert("CapacityProviderStrategy".into(), Value::Array(strategy));
            depends.push(json!(format!("{cid}CapacityProviders")));
        }
        ecs::MIN_HEALTHY_PERCENT.put(&mut props, p);
        ecs::MAX_PERCENT.put(&mut props, p);
        let blue_green = match &p.deployment_controller {
            DeploymentController::Ecs => {
                ecs::CIRCUIT_BREAKER.put(&mut props, p);
                None
            }
            // The circuit breaker is the ECS controller's.
            DeploymentController::CodeDeploy(bg) => {
                ecs::DEPLOYMENT_CONTROLLER.put(&mut props, p);
                Some(bg)
            }
        };
        if !fargate {
            if !p.placement_strategies.is_empty() {
                ecs::PLACEMENT_STRATEGY.put(&mut props, p);
            }
            if !p.placement_constraints.is_empty() {
                ecs::PLACEMENT_CONSTRAINT.put(&mut props, p);
            }
        }
        let routes = self.routes_to(&c.id);
        let container = td.containers.iter().find(|ct| !ct.port_mappings.is_empty());
        let mut lbs = Vec::new();
        let mut shifted = None;
        let sg = format!("{id}SecurityGroup");
        for (conn, lb) in &routes {
            let lbid = self.id(&lb.id);
            let tg = format!("{lbid}{id}TargetGroup");
            let port = match (&conn.kind, container) {
                (
                    ConnectionKind::Route {
                        target_port: Some(p),
                        ..
                    },
                    _,
                ) => *p,
                (_, Some(ct)) => ct.port_mappings[0].container_port,
                _ => 80,
            };
            let name = container.map_or("app".to_string(), |c| c.name.clone());
            let entry =
                json!({"ContainerName": name, "ContainerPort": port, "TargetGroupArn": r(&tg)});
            if !lbs.contains(&entry) {
                lbs.push(entry);
            }
            self.target_group(lb, &tg, td.network_mode, port);
            if shifted.is_none() {
                shifted = ecs_blue_green::route_listener(&lbid, conn).map(|listener| {
                    ecs_blue_green::BlueGreenRoute {
                        lb,
                        lbid: lbid.clone(),
                        blue: tg.clone(),
                        listener,
                        mode: td.network_mode,
                        port,
                    }
                });
            }
            depends.extend(self.listener_wiring(lb, &lbid, conn, &tg));
            if td.network_mode == NetworkMode::Awsvpc {
                self.ingress_from_lb(&sg, &lbid, port, port, &c.name);
            } else {
                let isg = format!("{cid}InstanceSecurityGroup");
                let (from, to) = if td.network_mode == NetworkMode::Bridge {
                    (32768, 65535)
                } else {
                    (port, port)
                };
                self.ingress_from_lb(&isg, &lbid, from, to, &c.name);
            }
        }
        if !lbs.is_empty() {
            props.insert("LoadBalancers".into(), Value::Array(lbs));
            ecs::HEALTH_CHECK_GRACE.put(&mut props, p);
        }
        if td.network_mode == NetworkMode::Awsvpc {
            if !self.resources.contains_key(&sg) {
                self.add(
                    sg.clone(),
                    json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                        "GroupDescription": format!("Tasks of {}; only its load balancers may connect", c.name),
                        "VpcId": self.vpc_id()}}),
                );
            }
            props.insert(
                "NetworkConfiguration".into(),
                json!({"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "SecurityGroups": [r(&sg)], "Subnets": self.subnets(false)}}),
            );
        }
        if let Some(bg) = blue_green {
            match &shifted {
                Some(route) => {
                    if routes.len() > 1 {
                        self.notes.push(format!(
                            "{}: CodeDeploy shifts one target group pair: the route from {} (the others keep the blue target group)",
                            c.name, route.lb.name
                        ));
                    }
                    if let Some(test) = self.blue_green(c, id, &cid, task, bg, route) {
                        depends.push(json!(test));
                    }
                }
                None => self.notes.push(format!(
                    "{}: blue/green needs a load balancer route (ECS_BLUE_GREEN_NO_TARGET_GROUP_PAIR); exported with the CODE_DEPLOY controller and no deployment group",
                    c.name
                )),
            }
        }
        depends.sort_by_key(|v| v.as_str().map(str::to_string));
        depends.dedup();
        let mut res = json!({"Type": "AWS::ECS::Service"});
        if !depends.is_empty() {
            res["DependsOn"] = Value::Array(depends);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
        if let Some(scaling) = &p.autoscaling {
            self.service_scaling(c, id, &cid, p, scaling, &routes);
        }
        Ok(())
    }

    pub(super) fn service_scaling(
        &mut self,
        c: &Component,
        id: &str,
        cid: &str,
        p: &archsim_model::component::EcsServiceProps,
        scaling: &archsim_model::component::ServiceAutoScaling,
        routes: &[(&archsim_model::Connection, &Component)],
    ) {
        let target = format!("{id}ScalableTarget");
        let mut props = Map::new();
        ecs::MIN_COUNT.put(&mut props, p);
        ecs::MAX_COUNT.put(&mut props, p);
        props.extend(object(json!({
            "ResourceId": sub(&format!("service/${{{cid}}}/${{{id}.Name}}")),
            "ScalableDimension": "ecs:service:DesiredCount", "ServiceNamespace": "ecs"})));
        self.add(
            target.clone(),
            json!({"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": props}),
        );
        for (i, tt) in scaling.target_tracking.iter().enumerate() {
            let mut metric = json!({"PredefinedMetricType": match tt.metric {
                ScalingMetric::CpuUtilization => "ECSServiceAverageCPUUtilization",
                ScalingMetric::MemoryUtilization => "ECSServiceAverageMemoryUtilization",
                ScalingMetric::AlbRequestCountPerTarget => "ALBRequestCountPerTarget",
            }});
            if tt.metric == ScalingMetric::AlbRequestCountPerTarget {
                let Some((_, lb)) = routes.first() else {
                    self.notes.push(format!(
                        "{}: request-count scaling needs a load balancer route; policy skipped",
                        c.name
                    ));
                    continue;
                };
                let lbid = self.id(&lb.id);
                let tg = format!("{lbid}{id}TargetGroup");
                metric["ResourceLabel"] = json!({"Fn::Join": ["/", [ga(&lbid, "LoadBalancerFullName"), ga(&tg, "TargetGroupFullName")]]});
            }
            self.add(
                format!("{id}ScalingPolicy{}", i + 1),
                json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                    "PolicyName": format!("{}-target-tracking-{}", kebab(&c.name), i + 1),
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": r(&target),
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": metric,
                        "TargetValue": tt.target,
                        "ScaleInCooldown": tt.scale_in_cooldown_s,
                        "ScaleOutCooldown": tt.scale_out_cooldown_s}}}),
            );
        }
        for (i, step) in scaling.step.iter().enumerate() {
            let policy = format!("{id}StepScalingPolicy{}", i + 1);
            let adjustments: Vec<Value> = step
                .steps
                .iter()
                .map(|s| json!({"MetricIntervalLowerBound": s.lower_bound, "ScalingAdjustment": s.adjustment}))
                .collect();
            self.add(
                policy.clone(),
                json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                    "PolicyName": format!("{}-step-{}", kebab(&c.name), i + 1),
                    "PolicyType": "StepScaling",
                    "ScalingTargetId": r(&target),
                    "StepScalingPolicyConfiguration": {
                        "AdjustmentType": "ChangeInCapacity", "Cooldown": step.cooldown_s,
                        "MetricAggregationType": "Average", "StepAdjustments": adjustments}}}),
            );
            // A request count has no ECS alarm metric: its step policy
            // alarms on CPU.
            let metric = match step.metric {
                ScalingMetric::MemoryUtilization => "MemoryUtilization",
                ScalingMetric::CpuUtilization | ScalingMetric::AlbRequestCountPerTarget => {
                    "CPUUtilization"
                }
            };
            self.add(
                format!("{policy}Alarm"),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "Namespace": "AWS/ECS", "MetricName": metric, "Statistic": "Average",
                    "Dimensions": [{"Name": "ClusterName", "Value": r(cid)}, {"Name": "ServiceName", "Value": ga(id, "Name")}],
                    "Period": 60, "EvaluationPeriods": 2, "Threshold": step.alarm_threshold,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "AlarmActions": [r(&policy)]}}),
            );
        }
    }
}
