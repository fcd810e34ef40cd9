//! What each function's code must do, read from the design: the triggers
//! it answers (incoming edges) and the calls it makes (outgoing edges),
//! each call with the environment variables the template sets for it.

use std::collections::BTreeMap;

use archsim_model::component::{ApiType, LambdaProps, Runtime};
use archsim_model::connection::InvokeMode;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Design, Props};
use serde_json::Value;

use super::{ProjectError, function_folder, functions, stub_runtime};
use crate::export::env_var;
use crate::names::{camel, kebab, logical_ids};

/// What invokes a function, as its event shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerKind {
    RestApi,
    HttpApi,
    /// A client calling a function URL (payload format 2.0).
    FunctionUrl,
    Alb,
    S3,
    Sns,
    /// A rule with an event pattern.
    EventBridge,
    /// A rule with a schedule and no pattern.
    Schedule,
    Sqs,
    Kinesis,
    DynamoDb,
    Cognito,
    Firehose,
    /// Another function or a service calling `Invoke`.
    Invoke,
    /// API Gateway asking the function, an API's Lambda authorizer, about
    /// a caller (the source is the API).
    Authorizer,
    /// Lambda@Edge, Lex and Alexa: no sample event is generated.
    Other,
}

impl TriggerKind {
    /// The slug used in event file names and in the handlers' dispatch.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Self::RestApi => "api",
            Self::HttpApi => "http-api",
            Self::FunctionUrl => "function-url",
            Self::Alb => "alb",
            Self::S3 => "s3",
            Self::Sns => "sns",
            Self::EventBridge => "eventbridge",
            Self::Schedule => "schedule",
            Self::Sqs => "sqs",
            Self::Kinesis => "kinesis",
            Self::DynamoDb => "dynamodb",
            Self::Cognito => "cognito",
            Self::Firehose => "firehose",
            Self::Invoke => "invoke",
            Self::Authorizer => "authorizer",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Trigger<'a> {
    pub kind: TriggerKind,
    pub source: &'a Component,
}

/// A call a handler makes through the AWS SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// Put and/or get an item; `key` is the partition key, `sort` the sort key.
    DynamoDb {
        read: bool,
        write: bool,
        key: String,
        sort: String,
    },
    S3 {
        read: bool,
        write: bool,
    },
    SqsSend {
        fifo: bool,
    },
    SnsPublish,
    KinesisPut,
    FirehosePut,
    /// `PutEvents` on the rule's bus, with the source and detail-type its
    /// pattern matches.
    PutEvents {
        bus: String,
        source: String,
        detail_type: String,
    },
    Invoke {
        asynchronous: bool,
    },
    /// Aurora's Data API.
    RdsData,
    /// A connection the handler cannot call through the SDK, and why.
    NotCalled(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub kind: CallKind,
    pub target: &'a Component,
    /// The environment variables naming the target, as the template sets them.
    pub vars: Vec<String>,
}

/// One function's code plan.
#[derive(Debug, Clone)]
pub(crate) struct FunctionPlan<'a> {
    pub component: &'a Component,
    pub props: &'a LambdaProps,
    pub runtime: Runtime,
    pub logical_id: String,
    pub folder: String,
    /// The handler the template names (for Python, Node.js and Ruby the
    /// design's; Java, .NET and Go follow their stub's convention).
    pub handler: String,
    pub triggers: Vec<Trigger<'a>>,
    pub calls: Vec<Call<'a>>,
    handler_note: Option<String>,
}

