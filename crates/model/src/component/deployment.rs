//! Lambda deployments: a published version behind an alias, shifted to by
//! CodeDeploy as a deployment preference says (SAM's `AutoPublishAlias`
//! and `DeploymentPreference`), watched by CloudWatch alarms that roll it
//! back, with optional pre- and post-traffic hook functions.

use serde::{Deserialize, Serialize};

/// A function's deployment: the alias SAM publishes each new version
/// behind, and how traffic moves to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LambdaDeployment {
    /// The alias (`AutoPublishAlias`), e.g. `live`; a deployment
    /// preference needs one.
    pub alias: Option<String>,
    /// How CodeDeploy shifts the alias to a new version; `None`: at once,
    /// without CodeDeploy.
    pub preference: Option<DeploymentPreference>,
}

impl Default for LambdaDeployment {
    fn default() -> Self {
        Self {
            alias: Some("live".into()),
            preference: Some(DeploymentPreference::default()),
        }
    }
}

/// SAM's `DeploymentPreference`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentPreference {
    pub shift: TrafficShift,
    /// Any alarm in ALARM stops the deployment and rolls it back.
    pub alarms: Vec<DeploymentAlarm>,
    /// A function CodeDeploy runs before shifting any traffic (by
    /// component id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_traffic_hook: Option<String>,
    /// A function CodeDeploy runs after all traffic has shifted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_traffic_hook: Option<String>,
}

impl Default for DeploymentPreference {
    fn default() -> Self {
        Self {
            shift: TrafficShift::Canary {
                percent: 10,
                interval_min: 5,
            },
            alarms: vec![DeploymentAlarm::default()],
            pre_traffic_hook: None,
            post_traffic_hook: None,
        }
    }
}

/// How traffic moves from the old version to the new one. CodeDeploy's
/// predefined configurations are canary 10% after 5, 10, 15 or 30
/// minutes and linear 10% every 1, 2, 3 or 10 minutes; other numbers
/// make a custom deployment configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TrafficShift {
    AllAtOnce,
    /// `percent` at once, the rest `interval_min` minutes later.
    Canary {
        percent: u32,
        interval_min: u32,
    },
    /// `percent` more every `interval_min` minutes.
    Linear {
        percent: u32,
        interval_min: u32,
    },
}

impl TrafficShift {
    /// The deployment configuration's name: CodeDeploy's own for the
    /// predefined ones (`Canary10Percent5Minutes`), the same pattern for a
    /// custom one.
    pub fn name(&self) -> String {
        let min = |m: u32| if m == 1 { "Minute" } else { "Minutes" };
        match *self {
            Self::AllAtOnce => "AllAtOnce".into(),
            Self::Canary {
                percent,
                interval_min,
            } => format!("Canary{percent}Percent{interval_min}{}", min(interval_min)),
            Self::Linear {
                percent,
                interval_min,
            } => format!(
                "Linear{percent}PercentEvery{interval_min}{}",
                min(interval_min)
            ),
        }
    }

    /// Whether SAM and CodeDeploy know this configuration by name.
    pub fn is_predefined(&self) -> bool {
        match *self {
            Self::AllAtOnce => true,
            Self::Canary {
                percent,
                interval_min,
            } => percent == 10 && [5, 10, 15, 30].contains(&interval_min),
            Self::Linear {
                percent,
                interval_min,
            } => percent == 10 && [1, 2, 3, 10].contains(&interval_min),
        }
    }

    /// Reads a configuration name back ([`TrafficShift::name`]'s inverse).
    pub fn from_name(name: &str) -> Option<Self> {
        if name == "AllAtOnce" {
            return Some(Self::AllAtOnce);
        }
        let number = |s: &str| -> Option<(u32, String)> {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            let n = digits.parse().ok()?;
            Some((n, s[digits.len()..].to_string()))
        };
        if let Some(rest) = name.strip_prefix("Canary") {
            let (percent, rest) = number(rest)?;
            let (interval_min, _) = number(rest.strip_prefix("Percent")?)?;
            let shift = Self::Canary {
                percent,
                interval_min,
            };
            return (shift.name() == name).then_some(shift);
        }
        if let Some(rest) = name.strip_prefix("Linear") {
            let (percent, rest) = number(rest)?;
            let (interval_min, _) = number(rest.strip_prefix("PercentEvery")?)?;
            let shift = Self::Linear {
                percent,
                interval_min,
            };
            return (shift.name() == name).then_some(shift);
        }
        None
    }

