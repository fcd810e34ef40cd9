//! A month of usage from a simulation run: the run's measured AWS
//! quantities (billed GB-seconds, task-seconds by capacity, instance-seconds,
//! API, queue and data requests, load balancer inputs), scaled from the
//! run's length to the month. Storage and always-on charges the run does
//! not measure come from the design, as in [`crate::estimate`].

use std::collections::BTreeMap;

use archsim_model::component::{ApiType, Props};
use archsim_model::connection::ConnectionKind;
use archsim_model::{ComponentKind as K, Design};
use archsim_sim::Run;

use crate::estimate::Estimate;
use crate::usage::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, ComponentUsage, Ec2Usage, FargateUsage,
    LambdaUsage, LoadBalancerUsage, QueueType, S3Usage, ServiceUsage, SqsUsage, UsageProfile,
};

/// Share of a data store's requests that write: the `Uses` connections
/// reaching it, each weighted by the requests its caller served in the run
/// (a read-write connection's calls count half each, as the estimate's).
fn write_share(design: &Design, id: &str, rate: &dyn Fn(&str) -> f64) -> f64 {
    let mut writes = 0.0;
    let mut total = 0.0;
    for (conn, source) in design.incoming(id) {
        if let ConnectionKind::Uses { access } = conn.kind {
            let r = rate(&source.id);
            total += r;
            writes += r * match (access.reads(), access.writes()) {
                (true, true) => 0.5,
                (false, true) => 1.0,
                _ => 0.0,
            };
        }
    }
    if total == 0.0 { 0.0 } else { writes / total }
}

/// The usage id of a service's tasks on one capacity, as the estimate
/// names it: `service@capacity` (the run keys them `service/kind`).
fn task_usage_id(design: &Design, key: &str) -> String {
    let Some((service, slug)) = key.split_once('/') else {
        return key.to_string();
    };
    let capacity = design.outgoing(service).into_iter().find(|(conn, t)| {
        matches!(conn.kind, ConnectionKind::RunsOn { .. })
            && match slug {
                "fargate" => matches!(t.kind(), K::Fargate | K::EksFargateProfile),
                "fargate_spot" => t.kind() == K::FargateSpot,
                _ => false,
            }
    });
    match capacity {
        Some((_, t)) => format!("{service}@{}", t.id),
        None => key.to_string(),
    }
}

