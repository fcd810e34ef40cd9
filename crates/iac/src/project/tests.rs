use super::events::{base64, payload};
use super::*;
use archsim_model::component::LambdaProps;

fn lambda(name: &str, runtime: Runtime, handler: &str) -> Component {
    Component::new("f", name, K::LambdaFunction).with(Props::LambdaFunction(LambdaProps {
        runtime,
        handler: handler.into(),
        ..Default::default()
    }))
}

#[test]
fn folders_come_from_names() {
    assert_eq!(
        function_folder(&lambda(
            "Orders handler (v2)",
            Runtime::Python,
            "app.handler"
        ))
        .unwrap(),
        "orders-handler-v2"
    );
    assert!(matches!(
        function_folder(&lambda("***", Runtime::Python, "app.handler")),
        Err(ProjectError::BadFolderName { .. })
    ));
}

#[test]
fn only_runtimes_with_a_stub_are_accepted() {
    for r in [
        Runtime::Python,
        Runtime::Nodejs,
        Runtime::Java,
        Runtime::Go,
        Runtime::Dotnet,
        Runtime::Ruby,
    ] {
        let c = lambda("F", r, "app.handler");
        let Props::LambdaFunction(p) = &c.props else {
            unreachable!()
        };
        assert_eq!(stub_runtime(&c, p).unwrap(), r);
    }
    let c = lambda("F", Runtime::Rust, "bootstrap");
    let Props::LambdaFunction(p) = &c.props else {
        unreachable!()
    };
    let err = stub_runtime(&c, p).unwrap_err();
    assert!(err.to_string().contains("Rust (provided.al2023)"), "{err}");
}

#[test]
fn base64_matches_the_standard_alphabet_and_padding() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(
        base64(b"Hello, this is a test 123."),
        "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0IDEyMy4="
    );
}

#[test]
fn payloads_are_the_size_asked_for() {
    let c = lambda("Orders", Runtime::Python, "app.handler");
    for size in [200, 1024, 4096] {
        let p = payload(&c, size);
        assert_eq!(serde_json::to_string(&p).unwrap().len(), size);
    }
    // Smaller than its fields: the fields alone.
    assert!(serde_json::to_string(&payload(&c, 1)).unwrap().len() < 100);
}

#[test]
fn the_artifact_bucket_parameter_goes_once_nothing_names_it() {
    let mut t = json!({
        "Parameters": {"ArtifactBucket": {"Type": "String"}},
        "Resources": {"F": {"Properties": {"CodeUri": "src/f/"}}}
    });
    drop_unused_artifact_bucket(&mut t);
    assert!(t.get("Parameters").is_none());
    let mut t = json!({
        "Parameters": {"ArtifactBucket": {"Type": "String"}},
        "Resources": {"G": {"Properties": {"CodeUri": {"Bucket": {"Ref": "ArtifactBucket"}}}}}
    });
    drop_unused_artifact_bucket(&mut t);
    assert!(t.pointer("/Parameters/ArtifactBucket").is_some());
}
