//! Cost as a function of something: traffic (cost curve), request rate on
//! three platforms (break-even), and Lambda memory size (Power Tuning view).
//!
//! Every point is a bill computed by [`crate::billing`]; nothing here knows
//! a rate. Cost curves plot the bill as AWS would send it (line items
//! rounded to the cent); break-even and memory curves use the unrounded
//! cost ([`exact_monthly_cost`]) so cent steps do not hide where lines
//! cross.

use crate::billing::{exact_monthly_cost, monthly_cost};
use crate::money::to_f64;
use crate::pricebook::PriceBook;
use crate::usage::{
    Architecture, Assumptions, ComponentUsage, FargateUsage, LambdaUsage, Scaling, ServiceUsage,
    UsageError, UsageProfile,
};
use serde::Serialize;

/// Lambda allocates CPU in proportion to memory and reaches one full vCPU
/// at 1,769 MB; a single-threaded handler gets no faster above it. The one
/// definition is the model's (the simulator and the estimate read it too).
pub const ONE_VCPU_MEMORY_MB: u32 = archsim_model::component::LAMBDA_MB_PER_VCPU;

/// A curve could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurveError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("`{option}` is {value}; {expected}")]
    InvalidOption {
        option: String,
        value: String,
        expected: String,
    },
}

fn invalid(option: &str, value: impl ToString, expected: &str) -> CurveError {
    CurveError::InvalidOption {
        option: option.into(),
        value: value.to_string(),
        expected: expected.into(),
    }
}

/// `n` points from `min` to `max`, evenly spaced on a log axis.
pub fn log_grid(min: f64, max: f64, n: usize) -> Vec<f64> {
    if n < 2 {
        return vec![min];
    }
    let (lo, hi) = (min.ln(), max.ln());
    (0..n)
        .map(|i| (lo + (hi - lo) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

// ---------------------------------------------------------------- traffic

/// The traffic range of a cost curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveOptions {
    /// Smallest traffic multiplier (default 0.01, i.e. 1/100 of the load).
    pub min_multiplier: f64,
    /// Largest traffic multiplier (default 100).
    pub max_multiplier: f64,
    pub points_per_decade: usize,
    /// The scenario's request rate at 1x: when given, the x axis is in
    /// requests/s instead of a bare multiplier.
    pub base_requests_per_s: Option<f64>,
}

impl Default for CurveOptions {
    fn default() -> Self {
        CurveOptions {
            min_multiplier: 0.01,
            max_multiplier: 100.0,
            points_per_decade: 10,
            base_requests_per_s: None,
        }
    }
}

/// One component's monthly cost along the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentSeries {
    pub component_id: String,
    pub monthly_usd: Vec<f64>,
}

/// Monthly cost against traffic, stacked by component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostCurve {
    pub multipliers: Vec<f64>,
    /// `multipliers x base_requests_per_s`, when a base rate was given.
    pub requests_per_s: Option<Vec<f64>>,
    /// One series per component, in profile order; at each point they add
    /// up to the bill's subtotal.
    pub components: Vec<ComponentSeries>,
    /// The bill's total (after any discount) at each point.
    pub total_usd: Vec<f64>,
    pub assumptions: Assumptions,
}

/// The profile with its traffic multiplied by `multiplier`, following each
/// component's [`Scaling`] rule.
pub fn scale_profile(
    profile: &UsageProfile,
    multiplier: f64,
    assumptions: &Assumptions,
) -> UsageProfile {
    UsageProfile {
        components: profile
            .components
            .iter()
            .map(|c| ComponentUsage {
                component_id: c.component_id.clone(),
                usage: scale_usage(&c.usage, c.scaling, multiplier, assumptions),
                scaling: c.scaling,
            })
            .collect(),
    }
}

/// ceil that forgives float noise: 2 x 0.5 is one task, not two.
fn whole_units(count: f64, multiplier: f64, min: u32) -> f64 {
    ((count * multiplier) - 1e-9).ceil().max(f64::from(min))
}

