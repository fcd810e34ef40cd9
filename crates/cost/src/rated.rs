//! Usage of the kinds priced from the traffic reaching them, and of what
//! surrounds the components (NAT gateway, public IPv4 addresses, data
//! transfer out, CloudWatch Logs, X-Ray traces). One mapping, used by the
//! scenario estimate ([`crate::estimate`]) and by the measured bill
//! ([`crate::measured`]), so the two differ only in the rates they give it.

use archsim_model::component::{DatabaseEngine, DynamoDbBilling, Props, Scheme, StreamMode};
use archsim_model::connection::ConnectionKind;
use archsim_model::schedule::Schedule;
use archsim_model::{Component, ComponentKind as K, Design};

use crate::usage::ServiceUsage;
use crate::usage::{
    Assumptions, AuroraUsage, CloudFrontUsage, CognitoUsage, DynamoDbUsage, EventBridgeUsage,
    FirehoseUsage, KinesisMode, KinesisUsage, LexUsage, LogsUsage, NetworkUsage,
    ProvisionedCapacity, RdsEngine, RdsUsage, S3Usage, SnsUsage, XRayUsage,
};

const KB_PER_GB: f64 = 1024.0 * 1024.0;

/// The traffic one component sees, per second, and the month it lasts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Traffic {
    /// Requests, messages, events or invocations arriving per second.
    pub rps: f64,
    /// Mean request payload and response, in KB.
    pub payload_kb: f64,
    pub response_kb: f64,
    pub month_s: f64,
}

impl Traffic {
    fn per_month(&self) -> f64 {
        self.rps * self.month_s
    }
}

/// Usage of a component whose kind is priced from its own traffic (the
/// kinds not handled by the estimate's and the run's own arms): `None`
/// for the others. `data_rps` is the requests per second reaching a data
/// store (reads and writes).
pub(crate) fn rated_usage(
    design: &Design,
    c: &Component,
    t: Traffic,
    data_rps: f64,
) -> Vec<(String, ServiceUsage)> {
    let month = t.per_month();
    let mut out = Vec::new();
    if let Props::Firehose(f) = &c.props {
        // The export gives each stream a delivery bucket: one PUT per
        // buffer flush (when the buffer fills or its interval passes),
        // and the month's data stored.
        let gb = month * t.payload_kb / KB_PER_GB;
        let by_interval = t.month_s / f64::from(f.buffer_interval_s.max(1));
        let by_size = gb * 1024.0 / f64::from(f.buffer_size_mb.max(1));
        out.push((
            format!("{}@bucket", c.id),
            ServiceUsage::S3(S3Usage {
                storage_gb_month: gb,
                put_requests: if month > 0.0 {
                    by_interval.max(by_size)
                } else {
                    0.0
                },
                get_requests: 0.0,
            }),
        ));
    }
    let usage = match &c.props {
        Props::SnsTopic(_) => {
            let (mut free, mut http) = (0.0, 0.0);
            for (conn, target) in design.outgoing(&c.id) {
                if !matches!(
                    conn.kind,
                    ConnectionKind::Invoke { .. } | ConnectionKind::Publishes
                ) {
                    continue;
                }
                match target.kind() {
                    K::SqsQueue | K::LambdaFunction => free += month,
                    _ => http += month,
                }
            }
            ServiceUsage::Sns(SnsUsage {
                publishes: month,
                payload_kb: t.payload_kb,
                http_deliveries: http,
                email_deliveries: 0.0,
                free_deliveries: free,
            })
        }
        Props::EventBridgeRule(r) => {
            // A rule's own schedule is free (how often it fires comes from
            // its expression, not from a run: the same in both bills);
            // events put on a bus by the design's code are custom events.
            let schedule = Schedule::parse(&r.schedule).ok();
            ServiceUsage::EventBridge(EventBridgeUsage {
                custom_events: if schedule.is_some() { 0.0 } else { month },
                payload_kb: t.payload_kb,
                scheduler_invocations: 0.0,
                scheduled_rule_invocations: schedule
                    .map_or(0.0, |s| s.mean_fires_per_day() * t.month_s / 86_400.0),
            })
        }
        Props::KinesisStream(k) => ServiceUsage::Kinesis(KinesisUsage {
            mode: match k.mode {
                StreamMode::Provisioned => KinesisMode::Provisioned,
                StreamMode::OnDemand => KinesisMode::OnDemand,
            },
            shards: f64::from(k.shards),
            hours: None,
            records: month,
            record_kb: t.payload_kb,
            consumers: design
                .outgoing(&c.id)
                .iter()
                .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Poll { .. }))
                .count()
                .max(1) as f64,
        }),
        Props::Firehose(_) => ServiceUsage::Firehose(FirehoseUsage {
            records: month,
            record_kb: t.payload_kb,
        }),
        Props::Cognito(p) => ServiceUsage::Cognito(CognitoUsage {
            monthly_active_users: f64::from(p.monthly_active_users),
        }),
        Props::CloudFront(_) => ServiceUsage::CloudFront(CloudFrontUsage {
            requests: month,
            data_out_gb: month * t.response_kb / KB_PER_GB,
        }),
        Props::Lex(_) => ServiceUsage::Lex(LexUsage {
            text_requests: month,
            speech_requests: 0.0,
        }),
        Props::Rds(r) => ServiceUsage::Rds(RdsUsage {
            engine: rds_engine(r.engine),
            instance_class: r.instance_class.clone(),
            multi_az: r.multi_az,
            hours: None,
            storage_gb: f64::from(r.storage_gb),
        }),
        Props::AuroraServerless(a) => ServiceUsage::Aurora(AuroraUsage {
            // archsim does not scale ACUs: the cluster is billed at its
            // configured minimum (at least 0.5 ACU when it never pauses).
            mean_acu: if a.min_acu > 0.0 { a.min_acu } else { 0.5 },
            hours: None,
            storage_gb_month: 1.0,
            // One I/O per request that reaches the database.
            io_requests: data_rps * t.month_s,
        }),
        _ => return out,
    };
    out.insert(0, (c.id.clone(), usage));
    out
}

