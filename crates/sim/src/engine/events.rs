//! Events and the request slab: what the heap holds, in which order it
//! gives it back, and the per-hop request record events point at.

use std::cmp::Ordering;

use super::{Simulation, Us};

#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    /// A Lambda invocation's or a worker's own work is over.
    WorkDone {
        req: u32,
    },
    /// A data store (or the edge) answered.
    Answer {
        req: u32,
    },
    /// A DynamoDB table throttled the request past the SDK's retries.
    AnswerThrottled {
        req: u32,
    },
    AsyncRetry {
        req: u32,
    },
    TaskReady {
        node: u32,
        task: u32,
        generation: u32,
    },
    TaskStop {
        node: u32,
        task: u32,
        generation: u32,
    },
    /// ECS sees a task of a failing version unhealthy and stops it.
    TaskFailed {
        node: u32,
        task: u32,
        generation: u32,
    },
    ScaleEval {
        node: u32,
    },
    /// A DynamoDB table's auto scaling, each minute.
    TableScaleEval {
        node: u32,
    },
    CapacityEval {
        node: u32,
    },
    InstanceReady {
        node: u32,
    },
    /// A loop of an EKS node group's Cluster Autoscaler.
    AutoscalerScan {
        node: u32,
    },
    /// A Karpenter batch of Pending pods may have closed.
    KarpenterBatch {
        node: u32,
    },
    /// A node a Karpenter NodePool launched is Ready.
    KarpenterNodeReady {
        node: u32,
        pool_type: u32,
    },
    /// A Karpenter node may have been empty for `consolidateAfter`.
    KarpenterConsolidate {
        node: u32,
        slot: u32,
    },
    PollerScale {
        node: u32,
    },
    /// An SQS message's visibility timeout ran out.
    Visible {
        req: u32,
    },
    Scheduled {
        index: u32,
    },
    SlowdownEnd {
        node: u32,
    },
    RuleFires {
        node: u32,
    },
    /// A Step Functions execution's frame goes on (a wait, a call or a
    /// retry's backoff is over).
    WorkflowStep {
        node: u32,
        frame: u32,
        step: super::workflow::Step,
    },
    /// A deployment's next traffic shift is due.
    DeployStep {
        node: u32,
        version: u32,
    },
    /// A deployment alarm's period ended.
    DeployAlarm {
        node: u32,
        version: u32,
        alarm: u32,
    },
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) at: Us,
    pub(super) seq: u64,
    pub(super) ev: Ev,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest event must
    /// come out first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The caller waits (RequestResponse, HTTP).
    Sync,
    /// Lambda's internal queue: retried, may dead-letter.
    Async,
    /// An SQS/Kinesis message.
    Message,
    /// A Lambda invocation by an event source mapping, carrying messages.
    Batch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ErrKind {
    Throttle429,
    Bad502,
    Unavailable503,
    Timeout504,
    FunctionTimeout,
    NoRoute,
    DeadLetter,
    Dropped,
    TaskStopped,
    /// The handler failed (a deployed version's error rate).
    FunctionError,
    /// A Step Functions execution failed (a Fail state, an error no
    /// Retry or Catch handled).
    ExecutionFailed,
    /// An API's Lambda authorizer failed or was throttled: API Gateway
    /// answers 500.
    Authorizer500,
}

impl ErrKind {
    pub(super) const ALL: [ErrKind; 12] = [
        ErrKind::Throttle429,
        ErrKind::Bad502,
        ErrKind::Unavailable503,
        ErrKind::Timeout504,
        ErrKind::FunctionTimeout,
        ErrKind::NoRoute,
        ErrKind::DeadLetter,
        ErrKind::Dropped,
        ErrKind::TaskStopped,
        ErrKind::FunctionError,
        ErrKind::ExecutionFailed,
        ErrKind::Authorizer500,
    ];
    pub(super) fn name(self) -> &'static str {
        match self {
            ErrKind::Throttle429 => "429",
            ErrKind::Bad502 => "502",
            ErrKind::Unavailable503 => "503",
            ErrKind::Timeout504 => "504",
            ErrKind::FunctionTimeout => "timeout",
            ErrKind::NoRoute => "no_route",
            ErrKind::DeadLetter => "dead_letter",
            ErrKind::Dropped => "dropped",
            ErrKind::TaskStopped => "task_stopped",
            ErrKind::FunctionError => "function_error",
            ErrKind::ExecutionFailed => "execution_failed",
            ErrKind::Authorizer500 => "500",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    /// Refused at the door (429 to a synchronous caller).
    Throttled,
    Error(ErrKind),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Req {
    pub(super) node: u32,
    pub(super) parent: u32,
    pub(super) mode: Mode,
    /// Arrival at this component.
    pub(super) arrived: Us,
    /// Start of service (a worker or environment took it); for a message,
    /// when it was last received.
    pub(super) service_start: Us,
    /// API Gateway: when the integration was called (after the Lambda
    /// authorizer, if any): its timeout counts from here.
    pub(super) integration_start: Us,
    pub(super) init_us: Us,
    pub(super) path: u32,
    /// Traffic profile whose work distribution overrides the handler's.
    pub(super) profile: u32,
    pub(super) trace: u32,
    /// Batch: first message; message: next message in its batch.
    pub(super) link: u32,
    /// Lambda: environment; service: task; batch: source queue.
    pub(super) slot: u32,
    pub(super) slot_generation: u32,
    /// Next synchronous downstream call to make.
    pub(super) step: u16,
    /// Async: throttle retries; message: receive count.
    pub(super) attempts: u16,
    /// Async: function errors so far.
    pub(super) errors: u16,
    pub(super) timed_out: bool,
    /// A synchronous downstream call failed: the request fails.
    pub(super) failed: bool,
    /// When the caller was answered, if before this hop finished (a
    /// gateway that timed out answered at its timeout); 0: at the finish.
    pub(super) answered: Us,
}

impl Simulation {
    /// Schedules `ev` at `at`; ties keep scheduling order.
    #[inline]
    pub(super) fn push(&mut self, at: Us, ev: Ev) {
        self.seq += 1;
        self.heap.push(Event {
            at,
            seq: self.seq,
            ev,
        });
    }

    /// Puts a request in the slab, reusing a freed entry first.
    pub(super) fn alloc(&mut self, r: Req) -> u32 {
        if let Some(i) = self.free_reqs.pop() {
            self.reqs[i as usize] = r;
            i
        } else {
            self.reqs.push(r);
            (self.reqs.len() - 1) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BinaryHeap;

    use super::*;

    #[test]
    fn event_order_is_time_then_sequence() {
        let mut h = BinaryHeap::new();
        h.push(Event {
            at: 5,
            seq: 2,
            ev: Ev::Scheduled { index: 0 },
        });
        h.push(Event {
            at: 5,
            seq: 1,
            ev: Ev::Scheduled { index: 0 },
        });
        h.push(Event {
            at: 1,
            seq: 9,
            ev: Ev::Scheduled { index: 0 },
        });
        let order: Vec<_> = std::iter::from_fn(|| h.pop())
            .map(|e| (e.at, e.seq))
            .collect();
        assert_eq!(order, [(1, 9), (5, 1), (5, 2)]);
    }
}