impl FunctionPlan<'_> {
    /// What the project cannot do for this function, said once each.
    pub(crate) fn notes(&self) -> Vec<String> {
        let name = &self.component.name;
        let mut notes = Vec::new();
        if let Some(n) = &self.handler_note {
            notes.push(n.clone());
        }
        let sdk_calls = self
            .calls
            .iter()
            .filter(|c| !matches!(c.kind, CallKind::NotCalled(_)))
            .count();
        let minimal = matches!(
            self.runtime,
            Runtime::Java | Runtime::Go | Runtime::Dotnet | Runtime::Ruby
        );
        if minimal && sdk_calls > 0 {
            notes.push(format!(
                "{name}: the {} stub answers its triggers but makes none of its {sdk_calls} call(s) yet; they are listed at the top of src/{}/",
                self.props.runtime_identifier(),
                self.folder
            ));
        }
        for call in &self.calls {
            if let CallKind::NotCalled(why) = &call.kind {
                notes.push(format!(
                    "{name}: the handler does not call {} ({why}); a comment in the handler says so",
                    call.target.name
                ));
            }
        }
        for t in &self.triggers {
            if t.kind == TriggerKind::Authorizer && minimal {
                notes.push(format!(
                    "{name}: the Lambda authorizer of {}; the {} stub does not answer as one: return an IAM policy allowing execute-api:Invoke on the event's methodArn or routeArn (or, for an HTTP API with simple responses, {{\"isAuthorized\": true}}) before deploying, or every request gets a 500",
                    t.source.name,
                    self.props.runtime_identifier()
                ));
            }
            if t.kind == TriggerKind::Other {
                notes.push(format!(
                    "{name}: no sample event for {} ({}); write one in events/",
                    t.source.name,
                    t.source.kind().slug()
                ));
            }
            if t.kind == TriggerKind::Cognito {
                notes.push(format!(
                    "{name}: the template does not attach it to {}'s triggers (LambdaConfig is not exported); the handler and event are for a pre sign-up trigger",
                    t.source.name
                ));
            }
        }
        notes
    }

    /// The file the handler lives in, from `file.function`.
    pub(crate) fn handler_parts(&self) -> (&str, &str) {
        self.handler
            .rsplit_once('.')
            .unwrap_or((self.handler.as_str(), "handler"))
    }
}

/// Plans every zip function of the design; refuses a design whose
/// functions have no stub, no usable folder or an unusable handler.
pub(crate) fn plan_functions<'a>(
    design: &'a Design,
    template: &Value,
) -> Result<Vec<FunctionPlan<'a>>, ProjectError> {
    let ids = logical_ids(design, &Default::default());
    let mut folders: BTreeMap<String, String> = BTreeMap::new();
    let mut plans = Vec::new();
    for (c, p) in functions(design) {
        let runtime = stub_runtime(c, p)?;
        let folder = function_folder(c)?;
        if let Some(first) = folders.insert(folder.clone(), c.name.clone()) {
            return Err(ProjectError::SameFolder {
                first,
                second: c.name.clone(),
                folder,
            });
        }
        let logical_id = function_logical_id(template, c)
            .or_else(|| ids.get(&c.id).cloned())
            .unwrap_or_else(|| camel(&c.name));
        let (handler, handler_note) = handler_for(c, p, runtime)?;
        let env = environment(template, &logical_id);
        plans.push(FunctionPlan {
            component: c,
            props: p,
            runtime,
            logical_id,
            folder,
            handler,
            triggers: triggers(design, c),
            calls: calls(design, c, &env),
            handler_note,
        });
    }
    Ok(plans)
}

/// The function's logical id in the export: the function whose code the
/// export put at `functions/<name>.zip`.
fn function_logical_id(template: &Value, c: &Component) -> Option<String> {
    let key = format!("functions/{}.zip", kebab(&c.name));
    template
        .get("Resources")?
        .as_object()?
        .iter()
        .find(|(_, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Function")
                && r.pointer("/Properties/CodeUri/Key").and_then(Value::as_str)
                    == Some(key.as_str())
        })
        .map(|(id, _)| id.clone())
}

fn environment(template: &Value, logical_id: &str) -> Vec<String> {
    template
        .pointer(&format!(
            "/Resources/{logical_id}/Properties/Environment/Variables"
        ))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn word_chars(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || extra.contains(&ch))
}

