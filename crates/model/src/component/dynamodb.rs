//! A DynamoDB table's capacity as its callers meet it: the item size that
//! turns a request into read or write units, an on-demand table's
//! previous peak, and the SDK retries a throttled request goes through.

use serde::{Deserialize, Serialize};

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
