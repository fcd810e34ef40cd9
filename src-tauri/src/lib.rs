//! # archsim-desktop
//!
//! The desktop shell: a Tauri 2 window hosting the web UI (`ui/dist`,
//! embedded with `--features custom-protocol`) over archsim-app. Every
//! command is a thin adapter onto [`archsim_app::Session`]; native file
//! dialogs (tauri-plugin-dialog, rfd/gtk3) implement archsim-app's
//! [`FileDialog`]. The page gets no filesystem, shell or dialog permission:
//! it can only call these commands.
//!
//! `archsim-desktop [DESIGN]` opens a design (a blank one otherwise).
//!
//! The commands registered are archsim-app's command table's desktop
//! commands (`archsim_app::desktop_commands!`): one the table lists and
//! this shell lacks does not compile, and a `#[tauri::command]` function
//! the table does not list is never registered, which `dead_code` (denied
//! here) reports. archsim-app's `tests/commands.rs` checks the functions'
//! argument names against the table.

// An unregistered command is dead code: fail the build rather than ship it.
#![deny(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use archsim_app::{
    AUTOSAVE_INTERVAL_S, Applied, CommandError, ConnectCheck, DocumentView, Edit, ErrorCode,
    ExportedView, FileDialog, FormField, ImportedView, LiveControl, LiveSlot, LiveStart, LiveView,
    PaletteGroup, ProjectReportView, ProjectView, RecentFiles, RecoveryOffer, RecoveryStore,
    SeriesView, Session, StarterInfo, TemplateOptions, component_form, connection_form, palette,
    starters, write_export,
};
use archsim_model::{ComponentKind, Meaning};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;

mod cost;
// The command functions by bare name, as the table's names come.
use cost::*;

struct Open(Mutex<Session>);

/// The live simulation beside the session; its clock is wall time since
/// the window opened.
struct Live(Mutex<LiveSlot>, std::time::Instant);

impl Live {
    fn slot(&self) -> MutexGuard<'_, LiveSlot> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn clock(&self) -> f64 {
        self.1.elapsed().as_secs_f64()
    }
}