    /// The share of traffic on the new version after each step, in
    /// percent, and the minutes between steps: `[10, 100]` for a 10%
    /// canary, `[10, 20, .., 100]` for linear 10%.
    pub fn steps(&self) -> (Vec<u32>, u32) {
        match *self {
            Self::AllAtOnce => (vec![100], 0),
            Self::Canary {
                percent,
                interval_min,
            } => {
                let p = percent.clamp(1, 100);
                let mut v = vec![p];
                if p < 100 {
                    v.push(100);
                }
                (v, interval_min)
            }
            Self::Linear {
                percent,
                interval_min,
            } => {
                let step = percent.clamp(1, 100);
                let mut v = Vec::new();
                let mut p = 0;
                while p < 100 {
                    p = (p + step).min(100);
                    v.push(p);
                }
                (v, interval_min)
            }
        }
    }
}

/// A CloudWatch alarm on the function's alias that stops and rolls back
/// a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentAlarm {
    pub metric: AlarmMetric,
    /// The period each datapoint covers, seconds (60 or a multiple).
    pub period_s: u32,
    /// Consecutive breaching periods that put the alarm in ALARM.
    pub evaluation_periods: u32,
    /// Count, percent (error rate) or milliseconds (p99 duration).
    pub threshold: f64,
    pub comparison: AlarmComparison,
}

impl Default for DeploymentAlarm {
    fn default() -> Self {
        Self {
            metric: AlarmMetric::ErrorRate,
            period_s: 60,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison: AlarmComparison::GreaterThanThreshold,
        }
    }
}

impl DeploymentAlarm {
    /// Whether `value` breaches the threshold.
    pub fn breached(&self, value: f64) -> bool {
        match self.comparison {
            AlarmComparison::GreaterThanThreshold => value > self.threshold,
            AlarmComparison::GreaterThanOrEqualToThreshold => value >= self.threshold,
            AlarmComparison::LessThanThreshold => value < self.threshold,
            AlarmComparison::LessThanOrEqualToThreshold => value <= self.threshold,
        }
    }

