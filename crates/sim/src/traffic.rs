//! Traffic: request rates over time and the arrivals they produce.
//!
//! Patterns other than `constant` are non-homogeneous Poisson processes,
//! generated lazily by thinning (Lewis and Shedler): candidate arrivals at
//! the pattern's peak rate, each kept with probability rate(t) / peak. A
//! trace is read once into arrival times; it is input data, so its size is
//! the user's choice, not the run length's.

use std::path::{Path, PathBuf};

use archsim_model::scenario::{TraceFormat, TrafficPattern};

use crate::SimError;

/// Requests per second as a function of time, with its peak.
#[derive(Debug, Clone)]
pub enum RateCurve {
    /// Evenly spaced arrivals.
    Constant(f64),
    Poisson(f64),
    Diurnal {
        mean: f64,
        amplitude: f64,
        period_s: f64,
        peak_at_s: f64,
    },
    /// Linear from `from` at 0 to `to` at the scenario's end.
    Ramp {
        from: f64,
        to: f64,
        over_s: f64,
    },
    Step {
        from: f64,
        to: f64,
        at_s: f64,
    },
    Spike {
        base: f64,
        peak: f64,
        at_s: f64,
        duration_s: f64,
    },
}

impl RateCurve {
    /// Checks rates and builds the curve. `duration_s` is the scenario's
    /// length (a ramp spans it).
    pub fn new(p: &TrafficPattern, duration_s: f64, where_: &str) -> Result<RateCurve, SimError> {
        let bad = |what: String| SimError::BadScenario(format!("{where_}: {what}"));
        let check = |name: &str, v: f64| -> Result<(), SimError> {
            // 10^7 rps is far beyond any account limit: a typo, not a load test.
            if !v.is_finite() || !(0.0..=1e7).contains(&v) {
                Err(bad(format!(
                    "{name} = {v} is not a rate between 0 and 10,000,000 requests per second"
                )))
            } else {
                Ok(())
            }
        };
        Ok(match *p {
            TrafficPattern::Constant { rps } => {
                check("rps", rps)?;
                RateCurve::Constant(rps)
            }
            TrafficPattern::Poisson { rps } => {
                check("rps", rps)?;
                RateCurve::Poisson(rps)
            }
            TrafficPattern::Diurnal {
                mean_rps,
                amplitude,
                period_s,
                peak_at_s,
            } => {
                check("mean_rps", mean_rps)?;
                if !(0.0..=1.0).contains(&amplitude) {
                    return Err(bad(format!(
                        "amplitude = {amplitude} is not between 0 and 1"
                    )));
                }
                if period_s.is_nan() || period_s <= 0.0 {
                    return Err(bad(format!("period_s = {period_s} must be positive")));
                }
                RateCurve::Diurnal {
                    mean: mean_rps,
                    amplitude,
                    period_s,
                    peak_at_s,
                }
            }
            TrafficPattern::Ramp { from_rps, to_rps } => {
                check("from_rps", from_rps)?;
                check("to_rps", to_rps)?;
                RateCurve::Ramp {
                    from: from_rps,
                    to: to_rps,
                    over_s: duration_s.max(1e-9),
                }
            }
            TrafficPattern::Step {
                from_rps,
                to_rps,
                at_s,
            } => {
                check("from_rps", from_rps)?;
                check("to_rps", to_rps)?;
                RateCurve::Step {
                    from: from_rps,
                    to: to_rps,
                    at_s,
                }
            }
            TrafficPattern::Spike {
                base_rps,
                peak_rps,
                at_s,
                duration_s,
            } => {
                check("base_rps", base_rps)?;
                check("peak_rps", peak_rps)?;
                RateCurve::Spike {
                    base: base_rps,
                    peak: peak_rps,
                    at_s,
                    duration_s,
                }
            }
            TrafficPattern::Trace { .. } => {
                return Err(bad("a trace has no rate curve".into()));
            }
        })
    }

