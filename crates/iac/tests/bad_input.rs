//! Bad input gets an error naming the file and the line and saying what
//! was expected; never a panic, never a partial import. A property test
//! throws mangled templates and arbitrary text at the importer.

use archsim_iac::{ImportError, import, import_file};
use proptest::prelude::*;

fn err(text: &str, file: &str) -> String {
    match import(text, file) {
        Ok(_) => panic!("{file}: accepted bad input:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn not_yaml_or_json() {
    let e = err("Resources:\n  A: [unclosed\n  B: x\n", "broken.yaml");
    assert!(e.starts_with("broken.yaml:"), "{e}");
    assert!(e.contains("not valid YAML"), "{e}");
    let e = err("{\n  \"Resources\": {\n    \"A\": \n}", "broken.json");
    assert!(e.starts_with("broken.json:4:"), "{e}");
    assert!(e.contains("not valid JSON"), "{e}");
    let e = err("", "empty.yaml");
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn not_a_template() {
    let e = err("hello: world\n", "notes.yaml");
    assert!(e.starts_with("notes.yaml:1: not a template"), "{e}");
    assert!(e.contains("no Resources section"), "{e}");
    let e = err("- a\n- b\n", "list.yaml");
    assert!(e.contains("not a template"), "{e}");
    let e = err("Resources:\n  Fn:\n    Properties: {}\n", "t.yaml");
    assert!(
        e.starts_with("t.yaml:3: not a template: resource Fn has no Type"),
        "{e}"
    );
    let e = err("Resources: {}\n", "t.yaml");
    assert!(e.contains("Resources is empty"), "{e}");
}

#[test]
fn dangling_references_name_the_line() {
    let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Missing.Arn\n";
    let e = err(text, "t.yaml");
    assert_eq!(
        e,
        "t.yaml:7: !GetAtt refers to \"Missing\", which is not a parameter, a resource or a pseudo parameter"
    );
    let e = err(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Value: !Ref Nope\n",
        "t.yaml",
    );
    assert!(e.starts_with("t.yaml:6: !Ref refers to \"Nope\""), "{e}");
    let e = err(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${Gone}-q\"\n",
        "t.yaml",
    );
    assert!(e.starts_with("t.yaml:5:"), "{e}");
    // Pseudo parameters, parameters and Sub's own variables are fine.
    import(
        "Parameters:\n  P:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub\n        - \"${P}-${AWS::Region}-${X}\"\n        - X: !Ref P\n",
        "t.yaml",
    )
    .unwrap();
}

#[test]
fn unknown_intrinsics_and_tags() {
    let e = err(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Frobnicate x\n",
        "t.yaml",
    );
    assert!(
        e.starts_with("t.yaml:5: unknown intrinsic function !Frobnicate"),
        "{e}"
    );
    let e = err(
        "{\n  \"Resources\": {\n    \"Q\": {\n      \"Type\": \"AWS::SQS::Queue\",\n      \"Properties\": {\"QueueName\": {\"Fn::Frobnicate\": \"x\"}}\n    }\n  }\n}\n",
        "t.json",
    );
    assert!(
        e.starts_with("t.json:5: unknown intrinsic function Fn::Frobnicate"),
        "{e}"
    );
    let e = err(
        "Resources:\n  Q: &a\n    Type: AWS::SQS::Queue\n  R: *a\n",
        "t.yaml",
    );
    assert!(e.contains("aliases"), "{e}");
    let e = err(
        "Resources:\n  Q:\n    Type: X::Y\n  Q:\n    Type: X::Z\n",
        "t.yaml",
    );
    assert!(e.starts_with("t.yaml:4: duplicate key \"Q\""), "{e}");
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let e = import_file(&path).unwrap_err();
    assert!(matches!(e, ImportError::TooLarge { .. }), "{e}");
    assert!(
        e.to_string().starts_with(&path.display().to_string()),
        "{e}"
    );
    assert!(e.to_string().contains("52428800 bytes"), "{e}");
    // The same limit holds for text handed over directly.
    let text = format!(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n# {}\n",
        "x".repeat(6 << 20)
    );
    assert!(matches!(
        import(&text, "big.yaml"),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!(
        "Resources:\n  A: {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = err(&text, "deep.yaml");
    assert!(e.starts_with("deep.yaml:"), "{e}");
    let json = format!(
        "{{\"Resources\": {}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = err(&json, "deep.json");
    assert!(e.starts_with("deep.json:1:"), "{e}");
}

#[test]
fn unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = import_file(&dir.path().join("missing.yaml")).unwrap_err();
    assert!(e.to_string().contains("missing.yaml: cannot read"), "{e}");
    let bin = dir.path().join("bin.yaml");
    std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let e = import_file(&bin).unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}

const SEED: &str = include_str!("../../../tests/iac/templates/alb-fargate-paths.yaml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text never panics the importer.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = import(&text, "fuzz.yaml");
    }

    /// A real template with a slice cut out or text spliced in either
    /// imports or fails with an error naming the file.
    #[test]
    fn mangled_templates_never_panic(
        at in 0usize..SEED.len(),
        cut in 0usize..200,
        insert in "[ \\n:!\\-\\[\\]{}'\"#&*a-zA-Z0-9]{0,12}",
    ) {
        let mut text: String = SEED.to_string();
        let start = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        text.replace_range(start..end, &insert);
        match import(&text, "fuzz.yaml") {
            Ok(imported) => prop_assert!(imported.design.component_count() > 0),
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.yaml"), "{}", e),
        }
    }
}
