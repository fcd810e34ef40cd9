//! A DynamoDB table: its properties, and its capacity as its callers meet
//! it: the item size that turns a request into read or write units, an
//! on-demand table's previous peak, the SDK retries a throttled request
//! goes through, and auto scaling.

use serde::{Deserialize, Serialize};

use super::Distribution;

/// A new on-demand table's previous peak, in request units per second:
/// "Newly created table with on-demand capacity mode: the previous peak is
/// 2,000 write request units or 6,000 read request units. You can drive up
/// to double the previous peak immediately" (Amazon DynamoDB Developer
/// Guide, "On-demand capacity mode: initial throughput").
pub const ON_DEMAND_INITIAL_PEAK_WRITES: u32 = 2_000;
pub const ON_DEMAND_INITIAL_PEAK_READS: u32 = 6_000;
/// Provisioned capacity left unused is kept for bursts, up to 300 s of it
/// (Amazon DynamoDB Developer Guide, "Burst capacity").
pub const DYNAMODB_BURST_S: u32 = 300;
/// An on-demand table may take double its previous peak at once; more
/// within 30 minutes may be throttled (Developer Guide, "Peak traffic and
/// scaling properties").
pub const ON_DEMAND_PEAK_WINDOW_S: u32 = 1_800;

/// DynamoDB auto scaling of one capacity dimension (Application Auto
/// Scaling target tracking on `DynamoDBReadCapacityUtilization` or
/// `...WriteCapacityUtilization`). As AWS's knowledge center states it:
/// capacity rises when the consumed share stays above the target for 2
/// consecutive minutes, and falls when it stays 20 points or more below
/// the target for 15 consecutive minutes; the new capacity is what puts
/// the consumption at the target, within `min_capacity..=max_capacity`.
/// A table's capacity may fall 4 times a day, then once an hour after an
/// hour without a decrease (DynamoDB quotas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CapacityScaling {
    pub min_capacity: u32,
    pub max_capacity: u32,
    /// Consumed share of the provisioned capacity to hold, percent (20-90).
    pub target_utilization_pct: f64,
}

impl Default for CapacityScaling {
    fn default() -> Self {
        Self {
            min_capacity: 5,
            max_capacity: 100,
            target_utilization_pct: 70.0,
        }
    }
}

/// Consecutive one-minute datapoints above the target before capacity rises.
pub const SCALE_OUT_MINUTES: u32 = 2;
/// Consecutive one-minute datapoints below the target before it falls.
pub const SCALE_IN_MINUTES: u32 = 15;
/// How far below the target (percentage points) consumption must stay for
/// capacity to fall.
pub const SCALE_IN_MARGIN_PCT: f64 = 20.0;
/// Decreases a table's capacity may take at any time in a UTC day; after
/// them, one an hour when the last hour had none.
pub const DECREASES_PER_DAY: u32 = 4;

/// The SDK's retries of a throttled request, as the AWS SDKs' standard
/// retry mode does them (AWS SDKs and Tools Reference Guide, "Retry
/// behavior"): at most `max_attempts` attempts in all (3), the i-th retry
/// after a delay drawn uniformly from 0 to `base_delay_ms` x 2^i (1 s),
/// never more than `max_backoff_ms` (20 s). Some SDKs' legacy modes retry
/// DynamoDB more often and sooner (boto3's: 10 retries from 50 ms): set
/// them here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SdkRetry {
    pub max_attempts: u32,
    pub base_delay_ms: f64,
    pub max_backoff_ms: f64,
}

impl Default for SdkRetry {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay_ms: 1_000.0,
            max_backoff_ms: 20_000.0,
        }
    }
}

/// Read units of one item read: 4 KB per unit, rounded up. Reads are
/// counted strongly consistent, as the bill has always counted them; an
/// eventually consistent read (the SDKs' default) takes half, so capacity
/// is planned on the safe side.
pub fn read_units(item_size_kb: f64) -> f64 {
    (item_size_kb.max(0.0) / 4.0).ceil().max(1.0)
}

/// Write units of one item written: 1 KB per unit, rounded up.
pub fn write_units(item_size_kb: f64) -> f64 {
    item_size_kb.max(0.0).ceil().max(1.0)
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DynamoDbBilling {
    #[default]
    OnDemand,
    Provisioned,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    #[default]
    NewAndOldImages,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DynamoDbTableProps {
    pub partition_key: String,
    pub sort_key: String,
    pub billing: DynamoDbBilling,
    pub read_capacity: u32,
    pub write_capacity: u32,
    /// The table's stream; `None` when streams are off.
    pub stream: Option<StreamView>,
    /// Latency a caller sees for one request.
    pub latency: Distribution,
    pub stored_gb: f64,
    /// The size of the item a request reads or writes, KB: a read takes
    /// a read unit per 4 KB (counted strongly consistent: an eventually
    /// consistent read would take half), a write a write unit per KB, each
    /// rounded up. `None`: 1 KB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_size_kb: Option<f64>,
    /// On demand: the table's previous peak, request units per second; it
    /// takes up to double at once. `None`: a new table's, 6,000 read and
    /// 2,000 write units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_peak_reads_per_s: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_peak_writes_per_s: Option<u32>,
    /// How the callers' SDK retries a throttled request; `None`: the AWS
    /// SDKs' standard retry mode ([`SdkRetry`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk_retry: Option<SdkRetry>,
    /// Auto scaling of the read and the write capacity (provisioned
    /// tables); `None`: fixed capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_scaling: Option<CapacityScaling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_scaling: Option<CapacityScaling>,
}

impl DynamoDbTableProps {
    pub fn item_size_kb(&self) -> f64 {
        self.item_size_kb.unwrap_or(1.0)
    }
    /// The previous peak (reads, writes), request units per second.
    pub fn previous_peak(&self) -> (u32, u32) {
        (
            self.previous_peak_reads_per_s
                .unwrap_or(ON_DEMAND_INITIAL_PEAK_READS),
            self.previous_peak_writes_per_s
                .unwrap_or(ON_DEMAND_INITIAL_PEAK_WRITES),
        )
    }
    pub fn sdk_retry(&self) -> SdkRetry {
        self.sdk_retry.clone().unwrap_or_default()
    }
}

impl Default for DynamoDbTableProps {
    fn default() -> Self {
        Self {
            partition_key: "pk".into(),
            sort_key: String::new(),
            billing: DynamoDbBilling::OnDemand,
            read_capacity: 5,
            write_capacity: 5,
            stream: None,
            latency: Distribution::Lognormal {
                mean_ms: 5.0,
                p99_ms: 15.0,
            },
            stored_gb: 1.0,
            item_size_kb: None,
            previous_peak_reads_per_s: None,
            previous_peak_writes_per_s: None,
            sdk_retry: None,
            read_scaling: None,
            write_scaling: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_per_4_kb_read_and_1_kb_written() {
        assert_eq!(read_units(1.0), 1.0);
        assert_eq!(read_units(4.0), 1.0);
        assert_eq!(read_units(4.5), 2.0);
        assert_eq!(write_units(1.0), 1.0);
        assert_eq!(write_units(1.5), 2.0);
        assert_eq!(write_units(0.1), 1.0);
    }
}