impl Open {
    fn session(&self) -> MutexGuard<'_, Session> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Native dialogs. Called from async commands, never on the main thread.
struct NativeDialog(AppHandle);

impl FileDialog for NativeDialog {
    fn open_design(&self) -> Option<PathBuf> {
        self.0
            .dialog()
            .file()
            .add_filter("archsim design", &["json"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }
    fn save_design(&self, suggested_name: &str) -> Option<PathBuf> {
        self.0
            .dialog()
            .file()
            .add_filter("archsim design", &["json"])
            .set_file_name(suggested_name)
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
    }
}

type Reply<T> = Result<T, CommandError>;

fn bad(message: String) -> CommandError {
    CommandError::new(ErrorCode::InvalidEdit, message)
}

#[tauri::command]
fn document(open: State<Open>) -> DocumentView {
    open.session().document()
}

#[tauri::command]
fn palette_groups() -> Vec<PaletteGroup> {
    palette()
}

#[tauri::command]
fn starter_designs() -> Vec<StarterInfo> {
    starters()
}

#[tauri::command]
fn form_for_component(kind: String) -> Reply<Vec<FormField>> {
    let kind = ComponentKind::from_slug(&kind)
        .ok_or_else(|| bad(format!("no component kind \"{kind}\"")))?;
    Ok(component_form(kind))
}

#[tauri::command]
fn form_for_connection(meaning: Meaning) -> Vec<FormField> {
    connection_form(meaning)
}

#[tauri::command]
fn can_connect(open: State<Open>, from: String, to: String) -> Reply<ConnectCheck> {
    open.session().can_connect(&from, &to)
}

#[tauri::command]
fn edit(open: State<Open>, edit: Edit) -> Reply<Applied> {
    open.session().apply(edit)
}

#[tauri::command]
fn undo(open: State<Open>) -> DocumentView {
    open.session().undo()
}

#[tauri::command]
fn redo(open: State<Open>) -> DocumentView {
    open.session().redo()
}

#[tauri::command]
fn new_design(open: State<Open>, starter: String) -> Reply<DocumentView> {
    open.session().new_from_starter(&starter)
}

#[tauri::command]
async fn open_design(app: AppHandle, open: State<'_, Open>) -> Reply<DocumentView> {
    open.session().open_with(&NativeDialog(app))
}

#[tauri::command]
fn save(open: State<Open>) -> Reply<DocumentView> {
    open.session().save()
}

#[tauri::command]
async fn save_as(app: AppHandle, open: State<'_, Open>) -> Reply<DocumentView> {
    open.session().save_as(&NativeDialog(app))
}

/// The template endings the import dialog offers (archsim-app's list, without dots).
fn template_filter() -> Vec<&'static str> {
    archsim_app::TEMPLATE_EXTENSIONS
        .iter()
        .map(|e| e.trim_start_matches('.'))
        .collect()
}

#[tauri::command]
async fn import_template(app: AppHandle, open: State<'_, Open>) -> Reply<ImportedView> {
    // Several files: stacks that import each other's exports, one design.
    let paths: Vec<std::path::PathBuf> = app
        .dialog()
        .file()
        .add_filter("SAM / CloudFormation template", &template_filter())
        .blocking_pick_files()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    if paths.is_empty() {
        return Err(CommandError::new(ErrorCode::Cancelled, "import cancelled"));
    }
    open.session().import_templates(&paths)
}

#[tauri::command]
fn export_template(open: State<Open>, options: TemplateOptions) -> Reply<ExportedView> {
    open.session().export_template(options)
}

#[tauri::command]
fn export_project(open: State<Open>) -> Reply<ProjectView> {
    open.session().export_project()
}

/// Asks for a folder with the native dialog, then writes the SAM project
/// there (into it when it is an archsim project or empty, else into a new
/// folder named after the design). Returns what was written and kept.
#[tauri::command]
async fn save_project(app: AppHandle, open: State<'_, Open>) -> Reply<ProjectReportView> {
    let dir = app
        .dialog()
        .file()
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
        .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "project export cancelled"))?;
    open.session().save_project(&dir)
}

