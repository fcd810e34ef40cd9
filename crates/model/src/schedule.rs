//! EventBridge schedule expressions: `rate(5 minutes)` and
//! `cron(minutes hours day-of-month month day-of-week year)`, read once
//! for the simulator (when a schedule fires) and the bill (how often it
//! fires in a month).
//!
//! Cron expressions are AWS's six-field dialect, in UTC (EventBridge
//! rules run in UTC), as the EventBridge User Guide's "Cron expressions
//! reference" documents it: minutes 0-59, hours 0-23, day-of-month 1-31,
//! month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (1 is Sunday), year
//! 1970-2199; `*`, ranges `a-b`, lists `a,b`, steps `a/n`, `*/n` and
//! `a-b/n`; one of day-of-month and day-of-week is `?`. Day-of-month
//! also takes `L` (the month's last day) and `nW` (the weekday nearest day
//! n, within the month; none in a month shorter than n days); day-of-week
//! takes `L` alone (the week's last day, Saturday), `nL` (the month's last
//! day n) and `n#k` (the month's k-th day n). `L`, `W` and `#` stand alone
//! in their field. Each expression is kept whole: [`Cron::next_fire_after`]
//! says when it fires, and [`Schedule::mean_fires_per_day`] counts those
//! same days.
//!
//! ```
//! use archsim_model::civil::UtcTime;
//! use archsim_model::schedule::Schedule;
//!
//! assert_eq!(Schedule::parse("rate(5 minutes)").unwrap(), Schedule::Rate { period_s: 300 });
//! // Every weekday at 12:00 and 18:00.
//! let cron = Schedule::parse("cron(0 12,18 ? * MON-FRI *)").unwrap();
//! assert!((cron.mean_fires_per_day() - 2.0 * 5.0 / 7.0).abs() < 1e-9);
//! // Saturday 2026-01-03 at 09:00: next Monday at 12:00.
//! let after = UtcTime::parse_rfc3339("2026-01-03T09:00:00Z").unwrap();
//! let next = cron.cron().unwrap().next_fire_after(after).unwrap();
//! assert_eq!(next.to_string(), "2026-01-05T12:00:00Z");
//! ```

use crate::civil::{UtcTime, days_from_civil, days_in_month, weekday_of_days};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Fires every `period_s` seconds, counted from when the rule is
    /// created (no wall-clock phase).
    Rate { period_s: u64 },
    /// Fires at the whole minutes its fields select, in UTC.
    Cron(Box<Cron>),
}

/// A cron expression's selected values, field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: Values,
    hours: Values,
    days: Days,
    months: Values,
    /// Years, stored as `year - FIRST_YEAR`.
    years: Values,
}

/// Which days of a month fire: one of the two day fields is `?`, so the
/// other decides.
#[derive(Debug, Clone, PartialEq)]
enum Days {
    /// Day-of-week is `?`.
    OfMonth(DayOfMonth),
    /// Day-of-month is `?`.
    OfWeek(DayOfWeek),
}

#[derive(Debug, Clone, PartialEq)]
enum DayOfMonth {
    Set(Values),
    /// `L`: the month's last day.
    Last,
    /// `nW`: the weekday (Monday-Friday) nearest day n, within the month.
    NearestWeekday(u32),
}

#[derive(Debug, Clone, PartialEq)]
enum DayOfWeek {
    /// Weekdays 1 (Sunday) to 7 (Saturday).
    Set(Values),
    /// `nL`: the month's last weekday n.
    LastOfMonth(u32),
    /// `n#k`: the month's k-th weekday n.
    Nth { weekday: u32, nth: u32 },
}

/// A set of small numbers (0-255) as bits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Values([u64; 4]);