/// Usage measured by `run`, scaled to the month of `assumptions`.
pub fn usage_from_run(design: &Design, run: &Run, assumptions: &Assumptions) -> Estimate {
    let month_s = assumptions.month_hours * 3600.0;
    let run_s = run.duration_s.max(1e-9);
    let k = month_s / run_s;
    let u = &run.usage;
    let rates: BTreeMap<String, f64> = run
        .components
        .iter()
        .map(|c| (c.id.clone(), c.requests as f64 / run_s))
        .collect();
    let rate = |id: &str| rates.get(id).copied().unwrap_or(0.0);
    // Request and response sizes, and which traffic answers the internet,
    // from the scenario the run replayed.
    let (mut payload, mut response, mut weight, mut internet_out_rps) = (0.0, 0.0, 0.0, 0.0);
    if let Some(scenario) = design.scenario(&run.scenario) {
        for t in &scenario.traffic {
            let w = crate::estimate::mean_rate(&t.pattern, scenario.duration_s).unwrap_or(1.0);
            payload += w * f64::from(t.request.payload_bytes);
            response += w * f64::from(t.request.response_bytes);
            weight += w;
        }
        // Each entry's measured requests once, however many profiles feed it.
        let mut entries: Vec<&str> = scenario.traffic.iter().map(|t| t.entry.as_str()).collect();
        entries.sort_unstable();
        entries.dedup();
        for entry in entries {
            if crate::rated::answers_internet(design, entry) {
                internet_out_rps += rate(entry);
            }
        }
    }
    let (payload_kb, response_kb) = if weight > 0.0 {
        (payload / weight / 1024.0, response / weight / 1024.0)
    } else {
        (1.0, 4.0)
    };
    let traffic = |rps: f64| crate::rated::Traffic {
        rps,
        payload_kb,
        response_kb,
        month_s,
    };
    let mut components = Vec::new();
    let mut push = |id: &str, usage: ServiceUsage| {
        components.push(ComponentUsage {
            component_id: id.to_string(),
            usage,
            scaling: None,
        });
    };
    for (id, l) in &u.lambda {
        if l.requests == 0 {
            continue;
        }
        let gb = f64::from(l.memory_mb) / 1024.0;
        let billed_ms = l.gb_seconds / gb * 1000.0;
        if let Some(c) = design.component(id) {
            for (suffix, usage) in crate::rated::observability_usage(
                c,
                traffic(l.requests as f64 / run_s),
                assumptions,
            ) {
                push(&format!("{id}@{suffix}"), usage);
            }
        }
        let provisioned = design.component(id).and_then(|c| {
            if let Props::LambdaFunction(p) = &c.props {
                (p.provisioned_concurrency > 0).then_some(p)
            } else {
                None
            }
        });
        push(
            id,
            ServiceUsage::Lambda(LambdaUsage {
                requests: l.requests as f64 * k,
                duration_ms: billed_ms / l.requests as f64,
                billed_duration_ms_total: Some(billed_ms * k),
                memory_mb: l.memory_mb,
                architecture: if l.arm64 {
                    Architecture::Arm64
                } else {
                    Architecture::X86_64
                },
                ephemeral_storage_mb: provisioned.map_or(512, |p| p.ephemeral_storage_mb),
                // The run knows which environment served each invocation.
                provisioned_concurrency: provisioned.map(|p| {
                    crate::usage::ProvisionedConcurrencyUsage {
                        served_billed_duration_ms_total: Some(
                            l.provisioned_gb_seconds_served / gb * 1000.0 * k,
                        ),
                        ..crate::usage::ProvisionedConcurrencyUsage::new(
                            p.provisioned_concurrency,
                            l.provisioned_requests as f64 * k,
                        )
                    }
                }),
            }),
        );
    }
    let mut unpriced = Vec::new();
    for (key, t) in &u.tasks {
        // EC2-backed tasks are paid for through their instances.
        if t.capacity == "ec2_capacity" || t.capacity == "ec2" || t.task_seconds <= 0.0 {
            continue;
        }
        let arch = key.split('/').next().and_then(|svc| {
            design.outgoing(svc).into_iter().find_map(|(_, c)| {
                if let Props::TaskDefinition(td) = &c.props {
                    Some(td.architecture)
                } else {
                    None
                }
            })
        });
        // An EKS pod on a Fargate profile is billed at the Fargate size it
        // is given (its requests plus 256 MiB, rounded up); a task at its
        // task definition's size.
        let service = key.split('/').next().unwrap_or(key);
        let (cpu_units, memory_mb) = match design.component(service).map(|c| &c.props) {
            Some(Props::EksWorkload(w)) => {
                match crate::estimate::eks_fargate_pod_size(service, w) {
                    Ok(size) => size,
                    Err(note) => {
                        unpriced.push(note);
                        continue;
                    }
                }
            }
            _ => (t.cpu_units, t.memory_mb),
        };
        push(
            &task_usage_id(design, key),
            ServiceUsage::Fargate(FargateUsage {
                tasks: t.task_seconds * k / month_s,
                runs_per_task: 1.0,
                seconds_per_run: None,
                vcpu: f64::from(cpu_units) / 1024.0,
                memory_gb: f64::from(memory_mb) / 1024.0,
                architecture: match arch {
                    Some(archsim_model::component::Architecture::Arm64) => Architecture::Arm64,
                    _ => Architecture::X86_64,
                },
                ephemeral_storage_gb: 20.0,
                spot: t.capacity == "fargate_spot",
            }),
        );
    }
    // Each instance type at its own price: the group's own type under the
    // group's id, the types a Karpenter NodePool launched as `id@type`.
    for (id, i) in &u.instances {
        for (instance_type, seconds) in &i.by_type {
            let line = if *instance_type == i.instance_type {
                id.clone()
            } else {
                format!("{id}@{instance_type}")
            };
            push(
                &line,
                ServiceUsage::Ec2(Ec2Usage {
                    instance_type: instance_type.clone(),
                    instances: seconds * k / month_s,
                    hours_per_instance: None,
                }),
            );
        }
    }
    for (id, n) in &u.api_requests {
        let http = matches!(
            design.component(id).map(|c| &c.props),
            Some(Props::ApiGateway(a)) if a.api_type == ApiType::Http
        );
        let kind = if http { ApiKind::Http } else { ApiKind::Rest };
        push(
            id,
            ServiceUsage::ApiGateway(ApiGatewayUsage {
                kind,
                requests: *n as f64 * k,
            }),
        );
        if let Some(c) = design.component(id) {
            for (suffix, usage) in
                crate::rated::observability_usage(c, traffic(*n as f64 / run_s), assumptions)
            {
                push(&format!("{id}@{suffix}"), usage);
            }
        }
    }
    for (id, n) in &u.sqs_requests {
        let fifo =
            matches!(design.component(id).map(|c| &c.props), Some(Props::SqsQueue(q)) if q.fifo);
        push(
            id,
            ServiceUsage::Sqs(SqsUsage {
                queue_type: if fifo {
                    QueueType::Fifo
                } else {
                    QueueType::Standard
                },
                requests: *n as f64 * k,
                payload_kb: 64.0,
            }),
        );
    }
    for (id, lb) in &u.load_balancer {
        let Some(c) = design.component(id) else {
            continue;
        };
        let Some(kind) = crate::estimate::load_balancer_kind(c.kind()) else {
            continue;
        };
        let lambda_targets = design.outgoing(id).iter().any(|(conn, t)| {
            matches!(conn.kind, ConnectionKind::Route { .. }) && t.kind() == K::LambdaFunction
        });
        push(
            id,
            ServiceUsage::LoadBalancer(LoadBalancerUsage {
                kind,
                hours: None,
                new_connections_per_s: lb.new_connections as f64 / run_s,
                active_connections_per_min: lb.new_connections as f64 / run_s * 60.0,
                gb_processed_per_hour: lb.processed_bytes as f64 / run_s * 3600.0 / 1e9,
                requests_per_s: lb.requests as f64 / run_s,
                rules_processed: if lb.requests > 0 {
                    lb.rule_evaluations as f64 / lb.requests as f64
                } else {
                    0.0
                },
                lambda_targets,
            }),
        );
    }
    let data: BTreeMap<&str, u64> = u
        .data_requests
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    for c in design.components() {
        let id = c.id.as_str();
        let requests = data.get(id).copied().unwrap_or(0) as f64 * k;
        match &c.props {
            Props::StepFunctions(p) => {
                let deployed = archsim_model::Component {
                    props: Props::StepFunctions(p.deployed(design.export_profile)),
                    ..c.clone()
                };
                for (suffix, usage) in
                    crate::rated::observability_usage(&deployed, traffic(rate(id)), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage);
                }
                if let Some(w) = u.step_functions.get(id) {
                    push(
                        id,
                        ServiceUsage::StepFunctions(crate::usage::StepFunctionsUsage {
                            express: w.express,
                            executions: w.executions as f64 * k,
                            transitions: w.transitions as f64 * k,
                            gb_seconds: w.gb_seconds * k,
                        }),
                    );
                }
            }
            Props::DynamoDbTable(_) => {
                // The units the run's calls consumed (throttled attempts
                // are not billed); a run without them, by the requests.
                let usage = match u.dynamodb_units.get(id) {
                    Some(&(reads, writes)) => {
                        let mut usage =
                            crate::rated::dynamodb_units_usage(design, c, writes * k, reads * k);
                        // Provisioned capacity as the run held it (auto
                        // scaling moves it), averaged over the run.
                        if let (Some(usage), Some(&(r, w))) =
                            (&mut usage, u.dynamodb_capacity.get(id))
                            && let Some(p) = &mut usage.provisioned
                        {
                            p.read_capacity_units = r;
                            p.write_capacity_units = w;
                        }
                        usage
                    }
                    None => {
                        let w = write_share(design, id, &rate);
                        crate::rated::dynamodb_usage(design, c, requests * w, requests * (1.0 - w))
                    }
                };
                if let Some(usage) = usage {
                    push(id, ServiceUsage::DynamoDb(usage));
                }
            }
            // Capacity the run did not measure (standalone instances) is
            // billed as the design sizes it; EKS node groups and Auto
            // Scaling groups are billed by the node-hours the run held.
            Props::Ec2AutoScalingGroup(_) | Props::Ec2Instance(_) | Props::EksNodeGroup(_)
                if !u.instances.contains_key(id) =>
            {
                if let Some((usage, _)) = crate::estimate::instance_usage(&c.props) {
                    push(id, usage);
                }
            }
            Props::EcsService(_) => {
                for (suffix, usage) in
                    crate::rated::observability_usage(c, traffic(rate(id)), assumptions)
                {
                    push(&format!("{id}@{suffix}"), usage);
                }
            }
            Props::CloudFront(_)
            | Props::Cognito(_)
            | Props::Lex(_)
            | Props::SnsTopic(_)
            | Props::EventBridgeRule(_)
            | Props::EventBus(_)
            | Props::KinesisStream(_)
            | Props::Firehose(_)
            | Props::AuroraServerless(_)
            | Props::Rds(_) => {
                let data_rps = data.get(id).copied().unwrap_or(0) as f64 / run_s;
                // What each filtered subscription delivered in the run.
                let deliveries: BTreeMap<String, f64> = u
                    .sns_subscriptions
                    .iter()
                    .map(|(conn, s)| (conn.clone(), s.delivered as f64 / run_s))
                    .collect();
                for (usage_id, usage) in
                    crate::rated::rated_usage(design, c, traffic(rate(id)), data_rps, &deliveries)
                {
                    push(&usage_id, usage);
                }
            }
            Props::Secret(_) => push(id, crate::rated::secret_usage(requests)),
            // The events that passed the pipe's filters in the run.
            Props::EventBridgePipe(_) => {
                let passed = u.pipe_requests.get(id).copied().unwrap_or(0) as f64 / run_s;
                for (usage_id, usage) in
                    crate::rated::rated_usage(design, c, traffic(passed), 0.0, &BTreeMap::new())
                {
                    push(&usage_id, usage);
                }
            }
            Props::S3Bucket(b) => {
                let w = write_share(design, id, &rate);
                push(
                    id,
                    ServiceUsage::S3(S3Usage {
                        storage_gb_month: b.stored_gb,
                        put_requests: requests * w,
                        get_requests: requests * (1.0 - w),
                    }),
                );
            }
            Props::EksCluster(_) | Props::EcrRepository(_) => {
                if let Some(usage) = crate::estimate::standing_usage(&c.props) {
                    push(id, usage);
                }
            }
            // Priced above from the run's usage, through other components,
            // free, or not priced (`crate::coverage`; the bill lists those).
            Props::Client(_)
            | Props::ApiGateway(_)
            | Props::Alb(_)
            | Props::Nlb(_)
            | Props::Clb(_)
            | Props::Alexa(_)
            | Props::SqsQueue(_)
            | Props::LambdaFunction(_)
            | Props::Ec2Instance(_)
            | Props::EcsCluster(_)
            | Props::TaskDefinition(_)
            | Props::Fargate(_)
            | Props::FargateSpot(_)
            | Props::Ec2AutoScalingGroup(_)
            | Props::EksNodeGroup(_)
            | Props::EksFargateProfile(_)
            | Props::EksWorkload(_)
            | Props::ExternalRegistry(_)
            | Props::IamRole(_)
            | Props::VpcEndpoint(_)
            | Props::Generic(_) => {}
        }
    }
    if let Some(usage) = crate::rated::network_usage(design, internet_out_rps, &rate, traffic(0.0))
    {
        push(crate::rated::NETWORK_ID, usage);
    }
    for (id, usage) in crate::rated::endpoint_usage(design, &rate, traffic(0.0)) {
        push(&id, usage);
    }
    let data_rate = |id: &str| data.get(id).copied().unwrap_or(0) as f64 / run_s;
    for (id, usage) in crate::rated::profile_usage(design, &rate, &data_rate, traffic(0.0)) {
        push(&id, usage);
    }
    let entry: u64 = run
        .components
        .iter()
        .filter(|c| {
            design
                .component(&c.id)
                .is_some_and(|d| d.kind() == K::Client)
        })
        .map(|c| c.requests)
        .sum();
    Estimate {
        scenario: run.scenario.clone(),
        entry_requests_per_s: entry as f64 / run_s,
        rates,
        profile: UsageProfile { components },
        notes: vec![
            format!(
                "measured by simulating scenario \"{}\" (seed {}) for {} s, scaled to a {} h month",
                run.scenario, run.seed, run.duration_s, assumptions.month_hours
            ),
            "DynamoDB and S3 requests split into reads and writes by the access of the connections using them".into(),
            "storage (S3, DynamoDB, ECR) and EKS clusters come from the design".into(),
        ]
        .into_iter()
        .chain(crate::rated::notes(design))
        .chain(unpriced)
        .chain(differences(design, run))
        .collect(),
    }
}

