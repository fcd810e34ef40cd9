//! Templates in the designer: SAM / CloudFormation export of the open
//! design and import of a template as a new unsaved design, over
//! archsim-iac. The views here are what the UI shows: the template text,
//! its manifests and notes, and the import report.

use std::path::{Path, PathBuf};

use archsim_iac::{ExportOptions, Flavour, Network, Syntax};
use archsim_model::ExportProfile;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::view::{CommandError, DocumentView, ErrorCode};

/// The file endings a template file may have.
pub const TEMPLATE_EXTENSIONS: [&str; 4] = [".yaml", ".yml", ".json", ".template"];

/// SAM (with `Transform: AWS::Serverless-2016-10-31`) or plain CloudFormation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum TemplateFlavour {
    #[default]
    Sam,
    #[serde(rename = "cloudformation")]
    CloudFormation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum TemplateSyntax {
    #[default]
    Yaml,
    Json,
}

/// Where the exported network comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum TemplateNetwork {
    /// A new VPC with public and private subnets in two AZs.
    #[default]
    Generated,
    /// Parameters for an existing VPC and its subnets.
    Existing,
}

/// What to export (`{"flavour": "sam", "syntax": "yaml"}`); the same JSON
/// as archsim-iac's `ExportOptions`. `profile` overrides the design's
/// export profile (absent or null: the design's own). `layers`: a design
/// made in archsim as three stacks (network, data, compute), each its own
/// file; a design imported from several stacks is always written back as
/// those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(default)]
pub struct TemplateOptions {
    pub flavour: TemplateFlavour,
    pub syntax: TemplateSyntax,
    pub network: TemplateNetwork,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub profile: Option<ExportProfile>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub layers: Option<bool>,
}

impl From<TemplateOptions> for ExportOptions {
    fn from(o: TemplateOptions) -> Self {
        ExportOptions {
            flavour: match o.flavour {
                TemplateFlavour::Sam => Flavour::Sam,
                TemplateFlavour::CloudFormation => Flavour::CloudFormation,
            },
            syntax: match o.syntax {
                TemplateSyntax::Yaml => Syntax::Yaml,
                TemplateSyntax::Json => Syntax::Json,
            },
            network: match o.network {
                TemplateNetwork::Generated => Network::Generated,
                TemplateNetwork::Existing => Network::Existing,
            },
            profile: o.profile,
        }
    }
}

/// A Kubernetes manifest written beside the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ManifestView {
    pub file_name: String,
    pub text: String,
}

/// An exported template as the Export dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ExportedView {
    /// The template text.
    pub template: String,
    /// A file name for the template (`orders.sam.yaml`).
    pub file_name: String,
    pub manifests: Vec<ManifestView>,
    /// Components not exported, and why.
    pub notes: Vec<String>,
    /// For a design imported from several stacks: every stack's file (the
    /// first is `template` under `file_name`), saved side by side.
    pub stacks: Vec<ManifestView>,
}

/// What an import made of the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ImportReportView {
    /// `LogicalId (Type) -> component kind`.
    pub mapped: Vec<String>,
    /// Connections inferred, `from -> to (meaning, source)`.
    pub inferred: Vec<String>,
    /// Resources and sections kept as written and not drawn.
    pub kept: Vec<String>,
    /// For several stacks: each stack and each import resolved (or not).
    pub stacks: Vec<String>,
}

/// The imported design (now the open, unsaved document) and its report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ImportedView {
    pub document: DocumentView,
    pub report: ImportReportView,
}

impl From<archsim_iac::ImportReport> for ImportReportView {
    fn from(r: archsim_iac::ImportReport) -> Self {
        Self {
            mapped: r.mapped,
            inferred: r.inferred,
            kept: r.kept,
            stacks: r.stacks,
        }
    }
}

