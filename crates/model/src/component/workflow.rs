//! AWS Step Functions state machines: their properties and a typed view of
//! the Amazon States Language (ASL) definition they hold.
//!
//! The definition is kept as the JSON the user (or a template) wrote, so
//! nothing of it is lost; [`Workflow::parse`] reads the part archsim
//! simulates and validates: Task (and what it calls), Pass, Wait, Choice,
//! Parallel, Map, Succeed and Fail, with Retry and Catch. A Task names what
//! it calls through a `${Variable}` of the definition's substitutions (the
//! template's `DefinitionSubstitutions`), whose value here is the id of the
//! connected component, or by the function's name in a literal ARN.
//!
//! ```
//! use archsim_model::component::{Workflow, StateKind};
//! let asl = serde_json::json!({"StartAt": "Wait", "States": {
//!     "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
//!     "Done": {"Type": "Succeed"}}});
//! let w = Workflow::parse(&asl).unwrap();
//! assert!(matches!(w.states["Wait"].kind, StateKind::Wait { seconds } if seconds == 5.0));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Component, ComponentKind};
use crate::connection::Connection;
use crate::design::Design;

/// Standard workflows run up to a year and are billed per state
/// transition; Express workflows run up to 5 minutes and are billed per
/// request and duration (AWS Step Functions Developer Guide, "Choosing
/// workflow type").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowType {
    #[default]
    Standard,
    Express,
}

/// Execution history logged to CloudWatch Logs (`Logging.Level`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowLogLevel {
    #[default]
    Off,
    All,
    Error,
    Fatal,
}

/// The longest an Express execution may run: 5 minutes.
pub const EXPRESS_MAX_DURATION_S: f64 = 300.0;

/// A Step Functions state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StepFunctionsProps {
    pub workflow_type: WorkflowType,
    /// The definition in Amazon States Language, as written.
    pub definition: Value,
    /// The definition's `${Variable}`s and what each stands for: the id of
    /// the connected component its Task calls (export writes the
    /// component's ARN, URL or name, as the Task's parameter needs).
    pub substitutions: BTreeMap<String, String>,
    /// Branch probabilities of each Choice state, by state name: one
    /// weight per rule of `Choices` in order, then the `Default` branch.
    /// A Choice state not listed takes each branch with equal probability
    /// (archsim does not evaluate the rules against data).
    pub choice_weights: BTreeMap<String, Vec<f64>>,
    /// Items each Map state iterates over per execution, by state name;
    /// a Map state not listed takes `default_map_items`.
    pub map_items: BTreeMap<String, u32>,
    pub default_map_items: u32,
    /// Latency of a Task whose target archsim does not simulate (an ECS
    /// task, an HTTP endpoint, another AWS API), in ms.
    pub other_task_ms: f64,
    pub logging: WorkflowLogLevel,
    /// X-Ray tracing (`TracingConfiguration.Enabled`).
    pub tracing: bool,
}

impl Default for StepFunctionsProps {
    fn default() -> Self {
        Self {
            workflow_type: WorkflowType::Standard,
            definition: json!({
                "Comment": "A workflow of one state",
                "StartAt": "Done",
                "States": {"Done": {"Type": "Pass", "End": true}}
            }),
            substitutions: BTreeMap::new(),
            choice_weights: BTreeMap::new(),
            map_items: BTreeMap::new(),
            default_map_items: 10,
            other_task_ms: 100.0,
            logging: WorkflowLogLevel::Off,
            tracing: false,
        }
    }
}

impl StepFunctionsProps {
    /// What a template of `profile` deploys: the production export profile
    /// turns on execution logging (all events, when off) and X-Ray tracing,
    /// so the export and the bill read this one answer.
    pub fn deployed(&self, profile: crate::design::ExportProfile) -> StepFunctionsProps {
        let mut p = self.clone();
        if profile == crate::design::ExportProfile::Production {
            if p.logging == WorkflowLogLevel::Off {
                p.logging = WorkflowLogLevel::All;
            }
            p.tracing = true;
        }
        p
    }

    /// The typed definition, or why it cannot be read.
    pub fn workflow(&self) -> Result<Workflow, DefinitionError> {
        Workflow::parse(&self.definition)
    }
}

