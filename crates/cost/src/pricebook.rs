//! The price book: every rate the billing engine uses, as data.
//!
//! A book is one JSON file per region (`pricing/aws-<region>.json`), each
//! rate with its unit, the date it was read and its source. The books of
//! the eight regions in `archsim_model::REGIONS` are embedded in the binary
//! (us-east-1 is the default); [`PriceBook::load`] takes an extra file,
//! either a whole book (any region, the embedded ones included) or a
//! partial overrides file (same shape, only the rates to change) laid over
//! the embedded book. A value a book could not confirm for its region
//! carries `"confirmed": false` and a `note` saying where it came from
//! (e.g. "same as us-east-1"); [`crate::unconfirmed`] finds the ones a bill
//! depends on. Every book is validated on load: a bad one is an error naming
//! the file, the JSON path, the line when known, and what is wrong.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The region whose book is embedded and used by default.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Books compiled into the binary: (region, file name, text). The regions
/// are `archsim_model::REGIONS`, in that order (a test checks it), so
/// `archsim validate` and `archsim cost` agree on which regions exist.
const EMBEDDED_BOOKS: &[(&str, &str, &str)] = &[
    (
        "us-east-1",
        "pricing/aws-us-east-1.json",
        include_str!("../pricing/aws-us-east-1.json"),
    ),
    (
        "us-east-2",
        "pricing/aws-us-east-2.json",
        include_str!("../pricing/aws-us-east-2.json"),
    ),
    (
        "us-west-2",
        "pricing/aws-us-west-2.json",
        include_str!("../pricing/aws-us-west-2.json"),
    ),
    (
        "eu-west-1",
        "pricing/aws-eu-west-1.json",
        include_str!("../pricing/aws-eu-west-1.json"),
    ),
    (
        "eu-central-1",
        "pricing/aws-eu-central-1.json",
        include_str!("../pricing/aws-eu-central-1.json"),
    ),
    (
        "ap-southeast-1",
        "pricing/aws-ap-southeast-1.json",
        include_str!("../pricing/aws-ap-southeast-1.json"),
    ),
    (
        "ap-northeast-1",
        "pricing/aws-ap-northeast-1.json",
        include_str!("../pricing/aws-ap-northeast-1.json"),
    ),
    (
        "ap-south-1",
        "pricing/aws-ap-south-1.json",
        include_str!("../pricing/aws-ap-south-1.json"),
    ),
];

/// The only `format` this version reads.
const FORMAT: u32 = 1;

/// What went wrong reading a price book.
#[derive(Debug, thiserror::Error)]
pub enum PriceBookError {
    #[error("cannot read price book {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "price book {file} is invalid at `{path}`{location}: {message}. Fix that value (see pricing/aws-us-east-1.json for the expected shape)"
    )]
    Invalid {
        file: String,
        /// JSON path of the offending value, e.g. `lambda.duration_x86.tiers[1].up_to`.
        path: String,
        /// ", line L, column C" when the position in the file is known.
        location: Location,
        message: String,
    },
    #[error(
        "no price book for region `{region}`: known regions are {known}. Set the design's region to one of them, or pass a book for `{region}` with `archsim cost --prices FILE`"
    )]
    UnknownRegion { region: String, known: String },
}

/// Where in a file an error is, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " (line {line}, column {column})"),
            (Some(line), None) => write!(f, " (line {line})"),
            _ => Ok(()),
        }
    }
}

/// A price in USD: never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Usd(Decimal);

impl Usd {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Usd {
    type Error = String;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value.is_sign_negative() && !value.is_zero() {
            Err(format!(
                "price {value} is negative: prices are zero or more"
            ))
        } else {
            Ok(Usd(value))
        }
    }
}

impl From<Usd> for Decimal {
    fn from(value: Usd) -> Self {
        value.0
    }
}

/// A strictly positive quantity (divisors, unit sizes, allowances > 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Positive(Decimal);

impl Positive {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Positive {
    type Error = String;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value > Decimal::ZERO {
            Ok(Positive(value))
        } else {
            Err(format!("{value} must be greater than zero"))
        }
    }
}

impl From<Positive> for Decimal {
    fn from(value: Positive) -> Self {
        value.0
    }
}

/// A zero-or-more quantity (free allowances, percentages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct NonNegative(Decimal);

impl NonNegative {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for NonNegative {
    type Error = String;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value.is_sign_negative() && !value.is_zero() {
            Err(format!("{value} is negative: it must be zero or more"))
        } else {
            Ok(NonNegative(value))
        }
    }
}

impl From<NonNegative> for Decimal {
    fn from(value: NonNegative) -> Self {
        value.0
    }
}

/// A date read, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReadDate(String);

impl TryFrom<String> for ReadDate {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let bytes = value.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if shape_ok {
            Ok(ReadDate(value))
        } else {
            Err(format!("date `{value}` is not YYYY-MM-DD"))
        }
    }
}

