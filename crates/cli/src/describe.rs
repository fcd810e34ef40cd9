//! Readable text for `archsim describe` and `archsim validate`.

use std::fmt::Write;
use std::path::Path;

use archsim_model::component::{Category, NodeAutoscaler, Props};
use archsim_model::connection::ConnectionKind;
use archsim_model::{Component, ComponentKind, Design, Problem, Severity};

/// The validation report a person reads.
pub fn problems(path: &Path, design: &Design, problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        let _ = writeln!(out, "{}[{}]: {}", p.severity, p.code, p.message);
        if !p.components.is_empty() {
            let names: Vec<String> = p
                .components
                .iter()
                .map(|id| match design.component(id) {
                    Some(c) if c.name != *id => format!("{id} ({})", c.name),
                    _ => id.clone(),
                })
                .collect();
            let _ = writeln!(out, "  components: {}", names.join(", "));
        }
        let _ = writeln!(out, "  hint: {}", p.hint);
    }
    let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
    let _ = writeln!(
        out,
        "{}: {} errors, {} warnings, {} infos",
        path.display(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    out
}

/// A summary of the whole design.
pub fn design(d: &Design) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", d.name);
    if !d.description.is_empty() {
        let _ = writeln!(out, "{}", d.description);
    }
    let _ = writeln!(
        out,
        "region {}, {} components, {} connections, {} groups{}",
        d.region,
        d.component_count(),
        d.connection_count(),
        d.groups().count(),
        if d.serverless {
            ", marked serverless"
        } else {
            ""
        }
    );
    for category in Category::ALL {
        let title = category.label();
        let comps: Vec<&Component> = d
            .components()
            .filter(|c| c.kind().category() == category)
            .collect();
        if comps.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:");
        for c in comps {
            let _ = writeln!(out, "  {:<18} {:<28} {}", c.id, c.name, summary(c));
        }
    }
    if d.connection_count() > 0 {
        let _ = writeln!(out, "\nConnections:");
        for c in d.connections() {
            let name = |id: &str| d.component(id).map_or(id.to_string(), |c| c.name.clone());
            let filter = c.filter_policy.as_ref().map_or(String::new(), |f| {
                format!(", filter policy on {}: {}", f.scope.aws_name(), f.policy)
            });
            let _ = writeln!(
                out,
                "  {} {} {}{}{filter}",
                name(&c.from),
                c.kind.meaning().describe(),
                name(&c.to),
                connection_detail(&c.kind)
            );
        }
    }
    let groups: Vec<_> = d.groups().collect();
    if !groups.is_empty() {
        let _ = writeln!(out, "\nGroups:");
        for g in groups {
            let members: Vec<_> = g.members.iter().map(String::as_str).collect();
            let _ = writeln!(out, "  {} ({:?}): {}", g.name, g.kind, members.join(", "));
        }
    }
    if !d.scenarios.is_empty() {
        let _ = writeln!(out, "\nScenarios:");
        for s in &d.scenarios {
            let _ = writeln!(
                out,
                "  {:<18} {} s, seed {}, {} traffic profile(s), {} event(s){}",
                s.name,
                s.duration_s,
                s.seed,
                s.traffic.len(),
                s.events.len(),
                if s.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}", s.description)
                }
            );
        }
    }
    out
}

fn connection_detail(kind: &ConnectionKind) -> String {
    match kind {
        ConnectionKind::Poll {
            batch_size,
            parallelization_factor,
            ..
        } => format!(" (batch {batch_size}, parallelization {parallelization_factor})"),
        ConnectionKind::Route {
            priority,
            conditions,
            ..
        } => {
            let values: Vec<String> = conditions.iter().flat_map(|c| c.values.clone()).collect();
            match priority {
                Some(p) => format!(" (priority {p}: {})", values.join(" ")),
                None => " (default rule)".to_string(),
            }
        }
        ConnectionKind::RunsOn { weight, base } => format!(" (weight {weight}, base {base})"),
        ConnectionKind::Uses { access } => format!(" ({access:?})").to_lowercase(),
        _ => String::new(),
    }
}

