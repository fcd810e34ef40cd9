//! Lambda: execution environments (cold starts, reuse of the newest idle
//! one, reclaim after idle expiry, provisioned concurrency), concurrency
//! limits (reserved, the account pool), the scaling rate, memory-to-CPU
//! scaling of the handler, billing, and asynchronous invocation's retries
//! and dead-letter destination.

use archsim_model::component::{Architecture, LAMBDA_MB_PER_VCPU, LambdaDeployment, LambdaProps};

use super::deploy::Deploying;
use super::events::{ErrKind, Ev, Mode, Outcome};
use super::{Behaviour, Gauge, NONE, SEC, Simulation, TokenBucket, Us, to_f64, to_us};
use crate::rng::Sampler;

/// Lambda reclaims an idle execution environment this long after its last
/// request (observed since 2019; SPEC-SIM.md): the default of the design's
/// `account.lambda_idle_expiry_s`, which the simulator reads.
pub const LAMBDA_IDLE_EXPIRY: Us = 600 * SEC;
/// Pre-2023 rule: account burst of 3,000 (largest regions), then +500/min.
pub(super) const LEGACY_BURST: f64 = 3000.0;
pub(super) const LEGACY_REFILL_PER_S: f64 = 500.0 / 60.0;
/// Asynchronous invocation: throttle retries back off from 1 s to 5 min.
const ASYNC_BACKOFF_MAX: Us = 300 * SEC;
/// Asynchronous invocation: function errors are retried 1 min, then 2 min later.
const ASYNC_ERROR_RETRY: Us = 60 * SEC;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Env {
    pub(super) created: u64,
    /// When it was initialised.
    pub(super) born: Us,
    pub(super) last_used: Us,
    pub(super) busy: bool,
    pub(super) alive: bool,
    pub(super) provisioned: bool,
    /// The function version it runs (0 before any deployment).
    pub(super) version: u32,
}

pub(super) struct Lambda {
    pub(super) memory_mb: u32,
    pub(super) arm64: bool,
    pub(super) timeout: Us,
    pub(super) init_us: f64,
    /// The cold start's distribution, when it is not a constant, with its
    /// mean (µs): a draw is scaled by `init_us / mean`, so a version
    /// deployed with its own init time keeps the shape at its own mean
    /// (and the function's own version draws exactly the distribution).
    pub(super) init_shape: Option<(Sampler, f64)>,
    pub(super) work: Sampler,
    /// Handler time multiplier from memory-to-CPU scaling.
    pub(super) cpu_factor: f64,
    pub(super) reserved: Option<u32>,
    pub(super) provisioned: u32,
    pub(super) envs: Vec<Env>,
    pub(super) free_envs: Vec<u32>,
    /// Idle environments: a provisioned one is reused first, then the
    /// newest (`idle_key`).
    pub(super) idle: IdlePool,
    pub(super) busy: u32,
    pub(super) created: u64,
    /// Environments created before the end of the warm-up.
    pub(super) created_in_warmup: u64,
    pub(super) scaling: TokenBucket,
    pub(super) max_event_age: Us,
    pub(super) max_retry: u16,
    pub(super) billed_mb_us: f64,
    /// Invocations served by provisioned environments and their billed time.
    pub(super) provisioned_invocations: u64,
    pub(super) provisioned_billed_mb_us: f64,
    pub(super) invocations: u64,
    /// Environments alive, and the lifetimes of those reclaimed.
    pub(super) alive: Gauge,
    pub(super) reclaimed_lifetime_us: f64,
    /// The version the alias points at (`work`, `init_us` and `idle` are
    /// its), each version's error rate, and how new versions are shifted to.
    pub(super) version: u32,
    pub(super) error_rates: Vec<f64>,
    pub(super) deployment: Option<LambdaDeployment>,
    /// A deployment in progress.
    pub(super) deploying: Option<Box<Deploying>>,
    /// Idle environments of versions no longer invoked, until reclaimed.
    pub(super) retired: IdlePool,
    /// Whether the last environment asked for was of the new version.
    pub(super) picked_new: bool,
    /// Draws of a failing version's errors.
    pub(super) fail_rng: Option<crate::rng::Stream>,
}