/// Why a definition cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct DefinitionError {
    /// The state (`States.Lookup`), or `definition`.
    pub at: String,
    pub message: String,
}

/// A definition (or a Parallel branch, or a Map iterator).
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub start_at: String,
    pub states: BTreeMap<String, State>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub kind: StateKind,
    /// `None` with `End: true` (or a terminal state).
    pub next: Option<String>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Task(Task),
    Pass,
    /// `Seconds`; a wait given by a path or a timestamp counts as 0.
    Wait {
        seconds: f64,
    },
    /// The next state of each rule of `Choices`, then `Default`'s.
    Choice {
        branches: Vec<String>,
        default: Option<String>,
    },
    Parallel {
        branches: Vec<Workflow>,
    },
    Map {
        iterator: Box<Workflow>,
        /// 0: no limit.
        max_concurrency: u32,
    },
    Succeed,
    Fail,
}

/// One `Retry` entry: after a matching error, wait `interval_s`, then
/// `interval_s * backoff_rate`, ... for at most `max_attempts` retries.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub errors: Vec<String>,
    pub interval_s: f64,
    pub backoff_rate: f64,
    pub max_attempts: u32,
}

impl Retrier {
    /// The wait before retry `n` (0-based).
    pub fn delay_s(&self, n: u32) -> f64 {
        self.interval_s * self.backoff_rate.powi(n as i32)
    }
}

/// One `Catch` entry: after a matching error (retries spent), go to `next`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub errors: Vec<String>,
    pub next: String,
}

/// Whether an error list (`States.ALL`, `States.TaskFailed`, a name)
/// matches an error a Task raised.
pub fn error_matches(errors: &[String], error: &str) -> bool {
    errors.iter().any(|e| {
        e == "States.ALL" || e == error || (e == "States.TaskFailed" && error != "States.Timeout")
    })
}

/// How a Task waits for its call (the `Resource` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    RequestResponse,
    /// `.sync`: until the job finishes. Standard workflows only.
    Sync,
    /// `.waitForTaskToken`: until a callback. Standard workflows only.
    WaitForTaskToken,
}

/// The AWS service a Task calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskService {
    Lambda,
    DynamoDb {
        action: String,
    },
    Sqs,
    Sns,
    EventBridge,
    Ecs,
    StepFunctions,
    /// Another service or an activity, with its `Resource`.
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub resource: String,
    pub service: TaskService,
    pub pattern: IntegrationPattern,
    /// What it calls: a `${Variable}` (without `${}`), or the function's
    /// name from a literal Lambda ARN; `None`: not named in the definition.
    pub target: Option<TaskTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskTarget {
    Variable(String),
    Name(String),
}

impl Workflow {
    /// Reads an ASL definition.
    pub fn parse(definition: &Value) -> Result<Workflow, DefinitionError> {
        parse_workflow(definition, "definition")
    }

    /// Every Task of the workflow, its branches and iterators, with its
    /// state name.
    pub fn tasks(&self) -> Vec<(&str, &Task)> {
        let mut out = Vec::new();
        self.visit(&mut |name, s| {
            if let StateKind::Task(t) = &s.kind {
                out.push((name, t));
            }
        });
        out
    }

    /// Calls `f` on every state, nested ones included.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a State)) {
        for (name, s) in &self.states {
            f(name, s);
            match &s.kind {
                StateKind::Parallel { branches } => branches.iter().for_each(|b| b.visit(f)),
                StateKind::Map { iterator, .. } => iterator.visit(f),
                _ => {}
            }
        }
    }

    /// The longest time the workflow waits in Wait states on any path, in
    /// seconds (retries and Task latency not counted); loops count once.
    pub fn longest_wait_s(&self) -> f64 {
        self.wait_from(&self.start_at, &mut Vec::new())
    }

    fn wait_from(&self, name: &str, path: &mut Vec<String>) -> f64 {
        if path.iter().any(|p| p == name) {
            return 0.0;
        }
        let Some(s) = self.states.get(name) else {
            return 0.0;
        };
        path.push(name.to_string());
        let own = match &s.kind {
            StateKind::Wait { seconds } => *seconds,
            StateKind::Parallel { branches } => branches
                .iter()
                .map(Workflow::longest_wait_s)
                .fold(0.0, f64::max),
            StateKind::Map { iterator, .. } => iterator.longest_wait_s(),
            _ => 0.0,
        };
        let mut nexts: Vec<&String> = s.next.iter().collect();
        if let StateKind::Choice { branches, default } = &s.kind {
            nexts.extend(branches.iter());
            nexts.extend(default.iter());
        }
        nexts.extend(s.catch.iter().map(|c| &c.next));
        let after = nexts
            .into_iter()
            .map(|n| self.wait_from(n, path))
            .fold(0.0, f64::max);
        path.pop();
        own + after
    }
}