/// The few properties that say most about a component.
pub fn summary(c: &Component) -> String {
    let label = c.kind().label();
    let detail = match &c.props {
        Props::LambdaFunction(l) => format!(
            "{}, {:?}, {} MB, {} s timeout{}{}",
            l.runtime_identifier(),
            l.architecture,
            l.memory_mb,
            l.timeout_s,
            l.reserved_concurrency
                .map(|r| format!(", reserved {r}"))
                .unwrap_or_default(),
            if l.tracing { ", X-Ray" } else { "" }
        )
        .to_lowercase(),
        Props::ApiGateway(a) => format!(
            "{:?} API, {} rps / {} burst{}",
            a.api_type,
            a.throttle_rate_rps,
            a.throttle_burst,
            if a.tracing { ", X-Ray" } else { "" }
        ),
        Props::SqsQueue(q) => format!(
            "{}visibility {} s, max receives {}",
            if q.fifo { "FIFO, " } else { "" },
            q.visibility_timeout_s,
            q.max_receive_count
        ),
        Props::KinesisStream(k) => format!("{} shard(s)", k.shards),
        Props::DynamoDbTable(t) => format!(
            "{:?}, stream {}",
            t.billing,
            t.stream.map_or("off".to_string(), |s| format!("{s:?}"))
        ),
        Props::EcsService(s) => format!(
            "desired {} (min {}, max {}){}",
            s.desired_count,
            s.min_count,
            s.max_count,
            if s.autoscaling.is_some() {
                ", autoscaling"
            } else {
                ""
            }
        ),
        Props::TaskDefinition(t) => format!(
            "{} CPU / {} MiB, {:?}, {} container(s){}",
            t.cpu,
            t.memory_mb,
            t.network_mode,
            t.containers.len(),
            if t.gpus() > 0 {
                format!(", {} GPU", t.gpus())
            } else {
                String::new()
            }
        ),
        Props::Ec2AutoScalingGroup(a) => format!(
            "{} x {}..{}{}",
            a.instance_type,
            a.min_size,
            a.max_size,
            if a.managed_scaling {
                format!(", managed scaling {}%", a.target_capacity_percent)
            } else {
                String::new()
            }
        ),
        Props::EksNodeGroup(n) if n.autoscaler == NodeAutoscaler::Karpenter => format!(
            "{} x {} + Karpenter ({})",
            n.instance_type,
            n.desired_size,
            n.karpenter.instance_types.join(", ")
        ),
        Props::EksNodeGroup(n) => format!("{} x {}..{}", n.instance_type, n.min_size, n.max_size),
        Props::EksWorkload(w) => format!(
            "{} replica(s), {}m CPU / {} MiB{}",
            w.replicas,
            w.cpu_request_millicores,
            w.memory_request_mb,
            if w.hpa.is_some() { ", HPA" } else { "" }
        ),
        Props::IamRole(r) => format!("{:?}", r.purpose),
        Props::Secret(s) => format!(
            "{}, read {}",
            if s.generated { "generated" } else { "given" },
            match s.reads {
                archsim_model::component::SecretReads::Cached => "once per environment or task",
                archsim_model::component::SecretReads::EveryRequest => "on every request",
            }
        ),
        Props::VpcEndpoint(e) => format!("{}, {:?}", e.service, e.endpoint_type).to_lowercase(),
        Props::EventBus(b) => format!(
            "{}{}",
            if b.name.is_empty() {
                "custom bus"
            } else {
                b.name.as_str()
            },
            match &b.archive {
                Some(a) if a.retention_days > 0 => format!(", archived {} days", a.retention_days),
                Some(_) => ", archived indefinitely".to_string(),
                None => String::new(),
            }
        ),
        Props::EventBridgePipe(p) => format!(
            "{} filter(s), {:.0}% of events pass{}",
            p.filter_patterns.len(),
            p.matching_share * 100.0,
            if p.input_template.is_empty() {
                ""
            } else {
                ", input template"
            }
        ),
        Props::StepFunctions(s) => {
            let states = match s.workflow() {
                Ok(w) => {
                    let mut n = 0;
                    w.visit(&mut |_, _| n += 1);
                    format!("{n} state(s), {} task(s)", w.tasks().len())
                }
                Err(_) if s.definition.is_null() => "definition not read".into(),
                Err(e) => format!("invalid definition ({e})"),
            };
            format!(
                "{:?}, {states}{}{}",
                s.workflow_type,
                if s.logging != archsim_model::component::WorkflowLogLevel::Off {
                    ", logging"
                } else {
                    ""
                },
                if s.tracing { ", X-Ray" } else { "" }
            )
        }
        Props::Generic(g) => g.resource_type.clone(),
        // No one-line summary: the name and kind say enough.
        Props::Client(_)
        | Props::CloudFront(_)
        | Props::Alb(_)
        | Props::Nlb(_)
        | Props::Clb(_)
        | Props::Cognito(_)
        | Props::Lex(_)
        | Props::Alexa(_)
        | Props::S3Bucket(_)
        | Props::SnsTopic(_)
        | Props::EventBridgeRule(_)
        | Props::Firehose(_)
        | Props::AuroraServerless(_)
        | Props::Rds(_)
        | Props::Ec2Instance(_)
        | Props::EcsCluster(_)
        | Props::Fargate(_)
        | Props::FargateSpot(_)
        | Props::EksCluster(_)
        | Props::EksFargateProfile(_)
        | Props::EcrRepository(_)
        | Props::ExternalRegistry(_) => String::new(),
    };
    match (detail.is_empty(), c.kind()) {
        (true, _) => label.to_string(),
        (false, ComponentKind::Generic) => detail,
        (false, _) => format!("{label}: {detail}"),
    }
}