/// An idle environment in the pool: whether it is provisioned, above its
/// creation number, above its slot, so keys order as (provisioned,
/// created, slot) do (creation numbers are unique). The pool takes the
/// greatest key: an idle provisioned environment first (Lambda sends
/// traffic beyond provisioned concurrency on demand only when every
/// provisioned environment is busy: AWS's
/// `ProvisionedConcurrencySpilloverInvocations`), then the newest.
pub(super) fn idle_key(provisioned: bool, created: u64, slot: u32) -> u64 {
    debug_assert!(created < 1 << 39 && slot < 1 << 24);
    u64::from(provisioned) << 63 | created << 24 | u64::from(slot)
}

fn idle_slot(key: u64) -> u32 {
    (key & ((1 << 24) - 1)) as u32
}

/// Idle environments, newest last: keys (`idle_key`) in ascending order.
/// Taking the newest is `Vec::pop`; an environment coming back is among
/// the newest in use (the newest idle one is always taken first), so it
/// is inserted near the end and little moves. A binary heap did the same
/// with a sift of every level on each take and each return.
#[derive(Debug, Default)]
pub(super) struct IdlePool(Vec<u64>);

impl IdlePool {
    /// The newest idle environment's key, taken out of the pool.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<u64> {
        self.0.pop()
    }

    #[inline]
    pub(super) fn push(&mut self, key: u64) {
        let v = &mut self.0;
        v.push(key);
        // Shifted into place from the end, one step at a time while it is
        // near; a search and one move past that.
        let mut i = v.len() - 1;
        for _ in 0..8 {
            if i == 0 || v[i - 1] < key {
                v[i] = key;
                return;
            }
            v[i] = v[i - 1];
            i -= 1;
        }
        let at = v[..i].partition_point(|&k| k < key);
        v.copy_within(at..i, at + 1);
        v[at] = key;
    }

    /// Keeps the environments `keep` says to, visiting them oldest first.
    pub(super) fn retain(&mut self, keep: impl FnMut(&u64) -> bool) {
        self.0.retain(keep);
    }

    /// Adds every environment of another pool.
    pub(super) fn append(&mut self, other: IdlePool) {
        self.0.extend(other.0);
        self.0.sort_unstable();
    }
}

impl Lambda {
    pub(super) fn new(p: &LambdaProps) -> Lambda {
        let share = p.work.cpu_share.clamp(0.0, 1.0);
        let mem = f64::from(p.memory_mb.max(1));
        // Below 1,769 MB the CPU-bound share slows in proportion
        // to memory; above it a single-threaded handler gains
        // nothing (documented choice).
        let cpu_factor = (1.0 - share) + share * (f64::from(LAMBDA_MB_PER_VCPU) / mem).max(1.0);
        let mut l = Lambda {
            memory_mb: p.memory_mb,
            arm64: p.architecture == Architecture::Arm64,
            timeout: u64::from(p.timeout_s.max(1)) * SEC,
            init_us: match &p.cold_start {
                Some(d) => d.mean_ms().max(0.0) * 1e3,
                // SnapStart restore, ~100-150 ms (SPEC-SIM.md).
                None if p.snap_start && p.init_ms.is_none() => 125_000.0,
                None => p.effective_init_ms().max(0.0) * 1e3,
            },
            init_shape: p.cold_start.as_ref().and_then(|d| {
                let mean = d.mean_ms() * 1e3;
                match Sampler::new(d) {
                    Sampler::Constant(_) => None,
                    s if mean > 0.0 => Some((s, mean)),
                    _ => None,
                }
            }),
            work: Sampler::new(&p.work.duration),
            cpu_factor,
            reserved: p.reserved_concurrency,
            provisioned: p.provisioned_concurrency,
            envs: Vec::new(),
            free_envs: Vec::new(),
            idle: IdlePool::default(),
            busy: 0,
            created: 0,
            created_in_warmup: 0,
            // A bucket of the 10 s rate, refilled continuously (SPEC-SIM.md).
            scaling: TokenBucket::new(
                f64::from(p.scaling_rate_per_10s()) / 10.0,
                f64::from(p.scaling_rate_per_10s()),
            ),
            max_event_age: u64::from(p.max_event_age_s) * SEC,
            max_retry: p.max_retry_attempts.min(2) as u16,
            billed_mb_us: 0.0,
            provisioned_invocations: 0,
            provisioned_billed_mb_us: 0.0,
            invocations: 0,
            alive: Gauge::default(),
            reclaimed_lifetime_us: 0.0,
            version: 0,
            error_rates: vec![0.0],
            deployment: p.deployment.as_deref().cloned(),
            deploying: None,
            retired: IdlePool::default(),
            picked_new: false,
            fail_rng: None,
        };
        l.alive.set(0, u64::from(p.provisioned_concurrency));
        // Provisioned environments are initialised before the run.
        for _ in 0..p.provisioned_concurrency {
            let e = l.envs.len() as u32;
            l.envs.push(Env {
                created: l.created,
                born: 0,
                last_used: 0,
                busy: false,
                alive: true,
                provisioned: true,
                version: 0,
            });
            l.idle.push(idle_key(true, l.created, e));
            l.created += 1;
        }
        l
    }
}

