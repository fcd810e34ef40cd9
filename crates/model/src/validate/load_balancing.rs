//! The rules on load balancers: listener rules and their priorities, an
//! NLB's one target group, targets, slow start, target ports, HTTPS in
//! production, and Classic Load Balancers.

use super::*;

/// One listener rule of a load balancer, as the checks need it.
struct RouteInfo {
    connection: String,
    target: String,
    priority: Option<u32>,
    listener_port: u16,
    condition_values: usize,
    /// Its conditions, as JSON (routes with the same priority and the same
    /// conditions are one rule forwarding to several target groups).
    conditions: String,
    target_port: Option<u16>,
}

fn routes(d: &Design, lb: &str) -> Vec<RouteInfo> {
    d.outgoing(lb)
        .into_iter()
        .filter_map(|(conn, t)| match &conn.kind {
            ConnectionKind::Route {
                priority,
                conditions,
                listener_port,
                target_port,
                ..
            } => Some(RouteInfo {
                connection: conn.id.clone(),
                target: t.id.clone(),
                priority: *priority,
                listener_port: *listener_port,
                condition_values: conditions.iter().map(|c| c.values.len()).sum(),
                conditions: serde_json::to_string(conditions).unwrap_or_default(),
                target_port: *target_port,
            }),
            _ => None,
        })
        .collect()
}

fn load_balancers(d: &Design) -> impl Iterator<Item = &Component> {
    d.components()
        .filter(|c| matches!(c.kind(), K::Alb | K::Nlb | K::Clb))
}

pub(super) fn lb_duplicate_priority(d: &Design, out: &mut Found) {
    for lb in load_balancers(d) {
        let mut seen: BTreeMap<(u16, u32), Vec<(String, String)>> = BTreeMap::new();
        for r in routes(d, &lb.id) {
            if let Some(p) = r.priority {
                seen.entry((r.listener_port, p))
                    .or_default()
                    .push((r.target, r.conditions));
            }
        }
        // Routes that share a priority and their conditions are one rule
        // forwarding to weighted target groups.
        for ((port, p), rules) in seen
            .into_iter()
            .filter(|(_, rules)| rules.len() > 1 && rules.iter().any(|(_, c)| *c != rules[0].1))
        {
            let targets: Vec<String> = rules.into_iter().map(|(t, _)| t).collect();
            let mut involved = vec![lb.id.clone()];
            involved.extend(targets);
            let count = involved.len() - 1;
            out.push((
                involved,
                format!(
                    "{}: listener {port} has {count} rules with priority {p}",
                    lb.name
                ),
            ));
        }
    }
}

pub(super) fn nlb_several_target_groups(d: &Design, out: &mut Found) {
    for lb in d.components().filter(|c| c.kind() == K::Nlb) {
        let mut by_port: BTreeMap<u16, Vec<String>> = BTreeMap::new();
        for r in routes(d, &lb.id) {
            by_port.entry(r.listener_port).or_default().push(r.target);
        }
        for (port, targets) in by_port.into_iter().filter(|(_, t)| t.len() > 1) {
            let count = targets.len();
            let mut involved = vec![lb.id.clone()];
            involved.extend(targets);
            out.push((
                involved,
                format!(
                    "{}: listener {port} forwards to {count} target groups; a Network Load Balancer's forwards to one",
                    lb.name
                ),
            ));
        }
    }
}

pub(super) fn lb_rule_values(d: &Design, out: &mut Found) {
    for lb in load_balancers(d) {
        for r in routes(d, &lb.id) {
            if r.condition_values > 5 {
                out.push((
                    vec![lb.id.clone(), r.target],
                    format!(
                        "{}: rule {} has {} condition values",
                        lb.name, r.connection, r.condition_values
                    ),
                ));
            }
        }
    }
}

pub(super) fn lb_no_targets(d: &Design, out: &mut Found) {
    for lb in load_balancers(d) {
        if routes(d, &lb.id).is_empty() {
            out.push((ids(&[&lb.id]), format!("{} has no listener rules", lb.name)));
        }
    }
}

pub(super) fn production_alb_certificate(d: &Design, out: &mut Found) {
    if d.export_profile != crate::design::ExportProfile::Production {
        return;
    }
    for lb in d.components_of(K::Alb) {
        if let Props::Alb(p) = &lb.props
            && p.scheme == crate::component::Scheme::InternetFacing
            && p.certificate_arn.trim().is_empty()
        {
            out.push((
                ids(&[&lb.id]),
                format!(
                    "{} faces the internet and the production export listens on HTTPS, but it names no certificate: deploying will ask for one",
                    lb.name
                ),
            ));
        }
    }
}

pub(super) fn lb_slow_start(d: &Design, out: &mut Found) {
    for lb in load_balancers(d) {
        if let Props::Alb(p) | Props::Nlb(p) = &lb.props
            && p.slow_start_s > 0
            && p.algorithm == LbAlgorithm::LeastOutstandingRequests
        {
            out.push((
                ids(&[&lb.id]),
                format!(
                    "{} combines slow start with least outstanding requests",
                    lb.name
                ),
            ));
        }
    }
}

pub(super) fn lb_target_port(d: &Design, out: &mut Found) {
    for lb in load_balancers(d) {
        for r in routes(d, &lb.id) {
            let (Some(port), Some((tc, t))) = (r.target_port, task_definition(d, &r.target)) else {
                continue;
            };
            let exposed = t
                .containers
                .iter()
                .flat_map(|c| &c.port_mappings)
                .any(|m| m.container_port == port);
            if !exposed {
                out.push((
                    vec![lb.id.clone(), r.target.clone(), tc.id.clone()],
                    format!(
                        "rule {} targets port {port}, which {} does not expose",
                        r.connection, tc.name
                    ),
                ));
            }
        }
    }
}

pub(super) fn clb_legacy(d: &Design, out: &mut Found) {
    for c in d.components_of(K::Clb) {
        out.push((
            ids(&[&c.id]),
            format!("{} is a Classic Load Balancer", c.name),
        ));
    }
}
