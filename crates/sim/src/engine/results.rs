//! The [`Run`] at the end: per-component statistics (counters, latency
//! percentiles, means of the gauges, the 1 s series) and the usage the
//! cost crate prices.

use archsim_model::component::ComponentKind;

use super::events::ErrKind;
use super::service::TaskState;
use super::{Behaviour, SEC, Simulation};
use crate::run::*;

impl Simulation {
    /// The results so far (the end of the run if it has finished).
    pub fn into_run(mut self) -> Run {
        self.snapshot_placements();
        self.summarise_deployments();
        let end = self.now.max(1);
        // Measured from the end of the warm-up.
        let start = self.warmup.min(end - 1);
        let secs = (end - start) as f64 / SEC as f64;
        let warmup = self.warmup;
        let mut components = Vec::with_capacity(self.nodes.len());
        for n in &mut self.nodes {
            let h = &n.latency;
            let q = |p: f64| {
                if h.is_empty() {
                    0.0
                } else {
                    h.value_at_quantile(p) as f64 / 1e3
                }
            };
            let mut errors_by_kind = std::collections::BTreeMap::new();
            for k in ErrKind::ALL {
                let v = n.c.by_kind[k as usize];
                if v > 0 {
                    errors_by_kind.insert(k.name().to_string(), v);
                }
            }
            // Requests billed per component; Lambda, tasks and instances are
            // billed from their behaviour below.
            match n.kind {
                ComponentKind::ApiGateway => {
                    self.usage
                        .api_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::SqsQueue => {
                    self.usage
                        .sqs_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::DynamoDbTable
                | ComponentKind::S3Bucket
                | ComponentKind::AuroraServerless
                | ComponentKind::Rds
                | ComponentKind::Secret => {
                    self.usage
                        .data_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::EventBridgePipe => {
                    self.usage
                        .pipe_requests
                        .insert(n.id.clone(), n.billed_requests);
                }
                ComponentKind::Alb | ComponentKind::Nlb => {
                    self.usage.load_balancer.insert(n.id.clone(), n.lb.clone());
                }
                ComponentKind::Client
                | ComponentKind::CloudFront
                | ComponentKind::Clb
                | ComponentKind::Cognito
                | ComponentKind::VpcEndpoint
                | ComponentKind::Lex
                | ComponentKind::Alexa
                | ComponentKind::SnsTopic
                | ComponentKind::EventBridgeRule
                | ComponentKind::EventBus
                | ComponentKind::KinesisStream
                | ComponentKind::Firehose
                | ComponentKind::LambdaFunction
                | ComponentKind::StepFunctions
                | ComponentKind::Ec2Instance
                | ComponentKind::EcsCluster
                | ComponentKind::EcsService
                | ComponentKind::TaskDefinition
                | ComponentKind::Fargate
                | ComponentKind::FargateSpot
                | ComponentKind::Ec2AutoScalingGroup
                | ComponentKind::EksCluster
                | ComponentKind::EksNodeGroup
                | ComponentKind::EksFargateProfile
                | ComponentKind::EksWorkload
                | ComponentKind::EcrRepository
                | ComponentKind::ExternalRegistry
                | ComponentKind::IamRole
                | ComponentKind::Generic => {}
            }
            for g in &n.gates {
                self.usage.sns_subscriptions.insert(
                    g.connection.clone(),
                    SubscriptionUsage {
                        delivered: g.delivered,
                        filtered_out: g.filtered_out,
                    },
                );
            }
            match &mut n.behaviour {
                Behaviour::Workflow(m) => {
                    let u = self.usage.step_functions.entry(n.id.clone()).or_default();
                    u.express = m.express;
                    u.executions = m.executions;
                    u.transitions = m.transitions;
                    u.gb_seconds = m.billed_gb_seconds;
                }
                Behaviour::Lambda(l) => {
                    let u = self.usage.lambda.entry(n.id.clone()).or_default();
                    u.requests = l.invocations;
                    u.memory_mb = l.memory_mb;
                    u.arm64 = l.arm64;
                    u.gb_seconds = l.billed_mb_us / 1024.0 / SEC as f64;
                    u.provisioned_gb_seconds =
                        f64::from(l.provisioned) * f64::from(l.memory_mb) / 1024.0 * secs;
                    u.provisioned_requests = l.provisioned_invocations;
                    u.provisioned_gb_seconds_served =
                        l.provisioned_billed_mb_us / 1024.0 / SEC as f64;
                }
                Behaviour::Service(s) => {
                    for t in &s.tasks {
                        if t.state != TaskState::Stopped {
                            s.providers[t.provider as usize].task_seconds +=
                                (end - t.since) as f64 / SEC as f64;
                        }
                    }
                    for p in &s.providers {
                        let key = format!("{}/{}", n.id, p.kind.slug());
                        let u = self.usage.tasks.entry(key).or_default();
                        u.cpu_units = s.cpu_units;
                        u.memory_mb = s.memory_mb;
                        u.capacity = p.kind.slug().into();
                        u.task_seconds += p.task_seconds;
                    }
                }
                Behaviour::Capacity(c) => {
                    // Billed from launch, not from in service (`Capacity::billed`).
                    c.instance_seconds = c.billed.mean(end) * secs;
                    // A Karpenter pool's nodes by type; the group's own
                    // nodes are the rest.
                    let mut by_type = std::collections::BTreeMap::new();
                    let mut pooled = 0.0;
                    if let Some(p) = &c.karpenter {
                        for (t, g) in p.types.iter().zip(&p.nodes_by_type) {
                            let s = g.mean(end) * secs;
                            if s > 0.0 {
                                *by_type.entry(t.name.to_string()).or_insert(0.0) += s;
                                pooled += s;
                            }
                        }
                    }
                    let own = (c.instance_seconds - pooled).max(0.0);
                    if own > 0.0 || by_type.is_empty() {
                        *by_type.entry(c.instance_type.clone()).or_insert(0.0) += own;
                    }
                    self.usage.instances.insert(
                        n.id.clone(),
                        InstanceUsage {
                            instance_type: c.instance_type.clone(),
                            instance_seconds: c.instance_seconds,
                            by_type,
                        },
                    );
                }
                _ => {}
            }
            let is_queue = matches!(n.behaviour, Behaviour::Queue(_));
            let served = n.c.served.max(1) as f64;
            // Where a request waits for service: the queue's own counts.
            let entered = if is_queue { n.c.received } else { n.c.served };
            let queue = matches!(
                n.behaviour,
                Behaviour::Lambda(_) | Behaviour::Service(_) | Behaviour::Queue(_)
            )
            .then(|| QueueStats {
                served: entered,
                waited: n.c.waited,
                p_wait: n.c.waited as f64 / entered.max(1) as f64,
                mean_wait_ms: n.c.wait_sum / entered.max(1) as f64 / 1e3,
                mean_length: n.queue.mean(end),
                max_length: n.queue.max,
            });
            components.push(ComponentStats {
                id: n.id.clone(),
                kind: n.kind.slug().to_string(),
                requests: n.c.requests,
                completed: n.c.completed,
                errors: n.c.errors,
                throttled: n.c.throttled,
                in_flight: n.c.in_flight,
                errors_by_kind,
                cold_starts: n.c.cold_starts,
                retries: n.c.retries,
                dead_lettered: n.c.dead_lettered,
                throttles_retried: n.c.throttles_retried,
                latency_ms: LatencySummary {
                    count: h.len(),
                    mean: if h.is_empty() { 0.0 } else { h.mean() / 1e3 },
                    p50: q(0.5),
                    p90: q(0.9),
                    p99: q(0.99),
                    max: if h.is_empty() {
                        0.0
                    } else {
                        h.max() as f64 / 1e3
                    },
                },
                waited: n.c.waited,
                served: n.c.served,
                mean_wait_ms: n.c.wait_sum / entered.max(1) as f64 / 1e3,
                mean_service_ms: n.c.service_sum / served / 1e3,
                mean_concurrency: n.concurrency.mean(end),
                max_concurrency: n.concurrency.max,
                mean_queue_depth: n.queue.mean(end),
                max_queue_depth: n.queue.max,
                mean_tasks: n.tasks.mean(end),
                max_tasks: n.tasks.max,
                scale_events: n.c.scale_events,
                mean_instances: n.instances.mean(end),
                max_instances: n.instances.max,
                environments: match &n.behaviour {
                    Behaviour::Lambda(l) => {
                        let alive = l.alive.mean(end);
                        let busy = n.concurrency.mean(end);
                        // Environments born after the warm-up.
                        let still: f64 = l
                            .envs
                            .iter()
                            .filter(|e| e.alive && e.born >= warmup)
                            .map(|e| (end - e.born) as f64)
                            .sum();
                        let created = l.created - l.created_in_warmup;
                        Some(EnvironmentStats {
                            mean_alive: alive,
                            mean_busy: busy,
                            mean_idle: (alive - busy).max(0.0),
                            max_alive: l.alive.max,
                            created,
                            mean_lifetime_s: if created == 0 {
                                0.0
                            } else {
                                (l.reclaimed_lifetime_us + still) / created as f64 / SEC as f64
                            },
                            cold_start_share: if l.invocations == 0 {
                                0.0
                            } else {
                                n.c.cold_starts as f64 / l.invocations as f64
                            },
                        })
                    }
                    _ => None,
                },
                queue,
                table: match &n.behaviour {
                    Behaviour::Store { table: Some(t), .. } => {
                        self.usage
                            .dynamodb_units
                            .insert(n.id.clone(), (t.c.read_units, t.c.write_units));
                        let capacity = t.mean_capacity(start, end);
                        if let Some([r, w]) = capacity {
                            self.usage.dynamodb_capacity.insert(n.id.clone(), (r, w));
                        }
                        Some(TableStats {
                            billing: t.billing().into(),
                            mean_read_capacity: capacity.map(|c| c[0]),
                            mean_write_capacity: capacity.map(|c| c[1]),
                            reads: t.c.reads,
                            writes: t.c.writes,
                            read_units: t.c.read_units,
                            write_units: t.c.write_units,
                            mean_read_units_per_s: t.c.read_units / secs,
                            mean_write_units_per_s: t.c.write_units / secs,
                            throttled_attempts: t.c.throttled_attempts,
                            retries: t.c.retries,
                        })
                    }
                    _ => None,
                },
                series: std::mem::take(&mut n.series),
            });
        }
        Run {
            design: self.design_name,
            scenario: self.scenario.name.clone(),
            seed: self.seed,
            duration_s: secs,
            warmup_s: (start / SEC) as f64,
            events: self.events,
            components,
            scale_decisions: self.decisions,
            placements: self.placements,
            traces: self.traces,
            deployments: self.deployments.into_iter().map(|(_, d)| d).collect(),
            usage: self.usage,
            notes: self.notes,
        }
    }
}
