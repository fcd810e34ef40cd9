//! A SAM project from a design: `template.yaml` with a local `CodeUri`
//! per function, a handler per function in its runtime, sample events per
//! trigger edge (chained through the design), `samconfig.toml`, a README
//! and the design file, so `sam build` and `sam local invoke` work on the
//! first try.
//!
//! [`project`] computes every file (no I/O); [`write_project`] puts them in
//! a folder. The template is the SAM export of the design with each
//! function's code pointed at `src/<function>/` (and what the stubs need:
//! Go's build method, partial batch responses on the event sources), so
//! the export stays the one writer of resources.
//!
//! Files are of two sorts: generated ones (template, events, README, the
//! design) are rewritten on every export; the user's ones (handlers,
//! package files, Dockerfiles, `samconfig.toml`) are written only when
//! missing, so re-exporting after editing a handler keeps the edit.

use std::collections::BTreeMap;

use archsim_model::component::{LambdaProps, Packaging, Runtime};
use archsim_model::{Component, ComponentKind as K, Design, Props};
use serde::Serialize;
use serde_json::{Value, json};

use crate::export::{ExportOptions, Flavour, Network, Syntax, export};
use crate::names::kebab;
use crate::template::to_yaml;
use crate::{ExportError, is_imported};

mod containers;
mod events;
mod handlers;
mod plan;
mod readme;
mod write;

/// The template's file name in a SAM project (what `sam build` reads),
/// and of a one-stack export written to a directory.
pub const TEMPLATE_FILE: &str = "template.yaml";

pub use write::{ProjectReport, write_project};

use plan::{FunctionPlan, plan_functions};

/// The marker file that says a folder is an archsim project (re-export
/// writes into such a folder and nowhere else that is not empty).
pub const MARKER: &str = ".archsim-project";

/// Whether a file belongs to the generator or to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// Rewritten on every export (template, events, README, design).
    Generated,
    /// Written once; an existing file is kept (handlers, build files).
    User,
}

/// One file of the project, its path relative to the project folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectFile {
    pub path: String,
    pub text: String,
    pub ownership: Ownership,
}

/// Every file of a project and what the export could not do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub files: Vec<ProjectFile>,
    /// Components not exported, connections a handler cannot call, events
    /// not generated: each with the reason.
    pub notes: Vec<String>,
}

