//! Step Functions executions: a request arriving at a state machine runs
//! its definition. States run in sequence; Parallel branches and Map
//! iterations run as child frames joined when all finish (a Map starts at
//! most MaxConcurrency at once, the next as one ends); Wait states wait;
//! a Task calls its connected component through the normal request path
//! (so a function's concurrency, throttles and cold starts apply) and
//! waits for it when the connection is synchronous; Retry waits
//! IntervalSeconds x BackoffRate^n before attempt n+1; Catch moves on to
//! its state. Every state entered and every retry is one state transition
//! (AWS Step Functions pricing: "including retries").
//!
//! Simplified, and said so in the coverage note: a Choice state takes its
//! branches with the `choice_weights` probabilities (equal when unset), it
//! does not evaluate rules against data; a Map iterates `map_items` items;
//! a Task calling something archsim does not simulate (an ECS task, an
//! HTTP endpoint, another AWS API) takes `other_task_ms`; a failed branch
//! lets its siblings run to their end before the Parallel or Map fails;
//! Express executions are not stopped at 5 minutes (validation flags
//! definitions that wait that long); no jitter, no MaxDelaySeconds.

use crate::rng::{pick_weighted, uniform};
use archsim_model::component::{
    StateKind, StepFunctionsProps, TaskCall, TaskService, Workflow, WorkflowType,
};
use archsim_model::connection::{Access, ConnectionKind, InvokeMode};
use archsim_model::{Component, Design};

use super::build::index_of;
use super::events::{ErrKind, Ev, Mode, Outcome, Req};
use super::{Behaviour, NONE, SEC, Simulation, Us};

/// Express executions are billed per 100 ms of duration.
const EXPRESS_BILLING_STEP: Us = 100_000;
/// ...at 64 MB, the smallest memory chunk AWS bills.
const EXPRESS_BILLED_GB: f64 = 64.0 / 1024.0;
/// Retry counters kept per state: the first retriers of a state.
const RETRIERS: usize = 8;
/// States a frame may enter before it fails, as AWS fails an execution
/// whose history outgrows its 25,000 events (States.Runtime): a loop
/// with no exit ends.
const HISTORY_LIMIT: u32 = 25_000;
/// Frames resumed inside one another before the next is resumed from
/// the event loop (at the same instant): bounds the engine's stack.
const MAX_NESTED_ENTRIES: u32 = 16;

/// Whether a state's work lets the frame go on at once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Next,
    Wait,
}

/// A state machine's compiled definition and its executions in flight.
pub(super) struct Machine {
    /// 0: the definition; then every Parallel branch and Map iterator.
    graphs: Vec<Graph>,
    pub(super) express: bool,
    frames: Vec<Frame>,
    free: Vec<u32>,
    /// Frames being entered, nested, right now (see `MAX_NESTED_ENTRIES`).
    depth: u32,
    pub(super) transitions: u64,
    pub(super) executions: u64,
    pub(super) billed_gb_seconds: f64,
}

struct Graph {
    start: u32,
    states: Vec<CState>,
}

struct CState {
    kind: CKind,
    next: u32,
    retry: Vec<CRetry>,
    catch: Vec<(Match, u32)>,
}

enum CKind {
    Call { target: u32, how: How },
    Wait(Us),
    Pass,
    Choice { nexts: Vec<u32>, weights: Vec<f64> },
    Parallel(Vec<u32>),
    Map { graph: u32, items: u32, max: u32 },
    Succeed,
    Fail,
}

#[derive(Clone, Copy)]
enum How {
    /// Waits for the callee (RequestResponse to a function, `.sync`).
    Sync,
    /// Invokes asynchronously and moves on.
    Async,
    /// Sends a message or event and moves on.
    Message,
    /// A data-store call, inline, with the store's latency.
    Store(Access),
    /// Something archsim does not simulate: a fixed latency.
    Fixed(Us),
}

#[derive(Clone, Copy)]
enum Failure {
    Throttled,
    TaskFailed,
    /// A Fail state, or a branch that failed.
    Failed,
}

#[derive(Clone, Copy, Default)]
struct Match {
    all: bool,
    throttle: bool,
    task_failed: bool,
}

impl Match {
    fn new(errors: &[String], throttle_name: &str) -> Self {
        let has = |n: &str| errors.iter().any(|e| e == n);
        Match {
            all: has("States.ALL"),
            throttle: has(throttle_name) || has("States.TaskFailed"),
            task_failed: has("States.TaskFailed"),
        }
    }
    fn matches(self, f: Failure) -> bool {
        self.all
            || match f {
                Failure::Throttled => self.throttle,
                Failure::TaskFailed => self.task_failed,
                Failure::Failed => false,
            }
    }
}

