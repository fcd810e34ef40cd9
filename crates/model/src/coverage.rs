//! What each layer (simulation, bill, export, import) does with a component
//! kind. Every layer answers with an exhaustive match over
//! [`ComponentKind`](crate::ComponentKind), so a new kind does not compile
//! until each layer has decided; the answer reaches the user (a "not
//! priced" line on the bill, a note in the export report, a "passive in
//! simulation" mark in the inspector) and the conformance test lists it.

use serde::Serialize;

/// A layer's answer for one component kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "coverage", content = "reason", rename_all = "snake_case")]
pub enum Coverage {
    /// The layer models what AWS does with this kind.
    Modelled,
    /// There is nothing to model in this layer, and the reason says why
    /// (an IAM role carries no traffic; IAM is free).
    NotApplicable(&'static str),
    /// A gap: AWS does something with this kind that the layer does not
    /// model. The reason is shown to the user.
    NotModelled(&'static str),
}

impl Coverage {
    pub fn is_modelled(self) -> bool {
        matches!(self, Coverage::Modelled)
    }

    /// The reason, when the layer does not model the kind.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Coverage::Modelled => None,
            Coverage::NotApplicable(r) | Coverage::NotModelled(r) => Some(r),
        }
    }
}