pub(crate) fn export_view(
    design: &archsim_model::Design,
    options: TemplateOptions,
) -> Result<ExportedView, CommandError> {
    let failed = |e: archsim_iac::ExportError| CommandError {
        code: ErrorCode::Export,
        message: format!("cannot export the design: {e}"),
        suggestion: Some("fix the component named, or remove it, and export again".into()),
    };
    let layers = options.layers.unwrap_or(false);
    let imported_stacks = archsim_iac::stack_files(design).is_some();
    let imported = archsim_iac::is_imported(design);
    let mut said = Vec::new();
    if layers && imported {
        said.push("the design was imported and is written back as its template(s); layers divide a design made in archsim".to_string());
    }
    if imported_stacks || (layers && !imported) {
        let stacks = if imported_stacks {
            archsim_iac::export_stacks(design, &options.into()).map_err(failed)?
        } else {
            archsim_iac::export_layers(design, &options.into()).map_err(failed)?
        };
        let files: Vec<ManifestView> = stacks
            .iter()
            .map(|s| ManifestView {
                file_name: s.file.clone(),
                text: s.exported.template.clone(),
            })
            .collect();
        let first = files.first().cloned().ok_or_else(|| {
            CommandError::new(ErrorCode::Export, "the design's kept stacks are empty")
        })?;
        return Ok(ExportedView {
            template: first.text,
            file_name: first.file_name,
            manifests: stacks
                .iter()
                .flat_map(|s| &s.exported.manifests)
                .map(|m| ManifestView {
                    file_name: m.file_name.clone(),
                    text: m.text.clone(),
                })
                .collect(),
            notes: said
                .into_iter()
                .chain(
                    stacks
                        .iter()
                        .flat_map(|s| s.exported.notes.iter().map(|n| format!("{}: {n}", s.file))),
                )
                .collect(),
            stacks: files,
        });
    }
    let exported = archsim_iac::export(design, &options.into()).map_err(failed)?;
    let flavour = match options.flavour {
        TemplateFlavour::Sam => "sam",
        TemplateFlavour::CloudFormation => "cfn",
    };
    let ext = match options.syntax {
        TemplateSyntax::Yaml => "yaml",
        TemplateSyntax::Json => "json",
    };
    Ok(ExportedView {
        template: exported.template,
        file_name: format!("{}.{flavour}.{ext}", file_stem(&design.name)),
        manifests: exported
            .manifests
            .into_iter()
            .map(|m| ManifestView {
                file_name: m.file_name,
                text: m.text,
            })
            .collect(),
        notes: said.into_iter().chain(exported.notes).collect(),
        stacks: Vec::new(),
    })
}

/// One file of a SAM project, its path relative to the project folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProjectFileView {
    pub path: String,
    pub text: String,
}

/// A SAM project as the Export dialog shows it (and the browser zips it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProjectView {
    /// A folder name for the project (`orders-api`).
    pub folder_name: String,
    pub files: Vec<ProjectFileView>,
    /// Components not exported, connections a handler does not call, ...
    pub notes: Vec<String>,
}

/// What writing a project into a folder did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ProjectReportView {
    pub dir: String,
    /// A new folder, rather than a re-export into an archsim project.
    pub created: bool,
    pub written: Vec<String>,
    /// Handlers and other files of the user's that existed and were kept.
    pub kept: Vec<String>,
    pub notes: Vec<String>,
}

fn project_error(e: archsim_iac::project::ProjectError) -> CommandError {
    CommandError {
        code: ErrorCode::Export,
        message: format!("cannot export the SAM project: {e}"),
        suggestion: Some("fix what the message names, then export again".into()),
    }
}

/// The design file's name inside the project: the saved file's, or one
/// made from the design's name.
fn design_file_name(design: &archsim_model::Design, path: Option<&Path>) -> String {
    path.and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".archsim.json"))
        .unwrap_or_else(|| format!("{}.archsim.json", file_stem(&design.name)))
}

fn make_project(
    design: &archsim_model::Design,
    path: Option<&Path>,
) -> Result<archsim_iac::project::Project, CommandError> {
    archsim_iac::project::project(
        design,
        &design_file_name(design, path),
        archsim_iac::Network::Generated,
    )
    .map_err(project_error)
}

pub(crate) fn project_view(
    design: &archsim_model::Design,
    path: Option<&Path>,
) -> Result<ProjectView, CommandError> {
    let p = make_project(design, path)?;
    Ok(ProjectView {
        folder_name: file_stem(&design.name),
        files: p
            .files
            .into_iter()
            .map(|f| ProjectFileView {
                path: f.path,
                text: f.text,
            })
            .collect(),
        notes: p.notes,
    })
}

/// Writes the design's SAM project where the user chose: into the chosen
/// folder when it is an archsim project (a re-export, keeping the user's
/// handlers) or empty, else into a new folder named after the design
/// inside it.
pub(crate) fn save_project(
    design: &archsim_model::Design,
    path: Option<&Path>,
    chosen: &Path,
) -> Result<ProjectReportView, CommandError> {
    let p = make_project(design, path)?;
    let empty = std::fs::read_dir(chosen).is_ok_and(|mut d| d.next().is_none());
    let dir = if chosen.join(archsim_iac::project::MARKER).is_file() || empty {
        chosen.to_path_buf()
    } else {
        chosen.join(file_stem(&design.name))
    };
    let r = archsim_iac::project::write_project(&dir, &p).map_err(project_error)?;
    Ok(ProjectReportView {
        dir: r.dir,
        created: r.created,
        written: r.written,
        kept: r.kept,
        notes: r.notes,
    })
}

/// A file-name-safe form of a design name (`Orders API` -> `orders-api`).
fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "template".into()
    } else {
        stem.into()
    }
}