impl Simulation {
    fn lambda(&mut self, node: u32) -> &mut Lambda {
        match &mut self.nodes[node as usize].behaviour {
            Behaviour::Lambda(l) => l,
            _ => unreachable!("not a Lambda function"),
        }
    }

    /// Takes an execution environment: `Some((env, cold))`, or `None` when
    /// throttled by concurrency or the scaling rate.
    fn lambda_acquire(&mut self, node: u32) -> Option<(u32, bool)> {
        let now = self.now;
        let (pool_used, pool_limit) = (self.pool_used, self.pool_limit);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Lambda(l) = &mut n.behaviour else {
            return None;
        };
        // The alias picks the version first, so a throttle is counted
        // against the version it was meant for.
        let new = match &mut l.deploying {
            Some(d) => d.pick(),
            None => false,
        };
        l.picked_new = new;
        match l.reserved {
            Some(cap) if l.busy >= cap => return None,
            None if pool_used >= pool_limit => return None,
            _ => {}
        }
        let version = match (&l.deploying, new) {
            (Some(d), true) => d.version,
            _ => l.version,
        };
        let idle = match (&mut l.deploying, new) {
            (Some(d), true) => &mut d.idle,
            _ => &mut l.idle,
        };
        let (env, cold) = if let Some(e) = idle.pop().map(idle_slot) {
            (e, false)
        } else {
            let token = match &mut self.legacy {
                Some(b) => b.take(now),
                None => l.scaling.take(now),
            };
            if !token {
                return None;
            }
            let env = Env {
                created: l.created,
                born: now,
                last_used: now,
                busy: false,
                alive: true,
                provisioned: false,
                version,
            };
            l.created += 1;
            let e = match l.free_envs.pop() {
                Some(e) => {
                    l.envs[e as usize] = env;
                    e
                }
                None => {
                    l.envs.push(env);
                    (l.envs.len() - 1) as u32
                }
            };
            l.alive.inc(now);
            n.c.cold_starts += 1;
            n.second.cold_starts += 1;
            (e, true)
        };
        l.envs[env as usize].busy = true;
        l.busy += 1;
        if l.reserved.is_none() {
            self.pool_used += 1;
        }
        let b = u64::from(l.busy);
        n.concurrency.set(now, b);
        Some((env, cold))
    }

    pub(super) fn lambda_start(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let node = req.node;
        let Some((env, cold)) = self.lambda_acquire(node) else {
            self.lambda_throttled(r);
            return;
        };
        let batch = if req.mode == Mode::Batch {
            self.batch_len(r)
        } else {
            1
        };
        let new = self.lambda(node).picked_new;
        // A traffic profile's own work overrides either version's.
        let overridden = req.profile != NONE && self.profiles[req.profile as usize].work.is_some();
        let mut work = 0.0;
        for _ in 0..batch {
            work += if new && !overridden {
                self.new_version_work(node)
            } else {
                self.work_sample(node, req.profile)
            };
        }
        let (stores, stores_ok) = self.handler_store_latency(node, req.path);
        // A new environment reads the secrets it caches during its init.
        let secrets = if cold {
            self.read_cached_secrets(node)
        } else {
            0
        };
        self.deploy_started(node, new, cold);
        let n = &mut self.nodes[node as usize];
        let Behaviour::Lambda(l) = &mut n.behaviour else {
            unreachable!("not a Lambda function")
        };
        let init_us = match &l.deploying {
            Some(d) if new => d.init_us,
            _ => l.init_us,
        };
        let init = match (&l.init_shape, cold) {
            (_, false) => 0,
            (None, true) => to_us(init_us),
            // x / x is exactly 1: the function's own version draws the
            // distribution as measured.
            (Some((shape, mean)), true) => to_us(shape.sample(&mut n.rng) * (init_us / mean)),
        };
        let init = init + secrets;
        let duration = init + to_us(work * l.cpu_factor) + stores;
        let timeout = l.timeout;
        l.invocations += 1;
        let rq = &mut self.reqs[r as usize];
        rq.slot = env;
        rq.service_start = now;
        rq.init_us = init;
        rq.step = 0;
        // A table call that failed past its retries fails the handler as
        // a failed synchronous call does.
        rq.failed = !stores_ok;
        rq.timed_out = duration > timeout;
        let n = &mut self.nodes[node as usize];
        let wait = now - req.arrived;
        n.c.served += 1;
        n.c.wait_sum += to_f64(wait);
        if wait > 0 {
            n.c.waited += 1;
        }
        self.push(now + duration.min(timeout), Ev::WorkDone { req: r });
    }

