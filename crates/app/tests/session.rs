//! The command layer against the real model: edits, refusals, problems,
//! undo/redo, files through a fake dialog, autosave and recovery.

use std::cell::RefCell;
use std::path::PathBuf;

use archsim_app::*;
use archsim_model::{ComponentKind as K, Meaning, Position};
use serde_json::json;

fn add(session: &mut Session, kind: K, x: f64) -> String {
    session
        .apply(Edit::AddComponent {
            kind,
            position: Position::new(x, 0.0),
            name: None,
            group: None,
        })
        .unwrap()
        .created
        .remove(0)
}

fn codes(doc: &DocumentView) -> Vec<&str> {
    doc.problems.iter().map(|p| p.code).collect()
}

/// A dialog that answers with what the test set and records what it was asked.
#[derive(Default)]
struct FakeDialog {
    answer: Option<PathBuf>,
    asked: RefCell<Vec<String>>,
}

impl FileDialog for FakeDialog {
    fn open_design(&self) -> Option<PathBuf> {
        self.asked.borrow_mut().push("open".into());
        self.answer.clone()
    }
    fn save_design(&self, suggested: &str) -> Option<PathBuf> {
        self.asked.borrow_mut().push(format!("save {suggested}"));
        self.answer.clone()
    }
}

#[test]
fn s3_to_lambda_is_an_async_invoke_and_the_reverse_is_uses() {
    let mut s = Session::blank();
    let bucket = add(&mut s, K::S3Bucket, 0.0);
    let lambda = add(&mut s, K::LambdaFunction, 200.0);
    assert_eq!(bucket, "s3_bucket-1");
    match s.can_connect(&bucket, &lambda).unwrap() {
        ConnectCheck::Allowed { meanings, .. } => {
            assert_eq!(meanings[0].meaning, Meaning::InvokeAsync);
            assert_eq!(meanings[0].label, "invokes asynchronously");
        }
        other => panic!("{other:?}"),
    }
    let applied = s
        .apply(Edit::Connect {
            from: bucket.clone(),
            to: lambda.clone(),
            meaning: None,
        })
        .unwrap();
    let conn = &applied.document.connections[0];
    assert_eq!(conn.meaning, Meaning::InvokeAsync);
    assert_eq!(conn.id, applied.created[0]);
    assert!(codes(&applied.document).contains(&"LAMBDA_ASYNC_NO_FAILURE_DESTINATION"));
}

