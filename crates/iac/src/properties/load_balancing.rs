//! Load balancing: the field maps of ALBs and NLBs, their listeners and
//! target groups, listener rules (`Route` connections), and Classic Load
//! Balancers.

use archsim_model::Props;
use archsim_model::component::{
    ClassicLoadBalancerProps, LbAlgorithm, Listener, ListenerProtocol, LoadBalancerProps, Scheme,
};
use archsim_model::connection::{ConditionField, ConnectionKind, RuleCondition};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u16_of, u32_of};

/// The property that tells an ALB (`application`) from an NLB
/// (`network`).
const LOAD_BALANCER_TYPE: &str = "Type";

/// Writes which kind of load balancer this is.
pub(crate) fn put_type(props: &mut Map<String, Value>, alb: bool) {
    props.insert(
        LOAD_BALANCER_TYPE.into(),
        json!(if alb { "application" } else { "network" }),
    );
}

const SCHEMES: &[(Scheme, &str)] = &[
    (Scheme::InternetFacing, "internet-facing"),
    (Scheme::Internal, "internal"),
];

pub(crate) const SCHEME: Field<LoadBalancerProps> = Field {
    path: "Scheme",
    write: |p| json!(spelling(SCHEMES, p.scheme)),
    read: Some(|p, v| {
        if let Some(s) = parse(SCHEMES, v) {
            p.scheme = s;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// An ALB's attribute.
pub(crate) const IDLE_TIMEOUT: Field<LoadBalancerProps> = Field {
    path: "LoadBalancerAttributes",
    write: |p| json!([{"Key": "idle_timeout.timeout_seconds", "Value": p.idle_timeout_s.to_string()}]),
    read: None,
    write_back: false,
    sam_global: false,
};

/// An NLB's attribute.
pub(crate) const CROSS_ZONE: Field<LoadBalancerProps> = Field {
    path: "LoadBalancerAttributes",
    write: |p| json!([{"Key": "load_balancing.cross_zone.enabled", "Value": p.cross_zone.to_string()}]),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const LOAD_BALANCER: FieldMap<LoadBalancerProps> = FieldMap {
    unset: LoadBalancerProps::default,
    fields: &[&SCHEME, &IDLE_TIMEOUT, &CROSS_ZONE],
};

pub(crate) const PORT: Field<Listener> = Field {
    path: "Port",
    write: |l| json!(l.port),
    read: Some(|l, v| {
        if let Some(port) = u16_of(v) {
            l.port = port;
        }
    }),
    write_back: false,
    sam_global: false,
};

const PROTOCOLS: &[(ListenerProtocol, &str)] = &[
    (ListenerProtocol::Http, "HTTP"),
    (ListenerProtocol::Https, "HTTPS"),
    (ListenerProtocol::Tcp, "TCP"),
    (ListenerProtocol::Udp, "UDP"),
    (ListenerProtocol::Tls, "TLS"),
];

pub(crate) const PROTOCOL: Field<Listener> = Field {
    path: "Protocol",
    write: |l| json!(spelling(PROTOCOLS, l.protocol)),
    read: Some(|l, v| l.protocol = parse(PROTOCOLS, v).unwrap_or(ListenerProtocol::Http)),
    write_back: false,
    sam_global: false,
};

/// An `AWS::ElasticLoadBalancingV2::Listener`, a resource of its own that
/// names its load balancer.
pub(crate) const LISTENER: FieldMap<Listener> = FieldMap {
    unset: Listener::default,
    fields: &[&PORT, &PROTOCOL],
};

/// An ALB or NLB, with the listeners among `resources` that name it
/// (`logical`); without any it keeps the model's default listener.
pub(crate) fn load_balancer(
    p: &Map<String, Value>,
    logical: &str,
    resources: &Map<String, Value>,
) -> Props {
    let mut lb = LOAD_BALANCER.read(p);
    let test = super::ecs::test_listeners(resources);
    let listeners: Vec<Listener> = resources
        .iter()
        .filter(|(l, _)| !test.contains(l.as_str()))
        .map(|(_, r)| r)
        .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .filter_map(|r| r.get("Properties")?.as_object())
        .filter(|lp| {
            lp.get("LoadBalancerArn")
                .and_then(|a| a.get("Ref"))
                .and_then(Value::as_str)
                == Some(logical)
        })
        // A listener's port is required: one given as an intrinsic is
        // left out.
        .filter(|lp| PORT.get(lp).and_then(u16_of).is_some())
        .map(|lp| LISTENER.read(lp))
        .collect();
    if !listeners.is_empty() {
        lb.listeners = listeners;
    }
    if p.get(LOAD_BALANCER_TYPE).and_then(Value::as_str) == Some("network") {
        Props::Nlb(lb)
    } else {
        Props::Alb(lb)
    }
}

pub(crate) const HEALTH_CHECK_INTERVAL: Field<LoadBalancerProps> = Field {
    path: "HealthCheckIntervalSeconds",
    write: |p| json!(p.health_check.interval_s),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const HEALTHY_THRESHOLD: Field<LoadBalancerProps> = Field {
    path: "HealthyThresholdCount",
    write: |p| json!(p.health_check.healthy_threshold),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const UNHEALTHY_THRESHOLD: Field<LoadBalancerProps> = Field {
    path: "UnhealthyThresholdCount",
    write: |p| json!(p.health_check.unhealthy_threshold),
    read: None,
    write_back: false,
    sam_global: false,
};

/// ALB target groups only (NLB health checks are TCP).
pub(crate) const HEALTH_CHECK_PATH: Field<LoadBalancerProps> = Field {
    path: "HealthCheckPath",
    write: |p| json!(p.health_check.path),
    read: None,
    write_back: false,
    sam_global: false,
};

/// ALB target groups only.
pub(crate) const HEALTH_CHECK_TIMEOUT: Field<LoadBalancerProps> = Field {
    path: "HealthCheckTimeoutSeconds",
    write: |p| json!(p.health_check.timeout_s),
    read: None,
    write_back: false,
    sam_global: false,
};

fn attribute(key: &str, value: impl ToString) -> Value {
    json!({"Key": key, "Value": value.to_string()})
}

const DEREGISTRATION_DELAY: &str = "deregistration_delay.timeout_seconds";

/// An ALB's target groups: deregistration delay, slow start (when on) and
/// the routing algorithm.
pub(crate) const ALB_TARGET_GROUP_ATTRIBUTES: Field<LoadBalancerProps> = Field {
    path: "TargetGroupAttributes",
    write: |p| {
        let mut attrs = vec![attribute(DEREGISTRATION_DELAY, p.deregistration_delay_s)];
        if p.slow_start_s > 0 {
            attrs.push(attribute("slow_start.duration_seconds", p.slow_start_s));
        }
        attrs.push(attribute(
            "load_balancing.algorithm.type",
            match p.algorithm {
                LbAlgorithm::RoundRobin => "round_robin",
                LbAlgorithm::LeastOutstandingRequests => "least_outstanding_requests",
                LbAlgorithm::WeightedRandom => "weighted_random",
            },
        ));
        json!(attrs)
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// An NLB's target groups: the deregistration delay.
pub(crate) const NLB_TARGET_GROUP_ATTRIBUTES: Field<LoadBalancerProps> = Field {
    path: "TargetGroupAttributes",
    write: |p| json!([attribute(DEREGISTRATION_DELAY, p.deregistration_delay_s)]),
    read: None,
    write_back: false,
    sam_global: false,
};

/// A `Route` connection as a listener rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Rule {
    pub priority: Option<u32>,
    pub conditions: Vec<RuleCondition>,
}

impl Rule {
    pub fn of(kind: &ConnectionKind) -> Option<Rule> {
        let ConnectionKind::Route {
            priority,
            conditions,
            ..
        } = kind
        else {
            return None;
        };
        Some(Rule {
            priority: *priority,
            conditions: conditions.clone(),
        })
    }
}

/// Export numbers the rules without a priority after the numbered ones.
pub(crate) const PRIORITY: Field<Rule> = Field {
    path: "Priority",
    write: |r| json!(r.priority),
    read: Some(|r, v| r.priority = u32_of(v)),
    write_back: false,
    sam_global: false,
};

/// A condition as a rule spells it. An HTTP header condition's first
/// value is the header's name; a query string condition's values are
/// `key=value` pairs.
fn condition(cond: &RuleCondition) -> Value {
    let values = &cond.values;
    match cond.field {
        ConditionField::PathPattern => {
            json!({"Field": "path-pattern", "PathPatternConfig": {"Values": values}})
        }
        ConditionField::HostHeader => {
            json!({"Field": "host-header", "HostHeaderConfig": {"Values": values}})
        }
        ConditionField::HttpMethod => {
            json!({"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": values}})
        }
        ConditionField::SourceIp => {
            json!({"Field": "source-ip", "SourceIpConfig": {"Values": values}})
        }
        ConditionField::HttpHeader => {
            let (name, values) = values
                .split_first()
                .map_or(("X-Header", &[][..]), |(n, v)| (n.as_str(), v));
            json!({"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": values}})
        }
        ConditionField::QueryString => {
            let pairs: Vec<Value> = values
                .iter()
                .map(|v| match v.split_once('=') {
                    Some((k, val)) => json!({"Key": k, "Value": val}),
                    None => json!({"Value": v}),
                })
                .collect();
            json!({"Field": "query-string", "QueryStringConfig": {"Values": pairs}})
        }
    }
}

/// A condition as a rule spells it, read back (the inverse of
/// [`condition`]): each field's `...Config`, or the legacy `Values` that
/// path-pattern and host-header conditions may give instead
/// (Elastic Load Balancing API Reference, "RuleCondition",
/// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html).
/// `None` for a field archsim does not know or a condition with no value
/// written as text (an intrinsic without a default).
fn read_condition(c: &Value) -> Option<RuleCondition> {
    let texts = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    };
    let config = |name: &str| c.get(name).and_then(|cfg| cfg.get("Values"));
    let (field, values) = match c.get("Field").and_then(Value::as_str)? {
        "path-pattern" => (
            ConditionField::PathPattern,
            texts(config("PathPatternConfig").or_else(|| c.get("Values"))),
        ),
        "host-header" => (
            ConditionField::HostHeader,
            texts(config("HostHeaderConfig").or_else(|| c.get("Values"))),
        ),
        "http-request-method" => (
            ConditionField::HttpMethod,
            texts(config("HttpRequestMethodConfig")),
        ),
        "source-ip" => (ConditionField::SourceIp, texts(config("SourceIpConfig"))),
        "http-header" => {
            let header = c.get("HttpHeaderConfig")?;
            let name = header.get("HttpHeaderName")?.as_str()?.to_string();
            let values = texts(header.get("Values"));
            if values.is_empty() {
                return None;
            }
            let mut named = vec![name];
            named.extend(values);
            (ConditionField::HttpHeader, named)
        }
        "query-string" => {
            let pairs = config("QueryStringConfig")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|pair| {
                    let value = pair.get("Value")?.as_str()?;
                    Some(match pair.get("Key").and_then(Value::as_str) {
                        Some(key) => format!("{key}={value}"),
                        None => value.to_string(),
                    })
                })
                .collect();
            (ConditionField::QueryString, pairs)
        }
        _ => return None,
    };
    (!values.is_empty()).then_some(RuleCondition { field, values })
}

/// Every condition archsim models, read as [`condition`] writes it.
pub(crate) const CONDITIONS: Field<Rule> = Field {
    path: "Conditions",
    write: |r| json!(r.conditions.iter().map(condition).collect::<Vec<_>>()),
    read: Some(|r, v| {
        r.conditions.extend(
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(read_condition),
        );
    }),
    write_back: false,
    sam_global: false,
};

/// An `AWS::ElasticLoadBalancingV2::ListenerRule`.
pub(crate) const LISTENER_RULE: FieldMap<Rule> = FieldMap {
    unset: Rule::default,
    fields: &[&PRIORITY, &CONDITIONS],
};

pub(crate) const CLASSIC_SCHEME: Field<ClassicLoadBalancerProps> = Field {
    path: "Scheme",
    write: |p| json!(spelling(SCHEMES, p.scheme)),
    read: Some(|p, v| {
        if let Some(s) = parse(SCHEMES, v) {
            p.scheme = s;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// Each listener forwards to the same port on the instances; HTTP or TCP.
pub(crate) const CLASSIC_LISTENERS: Field<ClassicLoadBalancerProps> = Field {
    path: "Listeners",
    write: |p| {
        json!(
            p.listeners
                .iter()
                .map(|l| json!({"LoadBalancerPort": l.port.to_string(), "InstancePort": l.port.to_string(),
                    "Protocol": if l.protocol == ListenerProtocol::Http { "HTTP" } else { "TCP" }}))
                .collect::<Vec<_>>()
        )
    },
    // Each listener's port and protocol (a Classic Load Balancer's SSL is
    // TLS); one archsim cannot read keeps the default listener.
    read: Some(|p, v| {
        const CLASSIC_PROTOCOLS: &[(ListenerProtocol, &str)] = &[
            (ListenerProtocol::Http, "HTTP"),
            (ListenerProtocol::Https, "HTTPS"),
            (ListenerProtocol::Tcp, "TCP"),
            (ListenerProtocol::Tls, "SSL"),
        ];
        let read: Vec<Listener> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                Some(Listener {
                    port: u16_of(l.get("LoadBalancerPort")?)?,
                    protocol: l
                        .get("Protocol")
                        .and_then(|p| {
                            let upper = Value::String(p.as_str()?.to_ascii_uppercase());
                            parse(CLASSIC_PROTOCOLS, &upper)
                        })
                        .unwrap_or(ListenerProtocol::Http),
                })
            })
            .collect();
        if !read.is_empty() {
            p.listeners = read;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const CLASSIC_IDLE_TIMEOUT: Field<ClassicLoadBalancerProps> = Field {
    path: "ConnectionSettings/IdleTimeout",
    write: |p| json!(p.idle_timeout_s),
    read: Some(|p, v| {
        if let Some(s) = u32_of(v) {
            p.idle_timeout_s = s;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// An `AWS::ElasticLoadBalancing::LoadBalancer` (its `Instances` are
/// routes, drawn by import's inference).
pub(crate) const CLASSIC_LOAD_BALANCER: FieldMap<ClassicLoadBalancerProps> = FieldMap {
    unset: ClassicLoadBalancerProps::default,
    fields: &[&CLASSIC_SCHEME, &CLASSIC_LISTENERS, &CLASSIC_IDLE_TIMEOUT],
};

/// A Classic Load Balancer's EC2 instances.
pub(crate) const CLASSIC_INSTANCES: &str = "Instances";

/// A forward action to several target groups: each one's `Weight` in its
/// `ForwardConfig`.
pub(crate) const FORWARD_TARGET_GROUPS: &str = "ForwardConfig/TargetGroups";

/// The weight a listener's or rule's actions give target group `tg` (1
/// when it is the action's only target group).
pub(crate) fn forward_weight(actions: &Value, tg: &str) -> u32 {
    let mut path = FORWARD_TARGET_GROUPS.split('/');
    let (Some(config), Some(groups)) = (path.next(), path.next()) else {
        return 1;
    };
    actions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.get(config)?.get(groups)?.as_array())
        .flatten()
        .find(|g| {
            g.get("TargetGroupArn")
                .and_then(|r| r.get("Ref"))
                .and_then(Value::as_str)
                == Some(tg)
        })
        .and_then(|g| g.get("Weight"))
        .and_then(super::u32_of)
        .unwrap_or(1)
}

/// A forward action to `groups`: (target group id, weight); one group is a
/// plain forward.
pub(crate) fn forward_action(groups: &[(String, u32)]) -> Value {
    match groups {
        [(tg, _)] => json!({"Type": "forward", "TargetGroupArn": {"Ref": tg}}),
        _ => {
            let list: Vec<Value> = groups
                .iter()
                .map(|(tg, w)| json!({"TargetGroupArn": {"Ref": tg}, "Weight": w}))
                .collect();
            let mut action = json!({"Type": "forward"});
            let mut path = FORWARD_TARGET_GROUPS.split('/');
            if let (Some(config), Some(key)) = (path.next(), path.next()) {
                action[config] = json!({ key: list });
            }
            action
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn fields_round_trip() {
        let lb = LoadBalancerProps {
            scheme: Scheme::Internal,
            ..Default::default()
        };
        round_trips(&LOAD_BALANCER, &lb);
        round_trips(
            &LISTENER,
            &Listener {
                port: 443,
                protocol: ListenerProtocol::Https,
            },
        );
        round_trips(
            &LISTENER_RULE,
            &Rule {
                priority: Some(7),
                conditions: vec![RuleCondition::path(&["/api/*", "/v2/*"])],
            },
        );
        // Every condition field, as a rule spells it and back.
        let of = |field, values: &[&str]| RuleCondition {
            field,
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        round_trips(
            &LISTENER_RULE,
            &Rule {
                priority: Some(9),
                conditions: vec![
                    of(ConditionField::HostHeader, &["api.example.com"]),
                    of(ConditionField::HttpMethod, &["GET", "HEAD"]),
                    of(ConditionField::SourceIp, &["10.0.0.0/8"]),
                    of(ConditionField::HttpHeader, &["X-Tenant", "blue", "green"]),
                    of(ConditionField::QueryString, &["version=2", "beta"]),
                ],
            },
        );
    }

    #[test]
    fn legacy_values_and_unreadable_conditions() {
        let rule = json!({"Priority": 3, "Conditions": [
            {"Field": "host-header", "Values": ["a.example.com"]},
            {"Field": "path-pattern", "Values": [{"Ref": "NoDefault"}]},
            {"Field": "unknown-field", "Values": ["x"]}
        ]});
        let read = LISTENER_RULE.read(rule.as_object().unwrap());
        assert_eq!(
            read.conditions,
            [RuleCondition {
                field: ConditionField::HostHeader,
                values: vec!["a.example.com".into()]
            }]
        );
    }

    #[test]
    fn listeners_are_read_from_the_listener_resources() {
        let resources = json!({
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Type": "network"}},
            "L": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"}, "Port": 53, "Protocol": "UDP"}}
        });
        let resources = resources.as_object().unwrap();
        let props = resources["Lb"]["Properties"].as_object().unwrap();
        let Props::Nlb(lb) = load_balancer(props, "Lb", resources) else {
            panic!("an NLB")
        };
        assert_eq!(
            lb.listeners,
            [Listener {
                port: 53,
                protocol: ListenerProtocol::Udp
            }]
        );
    }
}
