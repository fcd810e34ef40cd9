//! # archsim-app
//!
//! The command layer of the archsim designer: what the desktop shell and
//! `archsim serve` both call. A [`Session`] owns one open design (an
//! [`archsim_model::Editor`] with undo/redo), its path and whether it has
//! unsaved changes; commands take plain values and return plain values
//! ([`DocumentView`], [`ConnectCheck`], [`CommandError`]) that serialise to
//! the JSON the web UI reads. The TypeScript declarations of those types are
//! generated from this crate with ts-rs (`--features ts`, see
//! `tests/typescript.rs`), never written by hand.
//!
//! [`COMMANDS`] (`commands.rs`, the [`with_commands!`] table) lists every
//! command once, with its HTTP route and desktop name; `archsim serve`, the
//! desktop shell and the UI's generated client follow it.
//!
//! Beside the session: [`cost_panel()`] prices a design as `archsim cost`
//! does (same code, archsim-cost's `design_cost`), and [`run_report()`]
//! simulates a scenario and writes its results as an HTML page and CSV
//! files.
//!
//! Architecture invariant: no UI, no HTTP, no timers and no native dialogs
//! live here. File dialogs come in through the [`FileDialog`] trait; the
//! autosave clock is a number the caller passes in.
//!
//! ```
//! use archsim_app::{ConnectCheck, Edit, Session};
//! use archsim_model::{ComponentKind, Position};
//!
//! let mut session = Session::blank();
//! let add = |kind| Edit::AddComponent { kind, position: Position::new(0.0, 0.0), name: None, group: None };
//! let bucket = session.apply(add(ComponentKind::S3Bucket)).unwrap().created[0].clone();
//! let lambda = session.apply(add(ComponentKind::LambdaFunction)).unwrap().created[0].clone();
//! assert!(matches!(session.can_connect(&bucket, &lambda), Ok(ConnectCheck::Allowed { .. })));
//! assert!(matches!(session.can_connect(&lambda, &bucket), Ok(ConnectCheck::Allowed { .. })));
//! session.apply(Edit::Connect { from: bucket, to: lambda, meaning: None }).unwrap();
//! assert!(session.is_dirty());
//! ```

mod commands;
mod cost_panel;
mod dialog;
mod forms;
mod layout;
mod live;
mod palette;
mod present;
mod recent;
mod recovery;
mod report;
mod session;
mod sim_view;
mod templates;
mod view;

pub use commands::{Arg, ArgIn, COMMANDS, Command, Method, Route, command};
pub use cost_panel::{
    BreakEvenView, ComponentCostView, CostAssumptionsView, CostLineView, CostOptions, CostPanel,
    CostSource, CrossingView, FunctionChoice, LambdaBillingMode, NotPricedView, SimulatedRunView,
    cost_panel,
};
pub use dialog::{ChosenPath, DirEntry, DirListing, FileDialog, FileKind, list_dir};
pub use forms::{FieldType, FormField, component_form, connection_form};
pub use live::{
    Health, LIVE_MAX_TRACES, LiveComponent, LiveControl, LiveEvent, LiveRun, LiveSlot, LiveStart,
    LiveView, MAX_SERIES_POINTS, MAX_SLICE_S, MAX_WALL_STEP_S, SeriesView, deploy_target,
    describe_event,
};
pub use palette::{PaletteGroup, PaletteKind, StarterInfo, palette, starters};
pub use present::{PRESENTER, presenter_args, presenter_binary, start_presenter};
pub use recent::{RECENT_LIMIT, RecentFile, RecentFiles};
pub use recovery::{AUTOSAVE_INTERVAL_S, RecoveryOffer, RecoveryStore};
pub use report::{
    COMPONENTS_CSV_HEADER, ReportOptions, RunReport, SERIES_CSV_HEADER, report_of_run, run_report,
    write_report,
};
pub use session::{Applied, Edit, MoveTo, Session};
pub use sim_view::{
    CapacityNow, DeploymentNow, DeploymentOutcome, FrameComponent, InstanceNow, PlacementNow,
    RequestTrace, Segment, Series, ServiceTasksNow, TaskNow, VersionNow,
};
pub use templates::{
    ExportedView, ImportReportView, ImportedView, ManifestView, ProjectFileView, ProjectReportView,
    ProjectView, TEMPLATE_EXTENSIONS, TemplateFlavour, TemplateNetwork, TemplateOptions,
    TemplateSyntax, template_path, write_export,
};
pub use view::{
    CommandError, ComponentView, ConnectCheck, ConnectionView, DocumentView, ErrorCode, GroupView,
    LayerLimit, MeaningInfo,
};
