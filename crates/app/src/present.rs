//! "Present": the open design in the egui presenter (`archsim-presenter`),
//! a separate full-screen window for demos. [`presenter_args`] decides what
//! to run; [`start_presenter`] starts it, for both shells (the only process
//! this crate starts, and only when asked).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Session;
use crate::view::{CommandError, ErrorCode};

/// The presenter's executable name.
pub const PRESENTER: &str = "archsim-presenter";

/// The presenter's arguments for the open design: its saved file when
/// it has no unsaved changes, otherwise a copy written to `scratch_dir`
/// (so what is shown is what is on the canvas). The scenario must exist.
pub fn presenter_args(
    session: &Session,
    scenario: Option<&str>,
    scratch_dir: &Path,
) -> Result<Vec<OsString>, CommandError> {
    let design = session.design();
    let name = archsim_sim::find_scenario(design, scenario)
        .map_err(|e| CommandError::new(ErrorCode::Simulation, e.to_string()))?
        .name
        .clone();
    let file = match session.path() {
        Some(p) if !session.is_dirty() => p.to_path_buf(),
        _ => {
            std::fs::create_dir_all(scratch_dir).map_err(|e| {
                CommandError::new(
                    ErrorCode::Save,
                    format!("cannot create {}: {e}", scratch_dir.display()),
                )
            })?;
            let copy = scratch_dir.join("presented.archsim.json");
            archsim_model::file::save(design, &copy)
                .map_err(|e| CommandError::new(ErrorCode::Save, e.to_string()))?;
            copy
        }
    };
    Ok(vec![
        file.into_os_string(),
        "--scenario".into(),
        name.into(),
    ])
}

/// The presenter to start: `$ARCHSIM_PRESENTER` when set (the desktop
/// shell builds in its own target folder, so `scripts/run.sh` points it at
/// the workspace's), else the one beside the running executable (how the
/// workspace builds and installs them), else `archsim-presenter` on the
/// PATH.
pub fn presenter_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ARCHSIM_PRESENTER").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(PRESENTER))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(PRESENTER))
}

/// Starts the presenter on the open design (a copy in the temporary folder
/// when it has unsaved changes) and returns the executable it started.
pub fn start_presenter(session: &Session, scenario: Option<&str>) -> Result<PathBuf, CommandError> {
    let scratch = std::env::temp_dir().join(format!("archsim-present-{}", std::process::id()));
    let args = presenter_args(session, scenario, &scratch)?;
    let bin = presenter_binary();
    std::process::Command::new(&bin)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Simulation,
                format!(
                    "cannot start {} ({e}); build it with `cargo build -p archsim-presenter`",
                    bin.display()
                ),
            )
        })?;
    Ok(bin)
}