fn err(at: &str, message: impl Into<String>) -> DefinitionError {
    DefinitionError {
        at: at.to_string(),
        message: message.into(),
    }
}

fn parse_workflow(v: &Value, at: &str) -> Result<Workflow, DefinitionError> {
    let Some(m) = v.as_object() else {
        return Err(err(at, "expected an object with StartAt and States"));
    };
    let start_at = m
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or_else(|| err(at, "StartAt is missing"))?
        .to_string();
    let states_v = m
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(|| err(at, "States is missing"))?;
    let mut states = BTreeMap::new();
    for (name, s) in states_v {
        states.insert(name.clone(), parse_state(name, s)?);
    }
    if !states.contains_key(&start_at) {
        return Err(err(
            at,
            format!("StartAt names {start_at}, which is not a state"),
        ));
    }
    for (name, s) in &states {
        let mut targets: Vec<&String> = s.next.iter().collect();
        targets.extend(s.catch.iter().map(|c| &c.next));
        if let StateKind::Choice { branches, default } = &s.kind {
            targets.extend(branches.iter().chain(default.iter()));
        }
        if let Some(t) = targets.into_iter().find(|t| !states.contains_key(*t)) {
            return Err(err(name, format!("goes to {t}, which is not a state")));
        }
    }
    Ok(Workflow { start_at, states })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_state(name: &str, v: &Value) -> Result<State, DefinitionError> {
    let ty = v
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| err(name, "Type is missing"))?;
    let next = v.get("Next").and_then(Value::as_str).map(String::from);
    let end = v.get("End").and_then(Value::as_bool) == Some(true);
    let kind = match ty {
        "Task" => StateKind::Task(parse_task(name, v)?),
        "Pass" => StateKind::Pass,
        "Wait" => StateKind::Wait {
            seconds: v.get("Seconds").and_then(Value::as_f64).unwrap_or(0.0),
        },
        "Choice" => StateKind::Choice {
            branches: v
                .get("Choices")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.get("Next").and_then(Value::as_str))
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            default: v.get("Default").and_then(Value::as_str).map(String::from),
        },
        "Parallel" => StateKind::Parallel {
            branches: v
                .get("Branches")
                .and_then(Value::as_array)
                .ok_or_else(|| err(name, "a Parallel state needs Branches"))?
                .iter()
                .map(|b| parse_workflow(b, name))
                .collect::<Result<_, _>>()?,
        },
        "Map" => {
            let iterator = v
                .get("ItemProcessor")
                .or_else(|| v.get("Iterator"))
                .ok_or_else(|| err(name, "a Map state needs an ItemProcessor"))?;
            StateKind::Map {
                iterator: Box::new(parse_workflow(iterator, name)?),
                max_concurrency: v
                    .get("MaxConcurrency")
                    .and_then(Value::as_u64)
                    .map_or(0, |n| n.min(u32::MAX as u64) as u32),
            }
        }
        "Succeed" => StateKind::Succeed,
        "Fail" => StateKind::Fail,
        other => return Err(err(name, format!("unknown state type {other}"))),
    };
    let terminal = matches!(
        kind,
        StateKind::Choice { .. } | StateKind::Succeed | StateKind::Fail
    );
    if !terminal && next.is_none() && !end {
        return Err(err(name, "needs Next or End: true"));
    }
    let retry = v
        .get("Retry")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|r| Retrier {
                    errors: strings(r.get("ErrorEquals")),
                    interval_s: r
                        .get("IntervalSeconds")
                        .and_then(Value::as_f64)
                        .unwrap_or(1.0),
                    backoff_rate: r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
                    max_attempts: r
                        .get("MaxAttempts")
                        .and_then(Value::as_u64)
                        .map_or(3, |n| n.min(99_999_999) as u32),
                })
                .collect()
        })
        .unwrap_or_default();
    let catch = v
        .get("Catch")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some(Catcher {
                        errors: strings(c.get("ErrorEquals")),
                        next: c.get("Next")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(State {
        kind,
        next,
        retry,
        catch,
    })
}

/// The `${Variable}` a text is, if it is exactly one.
fn variable(text: &str) -> Option<String> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.is_empty() && !inner.contains(['$', '{', '}'])).then(|| inner.to_string())
}

