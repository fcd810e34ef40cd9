//! `archsim export`: a design to a SAM or CloudFormation template, with
//! Kubernetes manifests for EKS workloads written beside it; or, with
//! `--project DIR`, a SAM project (template, handlers, events, README).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use archsim_iac::{
    ExportOptions, Flavour, Network, StackExport, Syntax, export, export_layers, export_stacks,
    stack_files,
};
use archsim_model::validate::has_errors;
use archsim_model::{ExportProfile, load, validate};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// AWS SAM: `Transform: AWS::Serverless-2016-10-31`.
    Sam,
    /// Plain CloudFormation.
    Cloudformation,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Profile {
    /// What a security review accepts, with a reason for every exception.
    Production,
    /// The minimal stack: the design's resources only.
    Sandbox,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The design (`*.archsim.json`).
    design: PathBuf,
    /// Template flavour.
    #[arg(long, value_enum, default_value = "sam")]
    format: Format,
    /// Write YAML (the default).
    #[arg(long, conflicts_with = "json")]
    yaml: bool,
    /// Write JSON; with --project, the report (schema in docs/cli.md).
    #[arg(long)]
    json: bool,
    /// Parameters for an existing VPC and subnets instead of a new VPC.
    #[arg(long)]
    existing_vpc: bool,
    /// Export profile, overriding the design's own: `production` (HTTPS,
    /// access logs, a customer-managed KMS key, point-in-time recovery,
    /// checkov skips with reasons) or `sandbox` (the minimal stack).
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// Where to write the template (default: standard output). Kubernetes
    /// manifests go into the same directory. For a design imported from
    /// several stacks: a directory, where each stack is written to its
    /// own file.
    #[arg(long, short, conflicts_with = "project")]
    out: Option<PathBuf>,
    /// Write a design made in archsim as three stacks (network.yaml,
    /// data.yaml, compute.yaml) into the --out directory, the later ones
    /// importing what they use from the earlier ones.
    #[arg(long, requires = "out", conflicts_with = "project")]
    layers: bool,
    /// Write a SAM project into DIR: template.yaml with local code,
    /// a handler per function, sample events, samconfig.toml, a README and
    /// the design. Re-exporting keeps the handlers you edited.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["format", "yaml"])]
    project: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> Result<u8> {
    let design = load(&args.design)?;
    if has_errors(&validate(&design)) {
        eprintln!(
            "archsim: warning: {} has validation errors (see `archsim validate`); the template may not deploy",
            args.design.display()
        );
    }
    // YAML is the default; `--yaml` exists so scripts can say so.
    let _ = args.yaml;
    let network = if args.existing_vpc {
        Network::Existing
    } else {
        Network::Generated
    };
    if let Some(dir) = &args.project {
        return write_project(&args.design, &design, network, dir, args.json);
    }
    let options = ExportOptions {
        flavour: match args.format {
            Format::Sam => Flavour::Sam,
            Format::Cloudformation => Flavour::CloudFormation,
        },
        syntax: if args.json {
            Syntax::Json
        } else {
            Syntax::Yaml
        },
        network,
        profile: args.profile.map(|p| match p {
            Profile::Production => ExportProfile::Production,
            Profile::Sandbox => ExportProfile::Sandbox,
        }),
    };
    if let Some(files) = stack_files(&design) {
        if args.layers {
            bail!(
                "{}: was imported from {} stacks ({}) and is written back as those; --layers divides a design made in archsim",
                args.design.display(),
                files.len(),
                files.join(", ")
            );
        }
        let stacks = export_stacks(&design, &options)
            .with_context(|| format!("{}: cannot export", args.design.display()))?;
        return write_stacks(&args, &stacks, &files);
    }
    if args.layers {
        let stacks = export_layers(&design, &options)
            .with_context(|| format!("{}: cannot export", args.design.display()))?;
        let files: Vec<String> = stacks.iter().map(|s| s.file.clone()).collect();
        return write_stacks(&args, &stacks, &files);
    }
    let out = export(&design, &options)
        .with_context(|| format!("{}: cannot export", args.design.display()))?;
    for note in &out.notes {
        eprintln!("archsim: note: {note}");
    }
    match &args.out {
        None => {
            crate::output::print(&out.template)?;
            if !out.manifests.is_empty() {
                bail!(
                    "{} Kubernetes manifest(s) were not written: pass --out FILE to write them beside the template",
                    out.manifests.len()
                );
            }
        }
        Some(path) => {
            std::fs::write(path, &out.template)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            crate::output::print(&format!("wrote {}\n", path.display()))?;
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            for m in &out.manifests {
                let file = match dir {
                    Some(d) => d.join(&m.file_name),
                    None => PathBuf::from(&m.file_name),
                };
                std::fs::write(&file, &m.text)
                    .with_context(|| format!("{}: cannot write", file.display()))?;
                crate::output::print(&format!("wrote {}\n", file.display()))?;
            }
        }
    }
    Ok(0)
}

/// Several stacks (a design imported from several, or `--layers`): each
/// to its own file in the `--out` directory.
fn write_stacks(args: &ExportArgs, stacks: &[StackExport], files: &[String]) -> Result<u8> {
    let Some(dir) = &args.out else {
        bail!(
            "{} holds {} stacks ({}); pass --out DIR to write each to its own file",
            args.design.display(),
            files.len(),
            files.join(", ")
        );
    };
    if dir.is_file() {
        bail!(
            "{}: is a file; a design of {} stacks is written to a directory, one file per stack",
            dir.display(),
            files.len()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut text = String::new();
    for s in stacks {
        for note in &s.exported.notes {
            eprintln!("archsim: note: {}: {note}", s.file);
        }
        let path = dir.join(&s.file);
        // A nested stack keeps its place relative to its parent.
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, &s.exported.template)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        text.push_str(&format!("wrote {}\n", path.display()));
        for m in &s.exported.manifests {
            let file = dir.join(&m.file_name);
            std::fs::write(&file, &m.text)
                .with_context(|| format!("{}: cannot write", file.display()))?;
            text.push_str(&format!("wrote {}\n", file.display()));
        }
    }
    crate::output::print(&text)?;
    Ok(0)
}

/// `--project DIR`: the SAM project, then what was written and kept.
fn write_project(
    design_path: &Path,
    design: &archsim_model::Design,
    network: Network,
    dir: &Path,
    json: bool,
) -> Result<u8> {
    let file_name = design_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".archsim.json"))
        .unwrap_or_else(|| "design.archsim.json".into());
    let project = archsim_iac::project::project(design, &file_name, network)
        .with_context(|| format!("{}: cannot export a SAM project", design_path.display()))?;
    let report = archsim_iac::project::write_project(dir, &project)
        .with_context(|| format!("{}: cannot write the SAM project", design_path.display()))?;
    if json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        crate::output::print(&text)?;
        return Ok(0);
    }
    let mut text = format!(
        "{} {}: {} file(s) written, {} kept\n",
        if report.created { "created" } else { "updated" },
        dir.display(),
        report.written.len(),
        report.kept.len()
    );
    for f in &report.kept {
        text.push_str(&format!("kept {f} (yours; not overwritten)\n"));
    }
    for note in &report.notes {
        eprintln!("archsim: note: {note}");
    }
    text.push_str(&format!(
        "next: cd {} && sam build (see README.md for sam local invoke with events/)\n",
        dir.display()
    ));
    crate::output::print(&text)?;
    Ok(0)
}
