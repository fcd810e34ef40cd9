//! The rules on deployments: a Lambda function's CodeDeploy preference
//! (its alias, traffic shift, alarms and hooks), an ECS service's
//! rolling deployment (room to start or stop a task, capacity for the
//! extra one) and its blue/green deployment (a target group pair).

use super::*;

pub(super) fn deployment_alias(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        let Some(dep) = &l.deployment else { continue };
        let no_alias = dep.alias.as_deref().is_none_or(|a| a.trim().is_empty());
        if dep.preference.is_some() && no_alias {
            out.push((
                ids(&[&c.id]),
                format!("{} has a deployment preference but no alias", c.name),
            ));
        }
    }
}

pub(super) fn deployment_shift(d: &Design, out: &mut Found) {
    use crate::component::TrafficShift as T;
    for (c, l) in lambdas(d) {
        let Some(p) = l.deployment.as_ref().and_then(|d| d.preference.as_ref()) else {
            continue;
        };
        if let T::Canary {
            percent,
            interval_min,
        }
        | T::Linear {
            percent,
            interval_min,
        } = p.shift
            && (!(1..=99).contains(&percent) || interval_min == 0)
        {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} shifts {percent}% every {interval_min} min ({})",
                    c.name,
                    p.shift.name()
                ),
            ));
        }
    }
}

pub(super) fn deployment_alarms(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        let Some(p) = l.deployment.as_ref().and_then(|d| d.preference.as_ref()) else {
            continue;
        };
        for (i, a) in p.alarms.iter().enumerate() {
            if let Some(why) = a.never_fires() {
                out.push((
                    ids(&[&c.id]),
                    format!("{}'s alarm {} ({}): {why}", c.name, i + 1, a.describe()),
                ));
            }
        }
    }
}

pub(super) fn deployment_hooks(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        let Some(p) = l.deployment.as_ref().and_then(|d| d.preference.as_ref()) else {
            continue;
        };
        for (when, hook) in [
            ("pre-traffic", &p.pre_traffic_hook),
            ("post-traffic", &p.post_traffic_hook),
        ] {
            let Some(hook) = hook else { continue };
            let target = d.component(hook);
            let why = match target {
                None => "is not in the design",
                Some(t) if t.kind() != K::LambdaFunction => "is not a Lambda function",
                Some(t) if t.id == c.id => "is the function itself",
                Some(_) => continue,
            };
            let mut involved = vec![c.id.clone()];
            if let Some(t) = target {
                involved.push(t.id.clone());
            }
            involved.sort();
            out.push((
                involved,
                format!("{}'s {when} hook \"{hook}\" {why}", c.name),
            ));
        }
    }
}

/// Tasks a rolling deployment may start beyond the desired count, and old
/// ones it may stop first.
pub(super) fn rolling_room(s: &crate::component::EcsServiceProps) -> (u32, u32) {
    let n = u64::from(s.desired_count);
    let max = (n * u64::from(s.max_percent) / 100) as u32;
    let min = (n * u64::from(s.min_healthy_percent)).div_ceil(100) as u32;
    (
        max.saturating_sub(s.desired_count),
        s.desired_count.saturating_sub(min),
    )
}

pub(super) fn deployment_room(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        // Blue/green starts a whole second task set: the percentages
        // bound only draining instances' tasks, not the deployment.
        if s.desired_count == 0 || !s.deployment_controller.is_ecs() {
            continue;
        }
        if rolling_room(s) == (0, 0) {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} runs {} tasks with minimum healthy {}% and maximum {}%: a deployment can start no new task and stop no old one",
                    c.name, s.desired_count, s.min_healthy_percent, s.max_percent
                ),
            ));
        }
    }
}

/// CodeDeploy's ECS blue/green needs the service behind a load balancer:
/// the route's target group is the blue one, the export adds the green.
pub(super) fn blue_green_target_groups(d: &Design, out: &mut Found) {
    for (c, s) in services(d) {
        if s.deployment_controller.is_ecs() {
            continue;
        }
        let routed = d.incoming(&c.id).iter().any(|(conn, from)| {
            matches!(conn.kind, ConnectionKind::Route { .. })
                && matches!(from.kind(), K::Alb | K::Nlb)
        });
        if !routed {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{} deploys blue/green through CodeDeploy, but no load balancer routes to it: there is no target group to pair a second one with",
                    c.name
                ),
            ));
        }
    }
}

pub(super) fn deployment_capacity(d: &Design, out: &mut Found) {
    for (s, sp, _, t) in services_with_tasks(d) {
        let (extra, stoppable) = rolling_room(sp);
        if stoppable > 0 || extra == 0 || !sp.deployment_controller.is_ecs() {
            continue;
        }
        let distinct = sp
            .placement_constraints
            .iter()
            .any(|p| p.kind == PlacementConstraintType::DistinctInstance);
        for (asg, a, it) in ec2_capacity(d, &s.id) {
            let Some(it) = it else { continue };
            if t.cpu == 0 || t.memory_mb == 0 {
                continue;
            }
            let mut per_instance = (it.cpu_units() / t.cpu).min(it.memory_mib / t.memory_mb);
            if t.network_mode == NetworkMode::Awsvpc {
                per_instance = per_instance.min(it.awsvpc_task_capacity(a.awsvpc_trunking));
            }
            if distinct {
                per_instance = per_instance.min(1);
            }
            let capacity = a.max_size * per_instance;
            // Its own tasks only: other services on the group make it worse.
            if sp.desired_count < capacity || per_instance == 0 {
                continue;
            }
            out.push((
                ids(&[&s.id, &asg.id]),
                format!(
                    "{} keeps its {} tasks running while it starts new ones, but {} holds at most {capacity} of them ({} x {}, {per_instance} each)",
                    s.name, sp.desired_count, asg.name, a.max_size, a.instance_type
                ),
            ));
        }
    }
}