#[test]
fn a_refused_connection_says_why_and_changes_nothing() {
    let mut s = Session::blank();
    let lambda = add(&mut s, K::LambdaFunction, 0.0);
    let client = add(&mut s, K::Client, 200.0);
    let ConnectCheck::Refused { reason, .. } = s.can_connect(&lambda, &client).unwrap() else {
        panic!("a client is never a target");
    };
    assert!(reason.contains("where traffic starts"), "{reason}");
    let err = s
        .apply(Edit::Connect {
            from: lambda,
            to: client,
            meaning: None,
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ConnectionRefused);
    assert_eq!(err.message, reason);
    assert!(s.document().connections.is_empty());
}

#[test]
fn a_property_edit_raises_and_clears_a_problem_and_undo_redo_follow() {
    let mut s = Session::blank();
    let f = add(&mut s, K::LambdaFunction, 0.0);
    let set = |v| Edit::SetProperty {
        id: f.clone(),
        path: "reserved_concurrency".into(),
        value: v,
    };
    let doc = s.apply(set(json!(950))).unwrap().document;
    assert!(
        codes(&doc).contains(&"LAMBDA_UNRESERVED_BELOW_MIN"),
        "{:?}",
        codes(&doc)
    );
    let doc = s.apply(set(json!(100))).unwrap().document;
    assert!(!codes(&doc).contains(&"LAMBDA_UNRESERVED_BELOW_MIN"));
    let doc = s.undo();
    assert!(codes(&doc).contains(&"LAMBDA_UNRESERVED_BELOW_MIN"));
    assert!(doc.can_redo);
    let doc = s.redo();
    assert!(!codes(&doc).contains(&"LAMBDA_UNRESERVED_BELOW_MIN"));
    // Out of range is refused with the range and unit.
    let err = s
        .apply(Edit::SetProperty {
            id: f,
            path: "memory_mb".into(),
            value: json!(64),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidProperty);
    assert!(err.message.contains("10240"), "{}", err.message);
}

#[test]
fn a_cluster_gets_its_group_and_members_join_it() {
    let mut s = Session::blank();
    let cluster = add(&mut s, K::EcsCluster, 0.0);
    let doc = s.document();
    let group = doc
        .groups
        .iter()
        .find(|g| g.owner.as_deref() == Some(cluster.as_str()))
        .unwrap()
        .id
        .clone();
    let service = s
        .apply(Edit::AddComponent {
            kind: K::EcsService,
            position: Position::new(10.0, 10.0),
            name: None,
            group: Some(group.clone()),
        })
        .unwrap()
        .created
        .remove(0);
    assert!(s.document().groups[0].members.contains(&service));
    s.apply(Edit::SetGroup {
        member: service.clone(),
        group: None,
    })
    .unwrap();
    assert!(s.document().groups[0].members.is_empty());
    s.undo();
    assert!(s.document().groups[0].members.contains(&service));
    // Deleting the cluster takes the group; undo brings both back.
    s.apply(Edit::Delete {
        ids: vec![cluster.clone()],
    })
    .unwrap();
    assert!(s.document().groups.is_empty());
    s.undo();
    assert_eq!(s.document().groups[0].members, vec![service]);
}

#[test]
fn duplicate_copies_components_and_the_connections_among_them() {
    let mut s = Session::blank();
    let q = add(&mut s, K::SqsQueue, 0.0);
    let f = add(&mut s, K::LambdaFunction, 200.0);
    s.apply(Edit::Connect {
        from: q.clone(),
        to: f.clone(),
        meaning: None,
    })
    .unwrap();
    s.apply(Edit::SetProperty {
        id: f.clone(),
        path: "memory_mb".into(),
        value: json!(2048),
    })
    .unwrap();
    let applied = s
        .apply(Edit::Duplicate {
            ids: vec![q, f],
            offset: Position::new(40.0, 40.0),
        })
        .unwrap();
    let doc = applied.document;
    assert_eq!(doc.components.len(), 4);
    assert_eq!(doc.connections.len(), 2);
    let copy = doc
        .components
        .iter()
        .find(|c| applied.created.contains(&c.id) && c.kind == K::LambdaFunction)
        .unwrap();
    assert_eq!(copy.props["memory_mb"], json!(2048));
    assert_eq!(copy.position, Position::new(240.0, 40.0));
    // One undo removes the whole paste.
    assert_eq!(s.undo().components.len(), 2);
}

#[test]
fn delete_move_rename_are_single_undo_steps() {
    let mut s = Session::blank();
    let a = add(&mut s, K::SqsQueue, 0.0);
    let b = add(&mut s, K::LambdaFunction, 100.0);
    let c = s
        .apply(Edit::Connect {
            from: a.clone(),
            to: b.clone(),
            meaning: None,
        })
        .unwrap()
        .created
        .remove(0);
    s.apply(Edit::Move {
        moves: vec![
            MoveTo {
                id: a.clone(),
                position: Position::new(5.0, 6.0),
            },
            MoveTo {
                id: b.clone(),
                position: Position::new(7.0, 8.0),
            },
        ],
    })
    .unwrap();
    s.apply(Edit::Rename {
        id: a.clone(),
        name: "Orders".into(),
    })
    .unwrap();
    s.apply(Edit::Delete {
        ids: vec![c.clone(), a.clone()],
    })
    .unwrap();
    assert_eq!(s.document().components.len(), 1);
    let doc = s.undo();
    assert_eq!(doc.connections.len(), 1);
    assert_eq!(
        doc.components.iter().find(|x| x.id == a).unwrap().name,
        "Orders"
    );
    s.undo();
    let doc = s.undo();
    assert_eq!(
        doc.components.iter().find(|x| x.id == b).unwrap().position,
        Position::new(100.0, 0.0)
    );
    assert!(
        s.apply(Edit::Delete {
            ids: vec!["nope".into()]
        })
        .is_err()
    );
}

#[test]
fn an_untitled_design_saved_as_takes_the_files_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::blank();
    assert_eq!(s.document().name, "Untitled");
    let doc = s
        .save_as(&ChosenPath(dir.path().join("shop.archsim.json")))
        .unwrap();
    assert_eq!(doc.name, "shop");
    assert!(!doc.dirty, "the name is in the saved file");
    // A design with a name of its own keeps it.
    let mut named = Session::from_starter("queue-worker").unwrap();
    let name = named.document().name.clone();
    let doc = named
        .save_as(&ChosenPath(dir.path().join("copy.archsim.json")))
        .unwrap();
    assert_eq!(doc.name, name);
}

#[test]
fn save_as_then_reopen_gives_the_same_design() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::from_starter("queue-worker").unwrap();
    assert!(s.is_dirty(), "a new design has never been saved");
    assert_eq!(s.save().unwrap_err().code, ErrorCode::NoPath);
    let cancel = FakeDialog::default();
    assert_eq!(s.save_as(&cancel).unwrap_err().code, ErrorCode::Cancelled);
    let dialog = FakeDialog {
        answer: Some(dir.path().join("orders")),
        ..Default::default()
    };
    let doc = s.save_as(&dialog).unwrap();
    assert!(!doc.dirty);
    let saved = dir.path().join("orders.archsim.json");
    assert_eq!(doc.path.as_deref(), Some(saved.to_str().unwrap()));
    assert!(dialog.asked.borrow()[0].starts_with("save "));
    let mut other = Session::blank();
    let open = FakeDialog {
        answer: Some(saved.clone()),
        ..Default::default()
    };
    let reopened = other.open_with(&open).unwrap();
    assert_eq!(other.design(), s.design());
    assert_eq!(reopened.components, s.document().components);
    assert!(!reopened.dirty);
    // An unreadable file is a named load error and leaves the session alone.
    std::fs::write(dir.path().join("bad.archsim.json"), "{").unwrap();
    let bad = FakeDialog {
        answer: Some(dir.path().join("bad.archsim.json")),
        ..Default::default()
    };
    let err = other.open_with(&bad).unwrap_err();
    assert_eq!(err.code, ErrorCode::Load);
    assert!(err.message.contains("bad.archsim.json"), "{}", err.message);
    assert_eq!(other.design(), s.design());
}

