//! SQS queues and Kinesis streams, and the event source mappings that
//! read them: visibility timeouts and redrive to a dead-letter queue,
//! retention, Kinesis's per-shard write limit, and Lambda pollers that
//! scale while messages wait (SQS) or read each shard (Kinesis).

use std::collections::VecDeque;

use archsim_model::Design;
use archsim_model::component::{ComponentKind, KinesisStreamProps, SqsQueueProps, StreamMode};
use archsim_model::connection::ConnectionKind;

use super::build::index_of;
use super::events::{ErrKind, Ev, Mode, Outcome, Req};
use super::{Behaviour, NONE, Node, SEC, Simulation, TokenBucket, Us};

/// SQS event source mapping: pollers start at 5 concurrent batches, add up
/// to 300 a minute while messages wait, up to 1,000.
const ESM_START_POLLERS: u32 = 5;
const ESM_POLLER_STEP: u32 = 300;
const ESM_MAX_POLLERS: u32 = 1000;

pub(super) struct Queue {
    /// Kinesis: each shard takes 1,000 records/s (excess is throttled).
    pub(super) write_limit: Option<TokenBucket>,
    pub(super) visible: VecDeque<u32>,
    pub(super) visibility: Us,
    pub(super) retention: Us,
    pub(super) max_receive: u16,
    /// Kinesis: the stream's shards (an event source mapping reads each
    /// with its parallelization factor); SQS: 1.
    pub(super) shards: u32,
    pub(super) consumer: Consumer,
}

/// Who receives a queue's messages: an event source mapping's pollers
/// invoking a function (or a pipe's, which poll alike), or a service's
/// workers.
pub(super) enum Consumer {
    None,
    Lambda {
        node: u32,
        batch: u32,
        pollers: u32,
        max_pollers: u32,
        active: u32,
        scales: bool,
    },
    Service {
        node: u32,
    },
}

impl Queue {
    pub(super) fn sqs(p: &SqsQueueProps) -> Queue {
        Queue {
            write_limit: None,
            visible: VecDeque::new(),
            visibility: u64::from(p.visibility_timeout_s) * SEC,
            retention: u64::from(p.message_retention_s) * SEC,
            max_receive: p.max_receive_count.clamp(1, u32::from(u16::MAX)) as u16,
            shards: 1,
            consumer: Consumer::None,
        }
    }

    pub(super) fn kinesis(p: &KinesisStreamProps) -> Queue {
        Queue {
            // On-demand streams scale their shards: no write limit
            // simulated there.
            write_limit: (p.mode == StreamMode::Provisioned).then(|| {
                let r = 1000.0 * f64::from(p.shards.max(1));
                TokenBucket::new(r, r)
            }),
            visible: VecDeque::new(),
            // A failed batch is retried (after a second) until it
            // succeeds or the record expires; no redrive.
            visibility: SEC,
            retention: u64::from(p.retention_hours) * 3600 * SEC,
            max_receive: u16::MAX,
            shards: p.shards.max(1),
            consumer: Consumer::None,
        }
    }
}

/// Event source mappings (`Poll` connections): the queue or stream learns
/// its consumer, and a polling service its queues.
pub(super) fn event_source_mappings(design: &Design, nodes: &mut [Node], ids: &[&str]) {
    for conn in design.connections() {
        if let ConnectionKind::Poll {
            batch_size,
            parallelization_factor,
            max_concurrency,
            ..
        } = &conn.kind
        {
            let (Some(q), Some(c)) = (index_of(ids, &conn.from), index_of(ids, &conn.to)) else {
                continue;
            };
            let is_kinesis = nodes[q as usize].kind == ComponentKind::KinesisStream;
            let shards = match &nodes[q as usize].behaviour {
                Behaviour::Queue(qs) => qs.shards,
                _ => 1,
            };
            let consumer = match nodes[c as usize].behaviour {
                // A pipe polls as a Lambda event source mapping does.
                Behaviour::Lambda(_) | Behaviour::Pipe(_) if is_kinesis => {
                    let n = shards * (*parallelization_factor).clamp(1, 10);
                    Consumer::Lambda {
                        node: c,
                        batch: (*batch_size).max(1),
                        pollers: n,
                        max_pollers: n,
                        active: 0,
                        scales: false,
                    }
                }
                Behaviour::Lambda(_) | Behaviour::Pipe(_) => {
                    let max = max_concurrency
                        .unwrap_or(ESM_MAX_POLLERS)
                        .clamp(2, ESM_MAX_POLLERS);
                    Consumer::Lambda {
                        node: c,
                        batch: (*batch_size).max(1),
                        pollers: ESM_START_POLLERS.min(max),
                        max_pollers: max,
                        active: 0,
                        scales: true,
                    }
                }
                Behaviour::Service(_) => Consumer::Service { node: c },
                _ => Consumer::None,
            };
            if let Behaviour::Service(s) = &mut nodes[c as usize].behaviour {
                s.polled.push(q);
            }
            if let Behaviour::Queue(qs) = &mut nodes[q as usize].behaviour {
                qs.consumer = consumer;
            }
        }
    }
}

