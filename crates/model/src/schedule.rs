//! EventBridge schedule expressions: `rate(5 minutes)` and
//! `cron(minutes hours day-of-month month day-of-week year)`, read once
//! for the simulator (when a schedule fires) and the bill (how often it
//! fires in a month).
//!
//! ```
//! use archsim_model::schedule::Schedule;
//!
//! assert_eq!(Schedule::parse("rate(5 minutes)").unwrap(), Schedule::Rate { period_s: 300 });
//! // Every weekday at 12:00 and 18:00.
//! let cron = Schedule::parse("cron(0 12,18 ? * MON-FRI *)").unwrap();
//! assert!((cron.mean_fires_per_day() - 2.0 * 5.0 / 7.0).abs() < 1e-9);
//! ```

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Fires every `period_s` seconds.
    Rate { period_s: u64 },
    /// A cron expression, kept as how many values each field selects.
    Cron {
        minutes: u32,
        hours: u32,
        /// Days of the month selected; `None` when `?` or `*` (every day,
        /// or the days of the week decide).
        days_of_month: Option<u32>,
        months: u32,
        /// Days of the week selected; `None` when `?` or `*`.
        days_of_week: Option<u32>,
    },
}

/// Mean days in a month (365.25 / 12).
const DAYS_PER_MONTH: f64 = 30.4375;

impl Schedule {
    /// Reads `rate(...)` or `cron(...)`; the error says what is wrong.
    pub fn parse(expression: &str) -> Result<Schedule, String> {
        let e = expression.trim();
        if let Some(inner) = e.strip_prefix("rate(").and_then(|s| s.strip_suffix(')')) {
            let mut it = inner.split_whitespace();
            let n: u64 = it
                .next()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{e}`: a rate needs a whole number above 0"))?;
            let unit = it.next().unwrap_or_default();
            let seconds = match unit.trim_end_matches('s') {
                "minute" => 60,
                "hour" => 3600,
                "day" => 86_400,
                _ => {
                    return Err(format!(
                        "`{e}`: the unit is minute(s), hour(s) or day(s), not `{unit}`"
                    ));
                }
            };
            return Ok(Schedule::Rate {
                period_s: n * seconds,
            });
        }
        if let Some(inner) = e.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) {
            let fields: Vec<&str> = inner.split_whitespace().collect();
            if fields.len() != 6 {
                return Err(format!(
                    "`{e}`: a cron expression has six fields (minutes hours day-of-month month day-of-week year), not {}",
                    fields.len()
                ));
            }
            let field = |i: usize, lo: u32, hi: u32, names: &[&str]| {
                count(fields[i], lo, hi, names).map_err(|m| format!("`{e}`: field {}: {m}", i + 1))
            };
            let any = |s: &str| s == "*" || s == "?";
            return Ok(Schedule::Cron {
                minutes: field(0, 0, 59, &[])?,
                hours: field(1, 0, 23, &[])?,
                days_of_month: if any(fields[2]) {
                    None
                } else {
                    Some(field(2, 1, 31, &[])?)
                },
                months: field(3, 1, 12, &MONTHS)?,
                days_of_week: if any(fields[4]) {
                    None
                } else {
                    Some(field(4, 1, 7, &WEEKDAYS)?)
                },
            });
        }
        Err(format!(
            "`{e}` is not a schedule: write rate(5 minutes) or cron(0 12 * * ? *)"
        ))
    }

    /// How many times it fires on a mean day.
    pub fn mean_fires_per_day(&self) -> f64 {
        match self {
            Schedule::Rate { period_s } => 86_400.0 / *period_s as f64,
            Schedule::Cron {
                minutes,
                hours,
                days_of_month,
                months,
                days_of_week,
            } => {
                let per_day = f64::from(*minutes) * f64::from(*hours);
                let day_share = match (days_of_month, days_of_week) {
                    (Some(d), _) => f64::from(*d) / DAYS_PER_MONTH,
                    (None, Some(w)) => f64::from(*w) / 7.0,
                    (None, None) => 1.0,
                };
                per_day * day_share.min(1.0) * f64::from(*months) / 12.0
            }
        }
    }

    /// The period of a `rate(...)` schedule in seconds.
    pub fn period_s(&self) -> Option<u64> {
        match self {
            Schedule::Rate { period_s } => Some(*period_s),
            Schedule::Cron { .. } => None,
        }
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// How many values of `lo..=hi` a cron field selects: `*`, `?`, `5`,
/// `1,15`, `MON-FRI`, `0/15`, `*/10`, `L` (one day), `2#1` (one day).
fn count(field: &str, lo: u32, hi: u32, names: &[&str]) -> Result<u32, String> {
    let value = |s: &str| -> Result<u32, String> {
        let upper = s.to_ascii_uppercase();
        if let Some(i) = names.iter().position(|n| *n == upper) {
            return Ok(lo + i as u32);
        }
        s.parse::<u32>()
            .ok()
            .filter(|v| (lo..=hi).contains(v))
            .ok_or_else(|| format!("`{s}` is not a value from {lo} to {hi}"))
    };
    let mut total = 0;
    for part in field.split(',') {
        total += if part == "*" || part == "?" {
            hi - lo + 1
        } else if part.ends_with('L') || part.ends_with('W') || part.contains('#') {
            1
        } else if let Some((start, step)) = part.split_once('/') {
            let step: u32 = step
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| format!("`{part}`: the step must be a whole number above 0"))?;
            let from = if start == "*" { lo } else { value(start)? };
            (hi - from) / step + 1
        } else if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (value(a)?, value(b)?);
            if b < a {
                return Err(format!("`{part}`: the range runs backwards"));
            }
            b - a + 1
        } else {
            value(part)?;
            1
        };
    }
    Ok(total.min(hi - lo + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_crons_fire_as_often_as_aws_says() {
        let per_day = |e: &str| Schedule::parse(e).unwrap().mean_fires_per_day();
        assert_eq!(per_day("rate(5 minutes)"), 288.0);
        assert_eq!(per_day("rate(1 hour)"), 24.0);
        assert_eq!(per_day("rate(2 days)"), 0.5);
        // Every day at 12:00 UTC.
        assert_eq!(per_day("cron(0 12 * * ? *)"), 1.0);
        // Every 15 minutes, 9:00 to 17:59, weekdays.
        assert!((per_day("cron(0/15 9-17 ? * MON-FRI *)") - 36.0 * 5.0 / 7.0).abs() < 1e-9);
        // 08:00 on the first of each month.
        assert!((per_day("cron(0 8 1 * ? *)") - 1.0 / DAYS_PER_MONTH).abs() < 1e-12);
        assert_eq!(
            Schedule::parse("rate(5 minutes)").unwrap().period_s(),
            Some(300)
        );
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        for (e, says) in [
            ("rate(0 minutes)", "whole number above 0"),
            ("rate(5 weeks)", "not `weeks`"),
            ("cron(0 12 * *)", "six fields"),
            ("cron(61 12 * * ? *)", "field 1"),
            ("every day", "not a schedule"),
        ] {
            let err = Schedule::parse(e).unwrap_err();
            assert!(err.contains(says), "{e}: {err}");
        }
    }
}
