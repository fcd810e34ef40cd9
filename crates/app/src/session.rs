//! A [`Session`]: one open design, its path, its unsaved state and its
//! autosave. Every command returns the new [`DocumentView`] (with fresh
//! validation) or a [`CommandError`] that leaves the document unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use archsim_model::connection::{check_connection, connection_rule};
use archsim_model::design::Group;
use archsim_model::file::to_string;
use archsim_model::starters::starter;
use archsim_model::{
    Component, ComponentKind, Connection, Design, Editor, GroupKind, Meaning, Op, Position,
    validate,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::dialog::{FileDialog, design_path};
use crate::recent::{RecentFile, RecentFiles};
use crate::recovery::{AUTOSAVE_INTERVAL_S, RecoveryOffer, RecoveryStore};
use crate::templates::{
    ExportedView, ImportedView, ProjectReportView, ProjectView, TemplateOptions,
};
use crate::view::{
    CommandError, ConnectCheck, DocumentView, ErrorCode, MeaningInfo, document_view,
};

/// One move of a drag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct MoveTo {
    pub id: String,
    pub position: Position,
}

/// An edit as the canvas asks for it. Each becomes one model [`Op`] (a
/// `Batch` where it takes several), so one undo reverts it. Ids of new
/// things are chosen here, not by the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// A component with AWS defaults; a cluster gets its group; `group`
    /// puts the new component inside a cluster.
    AddComponent {
        kind: ComponentKind,
        position: Position,
        name: Option<String>,
        group: Option<String>,
    },
    /// Connects two components; `meaning` defaults to the table's first.
    Connect {
        from: String,
        to: String,
        meaning: Option<Meaning>,
    },
    /// Deletes components, connections and user frames.
    Delete {
        ids: Vec<String>,
    },
    Move {
        moves: Vec<MoveTo>,
    },
    Rename {
        id: String,
        name: String,
    },
    /// Sets a property of a component or connection by dotted path.
    SetProperty {
        id: String,
        path: String,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        value: Value,
    },
    /// Copies components (with the connections among them), offset on the canvas.
    Duplicate {
        ids: Vec<String>,
        offset: Position,
    },
    /// Puts a component into a cluster's group, or takes it out (`group: None`).
    SetGroup {
        member: String,
        group: Option<String>,
    },
    /// Arranges the components in layers, left to right along the connections.
    AutoLayout,
    /// Draws a VPC, availability-zone or plain frame around components (a
    /// group the user made; Delete with its id removes it, not its members).
    Frame {
        kind: archsim_model::GroupKind,
        name: Option<String>,
        members: Vec<String>,
    },
    /// Replaces the design's traffic scenarios (the scenario editor saves
    /// its whole list at once; one undo step).
    SetScenarios {
        scenarios: Vec<archsim_model::Scenario>,
    },
    /// Gives a connection another of the meanings its pair allows (sync or
    /// async, ...), with that meaning's AWS defaults.
    SetMeaning {
        id: String,
        meaning: Meaning,
    },
    /// Sets the design's AWS region, one of `DocumentView::regions` (the
    /// regions with a price book); it chooses the bill's prices.
    SetRegion {
        region: String,
    },
    /// Sets one of AWS's hidden assumptions ("what if"): a field of
    /// `AccountView` (`lambda_idle_expiry_s`, `lambda_scaling`,
    /// `lambda_concurrency_limit`); the model checks its range.
    SetAccount {
        field: String,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        value: serde_json::Value,
    },
}

/// The document after an edit, and the ids the edit created.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct Applied {
    pub document: DocumentView,
    pub created: Vec<String>,
}

/// One open design.
#[derive(Debug)]
pub struct Session {
    editor: Editor,
    path: Option<PathBuf>,
    /// The file text as last saved or opened; dirty means the design differs.
    saved_text: Option<String>,
    recovery: Option<RecoveryStore>,
    recent: Option<RecentFiles>,
    /// The text last written to the recovery file, and when.
    autosaved: Option<(String, u64)>,
}

