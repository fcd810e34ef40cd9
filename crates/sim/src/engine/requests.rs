//! A request's path through the design: it arrives at a component, the
//! component's behaviour takes it (`dispatch`), it calls others
//! synchronously (`call`) or fires and forgets (`side_effects`), and when
//! it finishes its caller continues (`child_returned`). Handlers (Lambda
//! and service workers) make their data-store calls inline, then their
//! synchronous calls in order. SNS and scheduled EventBridge rules fan
//! out here too.

use archsim_model::connection::Access;

use super::events::{ErrKind, Ev, Mode, Outcome, Req};
use super::{Behaviour, NONE, Simulation, Us, to_f64, to_us};
use crate::run::Segment;

impl Simulation {
    /// A request arrives at `node` from `parent`, inheriting its attributes.
    pub(super) fn arrive(
        &mut self,
        node: u32,
        parent: u32,
        mode: Mode,
        path: u32,
        trace: u32,
    ) -> u32 {
        let (path, profile, trace) = if parent != NONE {
            let p = self.reqs[parent as usize];
            (p.path, p.profile, p.trace)
        } else {
            (if path == NONE { 0 } else { path }, NONE, trace)
        };
        self.arrive_with(node, parent, mode, path, profile, trace)
    }

    pub(super) fn arrive_with(
        &mut self,
        node: u32,
        parent: u32,
        mode: Mode,
        path: u32,
        profile: u32,
        trace: u32,
    ) -> u32 {
        let now = self.now;
        let r = self.alloc(Req {
            node,
            parent,
            mode,
            arrived: now,
            service_start: now,
            integration_start: now,
            init_us: 0,
            path,
            profile,
            trace,
            link: NONE,
            slot: NONE,
            slot_generation: 0,
            step: 0,
            attempts: 0,
            errors: 0,
            timed_out: false,
            failed: false,
            answered: 0,
        });
        let n = &mut self.nodes[node as usize];
        n.c.requests += 1;
        n.c.in_flight += 1;
        n.second.arrivals += 1;
        if !matches!(n.behaviour, Behaviour::Lambda(_) | Behaviour::Service(_)) {
            n.concurrency.inc(now);
        }
        self.dispatch(r);
        r
    }

    pub(super) fn dispatch(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        match &mut n.behaviour {
            Behaviour::Client { target } | Behaviour::Edge { target, .. } if *target == NONE => {
                // Nothing to call synchronously: a client that only sends
                // messages or events (SQS, SNS, EventBridge).
                self.side_effects(r);
                self.finish(r, Outcome::Ok)
            }
            Behaviour::Client { target } => {
                let t = *target;
                self.call(r, t);
            }
            Behaviour::Edge { .. } => self.edge_arrive(r),
            Behaviour::Api { .. } => self.api_arrive(r),
            Behaviour::LoadBalancer { .. } => self.lb_arrive(r),
            Behaviour::Lambda(_) => self.lambda_start(r),
            Behaviour::Service(_) => self.service_arrive(r),
            Behaviour::Queue(_) => self.queue_arrive(r),
            Behaviour::Store { .. } => {
                let path = self.reqs[r as usize].path;
                let (lat, ok) = self.store_call(node, Access::Write, path);
                if ok {
                    self.push(now + lat, Ev::Answer { req: r });
                } else {
                    self.push(now + lat, Ev::AnswerThrottled { req: r });
                }
            }
            Behaviour::FanOut { .. } => {
                self.side_effects(r);
                self.finish(r, Outcome::Ok);
            }
            Behaviour::Pipe(_) => self.pipe_batch(r),
            Behaviour::Workflow(_) => self.workflow_arrive(r),
            Behaviour::Capacity(_) | Behaviour::Passive => self.finish(r, Outcome::Ok),
        }
    }

    /// A synchronous call from request `r` to `target`.
    pub(super) fn call(&mut self, r: u32, target: u32) {
        self.arrive(target, r, Mode::Sync, NONE, NONE);
    }