impl Values {
    fn insert(&mut self, v: u32) {
        self.0[(v / 64) as usize] |= 1 << (v % 64);
    }
    fn has(&self, v: u32) -> bool {
        v < 256 && self.0[(v / 64) as usize] & (1 << (v % 64)) != 0
    }
    fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

const FIRST_YEAR: i64 = 1970;
const LAST_YEAR: i64 = 2199;
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/// Days in the Gregorian calendar's 400-year cycle, whose weekdays repeat.
const CYCLE_DAYS: i64 = 146_097;

impl Schedule {
    /// Reads `rate(...)` or `cron(...)`; the error names the field and
    /// says what is wrong.
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
            return Cron::parse(inner)
                .map(|c| Schedule::Cron(Box::new(c)))
                .map_err(|m| format!("`{e}`: {m}"));
        }
        Err(format!(
            "`{e}` is not a schedule: write rate(5 minutes) or cron(0 12 * * ? *)"
        ))
    }

    /// How many times it fires on a mean day. A cron expression's days are
    /// counted over the Gregorian 400-year cycle, so the mean is the one
    /// [`Cron::next_fire_after`] gives over a long run; its year field is
    /// not counted (a schedule is billed as if it goes on).
    pub fn mean_fires_per_day(&self) -> f64 {
        match self {
            Schedule::Rate { period_s } => 86_400.0 / *period_s as f64,
            Schedule::Cron(c) => {
                let per_day = f64::from(c.minutes.len()) * f64::from(c.hours.len());
                let mut days = 0u64;
                for year in 2000..2400 {
                    for month in 1..=12 {
                        if c.months.has(month) {
                            days += u64::from(c.days_of(year, month).count_ones());
                        }
                    }
                }
                per_day * days as f64 / CYCLE_DAYS as f64
            }
        }
    }

    /// The period of a `rate(...)` schedule in seconds.
    pub fn period_s(&self) -> Option<u64> {
        match self {
            Schedule::Rate { period_s } => Some(*period_s),
            Schedule::Cron(_) => None,
        }
    }

    /// The cron expression, when it is one.
    pub fn cron(&self) -> Option<&Cron> {
        match self {
            Schedule::Cron(c) => Some(c),
            Schedule::Rate { .. } => None,
        }
    }
}