/// The handler the template names, and a note when it is not the design's.
fn handler_for(
    c: &Component,
    p: &LambdaProps,
    runtime: Runtime,
) -> Result<(String, Option<String>), ProjectError> {
    let bad = || ProjectError::BadHandler {
        function: c.name.clone(),
        handler: p.handler.clone(),
    };
    let convention = |h: &str| {
        let note = (p.handler != h).then(|| {
            format!(
                "{}: the template's handler is {h} (the {} stub's convention), not the design's {}",
                c.name,
                p.runtime_identifier(),
                p.handler
            )
        });
        Ok((h.to_string(), note))
    };
    match runtime {
        Runtime::Python | Runtime::Nodejs | Runtime::Ruby => {
            let (file, function) = p.handler.rsplit_once('.').ok_or_else(bad)?;
            let file_ok = match runtime {
                Runtime::Python => {
                    word_chars(file, &[]) && !file.starts_with(|c: char| c.is_ascii_digit())
                }
                _ => word_chars(file, &['-']),
            };
            if !file_ok || !word_chars(function, &[]) {
                return Err(bad());
            }
            Ok((p.handler.clone(), None))
        }
        Runtime::Java => convention("archsim.Handler::handleRequest"),
        Runtime::Dotnet => convention("Function::Function.Handler::FunctionHandler"),
        Runtime::Go => convention("bootstrap"),
        Runtime::Rust => Err(bad()),
    }
}

fn triggers<'a>(design: &'a Design, f: &Component) -> Vec<Trigger<'a>> {
    let mut out = Vec::new();
    for (conn, from) in design.incoming(&f.id) {
        let invoke = matches!(conn.kind, ConnectionKind::Invoke { .. });
        let poll = matches!(conn.kind, ConnectionKind::Poll { .. });
        let route = matches!(conn.kind, ConnectionKind::Route { .. });
        let kind = match &from.props {
            Props::ApiGateway(api) if invoke => match api.api_type {
                ApiType::Rest => TriggerKind::RestApi,
                ApiType::Http => TriggerKind::HttpApi,
            },
            Props::Client(_) if invoke => TriggerKind::FunctionUrl,
            Props::Alb(_) if route || invoke => TriggerKind::Alb,
            Props::S3Bucket(_) if invoke => TriggerKind::S3,
            Props::SnsTopic(_) if invoke => TriggerKind::Sns,
            Props::EventBridgeRule(rule) if invoke => {
                if rule.event_pattern.trim().is_empty() {
                    TriggerKind::Schedule
                } else {
                    TriggerKind::EventBridge
                }
            }
            Props::SqsQueue(_) if poll => TriggerKind::Sqs,
            Props::KinesisStream(_) if poll => TriggerKind::Kinesis,
            Props::DynamoDbTable(_) if poll => TriggerKind::DynamoDb,
            Props::Cognito(_) if invoke => TriggerKind::Cognito,
            Props::Firehose(_) if invoke => TriggerKind::Firehose,
            Props::LambdaFunction(_) | Props::EcsService(_) if invoke => TriggerKind::Invoke,
            Props::CloudFront(_) | Props::Lex(_) | Props::Alexa(_) if invoke => TriggerKind::Other,
            _ => continue,
        };
        out.push(Trigger { kind, source: from });
    }
    // The APIs it authorizes ask it about their callers.
    for (conn, api) in design.outgoing(&f.id) {
        if matches!(conn.kind, ConnectionKind::Authorizes) && api.kind() == K::ApiGateway {
            out.push(Trigger {
                kind: TriggerKind::Authorizer,
                source: api,
            });
        }
    }
    out
}