fn scale_usage(
    usage: &ServiceUsage,
    scaling: Option<Scaling>,
    m: f64,
    assumptions: &Assumptions,
) -> ServiceUsage {
    let capacity_default = Scaling::WholeUnits { min: 1 };
    let scaling = scaling.unwrap_or(match usage {
        ServiceUsage::Fargate(_) | ServiceUsage::Ec2(_) => capacity_default,
        _ => Scaling::Linear,
    });
    if scaling == Scaling::Fixed {
        return usage.clone();
    }
    let count = |count: f64| match scaling {
        Scaling::WholeUnits { min } => whole_units(count, m, min),
        _ => count * m,
    };
    let mut scaled = usage.clone();
    match &mut scaled {
        ServiceUsage::Lambda(u) => {
            u.requests *= m;
            u.billed_duration_ms_total = u.billed_duration_ms_total.map(|t| t * m);
            if let Some(pc) = &mut u.provisioned_concurrency {
                // Provisioned environments serve their share of the traffic
                // up to what they can hold; the rest overflows on demand.
                let hours = pc.hours_enabled.unwrap_or(assumptions.month_hours);
                let capacity =
                    f64::from(pc.concurrency) * hours * 3_600_000.0 / u.duration_ms.max(1.0);
                let before = pc.requests_served;
                pc.requests_served = (pc.requests_served * m).min(capacity.max(pc.requests_served));
                pc.requests_served = pc.requests_served.min(u.requests);
                if before > 0.0 {
                    let ratio = pc.requests_served / before;
                    pc.served_billed_duration_ms_total =
                        pc.served_billed_duration_ms_total.map(|t| t * ratio);
                }
            }
        }
        ServiceUsage::Fargate(u) => u.tasks = count(u.tasks),
        ServiceUsage::Ec2(u) => u.instances = count(u.instances),
        ServiceUsage::LoadBalancer(u) => {
            u.new_connections_per_s *= m;
            u.active_connections_per_min *= m;
            u.gb_processed_per_hour *= m;
            u.requests_per_s *= m;
        }
        ServiceUsage::ApiGateway(u) => u.requests *= m,
        ServiceUsage::Sqs(u) => u.requests *= m,
        ServiceUsage::DynamoDb(u) => {
            u.write_request_units *= m;
            u.read_request_units *= m;
            u.stream_read_request_units *= m;
            // Point-in-time recovery is billed on the table's size.
            // Provisioned capacity is what the table was given: it does
            // not follow traffic (auto scaling is measured by a run).
        }
        ServiceUsage::S3(u) => {
            u.put_requests *= m;
            u.get_requests *= m;
        }
        ServiceUsage::Aurora(u) => u.io_requests *= m,
        ServiceUsage::Kinesis(u) => u.records *= m,
        ServiceUsage::Firehose(u) => u.records *= m,
        ServiceUsage::Sns(u) => {
            u.publishes *= m;
            u.http_deliveries *= m;
            u.email_deliveries *= m;
            u.free_deliveries *= m;
        }
        ServiceUsage::EventBridge(u) => {
            u.custom_events *= m;
            u.archive_processed_gb *= m;
            u.archive_storage_gb_month *= m;
            u.pipe_requests *= m;
        }
        ServiceUsage::StepFunctions(u) => {
            u.executions *= m;
            u.transitions *= m;
            u.gb_seconds *= m;
        }
        ServiceUsage::CloudFront(u) => {
            u.requests *= m;
            u.data_out_gb *= m;
        }
        ServiceUsage::Lex(u) => {
            u.text_requests *= m;
            u.speech_requests *= m;
        }
        ServiceUsage::XRay(u) => {
            u.traces_recorded *= m;
            u.traces_retrieved *= m;
        }
        ServiceUsage::Network(u) => {
            u.nat_gb_processed *= m;
            u.internet_out_gb *= m;
            u.inter_az_gb *= m;
        }
        ServiceUsage::Logs(u) => {
            u.ingested_gb *= m;
            u.stored_gb_month *= m;
        }
        ServiceUsage::SecretsManager(u) => u.api_calls *= m,
        ServiceUsage::VpcEndpoint(u) => u.gb_processed *= m,
        // Time-based: instance hours, scheduled invocations, users.
        ServiceUsage::Eks(_)
        | ServiceUsage::Kms(_)
        | ServiceUsage::Ecr(_)
        | ServiceUsage::Rds(_)
        | ServiceUsage::Cognito(_) => {}
    }
    scaled
}

