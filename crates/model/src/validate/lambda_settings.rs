//! The rules on a function's what-if settings: its cold-start
//! distribution and its scaling rate.

use super::*;
use crate::component::Distribution;
use crate::design::LambdaScalingRule;

/// z of the standard normal's 99th percentile.
const Z99: f64 = 2.326_347_874_040_841;

/// Why no lognormal has this mean and 99th percentile, if none has: its
/// p99 lies above its mean, and at most e^(z²/2) ≈ 14.97 times above it
/// (the p99 over the mean, e^(zσ - σ²/2), is largest at σ = z).
pub fn lognormal_unfit(mean_ms: f64, p99_ms: f64) -> Option<String> {
    let most = (Z99 * Z99 / 2.0).exp();
    if p99_ms <= mean_ms {
        Some(format!(
            "a lognormal's 99th percentile lies above its mean, and {p99_ms} ms is not above {mean_ms} ms"
        ))
    } else if p99_ms > mean_ms * most {
        Some(format!(
            "no lognormal has a 99th percentile of {p99_ms} ms with a mean of {mean_ms} ms (at most {most:.2}x the mean)"
        ))
    } else {
        None
    }
}

pub(super) fn lambda_cold_start(d: &Design, out: &mut Found) {
    for (c, l) in lambdas(d) {
        let Some(dist) = &l.cold_start else { continue };
        let why = match dist {
            _ if l.init_ms.is_some() => Some(format!(
                "init_ms ({} ms) and a cold_start distribution are both set, and only the distribution would be used",
                l.init_ms.unwrap_or_default()
            )),
            Distribution::Lognormal { mean_ms, p99_ms } => lognormal_unfit(*mean_ms, *p99_ms),
            Distribution::Empirical { samples_ms } if samples_ms.is_empty() => {
                Some("an empirical distribution needs at least one measured init duration".into())
            }
            Distribution::Constant { .. }
            | Distribution::Exponential { .. }
            | Distribution::Empirical { .. } => None,
        };
        if let Some(why) = why {
            out.push((ids(&[&c.id]), format!("{}'s cold start: {why}", c.name)));
        }
    }
}

pub(super) fn lambda_scaling_rate_ignored(d: &Design, out: &mut Found) {
    if d.account.lambda_scaling != LambdaScalingRule::LegacyBurst {
        return;
    }
    for (c, l) in lambdas(d) {
        if l.scaling_rate_per_10s() != crate::component::LAMBDA_SCALING_RATE_PER_10S {
            out.push((
                ids(&[&c.id]),
                format!(
                    "{}'s scaling rate of {} environments per 10 s is not used: the account follows the pre-2023 rule (an account-wide burst, then +500 per minute)",
                    c.name,
                    l.scaling_rate_per_10s()
                ),
            ));
        }
    }
}
