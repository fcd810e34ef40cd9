//! The designer's commands, declared once. Every command the UI calls is a
//! row of [`with_commands!`]: its name (the desktop shell's Tauri command),
//! the function on the UI's `api` object, the HTTP method and path under
//! `/api` where `archsim serve` answers it, its arguments and the
//! TypeScript type of its answer. Which section a row sits in says which
//! faces have it: `files` and `recent` are the browser's own file picker
//! (the desktop shell asks native dialogs), `save_template`, `save_image`
//! and `save_report` write files where a native save dialog says (the
//! browser downloads instead).
//!
//! The faces follow the table; none keeps its own list:
//! - `archsim serve` builds its `/api` router from [`COMMANDS`]: each
//!   handler is registered under a command's name and gets its method and
//!   path from here; its tests check both ways that the handlers are the
//!   table's serve commands and that each is routed behind the token.
//! - the desktop shell hands [`desktop_commands!`] to
//!   `tauri::generate_handler!`, so a desktop command it lacks does not
//!   compile, and a command function the table lacks is dead code, which
//!   the shell denies. `tests/commands.rs` compares each command function's
//!   arguments with the table's.
//! - `ui/src/generated/commands.ts` is written from [`COMMANDS`] by
//!   `UPDATE_TS=1 cargo test -p archsim-app --test typescript` (which fails
//!   when it is stale), and `ui/src/api.ts` builds the browser's and the
//!   desktop's clients from it.
//!
//! The table is a macro so that the compile-time list of names the desktop
//! shell registers and the [`COMMANDS`] constant are the same text.
//!
//! Adding a command: write its row in the section of its faces; give it a
//! handler in `crates/cli/src/serve.rs` (`endpoint("name", handler)`,
//! reading the arguments where the row puts them) and/or a
//! `#[tauri::command] fn name` in `src-tauri` taking the row's arguments;
//! export any new argument or answer type in `tests/typescript.rs` and
//! regenerate the TypeScript; the UI calls it as `api.uiName(...)`.
//!
//! ```
//! use archsim_app::{ArgIn, Method, command};
//!
//! let form = command("form_for_component").unwrap();
//! assert_eq!(form.ui, "componentForm");
//! let route = form.serve.unwrap();
//! assert_eq!((route.method, route.path), (Method::Get, "form/component/{kind}"));
//! assert_eq!(form.args[0].within, ArgIn::Path);
//! assert!(form.desktop);
//! ```

/// One command of the designer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// The command's name, snake_case: the desktop shell registers its
    /// Tauri command under it, and `archsim serve` its handler.
    pub name: &'static str,
    /// The function on the UI's `api` object, camelCase.
    pub ui: &'static str,
    /// What it does, from the row's doc comment (may be empty).
    pub doc: &'static str,
    /// Where `archsim serve` answers it; `None` for a desktop-only command.
    pub serve: Option<Route>,
    /// Whether the desktop shell has it.
    pub desktop: bool,
    /// Its arguments, in the order the UI's function takes them.
    pub args: &'static [Arg],
    /// The TypeScript type of its answer, over the types in `ui/src/generated`.
    pub answer: &'static str,
}

/// Where `archsim serve` answers a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    /// The path under `/api`, with `{name}` where a path argument goes
    /// (`form/component/{kind}`).
    pub path: &'static str,
    /// The TypeScript type of the answer over HTTP, when it is not the
    /// desktop's.
    pub answer: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One argument of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// snake_case, as the server's JSON and the Tauri command's parameter
    /// spell it (the UI sends it to Tauri in camelCase, as Tauri expects).
    pub name: &'static str,
    /// Its TypeScript type.
    pub ts: &'static str,
    /// How it travels.
    pub within: ArgIn,
}

/// How an argument travels. Except [`ArgIn::ChosenPath`], every argument
/// is also a named argument of the desktop shell's Tauri command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgIn {
    /// In the URL path, where the route says `{name}`.
    Path,
    /// In the query string; optional, left out when empty.
    Query,
    /// A field of the JSON object the request's body holds.
    Field,
    /// The whole JSON body.
    Body,
    /// A file path the browser's own picker chose, sent as a body field;
    /// the desktop shell asks a native dialog instead and takes no argument.
    ChosenPath,
    /// An argument of a desktop-only command.
    Desktop,
}