/// Monthly cost of `profile` with traffic from `min_multiplier` to
/// `max_multiplier` times the profile's, on a log grid.
pub fn cost_curve(
    book: &PriceBook,
    profile: &UsageProfile,
    assumptions: &Assumptions,
    options: &CurveOptions,
) -> Result<CostCurve, CurveError> {
    let range_ok = options.min_multiplier > 0.0
        && options.min_multiplier < options.max_multiplier
        && options.max_multiplier.is_finite();
    if !range_ok {
        return Err(invalid(
            "min_multiplier..max_multiplier",
            format!("{}..{}", options.min_multiplier, options.max_multiplier),
            "give 0 < min < max, e.g. 0.01..100",
        ));
    }
    if !(1..=100).contains(&options.points_per_decade) {
        return Err(invalid(
            "points_per_decade",
            options.points_per_decade,
            "give 1 to 100",
        ));
    }
    if let Some(base) = options.base_requests_per_s
        && !(base > 0.0 && base.is_finite())
    {
        return Err(invalid(
            "base_requests_per_s",
            base,
            "give a request rate above 0",
        ));
    }
    let decades = (options.max_multiplier / options.min_multiplier).log10();
    let n = (decades * options.points_per_decade as f64).round() as usize + 1;
    let multipliers = log_grid(options.min_multiplier, options.max_multiplier, n.max(2));

    let mut components: Vec<ComponentSeries> = profile
        .components
        .iter()
        .map(|c| ComponentSeries {
            component_id: c.component_id.clone(),
            monthly_usd: Vec::with_capacity(multipliers.len()),
        })
        .collect();
    let mut total_usd = Vec::with_capacity(multipliers.len());
    for &m in &multipliers {
        let report = monthly_cost(book, &scale_profile(profile, m, assumptions), assumptions)?;
        for (i, series) in components.iter_mut().enumerate() {
            let id = &profile.components[i].component_id;
            // A component id listed twice is shown once, with both sums.
            let first = profile
                .components
                .iter()
                .position(|c| &c.component_id == id)
                == Some(i);
            let sum: f64 = if first {
                report
                    .line_items
                    .iter()
                    .filter(|l| &l.component_id == id)
                    .map(|l| to_f64(l.amount_usd))
                    .sum()
            } else {
                0.0
            };
            series.monthly_usd.push(sum);
        }
        total_usd.push(to_f64(report.total_usd));
    }
    let mut seen = std::collections::HashSet::new();
    components.retain(|s| seen.insert(s.component_id.clone()));
    Ok(CostCurve {
        requests_per_s: options
            .base_requests_per_s
            .map(|base| multipliers.iter().map(|m| m * base).collect()),
        multipliers,
        components,
        total_usd,
        assumptions: assumptions.clone(),
    })
}

// ------------------------------------------------------------- break-even

/// One workload, described the same way for every platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// Lambda handler duration per request, ms.
    pub duration_ms: f64,
    /// CPU time per request on one vCPU in a container, ms (often close to
    /// `duration_ms` for CPU-bound work, less for I/O-bound work).
    pub cpu_ms_per_request: f64,
    /// Lambda memory, MB.
    pub memory_mb: u32,
    pub architecture: Architecture,
}