/// Asks where with the native save dialog, then writes the template and
/// its manifests beside it. Returns the files written.
#[tauri::command]
async fn save_template(
    app: AppHandle,
    open: State<'_, Open>,
    options: TemplateOptions,
) -> Reply<Vec<String>> {
    let exported = open.session().export_template(options)?;
    let path = app
        .dialog()
        .file()
        .add_filter("SAM / CloudFormation template", &template_filter())
        .set_file_name(&exported.file_name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
        .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "export cancelled"))?;
    Ok(write_export(&exported, &path)?
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// Saves a diagram image the page rendered (html-to-image) where the native
/// save dialog says. Returns the file written.
#[tauri::command]
async fn save_image(app: AppHandle, file_name: String, bytes: Vec<u8>) -> Reply<String> {
    let ext = if file_name.ends_with(".svg") {
        "svg"
    } else {
        "png"
    };
    let path = app
        .dialog()
        .file()
        .add_filter(ext.to_uppercase(), &[ext])
        .set_file_name(&file_name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
        .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "image export cancelled"))?;
    std::fs::write(&path, bytes).map_err(|e| {
        CommandError::new(
            ErrorCode::Save,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
fn recovery_offer(open: State<Open>) -> Option<RecoveryOffer> {
    open.session().recovery_offer()
}

#[tauri::command]
fn recover(open: State<Open>) -> Reply<DocumentView> {
    open.session().recover()
}

#[tauri::command]
fn discard_recovery(open: State<Open>) -> DocumentView {
    let mut s = open.session();
    s.discard_recovery();
    s.document()
}

#[tauri::command]
fn live_start(open: State<Open>, live: State<Live>, start: LiveStart) -> Reply<LiveView> {
    let session = open.session();
    live.slot().start(&session, &start, live.clock())
}

#[tauri::command]
fn live_poll(live: State<Live>) -> Option<LiveView> {
    live.slot().poll(live.clock())
}

#[tauri::command]
fn live_control(live: State<Live>, control: LiveControl) -> Reply<LiveView> {
    live.slot().control(control)
}

#[tauri::command]
fn live_stop(live: State<Live>) {
    live.slot().stop();
}

#[tauri::command]
fn live_series(live: State<Live>, id: String) -> Reply<SeriesView> {
    live.slot().series(&id)
}

#[tauri::command]
fn live_traces(live: State<Live>) -> Reply<Vec<archsim_app::RequestTrace>> {
    live.slot().traces()
}

/// Opens the presenter window on the design as it is on the canvas.
#[tauri::command]
fn present(open: State<Open>, scenario: Option<String>) -> Reply<String> {
    let bin = archsim_app::start_presenter(&open.session(), scenario.as_deref())?;
    Ok(bin.display().to_string())
}

/// Closing the window with unsaved changes asks first: Save (Save As for a
/// new design), Don't save (the work is still kept for recovery), or
/// Cancel. Runs off the main thread: the dialogs block.
fn confirm_close(app: AppHandle) {
    use tauri_plugin_dialog::{MessageDialogButtons, MessageDialogResult};
    let name = app.state::<Open>().session().design().name.clone();
    let answer = app
        .dialog()
        .message(format!(
            "\"{name}\" has unsaved changes. Save them before closing? (Unsaved work is also kept for recovery.)"
        ))
        .title("Unsaved changes")
        .buttons(MessageDialogButtons::YesNoCancelCustom(
            "Save".into(),
            "Don't save".into(),
            "Cancel".into(),
        ))
        .blocking_show_with_result();
    let close = match answer {
        MessageDialogResult::Yes => true,
        MessageDialogResult::Custom(ref b) if b == "Save" => true,
        MessageDialogResult::No => false,
        MessageDialogResult::Custom(ref b) if b == "Don't save" => false,
        _ => return,
    };
    if close {
        let open = app.state::<Open>();
        let mut session = open.session();
        let saved = if session.path().is_some() {
            session.save()
        } else {
            session.save_as(&NativeDialog(app.clone()))
        };
        if let Err(e) = saved {
            drop(session);
            if e.code != ErrorCode::Cancelled {
                app.dialog()
                    .message(format!("Not closed: {}", e.message))
                    .title("Save failed")
                    .blocking_show();
            }
            return;
        }
    }
    app.exit(0);
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The session for the design named on the command line.
fn start_session() -> Session {
    let session = match std::env::args_os().nth(1) {
        Some(path) => Session::open(&path).unwrap_or_else(|e| {
            eprintln!(
                "archsim-desktop: {}; starting with a blank design",
                e.message
            );
            Session::blank()
        }),
        None => Session::blank(),
    };
    let session = match RecoveryStore::default_dir() {
        Some(dir) => session.with_recovery(RecoveryStore::new(dir)),
        None => session,
    };
    // Kept up to date for `archsim serve`'s Open dialog, which lists it.
    match RecentFiles::default_file() {
        Some(file) => session.with_recent(RecentFiles::new(file)),
        None => session,
    }
}

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Open(Mutex::new(start_session())))
        .manage(Live(
            Mutex::new(LiveSlot::default()),
            std::time::Instant::now(),
        ))
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(AUTOSAVE_INTERVAL_S));
                    let open = handle.state::<Open>();
                    let result = open.session().autosave(now_unix());
                    if let Err(e) = result {
                        eprintln!("archsim-desktop: autosave failed: {}", e.message);
                    }
                }
            });
            Ok(())
        })
        .invoke_handler(archsim_app::desktop_commands!(tauri::generate_handler))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle().clone();
                if app.state::<Open>().session().is_dirty() {
                    api.prevent_close();
                    std::thread::spawn(move || confirm_close(app));
                }
            }
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("archsim-desktop: cannot start the window: {e}");
            std::process::exit(2)
        })
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // A clean exit keeps unsaved work for recovery, like `archsim serve`.
                let open = app.state::<Open>();
                let mut s = open.session();
                if s.is_dirty() {
                    let _ = s.autosave(u64::MAX);
                } else {
                    s.close();
                }
            }
        });
}