impl ArgIn {
    /// The name the generated TypeScript uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgIn::Path => "path",
            ArgIn::Query => "query",
            ArgIn::Field => "field",
            ArgIn::Body => "body",
            ArgIn::ChosenPath => "chosen_path",
            ArgIn::Desktop => "desktop",
        }
    }

    /// Whether the desktop shell's command takes it.
    pub fn on_desktop(self) -> bool {
        self != ArgIn::ChosenPath
    }
}

/// The command table. Calls `$callback! { [$pass] both { rows } serve {
/// rows } desktop { rows } }`: the sections are the commands both faces
/// have, those only `archsim serve` has, and those only the desktop shell
/// has. A row is `name { ui: uiName, METHOD "path", args: [name: "ts type"
/// in place, ...], answer: "ts type" }`, with `, serve answer: "ts type"`
/// after the answer when the HTTP answer differs; a place is `path`,
/// `query`, `field`, `body` or `chosen_path` ([`ArgIn`]). Desktop-only rows
/// have no route and their arguments no place. A row's `///` lines are its
/// [`Command::doc`]. [`desktop_commands!`](crate::desktop_commands) is the
/// usual way in.
#[macro_export]
macro_rules! with_commands {
    ($($callback:ident)::+ $([$($pass:tt)*])?) => {
        $($callback)::+! {
            [$($($pass)*)?]
            both {
                document            { ui: document,        GET  "document",               args: [], answer: "DocumentView" }
                palette_groups      { ui: palette,         GET  "palette",                args: [], answer: "PaletteGroup[]" }
                starter_designs     { ui: starters,        GET  "starters",               args: [], answer: "StarterInfo[]" }
                form_for_component  { ui: componentForm,   GET  "form/component/{kind}",  args: [kind: "string" in path], answer: "FormField[]" }
                form_for_connection { ui: connectionForm,  GET  "form/connection/{meaning}", args: [meaning: "string" in path], answer: "FormField[]" }
                can_connect         { ui: canConnect,      POST "can_connect",            args: [from: "string" in field, to: "string" in field], answer: "ConnectCheck" }
                edit                { ui: edit,            POST "edit",                   args: [edit: "Edit" in body], answer: "Applied" }
                undo                { ui: undo,            POST "undo",                   args: [], answer: "DocumentView" }
                redo                { ui: redo,            POST "redo",                   args: [], answer: "DocumentView" }
                new_design          { ui: newDesign,       POST "new",                    args: [starter: "string" in field], answer: "DocumentView" }
                /// Opens a design; the desktop shell asks with a native dialog and ignores the path.
                open_design         { ui: open,            POST "open",                   args: [path: "string" in chosen_path], answer: "DocumentView" }
                save                { ui: save,            POST "save",                   args: [], answer: "DocumentView" }
                /// Saves under a new name; the desktop shell asks with a native dialog and ignores the path.
                save_as             { ui: saveAs,          POST "save_as",                args: [path: "string" in chosen_path], answer: "DocumentView" }
                /// Imports a template; the desktop shell asks with a native dialog (several files: stacks as one design) and ignores the path.
                import_template     { ui: importTemplate,  POST "import",                 args: [path: "string" in chosen_path], answer: "ImportedView" }
                export_template     { ui: exportTemplate,  POST "export",                 args: [options: "TemplateOptions" in body], answer: "ExportedView" }
                /// The design as a SAM project's files (template, handlers, events, README), for the browser to zip.
                export_project      { ui: exportProject,   POST "export/project",         args: [], answer: "ProjectView" }
                recovery_offer      { ui: recoveryOffer,   GET  "recovery",               args: [], answer: "RecoveryOffer | null" }
                recover             { ui: recover,         POST "recovery/recover",       args: [], answer: "DocumentView" }
                discard_recovery    { ui: discardRecovery, POST "recovery/discard",       args: [], answer: "DocumentView" }
                cost_panel          { ui: costPanel,       POST "cost",                   args: [options: "CostOptions" in body], answer: "CostPanel" }
                run_report          { ui: runReport,       POST "report",                 args: [options: "ReportOptions" in body], answer: "RunReport" }
                live_start          { ui: liveStart,       POST "live/start",             args: [start: "LiveStart" in body], answer: "LiveView" }
                /// The live run advanced to now, or null when none runs.
                live_poll           { ui: livePoll,        GET  "live",                   args: [], answer: "LiveView | null" }
                live_control        { ui: liveControl,     POST "live/control",           args: [control: "LiveControl" in body], answer: "LiveView" }
                live_stop           { ui: liveStop,        POST "live/stop",              args: [], answer: "null" }
                live_series         { ui: liveSeries,      GET  "live/series/{id}",       args: [id: "string" in path], answer: "SeriesView" }
                live_traces         { ui: liveTraces,      GET  "live/traces",            args: [], answer: "RequestTrace[]" }
                /// Opens the presenter window; answers the presenter binary's path.
                present             { ui: present,         POST "present",                args: [scenario: "string | null" in field], answer: "string", serve answer: "{ presenter: string }" }
            }
            serve {
                /// The folders and files of one kind in a folder, for the browser's picker.
                files               { ui: files,           GET  "files",                  args: [dir: "string" in query, kind: "FileKind" in query], answer: "DirListing" }
                recent              { ui: recent,          GET  "recent",                 args: [], answer: "RecentFile[]" }
                /// Imports several stacks (templates that import each other's exports) as one design, a frame per stack.
                import_stacks       { ui: importStacks,    POST "import/stacks",          args: [paths: "string[]" in field], answer: "ImportedView" }
            }
            desktop {
                /// Writes the template and its manifests where the native save dialog says; answers the files written.
                save_template       { ui: saveTemplate,    args: [options: "TemplateOptions"], answer: "string[]" }
                /// Writes the SAM project into the folder the native folder dialog gives (a re-export keeps the user's handlers); answers what was written and kept.
                save_project        { ui: saveProject,     args: [], answer: "ProjectReportView" }
                /// Writes a diagram image the page rendered where the native save dialog says; answers the file written.
                save_image          { ui: saveImage,       args: [file_name: "string", bytes: "number[]"], answer: "string" }
                /// Simulates and writes the HTML report with its two CSV files where the native save dialog says; answers the files written.
                save_report         { ui: saveReport,      args: [options: "ReportOptions"], answer: "string[]" }
            }
        }
    };
}

