//! Recent files: the last [`RECENT_LIMIT`] designs opened or saved, newest
//! first, kept in a small JSON file in archsim's state folder (beside the
//! recovery folder). Losing the list loses nothing else, so a file that
//! cannot be read counts as an empty list.

use std::path::{Path, PathBuf};

use serde::Serialize;

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::view::{CommandError, ErrorCode};

/// How many recent files are kept.
pub const RECENT_LIMIT: usize = 8;

/// A design opened or saved lately.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct RecentFile {
    /// The absolute path.
    pub path: String,
    /// The file name, for the list.
    pub name: String,
}

/// The recent-files list, stored in one JSON file (an array of paths).
#[derive(Debug, Clone)]
pub struct RecentFiles {
    file: PathBuf,
}

impl RecentFiles {
    /// The list kept in `file` (created on the first remember).
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into() }
    }

    /// `$XDG_STATE_HOME/archsim/recent.json`, else
    /// `~/.local/state/archsim/recent.json`.
    pub fn default_file() -> Option<PathBuf> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
        Some(state.join("archsim").join("recent.json"))
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    fn read(&self) -> Vec<String> {
        std::fs::read_to_string(&self.file)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// The designs that still exist, newest first.
    pub fn list(&self) -> Vec<RecentFile> {
        self.read()
            .into_iter()
            .filter(|p| Path::new(p).is_file())
            .map(|path| RecentFile {
                name: Path::new(&path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.clone()),
                path,
            })
            .collect()
    }

    /// Puts `design` first (once), keeping at most [`RECENT_LIMIT`].
    pub fn remember(&self, design: &Path) -> Result<(), CommandError> {
        let abs = std::path::absolute(design).unwrap_or_else(|_| design.to_path_buf());
        let abs = abs.to_string_lossy().into_owned();
        let mut paths = self.read();
        paths.retain(|p| *p != abs);
        paths.insert(0, abs);
        paths.truncate(RECENT_LIMIT);
        let fail = |e: std::io::Error| {
            CommandError::new(
                ErrorCode::Save,
                format!(
                    "cannot write the recent-files list {}: {e}",
                    self.file.display()
                ),
            )
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let text = serde_json::to_string_pretty(&paths).unwrap_or_else(|_| "[]".into());
        std::fs::write(&self.file, text).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_once_each_at_most_eight_existing_only() {
        let dir = tempfile::tempdir().unwrap();
        let recent = RecentFiles::new(dir.path().join("state/recent.json"));
        assert!(recent.list().is_empty());
        let design = |n: usize| {
            let p = dir.path().join(format!("d{n}.archsim.json"));
            std::fs::write(&p, "{}").unwrap();
            p
        };
        for n in 0..10 {
            recent.remember(&design(n)).unwrap();
        }
        recent.remember(&design(5)).unwrap();
        let names: Vec<String> = recent.list().into_iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            ["d5", "d9", "d8", "d7", "d6", "d4", "d3", "d2"].map(|n| format!("{n}.archsim.json"))
        );
        std::fs::remove_file(design(9)).unwrap();
        assert_eq!(recent.list().len(), 7, "a deleted design drops out");
        std::fs::write(recent.file(), "not json").unwrap();
        assert!(
            recent.list().is_empty(),
            "an unreadable list is an empty one"
        );
    }
}
