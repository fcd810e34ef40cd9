//! The production profile passes a security scanner: checkov reports no
//! failed check on the production export of every example, of the
//! kitchen sink and of a design with one component of every kind, as CloudFormation and as transformed SAM, and every check
//! it skips carries the reason written in the template. One checkov run
//! over one directory keeps the test's time small.
//!
//! A production SAM export writes REST APIs as plain CloudFormation, so
//! the skips on their stages reach the transformed template (the SAM
//! transform would drop an `AWS::Serverless::Api`'s `Metadata`); no
//! finding is excused here.

mod common;

use archsim_iac::{ExportOptions, Flavour, export};
use archsim_model::ExportProfile;
use common::{
    assert_checkov_clean, checkov, every_kind, examples, kitchen_sink, sam_translate,
    skip_validators,
};

#[test]
fn checkov_passes_every_production_export() {
    if let Err(why) = checkov() {
        eprintln!("skipped: {why}");
        return;
    }
    if skip_validators() {
        eprintln!("skipped: ARCHSIM_SKIP_CFN_LINT=1");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let sam_dir = tempfile::tempdir().expect("temp dir");
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), kitchen_sink()));
    designs.push(("every-kind".into(), every_kind()));
    let mut pairs = Vec::new();
    for (name, design) in &designs {
        for flavour in [Flavour::CloudFormation, Flavour::Sam] {
            let out = export(
                design,
                &ExportOptions {
                    flavour,
                    profile: Some(ExportProfile::Production),
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            if flavour == Flavour::Sam {
                let source = sam_dir.path().join(format!("{name}.sam.yaml"));
                std::fs::write(&source, &out.template).expect("write template");
                pairs.push((
                    source,
                    dir.path().join(format!("{name}.sam.transformed.json")),
                ));
            } else {
                std::fs::write(dir.path().join(format!("{name}.cfn.yaml")), &out.template)
                    .expect("write template");
            }
        }
    }
    sam_translate(&pairs).unwrap_or_else(|e| panic!("SAM transform failed: {e}"));
    assert_checkov_clean(
        dir.path(),
        &format!("{} production templates", designs.len() * 2),
    );
}
