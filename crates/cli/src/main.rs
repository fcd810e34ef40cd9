//! `archsim`: the command-line face of archsim. Each subcommand is a thin
//! adapter over the crates; exit codes are part of the interface
//! (docs/cli.md).

// Reports go through `output::print`, which ends quietly on a closed pipe.
#![deny(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use archsim_model::starters::{STARTERS, starter};
use archsim_model::validate::has_errors;
use archsim_model::{Design, Severity, load, save, validate};
use clap::{Parser, Subcommand};

mod cost;
mod describe;
mod dot;
mod export;
mod import;
mod output;
mod serve;
mod simulate;

/// Design, validate and explain AWS serverless and container architectures.
#[derive(Parser)]
#[command(name = "archsim", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new design: blank, or one of the starter templates.
    New {
        /// Where to write the design (`*.archsim.json`).
        #[arg(required_unless_present = "list")]
        out: Option<PathBuf>,
        /// Starter template (see --list).
        #[arg(long, short, default_value = "blank")]
        template: String,
        /// Name of the design (defaults to the template's).
        #[arg(long)]
        name: Option<String>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// List the templates and exit.
        #[arg(long)]
        list: bool,
    },
    /// Check a design against AWS rules. Exit 0: no errors; 1: errors; 2: unreadable.
    Validate {
        design: PathBuf,
        /// Machine-readable output (schema in docs/cli.md).
        #[arg(long)]
        json: bool,
    },
    /// Summarise a design's components, connections, groups and scenarios.
    Describe { design: PathBuf },
    /// Monthly cost of a design: line items, assumptions and total.
    Cost(cost::CostArgs),
    /// Draw a cost chart (cost curve, break-even or memory) to SVG or PNG.
    Chart(cost::ChartArgs),
    /// Print the design as a graph.
    Graph {
        design: PathBuf,
        /// Graphviz DOT: the default, and for now the only format.
        #[arg(long = "dot")]
        _dot: bool,
    },
    /// Write a SAM or CloudFormation template for a design.
    Export(export::ExportArgs),
    /// Read a SAM or CloudFormation template into a design.
    Import(import::ImportArgs),
    /// Serve the designer UI on loopback, against this design.
    Serve(serve::ServeArgs),
    /// Simulate a scenario of the design: throttles, cold starts, scaling, latency.
    Simulate(simulate::SimulateArgs),
}

/// Exit codes: 0 success, 1 the design has errors, 2 bad input or usage.
const EXIT_PROBLEMS: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("archsim: {}", one_line(&e));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// An error chain on one line: "context: cause: cause".
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

fn open(path: &Path) -> Result<Design> {
    Ok(load(path)?)
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::New {
            out,
            template,
            name,
            force,
            list,
        } => {
            if list {
                let list: String = STARTERS
                    .iter()
                    .map(|s| format!("{:<20} {}\n", s.name, s.summary))
                    .collect();
                output::print(&list)?;
                return Ok(0);
            }
            let Some(out) = out else {
                bail!("missing the output path");
            };
            let Some(s) = starter(&template) else {
                let names: Vec<_> = STARTERS.iter().map(|s| s.name).collect();
                bail!(
                    "unknown template \"{template}\"; choose one of: {}",
                    names.join(", ")
                );
            };
            if out.exists() && !force {
                bail!(
                    "{} already exists; pass --force to replace it",
                    out.display()
                );
            }
            let mut design = s
                .build()
                .with_context(|| format!("building template {template}"))?;
            if let Some(name) = name {
                design.name = name;
            }
            save(&design, &out)?;
            output::print(&format!(
                "wrote {} ({} components, {} connections)\n",
                out.display(),
                design.component_count(),
                design.connection_count()
            ))?;
            Ok(0)
        }
        Command::Validate { design: path, json } => {
            let design = open(&path)?;
            let problems = validate(&design);
            if json {
                let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
                let report = serde_json::json!({
                    "file": path.display().to_string(),
                    "design": design.name,
                    "errors": count(Severity::Error),
                    "warnings": count(Severity::Warning),
                    "infos": count(Severity::Info),
                    "problems": problems,
                });
                output::print(&(serde_json::to_string_pretty(&report)? + "\n"))?;
            } else {
                output::print(&describe::problems(&path, &design, &problems))?;
            }
            Ok(if has_errors(&problems) {
                EXIT_PROBLEMS
            } else {
                0
            })
        }
        Command::Describe { design: path } => {
            let design = open(&path)?;
            output::print(&describe::design(&design))?;
            Ok(0)
        }
        Command::Cost(args) => cost::cost(args),
        Command::Chart(args) => cost::chart(args),
        Command::Graph { design: path, .. } => {
            let design = open(&path)?;
            output::print(&dot::to_dot(&design))?;
            Ok(0)
        }
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Simulate(args) => simulate::run(args),
    }
}