    /// Rate at `t` seconds.
    pub fn rate(&self, t: f64) -> f64 {
        match *self {
            RateCurve::Constant(r) | RateCurve::Poisson(r) => r,
            RateCurve::Diurnal {
                mean,
                amplitude,
                period_s,
                peak_at_s,
            } => {
                let phase = 2.0 * std::f64::consts::PI * (t - peak_at_s) / period_s;
                mean * (1.0 + amplitude * phase.cos())
            }
            RateCurve::Ramp { from, to, over_s } => {
                from + (to - from) * (t / over_s).clamp(0.0, 1.0)
            }
            RateCurve::Step { from, to, at_s } => {
                if t < at_s {
                    from
                } else {
                    to
                }
            }
            RateCurve::Spike {
                base,
                peak,
                at_s,
                duration_s,
            } => {
                if t >= at_s && t < at_s + duration_s {
                    peak
                } else {
                    base
                }
            }
        }
    }

    /// The highest rate the curve reaches: the thinning envelope.
    pub fn peak(&self) -> f64 {
        match *self {
            RateCurve::Constant(r) | RateCurve::Poisson(r) => r,
            RateCurve::Diurnal {
                mean, amplitude, ..
            } => mean * (1.0 + amplitude),
            RateCurve::Ramp { from, to, .. } | RateCurve::Step { from, to, .. } => from.max(to),
            RateCurve::Spike { base, peak, .. } => base.max(peak),
        }
    }
}

/// One replayed arrival: time in microseconds and a path, if the trace
/// carries one (ALB logs do).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceArrival {
    pub at_us: u64,
    pub path: Option<String>,
}

/// Reads a trace file. `base` is the directory the design file is in.
pub fn read_trace(
    base: &Path,
    file: &str,
    format: TraceFormat,
) -> Result<Vec<TraceArrival>, SimError> {
    let path: PathBuf = base.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| SimError::Trace {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse_trace(&text, format).map_err(|(line, message)| SimError::Trace {
        file: path.display().to_string(),
        line,
        message,
    })
}

/// Parses trace text; errors carry the 1-based line number. Blank lines
/// and lines starting with `#` are skipped, and a first line that is not a
/// number is taken as a CSV header.
pub fn parse_trace(text: &str, format: TraceFormat) -> Result<Vec<TraceArrival>, (usize, String)> {
    let mut out = Vec::new();
    let mut first_alb: Option<f64> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let is_header =
            i == 0 && !line.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
        match format {
            TraceFormat::Timestamps => {
                if is_header {
                    continue;
                }
                let field = line.split(',').next().unwrap_or("").trim();
                let t: f64 = field
                    .parse()
                    .map_err(|_| (n, format!("\"{field}\" is not a timestamp in seconds")))?;
                if !t.is_finite() || t < 0.0 {
                    return Err((n, format!("timestamp {t} is negative")));
                }
                out.push(TraceArrival {
                    at_us: (t * 1e6).round() as u64,
                    path: None,
                });
            }
            TraceFormat::PerSecondCounts | TraceFormat::PerMinuteCounts => {
                if is_header {
                    continue;
                }
                let width = if format == TraceFormat::PerSecondCounts {
                    1.0
                } else {
                    60.0
                };
                let mut parts = line.split(',').map(str::trim);
                let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err((n, format!("expected `period,count`, found \"{line}\"")));
                };
                let period: f64 = a
                    .parse()
                    .map_err(|_| (n, format!("\"{a}\" is not a period number")))?;
                let count: u64 = b
                    .parse()
                    .map_err(|_| (n, format!("\"{b}\" is not a non-negative whole count")))?;
                if !period.is_finite() || period < 0.0 {
                    return Err((n, format!("period {period} is negative")));
                }
                // Spread the period's requests evenly inside it: a count
                // trace says how many, not when.
                let start = period * width;
                for k in 0..count {
                    let t = start + width * (k as f64 + 0.5) / count as f64;
                    out.push(TraceArrival {
                        at_us: (t * 1e6).round() as u64,
                        path: None,
                    });
                }
            }
            TraceFormat::AlbAccessLog => {
                let (t, path) = parse_alb_line(line).map_err(|m| (n, m))?;
                let first = *first_alb.get_or_insert(t);
                // Logs are not strictly sorted; arrivals before the first
                // line's time are clamped to the start.
                let rel = (t - first).max(0.0);
                out.push(TraceArrival {
                    at_us: (rel * 1e6).round() as u64,
                    path: Some(path),
                });
            }
        }
    }
    out.sort_by_key(|a| a.at_us);
    Ok(out)
}

