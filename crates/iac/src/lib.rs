//! # archsim-iac
//!
//! Turns an archsim [`Design`] into a deployable AWS SAM or plain
//! CloudFormation template (YAML or JSON, plus Kubernetes manifests for EKS
//! workloads), and reads existing SAM / CloudFormation templates back into a
//! design.
//!
//! Export derives everything a deployment needs from the typed graph:
//! event sources from `Invoke`/`Poll` connections, least-privilege IAM
//! statements from `Uses`/`Publishes` connections (exact actions on exactly
//! that resource), load balancer rules from `Route` connections, capacity
//! provider strategies from `RunsOn`. Logical ids come from component names,
//! and the same design always gives the same bytes.
//!
//! Import maps known resource types to components, infers connections, and
//! keeps the whole source template in [`Design::extensions`] under
//! [`EXTENSION_KEY`], so that exporting an imported design writes back every
//! resource, property, parameter, condition and output it did not change.
//!
//! Both directions name CloudFormation properties through one field map
//! per resource family (`properties`), so they cannot disagree on a name.
//! [`export_coverage`] and [`import_coverage`] say what each does with
//! every component kind; export notes each component it does not write.
//!
//! Architecture invariant: this crate depends only on `archsim-model`. It
//! knows nothing of simulation, cost or user interfaces.
//!
//! ```
//! use archsim_iac::{export, import, ExportOptions, Flavour};
//! use archsim_model::starters::starter;
//!
//! let design = starter("s3-image-pipeline").unwrap().build().unwrap();
//! let out = export(&design, &ExportOptions { flavour: Flavour::Sam, ..Default::default() }).unwrap();
//! assert!(out.template.contains("Transform: AWS::Serverless-2016-10-31"));
//! assert!(out.template.contains("Type: AWS::Serverless::Function"));
//!
//! let back = import(&out.template, "pipeline.yaml").unwrap();
//! let again = export(&back.design, &ExportOptions { flavour: Flavour::Sam, ..Default::default() }).unwrap();
//! assert_eq!(again.template, out.template);
//! ```

mod coverage;
pub mod export;
pub mod import;
pub mod names;
pub mod project;
pub mod properties;
pub mod template;

use archsim_model::Design;

pub use coverage::{export_coverage, import_coverage};
pub use export::{
    ExportOptions, Exported, Flavour, Layer, Manifest, Network, StackExport, Syntax, export,
    export_layers, export_stacks, stack_files,
};
pub use import::{ImportReport, Imported, import, import_file, import_stack_files, import_stacks};

/// The key under which an imported template is kept in
/// [`Design::extensions`].
pub const EXTENSION_KEY: &str = "cloudformation";

/// Why a template could not be imported. Every message names the file and
/// the line, and says what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error(
        "{file}: the file is {bytes} bytes; templates are at most {limit} bytes (CloudFormation itself accepts 1 MB)"
    )]
    TooLarge {
        file: String,
        bytes: usize,
        limit: usize,
    },
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: not a template: {message}")]
    NotATemplate {
        file: String,
        line: usize,
        message: String,
    },
    /// Several stacks that do not fit together (an import two of them
    /// export, the same file name twice).
    #[error("{file}:{line}: {message}")]
    Stacks {
        file: String,
        line: usize,
        message: String,
    },
    #[error(
        "{file}:{line}: {how} refers to \"{name}\", which is not a parameter, a resource or a pseudo parameter"
    )]
    DanglingReference {
        file: String,
        line: usize,
        name: String,
        how: String,
    },
}

/// Why a design could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("component \"{component}\": {message}")]
    Component { component: String, message: String },
    #[error("the design's kept template is not an object; re-import the template")]
    BadExtension,
    #[error(
        "the design was imported from {} stacks ({}); each is written to its own file (archsim export --out DIR)",
        files.len(),
        files.join(", ")
    )]
    SeveralStacks { files: Vec<String> },
}

/// Whether a design carries a kept template from an import.
pub fn is_imported(design: &Design) -> bool {
    design.extensions.contains_key(EXTENSION_KEY)
}
