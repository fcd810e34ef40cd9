//! The UI's TypeScript types are generated from the Rust types; this test
//! fails when `ui/src/generated/` is stale. Regenerate with
//! `UPDATE_TS=1 cargo test -p archsim-app --test typescript`.
#![cfg(feature = "ts")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use archsim_app::*;
use ts_rs::TS;

fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated")
}

fn export(dir: &Path) {
    DocumentView::export_all_to(dir).unwrap();
    Edit::export_all_to(dir).unwrap();
    Applied::export_all_to(dir).unwrap();
    ConnectCheck::export_all_to(dir).unwrap();
    CommandError::export_all_to(dir).unwrap();
    PaletteGroup::export_all_to(dir).unwrap();
    StarterInfo::export_all_to(dir).unwrap();
    FormField::export_all_to(dir).unwrap();
    DirListing::export_all_to(dir).unwrap();
    RecoveryOffer::export_all_to(dir).unwrap();
    RecentFile::export_all_to(dir).unwrap();
    TemplateOptions::export_all_to(dir).unwrap();
    ExportedView::export_all_to(dir).unwrap();
    ImportedView::export_all_to(dir).unwrap();
    CostOptions::export_all_to(dir).unwrap();
    CostPanel::export_all_to(dir).unwrap();
    ReportOptions::export_all_to(dir).unwrap();
    RunReport::export_all_to(dir).unwrap();
    LiveStart::export_all_to(dir).unwrap();
    LiveControl::export_all_to(dir).unwrap();
    LiveView::export_all_to(dir).unwrap();
    SeriesView::export_all_to(dir).unwrap();
    RequestTrace::export_all_to(dir).unwrap();
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".ts"))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read_to_string(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn generated_typescript_is_up_to_date() {
    let fresh = tempfile::tempdir().unwrap();
    export(fresh.path());
    let want = files(fresh.path());
    assert!(want.contains_key("DocumentView.ts"), "{:?}", want.keys());
    if std::env::var_os("UPDATE_TS").is_some() {
        let dir = generated_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &want {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let have = files(&generated_dir());
    assert_eq!(
        have.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "ui/src/generated has other files than the Rust types make; run UPDATE_TS=1 cargo test -p archsim-app --test typescript"
    );
    for (name, text) in &want {
        assert_eq!(
            have.get(name),
            Some(text),
            "ui/src/generated/{name} is stale; run UPDATE_TS=1 cargo test -p archsim-app --test typescript"
        );
    }
}