/// How an ECS service on Fargate is sized and scaled: the target-tracking
/// policy keeps average CPU at `target_cpu_utilization`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FargateSizing {
    pub vcpu: f64,
    pub memory_gb: f64,
    /// 0 < target <= 1.
    pub target_cpu_utilization: f64,
    /// Tasks always running, at least 1.
    pub min_tasks: u32,
    pub architecture: Architecture,
    pub spot: bool,
}

/// How an ECS service on EC2 is sized: tasks as for Fargate, packed onto
/// instances of one type (binpack on vCPU and memory, the whole instance
/// available to tasks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ec2Sizing {
    pub instance_type: String,
    pub task_vcpu: f64,
    pub task_memory_gb: f64,
    pub target_cpu_utilization: f64,
    pub min_tasks: u32,
    pub min_instances: u32,
}

/// A compute platform compared by [`break_even`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Lambda,
    Fargate,
    EcsOnEc2,
}

impl Platform {
    pub fn label(self) -> &'static str {
        match self {
            Platform::Lambda => "Lambda",
            Platform::Fargate => "Fargate",
            Platform::EcsOnEc2 => "ECS on EC2",
        }
    }
}

/// What [`break_even`] compares, over which range of request rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEvenInput {
    pub workload: Workload,
    pub fargate: FargateSizing,
    /// `None` leaves ECS on EC2 out.
    pub ec2: Option<Ec2Sizing>,
    pub min_requests_per_s: f64,
    pub max_requests_per_s: f64,
    /// Grid points scanned for sign changes before bisection.
    pub points: usize,
    /// Price what surrounds each platform as the export deploys it: the
    /// logs every platform writes (the assumptions' volume per request),
    /// and for containers the NAT gateway of their private subnets and its
    /// public IPv4 address. Off compares compute alone.
    pub surroundings: bool,
}

/// One platform's monthly cost along the request-rate grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformSeries {
    pub platform: Platform,
    pub monthly_usd: Vec<f64>,
}

/// Where two platforms cost the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    pub requests_per_s: f64,
    pub monthly_usd: f64,
    /// The platform cheaper just below the crossing.
    pub cheaper_below: Platform,
    /// The platform cheaper just above it.
    pub cheaper_above: Platform,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEven {
    pub requests_per_s: Vec<f64>,
    pub series: Vec<PlatformSeries>,
    /// All crossings found, by request rate.
    pub crossings: Vec<Crossing>,
    pub input: BreakEvenInput,
    pub assumptions: Assumptions,
}

struct PlatformCost<'a> {
    book: &'a PriceBook,
    input: &'a BreakEvenInput,
    assumptions: &'a Assumptions,
    tasks_per_instance: f64,
}

