//! Edits: every change to a design is an [`Op`] applied through
//! [`Editor::apply`], which checks it, applies it and records its inverse
//! for undo. An op that fails changes nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::component::{Component, Position, Props};
use crate::connection::{Connection, check_connection};
use crate::design::{Design, Group, GroupKind};
use crate::schema::{component_specs, connection_specs, range_violations};

/// One edit. Ops serialise, so the UI sends them as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    AddComponent {
        component: Component,
    },
    /// Removes a component with its connections and group memberships (and
    /// the group it owns, for a cluster).
    RemoveComponent {
        id: String,
    },
    Connect {
        connection: Connection,
    },
    Disconnect {
        id: String,
    },
    Move {
        id: String,
        position: Position,
    },
    Rename {
        id: String,
        name: String,
    },
    /// Sets a property of a component or a connection by dotted path
    /// (`memory_mb`, `containers[0].cpu`, `batch_size`).
    SetProperty {
        id: String,
        path: String,
        value: Value,
    },
    /// Sets a design-level setting (`serverless`, `account.lambda_concurrency_limit`).
    SetDesignProperty {
        path: String,
        value: Value,
    },
    CreateGroup {
        group: Group,
    },
    DeleteGroup {
        id: String,
    },
    AddToGroup {
        group: String,
        member: String,
    },
    RemoveFromGroup {
        group: String,
        member: String,
    },
    /// Several ops as one step: all apply or none.
    Batch {
        ops: Vec<Op>,
    },
}

/// Why an op was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("no component, connection or group \"{0}\"")]
    NotFound(String),
    #[error("the id \"{0}\" is already taken")]
    DuplicateId(String),
    #[error("empty id")]
    EmptyId,
    #[error("cannot connect {from} to {to}: {refusal}")]
    ConnectionRefused {
        from: String,
        to: String,
        refusal: crate::connection::Refusal,
    },
    #[error("{id}: {message}")]
    InvalidProperty { id: String, message: String },
    #[error("{0}")]
    InvalidGroup(String),
    #[error("position must be finite numbers")]
    InvalidPosition,
}

/// A design with its undo and redo history.
#[derive(Debug, Clone, Default)]
pub struct Editor {
    design: Design,
    undo: Vec<Op>,
    redo: Vec<Op>,
}

