//! Client arrivals: each traffic profile schedules its next request from
//! its rate curve (constant spacing, or thinning of a Poisson process) or
//! from its replayed trace, and a traffic change rescales it. A profile's
//! next arrival waits in the profile, not in the heap (one event pending
//! per profile, so a heap push and pop per client request are saved); the
//! event loop takes the earliest of the heap's, the tick's and these.

use super::events::Mode;
use super::{NONE, SEC, Simulation, Us, to_f64, to_us};
use crate::rng::{Sampler, Stream, exp1, uniform};
use crate::run::RequestTrace;
use crate::traffic::RateCurve;

/// One traffic profile of the scenario: where its requests enter and
/// when the next one comes.
pub(super) struct Profile {
    pub(super) entry: u32,
    pub(super) curve: Option<RateCurve>,
    pub(super) trace: Vec<(Us, u32)>,
    pub(super) pos: usize,
    pub(super) factor: f64,
    pub(super) path: u32,
    pub(super) work: Option<Sampler>,
    pub(super) rng: Stream,
    pub(super) last: Us,
    /// Constant pattern: when the current rate began.
    pub(super) origin: Us,
    /// Request plus response size, for load balancer LCUs.
    pub(super) bytes: u64,
    /// The next arrival (`Us::MAX`: none) and the sequence number it
    /// holds among events: it waits here, not in the heap.
    pub(super) next_at: Us,
    pub(super) next_seq: u64,
    /// The curve's peak rate times `factor` (requests/s) and the mean gap
    /// between candidate arrivals at that rate (µs), kept (`rescale`) so
    /// that drawing an arrival needs no division.
    pub(super) peak: f64,
    pub(super) mean_gap: f64,
}

impl Profile {
    /// Sets the traffic factor and what follows from it.
    pub(super) fn rescale(&mut self, factor: f64) {
        self.factor = factor;
        self.peak = self.curve.as_ref().map_or(0.0, RateCurve::peak) * factor;
        self.mean_gap = SEC as f64 / self.peak;
    }
}

impl Simulation {
    pub(super) fn schedule_next_arrival(&mut self, p: u32) {
        let end = self.end;
        let prof = &mut self.profiles[p as usize];
        let next = if let Some(curve) = &prof.curve {
            match curve {
                RateCurve::Constant(r) => {
                    let rate = r * prof.factor;
                    if rate <= 0.0 {
                        None
                    } else {
                        // The k-th arrival after the last rate change, from
                        // the exact spacing: rounding each gap would drift.
                        let k = prof.pos as f64;
                        prof.pos += 1;
                        Some(prof.origin + (k * SEC as f64 / rate).round() as Us)
                    }
                }
                _ => {
                    let (peak, mean_gap) = (prof.peak, prof.mean_gap);
                    if peak <= 0.0 {
                        None
                    } else {
                        // In microseconds.
                        let mut t = to_f64(prof.last);
                        let end = to_f64(end);
                        loop {
                            t += exp1(&mut prof.rng) * mean_gap;
                            if t > end {
                                break None;
                            }
                            // A homogeneous process keeps every candidate.
                            if matches!(curve, RateCurve::Poisson(_))
                                || uniform(&mut prof.rng) * peak
                                    <= curve.rate(t / SEC as f64) * prof.factor
                            {
                                break Some(to_us(t));
                            }
                        }
                    }
                }
            }
        } else {
            let mut found = None;
            while prof.pos < prof.trace.len() {
                let (at, _) = prof.trace[prof.pos];
                // A traffic change thins a replayed trace (factors above 1
                // cannot add requests that were never logged).
                if prof.factor >= 1.0 || uniform(&mut prof.rng) < prof.factor {
                    found = Some(at);
                    break;
                }
                prof.pos += 1;
            }
            found
        };
        // The run covers [0, end): an arrival at the end falls outside.
        prof.next_at = Us::MAX;
        if let Some(at) = next.filter(|&at| at < end) {
            prof.last = at;
            // Numbered as the heap numbers an event pushed now.
            self.seq += 1;
            prof.next_at = at;
            prof.next_seq = self.seq;
        }
        self.next_arrival = self.earliest_arrival();
    }

    /// The profile whose next arrival comes first: (time, sequence,
    /// profile), or time `Us::MAX` when none is due.
    fn earliest_arrival(&self) -> (Us, u64, u32) {
        let mut best = (Us::MAX, u64::MAX, NONE);
        for (i, p) in self.profiles.iter().enumerate() {
            if (p.next_at, p.next_seq) < (best.0, best.1) {
                best = (p.next_at, p.next_seq, i as u32);
            }
        }
        best
    }

    /// Profile `p`'s next arrival is due (it is the earliest event).
    pub(super) fn on_arrival(&mut self, p: u32) {
        let prof = &mut self.profiles[p as usize];
        let (entry, path) = if prof.curve.is_none() {
            let (_, path) = prof.trace[prof.pos];
            prof.pos += 1;
            (prof.entry, path)
        } else {
            (prof.entry, prof.path)
        };
        self.client_requests += 1;
        // One client request in `trace_every` (the 1st, then every
        // trace_every-th), counted down rather than divided.
        let sampled = self.client_requests == self.next_traced;
        if sampled {
            self.next_traced += self.trace_every;
        }
        let trace = if sampled && self.traces.len() < self.max_traces {
            self.traces.push(RequestTrace {
                entry: self.nodes[entry as usize].id.clone(),
                start_s: self.now as f64 / SEC as f64,
                segments: Vec::new(),
            });
            (self.traces.len() - 1) as u32
        } else {
            NONE
        };
        self.arrive_with(entry, NONE, Mode::Sync, path, p, trace);
        self.schedule_next_arrival(p);
    }
}