#[test]
fn autosave_writes_every_30_s_while_dirty_and_recovery_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("d.archsim.json");
    let store = RecoveryStore::new(dir.path().join("recovery"));
    let mut s = Session::from_starter("queue-worker")
        .unwrap()
        .with_recovery(store.clone());
    s.save_as(&ChosenPath(design.clone())).unwrap();
    assert_eq!(s.autosave(1_000).unwrap(), None, "nothing unsaved");
    let f = add(&mut s, K::LambdaFunction, 500.0);
    let written = s.autosave(1_000).unwrap().expect("dirty: written");
    assert!(written.exists());
    s.apply(Edit::Rename {
        id: f.clone(),
        name: "later".into(),
    })
    .unwrap();
    assert_eq!(
        s.autosave(1_000 + AUTOSAVE_INTERVAL_S - 1).unwrap(),
        None,
        "too soon"
    );
    assert!(s.autosave(1_000 + AUTOSAVE_INTERVAL_S).unwrap().is_some());
    assert_eq!(
        s.autosave(2_000).unwrap(),
        None,
        "unchanged since the last write"
    );
    // The process dies: no close. The next launch finds the work.
    drop(s);
    let mut next = Session::open(&design).unwrap().with_recovery(store.clone());
    let offer = next.recovery_offer().expect("an offer");
    assert_eq!(offer.saved_at_unix, 1_000 + AUTOSAVE_INTERVAL_S);
    assert_eq!(offer.original.as_deref(), Some(design.to_str().unwrap()));
    let doc = next.recover().unwrap();
    assert!(doc.dirty, "recovered work is not saved yet");
    assert_eq!(
        doc.components.iter().find(|c| c.id == f).unwrap().name,
        "later"
    );
    next.save().unwrap();
    assert!(
        next.recovery_offer().is_none(),
        "saving clears the recovery file"
    );
}

