//! The billing engine: a month's usage and a price book in, a bill out.
//!
//! Like an AWS bill, the result is a list of line items, each rounded to
//! the cent (half up), and a total that is the sum of the rounded items.
//! Tiered rates (Lambda duration per architecture, API Gateway, SQS) and
//! free-tier allowances belong to the account, so they are applied to the
//! sum over all components of the report first and then shared back to the
//! components in proportion to their usage (see [`monthly_cost`]).

use crate::money::{compact, decimal_from_f64, round_cents};
use crate::pricebook::{PriceBook, Rate, TieredRate};
use crate::usage::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, AuroraUsage, CloudFrontUsage,
    CognitoUsage, ComponentUsage, DynamoDbUsage, Ec2Usage, EcrUsage, EksSupport, EksUsage,
    EventBridgeUsage, FargateUsage, FirehoseUsage, KinesisMode, KinesisUsage, LambdaBilling,
    LambdaUsage, LexUsage, LoadBalancerKind, LoadBalancerUsage, LogsUsage, NetworkUsage, QueueType,
    RdsEngine, RdsUsage, S3Usage, SavingsPlan, SavingsPlanKind, ServiceUsage, SnsUsage, SqsUsage,
    UsageError, UsageProfile, XRayUsage,
};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Usage values above this are rejected as input mistakes; it also keeps
/// every product of a quantity and a rate exact within a decimal's range.
const MAX_INPUT: f64 = 1e15;

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub component_id: String,
    /// AWS service name, e.g. "AWS Lambda".
    pub service: String,
    pub description: String,
    /// Billed quantity in `unit`, rounded to 6 decimal places for display
    /// (the amount is computed from the exact quantity).
    pub quantity: Decimal,
    pub unit: String,
    /// Price in USD per `rate_unit` (e.g. 0.20 "per 1M requests").
    pub rate_usd: Decimal,
    pub rate_unit: String,
    /// quantity x rate, rounded to the cent, half up.
    pub amount_usd: Decimal,
}

/// A component AWS charges for that the bill does not price, and why. The
/// adapters that read designs fill these in ([`crate::coverage`]); a usage
/// profile alone names none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotPriced {
    pub component_id: String,
    /// The kind of component, as a person reads it ("RDS database").
    pub service: String,
    pub reason: String,
}

/// A month's bill for a usage profile. Amounts serialize as decimal
/// strings ("2.73") so that no JSON reader turns cents into binary floats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub region: String,
    pub currency: String,
    pub assumptions: Assumptions,
    pub line_items: Vec<LineItem>,
    /// Sum of the rounded line items.
    pub subtotal_usd: Decimal,
    /// `discount_percent` of the subtotal, rounded to the cent.
    pub discount_usd: Decimal,
    /// subtotal - discount.
    pub total_usd: Decimal,
    /// Components left out of the total, each with its reason.
    pub not_priced: Vec<NotPriced>,
    /// False when `not_priced` is not empty: the total leaves charges out.
    pub total_complete: bool,
    /// Paths in the price book of the values this bill depends on that
    /// the book marks unconfirmed for its region (filled by
    /// [`crate::design_cost::monthly_bill`]; see [`crate::unconfirmed`]).
    pub unconfirmed_rates: Vec<String>,
}

impl CostReport {
    /// Adds what the bill leaves out, and marks the total incomplete if
    /// anything is.
    pub fn with_not_priced(mut self, not_priced: Vec<NotPriced>) -> Self {
        self.total_complete = not_priced.is_empty();
        self.not_priced = not_priced;
        self
    }

    /// Records the unconfirmed price-book values the bill depends on.
    pub fn with_unconfirmed(mut self, unconfirmed_rates: Vec<String>) -> Self {
        self.unconfirmed_rates = unconfirmed_rates;
        self
    }

    /// Sum of the rounded line items of each component, in the order
    /// components first appear.
    pub fn component_totals(&self) -> Vec<(String, Decimal)> {
        let mut totals: Vec<(String, Decimal)> = Vec::new();
        for item in &self.line_items {
            match totals.iter_mut().find(|(id, _)| *id == item.component_id) {
                Some((_, sum)) => *sum += item.amount_usd,
                None => totals.push((item.component_id.clone(), item.amount_usd)),
            }
        }
        totals
    }
}

/// Computes the month's bill of `profile` under `assumptions`.
///
/// Account-level rules: Lambda duration tiers aggregate per architecture
/// over every function of the profile; the Lambda free tier (requests and
/// GB-s) is shared by x86 and Arm functions in proportion to their usage
/// (provisioned concurrency charges never get it, AWS's worked example); tiers apply to what remains
/// after the free tier. API Gateway (REST, HTTP) and SQS (standard + FIFO
/// sharing one free tier) are aggregated the same way.
pub fn monthly_cost(
    book: &PriceBook,
    profile: &UsageProfile,
    assumptions: &Assumptions,
) -> Result<CostReport, UsageError> {
    let charges = price(book, profile, assumptions)?;
    let line_items: Vec<LineItem> = charges
        .into_iter()
        .map(|(component, charge)| {
            charge.into_line_item(match component {
                Some(i) => &profile.components[i].component_id,
                None => SAVINGS_PLANS_ID,
            })
        })
        .collect();
    let subtotal_usd: Decimal = line_items.iter().map(|l| l.amount_usd).sum();
    let discount_usd = round_cents(subtotal_usd * discount_fraction(assumptions)?);
    Ok(CostReport {
        region: book.region.clone(),
        currency: book.currency.clone(),
        assumptions: assumptions.clone(),
        line_items,
        subtotal_usd,
        discount_usd,
        total_usd: subtotal_usd - discount_usd,
        not_priced: Vec::new(),
        total_complete: true,
        unconfirmed_rates: Vec::new(),
    })
}

/// The month's cost without rounding any line, after the discount: a
/// smooth function of usage, for break-even searches and per-invocation
/// figures where cent steps would hide the shape.
pub fn exact_monthly_cost(
    book: &PriceBook,
    profile: &UsageProfile,
    assumptions: &Assumptions,
) -> Result<Decimal, UsageError> {
    let charges = price(book, profile, assumptions)?;
    let subtotal: Decimal = charges.iter().map(|(_, c)| c.amount()).sum();
    Ok(subtotal * (Decimal::ONE - discount_fraction(assumptions)?))
}

fn discount_fraction(assumptions: &Assumptions) -> Result<Decimal, UsageError> {
    let pct = assumptions.discount_percent;
    match decimal_from_f64(pct) {
        Some(d) if (0.0..=100.0).contains(&pct) => Ok(d / Decimal::ONE_HUNDRED),
        _ => Err(UsageError::InvalidAssumption {
            field: "discount_percent".into(),
            value: pct.to_string(),
            expected: "give a percentage from 0 to 100".into(),
        }),
    }
}

/// A priced quantity before rounding.
#[derive(Debug, Clone)]
struct Charge {
    service: &'static str,
    description: String,
    quantity: Decimal,
    unit: String,
    /// USD per `per` units.
    rate_usd: Decimal,
    per: Decimal,
}

impl Charge {
    fn from_rate(
        service: &'static str,
        description: String,
        quantity: Decimal,
        rate: &Rate,
    ) -> Self {
        Charge {
            service,
            description,
            quantity,
            unit: rate.unit.clone(),
            rate_usd: rate.usd.value(),
            per: rate.per.value(),
        }
    }

