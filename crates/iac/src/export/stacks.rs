//! Writing back a design imported from several stacks: each stack to its
//! own file, with the components drawn from it.

use archsim_model::edit::apply_op;
use archsim_model::{Design, GroupKind, Op};
use serde::Serialize;
use serde_json::{Value, json};

use super::{ExportOptions, Exported, Syntax, export, export_kept};
use crate::template::{to_json, to_yaml};
use crate::{EXTENSION_KEY, ExportError};

/// One file of a several-stack export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackExport {
    /// The file the stack was imported from (`network.yml`), or
    /// `template.yaml` for a design of one stack.
    pub file: String,
    pub exported: Exported,
}

/// The files of the stacks a design was imported from; `None` for a
/// design of one stack.
pub fn stack_files(design: &Design) -> Option<Vec<String>> {
    let stacks = design
        .extensions
        .get(EXTENSION_KEY)?
        .get("stacks")?
        .as_array()?;
    Some(
        stacks
            .iter()
            .filter_map(|s| Some(s.get("file")?.as_str()?.to_string()))
            .collect(),
    )
}

/// Exports each stack of a design imported from several to its own file.
/// A component added since the import goes with the stack whose frame
/// holds it, else with the first stack; a connection it has to another
/// stack's component is not written (said in the notes). A design of one
/// stack gives one file.
pub fn export_stacks(
    design: &Design,
    options: &ExportOptions,
) -> Result<Vec<StackExport>, ExportError> {
    let Some(stacks) = design
        .extensions
        .get(EXTENSION_KEY)
        .and_then(|k| k.get("stacks"))
        .and_then(Value::as_array)
    else {
        let file = match options.syntax {
            Syntax::Yaml => crate::project::TEMPLATE_FILE.to_string(),
            Syntax::Json => crate::project::TEMPLATE_FILE.replace(".yaml", ".json"),
        };
        return Ok(vec![StackExport {
            file,
            exported: export(design, options)?,
        }]);
    };
    let mapped = |s: &Value, id: &str| {
        s.get("components")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(id))
    };
    // The stack each component goes with.
    let owner = |id: &str| -> usize {
        if let Some(i) = stacks.iter().position(|s| mapped(s, id)) {
            return i;
        }
        design
            .groups_of(id)
            .filter(|g| g.kind == GroupKind::Frame)
            .find_map(|g| {
                stacks
                    .iter()
                    .position(|s| g.members.iter().any(|m| mapped(s, m)))
            })
            .unwrap_or(0)
    };
    let mut out = Vec::new();
    for (i, stack) in stacks.iter().enumerate() {
        let mut sub = design.clone();
        let mut notes = Vec::new();
        let others: Vec<String> = design
            .components()
            .filter(|c| owner(&c.id) != i)
            .map(|c| c.id.clone())
            .collect();
        for c in design.components().filter(|c| owner(&c.id) == i) {
            if mapped(stack, &c.id) {
                continue;
            }
            for (_, other) in design
                .outgoing(&c.id)
                .into_iter()
                .chain(design.incoming(&c.id))
            {
                if others.contains(&other.id) {
                    notes.push(format!(
                        "{} -> {}: not written; it joins a component added to this stack with another stack's",
                        c.id, other.id
                    ));
                }
            }
        }
        for id in others {
            let _ = apply_op(&mut sub, Op::RemoveComponent { id });
        }
        let kept = json!({
            "template": stack.get("template").cloned().unwrap_or(Value::Null),
            "components": stack.get("components").cloned().unwrap_or(json!({})),
            "props": stack.get("props").cloned().unwrap_or(json!({})),
        });
        let (value, manifests, more) = export_kept(&sub, &kept, options)?;
        notes.extend(more);
        let template = match options.syntax {
            Syntax::Yaml => to_yaml(&value),
            Syntax::Json => to_json(&value),
        };
        let file = stack
            .get("file")
            .and_then(Value::as_str)
            .unwrap_or("stack.yaml")
            .to_string();
        out.push(StackExport {
            file,
            exported: Exported {
                template,
                value,
                manifests,
                notes,
            },
        });
    }
    Ok(out)
}
