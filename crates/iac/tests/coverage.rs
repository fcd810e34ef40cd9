//! Every component kind through export and import: what
//! `export_coverage` and `import_coverage` say is what happens, and no
//! kind is skipped without a note.

mod common;

use std::collections::HashSet;

use archsim_iac::names::{kebab, logical_ids};
use archsim_iac::{ExportOptions, Flavour, export, export_coverage, import, import_coverage};
use archsim_model::edit::apply_op;
use archsim_model::{Component, ComponentKind as K, Coverage, Design, Op};

const FLAVOURS: [Flavour; 2] = [Flavour::Sam, Flavour::CloudFormation];

fn designs() -> Vec<(String, Design)> {
    let mut designs = common::examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    designs
}

/// A design of one component of `kind`, with the AWS defaults.
fn alone(kind: K) -> Design {
    let mut d = Design::new("alone");
    apply_op(
        &mut d,
        Op::AddComponent {
            component: Component::new("it", format!("The {}", kind.label()), kind),
        },
    )
    .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    d
}

/// Whether the export wrote something for `c`: its resource, its
/// manifest, its capacity provider (EC2 capacity) or the capacity provider
/// name (Fargate), or (a rule that only
/// invokes functions, in SAM) the functions' events.
fn written(out: &archsim_iac::Exported, design: &Design, c: &Component) -> bool {
    let logical = &logical_ids(design, &HashSet::new())[&c.id];
    let resources = out.value["Resources"].as_object().expect("resources");
    match c.kind() {
        K::EventBridgeRule => {
            resources.contains_key(logical)
                || resources
                    .values()
                    .any(|r| r["Properties"]["Events"].get(logical).is_some())
        }
        K::EksWorkload => out
            .manifests
            .iter()
            .any(|m| m.file_name == format!("{}.k8s.yaml", kebab(&c.name))),
        K::Ec2AutoScalingGroup => resources.contains_key(&format!("{logical}CapacityProvider")),
        K::Fargate => out.template.contains("FARGATE"),
        K::FargateSpot => out.template.contains("FARGATE_SPOT"),
        _ => resources.contains_key(logical),
    }
}

#[test]
fn every_kind_is_exported_or_noted() {
    let designs = designs();
    for &kind in K::ALL {
        let found: Vec<(&Design, &Component)> = designs
            .iter()
            .flat_map(|(_, d)| d.components_of(kind).map(move |c| (d, c)))
            .collect();
        match export_coverage(kind) {
            Coverage::Modelled => {
                assert!(
                    !found.is_empty(),
                    "{kind:?} is exported: give an example or the kitchen sink one so it is tested"
                );
                for (design, c) in found {
                    for flavour in FLAVOURS {
                        let out = export(
                            design,
                            &ExportOptions {
                                flavour,
                                ..Default::default()
                            },
                        )
                        .unwrap();
                        assert!(
                            written(&out, design, c),
                            "{kind:?} {} ({flavour:?}): not in the template",
                            c.name
                        );
                    }
                }
            }
            Coverage::NotApplicable(reason) | Coverage::NotModelled(reason) => {
                let single = alone(kind);
                let mut cases = found;
                let only = single.components().next().expect("one component");
                cases.push((&single, only));
                for (design, c) in cases {
                    let out = export(design, &ExportOptions::default()).unwrap();
                    assert!(!written(&out, design, c), "{kind:?} {}: written", c.name);
                    let note = format!("{}: {reason}", c.name);
                    assert!(
                        out.notes.contains(&note),
                        "{kind:?}: no note \"{note}\" in {:?}",
                        out.notes
                    );
                }
            }
        }
    }
}

