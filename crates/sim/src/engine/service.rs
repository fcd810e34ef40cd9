//! ECS services and Kubernetes workloads: their state (tasks, workers,
//! capacity providers, scaling policies, the HPA) and how it is built
//! from the design: the task definition's size and image, the capacity
//! each `RunsOn` connection reaches, the load balancer's health check and
//! deregistration delay.

use std::collections::VecDeque;

use archsim_model::component::{
    CircuitBreaker, ComponentKind, DeploymentController, EcsServiceProps, EksWorkloadProps,
    FargateProps, LbAlgorithm, Props, ScalingMetric,
};
use archsim_model::connection::ConnectionKind;
use archsim_model::{Component, Design};

use super::build::{index_of, zone_index};
use super::{Behaviour, NONE, SEC, Simulation, Us};
use crate::placement::{PlacementRules, TaskNeeds};
use crate::rng::Sampler;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TaskState {
    /// Waiting for EC2 capacity.
    Provisioning,
    /// Starting: image pull and application start.
    Pending,
    Running,
    /// Finishing in-flight work before stopping (scale-in, Spot warning).
    Draining,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CapacityKind {
    Fargate,
    FargateSpot,
    Ec2,
}

impl CapacityKind {
    pub(super) fn slug(self) -> &'static str {
        match self {
            CapacityKind::Fargate => "fargate",
            CapacityKind::FargateSpot => "fargate_spot",
            CapacityKind::Ec2 => "ec2",
        }
    }
}

pub(super) struct Provider {
    /// The capacity component, NONE for the default Fargate.
    pub(super) node: u32,
    pub(super) kind: CapacityKind,
    pub(super) weight: u32,
    pub(super) base: u32,
    pub(super) live: u32,
    /// From launch to the containers running: overhead, image pull and the
    /// application's start.
    pub(super) start_us: Us,
    /// The image pull's part of it, which an EC2 instance (or EKS node)
    /// that ran the same service version before skips.
    pub(super) pull_us: Us,
    pub(super) zones: Vec<u8>,
    pub(super) task_seconds: f64,
}

pub(super) struct Task {
    pub(super) state: TaskState,
    pub(super) busy: u32,
    pub(super) queue: VecDeque<u32>,
    pub(super) provider: u8,
    pub(super) zone: u8,
    /// EC2: the instance it is placed on (NONE on Fargate).
    pub(super) instance: u32,
    pub(super) generation: u32,
    pub(super) since: Us,
    /// The service version it runs (0: the one the run started with).
    pub(super) version: u32,
    /// When its containers run (image pulled, application started): the
    /// health-check grace period counts from here.
    pub(super) running_at: Us,
    /// When it started serving (registered and healthy); `NONE_US` before.
    pub(super) serving_since: Us,
    /// Requests it has started serving.
    pub(super) served: u64,
    /// Registered beside targets already serving, under a slow start: its
    /// share ramps up from `serving_since`.
    pub(super) slow: bool,
}

/// No time yet.
pub(super) const NONE_US: Us = Us::MAX;

/// A version of a service's task definition, as a `deploy` event gives it.
pub(super) struct ServiceVersion {
    /// Its handler time; `None`: the service's own (or the traffic
    /// profile's).
    pub(super) work: Option<Sampler>,
    pub(super) error_rate: f64,
    pub(super) fails_health_checks: bool,
}

/// How the service is deployed: ECS's deployment configuration, the
/// load balancer's unhealthy threshold and the grace period.
pub(super) struct DeploymentConfig {
    pub(super) min_healthy_percent: u32,
    pub(super) max_percent: u32,
    pub(super) circuit_breaker: CircuitBreaker,
    /// The health-check grace period.
    pub(super) grace: Us,
    /// Failed health checks in a row that make a target unhealthy.
    pub(super) unhealthy_threshold: u32,
    /// Deployed blue/green by CodeDeploy (`None`: ECS's rolling update).
    pub(super) blue_green: Option<archsim_model::component::BlueGreen>,
}

pub(super) struct Policy {
    pub(super) metric: ScalingMetric,
    pub(super) target: f64,
    pub(super) out_cooldown: Us,
    pub(super) in_cooldown: Us,
    pub(super) high: u32,
    pub(super) low: u32,
}

/// A step scaling policy: a one-minute alarm on `metric > threshold`,
/// then the step whose lower bound the breach reaches.
pub(super) struct StepPolicy {
    pub(super) metric: ScalingMetric,
    pub(super) threshold: f64,
    /// (lower bound of metric - threshold, adjustment), sorted by bound.
    pub(super) steps: Vec<(f64, i32)>,
    pub(super) cooldown: Us,
    pub(super) last: Option<Us>,
}

