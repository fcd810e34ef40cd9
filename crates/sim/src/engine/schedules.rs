//! Scheduled EventBridge rules: when each fires on the run's clock. A
//! `rate(...)` rule fires every period from the run's start (EventBridge
//! counts from the rule's creation, which the run takes as its start); a
//! `cron(...)` rule fires at its UTC times, the run's first second being
//! the scenario's `start`. The firing itself is `requests.rs`'s
//! `on_rule_fires`.

use archsim_model::civil::UtcTime;
use archsim_model::schedule::{Cron, Schedule};

use super::{SEC, Us};

/// When a scheduled rule fires.
#[derive(Debug, Clone)]
pub(super) enum Firing {
    /// `rate(...)`: every period, the first one period after the start.
    Every(Us),
    /// `cron(...)`: at its times, from the wall-clock `start` of the run
    /// (time 0) on.
    Cron { cron: Box<Cron>, start: UtcTime },
}

impl Firing {
    /// A rule's firing from its schedule expression; `None` when it has
    /// none or EventBridge would refuse it (validation says which field).
    pub(super) fn new(expression: &str, start: UtcTime) -> Option<Firing> {
        match Schedule::parse(expression).ok()? {
            Schedule::Rate { period_s } => Some(Firing::Every(period_s * SEC)),
            Schedule::Cron(cron) => Some(Firing::Cron { cron, start }),
        }
    }

    /// The first firing: a cron rule fires at 0 when the start is one of
    /// its times.
    pub(super) fn first(&self) -> Option<Us> {
        match self {
            Firing::Every(period) => Some(*period),
            Firing::Cron { start, .. } => self.cron_after(start.unix_s - 1),
        }
    }

    /// The firing after one at `now`.
    pub(super) fn after(&self, now: Us) -> Option<Us> {
        match self {
            Firing::Every(period) => Some(now + period),
            Firing::Cron { start, .. } => self.cron_after(start.unix_s + (now / SEC) as i64),
        }
    }

    /// The cron rule's first time after the wall-clock second `unix_s`, on
    /// the run's clock.
    fn cron_after(&self, unix_s: i64) -> Option<Us> {
        let Firing::Cron { cron, start } = self else {
            return None;
        };
        let next = cron.next_fire_after(UtcTime { unix_s })?;
        Some((next.unix_s - start.unix_s) as Us * SEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str) -> UtcTime {
        UtcTime::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn rates_fire_a_period_apart_from_the_start() {
        let f = Firing::new("rate(5 minutes)", start("2026-01-05T00:00:00Z")).unwrap();
        assert_eq!(f.first(), Some(300 * SEC));
        assert_eq!(f.after(300 * SEC), Some(600 * SEC));
        assert!(Firing::new("cron(0 12 * * * *)", start("2026-01-05T00:00:00Z")).is_none());
        assert!(Firing::new("", start("2026-01-05T00:00:00Z")).is_none());
    }

    #[test]
    fn crons_fire_at_their_wall_clock_times() {
        let f = Firing::new("cron(0/15 * * * ? *)", start("2026-01-05T00:00:00Z")).unwrap();
        assert_eq!(f.first(), Some(0));
        assert_eq!(f.after(0), Some(900 * SEC));
        // Started mid-interval: the first fire is at the next quarter hour.
        let f = Firing::new("cron(0/15 * * * ? *)", start("2026-01-05T00:07:30Z")).unwrap();
        assert_eq!(f.first(), Some(450 * SEC));
        assert_eq!(f.after(450 * SEC), Some(1350 * SEC));
        // Never again: none.
        let f = Firing::new("cron(0 0 1 1 ? 2020)", start("2026-01-05T00:00:00Z")).unwrap();
        assert_eq!(f.first(), None);
    }
}
