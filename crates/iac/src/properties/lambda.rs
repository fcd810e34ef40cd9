//! Lambda functions (`AWS::Serverless::Function`, `AWS::Lambda::Function`):
//! the field map of [`LambdaProps`].

use archsim_model::component::{
    AlarmComparison, AlarmMetric, Architecture, DeploymentAlarm, DeploymentPreference,
    LambdaDeployment, LambdaProps, Packaging, Runtime, TrafficShift,
};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

const ARCHITECTURES: &[(Architecture, &str)] = &[
    (Architecture::X86_64, "x86_64"),
    (Architecture::Arm64, "arm64"),
];

/// The Lambda spelling of an architecture.
pub(crate) fn architecture(a: Architecture) -> &'static str {
    spelling(ARCHITECTURES, a)
}

pub(crate) const HANDLER: Field<LambdaProps> = Field {
    path: "Handler",
    write: |p| json!(p.handler),
    read: Some(|p, v| {
        if let Some(h) = v.as_str() {
            p.handler = h.into();
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const RUNTIME: Field<LambdaProps> = Field {
    path: "Runtime",
    write: |p| json!(p.runtime_identifier()),
    // The exact identifier and its family (AWS's list is data in the
    // model); a runtime given as an intrinsic, or one archsim does not
    // know, reads as Node.js, as before.
    read: Some(|p, v| {
        let id = v.as_str().unwrap_or_default();
        match Runtime::of_identifier(id) {
            Some(family) => {
                p.runtime = family;
                p.runtime_id = Some(id.to_string());
            }
            None => p.runtime = Runtime::Nodejs,
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const PACKAGE_TYPE: Field<LambdaProps> = Field {
    path: "PackageType",
    write: |p| {
        json!(match p.packaging {
            Packaging::Zip => "Zip",
            Packaging::Image => "Image",
        })
    },
    read: Some(|p, v| {
        if v.as_str() == Some("Image") {
            p.packaging = Packaging::Image;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MEMORY: Field<LambdaProps> = Field {
    path: "MemorySize",
    write: |p| json!(p.memory_mb),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.memory_mb = n;
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const TIMEOUT: Field<LambdaProps> = Field {
    path: "Timeout",
    write: |p| json!(p.timeout_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.timeout_s = n;
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const ARCHITECTURE: Field<LambdaProps> = Field {
    path: "Architectures",
    write: |p| json!([architecture(p.architecture)]),
    // A list of exactly one.
    read: Some(|p, v| {
        if let Some(a) = v.get(0).and_then(|a| parse(ARCHITECTURES, a)) {
            p.architecture = a;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const EPHEMERAL_STORAGE: Field<LambdaProps> = Field {
    path: "EphemeralStorage/Size",
    write: |p| json!(p.ephemeral_storage_mb),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.ephemeral_storage_mb = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const RESERVED_CONCURRENCY: Field<LambdaProps> = Field {
    path: "ReservedConcurrentExecutions",
    write: |p| json!(p.reserved_concurrency),
    read: Some(|p, v| p.reserved_concurrency = u32_of(v)),
    write_back: true,
    sam_global: true,
};

fn tracing_mode(p: &LambdaProps) -> Value {
    json!(if p.tracing { "Active" } else { "PassThrough" })
}

fn read_tracing_mode(p: &mut LambdaProps, v: &Value) {
    if v.as_str() == Some("Active") {
        p.tracing = true;
    }
}

/// X-Ray tracing as SAM spells it.
pub(crate) const TRACING: Field<LambdaProps> = Field {
    path: "Tracing",
    write: tracing_mode,
    read: Some(read_tracing_mode),
    write_back: false,
    sam_global: true,
};

/// X-Ray tracing as CloudFormation spells it.
pub(crate) const TRACING_CONFIG: Field<LambdaProps> = Field {
    path: "TracingConfig/Mode",
    write: tracing_mode,
    read: Some(read_tracing_mode),
    write_back: false,
    sam_global: false,
};

/// The variables the user set; export adds those naming what the
/// function talks to, import keeps only plain strings.
pub(crate) const ENVIRONMENT: Field<LambdaProps> = Field {
    path: "Environment/Variables",
    write: |p| json!(p.environment),
    read: Some(|p, v| {
        if let Value::Object(vars) = v {
            for (k, v) in vars {
                if let Value::String(s) = v {
                    p.environment.insert(k.clone(), s.clone());
                }
            }
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const SNAP_START: Field<LambdaProps> = Field {
    path: "SnapStart/ApplyOn",
    write: |p| {
        json!(if p.snap_start {
            "PublishedVersions"
        } else {
            "None"
        })
    },
    read: Some(|p, v| p.snap_start = v.as_str() == Some("PublishedVersions")),
    write_back: false,
    sam_global: true,
};

/// On a SAM function, and on the `live` alias of a CloudFormation one.
pub(crate) const PROVISIONED_CONCURRENCY: Field<LambdaProps> = Field {
    path: "ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions",
    write: |p| json!(p.provisioned_concurrency),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.provisioned_concurrency = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

/// SAM's asynchronous invocation settings (CloudFormation has an
/// `AWS::Lambda::EventInvokeConfig` resource for them).
pub(crate) const MAX_EVENT_AGE: Field<LambdaProps> = Field {
    path: "EventInvokeConfig/MaximumEventAgeInSeconds",
    write: |p| json!(p.max_event_age_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_event_age_s = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const MAX_RETRY_ATTEMPTS: Field<LambdaProps> = Field {
    path: "EventInvokeConfig/MaximumRetryAttempts",
    write: |p| json!(p.max_retry_attempts),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_retry_attempts = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

fn deployment_mut(p: &mut LambdaProps) -> &mut LambdaDeployment {
    p.deployment.get_or_insert_with(|| {
        Box::new(LambdaDeployment {
            alias: None,
            preference: None,
        })
    })
}

/// The alias SAM publishes each version behind (a deployment's, or `live`
/// for provisioned concurrency and SnapStart); CloudFormation's
/// `AWS::Lambda::Alias` is read here too.
pub(crate) const AUTO_PUBLISH_ALIAS: Field<LambdaProps> = Field {
    path: "AutoPublishAlias",
    write: |p| json!(alias_name(p)),
    read: Some(|p, v| {
        if let Some(a) = v.as_str() {
            deployment_mut(p).alias = Some(a.into());
        }
    }),
    write_back: false,
    sam_global: true,
};

/// A function read back: the `live` alias export adds for provisioned
/// concurrency or SnapStart is not a deployment of its own.
pub(crate) fn normalise(mut p: LambdaProps) -> LambdaProps {
    let needs = p.provisioned_concurrency > 0 || (p.snap_start && p.runtime == Runtime::Java);
    if needs
        && p.deployment
            .as_ref()
            .is_some_and(|d| d.preference.is_none() && d.alias.as_deref() == Some("live"))
    {
        p.deployment = None;
    }
    p
}

/// The alias a function is exported with, if any.
pub(crate) fn alias_name(p: &LambdaProps) -> Option<String> {
    let own = p
        .deployment
        .as_ref()
        .and_then(|d| d.alias.clone())
        .filter(|a| !a.trim().is_empty());
    let needs = p.provisioned_concurrency > 0 || (p.snap_start && p.runtime == Runtime::Java);
    own.or_else(|| needs.then(|| "live".to_string()))
}

/// SAM's `DeploymentPreference`, as this map reads it: `Type` a
/// configuration name, `Alarms` the alarms' properties and `Hooks` the
/// hook functions' logical ids. In a template the alarms and a custom
/// configuration are resources of their own and everything is a `Ref`;
/// export writes them (`export/lambda.rs`) and import puts them inline
/// before reading (`import.rs`).
pub(crate) const DEPLOYMENT_PREFERENCE: Field<LambdaProps> = Field {
    path: "DeploymentPreference",
    write: |p| match p.deployment.as_ref().and_then(|d| d.preference.as_ref()) {
        Some(pref) => deployment_preference(
            json!(pref.shift.name()),
            pref.alarms
                .iter()
                .map(|a| alarm_properties(a, &Value::Null, ""))
                .collect(),
            pref.pre_traffic_hook.as_ref().map(|h| json!(h)),
            pref.post_traffic_hook.as_ref().map(|h| json!(h)),
        ),
        None => Value::Null,
    },
    read: Some(|p, v| {
        let Some(m) = v.as_object() else { return };
        let Some(shift) = m
            .get("Type")
            .and_then(Value::as_str)
            .and_then(TrafficShift::from_name)
        else {
            return;
        };
        let hook = |k: &str| {
            m.get("Hooks")
                .and_then(|h| h.get(k))
                .and_then(Value::as_str)
                .map(String::from)
        };
        let alarms = m
            .get("Alarms")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(read_alarm).collect())
            .unwrap_or_default();
        deployment_mut(p).preference = Some(DeploymentPreference {
            shift,
            alarms,
            pre_traffic_hook: hook("PreTraffic"),
            post_traffic_hook: hook("PostTraffic"),
        });
    }),
    write_back: false,
    sam_global: true,
};

/// A `DeploymentPreference` with its type, alarms and hooks as given.
pub(crate) fn deployment_preference(
    kind: Value,
    alarms: Vec<Value>,
    pre: Option<Value>,
    post: Option<Value>,
) -> Value {
    let mut m = Map::new();
    m.insert("Type".into(), kind);
    if !alarms.is_empty() {
        m.insert("Alarms".into(), Value::Array(alarms));
    }
    let mut hooks = Map::new();
    if let Some(h) = pre {
        hooks.insert("PreTraffic".into(), h);
    }
    if let Some(h) = post {
        hooks.insert("PostTraffic".into(), h);
    }
    if !hooks.is_empty() {
        m.insert("Hooks".into(), Value::Object(hooks));
    }
    Value::Object(m)
}

/// The CloudWatch metric an alarm watches on the alias `function:alias`.
fn alarm_metric(metric: &str, function: &Value, alias: &str) -> Value {
    json!({"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": [
        {"Name": "FunctionName", "Value": function},
        {"Name": "Resource", "Value": if function.is_null() { Value::Null } else {
            json!({"Fn::Sub": format!("${{{}}}:{alias}", function.get("Ref").and_then(Value::as_str).unwrap_or_default())})
        }},
    ]})
}

/// An `AWS::CloudWatch::Alarm`'s properties for a deployment alarm on the
/// function's alias (`function` is its `Ref`; `Null` leaves the
/// dimensions' values out). Missing data does not breach: no invocation,
/// no datapoint.
pub(crate) fn alarm_properties(a: &DeploymentAlarm, function: &Value, alias: &str) -> Value {
    let mut m = Map::new();
    m.insert(
        "AlarmDescription".into(),
        json!(format!("Rolls back a deployment: {}", a.describe())),
    );
    let metric = |name: &str| alarm_metric(name, function, alias);
    match a.metric {
        AlarmMetric::Errors | AlarmMetric::Throttles | AlarmMetric::P99Duration => {
            let name = match a.metric {
                AlarmMetric::Errors => "Errors",
                AlarmMetric::Throttles => "Throttles",
                _ => "Duration",
            };
            if let Value::Object(mm) = metric(name) {
                m.extend(mm);
            }
            if a.metric == AlarmMetric::P99Duration {
                m.insert("ExtendedStatistic".into(), json!("p99"));
            } else {
                m.insert("Statistic".into(), json!("Sum"));
            }
            m.insert("Period".into(), json!(a.period_s));
        }
        AlarmMetric::ErrorRate => {
            let stat = |id: &str, name: &str| {
                json!({"Id": id, "ReturnData": false, "MetricStat": {
                    "Metric": metric(name), "Period": a.period_s, "Stat": "Sum"}})
            };
            m.insert(
                "Metrics".into(),
                json!([
                    stat("errors", "Errors"),
                    stat("invocations", "Invocations"),
                    {"Id": "rate", "Label": "Error rate (%)", "ReturnData": true,
                     "Expression": "100 * errors / invocations"}
                ]),
            );
        }
    }
    m.insert("EvaluationPeriods".into(), json!(a.evaluation_periods));
    m.insert("Threshold".into(), json!(a.threshold));
    m.insert("ComparisonOperator".into(), json!(a.comparison.aws_name()));
    m.insert("TreatMissingData".into(), json!("notBreaching"));
    Value::Object(m)
}

/// A deployment alarm from an `AWS::CloudWatch::Alarm`'s properties.
pub(crate) fn read_alarm(v: &Value) -> Option<DeploymentAlarm> {
    let m = v.as_object()?;
    let (metric, period) = if let Some(metrics) = m.get("Metrics").and_then(Value::as_array) {
        let period = metrics
            .iter()
            .find_map(|x| x.get("MetricStat")?.get("Period").and_then(u32_of));
        (AlarmMetric::ErrorRate, period?)
    } else {
        let metric = match m.get("MetricName")?.as_str()? {
            "Errors" => AlarmMetric::Errors,
            "Throttles" => AlarmMetric::Throttles,
            "Duration" => AlarmMetric::P99Duration,
            _ => return None,
        };
        (metric, m.get("Period").and_then(u32_of)?)
    };
    Some(DeploymentAlarm {
        metric,
        period_s: period,
        evaluation_periods: m.get("EvaluationPeriods").and_then(u32_of)?,
        threshold: m.get("Threshold")?.as_f64()?,
        comparison: AlarmComparison::from_aws_name(m.get("ComparisonOperator")?.as_str()?)?,
    })
}

/// A custom configuration's `TrafficRoutingConfig`.
pub(crate) fn traffic_routing(shift: &TrafficShift) -> Value {
    match *shift {
        TrafficShift::AllAtOnce => json!({"Type": "AllAtOnce"}),
        TrafficShift::Canary {
            percent,
            interval_min,
        } => json!({"Type": "TimeBasedCanary", "TimeBasedCanary": {
            "CanaryPercentage": percent, "CanaryInterval": interval_min}}),
        TrafficShift::Linear {
            percent,
            interval_min,
        } => json!({"Type": "TimeBasedLinear", "TimeBasedLinear": {
            "LinearPercentage": percent, "LinearInterval": interval_min}}),
    }
}

/// [`traffic_routing`]'s inverse.
pub(crate) fn read_traffic_routing(v: &Value) -> Option<TrafficShift> {
    let n = |o: &str, k: &str| v.get(o)?.get(k).and_then(u32_of);
    Some(match v.get("Type")?.as_str()? {
        "AllAtOnce" => TrafficShift::AllAtOnce,
        "TimeBasedCanary" => TrafficShift::Canary {
            percent: n("TimeBasedCanary", "CanaryPercentage")?,
            interval_min: n("TimeBasedCanary", "CanaryInterval")?,
        },
        "TimeBasedLinear" => TrafficShift::Linear {
            percent: n("TimeBasedLinear", "LinearPercentage")?,
            interval_min: n("TimeBasedLinear", "LinearInterval")?,
        },
        _ => return None,
    })
}

pub(crate) const FUNCTION: FieldMap<LambdaProps> = FieldMap {
    unset: LambdaProps::default,
    // An edit writes a field the kept resource lacks at its end, in this
    // order.
    fields: &[
        &MEMORY,
        &TIMEOUT,
        &HANDLER,
        &RUNTIME,
        &PACKAGE_TYPE,
        &ARCHITECTURE,
        &EPHEMERAL_STORAGE,
        &RESERVED_CONCURRENCY,
        &TRACING,
        &TRACING_CONFIG,
        &ENVIRONMENT,
        &SNAP_START,
        &PROVISIONED_CONCURRENCY,
        &MAX_EVENT_AGE,
        &MAX_RETRY_ATTEMPTS,
        &AUTO_PUBLISH_ALIAS,
        &DEPLOYMENT_PREFERENCE,
    ],
};

/// SAM merges `Globals.Function`'s variables with a function's own (the
/// function's win); [`ENVIRONMENT`] read the function's, or the globals'
/// when the function has none.
pub(crate) fn merge_global_environment(
    f: &mut LambdaProps,
    props: &Map<String, Value>,
    globals: &Map<String, Value>,
) {
    if ENVIRONMENT.get(props).is_none() {
        return;
    }
    let mut from_globals = LambdaProps::default();
    if let (Some(read), Some(v)) = (ENVIRONMENT.read, ENVIRONMENT.get(globals)) {
        read(&mut from_globals, v);
    }
    for (k, v) in from_globals.environment {
        f.environment.entry(k).or_insert(v);
    }
}

/// Whether SAM's `Globals.Function` (export's `globals`) sets `field`.
pub(crate) fn in_globals(globals: &Map<String, Value>, field: &Field<LambdaProps>) -> bool {
    globals
        .get("Function")
        .and_then(Value::as_object)
        .is_some_and(|f| field.get(f).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::parse;

    #[test]
    fn fields_round_trip() {
        let sample = LambdaProps {
            runtime: Runtime::Python,
            packaging: Packaging::Image,
            architecture: Architecture::Arm64,
            handler: "app.main".into(),
            memory_mb: 1024,
            timeout_s: 30,
            reserved_concurrency: Some(5),
            provisioned_concurrency: 2,
            ephemeral_storage_mb: 1024,
            snap_start: true,
            tracing: true,
            max_event_age_s: 600,
            max_retry_attempts: 1,
            environment: [("STAGE".to_string(), "prod".to_string())].into(),
            deployment: Some(Box::new(LambdaDeployment {
                alias: Some("prod".into()),
                preference: Some(DeploymentPreference {
                    shift: TrafficShift::Linear {
                        percent: 20,
                        interval_min: 3,
                    },
                    alarms: vec![
                        DeploymentAlarm::default(),
                        DeploymentAlarm {
                            metric: AlarmMetric::P99Duration,
                            period_s: 120,
                            evaluation_periods: 3,
                            threshold: 800.0,
                            comparison: AlarmComparison::GreaterThanOrEqualToThreshold,
                        },
                    ],
                    pre_traffic_hook: Some("PreHook".into()),
                    post_traffic_hook: None,
                }),
            })),
            ..Default::default()
        };
        super::super::check::round_trips(&FUNCTION, &sample);
        for shift in [
            TrafficShift::AllAtOnce,
            TrafficShift::Canary {
                percent: 5,
                interval_min: 7,
            },
            TrafficShift::Linear {
                percent: 25,
                interval_min: 2,
            },
        ] {
            assert_eq!(read_traffic_routing(&traffic_routing(&shift)), Some(shift));
        }
        assert_eq!(
            parse(ARCHITECTURES, &json!("arm64")),
            Some(Architecture::Arm64)
        );
    }
}
