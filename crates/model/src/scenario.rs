//! Named traffic scenarios, kept with the design as data. The simulator
//! (archsim-sim) gives them meaning; here they are only checked for shape
//! and references.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::civil::UtcTime;
use crate::component::Distribution;
use crate::filter_policy::AttributeValue;

/// When a scenario starts if it says nothing: Monday 2026-01-05 at
/// midnight UTC, so a run starts a week, a day and an hour together and
/// cron schedules meet a whole working week.
pub const DEFAULT_START: &str = "2026-01-05T00:00:00Z";

/// A traffic scenario: how long, which seed, what enters where, and what
/// happens along the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The wall-clock time the run starts at, RFC 3339
    /// (`2026-01-05T00:00:00Z`; an offset is converted to UTC, as
    /// EventBridge schedules run in UTC). Cron schedules fire at their
    /// times from here; `None`: [`DEFAULT_START`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    pub duration_s: f64,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    pub traffic: Vec<TrafficProfile>,
    #[serde(default)]
    pub events: Vec<ScheduledEvent>,
}

/// Traffic entering the design at one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrafficProfile {
    /// The component the requests enter (usually a client).
    pub entry: String,
    pub pattern: TrafficPattern,
    #[serde(default)]
    pub request: RequestAttributes,
}

/// How request rate varies with time. Rates are requests per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TrafficPattern {
    /// Evenly spaced arrivals.
    Constant {
        rps: f64,
    },
    Poisson {
        rps: f64,
    },
    /// A sinusoidal daily cycle around `mean_rps`.
    Diurnal {
        mean_rps: f64,
        /// Peak above the mean, as a fraction of it (0-1).
        amplitude: f64,
        #[serde(default = "day")]
        period_s: f64,
        /// Seconds after the start at which the peak falls.
        #[serde(default)]
        peak_at_s: f64,
    },
    Ramp {
        from_rps: f64,
        to_rps: f64,
    },
    Step {
        from_rps: f64,
        to_rps: f64,
        at_s: f64,
    },
    Spike {
        base_rps: f64,
        peak_rps: f64,
        at_s: f64,
        duration_s: f64,
    },
    /// Replay of a file beside the design.
    Trace {
        file: String,
        format: TraceFormat,
    },
}

fn day() -> f64 {
    86_400.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TraceFormat {
    /// One arrival timestamp (seconds) per line.
    Timestamps,
    /// `second,count` lines.
    PerSecondCounts,
    /// `minute,count` lines.
    PerMinuteCounts,
    /// AWS ALB access log lines.
    AlbAccessLog,
}

/// What a request carries that matters downstream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RequestAttributes {
    /// Path, for ALB listener rules; for uploads into an S3 bucket, the
    /// object key (`/uploads/cat.jpg` writes `uploads/cat.jpg`), which the
    /// bucket's notification filter must pass.
    pub path: String,
    pub payload_bytes: u32,
    pub response_bytes: u32,
    /// Overrides the handler's own work distribution.
    pub work: Option<Distribution>,
    /// The SNS message attributes the request's messages carry (a topic's
    /// subscriptions filter on them): a name to a string, a number or a
    /// list of strings (String.Array).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<BTreeMap<String, AttributeValue>>", optional)
    )]
    pub message_attributes: BTreeMap<String, AttributeValue>,
    /// The JSON body of the request's messages, for subscriptions that
    /// filter on the message body (`MessageBody` scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "unknown", optional))]
    pub message_body: Option<serde_json::Value>,
}

impl Default for RequestAttributes {
    fn default() -> Self {
        Self {
            path: "/".into(),
            payload_bytes: 1_024,
            response_bytes: 4_096,
            work: None,
            message_attributes: BTreeMap::new(),
            message_body: None,
        }
    }
}

/// Something that happens at a point in the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScheduledEvent {
    pub at_s: f64,
    pub event: ScenarioEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ScenarioEvent {
    /// Multiply the traffic entering at `entry` by `factor`.
    TrafficChange { entry: String, factor: f64 },
    /// An availability zone stops: its instances and tasks go.
    ZoneLoss { zone: String },
    /// Fargate Spot reclaims a share of the service's Spot tasks.
    SpotInterruption { service: String, share: f64 },
    /// A component answers `factor` times slower for `duration_s`.
    DependencySlowdown {
        component: String,
        factor: f64,
        duration_s: f64,
    },
    /// A new version of a Lambda function or an ECS service is deployed.
    /// A function: traffic moves to it as its deployment preference says
    /// (at once without one), its environments start cold, and its alarms
    /// may roll it back. A service: a rolling update replaces its tasks
    /// within its minimum healthy and maximum percent, and the deployment
    /// circuit breaker may roll it back.
    Deploy {
        component: String,
        /// The new version's handler time; `None`: the component's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        work: Option<Distribution>,
        /// The new version's cold start, ms; `None`: the function's own.
        /// Functions only (a task's start is its capacity's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        init_ms: Option<f64>,
        /// Share of the new version's requests that fail (0-1).
        #[serde(default)]
        error_rate: f64,
        /// The new version's tasks never pass their health check (services
        /// only): behind a load balancer they are marked unhealthy and
        /// stopped after the health-check grace period; without one their
        /// essential container exits as it starts.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fails_health_checks: bool,
    },
}

