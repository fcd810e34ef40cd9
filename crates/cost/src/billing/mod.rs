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
    EventBridgeUsage, FargateUsage, FirehoseUsage, KinesisMode, KinesisUsage, KmsUsage,
    LambdaBilling, LambdaUsage, LexUsage, LoadBalancerKind, LoadBalancerUsage, LogsUsage,
    NetworkUsage, QueueType, RdsEngine, RdsUsage, S3Usage, SavingsPlan, SavingsPlanKind,
    SecretsManagerUsage, ServiceUsage, SnsUsage, SqsUsage, StepFunctionsUsage, UsageError,
    UsageProfile, VpcEndpointUsage, XRayUsage,
};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

mod savings_plans;
mod services;

use savings_plans::apply_savings_plans;

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
const STEP_FUNCTIONS: &str = "AWS Step Functions";
const COGNITO: &str = "Amazon Cognito";
const CLOUDFRONT: &str = "Amazon CloudFront";
const LEX: &str = "Amazon Lex";
const XRAY: &str = "AWS X-Ray";
const VPC: &str = "Amazon VPC";
const DATA_TRANSFER: &str = "AWS Data Transfer";
const LOGS: &str = "Amazon CloudWatch Logs";
const KMS: &str = "AWS Key Management Service";
const SECRETS_MANAGER: &str = "AWS Secrets Manager";
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
            ServiceUsage::StepFunctions(_) => STEP_FUNCTIONS,
            ServiceUsage::Cognito(_) => COGNITO,
            ServiceUsage::CloudFront(_) => CLOUDFRONT,
            ServiceUsage::Lex(_) => LEX,
            ServiceUsage::XRay(_) => XRAY,
            ServiceUsage::Network(_) => VPC,
            ServiceUsage::Logs(_) => LOGS,
            ServiceUsage::Kms(_) => KMS,
            ServiceUsage::SecretsManager(_) => SECRETS_MANAGER,
            ServiceUsage::VpcEndpoint(_) => VPC,
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
    StepFunctionsTransitions,
    StepFunctionsExpressRequests,
    StepFunctionsExpressDuration,
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
    StepFunctionsTransitions,
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
        Pool::StepFunctionsTransitions => flat_spec(
            STEP_FUNCTIONS,
            "State transitions (Standard)".into(),
            &book.step_functions.state_transitions,
            FreeGroup::StepFunctionsTransitions,
        ),
        Pool::StepFunctionsExpressRequests => flat_spec(
            STEP_FUNCTIONS,
            "Express requests".into(),
            &book.step_functions.express_requests,
            FreeGroup::None,
        ),
        Pool::StepFunctionsExpressDuration => tiered_spec(
            STEP_FUNCTIONS,
            "Express duration".into(),
            &book.step_functions.express_duration,
            FreeGroup::None,
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
        FreeGroup::StepFunctionsTransitions => book
            .step_functions
            .free_tier
            .state_transitions
            .value
            .value(),
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
            ServiceUsage::StepFunctions(u) => self.step_functions(u)?,
            ServiceUsage::Cognito(u) => self.cognito(u)?,
            ServiceUsage::CloudFront(u) => self.cloudfront(u)?,
            ServiceUsage::Lex(u) => self.lex(u)?,
            ServiceUsage::XRay(u) => self.xray(u)?,
            ServiceUsage::Network(u) => self.network(u)?,
            ServiceUsage::Logs(u) => self.logs(u)?,
            ServiceUsage::Kms(u) => self.kms(u)?,
            ServiceUsage::SecretsManager(u) => self.secrets_manager(u)?,
            ServiceUsage::VpcEndpoint(u) => self.vpc_endpoint(u)?,
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
}