    /// Fire-and-forget effects of a successful handler: asynchronous
    /// invocations, messages published, and fan-out of topics and rules.
    /// A topic's subscription with a filter policy gets only the messages
    /// that pass it (`sns.rs`).
    #[inline]
    pub(super) fn side_effects(&mut self, r: u32) {
        let n = &self.nodes[self.reqs[r as usize].node as usize];
        let fanout = matches!(n.behaviour, Behaviour::FanOut { .. });
        // Most handlers have none: no call made for them.
        if !n.async_calls.is_empty()
            || !n.publishes.is_empty()
            || (fanout && !n.sync_calls.is_empty())
        {
            self.send_side_effects(r, fanout);
        }
    }

    fn send_side_effects(&mut self, r: u32, fanout: bool) {
        let node = self.reqs[r as usize].node as usize;
        let path = self.reqs[r as usize].path;
        for i in 0..self.nodes[node].async_calls.len() {
            let t = self.nodes[node].async_calls[i];
            if self.delivers(node, t, path) {
                self.arrive(t, NONE, Mode::Async, path, NONE);
            }
        }
        if fanout {
            for i in 0..self.nodes[node].sync_calls.len() {
                let t = self.nodes[node].sync_calls[i];
                if self.delivers(node, t, path) {
                    self.arrive(t, NONE, Mode::Async, path, NONE);
                }
            }
        }
        for i in 0..self.nodes[node].publishes.len() {
            let t = self.nodes[node].publishes[i];
            if !self.delivers(node, t, path) {
                continue;
            }
            let mode = if matches!(self.nodes[t as usize].behaviour, Behaviour::Queue(_)) {
                Mode::Message
            } else {
                Mode::Async
            };
            self.arrive(t, NONE, mode, self.reqs[r as usize].path, NONE);
        }
    }

    /// A synchronous data-store call made inline by a handler: counted at
    /// the store, its latency returned, and whether it succeeded (a
    /// DynamoDB table may throttle it past the SDK's retries). S3 writes
    /// notify subscribers.
    /// One call to a store; a write to a bucket that notifies sends its
    /// notifications when the key written (`path` without its leading `/`)
    /// passes the bucket's filter, and the key goes on with them.
    fn store_call(&mut self, store: u32, access: Access, path: u32) -> (Us, bool) {
        let now = self.now;
        let n = &mut self.nodes[store as usize];
        let Behaviour::Store {
            latency,
            notifies,
            filter,
            table,
        } = &mut n.behaviour
        else {
            return (0, true);
        };
        let key = self.paths[path as usize].trim_start_matches('/');
        let passes = filter.as_deref().is_none_or(|(prefix, suffix)| {
            key.starts_with(prefix.as_str()) && key.ends_with(suffix.as_str())
        });
        let notifies = *notifies && access.writes() && passes;
        let slow = n.slow;
        let (lat, ok) = match table {
            None => (to_us(latency.sample(&mut n.rng) * slow), true),
            Some(t) => {
                let before = t.c.retries;
                let call = t.call(now, access, &mut n.rng, |rng| {
                    to_us(latency.sample(rng) * slow)
                });
                let retried = t.c.retries - before;
                n.c.retries += retried;
                n.c.throttles_retried += retried;
                (call.latency, call.ok)
            }
        };
        if ok {
            n.billed_requests += 1;
        }
        if notifies && ok {
            for i in 0..n.async_calls.len() {
                let t = self.nodes[store as usize].async_calls[i];
                self.arrive(t, NONE, Mode::Async, path, NONE);
            }
        }
        (lat, ok)
    }

    /// Inline store calls of a handler: counted at the stores (a request
    /// that completes, or is throttled, at once with the sampled
    /// latency). Returns their latency and whether all succeeded.
    #[inline]
    pub(super) fn handler_store_latency(&mut self, node: u32, path: u32) -> (Us, bool) {
        if self.nodes[node as usize].stores.is_empty() {
            return (0, true);
        }
        self.store_calls(node, path)
    }

    fn store_calls(&mut self, node: u32, path: u32) -> (Us, bool) {
        let mut total = 0;
        let mut all_ok = true;
        for i in 0..self.nodes[node as usize].stores.len() {
            let (s, access) = self.nodes[node as usize].stores[i];
            let (lat, ok) = self.counted_store_call(s, access, path);
            all_ok &= ok;
            total += lat;
        }
        (total, all_ok)
    }

