//! Usage of the kinds priced from the traffic reaching them, and of what
//! surrounds the components (NAT gateway, public IPv4 addresses, data
//! transfer out, CloudWatch Logs, X-Ray traces). One mapping, used by the
//! scenario estimate ([`crate::estimate`]) and by the measured bill
//! ([`crate::measured`]), so the two differ only in the rates they give it.

use std::collections::BTreeMap;

use archsim_model::component::{
    DatabaseEngine, DynamoDbBilling, EndpointType, Props, Scheme, StreamMode, read_units,
    write_units,
};
use archsim_model::connection::ConnectionKind;
use archsim_model::schedule::Schedule;
use archsim_model::{Component, ComponentKind as K, Design, ExportProfile};

use crate::usage::ServiceUsage;
use crate::usage::{
    Assumptions, AuroraUsage, CloudFrontUsage, CognitoUsage, DynamoDbUsage, EventBridgeUsage,
    FirehoseUsage, KinesisMode, KinesisUsage, KmsUsage, LexUsage, LogsUsage, NetworkUsage,
    ProvisionedCapacity, RdsEngine, RdsUsage, S3Usage, SecretsManagerUsage, SnsUsage,
    VpcEndpointUsage, XRayUsage,
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
/// store (reads and writes). `deliveries` gives, for an SNS subscription
/// with a filter policy (by connection id), the messages per second it
/// delivers; a subscription not listed gets every message.
pub(crate) fn rated_usage(
    design: &Design,
    c: &Component,
    t: Traffic,
    data_rps: f64,
    deliveries: &BTreeMap<String, f64>,
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
                // Messages a filter policy keeps from the subscriber are
                // not delivered, so not billed as deliveries.
                let delivered = deliveries
                    .get(&conn.id)
                    .map_or(month, |rps| rps * t.month_s);
                match target.kind() {
                    K::SqsQueue | K::LambdaFunction => free += delivered,
                    _ => http += delivered,
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
            // A rule on a custom bus: its events were billed on the bus;
            // one fed only by S3 matches free AWS service events.
            let custom = schedule.is_none()
                && !crate::eventbridge::on_custom_bus(design, c)
                && !crate::eventbridge::only_aws_service_events(design, c);
            ServiceUsage::EventBridge(EventBridgeUsage {
                custom_events: if custom { month } else { 0.0 },
                payload_kb: t.payload_kb,
                scheduler_invocations: 0.0,
                scheduled_rule_invocations: schedule
                    .map_or(0.0, |s| s.mean_fires_per_day() * t.month_s / 86_400.0),
                ..EventBridgeUsage::default()
            })
        }
        Props::EventBus(b) => ServiceUsage::EventBridge(crate::eventbridge::bus_usage(b, t)),
        Props::EventBridgePipe(p) => {
            ServiceUsage::EventBridge(crate::eventbridge::pipe_usage(p, t))
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

/// A secret's month: the secret kept, and the API calls its readers made.
pub(crate) fn secret_usage(api_calls: f64) -> ServiceUsage {
    ServiceUsage::SecretsManager(SecretsManagerUsage {
        secrets: 1.0,
        api_calls,
    })
}

/// A DynamoDB table's month from its requests: each read and write
/// takes the units of the table's item size
/// ([`archsim_model::component::read_units`], `write_units`).
pub(crate) fn dynamodb_usage(
    design: &Design,
    c: &Component,
    writes: f64,
    reads: f64,
) -> Option<DynamoDbUsage> {
    let Props::DynamoDbTable(t) = &c.props else {
        return None;
    };
    let size = t.item_size_kb();
    dynamodb_units_usage(
        design,
        c,
        writes * write_units(size),
        reads * read_units(size),
    )
}

/// A DynamoDB table's month from the request units it consumed: its
/// capacity billed by the hour when provisioned (and the units not
/// billed again); under the production export profile, point-in-time
/// recovery on its stored size.
pub(crate) fn dynamodb_units_usage(
    design: &Design,
    c: &Component,
    write_units: f64,
    read_units: f64,
) -> Option<DynamoDbUsage> {
    let Props::DynamoDbTable(t) = &c.props else {
        return None;
    };
    let mut usage = DynamoDbUsage::on_demand(write_units, read_units, t.stored_gb);
    if design.export_profile == ExportProfile::Production {
        usage.pitr_storage_gb_month = t.stored_gb;
    }
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
        // As deployed (`StepFunctionsProps::deployed`): the caller passes
        // the component with its export profile applied.
        Props::StepFunctions(s) => (
            s.tracing,
            s.logging != archsim_model::component::WorkflowLogLevel::Off,
        ),
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
    if design.export_profile == ExportProfile::Production {
        notes.push("production export profile: one KMS key ($1 a month in its first year: each yearly rotation adds $1 a month, for two rotations; its requests are not counted: services reuse data keys), access logs of load balancers and buckets (0.1 KB a request, compressed) and APIs (0.2 KB a request), kept a year, point-in-time recovery on each table's stored size");
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
    if has(&|c| c.kind() == K::EventBus) {
        notes.push("EventBridge buses: events put by the design's code are custom events (billed once, on the bus, not again on its rules); an archive kept indefinitely is priced with one month's events stored");
    }
    if design.connections().any(|c| c.filter_policy.is_some()) {
        notes.push("SNS filter policies: a filtered subscription is billed for the messages its policy passes (the run's deliveries; in the estimate, the scenario's messages that reach the topic and pass); payload-based (MessageBody) filtering, which AWS bills per GB of payload scanned, is not priced (the price book has no rate for it)");
    }
    if has(&|c| c.kind() == K::EventBridgePipe) {
        notes.push("EventBridge Pipes: one request per event its filters pass (the pipe's matching share), 64 KB chunks; an enrichment and an invoked target are called once per batch");
    }
    let mut notes: Vec<String> = notes.into_iter().map(String::from).collect();
    // A CodeDeploy deployment's alarms are CloudWatch alarms, billed by
    // the alarm-month; archsim has no CloudWatch price yet.
    let alarms: usize = design
        .components()
        .filter_map(|c| match &c.props {
            Props::LambdaFunction(l) => l.deployment.as_ref()?.preference.as_ref(),
            _ => None,
        })
        .map(|p| p.alarms.len())
        .sum();
    if alarms > 0 {
        notes.push(format!(
            "CloudWatch alarms: the {alarms} alarm(s) of the functions' deployment preferences are not priced (CloudWatch bills alarms by the month; archsim has no CloudWatch alarm price)"
        ));
    }
    notes
}

/// The usage id of what the production export profile adds around the
/// components (`production@kms`, `production@access-logs`,
/// `production@api-logs`); not a component of the design.
pub const PROFILE_ID: &str = "production";

/// What the bill calls the profile's lines.
pub const PROFILE_NAME: &str = "Production profile (KMS key, access logs)";

/// KB an access log entry takes per request in the log bucket: an ALB or
/// S3 access log line is about 0.5 KB, and load balancers write their
/// files gzip-compressed (about a tenth); taken at 0.1 KB.
const S3_ACCESS_LOG_KB_PER_REQUEST: f64 = 0.1;

/// KB an API Gateway access log line takes in CloudWatch Logs (the format
/// the export sets: request id, source IP, method, path, status, length,
/// time; about 150 bytes, taken at 0.2 KB).
const API_ACCESS_LOG_KB_PER_REQUEST: f64 = 0.2;

/// Months of access logs the log bucket holds at steady state (the export
/// expires them after a year).
const ACCESS_LOG_MONTHS_KEPT: f64 = 12.0;

/// What the production export profile adds to the bill: the stack's KMS
/// key, the log bucket's access logs (load balancers' requests and the
/// design buckets' requests, a year kept) and the APIs' access logs in
/// CloudWatch Logs (a year kept). Point-in-time recovery is on each
/// table's own line ([`dynamodb_usage`]). Empty for the sandbox profile.
/// `rate` gives the requests per second reaching a component, and
/// `data_rate` those reaching a data store (reads and writes).
pub(crate) fn profile_usage(
    design: &Design,
    rate: &dyn Fn(&str) -> f64,
    data_rate: &dyn Fn(&str) -> f64,
    t: Traffic,
) -> Vec<(String, ServiceUsage)> {
    if design.export_profile != ExportProfile::Production {
        return Vec::new();
    }
    let mut out = Vec::new();
    // The export writes the key when it writes something the key encrypts
    // (archsim-iac's export/production.rs): a queue, topic, stream,
    // table, bucket (a Firehose stream's too), repository, log group (a
    // task's, an API's), EKS cluster or function.
    let keyed = design.components().any(|c| {
        matches!(
            c.kind(),
            K::SqsQueue
                | K::SnsTopic
                | K::KinesisStream
                | K::DynamoDbTable
                | K::S3Bucket
                | K::Firehose
                | K::EcrRepository
                | K::TaskDefinition
                | K::ApiGateway
                | K::EksCluster
                | K::LambdaFunction
        )
    });
    if keyed {
        out.push((
            format!("{PROFILE_ID}@kms"),
            ServiceUsage::Kms(KmsUsage { keys: 1.0 }),
        ));
    }
    let (mut s3_logged, mut api_logged) = (0.0, 0.0);
    let mut log_writers = 0.0;
    for c in design.components() {
        match &c.props {
            Props::Alb(_) | Props::Clb(_) => {
                s3_logged += rate(&c.id);
                log_writers += 1.0;
            }
            Props::S3Bucket(_) => {
                s3_logged += data_rate(&c.id);
                log_writers += 1.0;
            }
            Props::ApiGateway(_) => api_logged += rate(&c.id),
            _ => {}
        }
    }
    if log_writers > 0.0 {
        let gb = s3_logged * t.month_s * S3_ACCESS_LOG_KB_PER_REQUEST / KB_PER_GB;
        out.push((
            format!("{PROFILE_ID}@access-logs"),
            ServiceUsage::S3(S3Usage {
                storage_gb_month: gb * ACCESS_LOG_MONTHS_KEPT,
                // A log file every five minutes from each writer.
                put_requests: log_writers * 12.0 * t.month_s / 3_600.0,
                get_requests: 0.0,
            }),
        ));
    }
    if api_logged > 0.0 {
        let gb = api_logged * t.month_s * API_ACCESS_LOG_KB_PER_REQUEST / KB_PER_GB;
        out.push((
            format!("{PROFILE_ID}@api-logs"),
            ServiceUsage::Logs(LogsUsage {
                ingested_gb: gb,
                stored_gb_month: gb * ACCESS_LOG_MONTHS_KEPT,
            }),
        ));
    }
    out
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
/// The calls components in the VPC (tasks, pods, instances) make to AWS
/// services outside it, per second, with the kind called: what leaves
/// the private subnets through the NAT gateway or a VPC endpoint.
fn vpc_calls(design: &Design, rate: &dyn Fn(&str) -> f64) -> Vec<(f64, K)> {
    let mut out = Vec::new();
    if !design.components().any(|c| c.kind().in_vpc()) {
        return out;
    }
    for c in design.components() {
        if !matches!(
            c.kind(),
            K::EcsService | K::EksWorkload | K::Ec2Instance | K::Ec2AutoScalingGroup
        ) {
            continue;
        }
        for (conn, target) in design.outgoing(&c.id) {
            if matches!(
                conn.kind,
                ConnectionKind::Uses { .. }
                    | ConnectionKind::Invoke { .. }
                    | ConnectionKind::Publishes
            ) && !target.kind().in_vpc()
                && target.kind() != K::Client
            {
                out.push((rate(&c.id), target.kind()));
            }
        }
    }
    out
}

/// The design's VPC endpoint for calls to a component of `kind`, if it
/// has one.
fn endpoint_for(design: &Design, kind: K) -> Option<&Component> {
    let service = kind.endpoint_service()?;
    design.components().find(|c| match &c.props {
        Props::VpcEndpoint(e) => e.service == service,
        _ => false,
    })
}

/// Each interface endpoint's month: its zones, and the GB of the calls it
/// carries (a gateway endpoint has no charge, and no usage).
pub(crate) fn endpoint_usage(
    design: &Design,
    rate: &dyn Fn(&str) -> f64,
    t: Traffic,
) -> Vec<(String, ServiceUsage)> {
    let calls = vpc_calls(design, rate);
    design
        .components()
        .filter_map(|c| match &c.props {
            Props::VpcEndpoint(e) if e.endpoint_type == EndpointType::Interface => {
                let rps: f64 = calls
                    .iter()
                    .filter(|(_, k)| endpoint_for(design, *k).is_some_and(|found| found.id == c.id))
                    .map(|(rps, _)| rps)
                    .sum();
                Some((
                    c.id.clone(),
                    ServiceUsage::VpcEndpoint(VpcEndpointUsage {
                        availability_zones: f64::from(e.availability_zones),
                        gb_processed: rps * t.month_s * (t.payload_kb + t.response_kb) / KB_PER_GB,
                    }),
                ))
            }
            _ => None,
        })
        .collect()
}

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
    // Calls a VPC endpoint carries do not reach the NAT gateway.
    let nat_rps: f64 = vpc_calls(design, rate)
        .into_iter()
        .filter(|(_, target)| endpoint_for(design, *target).is_none())
        .map(|(rps, _)| rps)
        .sum();
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
