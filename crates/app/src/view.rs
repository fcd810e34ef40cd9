//! The values commands return: a design as the canvas draws it, the answer
//! to "may I connect these?", and errors with a stable code.

use archsim_model::component::Category;
use archsim_model::connection::Refusal;
use archsim_model::{
    ComponentKind, Design, EditError, GroupKind, LoadError, Meaning, Position, Problem, SaveError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "ts")]
use ts_rs::TS;

/// A component as the canvas draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ComponentView {
    pub id: String,
    pub name: String,
    pub kind: ComponentKind,
    /// The kind's label (`Lambda function`).
    pub label: String,
    pub category: Category,
    pub position: Position,
    /// The typed properties, as the file holds them.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub props: Value,
    /// What the simulator, the bill or the export do not model about this
    /// component (empty when every layer does), for the inspector.
    #[serde(default)]
    pub limits: Vec<LayerLimit>,
    /// Whether a scenario can send traffic into it (not a role, a cluster,
    /// capacity, a registry or a task definition): the scenario editor
    /// offers only these.
    #[serde(default)]
    pub takes_traffic: bool,
    /// For an imported component: the template parameters whose defaults
    /// its values were read from (`Memory = 512`), for the inspector.
    pub parameters: Vec<String>,
}

/// A layer that does not model what AWS does with a component, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct LayerLimit {
    /// `simulation`, `cost` or `export`.
    pub layer: String,
    /// What the user reads: "passive in simulation", "not priced", "not exported".
    pub label: String,
    pub reason: String,
}

/// Each layer's gap for one component, from the layers' own coverage tables.
pub(crate) fn limits(c: &archsim_model::Component) -> Vec<LayerLimit> {
    use archsim_model::Coverage;
    let answers = [
        (
            "simulation",
            "passive in simulation",
            archsim_sim::coverage(c.kind()),
        ),
        (
            "cost",
            "not priced",
            archsim_cost::coverage::component_coverage(c),
        ),
        (
            "export",
            "not exported",
            archsim_iac::export_coverage(c.kind()),
        ),
    ];
    answers
        .into_iter()
        .filter_map(|(layer, label, coverage)| match coverage {
            Coverage::NotModelled(reason) => Some(LayerLimit {
                layer: layer.into(),
                label: label.into(),
                reason: reason.into(),
            }),
            Coverage::Modelled | Coverage::NotApplicable(_) => None,
        })
        .collect()
}

/// A connection as the canvas draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ConnectionView {
    pub id: String,
    pub from: String,
    pub to: String,
    pub meaning: Meaning,
    /// What the meaning says (`invokes asynchronously`).
    pub label: String,
    /// The connection's parameters (batch size, weight, ...), without the meaning tag.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub params: Value,
    /// What this connection does in AWS, from the connection table.
    pub note: String,
    /// For a connection import inferred: what in the template says so.
    pub evidence: Option<String>,
    /// Whether that evidence only suggests it: the inspector asks the
    /// user to confirm or delete it, and the canvas draws it dotted.
    pub weak: bool,
    /// Whether this is an SNS subscription, which may have a filter
    /// policy (`SetProperty` `filter_policy`).
    pub filterable: bool,
    /// The subscription's filter policy, if it has one.
    pub filter_policy: Option<archsim_model::filter_policy::SubscriptionFilter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub kind: GroupKind,
    /// The cluster component that owns the group.
    pub owner: Option<String>,
    pub members: Vec<String>,
}

/// The whole open document, with its validation results and history state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DocumentView {
    pub name: String,
    /// Where the design is saved; `None` until the first Save As.
    pub path: Option<String>,
    pub dirty: bool,
    pub can_undo: bool,
    pub can_redo: bool,
    pub components: Vec<ComponentView>,
    pub connections: Vec<ConnectionView>,
    pub groups: Vec<GroupView>,
    pub problems: Vec<Problem>,
    /// The design's traffic scenarios, as saved.
    pub scenarios: Vec<archsim_model::Scenario>,
    /// The design's AWS region: it chooses the price book.
    pub region: String,
    /// The regions the designer offers (those with a price book).
    pub regions: Vec<String>,
    /// What a template export adds around the design (the Export dialog
    /// starts from it; `SetDesignProperty` `export_profile` changes it).
    pub export_profile: archsim_model::ExportProfile,
    /// AWS's hidden assumptions the design may change ("what if"): the
    /// inspector edits them with `SetAccount`.
    pub account: AccountView,
}

/// The account settings a user may ask "what if" of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct AccountView {
    /// Seconds after its last invocation that Lambda reclaims an idle
    /// environment (AWS does not publish it; 600 s is observed).
    pub lambda_idle_expiry_s: u32,
    /// The concurrency scaling rule: `per_function` (since Nov 2023) or
    /// `legacy_burst`.
    pub lambda_scaling: String,
    /// Concurrent executions across the region's functions.
    pub lambda_concurrency_limit: u32,
}

