//! File choice. The desktop shell implements [`FileDialog`] with native
//! dialogs; `archsim serve` uses [`ChosenPath`], the path the user picked
//! in the browser from [`list_dir`]; tests use fakes. Nothing here opens a
//! window.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::view::{CommandError, ErrorCode};

/// Where the user wants to open from or save to; `None` when they cancel.
pub trait FileDialog {
    fn open_design(&self) -> Option<PathBuf>;
    fn save_design(&self, suggested_name: &str) -> Option<PathBuf>;
}

/// A path already chosen elsewhere (the browser's server-side picker).
pub struct ChosenPath(pub PathBuf);

impl FileDialog for ChosenPath {
    fn open_design(&self) -> Option<PathBuf> {
        Some(self.0.clone())
    }
    fn save_design(&self, _suggested_name: &str) -> Option<PathBuf> {
        Some(self.0.clone())
    }
}

/// The extension every design file carries.
pub const EXTENSION: &str = ".archsim.json";

/// A save target: `EXTENSION` is added when missing, so a save never
/// overwrites a file that is not a design.
pub(crate) fn design_path(path: &Path) -> Result<PathBuf, CommandError> {
    let text = path.to_string_lossy();
    if text.is_empty() || path.file_name().is_none() {
        return Err(CommandError::new(
            ErrorCode::BadPath,
            format!("\"{text}\" is not a file path; give a file name ending in {EXTENSION}"),
        ));
    }
    if text.ends_with(EXTENSION) {
        Ok(path.to_path_buf())
    } else {
        Ok(PathBuf::from(format!("{text}{EXTENSION}")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DirEntry {
    pub name: String,
    pub path: String,
    pub is_dir: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct DirListing {
    pub dir: String,
    pub parent: Option<String>,
    /// Folders first, then the files asked for; hidden entries and other files are left out.
    pub entries: Vec<DirEntry>,
}

/// Which files a picker lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `*.archsim.json`
    #[default]
    Design,
    /// SAM / CloudFormation templates (`.yaml`, `.yml`, `.json`, `.template`).
    Template,
}

impl FileKind {
    fn lists(self, name: &str) -> bool {
        match self {
            FileKind::Design => name.ends_with(EXTENSION),
            FileKind::Template => crate::templates::TEMPLATE_EXTENSIONS
                .iter()
                .any(|e| name.ends_with(e)),
        }
    }
}

/// The folders and the files of one kind in a directory, for a picker.
pub fn list_dir(dir: &Path, kind: FileKind) -> Result<DirListing, CommandError> {
    let dir = dir
        .canonicalize()
        .map_err(|e| CommandError::new(ErrorCode::BadPath, format!("{}: {e}", dir.display())))?;
    let read = std::fs::read_dir(&dir)
        .map_err(|e| CommandError::new(ErrorCode::BadPath, format!("{}: {e}", dir.display())))?;
    let mut entries: Vec<DirEntry> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().ok()?.is_dir();
            let keep = !name.starts_with('.') && (is_dir || kind.lists(&name));
            keep.then(|| DirEntry {
                path: e.path().to_string_lossy().into_owned(),
                name,
                is_dir,
            })
        })
        .collect();
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then(a.name.cmp(&b.name)));
    Ok(DirListing {
        parent: dir.parent().map(|p| p.to_string_lossy().into_owned()),
        dir: dir.to_string_lossy().into_owned(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_paths_get_the_design_extension() {
        assert_eq!(
            design_path(Path::new("/tmp/a")).unwrap(),
            PathBuf::from("/tmp/a.archsim.json")
        );
        assert_eq!(
            design_path(Path::new("/tmp/a.archsim.json")).unwrap(),
            PathBuf::from("/tmp/a.archsim.json")
        );
        assert_eq!(
            design_path(Path::new("")).unwrap_err().code,
            ErrorCode::BadPath
        );
    }

    #[test]
    fn listing_shows_folders_and_designs_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::create_dir(dir.path().join(".hidden")).unwrap();
        std::fs::write(dir.path().join("a.archsim.json"), "{}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        std::fs::write(dir.path().join("api.yaml"), "x").unwrap();
        let l = list_dir(dir.path(), FileKind::Design).unwrap();
        let names: Vec<&str> = l.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["sub", "a.archsim.json"]);
        let l = list_dir(dir.path(), FileKind::Template).unwrap();
        let names: Vec<&str> = l.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["sub", "a.archsim.json", "api.yaml"]);
    }
}
