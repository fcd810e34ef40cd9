//! DynamoDB capacity: a request's read or write units against the
//! table's provisioned capacity (with up to 300 s of unused capacity kept
//! for bursts) or, on demand, against double its previous peak; a
//! throttled request is retried by the caller's SDK with exponential
//! backoff and jitter, and fails once its attempts are spent.
//!
//! Store calls are inline (the handler's latency is drawn when it
//! starts), so a retry's capacity is taken at the retry's own time when
//! the call is made: capacity is reserved in the order calls are made,
//! which can differ from the order of the attempts' times by at most the
//! backoff. The totals (units admitted per second, per burst) are exact.

use archsim_model::component::{
    DYNAMODB_BURST_S, DynamoDbBilling, DynamoDbTableProps, ON_DEMAND_PEAK_WINDOW_S, read_units,
    write_units,
};

use archsim_model::connection::Access;

use super::{SEC, Us};
use crate::rng::{Stream, uniform};

/// Provisioned capacity as a token bucket of `DYNAMODB_BURST_S` seconds of
/// capacity, full at the start, in exact integers (the generic cell rate
/// algorithm): time is scaled by the rate, so a half unit costs 10^6.
#[derive(Debug, Clone)]
struct Provisioned {
    /// Half units per second.
    rate: u128,
    /// The theoretical arrival time of the next half unit, scaled.
    tat: u128,
    burst: u128,
}

const HALF_UNIT: u128 = 1_000_000;

impl Provisioned {
    fn new(capacity_units: u32) -> Self {
        let rate = 2 * u128::from(capacity_units.max(1));
        Provisioned {
            rate,
            tat: 0,
            burst: rate * u128::from(DYNAMODB_BURST_S) * HALF_UNIT,
        }
    }

    fn take(&mut self, at: Us, half_units: u64) -> bool {
        let now = u128::from(at) * self.rate;
        let next = self.tat.max(now) + u128::from(half_units) * HALF_UNIT;
        if next - now <= self.burst {
            self.tat = next;
            true
        } else {
            false
        }
    }
}

/// Seconds of on-demand consumption kept: the peak window plus the
/// longest an SDK's retries can reach ahead (20 attempts of 300 s).
const RING: u64 = 8_192;

/// On demand: each second takes up to double the previous peak (reads
/// and writes in any linear combination, as AWS states it); a second's
/// consumption counts toward the peak once it is 30 minutes old.
#[derive(Debug, Clone)]
struct OnDemand {
    /// Previous peak, (read, write) units per second.
    peak: [f64; 2],
    /// Its limits as `set_limits` writes them.
    limits: [f64; 3],
    /// Units consumed per second, by second modulo `RING`.
    seconds: Vec<[f64; 2]>,
    /// Seconds before this have been folded into the peak.
    folded: u64,
}

impl OnDemand {
    fn new(reads: u32, writes: u32) -> Self {
        let mut d = OnDemand {
            peak: [f64::from(reads.max(1)), f64::from(writes.max(1))],
            limits: [0.0; 3],
            seconds: vec![[0.0; 2]; RING as usize],
            folded: 0,
        };
        d.set_limits();
        d
    }

    /// `reads / 2R + writes / 2W <= 1` as `reads 2W + writes 2R <= 4RW`:
    /// units and peaks are multiples of a half, so this is exact.
    fn set_limits(&mut self) {
        let (r, w) = (2.0 * self.peak[0], 2.0 * self.peak[1]);
        self.limits = [w, r, r * w];
    }

    #[cold]
    fn fold(&mut self, s: u64) {
        while self.folded + u64::from(ON_DEMAND_PEAK_WINDOW_S) <= s {
            let slot = &mut self.seconds[(self.folded % RING) as usize];
            self.peak[0] = self.peak[0].max(slot[0]);
            self.peak[1] = self.peak[1].max(slot[1]);
            *slot = [0.0; 2];
            self.folded += 1;
        }
        self.set_limits();
    }

    #[inline]
    fn take(&mut self, at: Us, write: bool, units: f64) -> bool {
        let s = at / SEC;
        if self.folded + u64::from(ON_DEMAND_PEAK_WINDOW_S) <= s {
            self.fold(s);
        }
        let [a, b, most] = self.limits;
        let slot = &mut self.seconds[(s % RING) as usize];
        let (r, w) = if write {
            (slot[0], slot[1] + units)
        } else {
            (slot[0] + units, slot[1])
        };
        if r * a + w * b <= most {
            *slot = [r, w];
            true
        } else {
            false
        }
    }
}

#[derive(Debug, Clone)]
enum Capacity {
    Provisioned {
        read: Provisioned,
        write: Provisioned,
    },
    OnDemand(Box<OnDemand>),
}

/// What a table did, for the run's output.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TableCounters {
    pub(super) read_units: f64,
    pub(super) write_units: f64,
    pub(super) reads: u64,
    pub(super) writes: u64,
    /// Attempts refused with a throughput exception.
    pub(super) throttled_attempts: u64,
    pub(super) retries: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Table {
    capacity: Capacity,
    read_half_units: u64,
    write_half_units: u64,
    max_attempts: u32,
    base_delay: f64,
    max_backoff: f64,
    /// Whether a read-write connection's next call reads.
    read_write_turn: bool,
    pub(super) c: TableCounters,
}