impl PlatformCost<'_> {
    fn tasks(&self, rps: f64, vcpu: f64, target: f64, min: u32) -> f64 {
        let busy_vcpu = rps * self.input.workload.cpu_ms_per_request / 1000.0;
        ((busy_vcpu / (vcpu * target)) - 1e-9)
            .ceil()
            .max(f64::from(min.max(1)))
    }

    fn monthly(&self, platform: Platform, rps: f64) -> Result<f64, CurveError> {
        let month_seconds = self.assumptions.month_hours * 3600.0;
        let w = &self.input.workload;
        let usage: ServiceUsage = match platform {
            Platform::Lambda => LambdaUsage {
                architecture: w.architecture,
                ..LambdaUsage::new(rps * month_seconds, w.duration_ms, w.memory_mb)
            }
            .into(),
            Platform::Fargate => {
                let f = &self.input.fargate;
                FargateUsage {
                    architecture: f.architecture,
                    spot: f.spot,
                    ..FargateUsage::always_on(
                        self.tasks(rps, f.vcpu, f.target_cpu_utilization, f.min_tasks),
                        f.vcpu,
                        f.memory_gb,
                    )
                }
                .into()
            }
            Platform::EcsOnEc2 => {
                let Some(e) = &self.input.ec2 else {
                    return Ok(f64::NAN);
                };
                let tasks = self.tasks(rps, e.task_vcpu, e.target_cpu_utilization, e.min_tasks);
                let instances = (tasks / self.tasks_per_instance)
                    .ceil()
                    .max(f64::from(e.min_instances));
                crate::usage::Ec2Usage {
                    instance_type: e.instance_type.clone(),
                    instances,
                    hours_per_instance: None,
                }
                .into()
            }
        };
        let mut components = vec![ComponentUsage::new(platform.label(), usage)];
        if self.input.surroundings {
            let gb = rps * month_seconds * self.assumptions.log_kb_per_request / (1024.0 * 1024.0);
            components.push(ComponentUsage::new(
                platform.label(),
                crate::usage::LogsUsage {
                    ingested_gb: gb,
                    stored_gb_month: gb,
                },
            ));
            if platform != Platform::Lambda {
                components.push(ComponentUsage::new(
                    platform.label(),
                    crate::usage::NetworkUsage {
                        nat_gateways: 1.0,
                        public_ipv4_addresses: 1.0,
                        ..Default::default()
                    },
                ));
            }
        }
        let profile = UsageProfile { components };
        Ok(to_f64(exact_monthly_cost(
            self.book,
            &profile,
            self.assumptions,
        )?))
    }
}