#[test]
fn work_already_on_screen_is_not_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::new(dir.path());
    let mut s = Session::from_starter("blank")
        .unwrap()
        .with_recovery(store.clone());
    add(&mut s, K::SqsQueue, 0.0);
    s.autosave(10).unwrap().unwrap();
    // The same session (a page reload asks again): the work is on screen.
    assert!(s.recovery_offer().is_none());
    // Nor after more edits: the screen is newer than this session's autosave.
    add(&mut s, K::SnsTopic, 300.0);
    assert!(s.recovery_offer().is_none());
    // Another session (after a crash) is offered it.
    assert!(
        Session::blank()
            .with_recovery(store)
            .recovery_offer()
            .is_some()
    );
}

#[test]
fn declining_recovery_deletes_it_and_a_clean_close_leaves_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecoveryStore::new(dir.path());
    let mut s = Session::from_starter("blank")
        .unwrap()
        .with_recovery(store.clone());
    add(&mut s, K::SqsQueue, 0.0);
    s.autosave(10).unwrap().unwrap();
    let mut again = Session::blank().with_recovery(store.clone());
    assert!(
        again.recovery_offer().is_some(),
        "untitled work is offered too"
    );
    again.discard_recovery();
    assert!(again.recovery_offer().is_none());
    s.autosave(100).unwrap();
    s.close();
    assert!(
        Session::blank()
            .with_recovery(store)
            .recovery_offer()
            .is_none()
    );
}

#[test]
fn unknown_starter_lists_the_choices() {
    let err = Session::from_starter("nope").unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownStarter);
    assert!(err.suggestion.unwrap().contains("queue-worker"));
}

#[test]
fn a_connection_can_take_another_allowed_meaning_and_undo_restores_it() {
    let mut s = Session::blank();
    let a = add(&mut s, K::LambdaFunction, 0.0);
    let b = add(&mut s, K::LambdaFunction, 200.0);
    let ConnectCheck::Allowed { meanings, .. } = s.can_connect(&a, &b).unwrap() else {
        panic!("Lambda may invoke Lambda");
    };
    assert!(meanings.len() > 1, "{meanings:?}");
    let id = s
        .apply(Edit::Connect {
            from: a.clone(),
            to: b.clone(),
            meaning: None,
        })
        .unwrap()
        .created
        .remove(0);
    let first = s.document().connections[0].meaning;
    let other = meanings
        .iter()
        .map(|m| m.meaning)
        .find(|m| *m != first)
        .unwrap();
    let doc = s
        .apply(Edit::SetMeaning {
            id: id.clone(),
            meaning: other,
        })
        .unwrap()
        .document;
    assert_eq!(
        (doc.connections[0].id.as_str(), doc.connections[0].meaning),
        (id.as_str(), other)
    );
    assert_eq!(s.undo().connections[0].meaning, first);
    // A meaning the pair does not allow is refused with the model's reason.
    let err = s
        .apply(Edit::SetMeaning {
            id,
            meaning: Meaning::Poll,
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ConnectionRefused);
}

#[test]
fn a_template_imports_as_a_new_unsaved_design_and_exports_again() {
    let template = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/iac/templates/alb-fargate-paths.yaml");
    let mut s = Session::blank();
    let imported = s.import_template(&template).unwrap();
    assert!(imported.document.path.is_none());
    assert!(imported.document.dirty);
    assert!(!imported.document.components.is_empty());
    assert!(
        imported
            .report
            .mapped
            .iter()
            .any(|l| l.contains("AWS::ElasticLoadBalancingV2::LoadBalancer")),
        "{:?}",
        imported.report.mapped
    );
    assert_eq!(
        s.document().components.len(),
        imported.document.components.len()
    );

    let sam = s
        .export_template(TemplateOptions {
            flavour: TemplateFlavour::Sam,
            syntax: TemplateSyntax::Yaml,
            ..Default::default()
        })
        .unwrap();
    assert!(
        sam.template
            .contains("AWS::ElasticLoadBalancingV2::LoadBalancer")
    );
    assert!(sam.file_name.ends_with(".sam.yaml"), "{}", sam.file_name);

    let json = s
        .export_template(TemplateOptions {
            flavour: TemplateFlavour::CloudFormation,
            syntax: TemplateSyntax::Json,
            ..Default::default()
        })
        .unwrap();
    assert!(json.template.trim_start().starts_with('{'));
    let dir = tempfile::tempdir().unwrap();
    let written = write_export(&json, &dir.path().join(&json.file_name)).unwrap();
    assert_eq!(written.len(), 1 + json.manifests.len());
    assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), json.template);
}