/// The outcome of one call, retries included.
pub(super) struct Call {
    /// Time from the first attempt to the last answer.
    pub(super) latency: Us,
    pub(super) ok: bool,
}

impl Table {
    pub(super) fn new(p: &DynamoDbTableProps) -> Table {
        let capacity = match p.billing {
            DynamoDbBilling::Provisioned => Capacity::Provisioned {
                read: Provisioned::new(p.read_capacity),
                write: Provisioned::new(p.write_capacity),
            },
            DynamoDbBilling::OnDemand => {
                let (reads, writes) = p.previous_peak();
                Capacity::OnDemand(Box::new(OnDemand::new(reads, writes)))
            }
        };
        let retry = p.sdk_retry();
        let size = p.item_size_kb();
        Table {
            capacity,
            read_half_units: (read_units(size) * 2.0) as u64,
            write_half_units: (write_units(size) * 2.0) as u64,
            max_attempts: retry.max_attempts.clamp(1, 20),
            base_delay: retry.base_delay_ms.max(0.0) * 1e3,
            max_backoff: retry.max_backoff_ms.clamp(0.0, 300_000.0) * 1e3,
            read_write_turn: false,
            c: TableCounters::default(),
        }
    }

    pub(super) fn billing(&self) -> &'static str {
        match self.capacity {
            Capacity::Provisioned { .. } => "provisioned",
            Capacity::OnDemand(_) => "on_demand",
        }
    }

    fn take(&mut self, at: Us, write: bool) -> bool {
        let half = if write {
            self.write_half_units
        } else {
            self.read_half_units
        };
        match &mut self.capacity {
            Capacity::Provisioned { read, write: w } => {
                if write {
                    w.take(at, half)
                } else {
                    read.take(at, half)
                }
            }
            Capacity::OnDemand(d) => d.take(at, write, half as f64 / 2.0),
        }
    }

    /// One call made at `now`: each attempt takes `latency()`; a throttled
    /// one is retried after a delay drawn uniformly from 0 to base x 2^i
    /// (at most the maximum backoff), the SDKs' standard mode.
    pub(super) fn call(
        &mut self,
        now: Us,
        access: Access,
        rng: &mut Stream,
        mut latency: impl FnMut(&mut Stream) -> Us,
    ) -> Call {
        // A read-write connection's calls are half reads, half writes, in
        // turn (as the bill counts them).
        let write = match access {
            Access::Read => false,
            Access::Write => true,
            Access::ReadWrite => {
                self.read_write_turn = !self.read_write_turn;
                !self.read_write_turn
            }
        };
        let mut elapsed: Us = 0;
        for attempt in 0..self.max_attempts {
            let lat = latency(rng);
            if self.take(now + elapsed, write) {
                let units = if write {
                    self.c.writes += 1;
                    self.write_half_units
                } else {
                    self.c.reads += 1;
                    self.read_half_units
                };
                let units = units as f64 / 2.0;
                if write {
                    self.c.write_units += units;
                } else {
                    self.c.read_units += units;
                }
                return Call {
                    latency: elapsed + lat,
                    ok: true,
                };
            }
            // The exception comes back after a round trip.
            self.c.throttled_attempts += 1;
            elapsed += lat;
            if attempt + 1 < self.max_attempts {
                let cap =
                    (self.base_delay * f64::from(1u32 << attempt.min(30))).min(self.max_backoff);
                elapsed += (uniform(rng) * cap) as Us;
                self.c.retries += 1;
            }
        }
        Call {
            latency: elapsed,
            ok: false,
        }
    }

    /// The warm-up is over: counts start again, capacity state is kept.
    pub(super) fn restart(&mut self) {
        self.c = TableCounters::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provisioned_bucket_holds_300_seconds_of_capacity_then_the_rate() {
        // 10 units/s: 3,000 at once, then 10 a second.
        let mut b = Provisioned::new(10);
        let taken = (0..4_000).filter(|_| b.take(0, 2)).count();
        assert_eq!(taken, 3_000);
        let taken = (0..100).filter(|_| b.take(SEC, 2)).count();
        assert_eq!(taken, 10);
        // Half units (what an eventually consistent read would take).
        let mut b = Provisioned::new(1);
        assert_eq!((0..1_000).filter(|_| b.take(0, 1)).count(), 600);
    }

    #[test]
    fn on_demand_takes_double_the_previous_peak_in_any_mix() {
        let mut d = OnDemand::new(600, 200);
        // 400 writes a second, or 1,200 reads, or half of each.
        assert_eq!((0..1_000).filter(|_| d.take(0, true, 1.0)).count(), 400);
        assert_eq!(
            (0..2_000).filter(|_| d.take(SEC, false, 1.0)).count(),
            1_200
        );
        let w = (0..200).filter(|_| d.take(2 * SEC, true, 1.0)).count();
        let r = (0..1_000).filter(|_| d.take(2 * SEC, false, 1.0)).count();
        assert_eq!((w, r), (200, 600));
        // Thirty minutes after the 400-write second, 800 a second.
        let at = u64::from(ON_DEMAND_PEAK_WINDOW_S) * SEC;
        assert_eq!((0..1_000).filter(|_| d.take(at, true, 1.0)).count(), 800);
    }
}
