//! EventBridge custom event buses and Pipes: their properties, with AWS's
//! defaults.
//!
//! A bus's producers connect to it (`Publishes`, PutEvents) and it
//! connects to its rules (`Publishes`: the rule matches the bus's events);
//! a rule no bus connects to is on the account's default bus, where AWS
//! services' events (an S3 bucket's EventBridge notifications) arrive: S3
//! sends to the default bus only. A pipe's
//! source connects to it (`Poll`, whose batch size, window and starting
//! position are the pipe's source parameters, as for a Lambda event source
//! mapping); the pipe connects to its target (`Invoke`, `Publishes`, or
//! `References` for a kind archsim does not model) and to its optional
//! enrichment (`Uses`: called synchronously, its answer sent on).

use serde::{Deserialize, Serialize};

/// A custom event bus (`AWS::Events::EventBus`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventBusProps {
    /// The bus's name; empty: the export names it after the component.
    pub name: String,
    /// An archive of every event put on the bus (`AWS::Events::Archive`);
    /// `None`: no archive, nothing to replay.
    pub archive: Option<EventArchive>,
    /// The bus's resource policy (who else may put events on it), JSON
    /// text kept as written; empty: only this account.
    pub policy: String,
}

/// An archive of a bus's events.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventArchive {
    /// Days an event is kept; 0: indefinitely (AWS's default).
    pub retention_days: u32,
}

/// An EventBridge Pipe (`AWS::Pipes::Pipe`): polls one source, filters,
/// optionally enriches, and delivers to one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PipeProps {
    /// The source's filter patterns (`FilterCriteria`), each JSON text kept
    /// as written; none: every event goes on.
    pub filter_patterns: Vec<String>,
    /// Share of the source's events the filters let through (0 to 1): what
    /// the simulation and the bill assume; filtered events are deleted from
    /// the source and not billed.
    pub matching_share: f64,
    /// Streams only: retries of a failed batch (`MaximumRetryAttempts`,
    /// 0-185); `None`: until the record expires (AWS's default, -1).
    pub max_retry_attempts: Option<u32>,
    /// The target's input transformer (`InputTemplate`), kept as written;
    /// empty: the events as they are.
    pub input_template: String,
}

impl Default for PipeProps {
    fn default() -> Self {
        Self {
            filter_patterns: Vec::new(),
            matching_share: 1.0,
            max_retry_attempts: None,
            input_template: String::new(),
        }
    }
}
