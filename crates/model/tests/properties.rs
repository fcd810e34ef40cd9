//! Property tests: random edit sequences keep the design consistent, save
//! then load is the identity, and undo of any sequence returns the start.

use archsim_model::file::{parse_str, to_string};
use archsim_model::schema::component_specs;
use archsim_model::starters::STARTERS;
use archsim_model::{
    Component, ComponentKind, Connection, Design, Editor, Group, GroupKind, Op, Position,
    connection::connection_rule,
};
use proptest::prelude::*;

/// An edit described by numbers, turned into a real op against the
/// current design (indices pick among what exists).
#[derive(Debug, Clone)]
enum Edit {
    Add(usize, i16, i16),
    Remove(usize),
    Connect(usize, usize, usize),
    Disconnect(usize),
    Move(usize, i16, i16),
    Rename(usize, String),
    SetProperty(usize, usize, u32),
    Group(Vec<usize>),
    AddToGroup(usize, usize),
    RemoveFromGroup(usize, usize),
    DeleteGroup(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), any::<i16>(), any::<i16>()).prop_map(|(k, x, y)| Edit::Add(k, x, y)),
        1 => any::<usize>().prop_map(Edit::Remove),
        3 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(a, b, m)| Edit::Connect(a, b, m)),
        1 => any::<usize>().prop_map(Edit::Disconnect),
        1 => (any::<usize>(), any::<i16>(), any::<i16>()).prop_map(|(i, x, y)| Edit::Move(i, x, y)),
        1 => (any::<usize>(), "[a-zA-Z0-9 é\"\\\\]{0,12}").prop_map(|(i, s)| Edit::Rename(i, s)),
        2 => (any::<usize>(), any::<usize>(), any::<u32>()).prop_map(|(i, p, v)| Edit::SetProperty(i, p, v)),
        1 => prop::collection::vec(any::<usize>(), 0..4).prop_map(Edit::Group),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(g, m)| Edit::AddToGroup(g, m)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(g, m)| Edit::RemoveFromGroup(g, m)),
        1 => any::<usize>().prop_map(Edit::DeleteGroup),
    ]
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

fn to_op(d: &Design, e: &Edit) -> Option<Op> {
    let comps: Vec<String> = d.components().map(|c| c.id.clone()).collect();
    let conns: Vec<String> = d.connections().map(|c| c.id.clone()).collect();
    let groups: Vec<String> = d.groups().map(|g| g.id.clone()).collect();
    Some(match e {
        Edit::Add(k, x, y) => {
            let kind = ComponentKind::ALL[k % ComponentKind::ALL.len()];
            let id = d.fresh_id(kind.slug());
            Op::AddComponent {
                component: Component::new(id.clone(), id, kind).at(f64::from(*x), f64::from(*y)),
            }
        }
        Edit::Remove(i) => Op::RemoveComponent {
            id: pick(&comps, *i)?,
        },
        Edit::Connect(a, b, m) => {
            let from = pick(&comps, *a)?;
            let to = pick(&comps, *b)?;
            let (fk, tk) = (d.component(&from)?.kind(), d.component(&to)?.kind());
            // Mostly allowed pairs, sometimes a refused one.
            let meaning = match connection_rule(fk, tk) {
                Some(rule) if m % 5 != 0 => rule.meanings[m % rule.meanings.len()],
                _ => archsim_model::Meaning::InvokeSync,
            };
            Op::Connect {
                connection: Connection::new(d.fresh_id("conn"), from, to, meaning.default_kind()),
            }
        }
        Edit::Disconnect(i) => Op::Disconnect {
            id: pick(&conns, *i)?,
        },
        Edit::Move(i, x, y) => Op::Move {
            id: pick(&comps, *i)?,
            position: Position::new(f64::from(*x) / 4.0, f64::from(*y) / 4.0),
        },
        Edit::Rename(i, name) => Op::Rename {
            id: pick(&comps, *i)?,
            name: name.clone(),
        },
        Edit::SetProperty(i, p, v) => {
            let id = pick(&comps, *i)?;
            let specs = component_specs(d.component(&id)?.kind());
            let spec = pick(&specs, *p)?;
            if spec.path.contains('[') {
                return None;
            }
            let span = (spec.max - spec.min).min(1e6) as u64 + 1;
            let value = spec.min as u64 + u64::from(*v) % span;
            Op::SetProperty {
                id,
                path: spec.path.into(),
                value: value.into(),
            }
        }
        Edit::Group(members) => Op::CreateGroup {
            group: Group {
                id: d.fresh_id("group"),
                name: "frame".into(),
                kind: GroupKind::Frame,
                owner: None,
                members: members.iter().filter_map(|m| pick(&comps, *m)).collect(),
            },
        },
        Edit::AddToGroup(g, m) => Op::AddToGroup {
            group: pick(&groups, *g)?,
            member: pick(&comps, *m)?,
        },
        Edit::RemoveFromGroup(g, m) => Op::RemoveFromGroup {
            group: pick(&groups, *g)?,
            member: pick(&comps, *m)?,
        },
        Edit::DeleteGroup(g) => Op::DeleteGroup {
            id: pick(&groups, *g)?,
        },
    })
}

fn start(i: usize) -> Design {
    STARTERS[i % STARTERS.len()].build().unwrap()
}

/// Applies edits, returning how many succeeded.
fn run(editor: &mut Editor, edits: &[Edit]) -> usize {
    let mut applied = 0;
    for e in edits {
        if let Some(op) = to_op(editor.design(), e) {
            let before = editor.design().clone();
            match editor.apply(op) {
                Ok(()) => applied += 1,
                // A refused op changes nothing.
                Err(_) => assert_eq!(editor.design(), &before),
            }
        }
        editor.design().check_integrity().unwrap();
    }
    applied
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn edits_keep_the_graph_consistent(s in any::<usize>(), edits in prop::collection::vec(edit(), 1..60)) {
        let mut editor = Editor::new(start(s));
        run(&mut editor, &edits);
        editor.design().check_integrity().unwrap();
        for c in editor.design().connections() {
            let from = editor.design().component(&c.from).unwrap().kind();
            let to = editor.design().component(&c.to).unwrap().kind();
            prop_assert!(
                archsim_model::connection::check_connection(from, to, c.kind.meaning()).is_ok(),
                "edits let a refused connection in: {c:?}"
            );
        }
    }

    #[test]
    fn save_then_load_is_the_identity(s in any::<usize>(), edits in prop::collection::vec(edit(), 0..40)) {
        let mut editor = Editor::new(start(s));
        run(&mut editor, &edits);
        let text = to_string(editor.design());
        let back = parse_str(&text, "prop.archsim.json").unwrap();
        prop_assert_eq!(&back, editor.design());
        prop_assert_eq!(to_string(&back), text);
    }

    #[test]
    fn undo_of_any_sequence_returns_the_original(s in any::<usize>(), edits in prop::collection::vec(edit(), 0..40)) {
        let original = start(s);
        let mut editor = Editor::new(original.clone());
        let applied = run(&mut editor, &edits);
        let edited = editor.design().clone();
        for _ in 0..applied {
            prop_assert!(editor.undo());
        }
        prop_assert!(!editor.undo());
        prop_assert_eq!(to_string(editor.design()), to_string(&original));
        for _ in 0..applied {
            prop_assert!(editor.redo());
        }
        prop_assert_eq!(to_string(editor.design()), to_string(&edited));
    }
}
