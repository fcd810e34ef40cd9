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
    CapacityScaling, DECREASES_PER_DAY, DYNAMODB_BURST_S, DynamoDbBilling, DynamoDbTableProps,
    ON_DEMAND_PEAK_WINDOW_S, SCALE_IN_MARGIN_PCT, SCALE_IN_MINUTES, SCALE_OUT_MINUTES, read_units,
    write_units,
};

use archsim_model::connection::Access;

use super::events::Ev;
use super::{Behaviour, SEC, Simulation, Us};
use crate::rng::{Stream, uniform};
use crate::run::ScaleDecision;

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

    /// Capacity changed at `at`: the unused capacity kept for bursts stays
    /// (up to the new 300 s), and the rate is the new one from now on.
    fn set_capacity(&mut self, at: Us, capacity_units: u32) {
        let now = u128::from(at) * self.rate;
        let credit = self.burst - self.tat.saturating_sub(now).min(self.burst);
        let mut next = Provisioned::new(capacity_units);
        let now = u128::from(at) * next.rate;
        // A half unit is `HALF_UNIT` at any rate: the credit carries over.
        let credit = credit.min(next.burst);
        next.tat = now + next.burst - credit;
        *self = next;
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

/// Minutes of consumption kept by minute (the SDK's retries reach ahead).
const MINUTES: u64 = 256;

/// Auto scaling of one dimension of a provisioned table, evaluated at the
/// end of each minute on the units it consumed in that minute.
#[derive(Debug, Clone)]
struct Scaler {
    s: CapacityScaling,
    /// Consecutive minutes above the target, and well below it.
    above: u32,
    below: u32,
    /// Decreases in the current UTC day of the run, and the last one.
    day: u64,
    decreases: u32,
    last_decrease: Option<Us>,
}

#[derive(Debug, Clone)]
pub(super) struct Table {
    capacity: Capacity,
    /// Provisioned capacity now, (read, write) units per second.
    provisioned: [u32; 2],
    /// Auto scaling of reads and writes.
    scalers: [Option<Scaler>; 2],
    /// Units consumed by minute, modulo `MINUTES`.
    per_minute: Vec<[f64; 2]>,
    /// Capacity x time, unit-microseconds, and when it was last added.
    capacity_integral: [f64; 2],
    integral_at: Us,
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
        let provisioned = [p.read_capacity.max(1), p.write_capacity.max(1)];
        let provisioned_billing = p.billing == DynamoDbBilling::Provisioned;
        let scaler = |s: &Option<CapacityScaling>| {
            s.clone().filter(|_| provisioned_billing).map(|s| Scaler {
                s,
                above: 0,
                below: 0,
                day: 0,
                decreases: 0,
                last_decrease: None,
            })
        };
        Table {
            capacity,
            provisioned,
            scalers: [scaler(&p.read_scaling), scaler(&p.write_scaling)],
            per_minute: if p.read_scaling.is_some() || p.write_scaling.is_some() {
                vec![[0.0; 2]; MINUTES as usize]
            } else {
                Vec::new()
            },
            capacity_integral: [0.0; 2],
            integral_at: 0,
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
                if !self.per_minute.is_empty() {
                    let m = ((now + elapsed) / (60 * SEC)) % MINUTES;
                    self.per_minute[m as usize][usize::from(write)] += units;
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
    pub(super) fn restart(&mut self, now: Us) {
        self.c = TableCounters::default();
        self.account(now);
        self.capacity_integral = [0.0; 2];
    }

    /// Whether auto scaling changes its capacity.
    pub(super) fn scales(&self) -> bool {
        self.scalers.iter().any(Option::is_some)
    }

    fn account(&mut self, now: Us) {
        let dt = now.saturating_sub(self.integral_at) as f64;
        for d in 0..2 {
            self.capacity_integral[d] += f64::from(self.provisioned[d]) * dt;
        }
        self.integral_at = now;
    }

    /// Provisioned capacity over `[from, now]`, (read, write) units per
    /// second on average; `None` on demand.
    pub(super) fn mean_capacity(&self, from: Us, now: Us) -> Option<[f64; 2]> {
        if !matches!(self.capacity, Capacity::Provisioned { .. }) {
            return None;
        }
        let dt = now.saturating_sub(self.integral_at) as f64;
        let span = now.saturating_sub(from).max(1) as f64;
        Some(
            [0, 1]
                .map(|d| (self.capacity_integral[d] + f64::from(self.provisioned[d]) * dt) / span),
        )
    }

    /// The minute ending at `now` (a whole minute of the run): each
    /// scaled dimension's alarms, and the capacity changes they make as
    /// (dimension, from, to, reason).
    fn evaluate(&mut self, now: Us) -> Vec<(usize, u32, u32, String)> {
        let minute = (now / (60 * SEC)).saturating_sub(1) % MINUTES;
        let consumed = std::mem::take(&mut self.per_minute[minute as usize]);
        let mut out = Vec::new();
        for d in 0..2 {
            let Some(sc) = &mut self.scalers[d] else {
                continue;
            };
            let current = self.provisioned[d];
            let rate = consumed[d] / 60.0;
            let used_pct = 100.0 * rate / f64::from(current);
            let target = sc.s.target_utilization_pct.clamp(20.0, 90.0);
            if used_pct > target {
                sc.above += 1;
            } else {
                sc.above = 0;
            }
            if used_pct <= target - SCALE_IN_MARGIN_PCT {
                sc.below += 1;
            } else {
                sc.below = 0;
            }
            let wanted = ((rate * 100.0 / target).ceil() as u32)
                .clamp(sc.s.min_capacity.max(1), sc.s.max_capacity.max(1));
            let day = now / (86_400 * SEC);
            if day != sc.day {
                sc.day = day;
                sc.decreases = 0;
            }
            let may_decrease = sc.decreases < DECREASES_PER_DAY
                || sc.last_decrease.is_none_or(|t| now - t >= 3_600 * SEC);
            let to = if sc.above >= SCALE_OUT_MINUTES && wanted > current {
                Some(wanted)
            } else if sc.below >= SCALE_IN_MINUTES && wanted < current && may_decrease {
                sc.decreases += 1;
                sc.last_decrease = Some(now);
                Some(wanted)
            } else {
                None
            };
            if let Some(to) = to {
                sc.above = 0;
                sc.below = 0;
                let what = ["read", "write"][d];
                out.push((
                    d,
                    current,
                    to,
                    format!(
                        "DynamoDB auto scaling: {what} capacity, {rate:.1} units/s consumed = {used_pct:.0}% of {current} against target {target:.0}%"
                    ),
                ));
            }
        }
        if !out.is_empty() {
            self.account(now);
        }
        for &(d, _, to, _) in &out {
            self.provisioned[d] = to;
            if let Capacity::Provisioned { read, write } = &mut self.capacity {
                if d == 0 {
                    read.set_capacity(now, to);
                } else {
                    write.set_capacity(now, to);
                }
            }
        }
        out
    }
}

impl Simulation {
    /// A table's auto scaling, at the end of each minute.
    pub(super) fn on_table_scale_eval(&mut self, node: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Store { table: Some(t), .. } = &mut n.behaviour else {
            return;
        };
        let changes = t.evaluate(now);
        for (_, from, to, reason) in changes {
            n.c.scale_events += 1;
            self.decisions.push(ScaleDecision {
                at_s: now as f64 / SEC as f64,
                component: n.id.clone(),
                from,
                to,
                reason,
            });
        }
        self.push(now + 60 * SEC, Ev::TableScaleEval { node });
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
    fn a_capacity_change_keeps_the_unused_capacity_and_takes_the_new_rate() {
        // 10 units/s, full: 3,000 units kept. Half used, then 20 units/s.
        let mut b = Provisioned::new(10);
        assert_eq!((0..1_500).filter(|_| b.take(0, 2)).count(), 1_500);
        b.set_capacity(0, 20);
        assert_eq!((0..4_000).filter(|_| b.take(0, 2)).count(), 1_500);
        assert_eq!((0..100).filter(|_| b.take(SEC, 2)).count(), 20);
        // Down to 1 unit/s: what was kept is cut to the new 300 s.
        let mut b = Provisioned::new(10);
        b.set_capacity(0, 1);
        assert_eq!((0..4_000).filter(|_| b.take(0, 2)).count(), 300);
    }

    #[test]
    fn capacity_falls_four_times_a_day_then_once_an_hour() {
        let p = DynamoDbTableProps {
            billing: DynamoDbBilling::Provisioned,
            read_capacity: 1_000,
            read_scaling: Some(CapacityScaling {
                min_capacity: 1,
                max_capacity: 1_000,
                target_utilization_pct: 70.0,
            }),
            ..Default::default()
        };
        let mut t = Table::new(&p);
        // Nothing consumed: every 15 minutes capacity could fall (to the
        // minimum at once), so consumption that keeps it falling is fed:
        // each minute a little under the threshold of the capacity now.
        let mut falls = Vec::new();
        for minute in 1..=600u64 {
            let now = minute * 60 * SEC;
            let cap = f64::from(t.provisioned[0]);
            t.per_minute[((minute - 1) % MINUTES) as usize][0] = cap * 0.4 * 60.0;
            for (_, from, to, _) in t.evaluate(now) {
                assert!(to < from);
                falls.push(minute);
            }
        }
        // Four falls 15 minutes apart, then one an hour after the last.
        assert_eq!(&falls[..4], &[15, 30, 45, 60]);
        assert_eq!(&falls[4..6], &[120, 180]);
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