impl Scenario {
    /// The components its traffic enters at, each once, in id order.
    pub fn entries(&self) -> Vec<String> {
        let mut out: Vec<String> = self.traffic.iter().map(|t| t.entry.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// When the run starts: `start`, or [`DEFAULT_START`]; the error names
    /// the field and says what is wrong with its text.
    pub fn start_time(&self) -> Result<UtcTime, String> {
        let text = self.start.as_deref().unwrap_or(DEFAULT_START);
        UtcTime::parse_rfc3339(text).map_err(|m| format!("start: {m}"))
    }

    /// What is wrong with this scenario's numbers, each naming where
    /// (`traffic[0].pattern.rps`). Empty when it can run.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |ok: bool, place: String, what: &str| {
            if !ok {
                out.push(format!("{place}: {what}"));
            }
        };
        let rate = |x: f64| x.is_finite() && x >= 0.0;
        let time = |x: f64| x.is_finite() && x >= 0.0;
        check(
            !self.name.trim().is_empty(),
            "name".into(),
            "must not be empty",
        );
        check(
            self.duration_s.is_finite() && self.duration_s > 0.0,
            "duration_s".into(),
            "must be a positive number of seconds",
        );
        if let Some(Err(m)) = self.start.as_deref().map(UtcTime::parse_rfc3339) {
            check(false, "start".into(), &m);
        }
        for (i, t) in self.traffic.iter().enumerate() {
            let at = |field: &str| format!("traffic[{i}].pattern.{field}");
            let not_rate = "must be a rate of 0 or more requests per second";
            match &t.pattern {
                TrafficPattern::Constant { rps } | TrafficPattern::Poisson { rps } => {
                    check(rate(*rps), at("rps"), not_rate);
                }
                TrafficPattern::Diurnal {
                    mean_rps,
                    amplitude,
                    period_s,
                    peak_at_s,
                } => {
                    check(rate(*mean_rps), at("mean_rps"), not_rate);
                    check(
                        (0.0..=1.0).contains(amplitude),
                        at("amplitude"),
                        "must be between 0 and 1",
                    );
                    check(
                        period_s.is_finite() && *period_s > 0.0,
                        at("period_s"),
                        "must be a positive number of seconds",
                    );
                    check(
                        time(*peak_at_s),
                        at("peak_at_s"),
                        "must be 0 or more seconds",
                    );
                }
                TrafficPattern::Ramp { from_rps, to_rps } => {
                    check(rate(*from_rps), at("from_rps"), not_rate);
                    check(rate(*to_rps), at("to_rps"), not_rate);
                }
                TrafficPattern::Step {
                    from_rps,
                    to_rps,
                    at_s,
                } => {
                    check(rate(*from_rps), at("from_rps"), not_rate);
                    check(rate(*to_rps), at("to_rps"), not_rate);
                    check(time(*at_s), at("at_s"), "must be 0 or more seconds");
                }
                TrafficPattern::Spike {
                    base_rps,
                    peak_rps,
                    at_s,
                    duration_s,
                } => {
                    check(rate(*base_rps), at("base_rps"), not_rate);
                    check(rate(*peak_rps), at("peak_rps"), not_rate);
                    check(time(*at_s), at("at_s"), "must be 0 or more seconds");
                    check(
                        duration_s.is_finite() && *duration_s > 0.0,
                        at("duration_s"),
                        "must be a positive number of seconds",
                    );
                }
                TrafficPattern::Trace { file, .. } => {
                    check(!file.trim().is_empty(), at("file"), "names no trace file");
                }
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            let at = |field: &str| format!("events[{i}].{field}");
            check(
                time(e.at_s) && e.at_s <= self.duration_s,
                at("at_s"),
                "must fall within the scenario",
            );
            match &e.event {
                ScenarioEvent::TrafficChange { factor, .. } => check(
                    factor.is_finite() && *factor >= 0.0,
                    at("event.factor"),
                    "must be 0 or more",
                ),
                ScenarioEvent::SpotInterruption { share, .. } => check(
                    *share > 0.0 && *share <= 1.0,
                    at("event.share"),
                    "must be more than 0 and at most 1",
                ),
                ScenarioEvent::DependencySlowdown {
                    factor, duration_s, ..
                } => {
                    check(
                        factor.is_finite() && *factor > 0.0,
                        at("event.factor"),
                        "must be more than 0",
                    );
                    check(
                        duration_s.is_finite() && *duration_s > 0.0,
                        at("event.duration_s"),
                        "must be a positive number of seconds",
                    );
                }
                ScenarioEvent::Deploy {
                    init_ms,
                    error_rate,
                    ..
                } => {
                    check(
                        (0.0..=1.0).contains(error_rate),
                        at("event.error_rate"),
                        "must be between 0 and 1",
                    );
                    check(
                        init_ms.is_none_or(|ms| ms.is_finite() && ms >= 0.0),
                        at("event.init_ms"),
                        "must be 0 or more milliseconds",
                    );
                }
                ScenarioEvent::ZoneLoss { .. } => {}
            }
        }
        out
    }

    /// Component ids this scenario refers to, with where it refers to them.
    pub fn references(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for (i, t) in self.traffic.iter().enumerate() {
            out.push((format!("traffic[{i}].entry"), t.entry.as_str()));
        }
        for (i, e) in self.events.iter().enumerate() {
            let id = match &e.event {
                ScenarioEvent::TrafficChange { entry, .. } => entry.as_str(),
                ScenarioEvent::SpotInterruption { service, .. } => service.as_str(),
                ScenarioEvent::DependencySlowdown { component, .. }
                | ScenarioEvent::Deploy { component, .. } => component.as_str(),
                ScenarioEvent::ZoneLoss { .. } => continue,
            };
            out.push((format!("events[{i}].event"), id));
        }
        out
    }
}
