//! Step Functions state machines: the field maps of SAM's
//! `AWS::Serverless::StateMachine` and CloudFormation's
//! `AWS::StepFunctions::StateMachine`. The definition is read from
//! `Definition` (an object), `DefinitionString` (JSON text, or the text of
//! an `Fn::Sub`) or, by import, from the file `DefinitionUri` names; its
//! `${Variable}`s are mapped to components by import, which knows them.

use archsim_model::component::{StepFunctionsProps, WorkflowLogLevel, WorkflowType};
use serde_json::{Value, json};

use super::{Field, FieldMap, bool_of, parse, spelling};

const TYPES: &[(WorkflowType, &str)] = &[
    (WorkflowType::Standard, "STANDARD"),
    (WorkflowType::Express, "EXPRESS"),
];

const LEVELS: &[(WorkflowLogLevel, &str)] = &[
    (WorkflowLogLevel::Off, "OFF"),
    (WorkflowLogLevel::All, "ALL"),
    (WorkflowLogLevel::Error, "ERROR"),
    (WorkflowLogLevel::Fatal, "FATAL"),
];

fn read_type(p: &mut StepFunctionsProps, v: &Value) {
    if let Some(t) = parse(TYPES, v) {
        p.workflow_type = t;
    }
}

/// SAM's workflow type.
pub(crate) const SAM_TYPE: Field<StepFunctionsProps> = Field {
    path: "Type",
    write: |p| json!(spelling(TYPES, p.workflow_type)),
    read: Some(read_type),
    write_back: true,
    sam_global: false,
};

/// CloudFormation's workflow type.
pub(crate) const STATE_MACHINE_TYPE: Field<StepFunctionsProps> = Field {
    path: "StateMachineType",
    write: |p| json!(spelling(TYPES, p.workflow_type)),
    read: Some(read_type),
    write_back: true,
    sam_global: false,
};

/// The definition as an object (both resource types take it).
pub(crate) const DEFINITION: Field<StepFunctionsProps> = Field {
    path: "Definition",
    write: |p| p.definition.clone(),
    read: Some(|p, v| {
        if v.is_object() {
            p.definition = v.clone();
        }
    }),
    write_back: false,
    sam_global: false,
};

/// The definition as JSON text, or as the text of an `Fn::Sub`.
pub(crate) const DEFINITION_STRING: Field<StepFunctionsProps> = Field {
    path: "DefinitionString",
    write: |p| json!(p.definition.to_string()),
    read: Some(|p, v| {
        let text = match v {
            Value::String(s) => Some(s.as_str()),
            Value::Object(m) => match m.get("Fn::Sub") {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str),
                _ => None,
            },
            _ => None,
        };
        if let Some(d) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) {
            p.definition = d;
        }
    }),
    write_back: false,
    sam_global: false,
};

/// SAM: a file beside the template (import reads it) or an S3 location.
pub(crate) const DEFINITION_URI: Field<StepFunctionsProps> = Field {
    path: "DefinitionUri",
    write: |_| Value::Null,
    read: None,
    write_back: false,
    sam_global: false,
};

/// `${Variable}` -> value; export writes the connected components'
/// references, import maps the references back to component ids.
pub(crate) const DEFINITION_SUBSTITUTIONS: Field<StepFunctionsProps> = Field {
    path: "DefinitionSubstitutions",
    write: |_| Value::Null,
    read: None,
    write_back: false,
    sam_global: false,
};

fn write_log_level(p: &StepFunctionsProps) -> Value {
    json!(spelling(LEVELS, p.logging))
}

fn read_log_level(p: &mut StepFunctionsProps, v: &Value) {
    if let Some(l) = parse(LEVELS, v) {
        p.logging = l;
    }
}

/// The log level, where SAM writes it.
pub(crate) const LOG_LEVEL: Field<StepFunctionsProps> = Field {
    path: "Logging/Level",
    write: write_log_level,
    read: Some(read_log_level),
    write_back: true,
    sam_global: false,
};

/// The log level, where CloudFormation writes it.
pub(crate) const CFN_LOG_LEVEL: Field<StepFunctionsProps> = Field {
    path: "LoggingConfiguration/Level",
    write: write_log_level,
    read: Some(read_log_level),
    write_back: true,
    sam_global: false,
};

pub(crate) const SAM_TRACING: Field<StepFunctionsProps> = Field {
    path: "Tracing/Enabled",
    write: |p| json!(p.tracing),
    read: Some(|p, v| p.tracing = bool_of(v)),
    write_back: true,
    sam_global: false,
};

pub(crate) const TRACING_CONFIGURATION: Field<StepFunctionsProps> = Field {
    path: "TracingConfiguration/Enabled",
    write: |p| json!(p.tracing),
    read: Some(|p, v| p.tracing = bool_of(v)),
    write_back: true,
    sam_global: false,
};

/// A state machine whose template sets nothing: Standard, no definition
/// read yet.
fn unset() -> StepFunctionsProps {
    StepFunctionsProps {
        definition: Value::Null,
        ..StepFunctionsProps::default()
    }
}

pub(crate) const SAM_STATE_MACHINE: FieldMap<StepFunctionsProps> = FieldMap {
    unset,
    fields: &[
        &SAM_TYPE,
        &DEFINITION,
        &DEFINITION_URI,
        &DEFINITION_SUBSTITUTIONS,
        &LOG_LEVEL,
        &SAM_TRACING,
    ],
};

pub(crate) const STATE_MACHINE: FieldMap<StepFunctionsProps> = FieldMap {
    unset,
    fields: &[
        &STATE_MACHINE_TYPE,
        &DEFINITION,
        &DEFINITION_STRING,
        &DEFINITION_SUBSTITUTIONS,
        &CFN_LOG_LEVEL,
        &TRACING_CONFIGURATION,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips_of;

    #[test]
    fn state_machines_round_trip() {
        let sample = StepFunctionsProps {
            workflow_type: WorkflowType::Express,
            logging: WorkflowLogLevel::Error,
            tracing: true,
            ..StepFunctionsProps::default()
        };
        round_trips_of(
            &SAM_STATE_MACHINE,
            &sample,
            &[&SAM_TYPE, &DEFINITION, &LOG_LEVEL, &SAM_TRACING],
        );
        round_trips_of(
            &STATE_MACHINE,
            &sample,
            &[
                &STATE_MACHINE_TYPE,
                &DEFINITION_STRING,
                &CFN_LOG_LEVEL,
                &TRACING_CONFIGURATION,
            ],
        );
    }
}
