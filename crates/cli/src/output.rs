//! Standard output for the commands' reports. Every command prints through
//! [`print`] (`println!` panics when the reader has gone, e.g. `archsim cost
//! d.archsim.json --json | head -1`); `clippy::print_stdout` is denied in
//! this crate so a new command cannot forget.

use std::io::{ErrorKind, Write};

use anyhow::{Context, Result};

/// Writes `text` to standard output and flushes it. A closed pipe is not an
/// error: the rest of the output is dropped and the command ends with the
/// status it would have had (docs/cli.md, "Exit codes"). Any other failure
/// (a full disk behind a redirect) is an error.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing standard output"),
    }
}