/// The first `${Variable}` inside a text (`arn:...:${Fn}:$LATEST`).
fn first_variable(text: &str) -> Option<String> {
    let start = text.find("${")?;
    let end = text[start..].find('}')? + start;
    variable(&text[start..=end])
}

fn target_of(text: &str) -> Option<TaskTarget> {
    // arn:aws:lambda:${Region}:${Account}:function:Name[:qualifier]: the
    // function's part names it, whatever the region's is.
    if let Some(rest) = text.split(":function:").nth(1) {
        let name = rest.split(':').next().unwrap_or_default();
        return match variable(name) {
            Some(v) => Some(TaskTarget::Variable(v)),
            None => (!name.is_empty()).then(|| TaskTarget::Name(name.to_string())),
        };
    }
    first_variable(text).map(TaskTarget::Variable)
}

impl TaskService {
    /// The kind of component a Task of this service calls, when archsim
    /// models it.
    pub fn target_kind(&self) -> Option<ComponentKind> {
        Some(match self {
            Self::Lambda => ComponentKind::LambdaFunction,
            Self::DynamoDb { .. } => ComponentKind::DynamoDbTable,
            Self::Sqs => ComponentKind::SqsQueue,
            Self::Sns => ComponentKind::SnsTopic,
            Self::EventBridge => ComponentKind::EventBridgeRule,
            Self::Ecs => ComponentKind::TaskDefinition,
            Self::StepFunctions => ComponentKind::StepFunctions,
            Self::Other(_) => return None,
        })
    }
}

/// What a Task calls in a design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TaskCall<'d> {
    /// The connected component, through this connection.
    Component(&'d Component, &'d Connection),
    /// A service archsim does not model (`TaskService::Other`), or a
    /// target outside the design (a variable substituted with no component,
    /// a function ARN naming none of the design's).
    Unmodelled,
    /// The definition names no target and the state machine has no single
    /// connection to a component of the kind the Task calls.
    Unnamed,
    /// The definition names a target the design does not connect.
    NotConnected,
}

impl StepFunctionsProps {
    /// What `task` of the state machine `machine` calls: the component its
    /// `${Variable}` stands for, the connected one of its function's name,
    /// or the only connected component of its kind when it names none.
    pub fn task_call<'d>(&self, design: &'d Design, machine: &str, task: &Task) -> TaskCall<'d> {
        let Some(kind) = task.service.target_kind() else {
            return TaskCall::Unmodelled;
        };
        let out: Vec<_> = design
            .outgoing(machine)
            .into_iter()
            .filter(|(_, c)| c.kind() == kind)
            .collect();
        let found = match &task.target {
            // A variable substituted with something that is not a
            // component (a parameter, a literal ARN): outside the design.
            Some(TaskTarget::Variable(v)) => match self.substitutions.get(v) {
                Some(id) => out.iter().find(|(_, c)| &c.id == id),
                None => return TaskCall::Unmodelled,
            },
            // A function named in a literal ARN: one of the design's, or
            // one outside it.
            Some(TaskTarget::Name(n)) => match out.iter().find(|(_, c)| &c.name == n) {
                None if !design.components().any(|c| &c.name == n) => {
                    return TaskCall::Unmodelled;
                }
                found => found,
            },
            None if out.len() == 1 => out.first(),
            None => return TaskCall::Unnamed,
        };
        match found {
            Some((conn, c)) => TaskCall::Component(c, conn),
            None => TaskCall::NotConnected,
        }
    }
}

