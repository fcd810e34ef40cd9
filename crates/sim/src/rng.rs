//! Random streams and duration samplers.
//!
//! Every component draws from its own PCG stream, seeded from the run's
//! seed and a stable hash of the component id, so adding a component to a
//! design does not change any other component's draws. PCG and the hash
//! are defined bit-for-bit, so a seed means the same run on every platform.

use archsim_model::component::Distribution;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Exp1, LogNormal};
use rand_pcg::Pcg64Mcg;

pub type Stream = Pcg64Mcg;

/// FNV-1a: stable across platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 finaliser: spreads nearby seeds far apart.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of one named thing (a component id, a traffic profile).
pub fn stream(seed: u64, name: &str) -> Stream {
    let s = mix(seed ^ mix(fnv1a(name.as_bytes())));
    Pcg64Mcg::seed_from_u64(s)
}

/// z for the 99th percentile of the standard normal.
const Z99: f64 = 2.326_347_874_040_841;

/// A duration distribution prepared for fast sampling, in microseconds.
#[derive(Debug, Clone)]
pub enum Sampler {
    Constant(f64),
    Exponential(f64),
    LogNormal(LogNormal<f64>),
    Empirical(Vec<f64>),
}

impl Sampler {
    pub fn new(d: &Distribution) -> Sampler {
        match d {
            Distribution::Constant { ms } => Sampler::Constant(ms.max(0.0) * 1e3),
            Distribution::Exponential { mean_ms } => Sampler::Exponential(mean_ms.max(0.0) * 1e3),
            Distribution::Lognormal { mean_ms, p99_ms } => {
                let (m, q) = (mean_ms.max(1e-6), p99_ms.max(1e-6));
                // ln X ~ N(mu, s^2): mean = e^(mu + s^2/2), p99 = e^(mu + z s).
                // So s^2/2 - z s + ln(q/m) = 0; take the smaller root. When
                // p99 is so far above the mean that no root exists, s = z is
                // the widest lognormal with that mean (documented choice).
                let d = Z99 * Z99 - 2.0 * (q / m).ln();
                let s = if q <= m {
                    0.0
                } else if d <= 0.0 {
                    Z99
                } else {
                    Z99 - d.sqrt()
                };
                let mu = (m * 1e3).ln() - s * s / 2.0;
                match LogNormal::new(mu, s) {
                    Ok(l) if s > 0.0 => Sampler::LogNormal(l),
                    _ => Sampler::Constant(m * 1e3),
                }
            }
            Distribution::Empirical { samples_ms } if samples_ms.is_empty() => {
                Sampler::Constant(0.0)
            }
            Distribution::Empirical { samples_ms } => {
                Sampler::Empirical(samples_ms.iter().map(|s| s.max(0.0) * 1e3).collect())
            }
        }
    }

    /// One draw, microseconds (fractional).
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exponential(mean) => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Sampler::LogNormal(l) => l.sample(rng),
            Sampler::Empirical(v) => v[rng.random_range(0..v.len())],
        }
    }
}

/// A standard exponential draw (mean 1).
#[inline]
pub fn exp1(rng: &mut Stream) -> f64 {
    Exp1.sample(rng)
}

/// A uniform draw in [0, 1).
#[inline]
pub fn uniform(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// The index a uniform draw `u` in [0, 1) picks among `weights`, each in
/// proportion to its weight (zero weights are never picked); `None` when
/// no weight is above zero.
pub fn pick_weighted(weights: impl IntoIterator<Item = f64> + Clone, u: f64) -> Option<usize> {
    let total: f64 = weights.clone().into_iter().filter(|w| *w > 0.0).sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = u * total;
    let mut pick = None;
    for (i, w) in weights.into_iter().enumerate() {
        if w > 0.0 {
            pick = Some(i);
            if x < w {
                break;
            }
            x -= w;
        }
    }
    pick
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weighted_pick_follows_the_weights_and_skips_zeros() {
        let w = [3.0, 0.0, 1.0];
        assert_eq!(pick_weighted(w, 0.0), Some(0));
        assert_eq!(pick_weighted(w, 0.74), Some(0));
        assert_eq!(pick_weighted(w, 0.75), Some(2));
        assert_eq!(pick_weighted(w, 0.999), Some(2));
        assert_eq!(pick_weighted([0.0, 0.0], 0.5), None);
    }

    #[test]
    fn streams_depend_on_seed_and_name_only() {
        let a: u64 = stream(1, "fn").random();
        let b: u64 = stream(1, "fn").random();
        let c: u64 = stream(2, "fn").random();
        let d: u64 = stream(1, "other").random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn lognormal_matches_mean_and_p99() {
        let s = Sampler::new(&Distribution::Lognormal {
            mean_ms: 50.0,
            p99_ms: 200.0,
        });
        let mut rng = stream(3, "x");
        let mut v: Vec<f64> = (0..200_000).map(|_| s.sample(&mut rng)).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.sort_by(f64::total_cmp);
        let p99 = v[v.len() * 99 / 100];
        assert!((mean / 50_000.0 - 1.0).abs() < 0.02, "mean {mean}");
        assert!((p99 / 200_000.0 - 1.0).abs() < 0.04, "p99 {p99}");
    }

    fn sorted_draws(d: &Distribution, n: usize) -> Vec<f64> {
        let s = Sampler::new(d);
        let mut rng = stream(7, "cold");
        let mut v: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn exponential_matches_its_mean_median_and_p99() {
        let v = sorted_draws(&Distribution::Exponential { mean_ms: 200.0 }, 200_000);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean / 200_000.0 - 1.0).abs() < 0.01, "mean {mean}");
        let p50 = v[v.len() / 2];
        assert!(
            (p50 / (200_000.0 * 2f64.ln()) - 1.0).abs() < 0.02,
            "p50 {p50}"
        );
        let p99 = v[v.len() * 99 / 100];
        assert!(
            (p99 / (200_000.0 * 100f64.ln()) - 1.0).abs() < 0.03,
            "p99 {p99}"
        );
    }

    #[test]
    fn empirical_draws_each_sample_equally_often() {
        let samples = [120.0, 150.0, 400.0, 2_000.0];
        let v = sorted_draws(
            &Distribution::Empirical {
                samples_ms: samples.to_vec(),
            },
            100_000,
        );
        for s in samples {
            let share = v.iter().filter(|&&x| x == s * 1e3).count() as f64 / v.len() as f64;
            // A quarter each: standard error 0.0014.
            assert!((share - 0.25).abs() < 0.006, "{s} ms drawn {share}");
        }
    }

    #[test]
    fn constant_is_its_value() {
        let v = sorted_draws(&Distribution::Constant { ms: 85.0 }, 10);
        assert!(v.iter().all(|&x| x == 85_000.0));
    }
}