/// The Kubernetes Horizontal Pod Autoscaler: every 15 s, desired =
/// ceil(current x CPU / target) outside a 10% tolerance; up at once (at
/// most double or +4 pods a sync), down to the highest recommendation of
/// the last 5 minutes (the stabilisation window).
pub(super) struct Hpa {
    pub(super) target: f64,
    pub(super) recommendations: VecDeque<(Us, u32)>,
}

pub(super) struct Service {
    pub(super) workers: u32,
    pub(super) work: Sampler,
    pub(super) cpu_units: u32,
    pub(super) memory_mb: u32,
    pub(super) tasks: Vec<Task>,
    pub(super) free_tasks: Vec<u32>,
    /// The service-wide FIFO queue for callers that are not load balancers.
    pub(super) queue: VecDeque<u32>,
    pub(super) polled: Vec<u32>,
    pub(super) desired: u32,
    pub(super) min: u32,
    pub(super) max: u32,
    pub(super) policies: Vec<Policy>,
    pub(super) step_policies: Vec<StepPolicy>,
    pub(super) hpa: Option<Hpa>,
    /// Load balancer target: health check interval and deregistration
    /// delay (0 when no load balancer routes to the service).
    pub(super) health_check: Us,
    pub(super) deregistration: Us,
    /// An ALB target group's slow start: a target registered while others
    /// serve gets a share that grows linearly over this time (0: off).
    pub(super) slow_start: Us,
    pub(super) last_out: Option<Us>,
    pub(super) last_in: Option<Us>,
    pub(super) providers: Vec<Provider>,
    pub(super) round_robin: u32,
    pub(super) busy_workers: u64,
    pub(super) free_workers: u64,
    pub(super) serving: u32,
    pub(super) busy_integral: f64,
    pub(super) capacity_integral: f64,
    pub(super) integral_at: Us,
    pub(super) minute_requests: u64,
    /// EC2 placement: what a task takes and where it may go.
    pub(super) needs: TaskNeeds,
    pub(super) rules: PlacementRules,
    /// The version new tasks run; every version deployed so far.
    pub(super) version: u32,
    pub(super) versions: Vec<ServiceVersion>,
    /// ECS services (`None` for Kubernetes workloads, which are not
    /// deployed in the simulation).
    pub(super) deployment: Option<DeploymentConfig>,
    /// A rolling deployment in progress.
    pub(super) rollout: Option<Box<super::rolling::Rollout>>,
    /// Draws of a failing version's errors.
    pub(super) fail_rng: Option<crate::rng::Stream>,
}

