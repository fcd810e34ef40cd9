//! Import of real templates: our own in `tests/iac/templates`, and the
//! shared corpus beside the clone (`../shared/templates`, or
//! `$ARCHSIM_SHARED_DIR/templates`): public SAM patterns and Fargate stacks.
//! Import -> export keeps every resource and every property, Parameters,
//! Conditions, Outputs and intrinsics; the imported design draws the
//! components and the connections the template implies.
//!
//! The corpus is not part of the repository. Without it the corpus half of
//! each test is skipped and says so on standard error, past the test
//! harness's capture, so a plain `cargo test` shows the line. Our own
//! templates take every import path the corpus takes (checked with line
//! coverage when they were written).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use archsim_iac::template::parse;
use archsim_iac::{ExportOptions, Flavour, ImportError, Syntax, export, import_file};
use archsim_model::ComponentKind as K;
use archsim_model::{Design, Meaning};
use common::{
    assert_draws, cfn_lint_errors, corpus, edges, pattern, repo_root, set, skip_validators,
};

/// The template files of `dir`, sorted.
fn templates(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        })
        .collect();
    out.sort();
    out
}

fn ours() -> Vec<PathBuf> {
    templates(&repo_root().join("tests/iac/templates"))
}

fn own(file: &str) -> PathBuf {
    repo_root().join("tests/iac/templates").join(file)
}

const CORPUS_FOLDERS: [&str; 2] = ["serverless-patterns", "fargate-stacks"];

/// What a corpus template that does not import cleanly does instead.
enum Exception {
    /// Import refuses it with this in the message.
    Refused(&'static str),
    /// It round-trips, but the imported design has these errors: for a
    /// template that really breaks a rule (none in the corpus today; an
    /// error the import itself causes is a bug to fix, not an entry).
    #[allow(dead_code, reason = "no corpus template breaks a rule today")]
    Errors(&'static [&'static str]),
}

/// The corpus templates that do not import cleanly, and why. Each entry is
/// checked: when a template starts importing cleanly, its entry must go.
/// Every other corpus template imports with no error-level finding.
const CORPUS_EXCEPTIONS: &[(&str, Exception, &str)] = &[
    (
        "serverless-patterns/cloudfront-apigw-http-api-lambda-rust.yml",
        Exception::Refused(":74: duplicate key \"Name\""),
        "the template repeats a key (cfn-lint E0000 too)",
    ),
    (
        "serverless-patterns/cloudfront-lambda-url-rust.yml",
        Exception::Refused(":45: duplicate key \"Name\""),
        "the template repeats a key (cfn-lint E0000 too)",
    ),
    (
        "serverless-patterns/public-nlb-or-alb-private-api-cfn.yaml",
        Exception::Refused(":358: duplicate key \"HealthCheckEnabled\""),
        "the template repeats a key (cfn-lint E0000 too)",
    ),
];

/// Our own templates whose imported design has errors on purpose.
const OWN_EXCEPTIONS: &[(&str, Exception, &str)] = &[];

fn opts_for(original: &serde_json::Value, syntax: Syntax) -> ExportOptions {
    ExportOptions {
        flavour: if archsim_iac::template::is_sam(original) {
            Flavour::Sam
        } else {
            Flavour::CloudFormation
        },
        syntax,
        ..Default::default()
    }
}

/// Imports `path`, checks that export writes the template back as it was
/// and that the design survives a save and load; returns the codes of the
/// design's errors.
fn round_trip(path: &Path) -> Result<BTreeSet<String>, ImportError> {
    let imported = import_file(path)?;
    let text = std::fs::read_to_string(path).expect("readable");
    let original = parse(&text, &path.display().to_string())
        .expect("parses")
        .value;
    for syntax in [Syntax::Yaml, Syntax::Json] {
        let out = export(&imported.design, &opts_for(&original, syntax)).expect("exports");
        let back = parse(&out.template, "exported")
            .expect("our output parses")
            .value;
        // Every section, resource, property and intrinsic, as written.
        assert_eq!(back, original, "{syntax:?}");
    }
    // The imported design is a design, not just a kept template.
    assert!(imported.design.component_count() > 0, "nothing drawn");
    assert!(!imported.report.mapped.is_empty());
    let text = archsim_model::file::to_string(&imported.design);
    let loaded = archsim_model::file::parse_str(&text, "imported.archsim.json").unwrap();
    assert_eq!(loaded, imported.design);
    Ok(archsim_model::validate(&imported.design)
        .into_iter()
        .filter(|p| p.severity == archsim_model::Severity::Error)
        .map(|p| p.code.to_string())
        .collect())
}

/// What is wrong with `path`'s import, given its listed exception.
fn round_trip_failure(path: &Path, exception: Option<&Exception>) -> Option<String> {
    let outcome = match std::panic::catch_unwind(|| round_trip(path)) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Some(format!("panicked: {message}"));
        }
    };
    match (outcome, exception) {
        (Ok(errors), None) if errors.is_empty() => None,
        (Ok(errors), Some(Exception::Errors(listed)))
            if errors.iter().map(String::as_str).eq(listed.iter().copied()) =>
        {
            None
        }
        (Err(e), Some(Exception::Refused(text))) if e.to_string().contains(text) => None,
        (Ok(errors), _) => Some(format!("the imported design has errors {errors:?}")),
        (Err(e), _) => Some(format!("refused: {e}")),
    }
}