    /// `error_rate > 1 for 1 x 60 s`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {} for {} x {} s",
            self.metric.slug(),
            self.comparison.symbol(),
            self.threshold,
            self.evaluation_periods,
            self.period_s
        )
    }

    /// Why this alarm can never go to ALARM, if it cannot.
    pub fn never_fires(&self) -> Option<String> {
        use AlarmComparison as C;
        if self.evaluation_periods == 0 {
            return Some("it evaluates 0 periods".into());
        }
        if self.period_s == 0 {
            return Some("its period is 0 s".into());
        }
        if !self.threshold.is_finite() {
            return Some("its threshold is not a number".into());
        }
        // Every metric is 0 or more; the error rate is at most 100%.
        let (lo, hi) = match self.metric {
            AlarmMetric::ErrorRate => (0.0, 100.0),
            AlarmMetric::Errors | AlarmMetric::Throttles | AlarmMetric::P99Duration => {
                (0.0, f64::INFINITY)
            }
        };
        let t = self.threshold;
        let impossible = match self.comparison {
            C::GreaterThanThreshold => t >= hi,
            C::GreaterThanOrEqualToThreshold => t > hi,
            C::LessThanThreshold => t <= lo,
            C::LessThanOrEqualToThreshold => t < lo,
        };
        impossible.then(|| {
            format!(
                "{} is never {} {t}{}",
                self.metric.slug(),
                self.comparison.symbol(),
                self.metric.unit()
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmMetric {
    /// `Errors`, summed over the period.
    Errors,
    /// `Errors / Invocations` in percent (metric math).
    ErrorRate,
    /// `Duration`'s 99th percentile, milliseconds.
    P99Duration,
    /// `Throttles`, summed over the period.
    Throttles,
}

impl AlarmMetric {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Errors => "errors",
            Self::ErrorRate => "error_rate",
            Self::P99Duration => "p99_duration",
            Self::Throttles => "throttles",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::ErrorRate => "%",
            Self::P99Duration => " ms",
            Self::Errors | Self::Throttles => "",
        }
    }
}

/// CloudWatch's `ComparisonOperator` (the names are CloudWatch's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum AlarmComparison {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl AlarmComparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::GreaterThanThreshold => ">",
            Self::GreaterThanOrEqualToThreshold => ">=",
            Self::LessThanThreshold => "<",
            Self::LessThanOrEqualToThreshold => "<=",
        }
    }

    pub fn aws_name(self) -> &'static str {
        match self {
            Self::GreaterThanThreshold => "GreaterThanThreshold",
            Self::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Self::LessThanThreshold => "LessThanThreshold",
            Self::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    pub fn from_aws_name(s: &str) -> Option<Self> {
        [
            Self::GreaterThanThreshold,
            Self::GreaterThanOrEqualToThreshold,
            Self::LessThanThreshold,
            Self::LessThanOrEqualToThreshold,
        ]
        .into_iter()
        .find(|c| c.aws_name() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_codedeploys_and_read_back() {
        let c = TrafficShift::Canary {
            percent: 10,
            interval_min: 5,
        };
        assert_eq!(c.name(), "Canary10Percent5Minutes");
        assert!(c.is_predefined());
        let l = TrafficShift::Linear {
            percent: 10,
            interval_min: 1,
        };
        assert_eq!(l.name(), "Linear10PercentEvery1Minute");
        assert!(l.is_predefined());
        let custom = TrafficShift::Linear {
            percent: 25,
            interval_min: 4,
        };
        assert_eq!(custom.name(), "Linear25PercentEvery4Minutes");
        assert!(!custom.is_predefined());
        for s in [TrafficShift::AllAtOnce, c, l, custom] {
            assert_eq!(TrafficShift::from_name(&s.name()), Some(s));
        }
        assert_eq!(TrafficShift::from_name("Canary10Percent"), None);
        assert_eq!(
            TrafficShift::from_name("Linear10PercentEvery1Minutes"),
            None
        );
    }

    #[test]
    fn steps_end_at_100() {
        let (s, m) = TrafficShift::Linear {
            percent: 30,
            interval_min: 2,
        }
        .steps();
        assert_eq!((s, m), (vec![30, 60, 90, 100], 2));
        assert_eq!(
            TrafficShift::Canary {
                percent: 10,
                interval_min: 5
            }
            .steps(),
            (vec![10, 100], 5)
        );
        assert_eq!(TrafficShift::AllAtOnce.steps(), (vec![100], 0));
    }

    #[test]
    fn impossible_alarms() {
        let a = |metric, threshold, comparison| DeploymentAlarm {
            metric,
            threshold,
            comparison,
            ..DeploymentAlarm::default()
        };
        use AlarmComparison as C;
        use AlarmMetric as M;
        assert!(
            a(M::ErrorRate, 100.0, C::GreaterThanThreshold)
                .never_fires()
                .is_some()
        );
        assert!(
            a(M::ErrorRate, 100.0, C::GreaterThanOrEqualToThreshold)
                .never_fires()
                .is_none()
        );
        assert!(
            a(M::ErrorRate, 120.0, C::GreaterThanOrEqualToThreshold)
                .never_fires()
                .is_some()
        );
        assert!(
            a(M::Errors, 0.0, C::LessThanThreshold)
                .never_fires()
                .is_some()
        );
        assert!(
            a(M::Errors, 0.0, C::GreaterThanThreshold)
                .never_fires()
                .is_none()
        );
        assert!(
            a(M::P99Duration, -5.0, C::LessThanOrEqualToThreshold)
                .never_fires()
                .is_some()
        );
        let zero = DeploymentAlarm {
            evaluation_periods: 0,
            ..DeploymentAlarm::default()
        };
        assert!(zero.never_fires().is_some());
        assert!(DeploymentAlarm::default().never_fires().is_none());
    }
}