impl Cron {
    /// Reads the six fields between `cron(` and `)`.
    fn parse(inner: &str) -> Result<Cron, String> {
        let f: Vec<&str> = inner.split_whitespace().collect();
        if f.len() != 6 {
            return Err(format!(
                "a cron expression has six fields (minutes hours day-of-month month day-of-week year), not {}",
                f.len()
            ));
        }
        let named = |name: &str, text: &str, r: Result<Values, String>| {
            r.map_err(|m| format!("{name} `{text}`: {m}"))
        };
        let minutes = named("minutes", f[0], values(f[0], 0, 59, &[], 0))?;
        let hours = named("hours", f[1], values(f[1], 0, 23, &[], 0))?;
        let months = named("month", f[3], values(f[3], 1, 12, &MONTHS, 0))?;
        let years = named(
            "year",
            f[5],
            values(
                f[5],
                FIRST_YEAR as u32,
                LAST_YEAR as u32,
                &[],
                FIRST_YEAR as u32,
            ),
        )?;
        let days = match (f[2], f[4]) {
            ("?", "?") => {
                return Err(
                    "day-of-month and day-of-week are both `?`: give one of them a value or `*`"
                        .into(),
                );
            }
            (dom, "?") => {
                Days::OfMonth(day_of_month(dom).map_err(|m| format!("day-of-month `{dom}`: {m}"))?)
            }
            ("?", dow) => {
                Days::OfWeek(day_of_week(dow).map_err(|m| format!("day-of-week `{dow}`: {m}"))?)
            }
            (dom, dow) => {
                return Err(format!(
                    "day-of-month `{dom}` and day-of-week `{dow}`: one of them must be `?` \
                     (EventBridge cannot select days by both)"
                ));
            }
        };
        Ok(Cron {
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    /// The first time after `t` (strictly) at which it fires, or `None` if
    /// it never fires again (its years are over, or its days never occur,
    /// as the 31st of February).
    pub fn next_fire_after(&self, t: UtcTime) -> Option<UtcTime> {
        let first_minute = t.unix_s.div_euclid(60) + 1;
        let start = UtcTime {
            unix_s: (first_minute * 60).max(0),
        };
        let (y0, mo0, d0) = crate::civil::civil_from_days(start.days());
        let in_day = start.unix_s.rem_euclid(86_400);
        let (h0, mi0) = ((in_day / 3600) as u32, (in_day / 60 % 60) as u32);
        for year in y0.max(FIRST_YEAR)..=LAST_YEAR {
            if !self.years.has((year - FIRST_YEAR) as u32) {
                continue;
            }
            let first_year = year == y0;
            for month in if first_year { mo0 } else { 1 }..=12 {
                if !self.months.has(month) {
                    continue;
                }
                let first_month = first_year && month == mo0;
                let days = self.days_of(year, month);
                for day in if first_month { d0 } else { 1 }..=days_in_month(year, month) {
                    if days & (1 << day) == 0 {
                        continue;
                    }
                    let first_day = first_month && day == d0;
                    for hour in if first_day { h0 } else { 0 }..24 {
                        if !self.hours.has(hour) {
                            continue;
                        }
                        let first_hour = first_day && hour == h0;
                        if let Some(minute) =
                            (if first_hour { mi0 } else { 0 }..60).find(|m| self.minutes.has(*m))
                        {
                            return Some(UtcTime::from_civil(year, month, day, hour, minute, 0));
                        }
                    }
                }
            }
        }
        None
    }

    /// The days of `month` in `year` that fire, as bits 1-31.
    fn days_of(&self, year: i64, month: u32) -> u32 {
        let last = days_in_month(year, month);
        let first_day = days_from_civil(year, month, 1);
        let weekday = |day: u32| weekday_of_days(first_day + i64::from(day) - 1);
        let mut bits = 0u32;
        match &self.days {
            Days::OfMonth(DayOfMonth::Set(v)) => {
                for day in 1..=last {
                    if v.has(day) {
                        bits |= 1 << day;
                    }
                }
            }
            Days::OfMonth(DayOfMonth::Last) => bits |= 1 << last,
            Days::OfMonth(DayOfMonth::NearestWeekday(n)) => {
                if *n <= last {
                    // Saturday moves to Friday, Sunday to Monday, without
                    // leaving the month.
                    let day = match weekday(*n) {
                        7 if *n == 1 => 3,
                        7 => n - 1,
                        1 if *n == last => n - 2,
                        1 => n + 1,
                        _ => *n,
                    };
                    bits |= 1 << day;
                }
            }
            Days::OfWeek(DayOfWeek::Set(v)) => {
                for day in 1..=last {
                    if v.has(weekday(day)) {
                        bits |= 1 << day;
                    }
                }
            }
            Days::OfWeek(DayOfWeek::LastOfMonth(w)) => {
                bits |= 1 << (last - (weekday(last) + 7 - w) % 7);
            }
            Days::OfWeek(DayOfWeek::Nth { weekday: w, nth }) => {
                let day = 1 + (w + 7 - weekday(1)) % 7 + 7 * (nth - 1);
                if day <= last {
                    bits |= 1 << day;
                }
            }
        }
        bits
    }
}

/// Day-of-month: a set, `L`, or `nW`.
fn day_of_month(field: &str) -> Result<DayOfMonth, String> {
    let upper = field.to_ascii_uppercase();
    if upper == "L" {
        return Ok(DayOfMonth::Last);
    }
    if let Some(n) = upper.strip_suffix('W') {
        if n == "L" || n.starts_with("L-") {
            return Err(
                "archsim reads `L` and `nW` (EventBridge's documented forms), not `LW`".into(),
            );
        }
        return one_value(n, 1, 31, &[])
            .map(DayOfMonth::NearestWeekday)
            .map_err(|m| format!("`nW` takes one day: {m}"));
    }
    if upper.contains('L') || upper.contains('W') {
        return Err(
            "`L` and `nW` stand alone in day-of-month (archsim reads no `L-n`, nor lists with them)"
                .into(),
        );
    }
    if upper.contains('#') {
        return Err("`#` belongs in day-of-week".into());
    }
    values(field, 1, 31, &[], 0).map(DayOfMonth::Set)
}

/// Day-of-week: a set, `L` (Saturday), `nL` or `n#k`.
fn day_of_week(field: &str) -> Result<DayOfWeek, String> {
    let upper = field.to_ascii_uppercase();
    if upper == "L" {
        let mut v = Values::default();
        v.insert(7);
        return Ok(DayOfWeek::Set(v));
    }
    if let Some((w, k)) = upper.split_once('#') {
        if w.contains(',') || k.contains(',') {
            return Err(
                "`#` allows one expression only (EventBridge reads `3#1,6#3` as two)".into(),
            );
        }
        let weekday = one_value(w, 1, 7, &WEEKDAYS)?;
        let nth = k
            .parse::<u32>()
            .ok()
            .filter(|k| (1..=5).contains(k))
            .ok_or_else(|| format!("`#{k}`: the week of the month is 1 to 5"))?;
        return Ok(DayOfWeek::Nth { weekday, nth });
    }
    if let Some(w) = upper.strip_suffix('L') {
        if w.contains(',') || w.contains('-') || w.contains('/') {
            return Err("`nL` stands alone in day-of-week".into());
        }
        return one_value(w, 1, 7, &WEEKDAYS).map(DayOfWeek::LastOfMonth);
    }
    if upper.contains('L') {
        return Err("`L` and `nL` stand alone in day-of-week".into());
    }
    if upper.replace("WED", "").contains('W') {
        return Err("`W` belongs in day-of-month".into());
    }
    values(field, 1, 7, &WEEKDAYS, 0).map(DayOfWeek::Set)
}

/// One value of `lo..=hi`, as a number or one of `names` (the first name
/// is `lo`).
fn one_value(s: &str, lo: u32, hi: u32, names: &[&str]) -> Result<u32, String> {
    let upper = s.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(lo + i as u32);
    }
    let range = if names.is_empty() {
        format!("{lo} to {hi}")
    } else {
        format!("{lo} to {hi} or {} to {}", names[0], names[names.len() - 1])
    };
    s.parse::<u32>()
        .ok()
        .filter(|v| (lo..=hi).contains(v))
        .ok_or_else(|| format!("`{s}` is not a value from {range}"))
}

/// The values a field selects: `*`, `5`, `1,15`, `MON-FRI`, `0/15`,
/// `*/10`, `10-40/5`; each kept as `value - base` (years from 1970).
fn values(field: &str, lo: u32, hi: u32, names: &[&str], base: u32) -> Result<Values, String> {
    if field == "?" {
        return Err("`?` is for day-of-month or day-of-week only".into());
    }
    let mut out = Values::default();
    for part in field.split(',') {
        if part.is_empty() {
            return Err("an empty list item".into());
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step =
                    s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("`{part}`: the step must be a whole number above 0")
                    })?;
                (r, Some(step))
            }
            None => (part, None),
        };
        let (from, to) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (one_value(a, lo, hi, names)?, one_value(b, lo, hi, names)?);
            if b < a {
                return Err(format!("`{part}`: the range runs backwards"));
            }
            (a, b)
        } else {
            let a = one_value(range, lo, hi, names)?;
            // `5/15` runs from 5 to the field's end.
            (a, if step.is_some() { hi } else { a })
        };
        let mut v = from;
        while v <= to {
            out.insert(v - base);
            v += step.unwrap_or(1);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(e: &str) -> Cron {
        match Schedule::parse(e) {
            Ok(Schedule::Cron(c)) => *c,
            other => panic!("{e}: {other:?}"),
        }
    }

    fn at(text: &str) -> UtcTime {
        UtcTime::parse_rfc3339(text).unwrap()
    }

    /// Every fire in `[from, to)`, as RFC 3339 text.
    fn fires(e: &str, from: &str, to: &str) -> Vec<String> {
        let c = cron(e);
        let end = at(to);
        let mut t = UtcTime {
            unix_s: at(from).unix_s - 1,
        };
        let mut out = Vec::new();
        while let Some(next) = c.next_fire_after(t).filter(|n| *n < end) {
            out.push(next.to_string());
            t = next;
        }
        out
    }

    #[test]
    fn rates_and_crons_fire_as_often_as_aws_says() {
        let per_day = |e: &str| Schedule::parse(e).unwrap().mean_fires_per_day();
        assert_eq!(per_day("rate(5 minutes)"), 288.0);
        assert_eq!(per_day("rate(1 hour)"), 24.0);
        assert_eq!(per_day("rate(2 days)"), 0.5);
        // Every day at 12:00 UTC.
        assert_eq!(per_day("cron(0 12 * * ? *)"), 1.0);
        // Every 15 minutes, 9:00 to 17:59, weekdays (146,097 days are
        // exactly 20,871 weeks).
        assert!((per_day("cron(0/15 9-17 ? * MON-FRI *)") - 36.0 * 5.0 / 7.0).abs() < 1e-9);
        // 08:00 on the first of each month: 4,800 in 146,097 days.
        assert!((per_day("cron(0 8 1 * ? *)") - 4800.0 / 146_097.0).abs() < 1e-12);
        // The 31st: 7 months of 12.
        assert!((per_day("cron(0 8 31 * ? *)") - 2800.0 / 146_097.0).abs() < 1e-12);
        assert_eq!(per_day("cron(0 8 30 2 ? *)"), 0.0);
        assert_eq!(
            Schedule::parse("rate(5 minutes)").unwrap().period_s(),
            Some(300)
        );
    }

    #[test]
    fn every_quarter_hour_from_midnight() {
        let got = fires(
            "cron(0/15 * * * ? *)",
            "2026-01-05T00:00:00Z",
            "2026-01-05T02:00:00Z",
        );
        let want: Vec<String> = (0..8)
            .map(|k| format!("2026-01-05T{:02}:{:02}:00Z", k * 15 / 60, k * 15 % 60))
            .collect();
        assert_eq!(got, want);
        // Strictly after: from a fire time, the next one.
        let c = cron("cron(0/15 * * * ? *)");
        assert_eq!(
            c.next_fire_after(at("2026-01-05T00:15:00Z")).unwrap(),
            at("2026-01-05T00:30:00Z")
        );
        assert_eq!(
            c.next_fire_after(at("2026-01-05T00:14:59Z")).unwrap(),
            at("2026-01-05T00:15:00Z")
        );
        // Steps from an offset and on a range.
        assert_eq!(
            fires(
                "cron(5/20 1 * * ? *)",
                "2026-01-05T00:00:00Z",
                "2026-01-06T00:00:00Z"
            ),
            [
                "2026-01-05T01:05:00Z",
                "2026-01-05T01:25:00Z",
                "2026-01-05T01:45:00Z"
            ]
        );
        assert_eq!(
            fires(
                "cron(10-40/15 1 * * ? *)",
                "2026-01-05T00:00:00Z",
                "2026-01-06T00:00:00Z"
            ),
            [
                "2026-01-05T01:10:00Z",
                "2026-01-05T01:25:00Z",
                "2026-01-05T01:40:00Z"
            ]
        );
    }

    #[test]
    fn weekdays_at_noon_and_six() {
        // Monday 2026-01-05 for a week: ten fires, none at the weekend.
        let got = fires(
            "cron(0 12,18 ? * MON-FRI *)",
            "2026-01-05T00:00:00Z",
            "2026-01-12T00:00:00Z",
        );
        let want: Vec<String> = (5..=9)
            .flat_map(|d| [12, 18].map(|h| format!("2026-01-{d:02}T{h}:00:00Z")))
            .collect();
        assert_eq!(got, want);
        // Names and numbers mean the same days (2 = MON, 6 = FRI).
        assert_eq!(
            cron("cron(0 12,18 ? * 2-6 *)"),
            cron("cron(0 12,18 ? * mon-fri *)")
        );
    }

    #[test]
    fn last_nearest_weekday_and_nth_forms() {
        let year = |e: &str| fires(e, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        // The last day of each month (2026 is not a leap year; 2028 is).
        let last = year("cron(0 8 L * ? *)");
        assert_eq!(last.len(), 12);
        assert_eq!(last[1], "2026-02-28T08:00:00Z");
        assert_eq!(
            fires(
                "cron(0 8 L 2 ? *)",
                "2028-01-01T00:00:00Z",
                "2029-01-01T00:00:00Z"
            ),
            ["2028-02-29T08:00:00Z"]
        );
        // The last Friday: 2026-01-30, 2026-02-27.
        let fri = year("cron(0 9 ? * 6L *)");
        assert_eq!(&fri[..2], ["2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z"]);
        assert_eq!(fri, year("cron(0 9 ? * FRIL *)"));
        // The second Tuesday: 2026-01-13, 2026-02-10.
        let tue = year("cron(0 9 ? * 3#2 *)");
        assert_eq!(&tue[..2], ["2026-01-13T09:00:00Z", "2026-02-10T09:00:00Z"]);
        // A fifth Thursday only in the months that have one: January,
        // April, July, October and December 2026.
        let thu5: Vec<String> = year("cron(0 9 ? * 5#5 *)")
            .iter()
            .map(|s| s[..7].to_string())
            .collect();
        assert_eq!(
            thu5,
            ["2026-01", "2026-04", "2026-07", "2026-10", "2026-12"]
        );
        // `L` alone in day-of-week is Saturday.
        assert_eq!(cron("cron(0 9 ? * L *)"), cron("cron(0 9 ? * SAT *)"));
        // Nearest weekday: 2026-01-03 is a Saturday (Friday the 2nd),
        // 2026-01-04 a Sunday (Monday the 5th), 2026-01-15 a Thursday.
        for (e, day) in [("3W", "02"), ("4W", "05"), ("15W", "15")] {
            let got = fires(
                &format!("cron(0 9 {e} 1 ? 2026)"),
                "2026-01-01T00:00:00Z",
                "2026-02-01T00:00:00Z",
            );
            assert_eq!(got, [format!("2026-01-{day}T09:00:00Z")], "{e}");
        }
        // Never leaving the month: 2026-08-01 is a Saturday (Monday the
        // 3rd), 2026-05-31 a Sunday (Friday the 29th).
        assert_eq!(
            fires(
                "cron(0 9 1W 8 ? 2026)",
                "2026-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z"
            ),
            ["2026-08-03T09:00:00Z"]
        );
        assert_eq!(
            fires(
                "cron(0 9 31W 5 ? 2026)",
                "2026-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z"
            ),
            ["2026-05-29T09:00:00Z"]
        );
    }

    #[test]
    fn years_bound_the_schedule() {
        let c = cron("cron(0 0 1 1 ? 2027-2028)");
        assert_eq!(
            c.next_fire_after(at("2026-06-01T00:00:00Z")).unwrap(),
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(c.next_fire_after(at("2028-01-01T00:00:00Z")), None);
        assert_eq!(
            cron("cron(0 0 30 2 ? *)").next_fire_after(at("2026-01-01T00:00:00Z")),
            None
        );
        assert_eq!(
            cron("cron(59 23 31 12 ? *)").next_fire_after(at("2199-12-31T23:59:00Z")),
            None
        );
        // Before 1970 the first fire is EventBridge's first year's.
        assert_eq!(
            cron("cron(0 0 1 1 ? *)").next_fire_after(UtcTime {
                unix_s: -86_400 * 400
            }),
            Some(UtcTime { unix_s: 0 })
        );
    }

    /// Over a year, the fires counted one by one are the mean times the
    /// days, to within one day's fires (where the year's weekdays fall);
    /// over EventBridge's 230 years (not a whole 400-year cycle), to
    /// within a hundredth.
    #[test]
    fn the_mean_per_day_counts_the_same_fires() {
        for e in [
            "cron(0/15 * * * ? *)",
            "cron(0 12,18 ? * MON-FRI *)",
            "cron(0/30 9-17 ? * 2-6 *)",
            "cron(0 8 1,15 * ? *)",
            "cron(0 8 31 * ? *)",
            "cron(0 8 L * ? *)",
            "cron(0 8 15W * ? *)",
            "cron(0 9 ? * 6L *)",
            "cron(0 9 ? * 5#5 *)",
            "cron(0 6 29 FEB ? *)",
            "cron(0 6 ? JAN-MAR,OCT * *)",
        ] {
            let s = Schedule::parse(e).unwrap();
            let c = s.cron().unwrap();
            let count = |from: &str, to: &str| {
                let end = at(to);
                let mut t = UtcTime {
                    unix_s: at(from).unix_s - 1,
                };
                let mut n = 0u64;
                while let Some(next) = c.next_fire_after(t).filter(|x| *x < end) {
                    n += 1;
                    t = next;
                }
                n as f64
            };
            let day = f64::from(c.minutes.len() * c.hours.len());
            let mean = s.mean_fires_per_day();
            let year = count("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
            assert!(
                (year - mean * 365.0).abs() <= day,
                "{e}: {year} vs {}",
                mean * 365.0
            );
            if day <= 2.0 {
                let days = (days_from_civil(2200, 1, 1) - days_from_civil(1970, 1, 1)) as f64;
                let all = count("1970-01-01T00:00:00Z", "2200-01-01T00:00:00Z");
                assert!(
                    (all / (mean * days) - 1.0).abs() < 1e-2,
                    "{e}: {all} vs {}",
                    mean * days
                );
            }
        }
    }

    #[test]
    fn bad_expressions_name_the_field_and_what_is_wrong() {
        for (e, says) in [
            ("rate(0 minutes)", "whole number above 0"),
            ("rate(5 weeks)", "not `weeks`"),
            ("cron(0 12 * *)", "six fields"),
            (
                "cron(61 12 * * ? *)",
                "minutes `61`: `61` is not a value from 0 to 59",
            ),
            ("cron(0 24 * * ? *)", "hours `24`"),
            ("cron(0 12 32 * ? *)", "day-of-month `32`"),
            ("cron(0 12 * 13 ? *)", "month `13`"),
            ("cron(0 12 * FOO ? *)", "JAN to DEC"),
            (
                "cron(0 12 ? * 8 *)",
                "day-of-week `8`: `8` is not a value from 1 to 7 or SUN to SAT",
            ),
            ("cron(0 12 * * ? 1969)", "year `1969`"),
            ("cron(0 12 * * * *)", "one of them must be `?`"),
            ("cron(0 12 1 * MON *)", "one of them must be `?`"),
            ("cron(0 12 ? * ? *)", "both `?`"),
            (
                "cron(0 ? * * ? *)",
                "hours `?`: `?` is for day-of-month or day-of-week only",
            ),
            (
                "cron(0/0 12 * * ? *)",
                "step must be a whole number above 0",
            ),
            ("cron(30-10 12 * * ? *)", "runs backwards"),
            ("cron(0 12 ? * 3#6 *)", "1 to 5"),
            ("cron(0 12 ? * 3#1,6#3 *)", "one expression only"),
            ("cron(0 12 LW * ? *)", "not `LW`"),
            ("cron(0 12 1,L * ? *)", "stand alone"),
            ("cron(0 12 ? * 2,6L *)", "stands alone"),
            ("cron(0 12 1-5W * ? *)", "`nW` takes one day"),
            ("cron(0 12 ? * 2W *)", "`W` belongs in day-of-month"),
            ("cron(0 12 ,1 * ? *)", "empty list item"),
            ("every day", "not a schedule"),
        ] {
            let err = Schedule::parse(e).unwrap_err();
            assert!(err.contains(says), "{e}: {err}");
        }
    }
}