#[test]
fn every_kind_import_draws_is_drawn_back_from_our_templates() {
    let mut drawn = HashSet::new();
    for (name, design) in designs() {
        for flavour in FLAVOURS {
            let out = export(
                &design,
                &ExportOptions {
                    flavour,
                    ..Default::default()
                },
            )
            .unwrap();
            let back = import(&out.template, &format!("{name}.yaml")).unwrap();
            drawn.extend(back.design.components().map(Component::kind));
        }
    }
    for &kind in K::ALL {
        match (export_coverage(kind), import_coverage(kind)) {
            (Coverage::Modelled, Coverage::Modelled) => {
                assert!(drawn.contains(&kind), "{kind:?}: not drawn back")
            }
            (_, Coverage::NotApplicable(_) | Coverage::NotModelled(_)) => {
                assert!(
                    !drawn.contains(&kind),
                    "{kind:?}: drawn, but import says not"
                )
            }
            (_, Coverage::Modelled) => {}
        }
    }
}

/// What a kind's export writes only through other components is noted
/// when none does: a role no assuming component takes (a function writes
/// a role of its own), Fargate capacity no cluster or service uses.
#[test]
fn roles_and_capacity_nothing_writes_are_noted() {
    use archsim_model::{Connection, ConnectionKind};
    let mut d = alone(K::FargateSpot);
    for (id, name, kind) in [
        ("f", "Resize", K::LambdaFunction),
        ("r", "Resize role", K::IamRole),
        ("idle", "Idle role", K::IamRole),
    ] {
        apply_op(
            &mut d,
            Op::AddComponent {
                component: Component::new(id, name, kind),
            },
        )
        .unwrap();
    }
    apply_op(
        &mut d,
        Op::Connect {
            connection: Connection::new("f-r", "f", "r", ConnectionKind::AssumesRole),
        },
    )
    .unwrap();
    let notes = export(&d, &ExportOptions::default()).unwrap().notes;
    for note in [
        "The Fargate Spot capacity: no cluster or service uses this capacity; nothing exported",
        "Idle role: no component assumes this role",
        "Resize role: no component that assumes this role takes a role of its purpose; nothing exported",
    ] {
        assert!(notes.iter().any(|n| n == note), "{note} not in {notes:?}");
    }
}

/// A function's failures sent to an EventBridge rule are not exported (an
/// on-failure destination names an event bus, which a rule does not
/// carry): the export says so rather than dropping the connection.
#[test]
fn a_failure_destination_export_cannot_write_is_a_note() {
    use archsim_model::{
        Component, ComponentKind as K, Connection, ConnectionKind, Op, edit::apply_op,
    };
    let mut d = archsim_model::Design::new("failures");
    for (id, name, kind) in [
        ("f", "Worker", K::LambdaFunction),
        ("r", "Failures rule", K::EventBridgeRule),
    ] {
        apply_op(
            &mut d,
            Op::AddComponent {
                component: Component::new(id, name, kind),
            },
        )
        .unwrap();
    }
    apply_op(
        &mut d,
        Op::Connect {
            connection: Connection::new("f-r", "f", "r", ConnectionKind::DeadLetter),
        },
    )
    .unwrap();
    let notes = export(&d, &ExportOptions::default()).unwrap().notes;
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("Worker: its failed events to Failures rule are not exported")),
        "{notes:?}"
    );
}

/// Karpenter is installed by Helm and configured by Kubernetes objects:
/// the node group is exported as a managed node group, and a note says
/// the NodePool is not in the template.
#[test]
fn a_karpenter_node_pool_is_a_note_and_the_managed_group_is_exported() {
    use archsim_model::starters::starter;
    let mut d = starter("eks-platform").unwrap().build().unwrap();
    let plain = export(&d, &ExportOptions::default()).unwrap();
    apply_op(
        &mut d,
        Op::SetProperty {
            id: "nodes".into(),
            path: "autoscaler".into(),
            value: serde_json::json!("karpenter"),
        },
    )
    .unwrap();
    let out = export(&d, &ExportOptions::default()).unwrap();
    assert_eq!(out.template, plain.template, "the same managed node group");
    let note = out
        .notes
        .iter()
        .find(|n| n.contains("Karpenter NodePool"))
        .unwrap_or_else(|| panic!("{:?}", out.notes));
    assert!(
        note.contains("m5.large, m5.xlarge, c5.large, c5.xlarge") && note.contains("Helm"),
        "{note}"
    );
    assert!(!plain.notes.iter().any(|n| n.contains("Karpenter")));
}