impl Simulation {
    pub(super) fn queue(&mut self, node: u32) -> &mut Queue {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Queue(q) => q,
            _ => unreachable!("not a queue"),
        }
    }

    fn enqueue(&mut self, node: u32, r: u32) {
        let now = self.now;
        // Visible from now: its wait runs until a consumer receives it.
        self.reqs[r as usize].service_start = now;
        self.queue(node).visible.push_back(r);
        let n = &mut self.nodes[node as usize];
        n.queue.inc(now);
        self.poll(node);
    }

    /// A message arrives: a provisioned Kinesis stream refuses writes over
    /// its shards' limit; the rest are queued (and billed as requests).
    pub(super) fn queue_arrive(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Queue(q) = &mut n.behaviour else {
            return;
        };
        if let Some(limit) = &mut q.write_limit
            && !limit.take(now)
        {
            self.finish(r, Outcome::Throttled);
            return;
        }
        n.billed_requests += 1;
        self.enqueue(node, r)
    }

    /// Hands visible messages to the consumer while it has room.
    fn poll(&mut self, node: u32) {
        let now = self.now;
        let q = self.queue(node);
        match q.consumer {
            Consumer::None => {}
            Consumer::Service { node: svc } => self.service_pull(svc),
            Consumer::Lambda {
                node: f,
                batch,
                pollers,
                active,
                ..
            } => {
                let mut active = active;
                while active < pollers && !self.queue(node).visible.is_empty() {
                    let take = (batch as usize).min(self.queue(node).visible.len());
                    let mut head = NONE;
                    let mut tail = NONE;
                    for _ in 0..take {
                        let m = self.queue(node).visible.pop_front().expect("non-empty");
                        self.received(node, m);
                        let rm = &mut self.reqs[m as usize];
                        rm.attempts += 1;
                        rm.service_start = now;
                        rm.link = NONE;
                        if head == NONE {
                            head = m;
                        } else {
                            self.reqs[tail as usize].link = m;
                        }
                        tail = m;
                    }
                    let n = &mut self.nodes[node as usize];
                    let depth = n.queue.v - take as u64;
                    n.queue.set(now, depth);
                    n.billed_requests += 1;
                    active += 1;
                    if let Consumer::Lambda { active: a, .. } = &mut self.queue(node).consumer {
                        *a = active;
                    }
                    let path = self.reqs[head as usize].path;
                    let b = self.alloc_batch(f, node, head, path);
                    self.dispatch(b);
                    active = match self.queue(node).consumer {
                        Consumer::Lambda { active, .. } => active,
                        _ => active,
                    };
                }
            }
        }
    }

    /// A consumer receives message `m` from queue `node`: the queue's
    /// waiting statistics.
    pub(super) fn received(&mut self, node: u32, m: u32) {
        let wait = self.now - self.reqs[m as usize].service_start;
        let c = &mut self.nodes[node as usize].c;
        c.received += 1;
        c.wait_sum += wait as f64;
        if wait > 0 {
            c.waited += 1;
        }
    }

    fn alloc_batch(&mut self, f: u32, queue: u32, head: u32, path: u32) -> u32 {
        let now = self.now;
        let b = self.alloc(Req {
            node: f,
            parent: NONE,
            mode: Mode::Batch,
            arrived: now,
            service_start: now,
            integration_start: now,
            init_us: 0,
            path,
            profile: NONE,
            trace: NONE,
            link: head,
            slot: NONE,
            slot_generation: queue,
            step: 0,
            attempts: 0,
            errors: 0,
            timed_out: false,
            failed: false,
            answered: 0,
        });
        let n = &mut self.nodes[f as usize];
        n.c.requests += 1;
        n.c.in_flight += 1;
        n.second.arrivals += 1;
        b
    }

    /// A batch finished: its messages are deleted, or return to the queue
    /// after the visibility timeout.
    pub(super) fn batch_done(&mut self, b: u32, ok: bool) {
        let queue = self.reqs[b as usize].slot_generation;
        let mut m = self.reqs[b as usize].link;
        while m != NONE {
            let next = self.reqs[m as usize].link;
            self.reqs[m as usize].link = NONE;
            if ok {
                self.finish(m, Outcome::Ok);
            } else {
                self.message_failed(m);
            }
            m = next;
        }
        if ok {
            // DeleteMessageBatch.
            self.nodes[queue as usize].billed_requests += 1;
        }
        if let Consumer::Lambda { active, .. } = &mut self.queue(queue).consumer {
            *active = active.saturating_sub(1);
        }
        self.poll(queue);
    }

    pub(super) fn message_failed(&mut self, m: u32) {
        let req = self.reqs[m as usize];
        let q = self.queue(req.node);
        let at = req.service_start + q.visibility;
        self.push(at.max(self.now), Ev::Visible { req: m });
    }

    pub(super) fn on_visible(&mut self, m: u32) {
        let now = self.now;
        let req = self.reqs[m as usize];
        let node = req.node;
        let q = self.queue(node);
        let (max_receive, retention) = (q.max_receive, q.retention);
        if req.attempts >= max_receive {
            // Redrive: after maxReceiveCount the message goes to the DLQ.
            let dlq = self.nodes[node as usize].dead_letter;
            if dlq != NONE {
                self.nodes[node as usize].c.dead_lettered += 1;
                self.arrive(dlq, NONE, Mode::Message, req.path, NONE);
                self.finish(m, Outcome::Error(ErrKind::DeadLetter));
                return;
            }
        }
        if now - req.arrived > retention {
            self.finish(m, Outcome::Error(ErrKind::Dropped));
            return;
        }
        self.nodes[node as usize].c.retries += 1;
        self.enqueue(node, m);
    }

    pub(super) fn on_poller_scale(&mut self, node: u32) {
        let waiting = !self.queue(node).visible.is_empty();
        if let Consumer::Lambda {
            pollers,
            max_pollers,
            active,
            ..
        } = &mut self.queue(node).consumer
        {
            *pollers = if waiting {
                (*pollers + ESM_POLLER_STEP).min(*max_pollers)
            } else {
                (*active).max(ESM_START_POLLERS).min(*max_pollers)
            };
        }
        self.poll(node);
        self.push(self.now + 60 * SEC, Ev::PollerScale { node });
    }
}
