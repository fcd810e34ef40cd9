//! `archsim import`: a SAM or CloudFormation template to a design, with a
//! report of what was mapped, inferred and kept as written.

use std::path::PathBuf;

use anyhow::{Result, bail};
use archsim_iac::import_file;
use archsim_model::save;
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The template (YAML or JSON, SAM or CloudFormation).
    template: PathBuf,
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
    let imported = import_file(&args.template)?;
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