impl From<&archsim_model::design::AccountSettings> for AccountView {
    fn from(a: &archsim_model::design::AccountSettings) -> Self {
        Self {
            lambda_idle_expiry_s: a.lambda_idle_expiry_s,
            lambda_scaling: serde_json::to_value(a.lambda_scaling)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            lambda_concurrency_limit: a.lambda_concurrency_limit,
        }
    }
}

/// A meaning a connection may have, with its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct MeaningInfo {
    pub meaning: Meaning,
    pub label: String,
}

/// The model's answer to "may these two be connected?".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ConnectCheck {
    /// The first meaning is the default.
    Allowed {
        meanings: Vec<MeaningInfo>,
        note: String,
    },
    Refused {
        reason: String,
        suggestion: Option<String>,
    },
}

/// What kind of failure a command met; stable for the UI and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ConnectionRefused,
    NotFound,
    InvalidEdit,
    InvalidProperty,
    UnknownStarter,
    Load,
    Save,
    /// Save needs a path: use Save As.
    NoPath,
    /// The user closed the file dialog.
    Cancelled,
    NothingToRecover,
    BadPath,
    /// A template could not be imported.
    Import,
    /// A simulation could not start or take a control.
    Simulation,
    /// The design could not be exported as a template.
    Export,
    /// The design could not be priced (no scenario, no price book, ...).
    Cost,
    /// The run report could not be made (the scenario cannot be simulated).
    Report,
}

/// A command that failed, with what to do about it. The document is unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(TS))]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    pub suggestion: Option<String>,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            suggestion: None,
        }
    }
}

impl From<EditError> for CommandError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::ConnectionRefused { refusal, .. } => refusal.into(),
            EditError::NotFound(_) => Self::new(ErrorCode::NotFound, e.to_string()),
            EditError::InvalidProperty { .. } => {
                Self::new(ErrorCode::InvalidProperty, e.to_string())
            }
            _ => Self::new(ErrorCode::InvalidEdit, e.to_string()),
        }
    }
}

impl From<Refusal> for CommandError {
    fn from(r: Refusal) -> Self {
        Self {
            code: ErrorCode::ConnectionRefused,
            message: r.reason,
            suggestion: r.suggestion,
        }
    }
}

impl From<LoadError> for CommandError {
    fn from(e: LoadError) -> Self {
        Self::new(ErrorCode::Load, e.to_string())
    }
}

impl From<SaveError> for CommandError {
    fn from(e: SaveError) -> Self {
        Self::new(ErrorCode::Save, e.to_string())
    }
}

pub(crate) fn document_view(
    design: &Design,
) -> (Vec<ComponentView>, Vec<ConnectionView>, Vec<GroupView>) {
    let components = design
        .components()
        .map(|c| ComponentView {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: c.kind(),
            label: c.kind().label().to_string(),
            category: c.kind().category(),
            position: c.position,
            props: serde_json::to_value(&c.props).unwrap_or(Value::Null),
            limits: limits(c),
            takes_traffic: archsim_sim::takes_traffic(c.kind()),
            parameters: design
                .extensions
                .get(archsim_iac::EXTENSION_KEY)
                .and_then(|x| x.get("parameters"))
                .and_then(|p| p.get(&c.id))
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default(),
        })
        .collect();
    let connections = design
        .connections()
        .map(|conn| {
            let meaning = conn.kind.meaning();
            let mut params = serde_json::to_value(&conn.kind).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut params {
                map.remove("meaning");
            }
            let note = match (design.component(&conn.from), design.component(&conn.to)) {
                (Some(a), Some(b)) => {
                    archsim_model::connection::connection_rule(a.kind(), b.kind())
                        .map(|r| r.note.to_string())
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            ConnectionView {
                id: conn.id.clone(),
                from: conn.from.clone(),
                to: conn.to.clone(),
                meaning,
                label: meaning.describe().to_string(),
                params,
                note,
                evidence: conn.inferred.as_ref().map(|i| i.evidence.clone()),
                weak: conn.inferred.as_ref().is_some_and(|i| i.weak),
                filterable: design
                    .component(&conn.from)
                    .is_some_and(|from| conn.is_subscription(from.kind())),
                filter_policy: conn.filter_policy.clone(),
            }
        })
        .collect();
    let groups = design
        .groups()
        .map(|g| GroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            kind: g.kind,
            owner: g.owner.clone(),
            members: g.members.iter().cloned().collect(),
        })
        .collect();
    (components, connections, groups)
}
