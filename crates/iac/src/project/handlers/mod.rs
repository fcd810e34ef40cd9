//! A handler stub per function, in its runtime. Python and Node.js stubs
//! are complete: they decode every trigger the design gives the function
//! (unwrapping SNS envelopes, S3 notifications and EventBridge events
//! carried inside messages), call what the function's connections name
//! through the AWS SDK with the names the template's environment variables
//! give, and answer what the trigger expects (API Gateway v1/v2 and ALB
//! responses, `batchItemFailures` for SQS, Kinesis and DynamoDB streams).
//! Java, Go, .NET and Ruby stubs build and answer with the right shape;
//! their calls are listed for the user to write.

use archsim_model::Design;
use archsim_model::component::Runtime;
use serde_json::{Value, json};

use super::plan::{Call, CallKind, FunctionPlan, TriggerKind};

mod node;
mod others;
mod python;

/// The files of a function's folder: `(path under src/<folder>/, text)`.
pub(crate) fn stub_files(design: &Design, plan: &FunctionPlan) -> Vec<(String, String)> {
    match plan.runtime {
        Runtime::Python => python::files(design, plan),
        Runtime::Nodejs => node::files(design, plan),
        Runtime::Java => others::java(design, plan),
        Runtime::Go => others::go(design, plan),
        Runtime::Dotnet => others::dotnet(design, plan),
        Runtime::Ruby => others::ruby(design, plan),
        // Refused earlier with NoStub.
        Runtime::Rust => Vec::new(),
    }
}

/// The resource `Metadata` `sam build` needs for the runtime, if any.
pub(crate) fn build_metadata(plan: &FunctionPlan) -> Option<Value> {
    match plan.runtime {
        Runtime::Go => Some(json!({"BuildMethod": "go1.x"})),
        Runtime::Python
        | Runtime::Nodejs
        | Runtime::Java
        | Runtime::Dotnet
        | Runtime::Ruby
        | Runtime::Rust => None,
    }
}

/// For a function that authorizes APIs: whether one of them is an HTTP
/// API with simple responses (its handler answers those with a boolean).
pub(crate) fn simple_responses(plan: &FunctionPlan) -> Option<bool> {
    let apis: Vec<_> = plan
        .triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::Authorizer)
        .collect();
    (!apis.is_empty()).then(|| {
        apis.iter().any(|t| {
            matches!(&t.source.props, archsim_model::Props::ApiGateway(p)
                if p.api_type == archsim_model::component::ApiType::Http
                    && p.lambda_authorizer.simple_responses)
        })
    })
}

/// The distinct trigger kinds, in a fixed order.
pub(crate) fn trigger_kinds(plan: &FunctionPlan) -> Vec<TriggerKind> {
    let mut kinds: Vec<TriggerKind> = plan.triggers.iter().map(|t| t.kind).collect();
    kinds.sort_by_key(|k| k.slug());
    kinds.dedup();
    kinds
}

/// One line per trigger and call, for the stubs' header comments.
pub(crate) fn summary(plan: &FunctionPlan) -> Vec<String> {
    let mut lines = Vec::new();
    for t in &plan.triggers {
        lines.push(format!(
            "Triggered by {} ({})",
            t.source.name,
            t.kind.slug()
        ));
    }
    if plan.triggers.is_empty() {
        lines.push("Nothing in the design invokes it: invoked directly".into());
    }
    for c in &plan.calls {
        lines.push(call_line(c));
    }
    lines
}

pub(crate) fn call_line(c: &Call) -> String {
    let name = &c.target.name;
    let vars = c.vars.join(", ");
    match &c.kind {
        CallKind::DynamoDb { read, write, .. } => format!(
            "{name}: DynamoDB {} ({vars})",
            match (read, write) {
                (true, true) => "PutItem and GetItem",
                (true, false) => "GetItem",
                _ => "PutItem",
            }
        ),
        CallKind::S3 { read, write } => format!(
            "{name}: S3 {} ({vars})",
            match (read, write) {
                (true, true) => "GetObject and PutObject",
                (true, false) => "GetObject",
                _ => "PutObject",
            }
        ),
        CallKind::SqsSend { .. } => format!("{name}: SQS SendMessage ({vars})"),
        CallKind::SnsPublish => format!("{name}: SNS Publish ({vars})"),
        CallKind::KinesisPut => format!("{name}: Kinesis PutRecord ({vars})"),
        CallKind::FirehosePut => format!("{name}: Firehose PutRecord ({vars})"),
        CallKind::PutEvents {
            bus,
            source,
            detail_type,
        } => format!(
            "{name}: EventBridge PutEvents on bus {bus} (source {source}, detail-type {detail_type})"
        ),
        CallKind::Invoke { asynchronous } => format!(
            "{name}: Lambda Invoke, {} ({vars})",
            if *asynchronous {
                "asynchronous (Event)"
            } else {
                "synchronous (RequestResponse)"
            }
        ),
        CallKind::RdsData => format!("{name}: RDS Data API ExecuteStatement ({vars})"),
        CallKind::NotCalled(why) => format!("{name}: not called: {why}"),
    }
}

/// A string literal for Python and JavaScript source (JSON's escaping is
/// valid in both).
pub(crate) fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A comment line safe in any of the stubs' languages (no newlines, no
/// block-comment terminators).
pub(crate) fn comment_text(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace("*/", "* /")
}

/// Whether a call has a part in the reads pass (`reads`) or in the
/// writes-and-sends pass; a call the handler cannot make is listed in the
/// second, as a comment.
pub(crate) fn has_part(c: &Call, reads: bool) -> bool {
    match &c.kind {
        CallKind::DynamoDb { read, write, .. } | CallKind::S3 { read, write } => {
            if reads {
                *read
            } else {
                *write
            }
        }
        _ => !reads,
    }
}
