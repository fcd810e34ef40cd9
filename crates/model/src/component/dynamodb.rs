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
