//! ECS: the field maps of clusters, services (with their capacity
//! provider strategy and auto scaling target) and EC2 capacity (capacity
//! provider, Auto Scaling group, launch template). Task definitions are
//! in `ecs_task`.

use archsim_model::component::{
    BlueGreen, CircuitBreaker, DeploymentController, Ec2CapacityProps, EcsClusterProps,
    EcsServiceProps, LaunchType, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType,
};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

pub(crate) const CONTAINER_INSIGHTS: Field<EcsClusterProps> = Field {
    path: "ClusterSettings",
    write: |p| {
        json!([{"Name": "containerInsights",
            "Value": if p.container_insights { "enabled" } else { "disabled" }}])
    },
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const CLUSTER: FieldMap<EcsClusterProps> = FieldMap {
    unset: EcsClusterProps::default,
    fields: &[&CONTAINER_INSIGHTS],
};

pub(crate) const DESIRED_COUNT: Field<EcsServiceProps> = Field {
    path: "DesiredCount",
    write: |p| json!(p.desired_count),
    // The scaling bounds widen to include it.
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.desired_count = n;
            p.min_count = p.min_count.min(n);
            p.max_count = p.max_count.max(n);
        }
    }),
    write_back: true,
    sam_global: false,
};

const LAUNCH_TYPES: &[(LaunchType, &str)] =
    &[(LaunchType::Fargate, "FARGATE"), (LaunchType::Ec2, "EC2")];

/// The spelling of a launch type (export derives it from the service's
/// capacity when the model leaves it open).
pub(crate) fn launch_type(t: LaunchType) -> Value {
    json!(spelling(LAUNCH_TYPES, t))
}

/// The launch type a spelling stands for.
pub(crate) fn parse_launch_type(v: &Value) -> Option<LaunchType> {
    parse(LAUNCH_TYPES, v)
}

pub(crate) const LAUNCH_TYPE: Field<EcsServiceProps> = Field {
    path: "LaunchType",
    write: |p| p.launch_type.map_or(Value::Null, launch_type),
    read: Some(|p, v| p.launch_type = parse_launch_type(v)),
    write_back: false,
    sam_global: false,
};