/// Round-trips every template of `folder` (named `prefix` + file name in
/// `exceptions`) into `failures`; returns how many there were.
fn round_trip_all(
    folder: &Path,
    prefix: &str,
    exceptions: &[(&str, Exception, &str)],
    failures: &mut Vec<String>,
) -> usize {
    let all = templates(folder);
    for path in &all {
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        let listed = exceptions.iter().find(|(f, _, _)| *f == name);
        if let Some(f) = round_trip_failure(path, listed.map(|(_, e, _)| e)) {
            let listed = listed.map_or(String::new(), |(_, _, why)| {
                format!(" (listed as an exception: {why}; update the entry)")
            });
            failures.push(format!("{}: {f}{listed}", path.display()));
        }
    }
    for (file, _, _) in exceptions {
        if file.starts_with(prefix) && !folder.join(&file[prefix.len()..]).is_file() {
            failures.push(format!(
                "{file}: listed as an exception, not in {}",
                folder.display()
            ));
        }
    }
    all.len()
}

#[test]
fn import_then_export_keeps_everything() {
    let mut failures = Vec::new();
    let own = round_trip_all(
        &repo_root().join("tests/iac/templates"),
        "",
        OWN_EXCEPTIONS,
        &mut failures,
    );
    assert!(own >= 9, "tests/iac/templates: {own} templates");
    if let Some(dir) = corpus(
        "import_then_export_keeps_everything",
        &format!(
            "the round trip of the corpus's templates (templates/serverless-patterns/*, \
             templates/fargate-stacks/*; {} listed as exceptions) and ran only the {own} own \
             templates of tests/iac/templates",
            CORPUS_EXCEPTIONS.len(),
        ),
    ) {
        let mut count = 0;
        for folder in CORPUS_FOLDERS {
            count += round_trip_all(
                &dir.join(folder),
                &format!("{folder}/"),
                CORPUS_EXCEPTIONS,
                &mut failures,
            );
        }
        assert!(count >= 100, "{}: {count} templates", dir.display());
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every connection of `d` as `from -meaning-> to`, a `Uses` with its
/// access (`uses_read`).
/// Whether `d` has a `from_kind` -meaning-> Lambda function connection.
fn invokes_a_function(d: &Design, from_kind: K, meaning: Meaning) -> bool {
    d.connections().any(|c| {
        c.kind.meaning() == meaning
            && d.component(&c.from).map(|f| f.kind()) == Some(from_kind)
            && d.component(&c.to).map(|t| t.kind()) == Some(K::LambdaFunction)
    })
}

#[test]
fn connections_are_inferred_from_own_templates() {
    let expect = [
        ("sqs-lambda-worker.yaml", K::SqsQueue, Meaning::Poll),
        ("sam-event-sources.yaml", K::KinesisStream, Meaning::Poll),
        ("sam-event-sources.yaml", K::DynamoDbTable, Meaning::Poll),
        ("sam-event-sources.yaml", K::SnsTopic, Meaning::InvokeAsync),
        ("sam-event-sources.yaml", K::S3Bucket, Meaning::InvokeAsync),
        ("sam-event-sources.yaml", K::ApiGateway, Meaning::InvokeSync),
        (
            "sam-event-sources.yaml",
            K::EventBridgeRule,
            Meaning::InvokeAsync,
        ),
        ("cfn-event-sources.yaml", K::SnsTopic, Meaning::InvokeAsync),
        (
            "cfn-event-sources.yaml",
            K::EventBridgeRule,
            Meaning::InvokeAsync,
        ),
        ("cfn-event-sources.yaml", K::ApiGateway, Meaning::InvokeSync),
    ];
    for (file, from_kind, meaning) in expect {
        let imported = import_file(&own(file)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            invokes_a_function(&imported.design, from_kind, meaning),
            "{file}: no {from_kind:?} -{meaning:?}-> Lambda; inferred: {:?}",
            imported.report.inferred
        );
    }
    // Only what is drawn is connected: no connection for the subscription
    // by email, the schedule sending to a queue (drawn as invoking) or the
    // rule's target in another account.
    let cfn = import_file(&own("cfn-event-sources.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        edges(&cfn.design),
        set(&[
            // WorkerRole is the worker's own role: not drawn.
            "Alerts -invoke_async-> Worker",
            "EveryHour -invoke_async-> Worker",
            "OrderPlaced -invoke_async-> Worker",
            "Delivery -publishes-> Archive",
            "StatusApi -invoke_sync-> Worker",
        ]),
        "{:?}",
        cfn.report.inferred
    );
    assert!(
        cfn.design
            .connections()
            .all(|c| c.from != "EveryDay" && c.to != "Backlog")
    );
    // The implicit APIs SAM creates for Api and HttpApi events are drawn.
    let sam = import_file(&own("sam-event-sources.yaml")).unwrap_or_else(|e| panic!("{e}"));
    for api in ["ServerlessRestApi", "ServerlessHttpApi"] {
        assert_eq!(
            sam.design.component(api).map(|c| c.kind()),
            Some(K::ApiGateway),
            "{api}"
        );
    }
}

#[test]
fn connections_are_inferred_from_real_templates() {
    let expect = [
        ("sqs-lambda.yaml", K::SqsQueue, Meaning::Poll),
        ("kinesis-lambda.yaml", K::KinesisStream, Meaning::Poll),
        ("dynamodb-lambda.yaml", K::DynamoDbTable, Meaning::Poll),
        ("sns-lambda.yaml", K::SnsTopic, Meaning::InvokeAsync),
        (
            "s3-lambda-resizing-python.yaml",
            K::S3Bucket,
            Meaning::InvokeAsync,
        ),
        (
            "apigw-http-api-lambda.yaml",
            K::ApiGateway,
            Meaning::InvokeSync,
        ),
        (
            "eventbridge-schedule-to-lambda.yaml",
            K::EventBridgeRule,
            Meaning::InvokeAsync,
        ),
    ];
    let checks: Vec<String> = expect
        .iter()
        .map(|(file, kind, meaning)| format!("{file} ({kind:?} -{meaning:?}-> Lambda)"))
        .collect();
    let Some(dir) = corpus(
        "connections_are_inferred_from_real_templates",
        &format!(
            "its {} checks on templates/serverless-patterns: {}",
            checks.len(),
            checks.join(", ")
        ),
    ) else {
        return;
    };
    for (file, from_kind, meaning) in expect {
        let path = dir.join("serverless-patterns").join(file);
        let imported = import_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            invokes_a_function(&imported.design, from_kind, meaning),
            "{file}: no {from_kind:?} -{meaning:?}-> Lambda; inferred: {:?}",
            imported.report.inferred
        );
    }
}

#[test]
fn container_templates_infer_routes_groups_and_roles() {
    let alb = import_file(&own("alb-fargate-paths.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let d = &alb.design;
    let routes: Vec<_> = d
        .connections()
        .filter(|c| c.kind.meaning() == Meaning::Route)
        .collect();
    assert_eq!(routes.len(), 2, "{:?}", alb.report.inferred);
    // The cluster groups both services and the Fargate / Fargate Spot
    // capacity their strategies name.
    let group = d.groups().next().expect("an ECS cluster group");
    assert_eq!(group.members.len(), 4, "{:?}", group.members);
    let runs_on = d
        .connections()
        .filter(|c| c.kind.meaning() == Meaning::RunsOn)
        .count();
    assert_eq!(runs_on, 3, "orders on Fargate + Spot, users on Fargate");
    assert!(d.components().any(|c| c.kind() == K::ExternalRegistry));
    assert!(
        archsim_model::validate(d)
            .iter()
            .all(|p| p.severity != archsim_model::Severity::Error),
        "{:?}",
        archsim_model::validate(d)
    );

    let eks = import_file(&own("eks-nodegroup-fargate.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let group = eks.design.groups().next().expect("an EKS cluster group");
    assert_eq!(group.members.len(), 2, "node group and Fargate profile");

    let ec2 = import_file(&own("ecs-ec2-capacity.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ec2.design
            .components()
            .any(|c| c.kind() == K::Ec2AutoScalingGroup)
    );
    // Capacity provider -> ASG -> launch template -> profile -> role.
    assert!(
        ec2.design
            .connections()
            .any(|c| c.kind.meaning() == Meaning::AssumesRole && c.from == "CapacityProvider"),
        "{:?}",
        ec2.report.inferred
    );
    assert!(
        ec2.design
            .connections()
            .any(|c| c.kind.meaning() == Meaning::RunsOn && c.to == "CapacityProvider")
    );
}

#[test]
fn own_templates_pass_cfn_lint() {
    if skip_validators() {
        return;
    }
    let errors = cfn_lint_errors(&ours());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn typed_properties_are_read_from_container_templates() {
    use archsim_model::Props;
    use archsim_model::component::{CapacityType, NetworkMode, PlacementStrategyType};
    let ec2 = import_file(&own("ecs-ec2-capacity.yaml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .design;
    let Some(Props::EcsService(svc)) = ec2.component("WorkerService").map(|c| &c.props) else {
        panic!("WorkerService is an ECS service")
    };
    assert_eq!(svc.desired_count, 3);
    let kinds: Vec<_> = svc.placement_strategies.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            PlacementStrategyType::Spread,
            PlacementStrategyType::Binpack
        ]
    );
    assert_eq!(svc.placement_constraints.len(), 1);
    let Some(Props::TaskDefinition(td)) = ec2.component("WorkerTask").map(|c| &c.props) else {
        panic!("WorkerTask is a task definition")
    };
    assert_eq!(td.network_mode, NetworkMode::Bridge);
    assert_eq!(td.containers[0].port_mappings[0].host_port, Some(0));
    assert_eq!(td.containers[0].memory_mb, Some(512));

    let eks = import_file(&own("eks-nodegroup-fargate.yaml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .design;
    let Some(Props::EksNodeGroup(ng)) = eks.component("NodeGroup").map(|c| &c.props) else {
        panic!("NodeGroup is a node group")
    };
    assert_eq!((ng.capacity_type, ng.max_size), (CapacityType::Spot, 4));
    let Some(Props::EksFargateProfile(fp)) = eks.component("BatchProfile").map(|c| &c.props) else {
        panic!("BatchProfile is a Fargate profile")
    };
    assert_eq!(fp.namespace, "batch");
    assert_eq!(fp.labels.get("tier").map(String::as_str), Some("jobs"));
}

/// A variable naming a resource draws nothing; a policy decides what is
/// done with it, and receiving or reading a stream draws no write.
#[test]
fn names_draw_nothing_and_policies_decide_the_meaning() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Other:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
  Bucket:
    Type: AWS::S3::Bucket
  Stream:
    Type: AWS::Kinesis::Stream
  Named:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Environment:
        Variables:
          QUEUE: !Ref Queue
          TABLE: !Ref Table
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
      Policies:
        - SQSPollerPolicy:
            QueueName: !GetAtt Queue.QueueName
        - KinesisStreamReadPolicy:
            StreamName: !Ref Stream
        - DynamoDBReadPolicy:
            TableName: !Ref Table
        - S3WritePolicy:
            BucketName: !Ref Bucket
        - Statement:
            - Effect: Allow
              Action: ["sqs:SendMessage"]
              Resource: !GetAtt Other.Arn
            - Effect: Deny
              Action: ["dynamodb:PutItem"]
              Resource: !GetAtt Table.Arn
"#;
    let imported = archsim_iac::import(text, "policies.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        edges(&imported.design),
        set(&[
            "Queue -poll-> Reader",
            "Reader -uses_read-> Table",
            "Reader -uses_write-> Bucket",
            "Reader -publishes-> Other",
        ]),
        "{:#?}",
        imported.report.inferred
    );
    assert!(
        archsim_model::validate(&imported.design)
            .iter()
            .all(|p| p.code != "LAMBDA_RECURSIVE_LOOP")
    );
}

/// A value given by `!Ref` to a parameter is read as the parameter's
/// default, and the report says so; an image function's repository is the
/// template's when its `ImageUri` names one, a repository of its own when
/// a parameter gives it.
#[test]
fn parameters_give_their_defaults_and_images_their_repository() {
    use archsim_model::Props;
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Memory:
    Type: Number
    Default: 1024
  Image:
    Type: String
  Timeout:
    Type: Number
    Default: 30
Globals:
  Function:
    Timeout: !Ref Timeout
Resources:
  Repo:
    Type: AWS::ECR::Repository
  FromRepo:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: !Sub "${Repo.RepositoryUri}:latest"
      MemorySize: !Ref Memory
  FromParameter:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: !Ref Image
"#;
    let imported = archsim_iac::import(text, "params.yaml").unwrap_or_else(|e| panic!("{e}"));
    let Some(Props::LambdaFunction(f)) = imported.design.component("FromRepo").map(|c| &c.props)
    else {
        panic!("FromRepo is a function")
    };
    assert_eq!((f.memory_mb, f.timeout_s), (1024, 30));
    assert_eq!(
        imported.report.parameters,
        [
            "Globals.Function: parameter Timeout read as its default 30",
            "FromRepo: parameter Memory read as its default 1024",
        ]
    );
    assert_eq!(
        edges(&imported.design),
        set(&[
            "FromRepo -pulls_image-> Repo",
            "FromParameter -pulls_image-> FromParameterImageRepository",
        ]),
        "{:#?}",
        imported.report.inferred
    );
    assert!(
        imported.report.inferred.iter().any(|l| l
            .ends_with("(pulls images from, from FromParameter ImageUri from parameter Image)")),
        "{:#?}",
        imported.report.inferred
    );
    // Each component keeps which parameters its values came from, for the
    // inspector (the globals' ones apply to every SAM function).
    let from_parameters = &imported.design.extensions[archsim_iac::EXTENSION_KEY]["parameters"];
    assert_eq!(
        from_parameters,
        &serde_json::json!({
            "FromRepo": ["Memory = 1024", "Timeout = 30 (Globals)"],
            "FromParameter": ["Timeout = 30 (Globals)"],
        })
    );
    // The kept template still says !Ref: export writes it back as written.
    let out = archsim_iac::export(&imported.design, &ExportOptions::default()).expect("exports");
    assert!(
        out.template.contains("MemorySize: !Ref Memory"),
        "{}",
        out.template
    );
}

/// The typed properties of corpus functions, queues and event sources,
/// read as the templates write them (Globals included).
#[test]
fn typed_properties_are_read_as_written_in_real_templates() {
    use archsim_model::component::{Architecture, Runtime};
    use archsim_model::connection::StartingPosition;
    use archsim_model::{ConnectionKind, Props};
    let Some(dir) = corpus(
        "typed_properties_are_read_as_written_in_real_templates",
        "its typed property checks on templates/serverless-patterns",
    ) else {
        return;
    };
    let function = |d: &Design, id: &str| match d.component(id).map(|c| &c.props) {
        Some(Props::LambdaFunction(l)) => l.clone(),
        other => panic!("{id}: {other:?}"),
    };
    let poll = |d: &Design, from: &str, to: &str| {
        d.connections()
            .find(|c| c.from == from && c.to == to)
            .map(|c| c.kind.clone())
            .unwrap_or_else(|| panic!("no {from} -> {to}"))
    };

    // dotnet8 on arm64; its queue hands a message to the DLQ after 3
    // receives; batch size 10.
    let d = pattern(&dir, "sqs-lambda-dotnet-sam.yaml").design;
    let f = function(&d, "ProcessorFunction");
    assert_eq!(
        (f.runtime, f.runtime_identifier(), f.architecture),
        (Runtime::Dotnet, "dotnet8", Architecture::Arm64)
    );
    assert_eq!((f.memory_mb, f.timeout_s), (256, 30));
    let Some(Props::SqsQueue(q)) = d.component("ProcessingQueue").map(|c| &c.props) else {
        panic!("ProcessingQueue is a queue")
    };
    assert_eq!(
        (
            q.max_receive_count,
            q.message_retention_s,
            q.visibility_timeout_s
        ),
        (3, 1800, 30)
    );
    assert!(matches!(
        poll(&d, "ProcessingQueue", "ProcessorFunction"),
        ConnectionKind::Poll { batch_size: 10, .. }
    ));

    // nodejs24.x stays nodejs24.x; the stream is read from its start.
    let d = pattern(&dir, "dynamodb-lambda.yaml").design;
    let f = function(&d, "DynamoDBProcessStreamFunction");
    assert_eq!(f.runtime_identifier(), "nodejs24.x");
    assert!(matches!(
        poll(&d, "MyDynamoDBtable", "DynamoDBProcessStreamFunction"),
        ConnectionKind::Poll {
            batch_size: 100,
            starting_position: StartingPosition::TrimHorizon,
            ..
        }
    ));
    let d = pattern(&dir, "kinesis-lambda.yaml").design;
    assert!(matches!(
        poll(&d, "KinesisStream", "ApplicationFunction"),
        ConnectionKind::Poll {
            batch_size: 100,
            starting_position: StartingPosition::Latest,
            ..
        }
    ));
    assert!(function(&d, "ApplicationFunction").tracing);

    // Globals.Function: runtime, architectures, memory, timeout, tracing
    // and variables merged under the function's own.
    let d = pattern(&dir, "apigw-lambda-opensearch-serverless-nextgen.yaml").design;
    let f = function(&d, "SearchFunction");
    assert_eq!(
        (
            f.runtime_identifier(),
            f.architecture,
            f.memory_mb,
            f.timeout_s,
            f.tracing
        ),
        ("python3.14", Architecture::Arm64, 256, 29, true)
    );
    assert_eq!(f.handler, "app.handler");
    let vars: Vec<(&str, &str)> = f
        .environment
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        vars,
        [
            ("COLLECTION_NAME", "semantic-search"),
            ("INDEX_NAME", "documents"),
            ("POWERTOOLS_METRICS_NAMESPACE", "opensearch-nextgen"),
            ("POWERTOOLS_SERVICE_NAME", "opensearch-nextgen"),
        ],
        "the function's variables (a parameter's default included) and the globals'"
    );
    let d = pattern(&dir, "apigw-http-api-lambda-rds-proxy-java.yaml").design;
    let java: Vec<_> = d
        .components()
        .filter_map(|c| match &c.props {
            Props::LambdaFunction(l) => Some(l),
            _ => None,
        })
        .collect();
    assert!(!java.is_empty());
    for f in java {
        assert_eq!(
            (f.runtime_identifier(), f.memory_mb, f.timeout_s),
            ("java25", 3072, 30)
        );
    }
}

/// SnapStart, concurrency, ephemeral storage, asynchronous invocation
/// settings and event source windows are read back; Globals apply to SAM
/// functions only.
#[test]
fn function_and_event_source_settings_are_read() {
    use archsim_model::component::Architecture;
    use archsim_model::{ConnectionKind, Props};
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Batch:
    Type: Number
    Default: 7
Globals:
  Function:
    Runtime: java21
    Architectures: [arm64]
    SnapStart:
      ApplyOn: PublishedVersions
    Environment:
      Variables:
        STAGE: prod
        LOG: info
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: 5
      ReceiveMessageWaitTimeSeconds: 20
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 2
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.Handler
      ReservedConcurrentExecutions: 20
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 4
      EphemeralStorage:
        Size: 2048
      EventInvokeConfig:
        MaximumEventAgeInSeconds: 600
        MaximumRetryAttempts: 0
      Environment:
        Variables:
          LOG: debug
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 100
            MaximumBatchingWindowInSeconds: 20
            ScalingConfig:
              MaximumConcurrency: 5
        Records:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: TRIM_HORIZON
            ParallelizationFactor: 4
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Plain
      BatchSize: !Ref Batch
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs24.x
      Role: arn:aws:iam::123456789012:role/plain
      Code:
        ZipFile: "exports.handler = async () => 1"
"#;
    let imported = archsim_iac::import(text, "settings.yaml").unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    let Some(Props::LambdaFunction(f)) = d.component("Sam").map(|c| &c.props) else {
        panic!("Sam is a function")
    };
    assert_eq!(
        (f.runtime_identifier(), f.architecture, f.snap_start),
        ("java21", Architecture::Arm64, true)
    );
    assert_eq!(
        (
            f.reserved_concurrency,
            f.provisioned_concurrency,
            f.ephemeral_storage_mb,
            f.max_event_age_s,
            f.max_retry_attempts
        ),
        (Some(20), 4, 2048, 600, 0)
    );
    assert_eq!(
        f.environment.iter().collect::<Vec<_>>(),
        [
            (&"LOG".to_string(), &"debug".to_string()),
            (&"STAGE".to_string(), &"prod".to_string())
        ]
    );
    let Some(Props::LambdaFunction(plain)) = d.component("Plain").map(|c| &c.props) else {
        panic!("Plain is a function")
    };
    assert_eq!(
        (
            plain.runtime_identifier(),
            plain.architecture,
            plain.snap_start
        ),
        ("nodejs24.x", Architecture::X86_64, false),
        "Globals are SAM's: a CloudFormation function does not take them"
    );
    let Some(Props::SqsQueue(q)) = d.component("Queue").map(|c| &c.props) else {
        panic!("Queue is a queue")
    };
    assert_eq!((q.delay_s, q.receive_wait_s), (5, 20));
    let kind = |from: &str| {
        d.connections()
            .find(|c| c.from == from && c.to == "Sam")
            .map(|c| c.kind.clone())
    };
    assert_eq!(
        kind("Queue"),
        Some(ConnectionKind::Poll {
            batch_size: 100,
            batching_window_s: 20,
            parallelization_factor: 1,
            max_concurrency: Some(5),
            starting_position: Default::default(),
        })
    );
    assert!(
        matches!(
            d.connections()
                .find(|c| c.from == "Queue" && c.to == "Plain")
                .map(|c| &c.kind),
            Some(ConnectionKind::Poll { batch_size: 7, .. })
        ),
        "the mapping's batch size is its parameter's default"
    );
    assert_eq!(
        kind("Stream"),
        Some(ConnectionKind::Poll {
            batch_size: 10,
            batching_window_s: 0,
            parallelization_factor: 4,
            max_concurrency: None,
            starting_position: archsim_model::connection::StartingPosition::TrimHorizon,
        })
    );
}

/// A service stack whose cluster another stack exports: the service sits
/// in a cluster drawn for that export (not written back), its capacity
/// and task are connected, and the parameters' defaults are its sizes.
#[test]
fn a_service_in_another_stacks_cluster_is_in_a_cluster() {
    use archsim_model::Props;
    let Some(dir) = corpus(
        "a_service_in_another_stacks_cluster_is_in_a_cluster",
        "its checks on templates/fargate-stacks/service-stacks_*",
    ) else {
        return;
    };
    let path = dir
        .join("fargate-stacks")
        .join("service-stacks_private-subnet-public-loadbalancer.yml");
    let imported = import_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    assert_eq!(
        edges(d),
        set(&[
            "Service -runs_task-> TaskDefinition",
            "Service -runs_on-> ImportedProductionClusterNameFargate",
            "TaskDefinition -pulls_image-> RegistryDockerIo",
        ])
    );
    let group = d.groups().next().expect("a cluster group");
    assert_eq!(
        group.owner.as_deref(),
        Some("ImportedProductionClusterName")
    );
    assert_eq!(
        group.members.iter().map(String::as_str).collect::<Vec<_>>(),
        ["ImportedProductionClusterNameFargate", "Service"]
    );
    let Some(Props::EcsService(s)) = d.component("Service").map(|c| &c.props) else {
        panic!("Service is a service")
    };
    assert_eq!(s.desired_count, 2, "the DesiredCount parameter's default");
    assert!(
        imported
            .report
            .parameters
            .contains(&"Service: parameter DesiredCount read as its default 2".to_string()),
        "{:#?}",
        imported.report.parameters
    );
    // Nothing drawn for the export is written back.
    let original = parse(&std::fs::read_to_string(&path).unwrap(), "t")
        .unwrap()
        .value;
    let out = export(d, &opts_for(&original, Syntax::Yaml)).expect("exports");
    assert_eq!(parse(&out.template, "out").unwrap().value, original);
}

/// An HTTP API waits 30 s for its integration, a REST API 29 s: a 30 s
/// function behind an HTTP API is fine, behind a REST API it is warned
/// about (a real finding of the template, with its hint).
#[test]
fn http_apis_wait_30_s_and_rest_apis_29_s() {
    use archsim_model::Props;
    let Some(dir) = corpus(
        "http_apis_wait_30_s_and_rest_apis_29_s",
        "its checks on two templates of templates/serverless-patterns",
    ) else {
        return;
    };
    let warned = |d: &Design| {
        archsim_model::validate(d)
            .into_iter()
            .filter(|p| p.code == "LAMBDA_TIMEOUT_GT_APIGW")
            .count()
    };
    let http = pattern(&dir, "apigw-http-api-lambda-rds-proxy-java.yaml").design;
    let timeouts: Vec<u32> = http
        .components()
        .filter_map(|c| match &c.props {
            Props::ApiGateway(a) => Some(a.integration_timeout_ms),
            _ => None,
        })
        .collect();
    assert_eq!(timeouts, [30_000]);
    assert_eq!(warned(&http), 0);
    let rest = pattern(&dir, "apigw-lambda-sns-sms.yaml").design;
    assert_eq!(warned(&rest), 1, "a 30 s function behind a REST API");
}

/// A resource whose value the model refuses (a 1,024 s Lambda timeout) is
/// kept and written back, and the report says why it is not drawn.
#[test]
fn a_resource_the_model_refuses_is_reported_not_lost() {
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: \
                AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      \
                Runtime: python3.14\n      Timeout: 1024\n  Q:\n    Type: AWS::SQS::Queue\n";
    let imported = archsim_iac::import(text, "refused.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert!(imported.design.component("Fn").is_none());
    assert!(
        imported.report.kept.contains(
            &"Fn: not drawn: Fn: timeout_s = 1024 is outside 1..900 s (AWS Lambda quotas)"
                .to_string()
        ),
        "{:#?}",
        imported.report.kept
    );
    let out = export(&imported.design, &ExportOptions::default()).expect("exports");
    assert!(out.template.contains("Timeout: 1024"), "{}", out.template);
}

/// Bucket notifications to a function, a queue and a topic; a function's
/// explicit role with an attached `AWS::IAM::Policy` and a managed policy
/// of the template; a CloudFormation dead-letter target, whose send is
/// not a publish.
#[test]
fn notifications_and_a_functions_role_draw_what_they_say() {
    let text = r#"
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Resize.Arn
        QueueConfigurations:
          - Event: s3:ObjectRemoved:*
            Queue: !GetAtt Removed.Arn
        TopicConfigurations:
          - Event: s3:ObjectCreated:*
            Topic: !Ref Created
  Removed:
    Type: AWS::SQS::Queue
  Failed:
    Type: AWS::SQS::Queue
  Created:
    Type: AWS::SNS::Topic
  Thumbs:
    Type: AWS::S3::Bucket
  Meta:
    Type: AWS::DynamoDB::Table
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns:
        - !Ref ReadMeta
  WriteThumbs:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: thumbs
      Roles: [!Ref Role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [s3:PutObject]
            Resource: !Sub "${Thumbs.Arn}/*"
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !GetAtt Failed.Arn
  ReadMeta:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [dynamodb:Query]
            Resource: !GetAtt Meta.Arn
  Resize:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs24.x
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: "exports.handler = async () => 1"
      DeadLetterConfig:
        TargetArn: !GetAtt Failed.Arn
"#;
    let imported = archsim_iac::import(text, "notify.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        edges(&imported.design),
        set(&[
            "Uploads -invoke_async-> Resize",
            "Uploads -publishes-> Removed",
            "Uploads -publishes-> Created",
            "Resize -assumes_role-> Role",
            "Resize -uses_write-> Thumbs",
            "Resize -uses_read-> Meta",
            "Resize -dead_letter-> Failed",
        ]),
        "{:#?}",
        imported.report.inferred
    );
    assert!(
        imported.report.inferred.contains(
            &"Uploads -> Removed (publishes to, from Uploads NotificationConfiguration \
              QueueConfigurations (s3:ObjectRemoved:*))"
                .to_string()
        ),
        "{:#?}",
        imported.report.inferred
    );
}

/// A REST API's service integrations (the URI says the action, the
/// credentials role's policy the table), an HTTP API's SQS-SendMessage
/// integration, a function's destinations, a distribution's origins (a
/// bucket and a function URL) and a pipe, each drawn with what it does and
/// nothing more: the role that lets the APIs call the table and queue is
/// not the APIs' own, and a `Query` and a `PutItem` on one table are one
/// read-write use.
#[test]
fn integrations_destinations_origins_and_pipes_are_drawn() {
    let imported =
        import_file(&own("integrations-destinations.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let want = set(&[
        "OrdersApi -uses_read_write-> Orders",
        "InboxApi -publishes-> Inbox",
        "Worker -publishes-> Results",
        "Worker -dead_letter-> Fallback",
        "Worker -assumes_role-> WorkerRole",
        "Fallback -assumes_role-> WorkerRole",
        "Inbox -poll-> Fallback",
        "Edge -route-> Assets",
        "Edge -invoke_sync-> Worker",
        "Failures -poll-> FailuresToResults",
        "FailuresToResults -publishes-> Results",
        "Clicks -poll-> Worker",
        "Clicks -references-> ClicksConsumer",
    ]);
    assert_draws(&imported.design, &want);
    // The distribution is a CloudFront component with its price class.
    let edge = imported.design.component("Edge").expect("drawn");
    match &edge.props {
        archsim_model::Props::CloudFront(p) => assert_eq!(p.price_class, "PriceClass_200"),
        other => panic!("Edge drawn as {:?}", other.kind()),
    }
    // Each says where it comes from.
    let report = imported.report.inferred.join("\n");
    for evidence in [
        "ListOrders (service integration dynamodb:Query); role ApiRole allows it on Orders",
        "SendToInbox (service integration sqs:SendMessage) names Inbox",
        "WorkerDestinations OnFailure destination",
        "Edge origin app DomainName names WorkerUrl (function URL)",
        "FailuresToResults Source",
        "ClicksMapping (event source mapping) through enhanced fan-out consumer ClicksConsumer",
    ] {
        assert!(report.contains(evidence), "no {evidence:?} in\n{report}");
    }
}

/// An ECS service that works a queue: its task role may receive from the
/// queue (the evidence), the queue's URL is in the container's
/// environment and the service scales on the queue's depth (more
/// evidence, said in the report); the role's write on a table is a write.
/// The environment's mention of the table draws nothing of its own.
#[test]
fn a_service_whose_tasks_receive_from_a_queue_polls_it() {
    let imported =
        import_file(&own("fargate-worker-parameters.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let want = set(&[
        "WorkerTask -assumes_role-> ExecutionRole",
        "WorkerTask -assumes_role-> TaskRole",
        "WorkerTask -pulls_image-> Images",
        "WorkerService -runs_task-> WorkerTask",
        "WorkerService -runs_on-> ClusterFargate",
        "Jobs -poll-> WorkerService",
        "WorkerService -uses_write-> Results",
    ]);
    assert_draws(&imported.design, &want);
    let report = imported.report.inferred.join("\n");
    assert!(
        report.contains(
            "Jobs -> WorkerService (is polled by, from WorkerTask task role TaskRole: statement \
             sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes; Jobs is in the \
             container environment; the service scales on Jobs's depth)"
        ),
        "{report}"
    );
}

/// Every inferred connection carries its evidence in the design, and the
/// ones whose evidence only suggests them are marked weak for the user to
/// confirm: a statement on every resource applied to a table the function
/// names in its environment, and one of two tables an API's credentials
/// role may write. A statement on the table itself is strong.
#[test]
fn weak_evidence_is_marked_for_the_user_to_confirm() {
    let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Named:
    Type: AWS::DynamoDB::Table
  Granted:
    Type: AWS::DynamoDB::Table
  Guess:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Environment:
        Variables:
          TABLE: !Ref Named
      Policies:
        - Statement:
            - Effect: Allow
              Action: ["dynamodb:GetItem"]
              Resource: "*"
            - Effect: Allow
              Action: ["dynamodb:PutItem"]
              Resource: !GetAtt Granted.Arn
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: both
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: [!GetAtt Named.Arn, !GetAtt Granted.Arn]
  Api:
    Type: AWS::ApiGateway::RestApi
  Put:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Credentials: !GetAtt ApiRole.Arn
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem
"#;
    let imported = archsim_iac::import(text, "weak.yaml").unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    let marks: BTreeSet<String> = d
        .connections()
        .map(|c| {
            let m = c
                .inferred
                .as_ref()
                .expect("every imported connection has evidence");
            assert!(!m.evidence.is_empty(), "{}", c.id);
            format!(
                "{} -> {}{}",
                c.from,
                c.to,
                if m.weak { " (weak)" } else { "" }
            )
        })
        .collect();
    assert_eq!(
        marks,
        set(&[
            "Guess -> Named (weak)",
            "Guess -> Granted",
            "Api -> Named (weak)",
            "Api -> Granted (weak)",
        ])
    );
    let report = imported.report.inferred.join("\n");
    assert!(
        report.contains("named in its environment) [inferred: confirm it]"),
        "{report}"
    );
    assert!(report.contains("(one of several)"), "{report}");
    // The marks are saved with the design and read back.
    let saved = archsim_model::file::to_string(d);
    let back = archsim_model::file::parse_str(&saved, "weak.archsim.json").expect("load");
    assert_eq!(
        back.connections()
            .filter(|c| c.inferred.as_ref().is_some_and(|m| m.weak))
            .count(),
        3
    );
    // Validation lists each for the user, and confirming one (keeping its
    // evidence) takes it off the list.
    let unconfirmed = |d: &archsim_model::Design| {
        archsim_model::validate(d)
            .into_iter()
            .filter(|p| p.code == "INFERRED_CONNECTION_UNCONFIRMED")
            .count()
    };
    assert_eq!(unconfirmed(d), 3);
    let mut confirmed = d.clone();
    let id = d
        .connections()
        .find(|c| c.from == "Guess" && c.to == "Named")
        .map(|c| c.id.clone())
        .expect("drawn");
    archsim_model::edit::apply_op(
        &mut confirmed,
        archsim_model::Op::SetProperty {
            id: id.clone(),
            path: "inferred".into(),
            value: serde_json::json!({"evidence": "checked by hand", "weak": false}),
        },
    )
    .expect("confirm");
    assert_eq!(unconfirmed(&confirmed), 2);
    assert_eq!(
        confirmed
            .connection(&id)
            .and_then(|c| c.inferred.clone())
            .map(|i| i.evidence),
        Some("checked by hand".to_string())
    );
}

/// DynamoDB auto scaling in a template is read onto its table (the
/// simulator scales it, the bill follows), and kept as written.
#[test]
fn dynamodb_auto_scaling_is_read_onto_the_table() {
    use archsim_model::Props;
    use archsim_model::component::CapacityScaling;
    let text = r#"
Parameters:
  MaxWrites: {Type: Number, Default: 100}
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  WriteScaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: dynamodb
      ScalableDimension: dynamodb:table:WriteCapacityUnits
      ResourceId: !Sub table/${Orders}
      MinCapacity: 5
      MaxCapacity: !Ref MaxWrites
  WritePolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: writes
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref WriteScaling
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 60
        PredefinedMetricSpecification:
          PredefinedMetricType: DynamoDBWriteCapacityUtilization
"#;
    let imported = archsim_iac::import(text, "scaling.yaml").expect("imports");
    let Some(Props::DynamoDbTable(t)) = imported.design.component("Orders").map(|c| &c.props)
    else {
        panic!("a table")
    };
    assert_eq!(
        t.write_scaling,
        Some(CapacityScaling {
            min_capacity: 5,
            max_capacity: 100,
            target_utilization_pct: 60.0,
        })
    );
    assert_eq!(t.read_scaling, None);
    let line = imported
        .report
        .kept
        .iter()
        .find(|l| l.starts_with("WriteScaling:"))
        .expect("reported");
    assert!(
        line.contains("write auto scaling (5 to 100 at 60%)"),
        "{line}"
    );
    // Written back as it was.
    let again = archsim_iac::export(&imported.design, &Default::default()).unwrap();
    assert!(
        again.template.contains("MaxCapacity: !Ref MaxWrites"),
        "{}",
        again.template
    );
}

/// State machines: a SAM one whose definition is a file beside the
/// template (read), with its substitutions mapped to the components its
/// Tasks call and its events drawn as what starts it; a CloudFormation one
/// whose `DefinitionString` is an `Fn::Sub` with its own variables.
#[test]
fn state_machines_draw_what_their_tasks_call_and_what_starts_them() {
    use archsim_model::component::{StateKind, WorkflowType};
    let imported = import_file(&own("step-functions.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let want = set(&[
        "ServerlessRestApi -invoke_sync-> OrdersWorkflow",
        "OrdersWorkflowNightly -invoke_async-> OrdersWorkflow",
        "OrdersWorkflow -invoke_sync-> ChargeFunction",
        "OrdersWorkflow -uses_write-> OrdersTable",
        "OrdersWorkflow -publishes-> OrdersTopic",
        "AuditWorkflow -publishes-> AuditQueue",
        "AuditWorkflow -assumes_role-> AuditRole",
    ]);
    assert_draws(&imported.design, &want);
    let machine = |id: &str| match &imported.design.component(id).expect("drawn").props {
        archsim_model::Props::StepFunctions(p) => p.clone(),
        other => panic!("{id} drawn as {:?}", other.kind()),
    };
    let orders = machine("OrdersWorkflow");
    assert_eq!(orders.workflow_type, WorkflowType::Express);
    assert_eq!(orders.substitutions["ChargeFunctionArn"], "ChargeFunction");
    assert_eq!(
        orders.workflow().expect("read from the file").tasks().len(),
        3
    );
    let audit = machine("AuditWorkflow")
        .workflow()
        .expect("read from the Fn::Sub");
    assert!(matches!(audit.states["Wait"].kind, StateKind::Wait { seconds } if seconds == 30.0));
    assert!(
        imported
            .report
            .kept
            .iter()
            .any(|l| l.contains("definition read from statemachine/orders.asl.json")),
        "{:?}",
        imported.report.kept
    );
    assert!(archsim_model::validate(&imported.design).is_empty());
}

/// Every corpus template with a state machine draws it as one, and one
/// whose definition file is not in the corpus says so.
#[test]
fn corpus_state_machines_are_step_functions() {
    let Some(dir) = corpus(
        "corpus_state_machines_are_step_functions",
        "the state machines of templates/serverless-patterns",
    ) else {
        return;
    };
    let mut seen = 0;
    for path in templates(&dir.join("serverless-patterns")) {
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("StateMachine") {
            continue;
        }
        let Ok(imported) = import_file(&path) else {
            continue;
        };
        let machines = imported.design.components_of(K::StepFunctions).count();
        assert!(machines >= 1, "{}: no state machine drawn", path.display());
        seen += 1;
        if text.contains("DefinitionUri") {
            assert!(
                imported
                    .report
                    .kept
                    .iter()
                    .any(|l| l.contains("DefinitionUri")),
                "{}: {:?}",
                path.display(),
                imported.report.kept
            );
        }
    }
    assert_eq!(seen, 8);
}

/// A SAM API's Lambda authorizer is read as written: its payload type, its
/// identity header and its TTL (SAM's defaults where the template says
/// nothing: TOKEN, 300 s).
#[test]
fn lambda_authorizer_settings_are_read_as_written() {
    use archsim_model::Props;
    use archsim_model::component::AuthorizerPayload;
    let Some(dir) = corpus(
        "lambda_authorizer_settings_are_read_as_written",
        "the Lambda authorizers of templates/serverless-patterns",
    ) else {
        return;
    };
    for (file, api, want) in [
        // FunctionPayloadType: REQUEST, Identity.Headers [Authorization],
        // ReauthorizeEvery: 0.
        (
            "apigw-kinesis-lambda-ddb.yaml",
            "RestApi",
            (AuthorizerPayload::Request, "Authorization", 0),
        ),
        // Identity.Header only.
        (
            "kinesis-data-stream-firehose-apigw-sam.yaml",
            "MyApiGateway",
            (AuthorizerPayload::Token, "X-Amz-Firehose-Access-Key", 300),
        ),
    ] {
        let imported = pattern(&dir, file);
        let Some(Props::ApiGateway(p)) = imported.design.component(api).map(|c| &c.props) else {
            panic!("{file}: {api} is an API")
        };
        let a = &p.lambda_authorizer;
        assert_eq!(
            (a.payload, a.identity_header.as_str(), a.result_ttl_s),
            want,
            "{file}"
        );
    }
}