    fn amount(&self) -> Decimal {
        self.quantity * self.rate_usd / self.per
    }

    fn into_line_item(self, component_id: &str) -> LineItem {
        let amount_usd = round_cents(self.amount());
        LineItem {
            component_id: component_id.to_string(),
            service: self.service.to_string(),
            rate_unit: rate_unit(self.per, &self.unit),
            description: self.description,
            quantity: self.quantity.round_dp(6).normalize(),
            unit: plural(&self.unit),
            rate_usd: self.rate_usd.normalize(),
            amount_usd,
        }
    }
}

fn rate_unit(per: Decimal, unit: &str) -> String {
    if per == Decimal::ONE {
        format!("per {unit}")
    } else {
        format!("per {} {}", compact(per).replace(' ', ""), plural(unit))
    }
}

/// Every unit in the book is a countable noun ("request", "GB-second",
/// "LCU-hour"), so the plural is an "s".
fn plural(unit: &str) -> String {
    if unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

const LAMBDA: &str = "AWS Lambda";
const FARGATE: &str = "AWS Fargate";
const EC2: &str = "Amazon EC2";
const ELB: &str = "Elastic Load Balancing";
const API_GATEWAY: &str = "Amazon API Gateway";
const EKS: &str = "Amazon EKS";
const ECR: &str = "Amazon ECR";
const SQS: &str = "Amazon SQS";
const DYNAMODB: &str = "Amazon DynamoDB";
const S3: &str = "Amazon S3";
const RDS: &str = "Amazon RDS";
const AURORA: &str = "Amazon Aurora";
const KINESIS: &str = "Amazon Kinesis Data Streams";
const FIREHOSE: &str = "Amazon Data Firehose";
const SNS: &str = "Amazon SNS";
const EVENTBRIDGE: &str = "Amazon EventBridge";
const COGNITO: &str = "Amazon Cognito";
const CLOUDFRONT: &str = "Amazon CloudFront";
const LEX: &str = "Amazon Lex";
const XRAY: &str = "AWS X-Ray";
const VPC: &str = "Amazon VPC";
const DATA_TRANSFER: &str = "AWS Data Transfer";
const LOGS: &str = "Amazon CloudWatch Logs";
const SAVINGS_PLANS: &str = "Savings Plans for AWS Compute usage";

impl ServiceUsage {
    /// The AWS service its lines are billed under, as the bill names it
    /// (a usage with no traffic this month prices to no line at all).
    pub fn service(&self) -> &'static str {
        match self {
            ServiceUsage::Lambda(_) => LAMBDA,
            ServiceUsage::Fargate(_) => FARGATE,
            ServiceUsage::Ec2(_) => EC2,
            ServiceUsage::LoadBalancer(_) => ELB,
            ServiceUsage::ApiGateway(_) => API_GATEWAY,
            ServiceUsage::Eks(_) => EKS,
            ServiceUsage::Ecr(_) => ECR,
            ServiceUsage::Sqs(_) => SQS,
            ServiceUsage::DynamoDb(_) => DYNAMODB,
            ServiceUsage::S3(_) => S3,
            ServiceUsage::Rds(_) => RDS,
            ServiceUsage::Aurora(_) => AURORA,
            ServiceUsage::Kinesis(_) => KINESIS,
            ServiceUsage::Firehose(_) => FIREHOSE,
            ServiceUsage::Sns(_) => SNS,
            ServiceUsage::EventBridge(_) => EVENTBRIDGE,
            ServiceUsage::Cognito(_) => COGNITO,
            ServiceUsage::CloudFront(_) => CLOUDFRONT,
            ServiceUsage::Lex(_) => LEX,
            ServiceUsage::XRay(_) => XRAY,
            ServiceUsage::Network(_) => VPC,
            ServiceUsage::Logs(_) => LOGS,
        }
    }
}

/// Usage priced at the account level: summed over components, then tiered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pool {
    LambdaRequests,
    LambdaDuration(Architecture),
    LambdaDurationLegacy,
    ApiRest,
    ApiHttp,
    SqsStandard,
    SqsFifo,
    SnsPublishes,
    SchedulerInvocations,
    CognitoMau,
    CloudFrontRequests,
    CloudFrontDataOut,
    XRayRecorded,
    FirehoseGb,
    InternetOut,
    LogsIngestion,
    LogsStorage,
}

/// Pools that draw on one free-tier allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FreeGroup {
    LambdaRequests,
    LambdaGbSeconds,
    ApiRest,
    ApiHttp,
    SqsRequests,
    SnsPublishes,
    SchedulerInvocations,
    CognitoMau,
    CloudFrontRequests,
    CloudFrontDataOut,
    XRayRecorded,
    InternetOut,
    /// CloudWatch Logs: one allowance for ingestion and storage.
    LogsGb,
    /// No free tier.
    None,
}

struct PoolSpec {
    service: &'static str,
    label: String,
    tiers: Vec<(Option<Decimal>, Decimal)>,
    per: Decimal,
    unit: String,
    free_group: FreeGroup,
}

fn tiered_spec(
    service: &'static str,
    label: String,
    rate: &TieredRate,
    free_group: FreeGroup,
) -> PoolSpec {
    PoolSpec {
        service,
        label,
        tiers: rate
            .tiers
            .iter()
            .map(|t| (t.up_to.map(|u| u.value()), t.usd.value()))
            .collect(),
        per: rate.per.value(),
        unit: rate.unit.clone(),
        free_group,
    }
}

fn flat_spec(service: &'static str, label: String, rate: &Rate, free_group: FreeGroup) -> PoolSpec {
    PoolSpec {
        service,
        label,
        tiers: vec![(None, rate.usd.value())],
        per: rate.per.value(),
        unit: rate.unit.clone(),
        free_group,
    }
}

