//! "Present": the open design in the egui presenter (`archsim-presenter`),
//! a separate full-screen window for demos. [`presenter_args`] decides what
//! to run; [`start_presenter`] starts it, for both shells (the only process
//! this crate starts, and only when asked).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Whether a window can open: on Linux and the BSDs a desktop session sets
/// `DISPLAY` (X11) or `WAYLAND_DISPLAY`; elsewhere there always is one.
pub fn display_available(var: impl Fn(&str) -> Option<OsString>) -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| var(v).is_some_and(|x| !x.is_empty()))
}

/// How long a presenter that cannot open its window takes to say so.
const STARTUP_GRACE: Duration = Duration::from_millis(1500);

/// Spawns `cmd` with its standard error in `log`, and waits up to `grace`:
/// a process that exits with a failure in that time did not start, and its
/// error (the log's last lines) is the refusal. One still running, or done
/// with success, started.
pub fn spawn_watched(mut cmd: Command, log: &Path, grace: Duration) -> Result<(), String> {
    let err =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    while started.elapsed() < grace {
        match child.try_wait() {
            Ok(Some(status)) if !status.success() => {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(3).collect();
                let said: Vec<&str> = tail.into_iter().rev().collect();
                return Err(format!(
                    "it exited at once ({status}): {}",
                    said.join(" / ").trim()
                ));
            }
            Ok(Some(_)) => return Ok(()),
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

/// Starts the presenter on the open design (a copy in the temporary folder
/// when it has unsaved changes) and returns the executable it started. It
/// says so when no window can open (no display) or the presenter stops at
/// once, rather than report a window nobody sees.
pub fn start_presenter(session: &Session, scenario: Option<&str>) -> Result<PathBuf, CommandError> {
    let scratch = std::env::temp_dir().join(format!("archsim-present-{}", std::process::id()));
    let args = presenter_args(session, scenario, &scratch)?;
    // What to present is checked first (a missing scenario is named), then
    // whether a window can open at all.
    if !display_available(|v| std::env::var_os(v)) {
        return Err(CommandError {
            code: ErrorCode::Simulation,
            message: "no window can open here: neither DISPLAY nor WAYLAND_DISPLAY is set".into(),
            suggestion: Some(
                "run archsim in a desktop session to present, or watch the run live in the designer (Simulate)".into(),
            ),
        });
    }
    let bin = presenter_binary();
    let mut cmd = Command::new(&bin);
    cmd.args(&args);
    let _ = std::fs::create_dir_all(&scratch);
    spawn_watched(cmd, &scratch.join("presenter.log"), STARTUP_GRACE).map_err(|e| {
        CommandError::new(
            ErrorCode::Simulation,
            format!(
                "the presenter ({}) did not start: {e}; build it with `cargo build -p archsim-presenter`",
                bin.display()
            ),
        )
    })?;
    Ok(bin)
}

#[cfg(test)]
mod watch_tests {
    use super::*;

    #[test]
    fn no_display_no_window() {
        let none = |_: &str| None;
        let x11 = |v: &str| (v == "DISPLAY").then(|| OsString::from(":0"));
        let empty = |_: &str| Some(OsString::new());
        if cfg!(any(target_os = "windows", target_os = "macos")) {
            assert!(display_available(none));
        } else {
            assert!(!display_available(none));
            assert!(!display_available(empty));
            assert!(display_available(x11));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_process_that_stops_at_once_did_not_start_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let mut failing = Command::new("sh");
        failing.args(["-c", "echo 'cannot open display' >&2; exit 3"]);
        let err = spawn_watched(failing, &log, Duration::from_secs(5)).unwrap_err();
        assert!(err.contains("cannot open display"), "{err}");
        let mut running = Command::new("sleep");
        running.arg("5");
        assert!(spawn_watched(running, &log, Duration::from_millis(200)).is_ok());
    }
}