#[test]
fn a_fresh_design_exports_as_sam_with_the_transform() {
    let mut s = Session::blank();
    let bucket = add(&mut s, K::S3Bucket, 0.0);
    let lambda = add(&mut s, K::LambdaFunction, 200.0);
    s.apply(Edit::Connect {
        from: bucket,
        to: lambda,
        meaning: None,
    })
    .unwrap();
    let sam = s.export_template(TemplateOptions::default()).unwrap();
    assert!(
        sam.template
            .contains("Transform: AWS::Serverless-2016-10-31"),
        "{}",
        sam.template
    );
    assert!(sam.template.contains("AWS::Serverless::Function"));
}

#[test]
fn a_fresh_design_exports_as_three_stacks_when_asked() {
    let mut s = Session::blank();
    let bucket = add(&mut s, K::S3Bucket, 0.0);
    let lambda = add(&mut s, K::LambdaFunction, 200.0);
    let table = add(&mut s, K::DynamoDbTable, 400.0);
    for (from, to) in [(bucket, lambda.clone()), (lambda, table)] {
        s.apply(Edit::Connect {
            from,
            to,
            meaning: None,
        })
        .unwrap();
    }
    let layered = s
        .export_template(TemplateOptions {
            layers: Some(true),
            ..Default::default()
        })
        .unwrap();
    let files: Vec<&str> = layered
        .stacks
        .iter()
        .map(|f| f.file_name.as_str())
        .collect();
    // The bucket notifies the function, so SAM wants them in one stack:
    // compute; the table stays in data, imported by the function.
    assert_eq!(files, ["network.yaml", "data.yaml", "compute.yaml"]);
    assert_eq!(layered.file_name, "network.yaml");
    assert!(layered.stacks[1].text.contains("AWS::DynamoDB::Table"));
    assert!(
        layered.stacks[2].text.contains("Fn::ImportValue"),
        "{}",
        layered.stacks[2].text
    );
    assert!(
        layered
            .notes
            .iter()
            .any(|n| n.contains("compute stack rather than the data")),
        "{:?}",
        layered.notes
    );
    let dir = tempfile::tempdir().unwrap();
    let written = write_export(&layered, &dir.path().join(&layered.file_name)).unwrap();
    assert_eq!(written.len(), 3);
}

#[test]
fn importing_a_broken_template_says_where_and_keeps_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "Resources: [\n").unwrap();
    let mut s = Session::blank();
    add(&mut s, K::S3Bucket, 0.0);
    let err = s.import_template(&bad).unwrap_err();
    assert_eq!(err.code, ErrorCode::Import);
    assert!(err.message.contains("bad.yaml"), "{}", err.message);
    assert_eq!(s.document().components.len(), 1);
}

#[test]
fn opened_and_saved_designs_become_recent_files() {
    let dir = tempfile::tempdir().unwrap();
    let recent = RecentFiles::new(dir.path().join("state/recent.json"));
    let mut s = Session::blank().with_recent(recent.clone());
    assert!(s.recent_files().is_empty());
    add(&mut s, K::S3Bucket, 0.0);
    let first = dir.path().join("first.archsim.json");
    s.save_as(&ChosenPath(first.clone())).unwrap();
    let second = dir.path().join("second");
    s.save_as(&ChosenPath(second)).unwrap();
    let names: Vec<String> = s.recent_files().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["second.archsim.json", "first.archsim.json"]);

    // Opening moves a design to the front; a new session reads the same list.
    s.open_with(&ChosenPath(first.clone())).unwrap();
    let again = Session::open(&first).unwrap().with_recent(recent);
    let paths: Vec<String> = again.recent_files().into_iter().map(|r| r.path).collect();
    assert_eq!(paths[0], first.to_string_lossy());
    assert_eq!(paths.len(), 2);
    // A failed open leaves the list alone.
    let missing = dir.path().join("missing.archsim.json");
    assert!(s.open_with(&ChosenPath(missing)).is_err());
    assert_eq!(s.recent_files().len(), 2);
}