impl From<ReadDate> for String {
    fn from(value: ReadDate) -> Self {
        value.0
    }
}

impl ReadDate {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One flat rate: `usd` for every `per` units of `unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub usd: Usd,
    #[serde(default = "one")]
    pub per: Positive,
    pub unit: String,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False when the value was not confirmed for this book's region (for
    /// example copied from us-east-1); `note` then says where it came from.
    /// Bills list the unconfirmed rates they use.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub confirmed: bool,
}

fn one() -> Positive {
    Positive(Decimal::ONE)
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// One price tier: applies to the monthly quantity up to `up_to`
/// (cumulative, from the previous tier's bound); `None` is unbounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub up_to: Option<Positive>,
    pub usd: Usd,
}

/// A tiered rate; tiers are validated to be in increasing order with only
/// the last one unbounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "TieredRateFields")]
pub struct TieredRate {
    pub tiers: Vec<Tier>,
    pub per: Positive,
    pub unit: String,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False when the value was not confirmed for this book's region (for
    /// example copied from us-east-1); `note` then says where it came from.
    /// Bills list the unconfirmed rates they use.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub confirmed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TieredRateFields {
    tiers: Vec<Tier>,
    #[serde(default = "one")]
    per: Positive,
    unit: String,
    date: ReadDate,
    source: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default = "yes")]
    confirmed: bool,
}

impl TryFrom<TieredRateFields> for TieredRate {
    type Error = String;
    fn try_from(f: TieredRateFields) -> Result<Self, Self::Error> {
        if f.tiers.is_empty() {
            return Err("`tiers` is empty: give at least one tier".into());
        }
        let last = f.tiers.len() - 1;
        let mut previous: Option<Decimal> = None;
        for (i, tier) in f.tiers.iter().enumerate() {
            match (tier.up_to, i == last) {
                (Some(_), true) => {
                    return Err(format!(
                        "tiers[{i}] is the last tier and has `up_to`: the last tier must be unbounded (`\"up_to\": null`)"
                    ));
                }
                (None, false) => {
                    return Err(format!(
                        "tiers[{i}] is unbounded (`up_to` null) but is not the last tier: tiers are out of order"
                    ));
                }
                (Some(bound), false) => {
                    if let Some(prev) = previous
                        && bound.value() <= prev
                    {
                        return Err(format!(
                            "tiers[{i}].up_to {} is not above tiers[{}].up_to {prev}: tiers are out of order",
                            bound.value(),
                            i - 1
                        ));
                    }
                    previous = Some(bound.value());
                }
                (None, true) => {}
            }
        }
        Ok(TieredRate {
            tiers: f.tiers,
            per: f.per,
            unit: f.unit,
            date: f.date,
            source: f.source,
            note: f.note,
            confirmed: f.confirmed,
        })
    }
}

/// A dated, sourced quantity that is not a price (allowances, minimums,
/// percentages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub value: NonNegative,
    pub unit: String,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False when the value was not confirmed for this book's region (for
    /// example copied from us-east-1); `note` then says where it came from.
    /// Bills list the unconfirmed rates they use.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaFreeTier {
    pub requests: Quantity,
    pub gb_seconds: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaPrices {
    pub requests: Rate,
    pub duration_x86: TieredRate,
    pub duration_arm: TieredRate,
    pub duration_legacy_100ms: Rate,
    pub ephemeral_storage: Rate,
    pub included_ephemeral_storage: Quantity,
    pub provisioned_concurrency_x86: Rate,
    pub provisioned_duration_x86: Rate,
    pub provisioned_concurrency_arm: Rate,
    pub provisioned_duration_arm: Rate,
    pub provisioned_billing_increment: Quantity,
    pub free_tier: LambdaFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FargatePrices {
    pub vcpu_x86: Rate,
    pub memory_x86: Rate,
    pub vcpu_arm: Rate,
    pub memory_arm: Rate,
    pub ephemeral_storage: Rate,
    pub included_ephemeral_storage: Quantity,
    pub minimum_billed_seconds: Quantity,
    pub spot_discount_percent: Quantity,
}

/// An EC2 instance type: its on-demand Linux price and its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceType {
    pub usd_per_hour: Usd,
    pub vcpu: Positive,
    pub memory_gib: Positive,
    pub architecture: String,
    #[serde(default)]
    pub gpus: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_model: Option<String>,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False when the value was not confirmed for this book's region (for
    /// example copied from us-east-1); `note` then says where it came from.
    /// Bills list the unconfirmed rates they use.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ec2Prices {
    pub minimum_billed_seconds: Quantity,
    pub instance_types: BTreeMap<String, InstanceType>,
}

/// How much of each dimension one ALB LCU covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbLcuDimensions {
    pub new_connections_per_second: Positive,
    pub active_connections_per_minute: Positive,
    pub gb_processed_per_hour: Positive,
    pub gb_processed_per_hour_lambda_targets: Positive,
    pub rule_evaluations_per_second: Positive,
    /// Rules processed per request that are free (the first 10).
    pub free_rules_per_request: NonNegative,
    pub date: ReadDate,
    pub source: String,
}