fn parse_task(name: &str, v: &Value) -> Result<Task, DefinitionError> {
    let resource = v
        .get("Resource")
        .and_then(Value::as_str)
        .ok_or_else(|| err(name, "a Task state needs a Resource"))?
        .to_string();
    let (base, pattern) = if let Some(b) = resource.strip_suffix(".sync:2") {
        (b, IntegrationPattern::Sync)
    } else if let Some(b) = resource.strip_suffix(".sync") {
        (b, IntegrationPattern::Sync)
    } else if let Some(b) = resource.strip_suffix(".waitForTaskToken") {
        (b, IntegrationPattern::WaitForTaskToken)
    } else {
        (resource.as_str(), IntegrationPattern::RequestResponse)
    };
    let params = v.get("Parameters").or_else(|| v.get("Arguments"));
    let param = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            params
                .and_then(|p| p.get(*k).or_else(|| p.get(format!("{k}.$"))))
                .and_then(Value::as_str)
        })
    };
    let integration = base.strip_prefix("arn:aws:states:::");
    let (service, named) = match integration {
        Some("lambda:invoke") => (TaskService::Lambda, param(&["FunctionName"])),
        Some(a) if a.starts_with("dynamodb:") => (
            TaskService::DynamoDb {
                action: a["dynamodb:".len()..].to_string(),
            },
            param(&["TableName"]),
        ),
        Some("sqs:sendMessage") => (TaskService::Sqs, param(&["QueueUrl"])),
        Some("sns:publish") => (TaskService::Sns, param(&["TopicArn"])),
        Some("events:putEvents") => (
            TaskService::EventBridge,
            params
                .and_then(|p| p.get("Entries"))
                .and_then(|e| e.get(0))
                .and_then(|e| e.get("EventBusName"))
                .and_then(Value::as_str),
        ),
        Some("ecs:runTask") => (TaskService::Ecs, param(&["TaskDefinition"])),
        Some("states:startExecution") => (TaskService::StepFunctions, param(&["StateMachineArn"])),
        Some(other) => (TaskService::Other(other.to_string()), None),
        // A function's ARN (or a variable standing for one) as the Resource.
        None if base.contains(":lambda:") || variable(base).is_some() => {
            (TaskService::Lambda, Some(base))
        }
        None => (TaskService::Other(base.to_string()), None),
    };
    Ok(Task {
        target: named.and_then(target_of),
        resource,
        service,
        pattern,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_name_their_targets_and_patterns() {
        let asl = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${FnArn}", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                  "Parameters": {"TableName": "${Table}"}, "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                  "Parameters": {"TaskDefinition": "${Td}"}, "Next": "D"},
            "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Hello:$LATEST",
                  "End": true}}});
        let w = Workflow::parse(&asl).unwrap();
        let t = |n: &str| match &w.states[n].kind {
            StateKind::Task(t) => t.clone(),
            _ => unreachable!(),
        };
        assert_eq!(t("A").target, Some(TaskTarget::Variable("FnArn".into())));
        assert_eq!(
            t("B").service,
            TaskService::DynamoDb {
                action: "putItem".into()
            }
        );
        assert_eq!(t("C").pattern, IntegrationPattern::Sync);
        assert_eq!(t("D").target, Some(TaskTarget::Name("Hello".into())));
    }

    #[test]
    fn bad_definitions_say_where() {
        let e = Workflow::parse(&json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Nowhere"}}}))
        .unwrap_err();
        assert_eq!(e.at, "A");
        assert!(Workflow::parse(&json!({"States": {}})).is_err());
    }

    #[test]
    fn longest_wait_follows_the_longest_path() {
        let w = Workflow::parse(&json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Next": "W1"}], "Default": "W2"},
            "W1": {"Type": "Wait", "Seconds": 100, "Next": "W2"},
            "W2": {"Type": "Wait", "Seconds": 250, "End": true}}}))
        .unwrap();
        assert_eq!(w.longest_wait_s(), 350.0);
        let r = Retrier {
            errors: vec![],
            interval_s: 2.0,
            backoff_rate: 1.5,
            max_attempts: 3,
        };
        assert_eq!(r.delay_s(2), 4.5);
    }
}
