//! `archsim import`: a SAM or CloudFormation template to a design, with a
//! report of what was mapped, inferred and kept as written. Several
//! templates (stacks that import each other's exports) make one design
//! with a frame per stack.

use std::path::PathBuf;

use anyhow::{Result, bail};
use archsim_iac::{import_file, import_stack_files};
use archsim_model::save;
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The template (YAML or JSON, SAM or CloudFormation); several for
    /// stacks that import each other's exports (`Fn::ImportValue`).
    #[arg(required = true, num_args = 1..)]
    templates: Vec<PathBuf>,
    /// Where to write the design (`*.archsim.json`).
    #[arg(long, short)]
    out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ImportArgs) -> Result<u8> {
    if args.out.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            args.out.display()
        );
    }
    let imported = match args.templates.as_slice() {
        [one] => import_file(one)?,
        several => import_stack_files(several)?,
    };
    save(&imported.design, &args.out)?;
    crate::output::print(&format!(
        "{}wrote {} ({} components, {} connections)\n",
        imported.report,
        args.out.display(),
        imported.design.component_count(),
        imported.design.connection_count()
    ))?;
    Ok(0)
}