/// A template to import must be an existing file with a template ending.
pub fn template_path(path: &Path) -> Result<PathBuf, CommandError> {
    let text = path.to_string_lossy();
    if !TEMPLATE_EXTENSIONS.iter().any(|e| text.ends_with(e)) {
        return Err(CommandError {
            code: ErrorCode::BadPath,
            message: format!("\"{text}\" is not a template file"),
            suggestion: Some(format!(
                "choose a file ending in {}",
                TEMPLATE_EXTENSIONS.join(", ")
            )),
        });
    }
    if !path.is_file() {
        return Err(CommandError::new(
            ErrorCode::BadPath,
            format!("\"{text}\" does not exist or is not a file"),
        ));
    }
    Ok(path.to_path_buf())
}

/// Imports one template, or several stacks as one design.
pub(crate) fn import(paths: &[PathBuf]) -> Result<archsim_iac::Imported, CommandError> {
    let paths = paths
        .iter()
        .map(|p| template_path(p))
        .collect::<Result<Vec<_>, _>>()?;
    let imported = match paths.as_slice() {
        [] => {
            return Err(CommandError::new(
                ErrorCode::BadPath,
                "no template chosen to import",
            ));
        }
        [one] => archsim_iac::import_file(one),
        several => archsim_iac::import_stack_files(several),
    };
    imported.map_err(|e| CommandError {
        code: ErrorCode::Import,
        message: e.to_string(),
        suggestion: Some("fix the template at the line named, or choose another file".into()),
    })
}

/// Writes an export: the template at `path`, each manifest beside it.
/// Returns the files written.
pub fn write_export(exported: &ExportedView, path: &Path) -> Result<Vec<PathBuf>, CommandError> {
    let write = |p: &Path, text: &str| {
        // A nested stack keeps its place relative to its parent.
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                CommandError::new(
                    ErrorCode::Save,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
        }
        std::fs::write(p, text).map_err(|e| {
            CommandError::new(
                ErrorCode::Save,
                format!("cannot write {}: {e}", p.display()),
            )
        })
    };
    write(path, &exported.template)?;
    let mut written = vec![path.to_path_buf()];
    let dir = path.parent().unwrap_or(Path::new("."));
    for m in exported.stacks.iter().skip(1).chain(&exported.manifests) {
        let p = dir.join(&m.file_name);
        write(&p, &m.text)?;
        written.push(p);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_the_same_json_as_the_iac_crate() {
        let o: TemplateOptions =
            serde_json::from_str(r#"{"flavour":"cloudformation","syntax":"json"}"#).unwrap();
        let iac: ExportOptions = o.into();
        assert_eq!(
            iac,
            serde_json::from_str(r#"{"flavour":"cloudformation","syntax":"json"}"#).unwrap()
        );
    }

    #[test]
    fn the_dialogs_profile_overrides_the_designs_and_absent_keeps_it() {
        for (json, want) in [
            (r#"{"profile":"sandbox"}"#, Some(ExportProfile::Sandbox)),
            (
                r#"{"profile":"production"}"#,
                Some(ExportProfile::Production),
            ),
            (r#"{"profile":null}"#, None),
            ("{}", None),
        ] {
            let o: TemplateOptions = serde_json::from_str(json).unwrap();
            let iac: ExportOptions = o.into();
            assert_eq!(iac.profile, want, "{json}");
            assert_eq!(iac, serde_json::from_str::<ExportOptions>(json).unwrap());
        }
        assert!(serde_json::from_str::<TemplateOptions>(r#"{"profile":"staging"}"#).is_err());
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("Orders API (v2)"), "orders-api-v2");
        assert_eq!(file_stem("***"), "template");
    }

    #[test]
    fn only_existing_template_files_are_imported() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "x").unwrap();
        let err = template_path(&notes).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadPath);
        assert!(err.suggestion.unwrap().contains(".yaml"));
        let missing = dir.path().join("missing.yaml");
        assert!(
            template_path(&missing)
                .unwrap_err()
                .message
                .contains("does not exist")
        );
    }

    #[test]
    fn several_stacks_export_side_by_side_and_save_file_by_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/iac/templates/stacks");
        let paths: Vec<PathBuf> = ["network.yaml", "web.yaml", "worker.yaml"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        let imported = import(&paths).expect("imports");
        assert_eq!(
            imported.report.stacks.len(),
            9,
            "{:?}",
            imported.report.stacks
        );
        let view = export_view(&imported.design, TemplateOptions::default()).expect("exports");
        let files: Vec<&str> = view.stacks.iter().map(|s| s.file_name.as_str()).collect();
        assert_eq!(files, ["network.yaml", "web.yaml", "worker.yaml"]);
        assert_eq!(view.file_name, "network.yaml");
        assert_eq!(view.template, view.stacks[0].text);
        let dir = tempfile::tempdir().unwrap();
        let written = write_export(&view, &dir.path().join("chosen.yaml")).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["chosen.yaml", "web.yaml", "worker.yaml"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("web.yaml")).unwrap(),
            view.stacks[1].text
        );
        assert_eq!(import(&[]).unwrap_err().code, ErrorCode::BadPath);
    }
}
