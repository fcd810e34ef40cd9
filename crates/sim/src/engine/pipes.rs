//! EventBridge Pipes: a pipe polls its source with the same pollers as a
//! Lambda event source mapping (`queue.rs` hands it batches), drops the
//! share of events its filters do not match (deleted from the source, not
//! billed), calls its enrichment synchronously, then delivers the batch:
//! a synchronous target (a function invoked REQUEST_RESPONSE, an API)
//! holds the batch until it answers, and a failure returns the batch to
//! the source; queues, topics, buses and streams receive one message per
//! event, an asynchronous target one invocation per batch.

use archsim_model::Design;
use archsim_model::component::{Component, PipeProps};
use archsim_model::connection::{ConnectionKind, InvokeMode};

use super::build::index_of;
use super::events::{ErrKind, Mode, Outcome};
use super::{Behaviour, NONE, Simulation};
use crate::rng::uniform;

/// Where a batch is in its pipe (the batch request's `step`).
const ENRICHING: u16 = 1;
const DELIVERING: u16 = 2;

pub(super) struct Pipe {
    /// Share of events the filters let through.
    matching: f64,
    /// The enrichment (`Uses`), or `NONE`.
    enrichment: u32,
    /// The synchronous target, or `NONE` (asynchronous targets and
    /// publish targets are the node's `async_calls` and `publishes`).
    sync_target: u32,
}

impl Pipe {
    pub(super) fn build(design: &Design, comp: &Component, p: &PipeProps, ids: &[&str]) -> Pipe {
        let mut pipe = Pipe {
            matching: p.matching_share.clamp(0.0, 1.0),
            enrichment: NONE,
            sync_target: NONE,
        };
        for (conn, to) in design.outgoing(&comp.id) {
            let Some(t) = index_of(ids, &to.id) else {
                continue;
            };
            match conn.kind {
                ConnectionKind::Uses { .. } => pipe.enrichment = t,
                ConnectionKind::Invoke {
                    mode: InvokeMode::Sync,
                } => pipe.sync_target = t,
                _ => {}
            }
        }
        pipe
    }
}

impl Simulation {
    fn pipe(&self, node: u32) -> &Pipe {
        match &self.nodes[node as usize].behaviour {
            Behaviour::Pipe(p) => p,
            _ => unreachable!("not a pipe"),
        }
    }

    /// A batch from the source: filtered, then enriched or delivered.
    pub(super) fn pipe_batch(&mut self, b: u32) {
        let node = self.reqs[b as usize].node;
        let now = self.now;
        self.nodes[node as usize].concurrency.inc(now);
        let matching = self.pipe(node).matching;
        let mut events = 0u32;
        let mut m = self.reqs[b as usize].link;
        while m != NONE {
            let n = &mut self.nodes[node as usize];
            if uniform(&mut n.rng) < matching {
                events += 1;
            }
            m = self.reqs[m as usize].link;
        }
        if events == 0 {
            // Nothing matched: the source's messages are deleted.
            self.pipe_done(b, Outcome::Ok);
            return;
        }
        // Pipes bills the events that pass its filters.
        self.nodes[node as usize].billed_requests += u64::from(events);
        self.reqs[b as usize].errors = events.min(u32::from(u16::MAX)) as u16;
        let enrichment = self.pipe(node).enrichment;
        if enrichment != NONE {
            self.reqs[b as usize].step = ENRICHING;
            self.call(b, enrichment);
        } else {
            self.pipe_deliver(b);
        }
    }

    fn pipe_deliver(&mut self, b: u32) {
        let req = self.reqs[b as usize];
        let node = req.node as usize;
        let target = self.pipe(req.node).sync_target;
        if target != NONE {
            self.reqs[b as usize].step = DELIVERING;
            self.call(b, target);
            return;
        }
        for i in 0..self.nodes[node].async_calls.len() {
            let t = self.nodes[node].async_calls[i];
            self.arrive(t, NONE, Mode::Async, req.path, NONE);
        }
        for i in 0..self.nodes[node].publishes.len() {
            let t = self.nodes[node].publishes[i];
            let mode = if matches!(self.nodes[t as usize].behaviour, Behaviour::Queue(_)) {
                Mode::Message
            } else {
                Mode::Async
            };
            for _ in 0..req.errors {
                self.arrive(t, NONE, mode, req.path, NONE);
            }
        }
        self.pipe_done(b, Outcome::Ok);
    }

    /// The enrichment or the synchronous target answered.
    pub(super) fn pipe_returned(&mut self, b: u32, outcome: Outcome) {
        match (self.reqs[b as usize].step, outcome) {
            (ENRICHING, Outcome::Ok) => self.pipe_deliver(b),
            (_, Outcome::Ok) => self.pipe_done(b, Outcome::Ok),
            (_, Outcome::Throttled) => self.pipe_done(b, Outcome::Throttled),
            (_, Outcome::Error(_)) => self.pipe_done(b, Outcome::Error(ErrKind::Bad502)),
        }
    }

    /// The batch is over: its messages are deleted from the source, or
    /// return to it to be retried.
    fn pipe_done(&mut self, b: u32, outcome: Outcome) {
        self.batch_done(b, outcome == Outcome::Ok);
        self.finish(b, outcome);
    }
}