/// The properties a service is built from.
#[derive(Clone, Copy)]
pub(super) enum Workload<'a> {
    Ecs(&'a EcsServiceProps),
    Eks(&'a EksWorkloadProps),
}

impl Service {
    pub(super) fn build(
        design: &Design,
        comp: &Component,
        workload: Workload,
        ids: &[&str],
        zones: &mut Vec<String>,
    ) -> Service {
        let mut step_policies = Vec::new();
        let mut hpa = None;
        let (workers, work, desired, min, max, policies, app_start) = match workload {
            Workload::Ecs(p) => {
                let mut policies = Vec::new();
                if let Some(a) = &p.autoscaling {
                    for sp in &a.step {
                        let mut steps: Vec<(f64, i32)> = sp
                            .steps
                            .iter()
                            .map(|s| (s.lower_bound, s.adjustment))
                            .collect();
                        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
                        step_policies.push(StepPolicy {
                            metric: sp.metric,
                            threshold: sp.alarm_threshold,
                            steps,
                            cooldown: u64::from(sp.cooldown_s) * SEC,
                            last: None,
                        });
                    }
                    for t in &a.target_tracking {
                        policies.push(Policy {
                            metric: t.metric,
                            target: t.target.max(1e-9),
                            out_cooldown: u64::from(t.scale_out_cooldown_s) * SEC,
                            in_cooldown: u64::from(t.scale_in_cooldown_s) * SEC,
                            high: 0,
                            low: 0,
                        });
                    }
                }
                (
                    p.workers_per_task.max(1),
                    Sampler::new(&p.work.duration),
                    p.desired_count,
                    p.min_count,
                    p.max_count.max(p.min_count),
                    policies,
                    p.app_start_s,
                )
            }
            Workload::Eks(p) => {
                let (min, max) = match &p.hpa {
                    Some(h) => {
                        hpa = Some(Hpa {
                            target: f64::from(h.target_cpu_percent.max(1)),
                            recommendations: VecDeque::new(),
                        });
                        (h.min_replicas, h.max_replicas.max(h.min_replicas))
                    }
                    None => (p.replicas, p.replicas),
                };
                (
                    p.workers_per_pod.max(1),
                    Sampler::new(&p.work.duration),
                    p.replicas,
                    min,
                    max,
                    Vec::new(),
                    5.0,
                )
            }
        };
        // Task size and image from the task definition.
        let mut cpu_units = 256;
        let mut memory_mb = 512;
        let mut image_mb = 200.0;
        let (mut health_check, mut deregistration, mut unhealthy_threshold) = (0, 0, 0);
        let mut slow_start = 0;
        for (conn, from) in design.incoming(&comp.id) {
            if let (ConnectionKind::Route { .. }, Props::Alb(lb) | Props::Nlb(lb)) =
                (&conn.kind, &from.props)
            {
                health_check = u64::from(lb.health_check.interval_s) * SEC;
                deregistration = u64::from(lb.deregistration_delay_s) * SEC;
                unhealthy_threshold = lb.health_check.unhealthy_threshold.max(1);
                if from.kind() == ComponentKind::Alb && lb.algorithm == LbAlgorithm::RoundRobin {
                    slow_start = u64::from(lb.slow_start_s) * SEC;
                }
            }
        }
        let mut needs = TaskNeeds::default();
        let mut providers = Vec::new();
        let mut pull_rates: Vec<f64> = Vec::new();
        for (conn, to) in design.outgoing(&comp.id) {
            match &conn.kind {
                ConnectionKind::RunsTask => {
                    if let Props::TaskDefinition(t) = &to.props {
                        needs = TaskNeeds::of(t);
                        cpu_units = t.cpu;
                        memory_mb = t.memory_mb;
                        image_mb = t.image_size_mb();
                    }
                }
                ConnectionKind::RunsOn { weight, base } => {
                    let Some((kind, overhead, pull, azs)) = launch_capacity(&to.props) else {
                        continue;
                    };
                    let zone_ix = azs.iter().map(|z| zone_index(zones, z)).collect();
                    providers.push(Provider {
                        node: if matches!(
                            to.kind(),
                            ComponentKind::Ec2AutoScalingGroup | ComponentKind::EksNodeGroup
                        ) {
                            index_of(ids, &to.id).unwrap_or(NONE)
                        } else {
                            NONE
                        },
                        kind,
                        weight: *weight,
                        base: *base,
                        live: 0,
                        // Completed below: the image size may come from
                        // a later connection.
                        start_us: (overhead.max(0.0) * SEC as f64) as Us,
                        pull_us: 0,
                        zones: zone_ix,
                        task_seconds: 0.0,
                    });
                    pull_rates.push(pull.max(0.1));
                }
                _ => {}
            }
        }
        if let Workload::Eks(p) = workload {
            cpu_units = (p.cpu_request_millicores * 1024).div_ceil(1000);
            memory_mb = p.memory_request_mb;
            image_mb = p.image_size_mb;
            // On a node group a pod takes its requests (millicores, MiB,
            // as the nodes count them) and one VPC address.
            needs = TaskNeeds {
                cpu: u64::from(p.cpu_request_millicores),
                mem: u64::from(p.memory_request_mb),
                gpus: 0,
                awsvpc: true,
                static_ports: Vec::new(),
            };
        }
        if providers.is_empty() {
            // No capacity drawn: Fargate with its defaults (or the launch type).
            let f = FargateProps::default();
            providers.push(Provider {
                node: NONE,
                kind: CapacityKind::Fargate,
                weight: 1,
                base: 0,
                live: 0,
                start_us: (f.start_overhead_s * SEC as f64) as Us,
                pull_us: 0,
                zones: Vec::new(),
                task_seconds: 0.0,
            });
            pull_rates.push(f.pull_mb_per_s.max(0.1));
        }
        for (p, pull) in providers.iter_mut().zip(&pull_rates) {
            // Fargate: fixed overhead + image size / pull rate + app start
            // (no image cache). EC2 and EKS nodes: the pull and the app
            // start, the pull skipped on an instance that has the image.
            let pull_s = image_mb / pull;
            p.pull_us = (pull_s * SEC as f64) as Us;
            p.start_us += ((pull_s + app_start.max(0.0)) * SEC as f64) as Us;
            if p.zones.is_empty() {
                p.zones = (0..zones.len() as u8).collect();
            }
        }
        Service {
            workers,
            work,
            cpu_units,
            memory_mb,
            tasks: Vec::new(),
            free_tasks: Vec::new(),
            queue: VecDeque::new(),
            polled: Vec::new(),
            desired: desired.clamp(min, max),
            min,
            max,
            policies,
            step_policies,
            hpa,
            health_check,
            deregistration,
            slow_start,
            last_out: None,
            last_in: None,
            providers,
            round_robin: 0,
            busy_workers: 0,
            free_workers: 0,
            serving: 0,
            busy_integral: 0.0,
            capacity_integral: 0.0,
            integral_at: 0,
            minute_requests: 0,
            needs,
            rules: match workload {
                Workload::Ecs(p) => {
                    PlacementRules::new(&p.placement_strategies, &p.placement_constraints)
                }
                Workload::Eks(_) => PlacementRules::least_allocated(),
            },
            version: 0,
            versions: vec![ServiceVersion {
                work: None,
                error_rate: 0.0,
                fails_health_checks: false,
            }],
            deployment: match workload {
                Workload::Ecs(p) => Some(DeploymentConfig {
                    min_healthy_percent: p.min_healthy_percent,
                    max_percent: p.max_percent,
                    circuit_breaker: p.circuit_breaker,
                    grace: u64::from(p.health_check_grace_s) * SEC,
                    unhealthy_threshold,
                    blue_green: match p.deployment_controller {
                        DeploymentController::Ecs => None,
                        DeploymentController::CodeDeploy(bg) => Some(bg),
                    },
                }),
                Workload::Eks(_) => None,
            },
            rollout: None,
            fail_rng: None,
        }
    }
}

/// What starting a task costs on the capacity a `RunsOn` connection
/// reaches: (kind, fixed overhead in s, image pull in MB/s, zones); `None`
/// for a kind tasks do not run on.
fn launch_capacity(props: &Props) -> Option<(CapacityKind, f64, f64, Vec<String>)> {
    match props {
        Props::Fargate(f) => Some((
            CapacityKind::Fargate,
            f.start_overhead_s,
            f.pull_mb_per_s,
            vec![],
        )),
        Props::FargateSpot(f) => Some((
            CapacityKind::FargateSpot,
            f.start_overhead_s,
            f.pull_mb_per_s,
            vec![],
        )),
        Props::Ec2AutoScalingGroup(a) => Some((
            CapacityKind::Ec2,
            0.0,
            a.pull_mb_per_s,
            a.availability_zones.clone(),
        )),
        // Pods on a node group: the image pull at 50 MB/s (no per-node
        // image cache) and the app start once placed on a node.
        Props::EksNodeGroup(n) => {
            Some((CapacityKind::Ec2, 0.0, 50.0, n.availability_zones.clone()))
        }
        Props::EksFargateProfile(_) => Some((CapacityKind::Fargate, 15.0, 25.0, vec![])),
        Props::Client(_)
        | Props::ApiGateway(_)
        | Props::CloudFront(_)
        | Props::Alb(_)
        | Props::Nlb(_)
        | Props::Clb(_)
        | Props::Cognito(_)
        | Props::Secret(_)
        | Props::VpcEndpoint(_)
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
        | Props::LambdaFunction(_)
        | Props::Ec2Instance(_)
        | Props::EcsCluster(_)
        | Props::EcsService(_)
        | Props::TaskDefinition(_)
        | Props::EksCluster(_)
        | Props::EksWorkload(_)
        | Props::EcrRepository(_)
        | Props::ExternalRegistry(_)
        | Props::IamRole(_)
        | Props::Generic(_) => None,
    }
}

impl Simulation {
    pub(super) fn svc(&mut self, node: u32) -> &mut Service {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Service(s) => s,
            _ => unreachable!("not a service"),
        }
    }

    /// Keeps the CPU-utilisation integrals up to date before a change.
    #[inline]
    pub(super) fn svc_account(&mut self, node: u32) {
        let now = self.now;
        let s = self.svc(node);
        let dt = (now - s.integral_at) as f64;
        s.busy_integral += s.busy_workers as f64 * dt;
        s.capacity_integral += f64::from(s.serving) * f64::from(s.workers) * dt;
        s.integral_at = now;
    }
}

impl Service {
    /// A running target's share under the load balancer's slow start:
    /// from 0 as it registers beside targets already serving to 1 after
    /// the slow start; 1 without one (AWS: a target group with no healthy
    /// target has no slow start), and for targets serving as the run
    /// begins.
    pub(super) fn ramp(&self, t: &Task, now: Us) -> f64 {
        if !t.slow || t.serving_since == NONE_US {
            return 1.0;
        }
        let elapsed = now.saturating_sub(t.serving_since);
        (elapsed as f64 / self.slow_start as f64).min(1.0)
    }
}