/// A provisioned DynamoDB table: its capacity billed by the hour.
pub(crate) fn dynamodb_usage(c: &Component, writes: f64, reads: f64) -> Option<DynamoDbUsage> {
    let Props::DynamoDbTable(t) = &c.props else {
        return None;
    };
    let mut usage = DynamoDbUsage::on_demand(writes, reads, t.stored_gb);
    if t.billing == DynamoDbBilling::Provisioned {
        usage.provisioned = Some(ProvisionedCapacity {
            read_capacity_units: f64::from(t.read_capacity),
            write_capacity_units: f64::from(t.write_capacity),
            hours: None,
        });
    }
    Some(usage)
}

fn rds_engine(e: DatabaseEngine) -> RdsEngine {
    match e {
        DatabaseEngine::Postgres | DatabaseEngine::AuroraPostgresql => RdsEngine::Postgres,
        DatabaseEngine::Mysql | DatabaseEngine::AuroraMysql => RdsEngine::Mysql,
    }
}

/// X-Ray traces a traced function or API records under the default
/// sampling rule (the first request each second, then 5% of the rest),
/// and the logs a function or container service writes.
pub(crate) fn observability_usage(
    c: &Component,
    t: Traffic,
    assumptions: &Assumptions,
) -> Vec<(&'static str, ServiceUsage)> {
    let (traced, logs) = match &c.props {
        Props::LambdaFunction(l) => (l.tracing, true),
        Props::ApiGateway(a) => (a.tracing, false),
        Props::EcsService(_) => (false, true),
        _ => (false, false),
    };
    let mut out = Vec::new();
    if t.rps <= 0.0 {
        return out;
    }
    if traced {
        let sampled = t.rps.min(1.0) + 0.05 * (t.rps - 1.0).max(0.0);
        out.push((
            "xray",
            ServiceUsage::XRay(XRayUsage {
                traces_recorded: sampled * t.month_s,
                traces_retrieved: 0.0,
            }),
        ));
    }
    if logs {
        let gb = t.per_month() * assumptions.log_kb_per_request / KB_PER_GB;
        out.push((
            "logs",
            ServiceUsage::Logs(LogsUsage {
                ingested_gb: gb,
                // One month kept, archived size taken as written (an
                // upper bound: archives are compressed).
                stored_gb_month: gb,
            }),
        ));
    }
    out
}