impl Session {
    fn with(design: Design, path: Option<PathBuf>, saved: bool) -> Self {
        let saved_text = saved.then(|| to_string(&design));
        Self {
            editor: Editor::new(design),
            path,
            saved_text,
            recovery: None,
            recent: None,
            autosaved: None,
        }
    }

    /// An empty, never-saved design.
    pub fn blank() -> Self {
        Self::with(Design::default(), None, true)
    }

    /// Opens a design file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CommandError> {
        let path = path.as_ref();
        let design = archsim_model::load(path)?;
        Ok(Self::with(design, Some(path.to_path_buf()), true))
    }

    /// A new, never-saved design from a starter (`blank`, `queue-worker`, ...).
    pub fn from_starter(name: &str) -> Result<Self, CommandError> {
        let s = starter(name).ok_or_else(|| {
            let names: Vec<&str> = archsim_model::starters::STARTERS
                .iter()
                .map(|s| s.name)
                .collect();
            CommandError {
                code: ErrorCode::UnknownStarter,
                message: format!("no starter design \"{name}\""),
                suggestion: Some(format!("choose one of: {}", names.join(", "))),
            }
        })?;
        let design = s.build()?;
        Ok(Self::with(design, None, false))
    }

    /// Keeps recovery files in this store (autosave is off without one).
    pub fn with_recovery(mut self, store: RecoveryStore) -> Self {
        self.recovery = Some(store);
        self
    }

    /// Keeps the recent-files list in this store: every open and save
    /// (and the design this session started on) goes first in it.
    pub fn with_recent(mut self, recent: RecentFiles) -> Self {
        if let Some(path) = &self.path {
            recent.remember(path).ok();
        }
        self.recent = Some(recent);
        self
    }

    /// The designs opened or saved lately, newest first.
    pub fn recent_files(&self) -> Vec<RecentFile> {
        self.recent
            .as_ref()
            .map(RecentFiles::list)
            .unwrap_or_default()
    }

    fn remember_recent(&self) {
        if let (Some(recent), Some(path)) = (&self.recent, &self.path) {
            // The list is a convenience: failing to update it must not fail
            // the save or open that just succeeded.
            recent.remember(path).ok();
        }
    }

    pub fn design(&self) -> &Design {
        self.editor.design()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_dirty(&self) -> bool {
        self.saved_text.as_deref() != Some(to_string(self.design()).as_str())
    }

    pub fn document(&self) -> DocumentView {
        let design = self.design();
        let (components, connections, groups) = document_view(design);
        DocumentView {
            name: design.name.clone(),
            path: self.path.as_ref().map(|p| p.to_string_lossy().into_owned()),
            dirty: self.is_dirty(),
            can_undo: self.editor.can_undo(),
            can_redo: self.editor.can_redo(),
            components,
            connections,
            groups,
            problems: validate(design),
            scenarios: design.scenarios.clone(),
            region: design.region.clone(),
            regions: archsim_model::REGIONS
                .iter()
                .map(|r| r.to_string())
                .collect(),
            export_profile: design.export_profile,
            account: (&design.account).into(),
        }
    }

    /// Whether `from` may connect to `to`, and with which meanings.
    pub fn can_connect(&self, from: &str, to: &str) -> Result<ConnectCheck, CommandError> {
        let kind_of = |id: &str| {
            self.design()
                .component(id)
                .map(|c| c.kind())
                .ok_or_else(|| {
                    CommandError::new(ErrorCode::NotFound, format!("no component \"{id}\""))
                })
        };
        let (a, b) = (kind_of(from)?, kind_of(to)?);
        if from == to {
            return Ok(ConnectCheck::Refused {
                reason: format!("A component cannot connect to itself ({from})."),
                suggestion: None,
            });
        }
        Ok(match connection_rule(a, b) {
            Some(rule) => ConnectCheck::Allowed {
                meanings: rule
                    .meanings
                    .iter()
                    .map(|&m| MeaningInfo {
                        meaning: m,
                        label: m.describe().to_string(),
                    })
                    .collect(),
                note: rule.note.to_string(),
            },
            None => {
                // The table has no row: ask the model for its refusal text.
                let refusal = check_connection(a, b, Meaning::InvokeSync)
                    .err()
                    .map(|r| (r.reason, r.suggestion))
                    .unwrap_or_default();
                ConnectCheck::Refused {
                    reason: refusal.0,
                    suggestion: refusal.1,
                }
            }
        })
    }

    /// Applies an edit as one undoable step.
    pub fn apply(&mut self, edit: Edit) -> Result<Applied, CommandError> {
        let (op, created) = self.to_op(edit)?;
        self.editor.apply(op)?;
        Ok(Applied {
            document: self.document(),
            created,
        })
    }

    /// Applies a model op as it is (the ops the file format and tests speak).
    pub fn apply_op(&mut self, op: Op) -> Result<DocumentView, CommandError> {
        self.editor.apply(op)?;
        Ok(self.document())
    }

    pub fn undo(&mut self) -> DocumentView {
        self.editor.undo();
        self.document()
    }

    pub fn redo(&mut self) -> DocumentView {
        self.editor.redo();
        self.document()
    }

    fn fresh_ids(&self, prefix: &str, taken: &mut BTreeSet<String>) -> String {
        let id = (1..)
            .map(|n| format!("{prefix}-{n}"))
            .find(|id| !self.design().contains_id(id) && !taken.contains(id))
            .unwrap_or_else(|| prefix.to_string());
        taken.insert(id.clone());
        id
    }

    fn to_op(&self, edit: Edit) -> Result<(Op, Vec<String>), CommandError> {
        let design = self.design();
        let mut taken = BTreeSet::new();
        Ok(match edit {
            Edit::AddComponent {
                kind,
                position,
                name,
                group,
            } => {
                let id = self.fresh_ids(kind.slug(), &mut taken);
                let n = id.rsplit('-').next().unwrap_or_default();
                let name = name.unwrap_or_else(|| format!("{} {n}", kind.label()));
                let mut ops = vec![Op::AddComponent {
                    component: Component::new(id.clone(), name.clone(), kind)
                        .at(position.x, position.y),
                }];
                if kind.is_cluster() {
                    let group_kind = if kind == ComponentKind::EcsCluster {
                        GroupKind::EcsCluster
                    } else {
                        GroupKind::EksCluster
                    };
                    ops.push(Op::CreateGroup {
                        group: Group {
                            id: self.fresh_ids(&format!("{id}-group"), &mut taken),
                            name,
                            kind: group_kind,
                            owner: Some(id.clone()),
                            members: BTreeSet::new(),
                        },
                    });
                }
                if let Some(group) = group {
                    ops.push(Op::AddToGroup {
                        group,
                        member: id.clone(),
                    });
                }
                (Op::Batch { ops }, vec![id])
            }
            Edit::Connect { from, to, meaning } => {
                let kind_of = |id: &str| {
                    design.component(id).map(|c| c.kind()).ok_or_else(|| {
                        CommandError::new(ErrorCode::NotFound, format!("no component \"{id}\""))
                    })
                };
                let (a, b) = (kind_of(&from)?, kind_of(&to)?);
                let meaning = match meaning {
                    Some(m) => m,
                    None => match connection_rule(a, b) {
                        Some(rule) => rule.meanings[0],
                        None => {
                            return Err(check_connection(a, b, Meaning::InvokeSync)
                                .err()
                                .map(CommandError::from)
                                .unwrap_or_else(|| {
                                    CommandError::new(ErrorCode::ConnectionRefused, "not allowed")
                                }));
                        }
                    },
                };
                let base = format!("{from}-{to}");
                let id = if design.contains_id(&base) {
                    self.fresh_ids(&base, &mut taken)
                } else {
                    base
                };
                let connection = Connection::new(id.clone(), from, to, meaning.default_kind_to(b));
                (Op::Connect { connection }, vec![id])
            }
            Edit::Delete { ids } => {
                let components: BTreeSet<&String> = ids
                    .iter()
                    .filter(|id| design.component(id).is_some())
                    .collect();
                let mut ops = Vec::new();
                for id in &ids {
                    if let Some(c) = design.connection(id) {
                        // Removing an end removes the connection already.
                        if !components.contains(&c.from) && !components.contains(&c.to) {
                            ops.push(Op::Disconnect { id: id.clone() });
                        }
                    } else if let Some(g) = design.group(id) {
                        if g.owner.is_none() {
                            ops.push(Op::DeleteGroup { id: id.clone() });
                        }
                    } else if design.component(id).is_none() {
                        return Err(CommandError::new(
                            ErrorCode::NotFound,
                            format!("nothing to delete called \"{id}\""),
                        ));
                    }
                }
                // A cluster's removal takes its group; remove members first
                // so undo restores memberships in order.
                let mut comps: Vec<&String> = components.into_iter().collect();
                comps.sort_by_key(|id| design.component(id).is_some_and(|c| c.kind().is_cluster()));
                ops.extend(
                    comps
                        .into_iter()
                        .map(|id| Op::RemoveComponent { id: id.clone() }),
                );
                (Op::Batch { ops }, Vec::new())
            }
            Edit::Move { moves } => (
                Op::Batch {
                    ops: moves
                        .into_iter()
                        .map(|m| Op::Move {
                            id: m.id,
                            position: m.position,
                        })
                        .collect(),
                },
                Vec::new(),
            ),
            Edit::Rename { id, name } => (Op::Rename { id, name }, Vec::new()),
            Edit::Frame {
                kind,
                name,
                members,
            } => {
                use archsim_model::GroupKind;
                if matches!(kind, GroupKind::EcsCluster | GroupKind::EksCluster) {
                    return Err(CommandError::new(
                        ErrorCode::InvalidEdit,
                        "a cluster's frame comes with its cluster: add an ECS or EKS cluster instead"
                            .to_string(),
                    ));
                }
                if members.is_empty() {
                    return Err(CommandError::new(
                        ErrorCode::InvalidEdit,
                        "select the components the frame should hold first".to_string(),
                    ));
                }
                if let Some(missing) = members.iter().find(|m| design.component(m).is_none()) {
                    return Err(CommandError::new(
                        ErrorCode::NotFound,
                        format!("no component \"{missing}\""),
                    ));
                }
                let (prefix, label) = match kind {
                    GroupKind::Vpc => ("vpc", "VPC"),
                    GroupKind::AvailabilityZone => ("az", "Availability zone"),
                    _ => ("frame", "Frame"),
                };
                let id = self.fresh_ids(prefix, &mut taken);
                let n = id.rsplit('-').next().unwrap_or_default().to_string();
                let group = Group {
                    id: id.clone(),
                    name: name.unwrap_or_else(|| format!("{label} {n}")),
                    kind,
                    owner: None,
                    members: members.into_iter().collect(),
                };
                (Op::CreateGroup { group }, vec![id])
            }
            Edit::SetScenarios { scenarios } => {
                let value = serde_json::to_value(&scenarios).map_err(|e| {
                    CommandError::new(ErrorCode::InvalidEdit, format!("scenarios: {e}"))
                })?;
                (
                    Op::SetDesignProperty {
                        path: "scenarios".into(),
                        value,
                    },
                    Vec::new(),
                )
            }
            Edit::SetAccount { field, value } => {
                const FIELDS: [&str; 3] = [
                    "lambda_idle_expiry_s",
                    "lambda_scaling",
                    "lambda_concurrency_limit",
                ];
                if !FIELDS.contains(&field.as_str()) {
                    return Err(CommandError::new(
                        ErrorCode::InvalidEdit,
                        format!(
                            "`{field}` is not an account setting the designer changes: one of {}",
                            FIELDS.join(", ")
                        ),
                    ));
                }
                (
                    Op::SetDesignProperty {
                        path: format!("account.{field}"),
                        value,
                    },
                    Vec::new(),
                )
            }
            Edit::SetRegion { region } => {
                if !archsim_model::is_known_region(&region) {
                    return Err(CommandError::new(
                        ErrorCode::InvalidEdit,
                        format!(
                            "archsim has no price book for region `{region}`: pick one of {}",
                            archsim_model::REGIONS.join(", ")
                        ),
                    ));
                }
                (
                    Op::SetDesignProperty {
                        path: "region".into(),
                        value: serde_json::Value::String(region),
                    },
                    Vec::new(),
                )
            }
            Edit::SetProperty { id, path, value } => {
                (Op::SetProperty { id, path, value }, Vec::new())
            }
            Edit::Duplicate { ids, offset } => self.duplicate(&ids, offset, &mut taken)?,
            Edit::SetMeaning { id, meaning } => {
                let conn = design.connection(&id).ok_or_else(|| {
                    CommandError::new(ErrorCode::NotFound, format!("no connection \"{id}\""))
                })?;
                let connection = Connection::new(
                    id.clone(),
                    conn.from.clone(),
                    conn.to.clone(),
                    meaning.default_kind(),
                );
                (
                    Op::Batch {
                        ops: vec![Op::Disconnect { id }, Op::Connect { connection }],
                    },
                    Vec::new(),
                )
            }
            Edit::AutoLayout => (
                Op::Batch {
                    ops: crate::layout::layered(design)
                        .into_iter()
                        .filter(|(id, p)| design.component(id).is_some_and(|c| c.position != *p))
                        .map(|(id, position)| Op::Move { id, position })
                        .collect(),
                },
                Vec::new(),
            ),
            Edit::SetGroup { member, group } => {
                let mut ops: Vec<Op> = design
                    .groups_of(&member)
                    .filter(|g| g.owner.as_deref() != Some(member.as_str()))
                    .filter(|g| Some(&g.id) != group.as_ref())
                    .map(|g| Op::RemoveFromGroup {
                        group: g.id.clone(),
                        member: member.clone(),
                    })
                    .collect();
                if let Some(group) = group
                    && !design
                        .group(&group)
                        .is_some_and(|g| g.members.contains(&member))
                {
                    ops.push(Op::AddToGroup { group, member });
                }
                (Op::Batch { ops }, Vec::new())
            }
        })
    }

    fn duplicate(
        &self,
        ids: &[String],
        offset: Position,
        taken: &mut BTreeSet<String>,
    ) -> Result<(Op, Vec<String>), CommandError> {
        let design = self.design();
        let mut new_id: BTreeMap<String, String> = BTreeMap::new();
        let mut ops = Vec::new();
        for id in ids {
            let Some(c) = design.component(id) else {
                continue;
            };
            let copy_id = self.fresh_ids(c.kind().slug(), taken);
            let mut copy = c.clone();
            copy.id = copy_id.clone();
            copy.name = format!("{} copy", c.name);
            copy.position = Position::new(c.position.x + offset.x, c.position.y + offset.y);
            ops.push(Op::AddComponent { component: copy });
            new_id.insert(id.clone(), copy_id);
        }
        if new_id.is_empty() {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "nothing to duplicate: the copied components are gone",
            ));
        }
        // Copied clusters get their own group; copied members join the copy
        // of their cluster, or stay in the original cluster.
        let mut group_copy: BTreeMap<String, String> = BTreeMap::new();
        for (old, new) in &new_id {
            if let Some(g) = design.group_owned_by(old) {
                let gid = self.fresh_ids(&format!("{new}-group"), taken);
                ops.push(Op::CreateGroup {
                    group: Group {
                        id: gid.clone(),
                        name: format!("{} copy", g.name),
                        kind: g.kind,
                        owner: Some(new.clone()),
                        members: BTreeSet::new(),
                    },
                });
                group_copy.insert(g.id.clone(), gid);
            }
        }
        for (old, new) in &new_id {
            for g in design.groups_of(old) {
                if g.owner.as_deref() == Some(old.as_str()) {
                    continue;
                }
                let group = group_copy
                    .get(&g.id)
                    .cloned()
                    .unwrap_or_else(|| g.id.clone());
                ops.push(Op::AddToGroup {
                    group,
                    member: new.clone(),
                });
            }
        }
        for conn in design.connections() {
            if let (Some(f), Some(t)) = (new_id.get(&conn.from), new_id.get(&conn.to)) {
                let id = self.fresh_ids(&format!("{f}-{t}"), taken);
                ops.push(Op::Connect {
                    connection: Connection::new(id, f.clone(), t.clone(), conn.kind.clone()),
                });
            }
        }
        Ok((Op::Batch { ops }, new_id.into_values().collect()))
    }

    // --- files ---------------------------------------------------------

    /// Saves to the current path.
    pub fn save(&mut self) -> Result<DocumentView, CommandError> {
        let Some(path) = self.path.clone() else {
            return Err(CommandError {
                code: ErrorCode::NoPath,
                message: "this design has not been saved yet".into(),
                suggestion: Some("use Save As to choose where".into()),
            });
        };
        self.save_to(path)
    }

    /// Asks the dialog where, then saves there; later saves go there too.
    pub fn save_as(&mut self, dialog: &dyn FileDialog) -> Result<DocumentView, CommandError> {
        let suggested = format!("{}.archsim.json", self.design().name);
        let path = dialog
            .save_design(&suggested)
            .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "save cancelled"))?;
        let path = design_path(&path)?;
        // A design still called by the default name takes the file's, as
        // an undoable edit: "Untitled" saved as shop.archsim.json is "shop".
        if self.design().name == Design::default().name
            && let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.trim_end_matches(".json").trim_end_matches(".archsim"))
                .filter(|s| !s.is_empty())
        {
            self.editor.apply(Op::SetDesignProperty {
                path: "name".into(),
                value: Value::from(stem),
            })?;
        }
        self.save_to(path)
    }

    fn save_to(&mut self, path: PathBuf) -> Result<DocumentView, CommandError> {
        archsim_model::save(self.design(), &path)?;
        if let Some(store) = &self.recovery {
            store.discard(self.path.as_deref());
            store.discard(Some(&path));
        }
        self.autosaved = None;
        self.saved_text = Some(to_string(self.design()));
        self.path = Some(path);
        self.remember_recent();
        Ok(self.document())
    }

    /// Replaces this session's design with the file the dialog picks.
    /// The caller asks about unsaved changes first.
    pub fn open_with(&mut self, dialog: &dyn FileDialog) -> Result<DocumentView, CommandError> {
        let path = dialog
            .open_design()
            .ok_or_else(|| CommandError::new(ErrorCode::Cancelled, "open cancelled"))?;
        let opened = Session::open(&path)?;
        self.replace(opened);
        self.remember_recent();
        Ok(self.document())
    }

    /// The design as a SAM or CloudFormation template.
    pub fn export_template(&self, options: TemplateOptions) -> Result<ExportedView, CommandError> {
        crate::templates::export_view(self.design(), options)
    }

    /// The design as a SAM project (template, handlers, events, README):
    /// the files, for the browser to zip.
    pub fn export_project(&self) -> Result<ProjectView, CommandError> {
        crate::templates::project_view(self.design(), self.path())
    }

    /// Writes the design's SAM project into `chosen` (an archsim project or
    /// an empty folder) or a new folder inside it; keeps the user's files.
    pub fn save_project(&self, chosen: &Path) -> Result<ProjectReportView, CommandError> {
        crate::templates::save_project(self.design(), self.path(), chosen)
    }

    /// Replaces this session's design with the design imported from a
    /// template file (`.yaml`, `.yml`, `.json`, `.template`), unsaved, so
    /// Save asks where. The caller asks about unsaved changes first.
    pub fn import_template(&mut self, path: &Path) -> Result<ImportedView, CommandError> {
        self.import_templates(&[path.to_path_buf()])
    }

    /// [`Session::import_template`] of several stacks that import each
    /// other's exports: one design, a frame per stack.
    pub fn import_templates(&mut self, paths: &[PathBuf]) -> Result<ImportedView, CommandError> {
        let imported = crate::templates::import(paths)?;
        self.replace(Session::with(imported.design, None, false));
        Ok(ImportedView {
            document: self.document(),
            report: imported.report.into(),
        })
    }

    /// Replaces this session's design with a new one from a starter.
    pub fn new_from_starter(&mut self, name: &str) -> Result<DocumentView, CommandError> {
        let fresh = Session::from_starter(name)?;
        self.replace(fresh);
        Ok(self.document())
    }

    fn replace(&mut self, other: Session) {
        // Leaving a design on purpose drops its recovery file.
        if let Some(store) = &self.recovery {
            store.discard(self.path.as_deref());
        }
        let recovery = self.recovery.take();
        let recent = self.recent.take();
        *self = other;
        self.recovery = recovery;
        self.recent = recent;
    }

    // --- autosave and recovery -------------------------------------------

    /// Writes unsaved changes to the recovery file when the interval has
    /// passed since the last write and the design changed since then.
    /// Returns the file written, if any.
    pub fn autosave(&mut self, now_unix: u64) -> Result<Option<PathBuf>, CommandError> {
        let Some(store) = &self.recovery else {
            return Ok(None);
        };
        if !self.is_dirty() {
            return Ok(None);
        }
        let text = to_string(self.design());
        if let Some((last_text, at)) = &self.autosaved
            && (*last_text == text || now_unix < at + AUTOSAVE_INTERVAL_S)
        {
            return Ok(None);
        }
        let file = store.write(self.path.as_deref(), self.design(), now_unix)?;
        self.autosaved = Some((text, now_unix));
        Ok(Some(file))
    }

    /// Unsaved work a crashed session left for this design.
    pub fn recovery_offer(&self) -> Option<RecoveryOffer> {
        let store = self.recovery.as_ref()?;
        // This session's own autosave holds work that is on screen (a page
        // reload asks again): nothing to offer back.
        if self.autosaved.is_some() {
            return None;
        }
        let offer = store.offer(self.path.as_deref())?;
        // Nor a copy equal to what is open.
        match store.read(self.path.as_deref()) {
            Ok(recovered) if &recovered == self.design() => None,
            _ => Some(offer),
        }
    }

    /// Takes the recovered design (unsaved, so Save writes it to the file).
    pub fn recover(&mut self) -> Result<DocumentView, CommandError> {
        let store = self.recovery.as_ref().ok_or_else(|| {
            CommandError::new(
                ErrorCode::NothingToRecover,
                "recovery is off for this session",
            )
        })?;
        let design = store.read(self.path.as_deref())?;
        self.editor = Editor::new(design);
        Ok(self.document())
    }

    /// Declines the offer and deletes the recovery file.
    pub fn discard_recovery(&mut self) {
        if let Some(store) = &self.recovery {
            store.discard(self.path.as_deref());
        }
    }

    /// A clean close: unsaved work was either saved or declined.
    pub fn close(&mut self) {
        self.discard_recovery();
    }
}