impl Editor {
    pub fn new(design: Design) -> Self {
        Self {
            design,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    pub fn design(&self) -> &Design {
        &self.design
    }

    pub fn into_design(self) -> Design {
        self.design
    }

    /// Applies an op, records its inverse and forgets the redo history.
    pub fn apply(&mut self, op: Op) -> Result<(), EditError> {
        let inverse = apply_op(&mut self.design, op)?;
        self.undo.push(inverse);
        self.redo.clear();
        Ok(())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Undoes the last op; false when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        Self::step(&mut self.design, &mut self.undo, &mut self.redo)
    }

    /// Redoes the last undone op; false when there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        Self::step(&mut self.design, &mut self.redo, &mut self.undo)
    }

    fn step(design: &mut Design, from: &mut Vec<Op>, to: &mut Vec<Op>) -> bool {
        let Some(op) = from.pop() else { return false };
        match apply_op(design, op.clone()) {
            Ok(inverse) => {
                to.push(inverse);
                true
            }
            Err(e) => {
                // An inverse always applies to the state it was made for.
                debug_assert!(false, "inverse op failed: {e}");
                from.push(op);
                false
            }
        }
    }
}

/// Applies one op to a design and returns the op that undoes it. On error
/// the design is unchanged.
pub fn apply_op(design: &mut Design, op: Op) -> Result<Op, EditError> {
    match op {
        Op::AddComponent { component } => {
            check_new_id(design, &component.id)?;
            check_position(component.position)?;
            let id = component.id.clone();
            check_props(&id, &component.props)?;
            design.insert_component(component);
            Ok(Op::RemoveComponent { id })
        }
        Op::RemoveComponent { id } => {
            if design.component(&id).is_none() {
                return Err(EditError::NotFound(id));
            }
            // Undo must bring back the connections and memberships too.
            let mut restore = Vec::new();
            let mut edge_ids: Vec<String> = design
                .outgoing(&id)
                .into_iter()
                .chain(design.incoming(&id))
                .map(|(c, _)| c.id.clone())
                .collect();
            edge_ids.sort();
            edge_ids.dedup();
            let owned: Vec<String> = design
                .groups()
                .filter(|g| g.owner.as_deref() == Some(&id))
                .map(|g| g.id.clone())
                .collect();
            let memberships: Vec<String> = design
                .groups_of(&id)
                .filter(|g| g.owner.as_deref() != Some(&id))
                .map(|g| g.id.clone())
                .collect();
            let mut connections = Vec::new();
            for e in &edge_ids {
                connections.extend(design.remove_connection(e));
            }
            let mut groups = Vec::new();
            for g in &owned {
                groups.extend(design.remove_group(g));
            }
            let component = design
                .remove_component(&id)
                .ok_or_else(|| EditError::NotFound(id.clone()))?;
            restore.push(Op::AddComponent { component });
            restore.extend(
                connections
                    .into_iter()
                    .map(|connection| Op::Connect { connection }),
            );
            restore.extend(groups.into_iter().map(|group| Op::CreateGroup { group }));
            restore.extend(memberships.into_iter().map(|group| Op::AddToGroup {
                group,
                member: id.clone(),
            }));
            Ok(Op::Batch { ops: restore })
        }
        Op::Connect { connection } => {
            check_new_id(design, &connection.id)?;
            let (Some(from), Some(to)) = (
                design.component(&connection.from),
                design.component(&connection.to),
            ) else {
                let missing = if design.component(&connection.from).is_none() {
                    connection.from
                } else {
                    connection.to
                };
                return Err(EditError::NotFound(missing));
            };
            check_connection(from.kind(), to.kind(), connection.kind.meaning()).map_err(
                |refusal| EditError::ConnectionRefused {
                    from: from.name.clone(),
                    to: to.name.clone(),
                    refusal,
                },
            )?;
            let value = serde_json::to_value(&connection.kind).unwrap_or(Value::Null);
            check_ranges(
                &connection.id,
                &value,
                &connection_specs(connection.kind.meaning()),
            )?;
            let id = connection.id.clone();
            design.insert_connection(connection);
            Ok(Op::Disconnect { id })
        }
        Op::Disconnect { id } => {
            let connection = design
                .remove_connection(&id)
                .ok_or(EditError::NotFound(id))?;
            Ok(Op::Connect { connection })
        }
        Op::Move { id, position } => {
            check_position(position)?;
            let c = design
                .component_mut(&id)
                .ok_or_else(|| EditError::NotFound(id.clone()))?;
            let old = std::mem::replace(&mut c.position, position);
            Ok(Op::Move { id, position: old })
        }
        Op::Rename { id, name } => {
            let c = design
                .component_mut(&id)
                .ok_or_else(|| EditError::NotFound(id.clone()))?;
            let old = std::mem::replace(&mut c.name, name);
            Ok(Op::Rename { id, name: old })
        }
        Op::SetProperty { id, path, value } => set_property(design, id, path, value),
        Op::SetDesignProperty { path, value } => set_design_property(design, path, value),
        Op::CreateGroup { group } => {
            check_new_id(design, &group.id)?;
            if let Some(m) = group
                .members
                .iter()
                .chain(group.owner.iter())
                .find(|m| design.component(m).is_none())
            {
                return Err(EditError::NotFound(m.clone()));
            }
            if let Some(owner) = &group.owner {
                let kind = design.component(owner).map(|c| c.kind());
                let fits = matches!(
                    (group.kind, kind),
                    (
                        GroupKind::EcsCluster,
                        Some(crate::ComponentKind::EcsCluster)
                    ) | (
                        GroupKind::EksCluster,
                        Some(crate::ComponentKind::EksCluster)
                    )
                );
                if !fits {
                    return Err(EditError::InvalidGroup(format!(
                        "group {} of kind {:?} cannot be owned by {owner}",
                        group.id, group.kind
                    )));
                }
                if design.group_owned_by(owner).is_some() {
                    return Err(EditError::InvalidGroup(format!(
                        "{owner} already owns a group"
                    )));
                }
            }
            for m in &group.members {
                check_one_cluster(design, &group, m)?;
            }
            let id = group.id.clone();
            design.insert_group(group);
            Ok(Op::DeleteGroup { id })
        }
        Op::DeleteGroup { id } => {
            let group = design.remove_group(&id).ok_or(EditError::NotFound(id))?;
            Ok(Op::CreateGroup { group })
        }
        Op::AddToGroup { group, member } => {
            if design.component(&member).is_none() {
                return Err(EditError::NotFound(member));
            }
            let g = design
                .group(&group)
                .ok_or_else(|| EditError::NotFound(group.clone()))?
                .clone();
            if g.members.contains(&member) {
                return Err(EditError::InvalidGroup(format!(
                    "{member} is already in group {group}"
                )));
            }
            check_one_cluster(design, &g, &member)?;
            if let Some(g) = design.group_mut(&group) {
                g.members.insert(member.clone());
            }
            Ok(Op::RemoveFromGroup { group, member })
        }
        Op::RemoveFromGroup { group, member } => {
            let g = design
                .group_mut(&group)
                .ok_or_else(|| EditError::NotFound(group.clone()))?;
            if !g.members.remove(&member) {
                return Err(EditError::InvalidGroup(format!(
                    "{member} is not in group {group}"
                )));
            }
            Ok(Op::AddToGroup { group, member })
        }
        Op::Batch { ops } => {
            let mut inverses = Vec::with_capacity(ops.len());
            for op in ops {
                match apply_op(design, op) {
                    Ok(inv) => inverses.push(inv),
                    Err(e) => {
                        for inv in inverses.into_iter().rev() {
                            let _ = apply_op(design, inv);
                        }
                        return Err(e);
                    }
                }
            }
            inverses.reverse();
            Ok(Op::Batch { ops: inverses })
        }
    }
}

fn check_new_id(design: &Design, id: &str) -> Result<(), EditError> {
    if id.is_empty() {
        return Err(EditError::EmptyId);
    }
    if design.contains_id(id) {
        return Err(EditError::DuplicateId(id.to_string()));
    }
    Ok(())
}

fn check_position(p: Position) -> Result<(), EditError> {
    if p.x.is_finite() && p.y.is_finite() {
        Ok(())
    } else {
        Err(EditError::InvalidPosition)
    }
}

/// A component sits in at most one cluster.
fn check_one_cluster(design: &Design, group: &Group, member: &str) -> Result<(), EditError> {
    let is_cluster = |k: GroupKind| matches!(k, GroupKind::EcsCluster | GroupKind::EksCluster);
    if is_cluster(group.kind)
        && let Some(other) = design
            .groups_of(member)
            .find(|g| is_cluster(g.kind) && g.id != group.id)
    {
        return Err(EditError::InvalidGroup(format!(
            "{member} is already in cluster group {}",
            other.id
        )));
    }
    Ok(())
}

fn check_props(id: &str, props: &Props) -> Result<(), EditError> {
    let value = serde_json::to_value(props).unwrap_or(Value::Null);
    check_ranges(id, &value, &component_specs(props.kind()))
}

fn check_ranges(
    id: &str,
    value: &Value,
    specs: &[crate::schema::PropertySpec],
) -> Result<(), EditError> {
    match range_violations(value, specs).first() {
        Some(v) => Err(EditError::InvalidProperty {
            id: id.to_string(),
            message: v.to_string(),
        }),
        None => Ok(()),
    }
}

fn set_property(
    design: &mut Design,
    id: String,
    path: String,
    value: Value,
) -> Result<Op, EditError> {
    let invalid = |message: String| EditError::InvalidProperty {
        id: id.clone(),
        message,
    };
    if let Some(c) = design.component(&id) {
        let kind = c.kind();
        let mut tree = serde_json::to_value(&c.props).map_err(|e| invalid(e.to_string()))?;
        let old = replace_at(&mut tree, &path, value).map_err(&invalid)?;
        let props = Props::deserialize_for(kind, tree.clone())
            .map_err(|e| invalid(format!("{path}: {e}")))?;
        check_ranges(&id, &tree, &component_specs(kind))?;
        if let Some(c) = design.component_mut(&id) {
            c.props = props;
        }
        return Ok(Op::SetProperty {
            id,
            path,
            value: old,
        });
    }
    if let Some(conn) = design.connection(&id) {
        // Confirming an inferred connection clears its mark (`null`);
        // undo puts the mark back.
        if path == "inferred" {
            let inferred: Option<crate::connection::Inferred> =
                serde_json::from_value(value).map_err(|e| invalid(format!("inferred: {e}")))?;
            let old = serde_json::to_value(&conn.inferred).map_err(|e| invalid(e.to_string()))?;
            if let Some(conn) = design.connection_mut(&id) {
                conn.inferred = inferred;
            }
            return Ok(Op::SetProperty {
                id,
                path,
                value: old,
            });
        }
        // An SNS subscription's filter policy (`null` removes it); its
        // syntax is validation's to judge, as a template may hold any.
        if path == "filter_policy" {
            let filter: Option<crate::filter_policy::SubscriptionFilter> =
                serde_json::from_value(value)
                    .map_err(|e| invalid(format!("filter_policy: {e}")))?;
            let from = design.component(&conn.from).map(|c| c.kind());
            if filter.is_some() && !from.is_some_and(|k| conn.is_subscription(k)) {
                return Err(invalid(
                    "only an SNS topic's subscriptions have a filter policy".into(),
                ));
            }
            let old =
                serde_json::to_value(&conn.filter_policy).map_err(|e| invalid(e.to_string()))?;
            if let Some(conn) = design.connection_mut(&id) {
                conn.filter_policy = filter;
            }
            return Ok(Op::SetProperty {
                id,
                path,
                value: old,
            });
        }
        let mut tree = serde_json::to_value(&conn.kind).map_err(|e| invalid(e.to_string()))?;
        if path == "meaning" {
            return Err(invalid(
                "the meaning of a connection is fixed; disconnect and connect again".into(),
            ));
        }
        let old = replace_at(&mut tree, &path, value).map_err(&invalid)?;
        let kind: crate::connection::ConnectionKind =
            serde_json::from_value(tree.clone()).map_err(|e| invalid(format!("{path}: {e}")))?;
        check_ranges(&id, &tree, &connection_specs(kind.meaning()))?;
        if let Some(conn) = design.connection_mut(&id) {
            conn.kind = kind;
        }
        return Ok(Op::SetProperty {
            id,
            path,
            value: old,
        });
    }
    Err(EditError::NotFound(id))
}

/// The idle expiry a what-if may set, s: from a minute to a day.
pub const IDLE_EXPIRY_S: (u32, u32) = (60, 86_400);

fn set_design_property(design: &mut Design, path: String, value: Value) -> Result<Op, EditError> {
    let invalid = |message: String| EditError::InvalidProperty {
        id: "design".into(),
        message,
    };
    let mut settings = serde_json::json!({
        "name": design.name,
        "description": design.description,
        "region": design.region,
        "serverless": design.serverless,
        "account": design.account,
        "export_profile": design.export_profile,
        "scenarios": design.scenarios,
    });
    let old = replace_at(&mut settings, &path, value).map_err(&invalid)?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Settings {
        name: String,
        description: String,
        region: String,
        serverless: bool,
        account: crate::design::AccountSettings,
        export_profile: crate::design::ExportProfile,
        scenarios: Vec<crate::Scenario>,
    }
    let s: Settings =
        serde_json::from_value(settings).map_err(|e| invalid(format!("{path}: {e}")))?;
    if s.account.unreserved_concurrency_min > s.account.lambda_concurrency_limit {
        return Err(invalid(
            "the unreserved minimum cannot exceed the concurrency limit".into(),
        ));
    }
    if !(IDLE_EXPIRY_S.0..=IDLE_EXPIRY_S.1).contains(&s.account.lambda_idle_expiry_s) {
        return Err(invalid(format!(
            "account.lambda_idle_expiry_s: {} s is outside {}..{} s (an idle environment lives at least a minute; 600 s is what has been observed)",
            s.account.lambda_idle_expiry_s, IDLE_EXPIRY_S.0, IDLE_EXPIRY_S.1
        )));
    }
    design.name = s.name;
    design.description = s.description;
    design.region = s.region;
    design.serverless = s.serverless;
    design.account = s.account;
    design.export_profile = s.export_profile;
    design.scenarios = s.scenarios;
    Ok(Op::SetDesignProperty { path, value: old })
}

/// Replaces the value at a dotted path (`a.b[2].c`) and returns the old
/// one. The path must exist, except that a missing last key of an object
/// is created (an optional field being set for the first time).
fn replace_at(root: &mut Value, path: &str, value: Value) -> Result<Value, String> {
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped
                .find(']')
                .ok_or_else(|| format!("bad path {path}: missing ]"))?;
            let index = stripped[..end]
                .parse::<usize>()
                .map_err(|_| format!("bad path {path}: {} is not an index", &stripped[..end]))?;
            segments.push(Segment::Index(index));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("bad path {path}"));
        }
    }
    let Some((last, parents)) = segments.split_last() else {
        return Err("empty property path".into());
    };
    let mut node = root;
    for seg in parents {
        node = match seg {
            Segment::Key(k) => node.get_mut(*k),
            Segment::Index(i) => node.get_mut(*i),
        }
        .ok_or_else(|| format!("no property {path}"))?;
    }
    match last {
        Segment::Key(k) => {
            let obj = node
                .as_object_mut()
                .ok_or_else(|| format!("no property {path}"))?;
            Ok(obj.insert((*k).to_string(), value).unwrap_or(Value::Null))
        }
        Segment::Index(i) => {
            let slot = node
                .get_mut(*i)
                .ok_or_else(|| format!("no property {path}"))?;
            Ok(std::mem::replace(slot, value))
        }
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::ComponentKind as K;
    use crate::connection::{ConnectionKind, InvokeMode, Meaning};
    use serde_json::json;

    fn editor() -> Editor {
        let mut e = Editor::default();
        e.apply(Op::AddComponent {
            component: Component::new("bucket", "Uploads", K::S3Bucket),
        })
        .unwrap();
        e.apply(Op::AddComponent {
            component: Component::new("fn", "Resize", K::LambdaFunction),
        })
        .unwrap();
        e
    }

    #[test]
    fn disallowed_connection_is_refused_with_reason() {
        let mut e = editor();
        let err = e
            .apply(Op::Connect {
                connection: Connection::new(
                    "c",
                    "fn",
                    "bucket",
                    Meaning::InvokeAsync.default_kind(),
                ),
            })
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("Resize") && msg.contains("Allowed: uses"),
            "{msg}"
        );
        assert_eq!(e.design().connection_count(), 0);
    }

    #[test]
    fn set_property_checks_type_and_range() {
        let mut e = editor();
        let set = |v: Value| Op::SetProperty {
            id: "fn".into(),
            path: "memory_mb".into(),
            value: v,
        };
        e.apply(set(json!(1024))).unwrap();
        let err = e.apply(set(json!(64))).unwrap_err().to_string();
        assert!(err.contains("128") && err.contains("10240"), "{err}");
        let err = e.apply(set(json!("big"))).unwrap_err().to_string();
        assert!(err.contains("memory_mb"), "{err}");
        let err = e
            .apply(Op::SetProperty {
                id: "fn".into(),
                path: "colour".into(),
                value: json!(1),
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(e.undo());
        match &e.design().component("fn").unwrap().props {
            Props::LambdaFunction(l) => assert_eq!(l.memory_mb, 128),
            _ => unreachable!(),
        }
    }

    #[test]
    fn optional_fields_can_be_set_and_unset() {
        let mut e = editor();
        e.apply(Op::SetProperty {
            id: "fn".into(),
            path: "reserved_concurrency".into(),
            value: json!(50),
        })
        .unwrap();
        e.apply(Op::SetProperty {
            id: "fn".into(),
            path: "reserved_concurrency".into(),
            value: Value::Null,
        })
        .unwrap();
        e.undo();
        match &e.design().component("fn").unwrap().props {
            Props::LambdaFunction(l) => assert_eq!(l.reserved_concurrency, Some(50)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn connection_properties_are_editable_within_range() {
        let mut e = editor();
        e.apply(Op::AddComponent {
            component: Component::new("q", "Jobs", K::SqsQueue),
        })
        .unwrap();
        e.apply(Op::Connect {
            connection: Connection::new("q-fn", "q", "fn", Meaning::Poll.default_kind()),
        })
        .unwrap();
        let set = |v| Op::SetProperty {
            id: "q-fn".into(),
            path: "batch_size".into(),
            value: v,
        };
        e.apply(set(json!(100))).unwrap();
        assert!(e.apply(set(json!(0))).is_err());
    }

    #[test]
    fn confirming_an_inferred_connection_clears_its_mark_and_undo_restores_it() {
        let mut e = editor();
        e.apply(Op::AddComponent {
            component: Component::new("q", "Jobs", K::SqsQueue),
        })
        .unwrap();
        e.apply(Op::Connect {
            connection: Connection::new("fn-q", "fn", "q", ConnectionKind::Publishes).inferred(
                "statement sqs:* on * and Jobs named in its environment",
                true,
            ),
        })
        .unwrap();
        let mark = |e: &Editor| e.design().connection("fn-q").unwrap().inferred.clone();
        assert!(mark(&e).is_some_and(|m| m.weak));
        e.apply(Op::SetProperty {
            id: "fn-q".into(),
            path: "inferred".into(),
            value: Value::Null,
        })
        .unwrap();
        assert_eq!(mark(&e), None);
        e.undo();
        assert!(mark(&e).is_some_and(|m| m.weak && m.evidence.contains("sqs:*")));
        // A mark that is not one is refused.
        assert!(
            e.apply(Op::SetProperty {
                id: "fn-q".into(),
                path: "inferred".into(),
                value: json!("yes"),
            })
            .is_err()
        );
    }

    #[test]
    fn remove_and_undo_restores_connections_and_groups() {
        let mut e = editor();
        e.apply(Op::Connect {
            connection: Connection::new(
                "c",
                "bucket",
                "fn",
                ConnectionKind::Invoke {
                    mode: InvokeMode::Async,
                },
            ),
        })
        .unwrap();
        e.apply(Op::CreateGroup {
            group: Group {
                id: "frame".into(),
                name: "Pipeline".into(),
                kind: GroupKind::Frame,
                owner: None,
                members: ["fn".to_string()].into(),
            },
        })
        .unwrap();
        let before = e.design().clone();
        e.apply(Op::RemoveComponent { id: "fn".into() }).unwrap();
        assert_eq!(e.design().connection_count(), 0);
        assert!(e.design().group("frame").unwrap().members.is_empty());
        assert!(e.undo());
        assert_eq!(e.design(), &before);
        assert!(e.redo());
        assert!(e.design().component("fn").is_none());
        e.design().check_integrity().unwrap();
    }

    #[test]
    fn failed_batch_changes_nothing() {
        let mut e = editor();
        let before = e.design().clone();
        let err = e.apply(Op::Batch {
            ops: vec![
                Op::Move {
                    id: "fn".into(),
                    position: Position::new(5.0, 5.0),
                },
                Op::Rename {
                    id: "ghost".into(),
                    name: "x".into(),
                },
            ],
        });
        assert!(err.is_err());
        assert_eq!(e.design(), &before);
    }

    #[test]
    fn a_component_sits_in_one_cluster() {
        let mut e = Editor::default();
        for (id, kind) in [
            ("c1", K::EcsCluster),
            ("c2", K::EcsCluster),
            ("svc", K::EcsService),
        ] {
            e.apply(Op::AddComponent {
                component: Component::new(id, id, kind),
            })
            .unwrap();
        }
        for c in ["c1", "c2"] {
            e.apply(Op::CreateGroup {
                group: Group {
                    id: format!("{c}-group"),
                    name: c.into(),
                    kind: GroupKind::EcsCluster,
                    owner: Some(c.into()),
                    members: Default::default(),
                },
            })
            .unwrap();
        }
        e.apply(Op::AddToGroup {
            group: "c1-group".into(),
            member: "svc".into(),
        })
        .unwrap();
        assert!(
            e.apply(Op::AddToGroup {
                group: "c2-group".into(),
                member: "svc".into(),
            })
            .is_err()
        );
        assert_eq!(e.design().cluster_of("svc").unwrap().id, "c1");
        // Removing the cluster removes its group; undo brings both back.
        let before = e.design().clone();
        e.apply(Op::RemoveComponent { id: "c1".into() }).unwrap();
        assert!(e.design().group("c1-group").is_none());
        e.undo();
        assert_eq!(e.design(), &before);
    }

    #[test]
    fn design_settings_are_editable() {
        let mut e = editor();
        e.apply(Op::SetDesignProperty {
            path: "account.lambda_concurrency_limit".into(),
            value: json!(3000),
        })
        .unwrap();
        assert_eq!(e.design().account.lambda_concurrency_limit, 3000);
        assert!(
            e.apply(Op::SetDesignProperty {
                path: "account.lambda_concurrency_limit".into(),
                value: json!(50),
            })
            .is_err()
        );
        e.undo();
        assert_eq!(e.design().account.lambda_concurrency_limit, 1000);
    }

    #[test]
    fn ops_serialise_for_the_ui() {
        let op = Op::Move {
            id: "fn".into(),
            position: Position::new(1.0, 2.0),
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["op"], "move");
        assert_eq!(serde_json::from_value::<Op>(json).unwrap(), op);
    }

    #[test]
    fn replace_at_walks_lists() {
        let mut v = json!({"containers": [{"cpu": 1}, {"cpu": 2}]});
        let old = replace_at(&mut v, "containers[1].cpu", json!(5)).unwrap();
        assert_eq!(old, json!(2));
        assert_eq!(v["containers"][1]["cpu"], 5);
        assert!(replace_at(&mut v, "containers[9].cpu", json!(5)).is_err());
        assert!(replace_at(&mut v, "containers[x]", json!(5)).is_err());
    }
}
