//! Writing a project to a folder. A new project is written into a
//! temporary folder beside the target and renamed into place, so a failure
//! leaves nothing half-written. Re-exporting into an archsim project
//! rewrites the generated files one by one, each atomically (temporary
//! file, fsync, rename), and keeps every user file that exists.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{MARKER, Ownership, Project, ProjectError};

/// What a write did, for the CLI's output and the designer's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectReport {
    pub dir: String,
    /// Whether the folder was created (or was empty) rather than re-exported into.
    pub created: bool,
    /// Files written, relative to the folder.
    pub written: Vec<String>,
    /// User files that existed and were kept as they are.
    pub kept: Vec<String>,
    /// What the export could not do.
    pub notes: Vec<String>,
}

enum Target {
    New,
    Empty,
    Project,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ProjectError + '_ {
    move |source| ProjectError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn target(dir: &Path) -> Result<Target, ProjectError> {
    if !dir.exists() {
        return Ok(Target::New);
    }
    if !dir.is_dir() {
        return Err(ProjectError::NotAProject {
            dir: dir.display().to_string(),
        });
    }
    if dir.join(MARKER).is_file() {
        return Ok(Target::Project);
    }
    let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
    if entries.next().is_none() {
        Ok(Target::Empty)
    } else {
        Err(ProjectError::NotAProject {
            dir: dir.display().to_string(),
        })
    }
}

/// Writes `project` into `dir`: a new or empty folder, or an archsim
/// project exported before (whose handlers and other user files are kept).
pub fn write_project(dir: &Path, project: &Project) -> Result<ProjectReport, ProjectError> {
    let mut report = ProjectReport {
        dir: dir.display().to_string(),
        created: false,
        written: Vec::new(),
        kept: Vec::new(),
        notes: project.notes.clone(),
    };
    match target(dir)? {
        Target::New | Target::Empty => {
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&parent).map_err(io(&parent))?;
            let tmp = tempfile::Builder::new()
                .prefix(".archsim-project-")
                .tempdir_in(&parent)
                .map_err(io(&parent))?;
            for f in &project.files {
                let path = tmp.path().join(&f.path);
                if let Some(p) = path.parent() {
                    std::fs::create_dir_all(p).map_err(io(p))?;
                }
                std::fs::write(&path, &f.text).map_err(io(&path))?;
                report.written.push(f.path.clone());
            }
            if dir.exists() {
                // Empty: rename(2) replaces an empty directory.
                std::fs::remove_dir(dir).map_err(io(dir))?;
            }
            let tmp_path = tmp.keep();
            if let Err(e) = std::fs::rename(&tmp_path, dir) {
                let _ = std::fs::remove_dir_all(&tmp_path);
                return Err(io(dir)(e));
            }
            sync_dir(&parent);
            report.created = true;
        }
        Target::Project => {
            for f in &project.files {
                let path = dir.join(&f.path);
                if f.ownership == Ownership::User && path.exists() {
                    report.kept.push(f.path.clone());
                    continue;
                }
                write_atomically(&path, &f.text)?;
                report.written.push(f.path.clone());
            }
        }
    }
    Ok(report)
}

/// Temporary file beside the target, fsync, rename, fsync of the folder.
fn write_atomically(path: &Path, text: &str) -> Result<(), ProjectError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".archsim-save-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io(path))?;
    tmp.write_all(text.as_bytes()).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