fn pool_spec(book: &PriceBook, pool: Pool) -> PoolSpec {
    match pool {
        Pool::LambdaRequests => flat_spec(
            LAMBDA,
            "Requests".into(),
            &book.lambda.requests,
            FreeGroup::LambdaRequests,
        ),
        Pool::LambdaDuration(arch) => {
            let rate = match arch {
                Architecture::X86_64 => &book.lambda.duration_x86,
                Architecture::Arm64 => &book.lambda.duration_arm,
            };
            tiered_spec(
                LAMBDA,
                format!("Duration ({})", arch.label()),
                rate,
                FreeGroup::LambdaGbSeconds,
            )
        }
        Pool::LambdaDurationLegacy => flat_spec(
            LAMBDA,
            "Duration (x86, legacy 100 ms rounding)".into(),
            &book.lambda.duration_legacy_100ms,
            FreeGroup::LambdaGbSeconds,
        ),
        Pool::ApiRest => tiered_spec(
            API_GATEWAY,
            "REST API requests".into(),
            &book.api_gateway.rest_requests,
            FreeGroup::ApiRest,
        ),
        Pool::ApiHttp => tiered_spec(
            API_GATEWAY,
            "HTTP API requests".into(),
            &book.api_gateway.http_requests,
            FreeGroup::ApiHttp,
        ),
        Pool::SqsStandard => tiered_spec(
            SQS,
            "Standard queue requests".into(),
            &book.sqs.standard_requests,
            FreeGroup::SqsRequests,
        ),
        Pool::SqsFifo => tiered_spec(
            SQS,
            "FIFO queue requests".into(),
            &book.sqs.fifo_requests,
            FreeGroup::SqsRequests,
        ),
        Pool::SnsPublishes => flat_spec(
            SNS,
            "Publish requests".into(),
            &book.sns.publishes,
            FreeGroup::SnsPublishes,
        ),
        Pool::SchedulerInvocations => flat_spec(
            EVENTBRIDGE,
            "Scheduler invocations".into(),
            &book.eventbridge.scheduler_invocations,
            FreeGroup::SchedulerInvocations,
        ),
        Pool::CognitoMau => flat_spec(
            COGNITO,
            "Monthly active users (Essentials)".into(),
            &book.cognito.essentials_mau,
            FreeGroup::CognitoMau,
        ),
        Pool::CloudFrontRequests => flat_spec(
            CLOUDFRONT,
            "HTTPS requests".into(),
            &book.cloudfront.https_requests,
            FreeGroup::CloudFrontRequests,
        ),
        Pool::CloudFrontDataOut => tiered_spec(
            CLOUDFRONT,
            "Data transfer out to viewers".into(),
            &book.cloudfront.data_out,
            FreeGroup::CloudFrontDataOut,
        ),
        Pool::XRayRecorded => flat_spec(
            XRAY,
            "Traces recorded".into(),
            &book.xray.traces_recorded,
            FreeGroup::XRayRecorded,
        ),
        Pool::FirehoseGb => tiered_spec(
            FIREHOSE,
            "Data ingested (5 KB per record)".into(),
            &book.firehose.ingestion,
            FreeGroup::None,
        ),
        Pool::InternetOut => tiered_spec(
            DATA_TRANSFER,
            "Data transfer out to the internet".into(),
            &book.data_transfer.internet_out,
            FreeGroup::InternetOut,
        ),
        Pool::LogsIngestion => flat_spec(
            LOGS,
            "Log ingestion".into(),
            &book.cloudwatch_logs.ingestion,
            FreeGroup::LogsGb,
        ),
        Pool::LogsStorage => flat_spec(
            LOGS,
            "Log storage".into(),
            &book.cloudwatch_logs.storage,
            FreeGroup::LogsGb,
        ),
    }
}

fn free_allowance(book: &PriceBook, group: FreeGroup) -> Decimal {
    match group {
        FreeGroup::LambdaRequests => book.lambda.free_tier.requests.value.value(),
        FreeGroup::LambdaGbSeconds => book.lambda.free_tier.gb_seconds.value.value(),
        FreeGroup::ApiRest => book.api_gateway.free_tier.rest_requests.value.value(),
        FreeGroup::ApiHttp => book.api_gateway.free_tier.http_requests.value.value(),
        FreeGroup::SqsRequests => book.sqs.free_tier.requests.value.value(),
        FreeGroup::SnsPublishes => book.sns.free_tier.publishes.value.value(),
        FreeGroup::SchedulerInvocations => book
            .eventbridge
            .free_tier
            .scheduler_invocations
            .value
            .value(),
        FreeGroup::CognitoMau => book.cognito.free_tier.monthly_active_users.value.value(),
        FreeGroup::CloudFrontRequests => book.cloudfront.free_tier.requests.value.value(),
        FreeGroup::CloudFrontDataOut => book.cloudfront.free_tier.data_out_gb.value.value(),
        FreeGroup::XRayRecorded => book.xray.free_tier.traces_recorded.value.value(),
        FreeGroup::InternetOut => book.data_transfer.free_tier.internet_out_gb.value.value(),
        FreeGroup::LogsGb => book.cloudwatch_logs.free_tier.gb.value.value(),
        FreeGroup::None => Decimal::ZERO,
    }
}

/// One component's contribution, in line order. A pooled quantity draws
/// on its pool's free-tier group (none for `FreeGroup::None`).
enum Entry {
    Charge(Charge),
    Pooled { pool: Pool, quantity: Decimal },
}

/// Prices every component; returns (component index, charge) in report
/// order.
/// The bill's id for the lines of the account's Savings Plans (their
/// commitments belong to no component).
pub const SAVINGS_PLANS_ID: &str = "savings-plans";

/// Which Savings Plan discount a charge can take, if any: Lambda duration
/// and provisioned concurrency, Fargate vCPU and memory (not Spot), EC2
/// instance hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlanService {
    Lambda,
    Fargate,
    Ec2,
}

fn plan_service(c: &Charge) -> Option<PlanService> {
    let d = c.description.as_str();
    match c.service {
        LAMBDA if d.starts_with("Duration") || d.starts_with("Provisioned") => {
            Some(PlanService::Lambda)
        }
        FARGATE if d.starts_with("Fargate vCPU") || d.starts_with("Fargate memory") => {
            Some(PlanService::Fargate)
        }
        EC2 => Some(PlanService::Ec2),
        _ => None,
    }
}

/// Applies the account's Savings Plans to the priced charges, as AWS does:
/// EC2 Instance plans first, then Compute plans; each to the eligible
/// usage with the highest discount first, buying it at the discounted
/// rate until the month's commitment is spent. Each plan adds its
/// commitment as a line; the usage it covers gets a negative line that
/// takes its on-demand cost back off.
fn apply_savings_plans(
    book: &PriceBook,
    assumptions: &Assumptions,
    month_hours: Decimal,
    mut charges: Vec<(Option<usize>, Charge)>,
) -> Result<Vec<(Option<usize>, Charge)>, UsageError> {
    let mut plans: Vec<&SavingsPlan> = assumptions.savings_plans.iter().collect();
    plans.sort_by_key(|p| match p.kind {
        SavingsPlanKind::Ec2Instance => 0,
        SavingsPlanKind::Compute => 1,
    });
    // What of each charge is still billed on demand.
    let mut left: Vec<Decimal> = charges.iter().map(|(_, c)| c.amount()).collect();
    let mut credits = Vec::new();
    for (n, plan) in plans.into_iter().enumerate() {
        let invalid = |field: &str, value: String, expected: &str| UsageError::InvalidAssumption {
            field: format!("savings_plans[{n}].{field}"),
            value,
            expected: expected.into(),
        };
        let commitment = match decimal_from_f64(plan.commitment_usd_per_hour) {
            Some(c) if plan.commitment_usd_per_hour > 0.0 && plan.commitment_usd_per_hour < 1e9 => {
                c
            }
            _ => {
                return Err(invalid(
                    "commitment_usd_per_hour",
                    plan.commitment_usd_per_hour.to_string(),
                    "give the dollars an hour committed, above 0",
                ));
            }
        };
        let sp = &book.savings_plans;
        let (discounts, name) = match (plan.kind, plan.term_years) {
            (SavingsPlanKind::Compute, 1) => (&sp.compute_1y, "Compute Savings Plan, 1 year"),
            (SavingsPlanKind::Compute, 3) => (&sp.compute_3y, "Compute Savings Plan, 3 years"),
            (SavingsPlanKind::Ec2Instance, 1) => {
                (&sp.ec2_instance_1y, "EC2 Instance Savings Plan, 1 year")
            }
            (SavingsPlanKind::Ec2Instance, 3) => {
                (&sp.ec2_instance_3y, "EC2 Instance Savings Plan, 3 years")
            }
            (_, years) => {
                return Err(invalid(
                    "term_years",
                    years.to_string(),
                    "a Savings Plan's term is 1 or 3 years",
                ));
            }
        };
        let discount = |service: PlanService| {
            let q = match (plan.kind, service) {
                (_, PlanService::Ec2) => &discounts.ec2_percent,
                (SavingsPlanKind::Compute, PlanService::Lambda) => &discounts.lambda_percent,
                (SavingsPlanKind::Compute, PlanService::Fargate) => &discounts.fargate_percent,
                (SavingsPlanKind::Ec2Instance, _) => return Decimal::ZERO,
            };
            (q.value.value() / Decimal::ONE_HUNDRED).min(Decimal::ONE)
        };
        let mut eligible: Vec<(usize, Decimal)> = charges
            .iter()
            .enumerate()
            .filter_map(|(i, (_, c))| {
                let d = discount(plan_service(c)?);
                (d > Decimal::ZERO && d < Decimal::ONE && left[i] > Decimal::ZERO).then_some((i, d))
            })
            .collect();
        // Highest discount first; ties in bill order.
        eligible.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut budget = commitment * month_hours;
        charges.push((
            None,
            Charge {
                service: SAVINGS_PLANS,
                description: format!("{name}: ${}/h commitment", commitment.normalize()),
                quantity: month_hours,
                unit: "hour".into(),
                rate_usd: commitment,
                per: Decimal::ONE,
            },
        ));
        left.push(Decimal::ZERO);
        for (i, d) in eligible {
            if budget <= Decimal::ZERO {
                break;
            }
            let at_plan_rate = left[i] * (Decimal::ONE - d);
            let spent = budget.min(at_plan_rate);
            let covered = spent / (Decimal::ONE - d);
            budget -= spent;
            left[i] -= covered;
            let (owner, c) = &charges[i];
            let share = covered / c.amount();
            credits.push((
                *owner,
                Charge {
                    service: c.service,
                    description: format!(
                        "Covered by the {name} ({}% off): {}",
                        (d * Decimal::ONE_HUNDRED).normalize(),
                        c.description
                    ),
                    quantity: c.quantity * share,
                    unit: c.unit.clone(),
                    rate_usd: -c.rate_usd,
                    per: c.per,
                },
            ));
        }
    }
    charges.extend(credits);
    Ok(charges)
}