    /// The secrets a reader caches, read as an execution environment
    /// initialises or a task launches: counted at the secrets; returns
    /// their latency.
    pub(super) fn read_cached_secrets(&mut self, node: u32) -> Us {
        let mut total = 0;
        for i in 0..self.nodes[node as usize].secrets_cached.len() {
            let s = self.nodes[node as usize].secrets_cached[i];
            total += self.counted_store_call(s, Access::Read, 0).0;
        }
        total
    }

    /// One store call, counted at the store (a request that completes,
    /// or is throttled, at once with the sampled latency).
    pub(super) fn counted_store_call(&mut self, s: u32, access: Access, path: u32) -> (Us, bool) {
        let (lat, ok) = self.store_call(s, access, path);
        let sn = &mut self.nodes[s as usize];
        sn.c.requests += 1;
        sn.second.arrivals += 1;
        if ok {
            sn.c.completed += 1;
            sn.second.completions += 1;
            let _ = sn.latency.record(lat.max(1));
        } else {
            sn.c.throttled += 1;
            sn.second.throttles += 1;
        }
        sn.c.served += 1;
        sn.c.service_sum += to_f64(lat);
        // Little's law for stores: the call occupies the store for its
        // latency; account the integral directly.
        sn.concurrency.integral += to_f64(lat);
        (lat, ok)
    }

    pub(super) fn work_sample(&mut self, node: u32, profile: u32) -> f64 {
        let n = &mut self.nodes[node as usize];
        let s = if profile != NONE {
            self.profiles[profile as usize].work.as_ref()
        } else {
            None
        };
        let base = match (&n.behaviour, s) {
            (_, Some(s)) => s.sample(&mut n.rng),
            (Behaviour::Lambda(l), None) => l.work.sample(&mut n.rng),
            (Behaviour::Service(sv), None) => sv.work.sample(&mut n.rng),
            _ => 0.0,
        };
        base * n.slow
    }

    /// A request leaves its component with `outcome`; its caller continues.
    pub(super) fn finish(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let n = &mut self.nodes[req.node as usize];
        n.c.in_flight -= 1;
        // A gateway that timed out answered its caller at the timeout.
        let end = if req.answered > 0 {
            req.answered.min(now)
        } else {
            now
        };
        let lat = end - req.arrived;
        match outcome {
            Outcome::Ok => {
                n.c.completed += 1;
                n.second.completions += 1;
                let _ = n.latency.record(lat.max(1));
            }
            Outcome::Throttled => {
                n.c.throttled += 1;
                n.second.throttles += 1;
            }
            Outcome::Error(k) => {
                n.c.errors += 1;
                n.c.by_kind[k as usize] += 1;
                n.second.errors += 1;
                let _ = n.latency.record(lat.max(1));
            }
        }
        if !matches!(n.behaviour, Behaviour::Lambda(_) | Behaviour::Service(_)) {
            n.concurrency.dec(now);
            if outcome != Outcome::Throttled {
                n.c.served += 1;
                n.c.service_sum += to_f64(lat);
            }
        }
        if req.trace != NONE {
            let seg = Segment {
                component: n.id.clone(),
                start_ms: req.arrived as f64 / 1e3,
                end_ms: end as f64 / 1e3,
                queued_ms: req.service_start.saturating_sub(req.arrived) as f64 / 1e3,
                init_ms: req.init_us as f64 / 1e3,
                outcome: match outcome {
                    Outcome::Ok => "ok".into(),
                    Outcome::Throttled => "throttled".into(),
                    Outcome::Error(k) => k.name().into(),
                },
            };
            self.traces[req.trace as usize].segments.push(seg);
        }
        self.free_reqs.push(r);
        if req.parent != NONE {
            self.child_answered = end;
            self.child_returned(req.parent, outcome);
        }
    }

