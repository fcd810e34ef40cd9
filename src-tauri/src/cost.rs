//! The cost panel and the run report in the desktop shell: thin commands
//! over archsim-app, on a copy of the open design so a simulation never
//! holds the session lock. `save_report` asks where with the native save
//! dialog and writes the HTML page and its two CSV files beside it.

use std::path::{Path, PathBuf};

use archsim_app::{
    CommandError, CostOptions, CostPanel, ErrorCode, ReportOptions, RunReport, write_report,
};
use archsim_model::Design;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::Open;

type Reply<T> = Result<T, CommandError>;

fn snapshot(open: &Open) -> (Design, Option<PathBuf>) {
    let s = open.session();
    (
        s.design().clone(),
        s.path().and_then(Path::parent).map(Path::to_path_buf),
    )
}

#[tauri::command]
pub async fn cost_panel(open: State<'_, Open>, options: CostOptions) -> Reply<CostPanel> {
    let (design, dir) = snapshot(&open);
    archsim_app::cost_panel(&design, dir.as_deref(), &options)
}

#[tauri::command]
pub async fn run_report(open: State<'_, Open>, options: ReportOptions) -> Reply<RunReport> {
    let (design, dir) = snapshot(&open);
    archsim_app::run_report(&design, dir.as_deref(), &options)
}

/// Simulates, asks where with the native save dialog, then writes
/// `NAME.html`, `NAME.components.csv` and `NAME.series.csv`. Returns the
/// files written.
#[tauri::command]
pub async fn save_report(
    app: AppHandle,
    open: State<'_, Open>,
    options: ReportOptions,
) -> Reply<Vec<String>> {
    let (design, dir) = snapshot(&open);
    let report = archsim_app::run_report(&design, dir.as_deref(), &options)?;
    let path = app
        .dialog()
        .file()
        .add_filter("HTML report", &["html"])
        .set_file_name(&report.html_file_name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
        .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "report export cancelled"))?;
    Ok(write_report(&report, &path)?
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}