/// What the estimate and the measured bill assume about these services,
/// for the kinds the design has.
pub(crate) fn notes(design: &Design) -> Vec<String> {
    let has = |pred: &dyn Fn(&Component) -> bool| design.components().any(pred);
    let mut notes = Vec::new();
    if has(&|c| c.kind().in_vpc()) {
        notes.push("network: one NAT gateway (and its public IPv4 address), as the export creates for a design with components in a VPC; two public IPv4 addresses (one per zone) per internet-facing load balancer; cross-zone traffic not counted");
    }
    notes.push("data transfer out: every response to traffic not entering through CloudFront, of the scenario's response size");
    if has(&|c| matches!(c.kind(), K::LambdaFunction | K::EcsService)) {
        notes.push("CloudWatch Logs: the assumptions' log volume per Lambda invocation and container request, kept one month");
    }
    if has(&|c| match &c.props {
        Props::LambdaFunction(l) => l.tracing,
        Props::ApiGateway(a) => a.tracing,
        _ => false,
    }) {
        notes.push("X-Ray: traced functions and APIs record the first request each second and 5% of the rest");
    }
    if has(&|c| c.kind() == K::AuroraServerless) {
        notes.push("Aurora Serverless v2: billed at its minimum capacity (archsim does not scale ACUs), one I/O per request");
    }
    if has(&|c| c.kind() == K::EventBridgeRule) {
        notes.push("EventBridge: events reaching a pattern rule are custom events put by the design's code; schedules on rules are free");
    }
    notes.into_iter().map(String::from).collect()
}

/// The usage id of the network around the components (not a component of
/// the design: its lines are the VPC's and the data transfer's).
pub const NETWORK_ID: &str = "network";

/// What the bill calls the network's lines.
pub const NETWORK_NAME: &str = "Network (NAT gateway, public IPv4, data transfer)";

/// The network the export creates around the design: one NAT gateway
/// (with its public address) when any component sits in a VPC, a public
/// address per zone (two) for each internet-facing load balancer, the
/// responses sent to the internet (`internet_out_rps` requests of
/// `response_kb` each, not through CloudFront), and what in-VPC compute
/// sends to AWS services outside the VPC through the NAT gateway.
pub(crate) fn network_usage(
    design: &Design,
    internet_out_rps: f64,
    rate: &dyn Fn(&str) -> f64,
    t: Traffic,
) -> Option<ServiceUsage> {
    let in_vpc = design.components().any(|c| c.kind().in_vpc());
    let public_lbs = design
        .components()
        .filter(|c| match &c.props {
            Props::Alb(p) | Props::Nlb(p) => p.scheme == Scheme::InternetFacing,
            Props::Clb(p) => p.scheme == Scheme::InternetFacing,
            _ => false,
        })
        .count() as f64;
    let nat = if in_vpc { 1.0 } else { 0.0 };
    let mut nat_rps = 0.0;
    if in_vpc {
        for c in design.components() {
            if !matches!(
                c.kind(),
                K::EcsService | K::EksWorkload | K::Ec2Instance | K::Ec2AutoScalingGroup
            ) {
                continue;
            }
            let calls = design
                .outgoing(&c.id)
                .iter()
                .filter(|(conn, target)| {
                    matches!(
                        conn.kind,
                        ConnectionKind::Uses { .. }
                            | ConnectionKind::Invoke { .. }
                            | ConnectionKind::Publishes
                    ) && !target.kind().in_vpc()
                        && target.kind() != K::Client
                })
                .count() as f64;
            nat_rps += rate(&c.id) * calls;
        }
    }
    let usage = NetworkUsage {
        nat_gateways: nat,
        nat_gb_processed: nat_rps * t.month_s * (t.payload_kb + t.response_kb) / KB_PER_GB,
        public_ipv4_addresses: nat + 2.0 * public_lbs,
        internet_out_gb: internet_out_rps * t.month_s * t.response_kb / KB_PER_GB,
        inter_az_gb: 0.0,
    };
    (usage != NetworkUsage::default()).then_some(ServiceUsage::Network(usage))
}

/// The requests per second answered to the internet directly (not through
/// CloudFront, which prices its own data out): traffic entering at a
/// component that is not a CloudFront distribution and does not pass the
/// request to one.
pub(crate) fn answers_internet(design: &Design, entry: &str) -> bool {
    let Some(c) = design.component(entry) else {
        return false;
    };
    if c.kind() == K::CloudFront {
        return false;
    }
    if c.kind() == K::Client {
        return !design
            .outgoing(entry)
            .iter()
            .any(|(_, t)| t.kind() == K::CloudFront);
    }
    true
}
