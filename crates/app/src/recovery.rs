//! Crash recovery: while a design has unsaved changes it is written every
//! [`AUTOSAVE_INTERVAL_S`] seconds to a recovery file (never over the
//! user's file). A clean save or close removes it; if archsim dies first,
//! the next launch on the same design finds it and offers to recover.
//!
//! The clock is a number the caller passes in, so the logic is tested
//! without timers.

use std::path::{Path, PathBuf};

use archsim_model::Design;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::view::{CommandError, ErrorCode};

/// How often unsaved changes are written to the recovery file.
pub const AUTOSAVE_INTERVAL_S: u64 = 30;

/// A directory of recovery files, one per design path (and one for
/// designs never saved).
#[derive(Debug, Clone)]
pub struct RecoveryStore {
    dir: PathBuf,
}

/// What the recovery file beside the design says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    original: Option<String>,
    saved_at_unix: u64,
}

/// An offer to bring back unsaved work.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct RecoveryOffer {
    /// The design the work belongs to; `None` for a never-saved design.
    pub original: Option<String>,
    pub recovery_file: String,
    /// When it was written (seconds since the Unix epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub saved_at_unix: u64,
    pub components: usize,
}

/// FNV-1a: a stable file name for a path, the same on every run and build.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl RecoveryStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$XDG_STATE_HOME/archsim/recovery`, else `~/.local/state/archsim/recovery`.
    pub fn default_dir() -> Option<PathBuf> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
        Some(state.join("archsim").join("recovery"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn stem(design_path: Option<&Path>) -> String {
        match design_path {
            Some(p) => {
                let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
                format!("{:016x}", fnv1a(&abs.to_string_lossy()))
            }
            None => "untitled".to_string(),
        }
    }

    /// The recovery file for a design path.
    pub fn file_for(&self, design_path: Option<&Path>) -> PathBuf {
        self.dir
            .join(format!("{}.recovery.archsim.json", Self::stem(design_path)))
    }

    fn meta_for(&self, design_path: Option<&Path>) -> PathBuf {
        self.dir
            .join(format!("{}.recovery.meta.json", Self::stem(design_path)))
    }

    /// Writes a design's unsaved state (atomically, like any save).
    pub fn write(
        &self,
        design_path: Option<&Path>,
        design: &Design,
        now_unix: u64,
    ) -> Result<PathBuf, CommandError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            CommandError::new(
                ErrorCode::Save,
                format!(
                    "{}: cannot create the recovery folder: {e}",
                    self.dir.display()
                ),
            )
        })?;
        let file = self.file_for(design_path);
        archsim_model::save(design, &file)?;
        let meta = Meta {
            original: design_path.map(|p| p.to_string_lossy().into_owned()),
            saved_at_unix: now_unix,
        };
        let meta_text = serde_json::to_string(&meta).unwrap_or_default();
        std::fs::write(self.meta_for(design_path), meta_text).map_err(|e| {
            CommandError::new(ErrorCode::Save, format!("{}: {e}", self.dir.display()))
        })?;
        Ok(file)
    }

    /// Removes the recovery file of a design (after a save or a discard).
    pub fn discard(&self, design_path: Option<&Path>) {
        // Missing files are fine: there was nothing to recover.
        let _ = std::fs::remove_file(self.file_for(design_path));
        let _ = std::fs::remove_file(self.meta_for(design_path));
    }

    /// Unsaved work left for this design by a session that did not end
    /// cleanly. A recovery file equal to the saved design is no offer.
    pub fn offer(&self, design_path: Option<&Path>) -> Option<RecoveryOffer> {
        let file = self.file_for(design_path);
        let recovered = archsim_model::load(&file).ok()?;
        if let Some(p) = design_path
            && let Ok(saved) = archsim_model::load(p)
            && saved == recovered
        {
            self.discard(design_path);
            return None;
        }
        let meta: Option<Meta> = std::fs::read_to_string(self.meta_for(design_path))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        Some(RecoveryOffer {
            original: design_path.map(|p| p.to_string_lossy().into_owned()),
            recovery_file: file.to_string_lossy().into_owned(),
            saved_at_unix: meta.map(|m| m.saved_at_unix).unwrap_or(0),
            components: recovered.component_count(),
        })
    }

    /// Reads the recovered design.
    pub fn read(&self, design_path: Option<&Path>) -> Result<Design, CommandError> {
        let file = self.file_for(design_path);
        if !file.exists() {
            return Err(CommandError::new(
                ErrorCode::NothingToRecover,
                "there is no unsaved work to recover for this design",
            ));
        }
        Ok(archsim_model::load(&file)?)
    }
}
