//! UTC wall-clock time for schedules and scenario starts: whole seconds
//! since 1970-01-01T00:00:00Z, the proleptic Gregorian calendar, and
//! RFC 3339 text. EventBridge rules run in UTC, so no time zones beyond a
//! written offset are needed; days from civil dates are Howard Hinnant's
//! `days_from_civil` algorithm, small enough to keep by hand rather than
//! add a date crate.
//!
//! ```
//! use archsim_model::civil::UtcTime;
//!
//! let t = UtcTime::parse_rfc3339("2026-01-05T00:00:00Z").unwrap();
//! assert_eq!(t.unix_s, 1_767_571_200);
//! assert_eq!(t.weekday(), 2); // Monday (cron numbers Sunday 1)
//! assert_eq!(t.to_string(), "2026-01-05T00:00:00Z");
//! ```

use std::fmt;

/// A UTC instant, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    pub unix_s: i64,
}

/// Days since 1970-01-01 of a civil date (`month` 1-12, `day` 1-31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1-12, day 1-31) of a day since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of the week of a day since 1970-01-01, numbered as EventBridge's
/// cron numbers them: 1 = Sunday ... 7 = Saturday.
pub fn weekday_of_days(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (5).
    ((days + 4).rem_euclid(7) + 1) as u32
}

impl UtcTime {
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Self {
        UtcTime {
            unix_s: days_from_civil(year, month, day) * 86_400
                + i64::from(hour) * 3600
                + i64::from(minute) * 60
                + i64::from(second),
        }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.unix_s.div_euclid(86_400)
    }

    /// 1 = Sunday ... 7 = Saturday, as in cron.
    pub fn weekday(self) -> u32 {
        weekday_of_days(self.days())
    }

    /// Reads RFC 3339 date-time text (`2026-01-05T00:00:00Z`, or with an
    /// offset such as `+02:00`, converted to UTC). Whole seconds only: a
    /// fraction is refused, since schedules fire on whole minutes.
    pub fn parse_rfc3339(text: &str) -> Result<UtcTime, String> {
        let s = text.trim();
        let bad = |what: &str| {
            format!("`{s}` is not an RFC 3339 UTC time such as 2026-01-05T00:00:00Z: {what}")
        };
        let b = s.as_bytes();
        if b.len() < 20 {
            return Err(bad("too short"));
        }
        let num = |from: usize, to: usize| -> Result<u32, String> {
            s.get(from..to)
                .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| {
                    bad(&format!(
                        "`{}` is not a number",
                        s.get(from..to).unwrap_or("")
                    ))
                })
        };
        for (i, c) in [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')] {
            if b[i] != c {
                return Err(bad(&format!(
                    "expected `{}` at position {}",
                    c as char,
                    i + 1
                )));
            }
        }
        if !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad("expected `T` between the date and the time"));
        }
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        if !(1..=12).contains(&month) {
            return Err(bad("the month must be 01 to 12"));
        }
        if day < 1 || day > days_in_month(i64::from(year), month) {
            return Err(bad("no such day in that month"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(bad("the time must be 00:00:00 to 23:59:59"));
        }
        let offset_s = match &s[19..] {
            "Z" | "z" => 0,
            zone if zone.starts_with('.') => {
                return Err(bad("give whole seconds, without a fraction"));
            }
            zone if zone.len() == 6
                && matches!(zone.as_bytes()[0], b'+' | b'-')
                && zone.as_bytes()[3] == b':' =>
            {
                let (h, m) = (num(20, 22)?, num(23, 25)?);
                if h > 23 || m > 59 {
                    return Err(bad("the offset must be -23:59 to +23:59"));
                }
                let o = i64::from(h * 3600 + m * 60);
                if zone.starts_with('-') { -o } else { o }
            }
            _ => return Err(bad("end it with `Z` (UTC) or an offset such as +02:00")),
        };
        let local = UtcTime::from_civil(i64::from(year), month, day, hour, minute, second);
        Ok(UtcTime {
            unix_s: local.unix_s - offset_s,
        })
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d) = civil_from_days(self.days());
        let s = self.unix_s.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_round_trip_across_four_centuries() {
        // 1900 to 2300 covers the century rules (1900 and 2100 are not
        // leap years, 2000 is).
        let first = days_from_civil(1900, 1, 1);
        let mut expected = (1900, 1, 1);
        for days in first..days_from_civil(2300, 1, 1) {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            assert_eq!(days_from_civil(expected.0, expected.1, expected.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
        assert!(!is_leap_year(2100) && is_leap_year(2000) && is_leap_year(2028));
    }

    #[test]
    fn weekdays_are_cron_numbers() {
        // 1970-01-01 was a Thursday; 2026-01-05 a Monday; 2026-01-04 a Sunday.
        assert_eq!(weekday_of_days(0), 5);
        assert_eq!(weekday_of_days(days_from_civil(2026, 1, 5)), 2);
        assert_eq!(weekday_of_days(days_from_civil(2026, 1, 4)), 1);
        assert_eq!(weekday_of_days(days_from_civil(1969, 12, 31)), 4);
    }

    #[test]
    fn rfc3339_reads_utc_and_offsets_and_says_what_is_wrong() {
        let t = |s: &str| UtcTime::parse_rfc3339(s);
        assert_eq!(t("1970-01-01T00:00:00Z").unwrap().unix_s, 0);
        assert_eq!(
            t("2026-01-05T02:30:00+02:00").unwrap().to_string(),
            "2026-01-05T00:30:00Z"
        );
        assert_eq!(
            t("2026-01-04T23:00:00-01:30").unwrap().to_string(),
            "2026-01-05T00:30:00Z"
        );
        for (text, says) in [
            ("2026-01-05", "too short"),
            ("2026-02-30T00:00:00Z", "no such day"),
            ("2026-13-01T00:00:00Z", "month"),
            ("2026-01-05T24:00:00Z", "00:00:00 to 23:59:59"),
            ("2026-01-05T00:00:00.5Z", "whole seconds"),
            ("2026-01-05T00:00:00", "too short"),
            ("2026-01-05T00:00:00 UTC", "`Z`"),
            ("2026/01/05T00:00:00Z", "expected `-`"),
        ] {
            let err = t(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