impl Project {
    pub fn file(&self, path: &str) -> Option<&ProjectFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Why a project could not be made or written. Nothing is written when
/// any of these happens.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(
        "function \"{function}\": its name gives no usable folder name (\"{folder}\"); rename it with letters or digits"
    )]
    BadFolderName { function: String, folder: String },
    #[error(
        "functions \"{first}\" and \"{second}\" would share the folder src/{folder}/; rename one of them"
    )]
    SameFolder {
        first: String,
        second: String,
        folder: String,
    },
    #[error(
        "function \"{function}\": no handler stub for the {runtime} runtime (stubs exist for Python, Node.js, Java, Go, .NET and Ruby zip functions)"
    )]
    NoStub { function: String, runtime: String },
    #[error(
        "function \"{function}\": handler \"{handler}\" is not FILE.FUNCTION with a file and a function name of letters, digits and underscores"
    )]
    BadHandler { function: String, handler: String },
    #[error(
        "function \"{function}\": its resource {logical_id} is not in the exported template; export the template on its own to see why"
    )]
    MissingResource {
        function: String,
        logical_id: String,
    },
    #[error(
        "function \"{function}\": its resource {logical_id} is an {resource_type} (the design was imported from a CloudFormation template); a SAM project builds AWS::Serverless::Function code only: change it to one in the template and import it again"
    )]
    NotServerless {
        function: String,
        logical_id: String,
        resource_type: String,
    },
    #[error(
        "{dir}: the folder exists and is not an archsim project (no {MARKER}); choose an empty or new folder"
    )]
    NotAProject { dir: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Makes a design's SAM project. `design_file` is the name the design is
/// saved under inside the project (`orders.archsim.json`).
pub fn project(
    design: &Design,
    design_file: &str,
    network: Network,
) -> Result<Project, ProjectError> {
    // The project's template follows the design's export profile.
    let options = ExportOptions {
        flavour: Flavour::Sam,
        syntax: Syntax::Yaml,
        network,
        profile: None,
    };
    let exported = export(design, &options)?;
    let mut template = exported.value;
    let plans = plan_functions(design, &template)?;
    let mut notes = exported.notes;
    for plan in &plans {
        point_at_local_code(&mut template, plan)?;
        notes.extend(plan.notes());
    }
    drop_unused_artifact_bucket(&mut template);

    let mut files = vec![ProjectFile {
        path: TEMPLATE_FILE.into(),
        text: to_yaml(&template),
        ownership: Ownership::Generated,
    }];
    for m in &exported.manifests {
        files.push(ProjectFile {
            path: format!("k8s/{}", m.file_name),
            text: m.text.clone(),
            ownership: Ownership::Generated,
        });
    }
    let mut event_files = BTreeMap::new();
    for plan in &plans {
        for stub in handlers::stub_files(design, plan) {
            files.push(ProjectFile {
                path: format!("src/{}/{}", plan.folder, stub.0),
                text: stub.1,
                ownership: Ownership::User,
            });
        }
        let evs = events::for_function(design, plan, &mut notes);
        event_files.insert(plan.component.id.clone(), evs.clone());
        for (name, value) in evs {
            files.push(ProjectFile {
                path: format!("events/{name}"),
                text: pretty(&value),
                ownership: Ownership::Generated,
            });
        }
    }
    let (container_files, container_notes) = containers::files(design);
    notes.extend(container_notes);
    files.extend(container_files);
    files.push(ProjectFile {
        path: "samconfig.toml".into(),
        text: readme::samconfig(design),
        ownership: Ownership::User,
    });
    files.push(ProjectFile {
        path: "README.md".into(),
        text: readme::readme(design, design_file, &plans, &event_files, &notes),
        ownership: Ownership::Generated,
    });
    files.push(ProjectFile {
        path: design_file.into(),
        text: archsim_model::file::to_string(design),
        ownership: Ownership::Generated,
    });
    files.push(ProjectFile {
        path: MARKER.into(),
        text: format!(
            "This folder is a SAM project exported by archsim from {design_file}.\n\
             Re-exporting rewrites the template, events and README and keeps src/ and samconfig.toml.\n"
        ),
        ownership: Ownership::Generated,
    });
    if is_imported(design) {
        notes.push(
            "the design was imported from a template: functions keep their logical ids, and their code now comes from src/".into(),
        );
    }
    Ok(Project { files, notes })
}

/// The folder a function's code lives in: `Orders handler` ->
/// `orders-handler`.
pub fn function_folder(c: &Component) -> Result<String, ProjectError> {
    let folder = kebab(&c.name);
    let usable = c.name.chars().any(|ch| ch.is_ascii_alphanumeric());
    if !usable || folder.is_empty() || folder.len() > 100 {
        return Err(ProjectError::BadFolderName {
            function: c.name.clone(),
            folder,
        });
    }
    Ok(folder)
}

/// The runtime's stub family, or why there is none.
fn stub_runtime(c: &Component, p: &LambdaProps) -> Result<Runtime, ProjectError> {
    if p.packaging == Packaging::Image {
        return Err(ProjectError::NoStub {
            function: c.name.clone(),
            runtime: "container image".into(),
        });
    }
    match p.runtime {
        Runtime::Python
        | Runtime::Nodejs
        | Runtime::Java
        | Runtime::Go
        | Runtime::Dotnet
        | Runtime::Ruby => Ok(p.runtime),
        Runtime::Rust => Err(ProjectError::NoStub {
            function: c.name.clone(),
            runtime: format!("Rust ({})", p.runtime_identifier()),
        }),
    }
}

/// Points a function at `src/<folder>/`, with the handler its stub
/// defines, Go's build method, and partial batch responses on the event
/// sources whose handler reports `batchItemFailures`.
fn point_at_local_code(template: &mut Value, plan: &FunctionPlan) -> Result<(), ProjectError> {
    let missing = || ProjectError::MissingResource {
        function: plan.component.name.clone(),
        logical_id: plan.logical_id.clone(),
    };
    let resource = template
        .get_mut("Resources")
        .and_then(|r| r.get_mut(&plan.logical_id))
        .ok_or_else(missing)?;
    let resource_type = resource.get("Type").and_then(Value::as_str).unwrap_or("");
    if resource_type != "AWS::Serverless::Function" {
        return Err(ProjectError::NotServerless {
            function: plan.component.name.clone(),
            logical_id: plan.logical_id.clone(),
            resource_type: resource_type.into(),
        });
    }
    if let Some(metadata) = handlers::build_metadata(plan) {
        resource["Metadata"] = metadata;
    }
    let props = resource
        .get_mut("Properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(missing)?;
    props.insert("CodeUri".into(), json!(format!("src/{}/", plan.folder)));
    crate::properties::lambda::HANDLER.put_value(props, json!(plan.handler));
    if let Some(Value::Object(events)) = props.get_mut("Events") {
        for event in events.values_mut() {
            let batch = matches!(
                event.get("Type").and_then(Value::as_str),
                Some("SQS" | "Kinesis" | "DynamoDB")
            );
            if batch && let Some(p) = event.get_mut("Properties").and_then(Value::as_object_mut) {
                p.insert(
                    "FunctionResponseTypes".into(),
                    json!(["ReportBatchItemFailures"]),
                );
            }
        }
    }
    Ok(())
}

/// Removes the `ArtifactBucket` parameter once no function's code is read
/// from it (cfn-lint warns about unused parameters).
fn drop_unused_artifact_bucket(template: &mut Value) {
    let resources = template.get("Resources").cloned().unwrap_or(Value::Null);
    if names(&resources, "ArtifactBucket") {
        return;
    }
    if let Some(params) = template
        .get_mut("Parameters")
        .and_then(Value::as_object_mut)
    {
        params.remove("ArtifactBucket");
        if params.is_empty()
            && let Some(t) = template.as_object_mut()
        {
            t.remove("Parameters");
        }
    }
}

fn names(v: &Value, id: &str) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| (k == "Ref" && v == id) || names(v, id)),
        Value::Array(a) => a.iter().any(|v| names(v, id)),
        Value::String(s) => s.contains(&format!("${{{id}}}")),
        _ => false,
    }
}

fn pretty(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

/// The functions of a design, in id order.
fn functions(design: &Design) -> impl Iterator<Item = (&Component, &LambdaProps)> {
    design.components().filter_map(|c| match &c.props {
        Props::LambdaFunction(p) if c.kind() == K::LambdaFunction => Some((c, p)),
        _ => None,
    })
}

#[cfg(test)]
mod tests;