/// One ALB access log entry: `type time elb client target ... "METHOD URL
/// PROTO" ...`. Returns seconds since the Unix epoch and the URL's path.
fn parse_alb_line(line: &str) -> Result<(f64, String), String> {
    let mut fields = line.split_ascii_whitespace();
    let _type = fields.next();
    let time = fields
        .next()
        .ok_or_else(|| "missing the time field (2nd)".to_string())?;
    let t = parse_iso8601(time).ok_or_else(|| format!("\"{time}\" is not an ISO 8601 UTC time"))?;
    let request = line
        .split('"')
        .nth(1)
        .ok_or_else(|| "missing the quoted request field".to_string())?;
    let url = request
        .split_ascii_whitespace()
        .nth(1)
        .ok_or_else(|| format!("request \"{request}\" has no URL"))?;
    // http://host:80/path?query -> /path
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_start = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path_start.split('?').next().unwrap_or("/").to_string();
    Ok((t, path))
}

/// `2024-05-01T12:00:03.123456Z` -> seconds since the epoch.
fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let (hh, mm, ss) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
    );
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hh > 23
        || mm > 59
        || !(0.0..61.0).contains(&ss)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3_600 + mm * 60) as f64 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_header_and_bad_line_number() {
        let ok = parse_trace("t\n0.5\n1.25\n", TraceFormat::Timestamps).unwrap();
        assert_eq!(
            ok.iter().map(|a| a.at_us).collect::<Vec<_>>(),
            [500_000, 1_250_000]
        );
        let err = parse_trace("0.5\n1\nabc\n", TraceFormat::Timestamps).unwrap_err();
        assert_eq!(err.0, 3, "{err:?}");
    }

    #[test]
    fn counts_spread_inside_their_period() {
        let a = parse_trace(
            "second,count\n0,2\n1,0\n2,1\n",
            TraceFormat::PerSecondCounts,
        )
        .unwrap();
        assert_eq!(
            a.iter().map(|a| a.at_us).collect::<Vec<_>>(),
            [250_000, 750_000, 2_500_000]
        );
        let m = parse_trace("0,120\n", TraceFormat::PerMinuteCounts).unwrap();
        assert_eq!(m.len(), 120);
        assert!(m.last().unwrap().at_us < 60_000_000);
        let err = parse_trace("0,1\n1,-4\n", TraceFormat::PerSecondCounts).unwrap_err();
        assert_eq!(err.0, 2);
    }

    #[test]
    fn alb_log_lines_give_times_and_paths() {
        let log = concat!(
            "http 2024-05-01T12:00:00.000000Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/orders/1?x=2 HTTP/1.1\" \"curl/7.46.0\" - -\n",
            "http 2024-05-01T12:00:01.500000Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/users/me HTTP/1.1\" \"curl/7.46.0\" - -\n",
            "garbage line\n"
        );
        let err = parse_trace(log, TraceFormat::AlbAccessLog).unwrap_err();
        assert_eq!(err.0, 3);
        let ok = parse_trace(
            &log.lines().take(2).collect::<Vec<_>>().join("\n"),
            TraceFormat::AlbAccessLog,
        )
        .unwrap();
        assert_eq!(ok[0].path.as_deref(), Some("/orders/1"));
        assert_eq!(ok[1].at_us, 1_500_000);
        assert_eq!(parse_iso8601("1970-01-02T00:00:01Z"), Some(86_401.0));
    }

    #[test]
    fn negative_rates_are_refused() {
        let e =
            RateCurve::new(&TrafficPattern::Poisson { rps: -1.0 }, 10.0, "traffic[0]").unwrap_err();
        assert!(e.to_string().contains("traffic[0]"), "{e}");
    }
}