#[test]
fn vpc_and_zone_frames_are_drawn_around_components_and_deleted_alone() {
    use archsim_model::GroupKind;
    let mut s = Session::blank();
    s.new_from_starter("alb-fargate").unwrap();
    let before = s.document();
    let members: Vec<String> = before
        .components
        .iter()
        .take(3)
        .map(|c| c.id.clone())
        .collect();
    let applied = s
        .apply(Edit::Frame {
            kind: GroupKind::Vpc,
            name: None,
            members: members.clone(),
        })
        .unwrap();
    let id = applied.created[0].clone();
    assert!(id.starts_with("vpc-"), "{id}");
    let g = applied.document.groups.iter().find(|g| g.id == id).unwrap();
    assert_eq!(g.kind, GroupKind::Vpc);
    assert!(g.name.starts_with("VPC"));
    let mut got: Vec<String> = g.members.to_vec();
    got.sort();
    let mut want = members.clone();
    want.sort();
    assert_eq!(got, want);
    // An AZ inside it, with a name.
    let az = s
        .apply(Edit::Frame {
            kind: GroupKind::AvailabilityZone,
            name: Some("us-east-1a".into()),
            members: vec![members[0].clone()],
        })
        .unwrap();
    assert!(az.document.groups.iter().any(|g| g.name == "us-east-1a"));
    // Deleting the frame keeps its members; undo brings it back.
    let after = s
        .apply(Edit::Delete {
            ids: vec![id.clone()],
        })
        .unwrap()
        .document;
    assert!(after.groups.iter().all(|g| g.id != id));
    assert_eq!(after.components.len(), before.components.len());
    assert!(s.undo().groups.iter().any(|g| g.id == id));
    // Refusals say why.
    for (kind, members, words) in [
        (GroupKind::Frame, vec![], "select"),
        (GroupKind::Vpc, vec!["ghost".to_string()], "ghost"),
        (GroupKind::EcsCluster, members.clone(), "cluster"),
    ] {
        let e = s
            .apply(Edit::Frame {
                kind,
                name: None,
                members,
            })
            .unwrap_err();
        assert!(e.message.contains(words), "{}", e.message);
    }
}