struct CRetry {
    m: Match,
    interval_s: f64,
    rate: f64,
    max: u32,
}

#[derive(Clone, Copy)]
struct Frame {
    /// The execution's request.
    exec: u32,
    /// The request this frame's calls return to (its `slot` is the frame).
    proxy: u32,
    graph: u32,
    state: u32,
    parent: u32,
    attempts: [u32; RETRIERS],
    outstanding: u32,
    to_start: u32,
    failed: Option<Failure>,
    /// States entered so far (see `HISTORY_LIMIT`).
    steps: u32,
}

/// What a `WorkflowStep` event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// The state's wait or call is over: go on.
    Done,
    /// The call was throttled.
    Throttled,
    /// Retry the state's work now.
    Retry,
    /// A Map item finished: start the next one.
    NextItem,
    /// Enter the frame's state (resumed from the event loop).
    Enter,
}

impl Machine {
    /// The machine of `comp`. When its definition cannot be read
    /// (validation says so), its executions run no states.
    pub(super) fn new(
        design: &Design,
        comp: &Component,
        p: &StepFunctionsProps,
        ids: &[&str],
    ) -> Self {
        let mut m = Machine {
            graphs: Vec::new(),
            express: p.workflow_type == WorkflowType::Express,
            frames: Vec::new(),
            free: Vec::new(),
            depth: 0,
            transitions: 0,
            executions: 0,
            billed_gb_seconds: 0.0,
        };
        if let Ok(w) = p.workflow() {
            m.compile(&w, design, comp, p, ids);
        }
        m
    }

    /// The warm-up is over: usage counts again from zero.
    pub(super) fn restart(&mut self) {
        self.transitions = 0;
        self.executions = 0;
        self.billed_gb_seconds = 0.0;
    }

    fn compile(
        &mut self,
        w: &Workflow,
        design: &Design,
        comp: &Component,
        p: &StepFunctionsProps,
        ids: &[&str],
    ) -> u32 {
        let g = self.graphs.len() as u32;
        self.graphs.push(Graph {
            start: 0,
            states: Vec::new(),
        });
        let names: Vec<&String> = w.states.keys().collect();
        let at = |n: &str| {
            names
                .iter()
                .position(|x| *x == n)
                .map_or(NONE, |i| i as u32)
        };
        let mut states = Vec::with_capacity(names.len());
        for (name, s) in &w.states {
            let throttle_name = match &s.kind {
                StateKind::Task(t) => match t.service {
                    TaskService::Lambda => "Lambda.TooManyRequestsException",
                    TaskService::DynamoDb { .. } => {
                        "DynamoDB.ProvisionedThroughputExceededException"
                    }
                    _ => "States.TaskFailed",
                },
                _ => "States.TaskFailed",
            };
            let kind = match &s.kind {
                StateKind::Task(t) => {
                    let fixed = How::Fixed((p.other_task_ms.max(0.0) * 1e3) as Us);
                    match p.task_call(design, &comp.id, t) {
                        TaskCall::Component(c, conn) => {
                            let target = index_of(ids, &c.id).unwrap_or(NONE);
                            let how = match &conn.kind {
                                ConnectionKind::Invoke {
                                    mode: InvokeMode::Sync,
                                } => How::Sync,
                                ConnectionKind::Invoke {
                                    mode: InvokeMode::Async,
                                } => How::Async,
                                ConnectionKind::Publishes => How::Message,
                                ConnectionKind::Uses { access } if c.kind().is_data_store() => {
                                    How::Store(*access)
                                }
                                _ => fixed,
                            };
                            CKind::Call { target, how }
                        }
                        TaskCall::Unmodelled | TaskCall::Unnamed | TaskCall::NotConnected => {
                            CKind::Call {
                                target: NONE,
                                how: fixed,
                            }
                        }
                    }
                }
                StateKind::Pass => CKind::Pass,
                StateKind::Wait { seconds } => CKind::Wait((seconds.max(0.0) * SEC as f64) as Us),
                StateKind::Choice { branches, default } => {
                    let nexts: Vec<u32> = branches
                        .iter()
                        .chain(default.iter())
                        .map(|n| at(n))
                        .collect();
                    let weights = p
                        .choice_weights
                        .get(name)
                        .filter(|w| w.len() == nexts.len() && w.iter().sum::<f64>() > 0.0)
                        .cloned()
                        .unwrap_or_else(|| vec![1.0; nexts.len()]);
                    CKind::Choice { nexts, weights }
                }
                StateKind::Parallel { branches } => CKind::Parallel(
                    branches
                        .iter()
                        .map(|b| self.compile(b, design, comp, p, ids))
                        .collect(),
                ),
                StateKind::Map {
                    iterator,
                    max_concurrency,
                } => CKind::Map {
                    graph: self.compile(iterator, design, comp, p, ids),
                    items: p
                        .map_items
                        .get(name)
                        .copied()
                        .unwrap_or(p.default_map_items),
                    max: *max_concurrency,
                },
                StateKind::Succeed => CKind::Succeed,
                StateKind::Fail => CKind::Fail,
            };
            states.push(CState {
                kind,
                next: s.next.as_deref().map_or(NONE, at),
                retry: s
                    .retry
                    .iter()
                    .map(|r| CRetry {
                        m: Match::new(&r.errors, throttle_name),
                        interval_s: r.interval_s,
                        rate: r.backoff_rate,
                        max: r.max_attempts,
                    })
                    .collect(),
                catch: s
                    .catch
                    .iter()
                    .map(|c| (Match::new(&c.errors, throttle_name), at(&c.next)))
                    .collect(),
            });
        }
        self.graphs[g as usize] = Graph {
            start: at(&w.start_at),
            states,
        };
        g
    }
}