    /// An asynchronous event waiting in Lambda's internal queue (after a
    /// throttle or a function error) is tried again.
    pub(super) fn on_async_retry(&mut self, r: u32) {
        let now = self.now;
        let node = self.reqs[r as usize].node;
        self.nodes[node as usize].queue.dec(now);
        self.lambda_start(r);
    }

    fn batch_len(&self, r: u32) -> u32 {
        let mut n = 0;
        let mut m = self.reqs[r as usize].link;
        while m != NONE {
            n += 1;
            m = self.reqs[m as usize].link;
        }
        n
    }

    fn lambda_throttled(&mut self, r: u32) {
        let now = self.now;
        let req = self.reqs[r as usize];
        self.deploy_throttled(req.node);
        match req.mode {
            Mode::Sync | Mode::Message => self.finish(r, Outcome::Throttled),
            Mode::Async => {
                // Lambda's internal queue retries throttles with backoff
                // (1 s doubling, up to 5 min) for up to the maximum event age.
                let backoff = (SEC << req.attempts.min(20)).min(ASYNC_BACKOFF_MAX);
                let l = self.lambda(req.node);
                let age_limit = l.max_event_age;
                let n = &mut self.nodes[req.node as usize];
                n.c.throttles_retried += 1;
                n.second.throttles += 1;
                if now + backoff - req.arrived > age_limit {
                    self.dead_letter(r);
                } else {
                    n.c.retries += 1;
                    n.queue.inc(now);
                    self.reqs[r as usize].attempts += 1;
                    self.push(now + backoff, Ev::AsyncRetry { req: r });
                }
            }
            Mode::Batch => {
                self.batch_done(r, false);
                self.finish(r, Outcome::Throttled);
            }
        }
    }

    /// The invocation is over: its environment goes back to the idle pool,
    /// its duration is billed, and the result goes to the caller or to the
    /// retry policy.
    pub(super) fn lambda_done(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        let n = &mut self.nodes[req.node as usize];
        let Behaviour::Lambda(l) = &mut n.behaviour else {
            return;
        };
        let e = &mut l.envs[req.slot as usize];
        let provisioned = e.provisioned;
        let version = e.version;
        e.busy = false;
        e.last_used = now;
        let key = idle_key(provisioned, e.created, req.slot);
        if !provisioned {
            self.next_expiry = self.next_expiry.min(now + self.idle_expiry);
        }
        match &mut l.deploying {
            Some(d) if d.version == version => d.idle.push(key),
            _ if version == l.version => l.idle.push(key),
            _ => l.retired.push(key),
        }
        l.busy -= 1;
        if l.reserved.is_none() {
            self.pool_used -= 1;
        }
        // Billed in 1 ms steps; a timed-out invocation is billed for
        // the timeout. Init is billed too (AWS bills INIT since 2025).
        let used = (now - req.service_start).min(l.timeout);
        let billed = f64::from(l.memory_mb) * to_f64(used.div_ceil(1000) * 1000);
        l.billed_mb_us += billed;
        if provisioned {
            l.provisioned_invocations += 1;
            l.provisioned_billed_mb_us += billed;
        }
        n.c.service_sum += to_f64(now - req.service_start);
        let b = u64::from(l.busy);
        n.concurrency.set(now, b);
        self.deploy_finished(
            req.node,
            version,
            now - req.service_start,
            outcome == Outcome::Ok,
        );
        self.lambda_result(r, outcome);
    }