pub(crate) const MIN_HEALTHY_PERCENT: Field<EcsServiceProps> = Field {
    path: "DeploymentConfiguration/MinimumHealthyPercent",
    write: |p| json!(p.min_healthy_percent),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.min_healthy_percent = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_PERCENT: Field<EcsServiceProps> = Field {
    path: "DeploymentConfiguration/MaximumPercent",
    write: |p| json!(p.max_percent),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_percent = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

const PLACEMENT_STRATEGIES: &[(PlacementStrategyType, &str)] = &[
    (PlacementStrategyType::Binpack, "binpack"),
    (PlacementStrategyType::Spread, "spread"),
    (PlacementStrategyType::Random, "random"),
];

/// Random placement takes no field.
pub(crate) const PLACEMENT_STRATEGY: Field<EcsServiceProps> = Field {
    path: "PlacementStrategies",
    write: |p| {
        json!(
            p.placement_strategies
                .iter()
                .map(|s| {
                    let mut v = json!({"Type": spelling(PLACEMENT_STRATEGIES, s.kind)});
                    if !s.field.is_empty() && s.kind != PlacementStrategyType::Random {
                        v["Field"] = json!(s.field);
                    }
                    v
                })
                .collect::<Vec<_>>()
        )
    },
    read: Some(|p, v| {
        p.placement_strategies = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| {
                Some(PlacementStrategy {
                    kind: parse(PLACEMENT_STRATEGIES, s.get("Type")?)?,
                    field: s
                        .get("Field")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect();
    }),
    write_back: false,
    sam_global: false,
};

const PLACEMENT_CONSTRAINTS: &[(PlacementConstraintType, &str)] = &[
    (
        PlacementConstraintType::DistinctInstance,
        "distinctInstance",
    ),
    (PlacementConstraintType::MemberOf, "memberOf"),
];

/// Only `memberOf` takes an expression.
pub(crate) const PLACEMENT_CONSTRAINT: Field<EcsServiceProps> = Field {
    path: "PlacementConstraints",
    write: |p| {
        json!(
            p.placement_constraints
                .iter()
                .map(|c| {
                    let mut v = json!({"Type": spelling(PLACEMENT_CONSTRAINTS, c.kind)});
                    if c.kind == PlacementConstraintType::MemberOf {
                        v["Expression"] = json!(c.expression);
                    }
                    v
                })
                .collect::<Vec<_>>()
        )
    },
    read: Some(|p, v| {
        let Some(list) = v.as_array() else { return };
        p.placement_constraints = list
            .iter()
            .filter_map(|c| {
                Some(PlacementConstraint {
                    kind: parse(PLACEMENT_CONSTRAINTS, c.get("Type")?)?,
                    expression: c
                        .get("Expression")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect();
    }),
    write_back: false,
    sam_global: false,
};

/// Only with a load balancer.
pub(crate) const HEALTH_CHECK_GRACE: Field<EcsServiceProps> = Field {
    path: "HealthCheckGracePeriodSeconds",
    write: |p| json!(p.health_check_grace_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.health_check_grace_s = n;
        }
    }),
    write_back: true,
    sam_global: false,
};

pub(crate) const CIRCUIT_BREAKER: Field<EcsServiceProps> = Field {
    path: "DeploymentConfiguration/DeploymentCircuitBreaker",
    write: |p| json!({"Enable": p.circuit_breaker.enable, "Rollback": p.circuit_breaker.rollback}),
    read: Some(|p, v| {
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        p.circuit_breaker = CircuitBreaker {
            enable: flag("Enable"),
            rollback: flag("Rollback"),
        };
    }),
    write_back: true,
    sam_global: false,
};

/// `CODE_DEPLOY` for blue/green (written only then: ECS is the default).
/// The blue/green settings are on the CodeDeploy deployment group
/// ([`BLUE_GREEN`]), which import reads after the service.
pub(crate) const DEPLOYMENT_CONTROLLER: Field<EcsServiceProps> = Field {
    path: "DeploymentController/Type",
    write: |p| match p.deployment_controller {
        DeploymentController::Ecs => json!("ECS"),
        DeploymentController::CodeDeploy(_) => json!("CODE_DEPLOY"),
    },
    read: Some(|p, v| match v.as_str() {
        Some("CODE_DEPLOY") if p.deployment_controller.is_ecs() => {
            p.deployment_controller = DeploymentController::CodeDeploy(blue_green_unset());
        }
        Some("ECS") => p.deployment_controller = DeploymentController::Ecs,
        _ => {}
    }),
    write_back: false,
    sam_global: false,
};

/// What a deployment group that sets none of the fields is (no test
/// listener until import finds one).
fn blue_green_unset() -> BlueGreen {
    BlueGreen {
        test_listener_port: None,
        ..BlueGreen::default()
    }
}

/// On the `AWS::CodeDeploy::DeploymentGroup` of a blue/green service.
pub(crate) const TERMINATION_WAIT: Field<BlueGreen> = Field {
    path: "BlueGreenDeploymentConfiguration/TerminateBlueInstancesOnDeploymentSuccess/TerminationWaitTimeInMinutes",
    write: |b| json!(b.termination_wait_min),
    read: Some(|b, v| {
        if let Some(n) = u32_of(v) {
            b.termination_wait_min = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// A blue/green service's CodeDeploy deployment group. (Its configuration
/// name and test listener are read by import from the resources they
/// name.)
pub(crate) const BLUE_GREEN: FieldMap<BlueGreen> = FieldMap {
    unset: blue_green_unset,
    fields: &[&TERMINATION_WAIT],
};

/// The listeners that blue/green deployment groups name as their test
/// traffic route: CodeDeploy's, not the design's (import neither lists
/// them among a load balancer's listeners nor draws their routes).
pub(crate) fn test_listeners(resources: &Map<String, Value>) -> std::collections::BTreeSet<&str> {
    resources
        .values()
        .filter(|r| r["Type"] == "AWS::CodeDeploy::DeploymentGroup")
        .filter_map(|r| {
            r.pointer("/Properties/LoadBalancerInfo/TargetGroupPairInfoList")?
                .as_array()
        })
        .flatten()
        .filter_map(|pair| pair.pointer("/TestTrafficRoute/ListenerArns")?.as_array())
        .flatten()
        .filter_map(|l| l.get("Ref")?.as_str())
        .collect()
}

pub(crate) const SERVICE: FieldMap<EcsServiceProps> = FieldMap {
    // AWS places a service's tasks without strategies unless told.
    // Nor does it break a failing deployment's circuit.
    unset: || EcsServiceProps {
        placement_strategies: Vec::new(),
        circuit_breaker: CircuitBreaker {
            enable: false,
            rollback: false,
        },
        ..Default::default()
    },
    fields: &[
        &DESIRED_COUNT,
        &LAUNCH_TYPE,
        &MIN_HEALTHY_PERCENT,
        &MAX_PERCENT,
        &CIRCUIT_BREAKER,
        &PLACEMENT_STRATEGY,
        &PLACEMENT_CONSTRAINT,
        &HEALTH_CHECK_GRACE,
        &DEPLOYMENT_CONTROLLER,
    ],
};

pub(crate) const MIN_COUNT: Field<EcsServiceProps> = Field {
    path: "MinCapacity",
    write: |p| json!(p.min_count),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_COUNT: Field<EcsServiceProps> = Field {
    path: "MaxCapacity",
    write: |p| json!(p.max_count),
    read: None,
    write_back: false,
    sam_global: false,
};

/// A `RunsOn` connection: one item of a capacity provider strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunsOn {
    pub weight: u32,
    pub base: u32,
}

impl Default for RunsOn {
    fn default() -> Self {
        Self { weight: 1, base: 0 }
    }
}

pub(crate) const WEIGHT: Field<RunsOn> = Field {
    path: "Weight",
    write: |s| json!(s.weight),
    read: Some(|s, v| {
        if let Some(n) = u32_of(v) {
            s.weight = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Written when above 0.
pub(crate) const BASE: Field<RunsOn> = Field {
    path: "Base",
    write: |s| json!(s.base),
    read: Some(|s, v| {
        if let Some(n) = u32_of(v) {
            s.base = n;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const STRATEGY_ITEM: FieldMap<RunsOn> = FieldMap {
    unset: RunsOn::default,
    fields: &[&WEIGHT, &BASE],
};

pub(crate) const SCALING_STATUS: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/Status",
    write: |p| {
        json!(if p.managed_scaling {
            "ENABLED"
        } else {
            "DISABLED"
        })
    },
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const TARGET_CAPACITY: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/TargetCapacity",
    write: |p| json!(p.target_capacity_percent),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MINIMUM_SCALING_STEP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/MinimumScalingStepSize",
    write: |p| json!(p.minimum_scaling_step),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAXIMUM_SCALING_STEP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/MaximumScalingStepSize",
    write: |p| json!(p.maximum_scaling_step),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const INSTANCE_WARMUP: Field<Ec2CapacityProps> = Field {
    path: "ManagedScaling/InstanceWarmupPeriod",
    write: |p| json!(p.instance_warmup_s),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const TERMINATION_PROTECTION: Field<Ec2CapacityProps> = Field {
    path: "ManagedTerminationProtection",
    write: |p| {
        json!(if p.managed_termination_protection {
            "ENABLED"
        } else {
            "DISABLED"
        })
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Within a capacity provider's `AutoScalingGroupProvider`. Import draws
/// a capacity provider with the model's defaults: none is read back yet.
pub(crate) const CAPACITY_PROVIDER: FieldMap<Ec2CapacityProps> = FieldMap {
    unset: Ec2CapacityProps::default,
    fields: &[
        &SCALING_STATUS,
        &TARGET_CAPACITY,
        &MINIMUM_SCALING_STEP,
        &MAXIMUM_SCALING_STEP,
        &INSTANCE_WARMUP,
        &TERMINATION_PROTECTION,
    ],
};

/// Sizes are strings in the Auto Scaling group's schema.
pub(crate) const MIN_SIZE: Field<Ec2CapacityProps> = Field {
    path: "MinSize",
    write: |p| json!(p.min_size.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const MAX_SIZE: Field<Ec2CapacityProps> = Field {
    path: "MaxSize",
    write: |p| json!(p.max_size.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Without managed scaling only: with it, ECS sets the desired capacity.
pub(crate) const DESIRED_CAPACITY: Field<Ec2CapacityProps> = Field {
    path: "DesiredCapacity",
    write: |p| json!(p.desired_capacity.to_string()),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Managed termination protection needs instances protected from scale-in.
pub(crate) const SCALE_IN_PROTECTION: Field<Ec2CapacityProps> = Field {
    path: "NewInstancesProtectedFromScaleIn",
    write: |p| json!(p.managed_termination_protection),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const LAUNCH_INSTANCE_TYPE: Field<Ec2CapacityProps> = Field {
    path: "LaunchTemplateData/InstanceType",
    write: |p| json!(p.instance_type),
    read: None,
    write_back: false,
    sam_global: false,
};

/// Spot instances only.
pub(crate) const MARKET_TYPE: Field<Ec2CapacityProps> = Field {
    path: "LaunchTemplateData/InstanceMarketOptions/MarketType",
    write: |p| if p.spot { json!("spot") } else { Value::Null },
    read: None,
    write_back: false,
    sam_global: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        round_trips(
            &CLUSTER,
            &EcsClusterProps {
                container_insights: true,
            },
        );
        round_trips(
            &SERVICE,
            &EcsServiceProps {
                desired_count: 4,
                launch_type: Some(LaunchType::Ec2),
                circuit_breaker: CircuitBreaker {
                    enable: true,
                    rollback: false,
                },
                placement_strategies: vec![
                    PlacementStrategy {
                        kind: PlacementStrategyType::Binpack,
                        field: "memory".into(),
                    },
                    PlacementStrategy {
                        kind: PlacementStrategyType::Random,
                        field: String::new(),
                    },
                ],
                placement_constraints: vec![
                    PlacementConstraint {
                        kind: PlacementConstraintType::MemberOf,
                        expression: "attribute:ecs.instance-type =~ g4dn.*".into(),
                    },
                    PlacementConstraint {
                        kind: PlacementConstraintType::DistinctInstance,
                        expression: String::new(),
                    },
                ],
                health_check_grace_s: 120,
                min_healthy_percent: 50,
                max_percent: 150,
                ..Default::default()
            },
        );
        round_trips(&STRATEGY_ITEM, &RunsOn { weight: 3, base: 2 });
    }
}
