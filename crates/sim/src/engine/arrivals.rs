//! Client arrivals: each traffic profile schedules its next request from
//! its rate curve (constant spacing, or thinning of a Poisson process) or
//! from its replayed trace, and a traffic change rescales it.

use super::events::{Ev, Mode};
use super::{NONE, SEC, Simulation, Us};
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
    pub(super) generation: u32,
    pub(super) path: u32,
    pub(super) work: Option<Sampler>,
    pub(super) rng: Stream,
    pub(super) last: Us,
    /// Constant pattern: when the current rate began.
    pub(super) origin: Us,
    /// Request plus response size, for load balancer LCUs.
    pub(super) bytes: u64,
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
                    let peak = curve.peak() * prof.factor;
                    if peak <= 0.0 {
                        None
                    } else {
                        let mut t = prof.last as f64 / SEC as f64;
                        let end_s = end as f64 / SEC as f64;
                        loop {
                            t += exp1(&mut prof.rng) / peak;
                            if t > end_s {
                                break None;
                            }
                            // A homogeneous process keeps every candidate.
                            if matches!(curve, RateCurve::Poisson(_))
                                || uniform(&mut prof.rng) * peak <= curve.rate(t) * prof.factor
                            {
                                break Some((t * SEC as f64) as Us);
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
        if let Some(at) = next.filter(|&at| at < end) {
            let generation = prof.generation;
            prof.last = at;
            self.push(
                at,
                Ev::Arrival {
                    profile: p,
                    generation,
                },
            );
        }
    }

    pub(super) fn on_arrival(&mut self, p: u32, generation: u32) {
        let prof = &mut self.profiles[p as usize];
        if prof.generation != generation {
            return;
        }
        let (entry, path) = if prof.curve.is_none() {
            let (_, path) = prof.trace[prof.pos];
            prof.pos += 1;
            (prof.entry, path)
        } else {
            (prof.entry, prof.path)
        };
        self.client_requests += 1;
        let trace = if self.traces.len() < self.max_traces
            && (self.client_requests - 1).is_multiple_of(self.trace_every)
        {
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
