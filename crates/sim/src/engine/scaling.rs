//! Scaling decisions for services: target tracking (3 minutes above the
//! target out, 15 below in, with cooldowns), step scaling, and the
//! Kubernetes Horizontal Pod Autoscaler, each evaluated on its own clock.

use archsim_model::component::ScalingMetric;

use super::events::Ev;
use super::{SEC, Simulation, Us};
use crate::run::ScaleDecision;

/// Service auto scaling alarms: 3 breaching minutes out, 15 in.
const SCALE_OUT_MINUTES: u32 = 3;
pub(super) const SCALE_IN_MINUTES: u32 = 15;

pub(super) const HPA_SYNC: Us = 15 * SEC;
const HPA_STABILISATION: Us = 300 * SEC;

impl Simulation {
    pub(super) fn on_scale_eval(&mut self, node: u32) {
        let now = self.now;
        self.svc_account(node);
        let s = self.svc(node);
        let cpu = if s.capacity_integral > 0.0 {
            100.0 * s.busy_integral / s.capacity_integral
        } else {
            0.0
        };
        // The HPA counts pods that are not ready yet at 0% CPU when it
        // scales up, so starting pods damp the next step.
        let hpa_cpu = 100.0 * s.busy_integral
            / (f64::from(s.desired.max(1)) * f64::from(s.workers) * HPA_SYNC as f64);
        let per_target = s.minute_requests as f64 / f64::from(s.serving.max(1));
        s.busy_integral = 0.0;
        s.capacity_integral = 0.0;
        s.minute_requests = 0;
        let current = s.desired;
        if let Some(h) = &mut s.hpa {
            let target = h.target;
            let cpu = hpa_cpu;
            let ratio = cpu / target;
            let rec = if (ratio - 1.0).abs() <= 0.1 {
                current
            } else {
                (f64::from(current) * ratio).ceil() as u32
            };
            h.recommendations.push_back((now, rec));
            while h
                .recommendations
                .front()
                .is_some_and(|&(t, _)| now - t > HPA_STABILISATION)
            {
                h.recommendations.pop_front();
            }
            let stable = h
                .recommendations
                .iter()
                .map(|&(_, r)| r)
                .max()
                .unwrap_or(rec);
            let to = if rec > current {
                rec.min((current * 2).max(current + 4))
            } else {
                stable.min(current)
            }
            .clamp(s.min, s.max);
            if to != current {
                s.desired = to;
                self.nodes[node as usize].c.scale_events += 1;
                self.decisions.push(ScaleDecision {
                    at_s: now as f64 / SEC as f64,
                    component: self.nodes[node as usize].id.clone(),
                    from: current,
                    to,
                    reason: format!("HPA: CPU {cpu:.1}% against target {target:.0}%"),
                });
                self.reconcile(node);
            }
            self.push(now + HPA_SYNC, Ev::ScaleEval { node });
            return;
        }
        let mut out_to: Option<(u32, String)> = None;
        let mut all_low = !s.policies.is_empty();
        let mut in_to = 0u32;
        let mut in_cooldown = 0;
        for p in &mut s.policies {
            // Memory utilisation is taken as proportional to busy workers
            // too (no memory model yet).
            let m = match p.metric {
                ScalingMetric::CpuUtilization | ScalingMetric::MemoryUtilization => cpu,
                ScalingMetric::AlbRequestCountPerTarget => per_target,
            };
            if m > p.target {
                p.high += 1;
            } else {
                p.high = 0;
            }
            if m < 0.9 * p.target {
                p.low += 1;
            } else {
                p.low = 0;
            }
            let want = (f64::from(current) * m / p.target).ceil() as u32;
            let cooled = s.last_out.is_none_or(|t| now - t >= p.out_cooldown);
            if p.high >= SCALE_OUT_MINUTES && cooled && want > current {
                let reason = format!(
                    "{:?} {m:.1} above target {} for {} min",
                    p.metric, p.target, p.high
                );
                if out_to.as_ref().is_none_or(|(n, _)| want > *n) {
                    out_to = Some((want, reason));
                }
            }
            if p.low < SCALE_IN_MINUTES {
                all_low = false;
            }
            in_to = in_to.max(want);
            in_cooldown = in_cooldown.max(p.in_cooldown);
        }
        // Step scaling: out if any asks, like target tracking; in only when
        // no target tracking policy objects.
        let mut step_in: Option<(u32, String)> = None;
        for p in &mut s.step_policies {
            let m = match p.metric {
                ScalingMetric::CpuUtilization | ScalingMetric::MemoryUtilization => cpu,
                ScalingMetric::AlbRequestCountPerTarget => per_target,
            };
            let breach = m - p.threshold;
            let Some(&(_, adj)) = p.steps.iter().rev().find(|(lb, _)| breach >= *lb) else {
                continue;
            };
            if (adj > 0 && breach <= 0.0) || p.last.is_some_and(|t| now - t < p.cooldown) {
                continue;
            }
            let want = (i64::from(current) + i64::from(adj)).max(0) as u32;
            let reason = format!(
                "step scaling: {:?} {m:.1} vs alarm {} ({adj:+})",
                p.metric, p.threshold
            );
            if want > current {
                p.last = Some(now);
                if out_to.as_ref().is_none_or(|(n, _)| want > *n) {
                    out_to = Some((want, reason));
                }
            } else if want < current && (s.policies.is_empty() || all_low) {
                p.last = Some(now);
                if step_in.as_ref().is_none_or(|(n, _)| want < *n) {
                    step_in = Some((want, reason));
                }
            }
        }
        let (min, max) = (s.min, s.max);
        let mut decision = None;
        if out_to.is_none()
            && let Some((want, reason)) = step_in
        {
            let to = want.max(min);
            if to < current {
                s.desired = to;
                s.last_in = Some(now);
                decision = Some((current, to, reason));
            }
        } else if let Some((want, reason)) = out_to {
            let to = want.min(max);
            if to > current {
                s.desired = to;
                s.last_out = Some(now);
                decision = Some((current, to, reason));
            }
        } else if all_low
            && s.last_in.is_none_or(|t| now - t >= in_cooldown)
            && s.last_out.is_none_or(|t| now - t >= in_cooldown)
        {
            // Scale in gradually: at most 10% (at least one task) a step.
            let step = (current / 10).max(1);
            let to = in_to.max(current.saturating_sub(step)).max(min);
            if to < current {
                s.desired = to;
                s.last_in = Some(now);
                decision = Some((current, to, "below 90% of target for 15 min".to_string()));
            }
        }
        if let Some((from, to, reason)) = decision {
            self.nodes[node as usize].c.scale_events += 1;
            self.decisions.push(ScaleDecision {
                at_s: now as f64 / SEC as f64,
                component: self.nodes[node as usize].id.clone(),
                from,
                to,
                reason,
            });
            self.reconcile(node);
        }
        self.push(now + 60 * SEC, Ev::ScaleEval { node });
    }
}