    fn lambda_result(&mut self, r: u32, outcome: Outcome) {
        let now = self.now;
        let req = self.reqs[r as usize];
        match req.mode {
            Mode::Sync | Mode::Message => self.finish(r, outcome),
            Mode::Async => {
                if outcome == Outcome::Ok {
                    self.finish(r, Outcome::Ok);
                    return;
                }
                let max_retry = self.lambda(req.node).max_retry;
                let age_limit = self.lambda(req.node).max_event_age;
                // Function errors: retried twice, 1 min then 2 min later.
                let delay = ASYNC_ERROR_RETRY * (u64::from(req.errors) + 1);
                if req.errors < max_retry && now + delay - req.arrived <= age_limit {
                    self.reqs[r as usize].errors += 1;
                    let n = &mut self.nodes[req.node as usize];
                    n.c.retries += 1;
                    n.queue.inc(now);
                    self.push(now + delay, Ev::AsyncRetry { req: r });
                } else {
                    self.dead_letter(r);
                }
            }
            Mode::Batch => {
                self.batch_done(r, outcome == Outcome::Ok);
                self.finish(r, outcome);
            }
        }
    }

    /// An asynchronous event that ran out of retries or age: to the DLQ or
    /// on-failure destination if there is one, else dropped.
    fn dead_letter(&mut self, r: u32) {
        let node = self.reqs[r as usize].node;
        let dlq = self.nodes[node as usize].dead_letter;
        if dlq != NONE {
            self.nodes[node as usize].c.dead_lettered += 1;
            let path = self.reqs[r as usize].path;
            let mode = if matches!(self.nodes[dlq as usize].behaviour, Behaviour::Queue(_)) {
                Mode::Message
            } else {
                Mode::Async
            };
            self.arrive(dlq, NONE, mode, path, NONE);
            self.finish(r, Outcome::Error(ErrKind::DeadLetter));
        } else {
            self.finish(r, Outcome::Error(ErrKind::Dropped));
        }
    }

    pub(super) fn expire_idle(&mut self) {
        let now = self.now;
        let idle_expiry = self.idle_expiry;
        let warmup = self.warmup;
        // The earliest expiry still to come.
        let mut next = Us::MAX;
        for n in &mut self.nodes {
            let Behaviour::Lambda(l) = &mut n.behaviour else {
                continue;
            };
            let envs = &mut l.envs;
            let free = &mut l.free_envs;
            let alive = &mut l.alive;
            let lifetimes = &mut l.reclaimed_lifetime_us;
            // Idle environments of the version in service, of retired
            // versions, and of the one being deployed.
            let heaps = [
                Some(&mut l.idle),
                Some(&mut l.retired),
                l.deploying.as_mut().map(|d| &mut d.idle),
            ];
            for heap in heaps.into_iter().flatten() {
                heap.retain(|&key| {
                    let e = idle_slot(key);
                    let env = &mut envs[e as usize];
                    let expiry = env.last_used + idle_expiry;
                    if env.provisioned {
                        return true;
                    }
                    if expiry <= now {
                        env.alive = false;
                        free.push(e);
                        // Reclaimed at its expiry, found at this tick: the
                        // gauge must not count it alive in between.
                        alive.dec(now);
                        alive.integral -= (now - expiry) as f64;
                        // Lifetimes of environments born in the warm-up are
                        // not counted (nor are those environments).
                        if env.born >= warmup {
                            *lifetimes += (expiry - env.born) as f64;
                        }
                        false
                    } else {
                        next = next.min(expiry);
                        true
                    }
                });
            }
        }
        self.next_expiry = next;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BinaryHeap;

    use rand::{Rng, SeedableRng};

    use super::IdlePool;

    /// Environments come back in any order, near the newest (the common
    /// case) or far below it (past the step-by-step shift): the pool
    /// always gives the newest idle one, as a max-heap of the same keys.
    #[test]
    fn the_pool_gives_the_newest_idle_environment() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let mut pool = IdlePool::default();
        let mut heap = BinaryHeap::new();
        let mut next = 0u64;
        for _ in 0..100_000 {
            if rng.random_bool(0.55) {
                // A new key, or one well below the newest.
                let key = if rng.random_bool(0.8) {
                    next += 1;
                    next << 8
                } else {
                    (rng.random_range(0..=next) << 8) | rng.random_range(1..256)
                };
                pool.push(key);
                heap.push(key);
            } else {
                assert_eq!(pool.pop(), heap.pop());
            }
        }
        assert_eq!(pool.0, heap.into_sorted_vec());
    }
}