#[test]
fn the_region_is_one_of_the_priced_regions_and_chooses_the_bill() {
    let mut s = Session::blank();
    s.new_from_starter("alb-fargate").unwrap();
    let doc = s.document();
    assert_eq!(doc.region, "us-east-1");
    let regions: Vec<&str> = doc.regions.iter().map(String::as_str).collect();
    assert_eq!(regions, archsim_model::REGIONS);
    let us = cost_panel(s.design(), None, &CostOptions::default()).unwrap();

    let doc = s
        .apply(Edit::SetRegion {
            region: "eu-central-1".into(),
        })
        .unwrap()
        .document;
    assert_eq!(doc.region, "eu-central-1");
    assert!(doc.dirty);
    assert!(!codes(&doc).contains(&"REGION_UNKNOWN"));
    let eu = cost_panel(s.design(), None, &CostOptions::default()).unwrap();
    assert_eq!(eu.assumptions.region, "eu-central-1");
    // Frankfurt's Fargate and ALB cost more than N. Virginia's.
    let total = |p: &CostPanel| p.total_usd.parse::<f64>().unwrap();
    assert!(
        total(&eu) > total(&us),
        "{} vs {}",
        eu.total_usd,
        us.total_usd
    );
    // The starter is a production design: its table's point-in-time
    // recovery is the one rate not confirmed in the us-east-1 book.
    assert_eq!(us.unconfirmed_rates, ["dynamodb.pitr_storage"]);
    assert!(
        eu.unconfirmed_rates
            .iter()
            .any(|r| r.starts_with("fargate.")),
        "{:?}",
        eu.unconfirmed_rates
    );

    // A region without a price book is refused and changes nothing.
    let err = s
        .apply(Edit::SetRegion {
            region: "sa-east-1".into(),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidEdit);
    assert!(
        err.message.contains("sa-east-1") && err.message.contains("ap-south-1"),
        "{}",
        err.message
    );
    assert_eq!(s.document().region, "eu-central-1");
    // One undo step.
    assert_eq!(s.undo().region, "us-east-1");
}

#[test]
fn a_design_exports_as_a_sam_project_and_a_re_export_keeps_the_handler() {
    let s = Session::from_starter("s3-image-pipeline").unwrap();
    let view = s.export_project().unwrap();
    assert_eq!(view.folder_name, "s3-image-pipeline");
    let paths: Vec<&str> = view.files.iter().map(|f| f.path.as_str()).collect();
    for p in [
        "template.yaml",
        "src/resize-image/app.py",
        "events/resize-image/uploads-bucket.json",
        "README.md",
        "samconfig.toml",
        "s3-image-pipeline.archsim.json",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }

    // A folder with other files: the project goes into a new folder inside.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let first = s.save_project(dir.path()).unwrap();
    assert!(first.created);
    let project = dir.path().join("s3-image-pipeline");
    assert_eq!(PathBuf::from(&first.dir), project);
    let handler = project.join("src/resize-image/app.py");
    std::fs::write(
        &handler,
        "def handler(event, context):\n    return 'mine'\n",
    )
    .unwrap();
    // Choosing the project itself re-exports into it.
    let again = s.save_project(&project).unwrap();
    assert!(!again.created);
    assert!(again.kept.contains(&"src/resize-image/app.py".to_string()));
    assert!(
        std::fs::read_to_string(&handler)
            .unwrap()
            .contains("'mine'")
    );

    // A design whose function has no stub: an export error, nothing written.
    let mut rust = Session::blank();
    let f = add(&mut rust, K::LambdaFunction, 0.0);
    rust.apply(Edit::SetProperty {
        id: f,
        path: "runtime".into(),
        value: json!("rust"),
    })
    .unwrap();
    let err = rust.export_project().unwrap_err();
    assert_eq!(err.code, ErrorCode::Export);
    assert!(err.message.contains("no handler stub"), "{}", err.message);
}

/// AWS's hidden assumptions are the design's to change ("what if"): the
/// design holds what is set (the simulator reads the idle expiry from it;
/// its own tests show a 490 s gap warm under 600 s and cold under 300 s),
/// out-of-range values and unknown fields are refused with the reason, and
/// each change is one undo step.
#[test]
fn the_what_if_account_settings_are_edited_checked_and_simulated() {
    let mut s = Session::blank();
    s.new_from_starter("serverless-api").unwrap();
    let doc = s.document();
    assert_eq!(doc.account.lambda_idle_expiry_s, 600);
    assert_eq!(doc.account.lambda_scaling, "per_function");
    let doc = s
        .apply(Edit::SetAccount {
            field: "lambda_idle_expiry_s".into(),
            value: serde_json::json!(300),
        })
        .unwrap()
        .document;
    assert_eq!(doc.account.lambda_idle_expiry_s, 300);
    assert_eq!(s.design().account.lambda_idle_expiry_s, 300);
    let doc = s
        .apply(Edit::SetAccount {
            field: "lambda_scaling".into(),
            value: serde_json::json!("legacy_burst"),
        })
        .unwrap()
        .document;
    assert_eq!(doc.account.lambda_scaling, "legacy_burst");
    let too_short = s
        .apply(Edit::SetAccount {
            field: "lambda_idle_expiry_s".into(),
            value: serde_json::json!(5),
        })
        .unwrap_err();
    assert!(
        too_short.message.contains("60..86400"),
        "{}",
        too_short.message
    );
    let unknown = s
        .apply(Edit::SetAccount {
            field: "availability_zones".into(),
            value: serde_json::json!([]),
        })
        .unwrap_err();
    assert!(
        unknown.message.contains("lambda_idle_expiry_s"),
        "{}",
        unknown.message
    );
    assert_eq!(s.undo().account.lambda_scaling, "per_function");
    assert_eq!(s.undo().account.lambda_idle_expiry_s, 600);
}