impl Simulation {
    fn machine(&mut self, node: u32) -> &mut Machine {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Workflow(m) => m,
            _ => unreachable!("a workflow event names a state machine"),
        }
    }

    /// An execution starts.
    pub(super) fn workflow_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let m = self.machine(node);
        m.executions += 1;
        if m.graphs.is_empty() {
            self.finish(r, Outcome::Ok);
            return;
        }
        let f = self.new_frame(node, r, 0, NONE);
        self.enter(node, f);
    }

    fn new_frame(&mut self, node: u32, exec: u32, graph: u32, parent: u32) -> u32 {
        let e = self.reqs[exec as usize];
        let proxy = self.alloc(Req {
            parent: NONE,
            arrived: self.now,
            service_start: self.now,
            link: NONE,
            step: 0,
            attempts: 0,
            errors: 0,
            timed_out: false,
            failed: false,
            answered: 0,
            ..e
        });
        let m = self.machine(node);
        let frame = Frame {
            exec,
            proxy,
            graph,
            state: m.graphs[graph as usize].start,
            parent,
            attempts: [0; RETRIERS],
            outstanding: 0,
            to_start: 0,
            failed: None,
            steps: 0,
        };
        let f = match m.free.pop() {
            Some(i) => {
                m.frames[i as usize] = frame;
                i
            }
            None => {
                m.frames.push(frame);
                (m.frames.len() - 1) as u32
            }
        };
        self.reqs[proxy as usize].slot = f;
        f
    }

    fn state(&mut self, node: u32, f: u32) -> (u32, u32) {
        let fr = self.machine(node).frames[f as usize];
        (fr.graph, fr.state)
    }

    /// The frame enters its current state. States that finish at once
    /// (Pass, Choice, a message sent) lead to the next in a loop, not by
    /// recursion; what resumes the frame from inside another's end (a
    /// branch's join, a call throttled at once) nests, and past a few
    /// levels is resumed from the event loop at the same instant instead.
    fn enter(&mut self, node: u32, f: u32) {
        let now = self.now;
        let m = self.machine(node);
        if m.depth >= MAX_NESTED_ENTRIES {
            self.push(
                now,
                Ev::WorkflowStep {
                    node,
                    frame: f,
                    step: Step::Enter,
                },
            );
            return;
        }
        m.depth += 1;
        self.run_frame(node, f);
        self.machine(node).depth -= 1;
    }

    /// Enters states until one waits (a Wait, a call, branches) or the
    /// frame ends; each state entered is one state transition.
    fn run_frame(&mut self, node: u32, f: u32) {
        loop {
            let (g, s) = self.state(node, f);
            let now = self.now;
            let m = self.machine(node);
            let frame = &mut m.frames[f as usize];
            frame.steps += 1;
            if frame.steps > HISTORY_LIMIT {
                self.end_frame(node, f, Some(Failure::Failed));
                return;
            }
            frame.attempts = [0; RETRIERS];
            m.transitions += 1;
            let flow = match &m.graphs[g as usize].states[s as usize].kind {
                CKind::Pass => Flow::Next,
                CKind::Wait(us) => {
                    let at = now + us;
                    self.push(
                        at,
                        Ev::WorkflowStep {
                            node,
                            frame: f,
                            step: Step::Done,
                        },
                    );
                    Flow::Wait
                }
                CKind::Choice { nexts, weights } => {
                    let (nexts, weights) = (nexts.clone(), weights.clone());
                    // One uniform draw per Choice, picked by weight.
                    let u = uniform(&mut self.nodes[node as usize].rng);
                    let i = pick_weighted(weights.iter().copied(), u).unwrap_or(nexts.len() - 1);
                    let next = nexts[i];
                    self.machine(node).frames[f as usize].state = next;
                    continue;
                }
                CKind::Succeed => {
                    self.end_frame(node, f, None);
                    Flow::Wait
                }
                CKind::Fail => {
                    self.end_frame(node, f, Some(Failure::Failed));
                    Flow::Wait
                }
                CKind::Call { .. } | CKind::Parallel(_) | CKind::Map { .. } => {
                    self.attempt(node, f)
                }
            };
            if flow == Flow::Wait || !self.goto_next(node, f) {
                return;
            }
        }
    }

    /// Moves the frame to its state's next; `false` when there is none and
    /// the frame ended.
    fn goto_next(&mut self, node: u32, f: u32) -> bool {
        let (g, s) = self.state(node, f);
        let m = self.machine(node);
        let next = m.graphs[g as usize].states[s as usize].next;
        if next == NONE {
            self.end_frame(node, f, None);
            false
        } else {
            m.frames[f as usize].state = next;
            true
        }
    }

    /// The state's work, first time or retried: whether the frame goes on
    /// at once (a message sent, an invocation handed over, nothing to run)
    /// or waits (for a call, a latency, its branches).
    fn attempt(&mut self, node: u32, f: u32) -> Flow {
        let (g, s) = self.state(node, f);
        let now = self.now;
        let fr = self.machine(node).frames[f as usize];
        let kind = match &self.machine(node).graphs[g as usize].states[s as usize].kind {
            CKind::Call { target, how } => Some((*target, *how)),
            _ => None,
        };
        if let Some((target, how)) = kind {
            let path = self.reqs[fr.exec as usize].path;
            let done_at = |at: Us| (at, Step::Done);
            let later = match how {
                How::Sync if target != NONE => {
                    self.arrive(target, fr.proxy, Mode::Sync, NONE, NONE);
                    return Flow::Wait;
                }
                How::Async if target != NONE => {
                    self.arrive(target, NONE, Mode::Async, path, NONE);
                    return Flow::Next;
                }
                How::Message if target != NONE => {
                    let mode =
                        if matches!(self.nodes[target as usize].behaviour, Behaviour::Queue(_)) {
                            Mode::Message
                        } else {
                            Mode::Async
                        };
                    self.arrive(target, NONE, mode, path, NONE);
                    return Flow::Next;
                }
                How::Store(access) if target != NONE => {
                    let (lat, ok) = self.counted_store_call(target, access, path);
                    (now + lat, if ok { Step::Done } else { Step::Throttled })
                }
                How::Fixed(us) => done_at(now + us),
                _ => return Flow::Next,
            };
            self.push(
                later.0,
                Ev::WorkflowStep {
                    node,
                    frame: f,
                    step: later.1,
                },
            );
            return Flow::Wait;
        }
        let m = self.machine(node);
        let children: Vec<u32> = match &m.graphs[g as usize].states[s as usize].kind {
            CKind::Parallel(branches) => branches.clone(),
            CKind::Map { graph, items, max } => {
                let first = if *max == 0 {
                    *items
                } else {
                    (*max).min(*items)
                };
                m.frames[f as usize].to_start = items - first;
                vec![*graph; first as usize]
            }
            _ => Vec::new(),
        };
        m.frames[f as usize].outstanding = children.len() as u32;
        m.frames[f as usize].failed = None;
        if children.is_empty() {
            return Flow::Next;
        }
        for child in children {
            let c = self.new_frame(node, fr.exec, child, f);
            self.enter(node, c);
        }
        Flow::Wait
    }

    /// A Map starts its next item.
    fn next_item(&mut self, node: u32, p: u32) {
        let parent = self.machine(node).frames[p as usize];
        let graph = match self.machine(node).graphs[parent.graph as usize].states
            [parent.state as usize]
            .kind
        {
            CKind::Map { graph, .. } => graph,
            _ => unreachable!("only a Map starts items one by one"),
        };
        let c = self.new_frame(node, parent.exec, graph, p);
        self.enter(node, c);
    }

    /// A `WorkflowStep` event.
    pub(super) fn on_workflow_step(&mut self, node: u32, f: u32, step: Step) {
        match step {
            Step::Done => self.advance(node, f),
            Step::Throttled => self.task_failed(node, f, Failure::Throttled),
            Step::Retry => {
                if self.attempt(node, f) == Flow::Next {
                    self.advance(node, f);
                }
            }
            Step::NextItem => self.next_item(node, f),
            Step::Enter => self.enter(node, f),
        }
    }

    /// A Task's synchronous call returned to the frame whose proxy is `p`.
    pub(super) fn workflow_child_returned(&mut self, p: u32, outcome: Outcome) {
        let node = self.reqs[p as usize].node;
        let f = self.reqs[p as usize].slot;
        match outcome {
            Outcome::Ok => self.advance(node, f),
            Outcome::Throttled | Outcome::Error(ErrKind::Throttle429) => {
                self.task_failed(node, f, Failure::Throttled)
            }
            Outcome::Error(_) => self.task_failed(node, f, Failure::TaskFailed),
        }
    }

    /// The state failed: the first matching retrier with attempts left
    /// retries after its backoff; else the first matching catcher's state;
    /// else the frame fails.
    fn task_failed(&mut self, node: u32, f: u32, failure: Failure) {
        let (g, s) = self.state(node, f);
        let now = self.now;
        let m = self.machine(node);
        let st = &m.graphs[g as usize].states[s as usize];
        if let Some(i) = st.retry.iter().position(|r| r.m.matches(failure)) {
            let r = &st.retry[i];
            let n = m.frames[f as usize]
                .attempts
                .get(i)
                .copied()
                .unwrap_or(u32::MAX);
            if n < r.max {
                let delay = r.interval_s * r.rate.powi(n as i32);
                m.frames[f as usize].attempts[i] += 1;
                m.transitions += 1;
                let at = now + (delay.max(0.0) * SEC as f64).round() as Us;
                self.push(
                    at,
                    Ev::WorkflowStep {
                        node,
                        frame: f,
                        step: Step::Retry,
                    },
                );
                return;
            }
        }
        if let Some(&(_, next)) = st.catch.iter().find(|(c, _)| c.matches(failure)) {
            m.frames[f as usize].state = next;
            self.enter(node, f);
            return;
        }
        self.end_frame(node, f, Some(failure));
    }

    /// The state is done: the frame goes on to its next state.
    fn advance(&mut self, node: u32, f: u32) {
        if self.goto_next(node, f) {
            self.enter(node, f);
        }
    }

    /// A frame is over: the execution ends, or its Parallel or Map hears.
    fn end_frame(&mut self, node: u32, f: u32, failure: Option<Failure>) {
        let now = self.now;
        let m = self.machine(node);
        let fr = m.frames[f as usize];
        m.free.push(f);
        self.free_reqs.push(fr.proxy);
        if fr.parent == NONE {
            let m = self.machine(node);
            if m.express {
                let started = self.reqs[fr.exec as usize].arrived;
                let steps = (now - started).div_ceil(EXPRESS_BILLING_STEP).max(1);
                let m = self.machine(node);
                m.billed_gb_seconds +=
                    (steps * EXPRESS_BILLING_STEP) as f64 / SEC as f64 * EXPRESS_BILLED_GB;
            }
            let outcome = match failure {
                None => Outcome::Ok,
                Some(_) => Outcome::Error(ErrKind::ExecutionFailed),
            };
            self.finish(fr.exec, outcome);
            return;
        }
        let p = fr.parent;
        let m = self.machine(node);
        let parent = &mut m.frames[p as usize];
        parent.outstanding -= 1;
        if failure.is_some() && parent.failed.is_none() {
            parent.failed = Some(Failure::Failed);
        }
        if parent.to_start > 0 && parent.failed.is_none() {
            // The next item starts now, from the event loop (not from
            // inside this one's end, so a long Map does not nest).
            parent.to_start -= 1;
            parent.outstanding += 1;
            self.push(
                now,
                Ev::WorkflowStep {
                    node,
                    frame: p,
                    step: Step::NextItem,
                },
            );
            return;
        }
        let parent = self.machine(node).frames[p as usize];
        if parent.outstanding == 0 {
            match parent.failed {
                Some(fail) => self.task_failed(node, p, fail),
                None => self.advance(node, p),
            }
        }
    }
}