/// The desktop shell's commands: calls `$callback!(name, name, ...)` with
/// the names of every command the desktop has, for
/// `archsim_app::desktop_commands!(tauri::generate_handler)`.
#[macro_export]
macro_rules! desktop_commands {
    ($($callback:ident)::+) => {
        $crate::with_commands!($crate::__desktop_command_names [$($callback)::+])
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __desktop_command_names {
    (
        [$($callback:ident)::+]
        both { $($(#[$b_attr:meta])* $both:ident $b_row:tt)* }
        serve { $($(#[$s_attr:meta])* $serve:ident $s_row:tt)* }
        desktop { $($(#[$d_attr:meta])* $desktop:ident $d_row:tt)* }
    ) => {
        $($callback)::+!($($both,)* $($desktop),*)
    };
}

/// Builds [`COMMANDS`] from the table.
macro_rules! command_table {
    (
        []
        both { $($(#[doc = $b_doc:literal])* $both:ident $b_row:tt)* }
        serve { $($(#[doc = $s_doc:literal])* $serve:ident $s_row:tt)* }
        desktop { $($(#[doc = $d_doc:literal])* $desktop:ident $d_row:tt)* }
    ) => {
        /// Every command, in the table's order: both faces', then
        /// `archsim serve`'s own, then the desktop shell's own.
        pub const COMMANDS: &[Command] = &[
            $(command_row!(true, $both, [$($b_doc)*] $b_row),)*
            $(command_row!(false, $serve, [$($s_doc)*] $s_row),)*
            $(command_row!($desktop, [$($d_doc)*] $d_row),)*
        ];
    };
}

macro_rules! command_row {
    (
        $desktop:literal, $name:ident, [$($doc:literal)*]
        {
            ui: $ui:ident, $method:ident $path:literal,
            args: [$($arg:ident: $ts:literal in $within:ident),*],
            answer: $answer:literal $(, serve answer: $serve_answer:literal)?
        }
    ) => {
        Command {
            name: stringify!($name),
            ui: stringify!($ui),
            doc: concat!($($doc, "\n"),*),
            serve: Some(Route {
                method: method!($method),
                path: $path,
                answer: optional!($($serve_answer)?),
            }),
            desktop: $desktop,
            args: &[$(Arg { name: stringify!($arg), ts: $ts, within: arg_in!($within) }),*],
            answer: $answer,
        }
    };
    (
        $name:ident, [$($doc:literal)*]
        { ui: $ui:ident, args: [$($arg:ident: $ts:literal),*], answer: $answer:literal }
    ) => {
        Command {
            name: stringify!($name),
            ui: stringify!($ui),
            doc: concat!($($doc, "\n"),*),
            serve: None,
            desktop: true,
            args: &[$(Arg { name: stringify!($arg), ts: $ts, within: ArgIn::Desktop }),*],
            answer: $answer,
        }
    };
}

macro_rules! method {
    (GET) => {
        Method::Get
    };
    (POST) => {
        Method::Post
    };
}

macro_rules! arg_in {
    (path) => {
        ArgIn::Path
    };
    (query) => {
        ArgIn::Query
    };
    (field) => {
        ArgIn::Field
    };
    (body) => {
        ArgIn::Body
    };
    (chosen_path) => {
        ArgIn::ChosenPath
    };
}

macro_rules! optional {
    () => {
        None
    };
    ($value:literal) => {
        Some($value)
    };
}

with_commands!(command_table);

/// The command of that name.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn is_snake(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    }

    fn is_camel(s: &str) -> bool {
        s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_alphanumeric())
    }

    #[test]
    fn names_functions_and_routes_are_unique_and_well_formed() {
        let mut names = BTreeSet::new();
        let mut uis = BTreeSet::new();
        let mut routes = BTreeSet::new();
        for c in COMMANDS {
            assert!(is_snake(c.name), "{}: names are snake_case", c.name);
            assert!(is_camel(c.ui), "{}: UI functions are camelCase", c.ui);
            assert!(names.insert(c.name), "{} is listed twice", c.name);
            assert!(uis.insert(c.ui), "two commands are api.{}", c.ui);
            if let Some(r) = c.serve {
                assert!(
                    !r.path.starts_with('/') && !r.path.ends_with('/'),
                    "{}: paths are relative to /api",
                    c.name
                );
                assert!(
                    routes.insert((r.method, r.path)),
                    "{} {} is two commands",
                    r.method.as_str(),
                    r.path
                );
            }
            assert!(c.serve.is_some() || c.desktop, "{} has no face", c.name);
        }
    }

    #[test]
    fn arguments_fit_their_routes() {
        for c in COMMANDS {
            let placeholders: BTreeSet<&str> = c
                .serve
                .map(|r| {
                    r.path
                        .split('/')
                        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                        .collect()
                })
                .unwrap_or_default();
            let in_path: BTreeSet<&str> = c
                .args
                .iter()
                .filter(|a| a.within == ArgIn::Path)
                .map(|a| a.name)
                .collect();
            assert_eq!(
                placeholders, in_path,
                "{}: the path's {{names}} are its path arguments",
                c.name
            );
            let mut names = BTreeSet::new();
            for a in c.args {
                assert!(
                    is_snake(a.name),
                    "{}: argument {} is snake_case",
                    c.name,
                    a.name
                );
                assert!(
                    names.insert(a.name),
                    "{}: argument {} twice",
                    c.name,
                    a.name
                );
                assert_eq!(
                    a.within == ArgIn::Desktop,
                    c.serve.is_none(),
                    "{}: {}",
                    c.name,
                    a.name
                );
            }
            let body = c.args.iter().filter(|a| a.within == ArgIn::Body).count();
            let fields = c
                .args
                .iter()
                .filter(|a| matches!(a.within, ArgIn::Field | ArgIn::ChosenPath))
                .count();
            assert!(
                body <= 1 && (body == 0 || fields == 0),
                "{}: one body, or fields",
                c.name
            );
            if c.args.iter().any(|a| a.within == ArgIn::ChosenPath) {
                assert!(
                    c.desktop,
                    "{}: a chosen path stands for the desktop's dialog",
                    c.name
                );
            }
            // TypeScript: optional parameters come last.
            let first_optional = c.args.iter().position(|a| a.within == ArgIn::Query);
            if let Some(i) = first_optional {
                assert!(
                    c.args[i..].iter().all(|a| a.within == ArgIn::Query),
                    "{}: query arguments (optional) come last",
                    c.name
                );
            }
        }
    }

    #[test]
    fn the_desktop_list_is_the_tables_desktop_commands() {
        macro_rules! names {
            ($($name:ident),*) => {
                vec![$(stringify!($name)),*]
            };
        }
        let listed: Vec<&str> = desktop_commands!(names);
        let table: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.desktop)
            .map(|c| c.name)
            .collect();
        assert_eq!(listed, table);
        for serve_only in ["files", "recent"] {
            assert!(!listed.contains(&serve_only));
        }
        assert!(listed.contains(&"save_image"));
    }
}