/// How much of each dimension one NLB NLCU covers (TCP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NlbNlcuDimensions {
    pub new_connections_per_second: Positive,
    pub active_connections_per_minute: Positive,
    pub gb_processed_per_hour: Positive,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElbPrices {
    pub alb_hour: Rate,
    pub alb_lcu_hour: Rate,
    pub nlb_hour: Rate,
    pub nlb_nlcu_hour: Rate,
    pub alb_lcu: AlbLcuDimensions,
    pub nlb_nlcu: NlbNlcuDimensions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayFreeTier {
    pub rest_requests: Quantity,
    pub http_requests: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayPrices {
    pub rest_requests: TieredRate,
    pub http_requests: TieredRate,
    pub free_tier: ApiGatewayFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EksPrices {
    pub cluster_hour_standard: Rate,
    pub cluster_hour_extended: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcrPrices {
    pub storage: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsFreeTier {
    pub requests: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqsPrices {
    pub standard_requests: TieredRate,
    pub fifo_requests: TieredRate,
    pub request_chunk_kb: Quantity,
    pub free_tier: SqsFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamoDbPrices {
    pub write_request_units: Rate,
    pub read_request_units: Rate,
    pub storage: Rate,
    pub provisioned_wcu_hour: Rate,
    pub provisioned_rcu_hour: Rate,
    pub stream_read_request_units: Rate,
    /// Continuous backups (point-in-time recovery), per GB-month of table.
    pub pitr_storage: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsPrices {
    /// A customer-managed key, per month (prorated by the hour).
    pub key_month: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsManagerPrices {
    /// A secret, per month (prorated).
    pub secret_month: Rate,
    /// API calls (`GetSecretValue` and the rest), per 10,000.
    pub api_calls: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Prices {
    pub storage_standard: Rate,
    pub put_requests: Rate,
    pub get_requests: Rate,
}

/// An RDS instance class: its Single-AZ on-demand price per engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdsInstanceType {
    pub postgres_usd_per_hour: Usd,
    pub mysql_usd_per_hour: Usd,
    pub date: ReadDate,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False when the prices were not confirmed for this book's region.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdsPrices {
    pub instance_types: BTreeMap<String, RdsInstanceType>,
    pub multi_az_factor: Quantity,
    pub storage_gp2: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuroraPrices {
    pub serverless_v2_acu_hour: Rate,
    pub storage: Rate,
    pub io_requests: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KinesisPrices {
    pub shard_hour: Rate,
    pub put_payload_units: Rate,
    pub put_payload_unit_kb: Quantity,
    pub on_demand_stream_hour: Rate,
    pub on_demand_data_in: Rate,
    pub on_demand_data_out: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirehosePrices {
    pub ingestion: TieredRate,
    pub record_rounding_kb: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsFreeTier {
    pub publishes: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsPrices {
    pub publishes: Rate,
    pub http_deliveries: Rate,
    pub email_deliveries: Rate,
    pub request_chunk_kb: Quantity,
    pub free_tier: SnsFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridgeFreeTier {
    pub scheduler_invocations: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridgePrices {
    pub custom_events: Rate,
    pub scheduler_invocations: Rate,
    pub archive_processed_gb: Rate,
    pub archive_storage_gb_month: Rate,
    pub pipe_requests: Rate,
    pub event_chunk_kb: Quantity,
    pub free_tier: EventBridgeFreeTier,
}

/// Standard workflows by state transition; Express by request and
/// duration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFunctionsPrices {
    pub state_transitions: Rate,
    pub express_requests: Rate,
    pub express_duration: TieredRate,
    pub free_tier: StepFunctionsFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFunctionsFreeTier {
    pub state_transitions: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CognitoFreeTier {
    pub monthly_active_users: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CognitoPrices {
    pub essentials_mau: Rate,
    pub free_tier: CognitoFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudFrontFreeTier {
    pub data_out_gb: Quantity,
    pub requests: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudFrontPrices {
    pub data_out: TieredRate,
    pub https_requests: Rate,
    pub free_tier: CloudFrontFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClbPrices {
    pub hour: Rate,
    pub gb_processed: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexPrices {
    pub text_requests: Rate,
    pub speech_requests: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XRayFreeTier {
    pub traces_recorded: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XRayPrices {
    pub traces_recorded: Rate,
    pub traces_retrieved: Rate,
    /// Default sampling: this many traces a second...
    pub sampling: Quantity,
    /// ...then this percentage of the rest.
    pub sampling_percent: Quantity,
    pub free_tier: XRayFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcPrices {
    pub nat_gateway_hour: Rate,
    pub nat_gateway_gb: Rate,
    pub public_ipv4_hour: Rate,
    /// An interface endpoint (AWS PrivateLink), per availability zone.
    pub interface_endpoint_az_hour: Rate,
    pub interface_endpoint_gb: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTransferFreeTier {
    pub internet_out_gb: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataTransferPrices {
    pub internet_out: TieredRate,
    pub inter_az: Rate,
    pub free_tier: DataTransferFreeTier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsFreeTier {
    pub gb: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsPrices {
    pub ingestion: Rate,
    pub storage: Rate,
    pub free_tier: LogsFreeTier,
}

/// A Savings Plan's discount on each service it covers, percent off the
/// on-demand rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlanDiscounts {
    pub lambda_percent: Quantity,
    pub fargate_percent: Quantity,
    pub ec2_percent: Quantity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlanPrices {
    pub compute_1y: SavingsPlanDiscounts,
    pub compute_3y: SavingsPlanDiscounts,
    /// EC2 Instance Savings Plans: only `ec2_percent` applies.
    pub ec2_instance_1y: SavingsPlanDiscounts,
    pub ec2_instance_3y: SavingsPlanDiscounts,
}

/// Every rate of one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBook {
    pub format: u32,
    pub region: String,
    pub currency: String,
    pub lambda: LambdaPrices,
    pub fargate: FargatePrices,
    pub ec2: Ec2Prices,
    pub elb: ElbPrices,
    pub api_gateway: ApiGatewayPrices,
    pub eks: EksPrices,
    pub ecr: EcrPrices,
    pub sqs: SqsPrices,
    pub dynamodb: DynamoDbPrices,
    pub s3: S3Prices,
    pub rds: RdsPrices,
    pub aurora: AuroraPrices,
    pub kinesis: KinesisPrices,
    pub firehose: FirehosePrices,
    pub sns: SnsPrices,
    pub eventbridge: EventBridgePrices,
    pub step_functions: StepFunctionsPrices,
    pub cognito: CognitoPrices,
    pub cloudfront: CloudFrontPrices,
    pub clb: ClbPrices,
    pub lex: LexPrices,
    pub xray: XRayPrices,
    pub vpc: VpcPrices,
    pub data_transfer: DataTransferPrices,
    pub cloudwatch_logs: LogsPrices,
    pub kms: KmsPrices,
    pub secrets_manager: SecretsManagerPrices,
    pub savings_plans: SavingsPlanPrices,
}

impl PriceBook {
    /// The embedded book of a region (us-east-1 is the one shipped).
    pub fn embedded(region: &str) -> Result<Self, PriceBookError> {
        let (_, file, text) = EMBEDDED_BOOKS
            .iter()
            .find(|(r, _, _)| *r == region)
            .ok_or_else(|| PriceBookError::UnknownRegion {
                region: region.to_string(),
                known: embedded_regions().join(", "),
            })?;
        Self::from_json(text, file)
    }

    /// The default book: the embedded us-east-1 one.
    pub fn default_book() -> Result<Self, PriceBookError> {
        Self::embedded(DEFAULT_REGION)
    }

    /// Parses and validates a book; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Self, PriceBookError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let book: PriceBook = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            PriceBookError::Invalid {
                file: file.to_string(),
                path,
                location: Location {
                    line: Some(inner.line()),
                    column: Some(inner.column()),
                },
                message: strip_position(&inner),
            }
        })?;
        book.check(file)?;
        Ok(book)
    }

    /// Reads and validates a book file.
    pub fn from_file(path: &Path) -> Result<Self, PriceBookError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PriceBookError::Read {
            file: file.clone(),
            source,
        })?;
        Self::from_json(&text, &file)
    }

    /// Loads `aws-<region>.json` from a directory of books.
    pub fn from_dir(dir: &Path, region: &str) -> Result<Self, PriceBookError> {
        let book = Self::from_file(&dir.join(format!("aws-{region}.json")))?;
        Ok(book)
    }

    /// The book to price a design of `region` with: the embedded one, or
    /// `prices` as well when given. `prices` is either a whole book (it has
    /// `format`; it replaces the embedded one and must be for `region`, which
    /// need not be embedded) or an overrides file laid over the embedded book
    /// (see [`PriceBook::with_overrides_json`]). Errors name the file and
    /// the place in it.
    pub fn load(region: &str, prices: Option<&Path>) -> Result<Self, PriceBookError> {
        let Some(path) = prices else {
            return Self::embedded(region);
        };
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PriceBookError::Read {
            file: file.clone(),
            source,
        })?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| PriceBookError::Invalid {
                file: file.clone(),
                path: ".".into(),
                location: Location {
                    line: Some(e.line()),
                    column: Some(e.column()),
                },
                message: strip_position(&e),
            })?;
        if value.get("format").is_none() {
            return Self::embedded(region)?.with_overrides_json(&text, &file);
        }
        let book = Self::from_json(&text, &file)?;
        if book.region != region {
            let line = text
                .lines()
                .position(|l| l.contains("\"region\""))
                .map(|i| i + 1);
            return Err(PriceBookError::Invalid {
                file,
                path: "region".into(),
                location: Location { line, column: None },
                message: format!(
                    "the book is for region `{}` but the design's region is `{region}`: pass the book of `{region}`, or set the design's region to `{}`",
                    book.region, book.region
                ),
            });
        }
        Ok(book)
    }

    /// JSON paths of every value the book marks `"confirmed": false`, in
    /// the book's order (e.g. `dynamodb.storage`,
    /// `ec2.instance_types.m5.large`).
    pub fn unconfirmed(&self) -> Vec<String> {
        self.unconfirmed_keys()
            .iter()
            .map(|keys| keys.join("."))
            .collect()
    }

    /// The keys leading to each unconfirmed value, from the book's root.
    pub(crate) fn unconfirmed_keys(&self) -> Vec<Vec<String>> {
        fn walk(value: &serde_json::Value, keys: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            if let serde_json::Value::Object(map) = value {
                if map.get("confirmed") == Some(&serde_json::Value::Bool(false)) {
                    out.push(keys.clone());
                }
                for (key, child) in map {
                    keys.push(key.clone());
                    walk(child, keys, out);
                    keys.pop();
                }
            }
        }
        let mut out = Vec::new();
        if let Ok(value) = serde_json::to_value(self) {
            walk(&value, &mut Vec::new(), &mut out);
        }
        out
    }

    /// Lays a partial book over this one: every value present in `text`
    /// replaces the same value here (objects merge key by key, arrays such
    /// as `tiers` are replaced whole). The result is validated like a book.
    pub fn with_overrides_json(&self, text: &str, file: &str) -> Result<Self, PriceBookError> {
        let overrides: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PriceBookError::Invalid {
                file: file.to_string(),
                path: ".".into(),
                location: Location {
                    line: Some(e.line()),
                    column: Some(e.column()),
                },
                message: strip_position(&e),
            })?;
        if !overrides.is_object() {
            return Err(PriceBookError::Invalid {
                file: file.to_string(),
                path: ".".into(),
                location: Location::default(),
                message: "an overrides file is a JSON object with the shape of a price book".into(),
            });
        }
        if let Some(region) = overrides.get("region")
            && region.as_str() != Some(self.region.as_str())
        {
            return Err(PriceBookError::Invalid {
                file: file.to_string(),
                path: "region".into(),
                location: Location::default(),
                message: format!(
                    "overrides are for region {region} but the book is for `{}`: load that region's book instead",
                    self.region
                ),
            });
        }
        let mut merged = serde_json::to_value(self).map_err(|e| PriceBookError::Invalid {
            file: file.to_string(),
            path: ".".into(),
            location: Location::default(),
            message: e.to_string(),
        })?;
        merge_json(&mut merged, overrides);
        let book: PriceBook =
            serde_path_to_error::deserialize(merged).map_err(|e| PriceBookError::Invalid {
                file: file.to_string(),
                path: e.path().to_string(),
                location: Location::default(),
                message: e.into_inner().to_string(),
            })?;
        book.check(file)?;
        Ok(book)
    }

    /// Reads an overrides file and lays it over this book.
    pub fn with_overrides_file(&self, path: &Path) -> Result<Self, PriceBookError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PriceBookError::Read {
            file: file.clone(),
            source,
        })?;
        self.with_overrides_json(&text, &file)
    }

    /// Checks what the types cannot: the format version and a percentage.
    fn check(&self, file: &str) -> Result<(), PriceBookError> {
        let invalid = |path: &str, message: String| PriceBookError::Invalid {
            file: file.to_string(),
            path: path.to_string(),
            location: Location::default(),
            message,
        };
        if self.format != FORMAT {
            return Err(invalid(
                "format",
                format!(
                    "format {} is not supported: this version reads format {FORMAT}",
                    self.format
                ),
            ));
        }
        if self.fargate.spot_discount_percent.value.value() > Decimal::ONE_HUNDRED {
            return Err(invalid(
                "fargate.spot_discount_percent.value",
                format!(
                    "{} is above 100: a discount is a percentage",
                    self.fargate.spot_discount_percent.value.value()
                ),
            ));
        }
        Ok(())
    }

    /// An instance type by API name (`m5.large`).
    pub fn instance_type(&self, name: &str) -> Option<&InstanceType> {
        self.ec2.instance_types.get(name)
    }

    /// Every EC2 instance type's on-demand USD an hour, for the
    /// simulator's `RunOptions::instance_prices` (what a Karpenter
    /// NodePool compares when it picks the cheapest type).
    pub fn instance_prices(&self) -> BTreeMap<String, f64> {
        self.ec2
            .instance_types
            .iter()
            .map(|(name, t)| (name.clone(), crate::money::to_f64(t.usd_per_hour.value())))
            .collect()
    }
}

/// The on-demand hourly prices of EC2 instance types in `region`'s
/// embedded book; empty for a region without one (a Karpenter run then
/// says in its notes that it had no prices).
///
/// ```
/// let prices = archsim_cost::pricebook::instance_prices("us-east-1");
/// assert!(prices["c5.large"] < prices["m5.large"]);
/// ```
pub fn instance_prices(region: &str) -> BTreeMap<String, f64> {
    PriceBook::embedded(region)
        .map(|b| b.instance_prices())
        .unwrap_or_default()
}

/// Regions with an embedded book.
pub fn embedded_regions() -> Vec<&'static str> {
    EMBEDDED_BOOKS.iter().map(|(r, _, _)| *r).collect()
}

/// serde_json appends " at line L column C" to messages; the error shows
/// the position on its own, so drop the duplicate.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn merge_json(base: &mut serde_json::Value, overrides: serde_json::Value) {
    match (base, overrides) {
        (serde_json::Value::Object(base), serde_json::Value::Object(overrides)) => {
            for (key, value) in overrides {
                match base.get_mut(&key) {
                    Some(slot) => merge_json(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "pricing/aws-us-east-1.json";

    fn embedded_text() -> &'static str {
        EMBEDDED_BOOKS[0].2
    }

    fn invalid_parts(err: PriceBookError) -> (String, String, Location, String) {
        match err {
            PriceBookError::Invalid {
                file,
                path,
                location,
                message,
            } => (file, path, location, message),
            other => panic!("expected Invalid, got {other}"),
        }
    }

    #[test]
    fn embedded_book_loads_with_spec_rates() {
        let book = PriceBook::default_book().expect("embedded book is valid");
        assert_eq!(book.region, "us-east-1");
        // Spot checks against SPEC-COST.md, written as text to stay exact.
        assert_eq!(book.lambda.requests.usd.value().to_string(), "0.2");
        assert_eq!(book.lambda.requests.per.value().to_string(), "1000000");
        assert_eq!(
            book.lambda.duration_x86.tiers[0].usd.value().to_string(),
            "0.0000166667"
        );
        assert_eq!(
            book.lambda.duration_arm.tiers[2].usd.value().to_string(),
            "0.0000106667"
        );
        assert_eq!(book.fargate.vcpu_x86.usd.value().to_string(), "0.000011244");
        assert_eq!(book.elb.alb_hour.usd.value().to_string(), "0.0225");
        assert_eq!(book.api_gateway.rest_requests.tiers.len(), 4);
        let g5 = book.instance_type("g5.xlarge").expect("g5.xlarge listed");
        assert_eq!(g5.usd_per_hour.value().to_string(), "1.006");
        assert_eq!(g5.gpus, 1);
    }

    #[test]
    fn embedded_books_are_the_model_regions() {
        // `archsim validate` (REGION_UNKNOWN) and `archsim cost` must agree.
        assert_eq!(embedded_regions(), archsim_model::REGIONS);
        for region in archsim_model::REGIONS {
            let book = PriceBook::embedded(region)
                .unwrap_or_else(|e| panic!("the {region} book does not load: {e}"));
            assert_eq!(book.region, *region);
            assert_eq!(book.currency, "USD");
        }
    }

    #[test]
    fn every_regional_book_has_the_us_east_1_keys() {
        fn keys(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
            if let serde_json::Value::Object(map) = value {
                for (k, v) in map {
                    // Marks and notes are per book; everything else is shape.
                    if k == "confirmed" || k == "note" {
                        continue;
                    }
                    let p = format!("{path}.{k}");
                    out.push(p.clone());
                    keys(v, &p, out);
                }
            }
        }
        let mut want = Vec::new();
        keys(
            &serde_json::from_str(embedded_text()).unwrap(),
            "",
            &mut want,
        );
        for (region, file, text) in EMBEDDED_BOOKS {
            let mut got = Vec::new();
            keys(&serde_json::from_str(text).unwrap(), "", &mut got);
            assert_eq!(
                got, want,
                "{file} ({region}) differs in shape from us-east-1"
            );
        }
    }

    #[test]
    fn unconfirmed_values_carry_a_note() {
        for (region, file, _) in EMBEDDED_BOOKS {
            let book = PriceBook::embedded(region).unwrap();
            let value = serde_json::to_value(&book).unwrap();
            let paths = book.unconfirmed();
            if *region != "us-east-1" {
                assert!(!paths.is_empty(), "{file}: nothing marked unconfirmed?");
            }
            for keys in book.unconfirmed_keys() {
                let leaf = keys.iter().fold(&value, |v, k| &v[k.as_str()]);
                let note = leaf["note"].as_str().unwrap_or_default();
                assert!(
                    !note.is_empty(),
                    "{file}: {} is unconfirmed without a note",
                    keys.join(".")
                );
            }
        }
    }

    #[test]
    fn confirmed_is_true_unless_said_and_not_written_when_true() {
        let book = PriceBook::default_book().unwrap();
        assert!(book.lambda.requests.confirmed);
        // us-east-1 marks the rates no stored source confirmed (RDS's
        // instance classes among them), and only those.
        let unconfirmed = book.unconfirmed();
        assert!(unconfirmed.contains(&"rds.instance_types.db.t3.micro".to_string()));
        assert!(!unconfirmed.iter().any(|p| p.starts_with("lambda.")));
        assert!(!unconfirmed.contains(&"vpc.nat_gateway_hour".to_string()));
        let text = serde_json::to_string(&book.lambda).unwrap();
        assert!(!text.contains("\"confirmed\":"), "written only when false");
        let eu = PriceBook::embedded("eu-central-1").unwrap();
        assert!(!eu.dynamodb.storage.confirmed);
        assert!(eu.unconfirmed().contains(&"dynamodb.storage".to_string()));
        assert!(
            eu.unconfirmed()
                .contains(&"ec2.instance_types.m5.large".to_string())
        );
    }

    #[test]
    fn non_numeric_price_names_path_and_line() {
        let text = embedded_text().replacen("\"usd\": 0.2,", "\"usd\": \"cheap\",", 1);
        let expected_line = text.lines().position(|l| l.contains("cheap")).unwrap() + 1;
        let (file, path, location, _) =
            invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(file, FILE);
        assert_eq!(path, "lambda.requests.usd");
        assert_eq!(location.line, Some(expected_line));
    }

    #[test]
    fn a_regional_book_with_a_bad_value_names_its_file() {
        let (_, file, text) = EMBEDDED_BOOKS[3];
        let text = text.replacen("\"usd\": 0.0225", "\"usd\": -0.0225", 1);
        let text = if text.contains("-0.0225") {
            text
        } else {
            text.replacen("\"usd\": 0.0252,", "\"usd\": -0.0252,", 1)
        };
        let err = PriceBook::from_json(&text, file).unwrap_err().to_string();
        assert!(
            err.contains(file) && err.contains("elb.alb_hour.usd"),
            "{err}"
        );
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn load_takes_a_whole_book_or_overrides() {
        let dir = tempfile::tempdir().unwrap();
        // A whole book for a region that is not embedded.
        let sa = embedded_text().replace("\"us-east-1\"", "\"sa-east-1\"");
        let sa_path = dir.path().join("aws-sa-east-1.json");
        std::fs::write(&sa_path, &sa).unwrap();
        let book = PriceBook::load("sa-east-1", Some(&sa_path)).unwrap();
        assert_eq!(book.region, "sa-east-1");
        // ...for another region than the design's: refused, naming both.
        let err = PriceBook::load("eu-west-1", Some(&sa_path)).unwrap_err();
        let shown = err.to_string();
        let (file, path, location, message) = invalid_parts(err);
        assert_eq!(file, sa_path.display().to_string());
        assert_eq!(path, "region");
        assert_eq!(location.line, Some(3));
        assert!(
            message.contains("sa-east-1") && message.contains("eu-west-1"),
            "{shown}"
        );
        // Overrides (no `format`) are laid over the embedded book.
        let o = dir.path().join("o.json");
        std::fs::write(&o, r#"{ "s3": { "get_requests": { "usd": 0.001 } } }"#).unwrap();
        let book = PriceBook::load("eu-central-1", Some(&o)).unwrap();
        assert_eq!(book.region, "eu-central-1");
        assert_eq!(book.s3.get_requests.usd.value().to_string(), "0.001");
        assert_eq!(
            book.s3.put_requests,
            PriceBook::embedded("eu-central-1").unwrap().s3.put_requests
        );
        // No file: the embedded book; an unknown region names the way out.
        let err = PriceBook::load("sa-east-1", None).unwrap_err().to_string();
        assert!(err.contains("--prices FILE"), "{err}");
        // Bad JSON names the file and line.
        std::fs::write(&o, "{\n  \"format\": 1,\n  nope\n}").unwrap();
        let (file, _, location, _) =
            invalid_parts(PriceBook::load("us-east-1", Some(&o)).unwrap_err());
        assert_eq!(file, o.display().to_string());
        assert_eq!(location.line, Some(3));
    }

    #[test]
    fn unknown_region_names_the_known_ones() {
        let err = PriceBook::embedded("eu-west-9").unwrap_err().to_string();
        assert!(
            err.contains("eu-west-9") && err.contains("us-east-1"),
            "{err}"
        );
    }

    #[test]
    fn bad_json_names_file_and_line() {
        let (file, _, location, _) = invalid_parts(
            PriceBook::from_json("{\n  \"format\": 1,\n  oops\n}", "x.json").unwrap_err(),
        );
        assert_eq!(file, "x.json");
        assert_eq!(location.line, Some(3));
    }

    #[test]
    fn negative_price_names_path_and_line() {
        let text = embedded_text().replacen("\"usd\": 0.2,", "\"usd\": -0.2,", 1);
        let expected_line = text.lines().position(|l| l.contains("-0.2")).unwrap() + 1;
        let err = PriceBook::from_json(&text, FILE).unwrap_err();
        let shown = err.to_string();
        let (file, path, location, message) = invalid_parts(err);
        assert_eq!(file, FILE);
        assert_eq!(path, "lambda.requests.usd");
        assert!(message.contains("negative"), "{message}");
        // serde_json reports the position after the value: same line.
        assert_eq!(location.line, Some(expected_line));
        assert!(
            shown.contains("lambda.requests.usd") && shown.contains(FILE),
            "{shown}"
        );
    }

    #[test]
    fn missing_rate_names_its_parent_and_field() {
        let mut value: serde_json::Value = serde_json::from_str(embedded_text()).unwrap();
        value["fargate"]
            .as_object_mut()
            .unwrap()
            .remove("memory_arm");
        let text = serde_json::to_string_pretty(&value).unwrap();
        let (_, path, _, message) = invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(path, "fargate");
        assert!(message.contains("missing field `memory_arm`"), "{message}");
    }

    #[test]
    fn tiers_out_of_order_are_rejected() {
        let mut value: serde_json::Value = serde_json::from_str(embedded_text()).unwrap();
        value["lambda"]["duration_x86"]["tiers"][1]["up_to"] = serde_json::json!(5_000_000_000u64);
        let text = serde_json::to_string_pretty(&value).unwrap();
        let (_, path, location, message) =
            invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(path, "lambda.duration_x86");
        assert!(location.line.is_some());
        assert!(
            message.contains("tiers[1].up_to 5000000000 is not above tiers[0].up_to 6000000000"),
            "{message}"
        );
    }

    #[test]
    fn unbounded_middle_tier_is_rejected() {
        let mut value: serde_json::Value = serde_json::from_str(embedded_text()).unwrap();
        value["api_gateway"]["http_requests"]["tiers"][0]["up_to"] = serde_json::Value::Null;
        let text = serde_json::to_string(&value).unwrap();
        let (_, path, _, message) = invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(path, "api_gateway.http_requests");
        assert!(message.contains("out of order"), "{message}");
    }

    #[test]
    fn bad_date_and_unknown_field_are_rejected() {
        let text =
            embedded_text().replacen("\"date\": \"2026-11-01\"", "\"date\": \"Nov 2026\"", 1);
        let (_, path, _, message) = invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(path, "lambda.requests.date");
        assert!(message.contains("YYYY-MM-DD"), "{message}");

        let text = embedded_text().replacen("\"usd\": 0.2,", "\"usd\": 0.2, \"usd_typo\": 1,", 1);
        let (_, path, _, _) = invalid_parts(PriceBook::from_json(&text, FILE).unwrap_err());
        assert_eq!(path, "lambda.requests.usd_typo");
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let book = PriceBook::default_book().unwrap();
        let overridden = book
            .with_overrides_json(
                r#"{ "fargate": { "spot_discount_percent": { "value": 55 } },
                     "lambda": { "requests": { "usd": 0.15, "source": "negotiated", "date": "2026-12-01" } } }"#,
                "my-overrides.json",
            )
            .unwrap();
        assert_eq!(
            overridden.fargate.spot_discount_percent.value.value(),
            Decimal::from(55)
        );
        assert_eq!(overridden.lambda.requests.usd.value().to_string(), "0.15");
        assert_eq!(overridden.lambda.requests.unit, "request");
        assert_eq!(overridden.lambda.duration_x86, book.lambda.duration_x86);
    }

    #[test]
    fn bad_overrides_name_the_overrides_file_and_path() {
        let book = PriceBook::default_book().unwrap();
        let (file, path, _, message) = invalid_parts(
            book.with_overrides_json(
                r#"{ "s3": { "get_requests": { "usd": -1 } } }"#,
                "my-overrides.json",
            )
            .unwrap_err(),
        );
        assert_eq!(file, "my-overrides.json");
        assert_eq!(path, "s3.get_requests.usd");
        assert!(message.contains("negative"), "{message}");

        let (_, path, _, message) = invalid_parts(
            book.with_overrides_json(
                r#"{ "fargate": { "spot_discount_percent": { "value": 170 } } }"#,
                "o.json",
            )
            .unwrap_err(),
        );
        assert_eq!(path, "fargate.spot_discount_percent.value");
        assert!(message.contains("above 100"), "{message}");

        let (_, path, _, _) = invalid_parts(
            book.with_overrides_json(r#"{ "region": "eu-west-1" }"#, "o.json")
                .unwrap_err(),
        );
        assert_eq!(path, "region");
    }

    #[test]
    fn books_load_from_a_directory_by_region() {
        let dir = tempfile::tempdir().unwrap();
        let text = embedded_text().replace("us-east-1", "eu-test-1");
        std::fs::write(dir.path().join("aws-eu-test-1.json"), text).unwrap();
        let book = PriceBook::from_dir(dir.path(), "eu-test-1").unwrap();
        assert_eq!(book.region, "eu-test-1");
        let err = PriceBook::from_dir(dir.path(), "ap-nowhere-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("aws-ap-nowhere-1.json"), "{err}");
    }
}