fn price(
    book: &PriceBook,
    profile: &UsageProfile,
    assumptions: &Assumptions,
) -> Result<Vec<(Option<usize>, Charge)>, UsageError> {
    let month_hours = match decimal_from_f64(assumptions.month_hours) {
        Some(h) if assumptions.month_hours > 0.0 && assumptions.month_hours <= 744.0 => h,
        _ => {
            return Err(UsageError::InvalidAssumption {
                field: "month_hours".into(),
                value: assumptions.month_hours.to_string(),
                expected: "give the hours in the month, above 0 and at most 744 (31 days); 730 is AWS's average"
                    .into(),
            });
        }
    };
    let entries: Vec<Vec<Entry>> = profile
        .components
        .iter()
        .map(|component| {
            let ctx = Ctx {
                book,
                assumptions,
                month_hours,
                component_id: &component.component_id,
            };
            ctx.entries(component)
        })
        .collect::<Result<_, _>>()?;

    // Free tier: each allowance is shared by the eligible usage of its
    // group in proportion to that usage.
    let mut eligible: BTreeMap<FreeGroup, Decimal> = BTreeMap::new();
    for entry in entries.iter().flatten() {
        if let Entry::Pooled { pool, quantity } = entry {
            *eligible
                .entry(pool_spec(book, *pool).free_group)
                .or_default() += *quantity;
        }
    }
    let free_share = |pool: Pool, quantity: Decimal| -> Decimal {
        if !assumptions.free_tier || quantity.is_zero() {
            return Decimal::ZERO;
        }
        let group = pool_spec(book, pool).free_group;
        let total = eligible.get(&group).copied().unwrap_or_default();
        let free = free_allowance(book, group).min(total);
        if total.is_zero() {
            Decimal::ZERO
        } else {
            free * quantity / total
        }
    };

    // Billed (after free tier) totals per pool, then split into tiers.
    let mut billed: BTreeMap<Pool, Decimal> = BTreeMap::new();
    for entry in entries.iter().flatten() {
        if let Entry::Pooled { pool, quantity } = entry {
            *billed.entry(*pool).or_default() += *quantity - free_share(*pool, *quantity);
        }
    }

    let mut charges = Vec::new();
    for (component, component_entries) in entries.into_iter().enumerate() {
        for entry in component_entries {
            match entry {
                Entry::Charge(charge) => charges.push((Some(component), charge)),
                Entry::Pooled { pool, quantity } => {
                    let spec = pool_spec(book, pool);
                    let free = free_share(pool, quantity);
                    if !free.is_zero() {
                        charges.push((
                            Some(component),
                            Charge {
                                service: spec.service,
                                description: format!("{} (free tier)", spec.label),
                                quantity: free,
                                unit: spec.unit.clone(),
                                rate_usd: Decimal::ZERO,
                                per: spec.per,
                            },
                        ));
                    }
                    let own = quantity - free;
                    let pool_total = billed.get(&pool).copied().unwrap_or_default();
                    if own.is_zero() || pool_total.is_zero() {
                        continue;
                    }
                    for (k, (tier_quantity, usd, tier_label)) in
                        split_tiers(&spec, pool_total).into_iter().enumerate()
                    {
                        if tier_quantity.is_zero() {
                            continue;
                        }
                        let description = if spec.tiers.len() == 1 {
                            spec.label.clone()
                        } else {
                            format!("{}, tier {} ({tier_label})", spec.label, k + 1)
                        };
                        charges.push((
                            Some(component),
                            Charge {
                                service: spec.service,
                                description,
                                quantity: own * tier_quantity / pool_total,
                                unit: spec.unit.clone(),
                                rate_usd: usd,
                                per: spec.per,
                            },
                        ));
                    }
                }
            }
        }
    }
    apply_savings_plans(book, assumptions, month_hours, charges)
}

/// Splits a monthly quantity over tiers: (quantity in tier, rate, label).
fn split_tiers(spec: &PoolSpec, total: Decimal) -> Vec<(Decimal, Decimal, String)> {
    let unit = plural(&spec.unit);
    let mut lower = Decimal::ZERO;
    spec.tiers
        .iter()
        .map(|(up_to, usd)| {
            let (in_tier, label) = match up_to {
                Some(upper) => {
                    let label = if lower.is_zero() {
                        format!("first {} {unit}", compact(*upper))
                    } else {
                        format!("{} to {} {unit}", compact(lower), compact(*upper))
                    };
                    let in_tier = (total.min(*upper) - lower).max(Decimal::ZERO);
                    lower = *upper;
                    (in_tier, label)
                }
                None => (
                    (total - lower).max(Decimal::ZERO),
                    format!("above {} {unit}", compact(lower)),
                ),
            };
            (in_tier, *usd, label)
        })
        .collect()
}

/// What pricing one component needs.
struct Ctx<'a> {
    book: &'a PriceBook,
    assumptions: &'a Assumptions,
    month_hours: Decimal,
    component_id: &'a str,
}