    fn child_returned(&mut self, p: u32, outcome: Outcome) {
        let node = self.reqs[p as usize].node;
        // Pass-through components answer when their callee answered.
        let answered = self.child_answered;
        match &self.nodes[node as usize].behaviour {
            Behaviour::Client { .. } | Behaviour::Edge { .. } => {
                self.reqs[p as usize].answered = answered;
                let o = match outcome {
                    Outcome::Throttled => Outcome::Error(ErrKind::Throttle429),
                    o => o,
                };
                self.finish(p, o);
            }
            Behaviour::Api { timeout, .. } => {
                let timeout = *timeout;
                self.api_child_returned(p, outcome, timeout);
            }
            Behaviour::LoadBalancer { idle_timeout, .. } => {
                let idle_timeout = *idle_timeout;
                self.lb_returned(p, outcome, idle_timeout);
            }
            Behaviour::Lambda(_) | Behaviour::Service(_) => {
                if outcome != Outcome::Ok {
                    self.reqs[p as usize].failed = true;
                }
                self.continue_handler(p);
            }
            Behaviour::Queue(_) => {
                // A service consumer processed the message.
                if outcome == Outcome::Ok {
                    // DeleteMessage.
                    self.nodes[node as usize].billed_requests += 1;
                    self.finish(p, Outcome::Ok);
                } else {
                    self.message_failed(p);
                }
            }
            Behaviour::Pipe(_) => self.pipe_returned(p, outcome),
            Behaviour::Workflow(_) => self.workflow_child_returned(p, outcome),
            _ => self.finish(p, outcome),
        }
    }

    pub(super) fn on_work_done(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        if matches!(self.nodes[node as usize].behaviour, Behaviour::Service(_)) {
            let req = self.reqs[r as usize];
            let task = &self.svc(node).tasks[req.slot as usize];
            if task.generation != req.slot_generation {
                // The task stopped under the request (zone loss, Spot).
                self.finish(r, Outcome::Error(ErrKind::TaskStopped));
                return;
            }
        }
        if self.reqs[r as usize].timed_out {
            self.handler_done(r, Outcome::Error(ErrKind::FunctionTimeout));
            return;
        }
        if self.version_fails(r) {
            self.handler_done(r, Outcome::Error(ErrKind::FunctionError));
            return;
        }
        self.continue_handler(r);
    }

    /// After its own work, a handler makes its synchronous calls in order,
    /// then completes.
    fn continue_handler(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        if let Behaviour::Lambda(l) = &self.nodes[node as usize].behaviour
            && now - req.service_start > l.timeout
        {
            self.handler_done(r, Outcome::Error(ErrKind::FunctionTimeout));
            return;
        }
        let calls = &self.nodes[node as usize].sync_calls;
        if (req.step as usize) < calls.len() && !req.failed {
            let t = calls[req.step as usize];
            self.reqs[r as usize].step += 1;
            self.call(r, t);
            return;
        }
        if req.failed {
            self.handler_done(r, Outcome::Error(ErrKind::Bad502));
        } else {
            self.side_effects(r);
            self.handler_done(r, Outcome::Ok);
        }
    }

    /// Releases the environment or worker and reports the result.
    fn handler_done(&mut self, r: u32, outcome: Outcome) {
        let node = self.reqs[r as usize].node;
        match self.nodes[node as usize].behaviour {
            Behaviour::Lambda(_) => self.lambda_done(r, outcome),
            Behaviour::Service(_) => self.worker_done(r, outcome),
            _ => self.finish(r, outcome),
        }
    }

    /// A scheduled EventBridge rule fires: one event to its targets, and
    /// the next firing pushed (`schedules.rs` says when).
    pub(super) fn on_rule_fires(&mut self, node: u32) {
        self.arrive(node, NONE, Mode::Async, NONE, NONE);
        if let Behaviour::FanOut {
            schedule: Some(f), ..
        } = &self.nodes[node as usize].behaviour
            && let Some(at) = f.after(self.now)
        {
            self.push_firing(at, node);
        }
    }

    /// Schedules a rule's firing at `at`. A cron rule's times are kept to
    /// the run, `[0, end)`, as wall-clock minutes run from its start; a
    /// rate rule's, one period apart, to `(0, end]`, so both fire
    /// duration / period times.
    pub(super) fn push_firing(&mut self, at: Us, node: u32) {
        let cron = matches!(
            &self.nodes[node as usize].behaviour,
            Behaviour::FanOut { schedule: Some(f) } if matches!(**f, super::schedules::Firing::Cron { .. })
        );
        if at < self.end || (!cron && at == self.end) {
            self.push(at, Ev::RuleFires { node });
        }
    }
}