/// The source and detail-type a rule's pattern matches (its first
/// values), or archsim's own when the pattern names none.
pub(crate) fn rule_source_and_detail_type(design: &Design, rule: &Component) -> (String, String) {
    let pattern = match &rule.props {
        Props::EventBridgeRule(p) => {
            serde_json::from_str::<Value>(&p.event_pattern).unwrap_or(Value::Null)
        }
        _ => Value::Null,
    };
    let first = |key: &str| {
        pattern
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (
        first("source").unwrap_or_else(|| format!("archsim.{}", kebab(&design.name))),
        first("detail-type").unwrap_or_else(|| rule.name.clone()),
    )
}

fn calls<'a>(design: &'a Design, f: &Component, env: &[String]) -> Vec<Call<'a>> {
    let mut out = Vec::new();
    for (conn, to) in design.outgoing(&f.id) {
        let access = match conn.kind {
            ConnectionKind::Uses { access } => Some(access),
            _ => None,
        };
        let publishes = matches!(conn.kind, ConnectionKind::Publishes);
        let invoke = match conn.kind {
            ConnectionKind::Invoke { mode } => Some(mode),
            _ => None,
        };
        let (kind, wanted): (CallKind, Vec<&str>) = match (&to.props, access, invoke) {
            (Props::DynamoDbTable(t), Some(a), _) => (
                CallKind::DynamoDb {
                    read: a.reads(),
                    write: a.writes(),
                    key: t.partition_key.clone(),
                    sort: t.sort_key.clone(),
                },
                vec!["TABLE_NAME"],
            ),
            (Props::S3Bucket(_), Some(a), _) => (
                CallKind::S3 {
                    read: a.reads(),
                    write: a.writes(),
                },
                vec!["BUCKET_NAME"],
            ),
            (Props::SqsQueue(q), _, _) if publishes => {
                (CallKind::SqsSend { fifo: q.fifo }, vec!["QUEUE_URL"])
            }
            (Props::SnsTopic(_), _, _) if publishes => (CallKind::SnsPublish, vec!["TOPIC_ARN"]),
            (Props::KinesisStream(_), _, _) if publishes => {
                (CallKind::KinesisPut, vec!["STREAM_NAME"])
            }
            (Props::Firehose(_), _, _) if publishes => (CallKind::FirehosePut, vec!["STREAM_NAME"]),
            (Props::EventBridgeRule(rule), _, _) if publishes => {
                let (source, detail_type) = rule_source_and_detail_type(design, to);
                (
                    CallKind::PutEvents {
                        bus: rule.event_bus.clone(),
                        source,
                        detail_type,
                    },
                    vec![],
                )
            }
            (Props::LambdaFunction(_), _, Some(mode)) => (
                CallKind::Invoke {
                    asynchronous: mode == InvokeMode::Async,
                },
                vec!["FUNCTION_NAME"],
            ),
            (Props::AuroraServerless(_), Some(_), _) => {
                (CallKind::RdsData, vec!["CLUSTER_ARN", "SECRET_ARN"])
            }
            (Props::Rds(_), Some(_), _) => (
                CallKind::NotCalled(
                    "an RDS database is reached with a database driver, not the AWS SDK; its host is in the environment".into(),
                ),
                vec![],
            ),
            (Props::Alb(_) | Props::ApiGateway(_), _, Some(_)) => (
                CallKind::NotCalled(
                    "an HTTP endpoint; the template sets no variable with its URL".into(),
                ),
                vec![],
            ),
            // Dead letters, roles and images: Lambda itself uses them.
            _ => continue,
        };
        let vars: Vec<String> = wanted.iter().map(|w| env_var(to, w)).collect();
        let missing: Vec<&String> = vars.iter().filter(|v| !env.contains(v)).collect();
        let kind = if missing.is_empty() || matches!(kind, CallKind::NotCalled(_)) {
            kind
        } else {
            CallKind::NotCalled(format!(
                "the template sets no {} for it",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        if !matches!(to.kind(), K::IamRole | K::EcrRepository) {
            out.push(Call {
                kind,
                target: to,
                vars,
            });
        }
    }
    out
}