impl Ctx<'_> {
    fn invalid(&self, field: &str, value: impl ToString, expected: &str) -> UsageError {
        UsageError::InvalidValue {
            component_id: self.component_id.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    /// A usage value: finite, zero or more, at most 1e15.
    fn amount(&self, field: &str, value: f64) -> Result<Decimal, UsageError> {
        match decimal_from_f64(value) {
            Some(d) if (0.0..=MAX_INPUT).contains(&value) => Ok(d),
            _ => Err(self.invalid(field, value, "give a number from 0 to 1e15")),
        }
    }

    /// A size that must be above zero.
    fn size(&self, field: &str, value: f64) -> Result<Decimal, UsageError> {
        match decimal_from_f64(value) {
            Some(d) if value > 0.0 && value <= MAX_INPUT => Ok(d),
            _ => Err(self.invalid(field, value, "give a size above 0")),
        }
    }

    /// A flat-rate line for a usage value (checked as [`Self::amount`]).
    fn charge(
        &self,
        service: &'static str,
        description: &str,
        field: &str,
        value: f64,
        rate: &Rate,
    ) -> Result<Entry, UsageError> {
        Ok(Entry::Charge(Charge::from_rate(
            service,
            description.to_string(),
            self.amount(field, value)?,
            rate,
        )))
    }

    /// A usage value priced at the account level in `pool`.
    fn pooled(&self, pool: Pool, field: &str, value: f64) -> Result<Entry, UsageError> {
        Ok(Entry::Pooled {
            pool,
            quantity: self.amount(field, value)?,
        })
    }

    fn month_seconds(&self) -> Decimal {
        self.month_hours * Decimal::from(3600)
    }

    fn hours_or_month(&self, field: &str, hours: Option<f64>) -> Result<Decimal, UsageError> {
        match hours {
            Some(h) => {
                let h = self.amount(field, h)?;
                if h > self.month_hours {
                    return Err(self.invalid(
                        field,
                        h,
                        &format!(
                            "at most the month's {} hours (see assumptions)",
                            self.month_hours
                        ),
                    ));
                }
                Ok(h)
            }
            None => Ok(self.month_hours),
        }
    }

    fn entries(&self, component: &ComponentUsage) -> Result<Vec<Entry>, UsageError> {
        let entries = match &component.usage {
            ServiceUsage::Lambda(u) => self.lambda(u)?,
            ServiceUsage::Fargate(u) => self.fargate(u)?,
            ServiceUsage::Ec2(u) => self.ec2(u)?,
            ServiceUsage::LoadBalancer(u) => self.load_balancer(u)?,
            ServiceUsage::ApiGateway(u) => self.api_gateway(u)?,
            ServiceUsage::Eks(u) => self.eks(u)?,
            ServiceUsage::Ecr(u) => self.ecr(u)?,
            ServiceUsage::Sqs(u) => self.sqs(u)?,
            ServiceUsage::DynamoDb(u) => self.dynamodb(u)?,
            ServiceUsage::S3(u) => self.s3(u)?,
            ServiceUsage::Rds(u) => self.rds(u)?,
            ServiceUsage::Aurora(u) => self.aurora(u)?,
            ServiceUsage::Kinesis(u) => self.kinesis(u)?,
            ServiceUsage::Firehose(u) => self.firehose(u)?,
            ServiceUsage::Sns(u) => self.sns(u)?,
            ServiceUsage::EventBridge(u) => self.eventbridge(u)?,
            ServiceUsage::Cognito(u) => self.cognito(u)?,
            ServiceUsage::CloudFront(u) => self.cloudfront(u)?,
            ServiceUsage::Lex(u) => self.lex(u)?,
            ServiceUsage::XRay(u) => self.xray(u)?,
            ServiceUsage::Network(u) => self.network(u)?,
            ServiceUsage::Logs(u) => self.logs(u)?,
        };
        // A zero-quantity line says nothing: leave it off the bill.
        Ok(entries
            .into_iter()
            .filter(|e| match e {
                Entry::Charge(c) => !c.quantity.is_zero(),
                Entry::Pooled { quantity, .. } => !quantity.is_zero(),
            })
            .collect())
    }

    fn lambda(&self, u: &LambdaUsage) -> Result<Vec<Entry>, UsageError> {
        let prices = &self.book.lambda;
        if !(128..=10_240).contains(&u.memory_mb) {
            return Err(self.invalid(
                "memory_mb",
                u.memory_mb,
                "Lambda memory is 128 to 10,240 MB",
            ));
        }
        if !(512..=10_240).contains(&u.ephemeral_storage_mb) {
            return Err(self.invalid(
                "ephemeral_storage_mb",
                u.ephemeral_storage_mb,
                "Lambda ephemeral storage is 512 to 10,240 MB",
            ));
        }
        let requests = self.amount("requests", u.requests)?;
        let duration_ms = self.amount("duration_ms", u.duration_ms)?;
        let memory_gb = Decimal::from(u.memory_mb) / Decimal::from(1024);
        let granularity_ms = match self.assumptions.lambda_billing {
            LambdaBilling::Millisecond => Decimal::ONE,
            LambdaBilling::Legacy100Ms => Decimal::ONE_HUNDRED,
        };
        let billed_ms = (duration_ms / granularity_ms).ceil() * granularity_ms;
        let thousand = Decimal::from(1000);
        let billed_seconds = match u.billed_duration_ms_total {
            Some(total) => self.amount("billed_duration_ms_total", total)? / thousand,
            None => requests * billed_ms / thousand,
        };

        let mut provisioned = Vec::new();
        let mut served_seconds = Decimal::ZERO;
        if let Some(pc) = &u.provisioned_concurrency {
            let served = self.amount(
                "provisioned_concurrency.requests_served",
                pc.requests_served,
            )?;
            if served > requests {
                return Err(self.invalid(
                    "provisioned_concurrency.requests_served",
                    served,
                    &format!("at most the function's {requests} requests"),
                ));
            }
            let enabled_seconds = self
                .hours_or_month("provisioned_concurrency.hours_enabled", pc.hours_enabled)?
                * Decimal::from(3600);
            let increment = prices
                .provisioned_billing_increment
                .value
                .value()
                .max(Decimal::ONE);
            let billed_enabled = (enabled_seconds / increment).ceil() * increment;
            served_seconds = match (pc.served_billed_duration_ms_total, pc.served_duration_ms) {
                (Some(total), _) => {
                    self.amount(
                        "provisioned_concurrency.served_billed_duration_ms_total",
                        total,
                    )? / thousand
                }
                (None, Some(ms)) => {
                    let ms = self.amount("provisioned_concurrency.served_duration_ms", ms)?;
                    served * ((ms / granularity_ms).ceil() * granularity_ms) / thousand
                }
                (None, None) if requests.is_zero() => Decimal::ZERO,
                (None, None) => billed_seconds * served / requests,
            };
            if served_seconds > billed_seconds {
                return Err(self.invalid(
                    "provisioned_concurrency.served_duration_ms",
                    (served_seconds * thousand).normalize(),
                    &format!(
                        "the served invocations' billed time (ms) is at most the function's {} ms",
                        (billed_seconds * thousand).normalize()
                    ),
                ));
            }
            let (configured_rate, duration_rate) = match u.architecture {
                Architecture::X86_64 => (
                    &prices.provisioned_concurrency_x86,
                    &prices.provisioned_duration_x86,
                ),
                Architecture::Arm64 => (
                    &prices.provisioned_concurrency_arm,
                    &prices.provisioned_duration_arm,
                ),
            };
            provisioned.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!(
                    "Provisioned concurrency ({}): {} x {} GB for {} h",
                    u.architecture.label(),
                    pc.concurrency,
                    memory_gb.normalize(),
                    (billed_enabled / Decimal::from(3600))
                        .round_dp(3)
                        .normalize()
                ),
                Decimal::from(pc.concurrency) * memory_gb * billed_enabled,
                configured_rate,
            )));
            provisioned.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!(
                    "Provisioned duration ({}): {} invocations served",
                    u.architecture.label(),
                    served
                ),
                served_seconds * memory_gb,
                duration_rate,
            )));
        }

        // AWS's worked example (PC 100 for 8 h) applies the free tier to
        // the requests and to the duration billed on demand, provisioned
        // or not; the provisioned charges above never get it.
        let duration_pool = match (self.assumptions.lambda_billing, u.architecture) {
            (LambdaBilling::Legacy100Ms, Architecture::X86_64) => Pool::LambdaDurationLegacy,
            (_, arch) => Pool::LambdaDuration(arch),
        };
        let mut entries = vec![
            Entry::Pooled {
                pool: Pool::LambdaRequests,
                quantity: requests,
            },
            Entry::Pooled {
                pool: duration_pool,
                quantity: (billed_seconds - served_seconds) * memory_gb,
            },
        ];
        entries.extend(provisioned);

        let included_mb = prices.included_ephemeral_storage.value.value();
        let extra_mb = Decimal::from(u.ephemeral_storage_mb) - included_mb;
        if extra_mb > Decimal::ZERO {
            entries.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!("Ephemeral storage above {included_mb} MB ({extra_mb} MB)"),
                billed_seconds * extra_mb / Decimal::from(1024),
                &prices.ephemeral_storage,
            )));
        }
        Ok(entries)
    }

    fn fargate(&self, u: &FargateUsage) -> Result<Vec<Entry>, UsageError> {
        let prices = &self.book.fargate;
        let tasks = self.amount("tasks", u.tasks)?;
        let runs = self.amount("runs_per_task", u.runs_per_task)?;
        let vcpu = self.size("vcpu", u.vcpu)?;
        let memory_gb = self.size("memory_gb", u.memory_gb)?;
        let storage_gb = self.amount("ephemeral_storage_gb", u.ephemeral_storage_gb)?;
        let included_gb = prices.included_ephemeral_storage.value.value();
        if storage_gb < included_gb || u.ephemeral_storage_gb > 200.0 {
            return Err(self.invalid(
                "ephemeral_storage_gb",
                u.ephemeral_storage_gb,
                &format!("Fargate ephemeral storage is {included_gb} to 200 GB"),
            ));
        }
        let run_seconds = match u.seconds_per_run {
            Some(s) => self.amount("seconds_per_run", s)?.ceil(),
            None => self.month_seconds(),
        };
        let billed_run = run_seconds.max(prices.minimum_billed_seconds.value.value());
        let task_seconds = tasks * runs * billed_run;

        let (vcpu_rate, memory_rate) = match u.architecture {
            Architecture::X86_64 => (&prices.vcpu_x86, &prices.memory_x86),
            Architecture::Arm64 => (&prices.vcpu_arm, &prices.memory_arm),
        };
        let spot_pct = prices.spot_discount_percent.value.value();
        let (factor, kind) = if u.spot {
            (
                Decimal::ONE - spot_pct / Decimal::ONE_HUNDRED,
                format!("Fargate Spot ({spot_pct}% off)"),
            )
        } else {
            (Decimal::ONE, "Fargate".to_string())
        };
        let arch = u.architecture.label();
        let shape = format!(
            "{} tasks x {} runs x {} s",
            tasks.normalize(),
            runs.normalize(),
            billed_run.normalize()
        );
        let discounted = |rate: &Rate, description: String, quantity: Decimal| {
            let mut charge = Charge::from_rate(FARGATE, description, quantity, rate);
            charge.rate_usd *= factor;
            Entry::Charge(charge)
        };
        let mut entries = vec![
            discounted(
                vcpu_rate,
                format!("{kind} vCPU ({arch}): {shape} x {} vCPU", vcpu.normalize()),
                task_seconds * vcpu,
            ),
            discounted(
                memory_rate,
                format!(
                    "{kind} memory ({arch}): {shape} x {} GB",
                    memory_gb.normalize()
                ),
                task_seconds * memory_gb,
            ),
        ];
        let extra_gb = storage_gb - included_gb;
        if extra_gb > Decimal::ZERO {
            entries.push(Entry::Charge(Charge::from_rate(
                FARGATE,
                format!(
                    "Ephemeral storage above {included_gb} GB: {shape} x {} GB",
                    extra_gb.normalize()
                ),
                task_seconds * extra_gb,
                &prices.ephemeral_storage,
            )));
        }
        Ok(entries)
    }

    fn ec2(&self, u: &Ec2Usage) -> Result<Vec<Entry>, UsageError> {
        let instance = self.book.instance_type(&u.instance_type).ok_or_else(|| {
            UsageError::UnknownInstanceType {
                component_id: self.component_id.to_string(),
                instance_type: u.instance_type.clone(),
                region: self.book.region.clone(),
                known: self
                    .book
                    .ec2
                    .instance_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        let instances = self.amount("instances", u.instances)?;
        let hour = Decimal::from(3600);
        let seconds =
            (self.hours_or_month("hours_per_instance", u.hours_per_instance)? * hour).ceil();
        let billed_seconds = seconds.max(self.book.ec2.minimum_billed_seconds.value.value());
        let instance_hours = instances * billed_seconds / hour;
        Ok(vec![Entry::Charge(Charge {
            service: EC2,
            description: format!(
                "{} Linux on-demand: {} instances x {} h",
                u.instance_type,
                instances.normalize(),
                (billed_seconds / hour).round_dp(3).normalize()
            ),
            quantity: instance_hours,
            unit: "instance-hour".into(),
            rate_usd: instance.usd_per_hour.value(),
            per: Decimal::ONE,
        })])
    }

    fn load_balancer(&self, u: &LoadBalancerUsage) -> Result<Vec<Entry>, UsageError> {
        let elb = &self.book.elb;
        let hours = self.hours_or_month("hours", u.hours)?;
        let new_connections = self.amount("new_connections_per_s", u.new_connections_per_s)?;
        let active_connections =
            self.amount("active_connections_per_min", u.active_connections_per_min)?;
        let gb_per_hour = self.amount("gb_processed_per_hour", u.gb_processed_per_hour)?;
        let (name, hour_rate, capacity_rate, capacity_unit, dimensions) = match u.kind {
            LoadBalancerKind::Clb => {
                let clb = &self.book.clb;
                return Ok(vec![
                    Entry::Charge(Charge::from_rate(ELB, "CLB hours".into(), hours, &clb.hour)),
                    Entry::Charge(Charge::from_rate(
                        ELB,
                        "CLB data processed".into(),
                        gb_per_hour * hours,
                        &clb.gb_processed,
                    )),
                ]);
            }
            LoadBalancerKind::Alb => {
                let d = &elb.alb_lcu;
                let requests = self.amount("requests_per_s", u.requests_per_s)?;
                let rules = self.amount("rules_processed", u.rules_processed)?;
                let paid_rules = (rules - d.free_rules_per_request.value()).max(Decimal::ZERO);
                let bytes_divisor = if u.lambda_targets {
                    d.gb_processed_per_hour_lambda_targets.value()
                } else {
                    d.gb_processed_per_hour.value()
                };
                (
                    "ALB",
                    &elb.alb_hour,
                    &elb.alb_lcu_hour,
                    "LCU",
                    vec![
                        (
                            new_connections / d.new_connections_per_second.value(),
                            "new connections",
                        ),
                        (
                            active_connections / d.active_connections_per_minute.value(),
                            "active connections",
                        ),
                        (gb_per_hour / bytes_divisor, "processed bytes"),
                        (
                            requests * paid_rules / d.rule_evaluations_per_second.value(),
                            "rule evaluations",
                        ),
                    ],
                )
            }
            LoadBalancerKind::Nlb => {
                let d = &elb.nlb_nlcu;
                (
                    "NLB",
                    &elb.nlb_hour,
                    &elb.nlb_nlcu_hour,
                    "NLCU",
                    vec![
                        (
                            new_connections / d.new_connections_per_second.value(),
                            "new connections",
                        ),
                        (
                            active_connections / d.active_connections_per_minute.value(),
                            "active connections",
                        ),
                        (
                            gb_per_hour / d.gb_processed_per_hour.value(),
                            "processed bytes",
                        ),
                    ],
                )
            }
        };
        // Usage is an hourly average, so the hourly maximum over the
        // dimensions is the same every hour.
        let (units, dominant) =
            dimensions
                .into_iter()
                .fold((Decimal::ZERO, "no traffic"), |best, (value, name)| {
                    if value > best.0 { (value, name) } else { best }
                });
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                ELB,
                format!("{name} hours"),
                hours,
                hour_rate,
            )),
            Entry::Charge(Charge::from_rate(
                ELB,
                format!(
                    "{name} {capacity_unit}-hours: {} {capacity_unit} per hour, {dominant} dominate",
                    units.round_dp(4).normalize()
                ),
                units * hours,
                capacity_rate,
            )),
        ])
    }

    fn api_gateway(&self, u: &ApiGatewayUsage) -> Result<Vec<Entry>, UsageError> {
        let pool = match u.kind {
            ApiKind::Rest => Pool::ApiRest,
            ApiKind::Http => Pool::ApiHttp,
        };
        Ok(vec![Entry::Pooled {
            pool,
            quantity: self.amount("requests", u.requests)?,
        }])
    }

    fn eks(&self, u: &EksUsage) -> Result<Vec<Entry>, UsageError> {
        let clusters = self.amount("clusters", u.clusters)?;
        let hours = self.hours_or_month("hours", u.hours)?;
        let (rate, support) = match u.support {
            EksSupport::Standard => (&self.book.eks.cluster_hour_standard, "standard"),
            EksSupport::Extended => (&self.book.eks.cluster_hour_extended, "extended"),
        };
        Ok(vec![Entry::Charge(Charge::from_rate(
            EKS,
            format!(
                "Cluster control plane ({support} support): {} clusters",
                clusters.normalize()
            ),
            clusters * hours,
            rate,
        ))])
    }

    fn ecr(&self, u: &EcrUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![self.charge(
            ECR,
            "Repository storage",
            "storage_gb_month",
            u.storage_gb_month,
            &self.book.ecr.storage,
        )?])
    }

    fn sqs(&self, u: &SqsUsage) -> Result<Vec<Entry>, UsageError> {
        let requests = self.amount("requests", u.requests)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk_kb = self
            .book
            .sqs
            .request_chunk_kb
            .value
            .value()
            .max(Decimal::ONE);
        let chunks = (payload_kb / chunk_kb).ceil().max(Decimal::ONE);
        let pool = match u.queue_type {
            QueueType::Standard => Pool::SqsStandard,
            QueueType::Fifo => Pool::SqsFifo,
        };
        Ok(vec![Entry::Pooled {
            pool,
            quantity: requests * chunks,
        }])
    }

    fn dynamodb(&self, u: &DynamoDbUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.dynamodb;
        let writes = self.amount("write_request_units", u.write_request_units)?;
        let reads = self.amount("read_request_units", u.read_request_units)?;
        let mut entries = match &u.provisioned {
            None => vec![
                Entry::Charge(Charge::from_rate(
                    DYNAMODB,
                    "On-demand write request units".into(),
                    writes,
                    &p.write_request_units,
                )),
                Entry::Charge(Charge::from_rate(
                    DYNAMODB,
                    "On-demand read request units".into(),
                    reads,
                    &p.read_request_units,
                )),
            ],
            Some(c) => {
                let hours = self.hours_or_month("provisioned.hours", c.hours)?;
                let wcu =
                    self.amount("provisioned.write_capacity_units", c.write_capacity_units)?;
                let rcu = self.amount("provisioned.read_capacity_units", c.read_capacity_units)?;
                vec![
                    Entry::Charge(Charge::from_rate(
                        DYNAMODB,
                        format!(
                            "Provisioned write capacity: {} WCU x {} h",
                            wcu.round_dp(3).normalize(),
                            hours.round_dp(3).normalize()
                        ),
                        wcu * hours,
                        &p.provisioned_wcu_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        DYNAMODB,
                        format!(
                            "Provisioned read capacity: {} RCU x {} h",
                            rcu.round_dp(3).normalize(),
                            hours.round_dp(3).normalize()
                        ),
                        rcu * hours,
                        &p.provisioned_rcu_hour,
                    )),
                ]
            }
        };
        entries.push(self.charge(
            DYNAMODB,
            "Table storage",
            "storage_gb_month",
            u.storage_gb_month,
            &p.storage,
        )?);
        entries.push(self.charge(
            DYNAMODB,
            "Streams read request units",
            "stream_read_request_units",
            u.stream_read_request_units,
            &p.stream_read_request_units,
        )?);
        Ok(entries)
    }

    fn rds(&self, u: &RdsUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.rds;
        let Some(class) = p.instance_types.get(&u.instance_class) else {
            return Err(UsageError::UnknownInstanceType {
                component_id: self.component_id.to_string(),
                instance_type: u.instance_class.clone(),
                region: self.book.region.clone(),
                known: p
                    .instance_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let hours = self.hours_or_month("hours", u.hours)?;
        let storage = self.amount("storage_gb", u.storage_gb)?;
        let (engine, hourly) = match u.engine {
            RdsEngine::Postgres => ("PostgreSQL", class.postgres_usd_per_hour.value()),
            RdsEngine::Mysql => ("MySQL", class.mysql_usd_per_hour.value()),
        };
        let (factor, deployment) = if u.multi_az {
            (p.multi_az_factor.value.value(), "Multi-AZ")
        } else {
            (Decimal::ONE, "Single-AZ")
        };
        let mut storage_charge = Charge::from_rate(
            RDS,
            format!("General Purpose (gp2) storage, {deployment}"),
            storage * hours / self.month_hours,
            &p.storage_gp2,
        );
        storage_charge.rate_usd *= factor;
        Ok(vec![
            Entry::Charge(Charge {
                service: RDS,
                description: format!(
                    "{} {engine} on-demand, {deployment}: {} h",
                    u.instance_class,
                    hours.round_dp(3).normalize()
                ),
                quantity: hours,
                unit: "instance-hour".into(),
                rate_usd: hourly * factor,
                per: Decimal::ONE,
            }),
            Entry::Charge(storage_charge),
        ])
    }

    fn aurora(&self, u: &AuroraUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.aurora;
        let hours = self.hours_or_month("hours", u.hours)?;
        let acu = self.amount("mean_acu", u.mean_acu)?;
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                AURORA,
                format!(
                    "Serverless v2 capacity: {} ACU (mean) x {} h",
                    acu.round_dp(3).normalize(),
                    hours.round_dp(3).normalize()
                ),
                acu * hours,
                &p.serverless_v2_acu_hour,
            )),
            self.charge(
                AURORA,
                "Storage (Aurora Standard)",
                "storage_gb_month",
                u.storage_gb_month,
                &p.storage,
            )?,
            self.charge(
                AURORA,
                "I/O requests (Aurora Standard)",
                "io_requests",
                u.io_requests,
                &p.io_requests,
            )?,
        ])
    }

    fn kinesis(&self, u: &KinesisUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.kinesis;
        let hours = self.hours_or_month("hours", u.hours)?;
        let records = self.amount("records", u.records)?;
        let record_kb = self.amount("record_kb", u.record_kb)?;
        let kb_per_gb = Decimal::from(1024 * 1024);
        Ok(match u.mode {
            KinesisMode::Provisioned => {
                let shards = self.amount("shards", u.shards)?;
                let unit_kb = p.put_payload_unit_kb.value.value().max(Decimal::ONE);
                let units = (record_kb / unit_kb).ceil().max(Decimal::ONE);
                vec![
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("Shard hours: {} shards", shards.normalize()),
                        shards * hours,
                        &p.shard_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("PUT payload units ({unit_kb} KB each)"),
                        records * units,
                        &p.put_payload_units,
                    )),
                ]
            }
            KinesisMode::OnDemand => {
                let consumers = self.amount("consumers", u.consumers)?;
                let gb_in = records * record_kb.ceil().max(Decimal::ONE) / kb_per_gb;
                vec![
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        "On-demand stream hours".into(),
                        hours,
                        &p.on_demand_stream_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        "On-demand data in (1 KB per record at least)".into(),
                        gb_in,
                        &p.on_demand_data_in,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("On-demand data out: {} consumers", consumers.normalize()),
                        gb_in * consumers,
                        &p.on_demand_data_out,
                    )),
                ]
            }
        })
    }

    fn firehose(&self, u: &FirehoseUsage) -> Result<Vec<Entry>, UsageError> {
        let records = self.amount("records", u.records)?;
        let record_kb = self.amount("record_kb", u.record_kb)?;
        let step = self
            .book
            .firehose
            .record_rounding_kb
            .value
            .value()
            .max(Decimal::ONE);
        let billed_kb = ((record_kb / step).ceil() * step).max(step);
        Ok(vec![Entry::Pooled {
            pool: Pool::FirehoseGb,
            quantity: records * billed_kb / Decimal::from(1024 * 1024),
        }])
    }

    fn sns(&self, u: &SnsUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.sns;
        let publishes = self.amount("publishes", u.publishes)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk = p.request_chunk_kb.value.value().max(Decimal::ONE);
        let chunks = (payload_kb / chunk).ceil().max(Decimal::ONE);
        let mut free = Charge::from_rate(
            SNS,
            "Deliveries to SQS and Lambda (free)".into(),
            self.amount("free_deliveries", u.free_deliveries)?,
            &p.http_deliveries,
        );
        free.rate_usd = Decimal::ZERO;
        Ok(vec![
            Entry::Pooled {
                pool: Pool::SnsPublishes,
                quantity: publishes * chunks,
            },
            Entry::Charge(Charge::from_rate(
                SNS,
                "HTTP/S deliveries".into(),
                self.amount("http_deliveries", u.http_deliveries)? * chunks,
                &p.http_deliveries,
            )),
            self.charge(
                SNS,
                "Email deliveries",
                "email_deliveries",
                u.email_deliveries,
                &p.email_deliveries,
            )?,
            Entry::Charge(free),
        ])
    }

    fn eventbridge(&self, u: &EventBridgeUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.eventbridge;
        let events = self.amount("custom_events", u.custom_events)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk = p.event_chunk_kb.value.value().max(Decimal::ONE);
        let chunks = (payload_kb / chunk).ceil().max(Decimal::ONE);
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                EVENTBRIDGE,
                "Custom events published".into(),
                events * chunks,
                &p.custom_events,
            )),
            self.pooled(
                Pool::SchedulerInvocations,
                "scheduler_invocations",
                u.scheduler_invocations,
            )?,
            Entry::Charge(Charge {
                rate_usd: Decimal::ZERO,
                ..Charge::from_rate(
                    EVENTBRIDGE,
                    "Scheduled rule invocations (free)".into(),
                    self.amount("scheduled_rule_invocations", u.scheduled_rule_invocations)?,
                    &p.scheduler_invocations,
                )
            }),
        ])
    }

    fn cognito(&self, u: &CognitoUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![self.pooled(
            Pool::CognitoMau,
            "monthly_active_users",
            u.monthly_active_users,
        )?])
    }

    fn cloudfront(&self, u: &CloudFrontUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::CloudFrontRequests, "requests", u.requests)?,
            self.pooled(Pool::CloudFrontDataOut, "data_out_gb", u.data_out_gb)?,
        ])
    }

    fn lex(&self, u: &LexUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.lex;
        Ok(vec![
            self.charge(
                LEX,
                "Text requests",
                "text_requests",
                u.text_requests,
                &p.text_requests,
            )?,
            self.charge(
                LEX,
                "Speech requests",
                "speech_requests",
                u.speech_requests,
                &p.speech_requests,
            )?,
        ])
    }

    fn xray(&self, u: &XRayUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::XRayRecorded, "traces_recorded", u.traces_recorded)?,
            self.charge(
                XRAY,
                "Traces retrieved or scanned",
                "traces_retrieved",
                u.traces_retrieved,
                &self.book.xray.traces_retrieved,
            )?,
        ])
    }

    fn network(&self, u: &NetworkUsage) -> Result<Vec<Entry>, UsageError> {
        let v = &self.book.vpc;
        let hours = self.month_hours;
        let nat = self.amount("nat_gateways", u.nat_gateways)?;
        let ips = self.amount("public_ipv4_addresses", u.public_ipv4_addresses)?;
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                VPC,
                format!("NAT gateway hours: {} gateways", nat.normalize()),
                nat * hours,
                &v.nat_gateway_hour,
            )),
            self.charge(
                VPC,
                "NAT gateway data processed",
                "nat_gb_processed",
                u.nat_gb_processed,
                &v.nat_gateway_gb,
            )?,
            Entry::Charge(Charge::from_rate(
                VPC,
                format!("Public IPv4 addresses: {}", ips.normalize()),
                ips * hours,
                &v.public_ipv4_hour,
            )),
            self.pooled(Pool::InternetOut, "internet_out_gb", u.internet_out_gb)?,
            Entry::Charge(Charge::from_rate(
                DATA_TRANSFER,
                "Data transfer across availability zones (each direction)".into(),
                self.amount("inter_az_gb", u.inter_az_gb)? * Decimal::TWO,
                &self.book.data_transfer.inter_az,
            )),
        ])
    }

    fn logs(&self, u: &LogsUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::LogsIngestion, "ingested_gb", u.ingested_gb)?,
            self.pooled(Pool::LogsStorage, "stored_gb_month", u.stored_gb_month)?,
        ])
    }

    fn s3(&self, u: &S3Usage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.s3;
        Ok(vec![
            self.charge(
                S3,
                "S3 Standard storage",
                "storage_gb_month",
                u.storage_gb_month,
                &p.storage_standard,
            )?,
            self.charge(
                S3,
                "PUT, COPY, POST, LIST requests",
                "put_requests",
                u.put_requests,
                &p.put_requests,
            )?,
            self.charge(
                S3,
                "GET and other requests",
                "get_requests",
                u.get_requests,
                &p.get_requests,
            )?,
        ])
    }
}