/// Monthly cost of one workload on Lambda, Fargate and (optionally) ECS on
/// EC2 against the request rate, and every rate where two of them cost the
/// same, found by bisection between grid points where the difference
/// changes sign. Crossings closer together than the grid spacing can be
/// missed: raise `points` for step-heavy comparisons.
pub fn break_even(
    book: &PriceBook,
    input: &BreakEvenInput,
    assumptions: &Assumptions,
) -> Result<BreakEven, CurveError> {
    let range_ok = input.min_requests_per_s > 0.0
        && input.min_requests_per_s < input.max_requests_per_s
        && input.max_requests_per_s.is_finite();
    if !range_ok {
        return Err(invalid(
            "min_requests_per_s..max_requests_per_s",
            format!("{}..{}", input.min_requests_per_s, input.max_requests_per_s),
            "give 0 < min < max",
        ));
    }
    if !(2..=10_000).contains(&input.points) {
        return Err(invalid(
            "points",
            input.points,
            "give 2 to 10,000 grid points",
        ));
    }
    let w = &input.workload;
    if !(w.cpu_ms_per_request >= 0.0 && w.cpu_ms_per_request.is_finite()) {
        return Err(invalid(
            "workload.cpu_ms_per_request",
            w.cpu_ms_per_request,
            "give 0 ms or more",
        ));
    }
    let f = &input.fargate;
    let fargate_ok =
        f.target_cpu_utilization > 0.0 && f.target_cpu_utilization <= 1.0 && f.vcpu > 0.0;
    if !fargate_ok {
        return Err(invalid(
            "fargate.target_cpu_utilization",
            f.target_cpu_utilization,
            "give a utilization above 0 and at most 1, and a vCPU size above 0",
        ));
    }
    let mut tasks_per_instance = 1.0;
    if let Some(e) = &input.ec2 {
        let ec2_ok = e.target_cpu_utilization > 0.0
            && e.target_cpu_utilization <= 1.0
            && e.task_vcpu > 0.0
            && e.task_memory_gb > 0.0;
        if !ec2_ok {
            return Err(invalid(
                "ec2.target_cpu_utilization",
                e.target_cpu_utilization,
                "give a utilization above 0 and at most 1, and a task size above 0",
            ));
        }
        let instance = book.instance_type(&e.instance_type).ok_or_else(|| {
            UsageError::UnknownInstanceType {
                component_id: Platform::EcsOnEc2.label().into(),
                instance_type: e.instance_type.clone(),
                region: book.region.clone(),
                known: book
                    .ec2
                    .instance_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        let by_cpu = (to_f64(instance.vcpu.value()) / e.task_vcpu + 1e-9).floor();
        let by_memory = (to_f64(instance.memory_gib.value()) / e.task_memory_gb + 1e-9).floor();
        tasks_per_instance = by_cpu.min(by_memory);
        if tasks_per_instance < 1.0 {
            return Err(invalid(
                "ec2.instance_type",
                &e.instance_type,
                &format!(
                    "a {} vCPU / {} GB task does not fit on it: pick a larger instance type",
                    e.task_vcpu, e.task_memory_gb
                ),
            ));
        }
    }
    let cost = PlatformCost {
        book,
        input,
        assumptions,
        tasks_per_instance,
    };
    let mut platforms = vec![Platform::Lambda, Platform::Fargate];
    if input.ec2.is_some() {
        platforms.push(Platform::EcsOnEc2);
    }
    let rates = log_grid(
        input.min_requests_per_s,
        input.max_requests_per_s,
        input.points,
    );
    let series: Vec<PlatformSeries> = platforms
        .iter()
        .map(|&platform| {
            Ok(PlatformSeries {
                platform,
                monthly_usd: rates
                    .iter()
                    .map(|&r| cost.monthly(platform, r))
                    .collect::<Result<_, CurveError>>()?,
            })
        })
        .collect::<Result<_, CurveError>>()?;

    let mut crossings = Vec::new();
    for (i, a) in series.iter().enumerate() {
        for b in &series[i + 1..] {
            for k in 0..rates.len() - 1 {
                let d0 = a.monthly_usd[k] - b.monthly_usd[k];
                let d1 = a.monthly_usd[k + 1] - b.monthly_usd[k + 1];
                // Exact ties at a grid point (0.0) are not crossings: the
                // sign change around them is found from the next pair.
                if d0 == 0.0 || d1 == 0.0 || d0.signum() == d1.signum() {
                    continue;
                }
                let r = bisect(rates[k], rates[k + 1], d0, |r| {
                    Ok(cost.monthly(a.platform, r)? - cost.monthly(b.platform, r)?)
                })?;
                let (below, above) = if d0 < 0.0 {
                    (a.platform, b.platform)
                } else {
                    (b.platform, a.platform)
                };
                crossings.push(Crossing {
                    requests_per_s: r,
                    monthly_usd: cost.monthly(a.platform, r)?,
                    cheaper_below: below,
                    cheaper_above: above,
                });
            }
        }
    }
    crossings.sort_by(|x, y| x.requests_per_s.total_cmp(&y.requests_per_s));
    Ok(BreakEven {
        requests_per_s: rates,
        series,
        crossings,
        input: input.clone(),
        assumptions: assumptions.clone(),
    })
}

/// Bisection on a log axis for the sign change of `diff` in [lo, hi];
/// `d_lo` is diff(lo). Stops at a relative width of 1e-9.
fn bisect(
    mut lo: f64,
    mut hi: f64,
    d_lo: f64,
    diff: impl Fn(f64) -> Result<f64, CurveError>,
) -> Result<f64, CurveError> {
    let lo_sign = d_lo.signum();
    for _ in 0..200 {
        if (hi - lo) <= hi * 1e-9 {
            break;
        }
        let mid = (lo * hi).sqrt();
        let d = diff(mid)?;
        if d == 0.0 {
            return Ok(mid);
        }
        if d.signum() == lo_sign {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((lo * hi).sqrt())
}

// ----------------------------------------------------------- memory size

/// A function's measured duration at one memory size, and how much of it
/// is CPU-bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerTuningInput {
    pub reference_memory_mb: u32,
    pub reference_duration_ms: f64,
    /// Share of the reference duration that is CPU-bound (0 to 1); the
    /// rest (I/O waits) does not change with memory.
    pub cpu_bound_fraction: f64,
    pub architecture: Architecture,
    /// Sizes to evaluate, 128 to 10,240 MB.
    pub memory_sizes_mb: Vec<u32>,
}

impl PowerTuningInput {
    /// The sizes Lambda Power Tuning users usually try, plus 1,769 MB.
    pub fn default_memory_sizes() -> Vec<u32> {
        vec![
            128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10_240,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryPoint {
    pub memory_mb: u32,
    /// Modelled duration before billing rounding, ms.
    pub duration_ms: f64,
    /// Requests + duration for 1M invocations, no free tier, first tier.
    pub cost_per_million_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryCurve {
    pub points: Vec<MemoryPoint>,
    /// Index of the cheapest size (the smallest one on ties).
    pub cheapest: usize,
    /// Index of the fastest size (the smallest one on ties).
    pub fastest: usize,
    pub input: PowerTuningInput,
}

/// Modelled duration at `memory_mb`: the CPU-bound share scales with the
/// CPU Lambda allocates (proportional to memory up to 1,769 MB, one vCPU);
/// a single-threaded handler gains nothing above that.
pub fn duration_at_memory(input: &PowerTuningInput, memory_mb: u32) -> f64 {
    let cpu = |mb: u32| f64::from(mb.min(ONE_VCPU_MEMORY_MB));
    let f = input.cpu_bound_fraction;
    input.reference_duration_ms * (f * cpu(input.reference_memory_mb) / cpu(memory_mb) + (1.0 - f))
}

/// Cost per 1M invocations and duration for each memory size.
pub fn memory_curve(
    book: &PriceBook,
    input: &PowerTuningInput,
    assumptions: &Assumptions,
) -> Result<MemoryCurve, CurveError> {
    if !(0.0..=1.0).contains(&input.cpu_bound_fraction) {
        return Err(invalid(
            "cpu_bound_fraction",
            input.cpu_bound_fraction,
            "give 0 to 1",
        ));
    }
    if !(128..=10_240).contains(&input.reference_memory_mb) {
        return Err(invalid(
            "reference_memory_mb",
            input.reference_memory_mb,
            "give 128 to 10,240 MB",
        ));
    }
    if input.memory_sizes_mb.is_empty() {
        return Err(invalid(
            "memory_sizes_mb",
            "empty",
            "give at least one size",
        ));
    }
    // Per-invocation price: no free tier, so every size is compared on the
    // same (first-tier) rate.
    let per_invocation = Assumptions {
        free_tier: false,
        discount_percent: 0.0,
        ..assumptions.clone()
    };
    let points: Vec<MemoryPoint> = input
        .memory_sizes_mb
        .iter()
        .map(|&memory_mb| {
            let duration_ms = duration_at_memory(input, memory_mb);
            let profile = UsageProfile {
                components: vec![ComponentUsage::new(
                    format!("{memory_mb} MB"),
                    LambdaUsage {
                        architecture: input.architecture,
                        ..LambdaUsage::new(1e6, duration_ms, memory_mb)
                    },
                )],
            };
            Ok(MemoryPoint {
                memory_mb,
                duration_ms,
                cost_per_million_usd: to_f64(exact_monthly_cost(book, &profile, &per_invocation)?),
            })
        })
        .collect::<Result<_, CurveError>>()?;
    let best = |key: &dyn Fn(&MemoryPoint) -> f64| {
        (0..points.len())
            .min_by(|&a, &b| {
                key(&points[a])
                    .total_cmp(&key(&points[b]))
                    .then(points[a].memory_mb.cmp(&points[b].memory_mb))
            })
            .unwrap_or(0)
    };
    let cheapest = best(&|p| p.cost_per_million_usd);
    // Durations within a microsecond count as equal.
    let fastest = best(&|p| (p.duration_ms * 1000.0).round());
    Ok(MemoryCurve {
        points,
        cheapest,
        fastest,
        input: input.clone(),
    })
}