/// Why a run's bill differs from the steady-state estimate of the same
/// scenario, component by component: what the run did that the estimate
/// leaves out (cold starts, scaling, throttles, empty receives).
fn differences(design: &Design, run: &Run) -> Vec<String> {
    let mut notes = Vec::new();
    for c in &run.components {
        let Some(component) = design.component(&c.id) else {
            continue;
        };
        let id = &c.id;
        match &component.props {
            Props::LambdaFunction(_) if c.cold_starts > 0 => notes.push(format!(
                "{id}: {} cold starts ({:.2}% of invocations) bill their init time, which the estimate leaves out",
                c.cold_starts,
                100.0 * c.cold_starts as f64 / c.requests.max(1) as f64
            )),
            Props::DynamoDbTable(_)
                if c.table.as_ref().is_some_and(|t| t.throttled_attempts > 0) =>
            {
                let t = c.table.as_ref().map_or(0, |t| t.throttled_attempts);
                notes.push(format!(
                    "{id}: {t} attempts throttled ({} calls failed after the SDK's retries) consumed no capacity and are not billed; the estimate assumes every request is served",
                    c.throttled
                ))
            }
            Props::EcsService(_) | Props::EksWorkload(_) if c.scale_events > 0 => {
                notes.push(format!(
                    "{id}: scaled {} times in the run, {:.2} tasks on average (at most {}); the estimate holds the count its policy needs at the mean rate",
                    c.scale_events, c.mean_tasks, c.max_tasks
                ))
            }
            Props::Ec2AutoScalingGroup(a) => {
                let desired = f64::from(a.desired_capacity.max(a.min_size));
                if (c.mean_instances - desired).abs() > 0.05 * desired.max(1.0) {
                    notes.push(format!(
                        "{id}: the run held {:.2} instances in service on average (at most {}) to place its tasks, billed from each launch; the estimate bills the desired {desired}",
                        c.mean_instances, c.max_instances
                    ));
                }
            }
            Props::EksNodeGroup(n) => {
                let desired = f64::from(n.desired_size.max(n.min_size));
                if (c.mean_instances - desired).abs() > 0.05 * desired.max(1.0) {
                    let (who, extra) = match n.autoscaler {
                        archsim_model::component::NodeAutoscaler::Karpenter => (
                            "Karpenter launched nodes for",
                            ", of the group's type only (not the types Karpenter launched)",
                        ),
                        _ => ("the Cluster Autoscaler placed", ""),
                    };
                    notes.push(format!(
                        "{id}: the run held {:.2} nodes in service on average (at most {}) as {who} its pods, billed from each launch; the estimate bills the desired {desired}{extra}",
                        c.mean_instances, c.max_instances
                    ));
                }
            }
            Props::SqsQueue(_)
                if design
                    .outgoing(id)
                    .iter()
                    .any(|(conn, _)| matches!(conn.kind, ConnectionKind::Poll { .. })) =>
            {
                notes.push(format!(
                    "{id}: its pollers' receives that find the queue empty are billed requests, which the estimate leaves out"
                ))
            }
            _ => {}
        }
        if c.throttled > 0 || c.retries > 0 {
            notes.push(format!(
                "{id}: {} throttled and {} retried requests in the run, which the estimate leaves out",
                c.throttled, c.retries
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::starters::starter;
    use archsim_sim::{RunOptions, simulate};

    #[test]
    fn measured_lambda_usage_scales_to_the_month() {
        let d = starter("serverless-api").unwrap().build().unwrap();
        let s = d.scenario("daily-cycle").unwrap();
        let opts = RunOptions {
            duration_s: Some(600.0),
            ..RunOptions::default()
        };
        let run = simulate(&d, s, &opts).unwrap();
        let a = Assumptions::default();
        let e = usage_from_run(&d, &run, &a);
        let lambda = e
            .profile
            .components
            .iter()
            .find_map(|c| match &c.usage {
                ServiceUsage::Lambda(l) if c.component_id == "orders-fn" => Some(l),
                _ => None,
            })
            .unwrap();
        let measured = run.usage.lambda["orders-fn"].requests as f64;
        assert!((lambda.requests - measured * a.month_hours * 3600.0 / 600.0).abs() < 1e-6);
        // Billed GB-s survive the scaling exactly.
        let gb_s = lambda.billed_duration_ms_total.unwrap() / 1000.0 * f64::from(lambda.memory_mb)
            / 1024.0;
        let expected = run.usage.lambda["orders-fn"].gb_seconds * a.month_hours * 3600.0 / 600.0;
        assert!(
            (gb_s - expected).abs() / expected < 1e-9,
            "{gb_s} vs {expected}"
        );
        let report =
            crate::monthly_cost(&crate::PriceBook::default_book().unwrap(), &e.profile, &a)
                .unwrap();
        assert!(report.total_usd > crate::Decimal::ZERO);
    }

    #[test]
    fn a_node_group_is_billed_for_the_nodes_the_run_held() {
        // eks-platform: three nodes, min 2; the Cluster Autoscaler removes
        // one at 610 s, so a 1,200 s run holds 610 x 3 + 590 x 2 node-s.
        let d = starter("eks-platform").unwrap().build().unwrap();
        let opts = RunOptions {
            duration_s: Some(1_200.0),
            ..RunOptions::default()
        };
        let run = simulate(&d, &d.scenarios[0], &opts).unwrap();
        assert_eq!(
            run.usage.instances["nodes"].instance_seconds.round(),
            610.0 * 3.0 + 590.0 * 2.0
        );
        let a = Assumptions::default();
        let e = usage_from_run(&d, &run, &a);
        let nodes = e
            .profile
            .components
            .iter()
            .find_map(|c| match &c.usage {
                ServiceUsage::Ec2(u) if c.component_id == "nodes" => Some(u),
                _ => None,
            })
            .unwrap();
        assert_eq!(nodes.instance_type, "m5.xlarge");
        let expected = (610.0 * 3.0 + 590.0 * 2.0) / 1_200.0;
        assert!((nodes.instances - expected).abs() < 1e-9, "{nodes:?}");
        assert!(e.notes.iter().any(|n| n.starts_with("nodes: the run held")));
    }

    #[test]
    fn a_karpenter_pool_bills_each_instance_type_at_its_own_price() {
        use archsim_model::{Editor, Op};
        // eks-platform on one m5.xlarge of the group; Karpenter launches
        // the rest of the pods' nodes.
        let mut editor = Editor::new(starter("eks-platform").unwrap().build().unwrap());
        for (path, value) in [
            ("min_size", serde_json::json!(1)),
            ("desired_size", serde_json::json!(1)),
            ("autoscaler", serde_json::json!("karpenter")),
        ] {
            editor
                .apply(Op::SetProperty {
                    id: "nodes".into(),
                    path: path.into(),
                    value,
                })
                .unwrap();
        }
        let d = editor.into_design();
        let book = crate::PriceBook::default_book().unwrap();
        let opts = RunOptions {
            duration_s: Some(600.0),
            instance_prices: book.instance_prices(),
            ..RunOptions::default()
        };
        let run = simulate(&d, &d.scenarios[0], &opts).unwrap();
        assert!(
            !run.notes.iter().any(|n| n.contains("price")),
            "{:?}",
            run.notes
        );
        let by_type = &run.usage.instances["nodes"].by_type;
        assert!(
            by_type.len() >= 2,
            "the group's type and Karpenter's: {by_type:?}"
        );
        let a = Assumptions::default();
        let e = usage_from_run(&d, &run, &a);
        let report = crate::monthly_cost(&book, &e.profile, &a).unwrap();
        for (instance_type, seconds) in by_type {
            let line = if instance_type == "m5.xlarge" {
                "nodes".to_string()
            } else {
                format!("nodes@{instance_type}")
            };
            let item = report
                .line_items
                .iter()
                .find(|l| l.component_id == line)
                .unwrap_or_else(|| panic!("{line} billed: {:#?}", report.line_items));
            let price = book.instance_prices()[instance_type];
            // Node-seconds scaled to the month, at the type's hourly rate.
            let expected = seconds / 600.0 * a.month_hours * price;
            let billed = crate::money::to_f64(item.amount_usd);
            assert!(
                (billed - expected).abs() < 0.01,
                "{line}: {billed} vs {expected}"
            );
            assert_eq!(crate::money::to_f64(item.rate_usd), price, "{line}");
        }
    }

    #[test]
    fn every_example_prices_from_a_short_run() {
        let book = crate::PriceBook::default_book().unwrap();
        for s in archsim_model::starters::STARTERS
            .iter()
            .filter(|s| s.name != "blank")
        {
            let d = s.build().unwrap();
            let opts = RunOptions {
                duration_s: Some(120.0),
                ..RunOptions::default()
            };
            let run = simulate(&d, &d.scenarios[0], &opts).unwrap();
            let e = usage_from_run(&d, &run, &Assumptions::default());
            crate::monthly_cost(&book, &e.profile, &Assumptions::default())
                .unwrap_or_else(|err| panic!("{}: {err}", s.name));
        }
    }
}
