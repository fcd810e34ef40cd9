//! The SAM project export (`archsim_iac::project`): chained events, a
//! handler per runtime, re-export keeping the user's edits, bad input; and,
//! where the tools are installed, the handlers compiled and run against
//! their events (AWS calls stubbed), the events' shapes against `sam local
//! generate-event`, and `sam validate --lint` + `sam build` on every
//! example's project. A test whose tool is missing passes and says on
//! stderr what it skipped.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archsim_iac::Network;
use archsim_iac::project::{Ownership, Project, ProjectError, project, write_project};
use archsim_model::component::*;
use archsim_model::connection::{Access, StartingPosition};
use archsim_model::edit::apply_op;
use archsim_model::{Component, Connection, ConnectionKind, Design, Meaning, Op, Props};
use serde_json::Value;

use common::{cfn_lint_errors, examples, repo_root, sam_translate, skip_validators};

fn add(d: &mut Design, id: &str, name: &str, props: Props) {
    apply_op(
        d,
        Op::AddComponent {
            component: Component::new(id, name, props.kind()).with(props),
        },
    )
    .unwrap_or_else(|e| panic!("{id}: {e}"));
}

fn link(d: &mut Design, from: &str, to: &str, kind: ConnectionKind) {
    let id = format!("c{:02}", d.connections().count() + 1);
    apply_op(
        d,
        Op::Connect {
            connection: Connection::new(id, from, to, kind),
        },
    )
    .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
}

fn function(runtime: Runtime, handler: &str) -> Props {
    Props::LambdaFunction(LambdaProps {
        runtime,
        handler: handler.into(),
        ..Default::default()
    })
}

fn poll() -> ConnectionKind {
    ConnectionKind::Poll {
        batch_size: 10,
        batching_window_s: 0,
        parallelization_factor: 1,
        max_concurrency: None,
        starting_position: StartingPosition::Latest,
    }
}

fn uses(access: Access) -> ConnectionKind {
    ConnectionKind::Uses { access }
}

/// Every trigger the project writes events for, chains through queues and
/// topics, every SDK call, and a function in each stub runtime.
fn chains() -> Design {
    let mut d = Design::new("Chains");
    let sync = Meaning::InvokeSync.default_kind();
    let asynchronous = Meaning::InvokeAsync.default_kind();
    let publishes = ConnectionKind::Publishes;
    add(&mut d, "users", "Users", Props::Client(Default::default()));
    // S3 -> SQS -> Lambda
    add(
        &mut d,
        "uploads",
        "Uploads bucket",
        Props::S3Bucket(S3BucketProps {
            prefix: "in/".into(),
            suffix: ".jpg".into(),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "upload-q",
        "Upload queue",
        Props::SqsQueue(Default::default()),
    );
    add(
        &mut d,
        "upload-fn",
        "Upload worker",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "users", "uploads", uses(Access::Write));
    link(&mut d, "uploads", "upload-q", publishes.clone());
    link(&mut d, "upload-q", "upload-fn", poll());
    link(&mut d, "upload-fn", "uploads", uses(Access::Read));
    // S3 -> SNS -> SQS -> Lambda
    add(
        &mut d,
        "reports",
        "Reports bucket",
        Props::S3Bucket(Default::default()),
    );
    add(
        &mut d,
        "report-topic",
        "Report topic",
        Props::SnsTopic(Default::default()),
    );
    add(
        &mut d,
        "report-q",
        "Report queue",
        Props::SqsQueue(Default::default()),
    );
    add(
        &mut d,
        "report-fn",
        "Report worker",
        function(Runtime::Nodejs, "index.handler"),
    );
    link(&mut d, "reports", "report-topic", publishes.clone());
    link(&mut d, "report-topic", "report-q", publishes.clone());
    link(&mut d, "report-q", "report-fn", poll());
    // API Gateway (HTTP) -> Lambda calling everything
    add(
        &mut d,
        "http",
        "Shop API",
        Props::ApiGateway(ApiGatewayProps {
            api_type: ApiType::Http,
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "orders-fn",
        "Orders fn",
        function(Runtime::Nodejs, "index.handler"),
    );
    add(
        &mut d,
        "orders",
        "Orders table",
        Props::DynamoDbTable(DynamoDbTableProps {
            partition_key: "orderId".into(),
            sort_key: "createdAt".into(),
            stream: Some(StreamView::NewAndOldImages),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "order-events",
        "Order events",
        Props::SnsTopic(Default::default()),
    );
    add(
        &mut d,
        "clicks",
        "Clicks stream",
        Props::KinesisStream(Default::default()),
    );
    add(
        &mut d,
        "placed",
        "Order placed",
        Props::EventBridgeRule(EventBridgeRuleProps {
            schedule: String::new(),
            event_pattern: r#"{"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}"#.into(),
            event_bus: "default".into(),
        }),
    );
    add(
        &mut d,
        "audit-fn",
        "Audit fn",
        function(Runtime::Python, "audit.handler"),
    );
    add(
        &mut d,
        "work-q",
        "Work queue",
        Props::SqsQueue(Default::default()),
    );
    link(&mut d, "users", "http", sync.clone());
    link(&mut d, "http", "orders-fn", sync.clone());
    link(&mut d, "orders-fn", "orders", uses(Access::ReadWrite));
    link(&mut d, "orders-fn", "order-events", publishes.clone());
    link(&mut d, "orders-fn", "clicks", publishes.clone());
    link(&mut d, "orders-fn", "placed", publishes.clone());
    link(&mut d, "orders-fn", "audit-fn", asynchronous.clone());
    link(&mut d, "orders-fn", "work-q", publishes.clone());
    link(&mut d, "orders-fn", "reports", uses(Access::ReadWrite));
    // SNS -> SQS -> Lambda; SNS -> Lambda
    add(
        &mut d,
        "order-q",
        "Order queue",
        Props::SqsQueue(Default::default()),
    );
    add(
        &mut d,
        "order-worker",
        "Order worker",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "order-events", "order-q", publishes.clone());
    link(&mut d, "order-q", "order-worker", poll());
    link(&mut d, "order-worker", "orders", uses(Access::Write));
    add(
        &mut d,
        "notify-fn",
        "Notify fn",
        function(Runtime::Nodejs, "index.handler"),
    );
    link(&mut d, "order-events", "notify-fn", asynchronous.clone());
    // EventBridge pattern and schedule
    add(
        &mut d,
        "placed-fn",
        "Placed fn",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "placed", "placed-fn", asynchronous.clone());
    add(
        &mut d,
        "nightly",
        "Nightly",
        Props::EventBridgeRule(EventBridgeRuleProps {
            schedule: "cron(0 3 * * ? *)".into(),
            ..Default::default()
        }),
    );
    add(
        &mut d,
        "nightly-fn",
        "Nightly fn",
        function(Runtime::Nodejs, "index.handler"),
    );
    link(&mut d, "nightly", "nightly-fn", asynchronous.clone());
    // Streams
    add(
        &mut d,
        "clicks-fn",
        "Clicks fn",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "clicks", "clicks-fn", poll());
    add(
        &mut d,
        "stream-fn",
        "Stream fn",
        function(Runtime::Nodejs, "index.handler"),
    );
    link(&mut d, "orders", "stream-fn", poll());
    // ALB, REST API, function URL, Cognito
    add(&mut d, "alb", "Edge ALB", Props::Alb(Default::default()));
    add(
        &mut d,
        "web-fn",
        "Web fn",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "users", "alb", sync.clone());
    link(&mut d, "alb", "web-fn", Meaning::Route.default_kind());
    add(
        &mut d,
        "rest",
        "Admin API",
        Props::ApiGateway(Default::default()),
    );
    add(
        &mut d,
        "admin-fn",
        "Admin fn",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "users", "rest", sync.clone());
    link(&mut d, "rest", "admin-fn", sync.clone());
    add(
        &mut d,
        "url-fn",
        "Url fn",
        function(Runtime::Nodejs, "index.handler"),
    );
    link(&mut d, "users", "url-fn", sync.clone());
    add(
        &mut d,
        "pool",
        "Members",
        Props::Cognito(Default::default()),
    );
    add(
        &mut d,
        "signup-fn",
        "Signup fn",
        function(Runtime::Python, "app.handler"),
    );
    link(&mut d, "pool", "signup-fn", sync.clone());
    // One function per minimal stub runtime, on the work queue's messages.
    for (id, name, runtime, handler) in [
        ("java-fn", "Java fn", Runtime::Java, "index.handler"),
        ("go-fn", "Go fn", Runtime::Go, "index.handler"),
        ("dotnet-fn", "Dotnet fn", Runtime::Dotnet, "index.handler"),
        ("ruby-fn", "Ruby fn", Runtime::Ruby, "app.handler"),
    ] {
        let mut props = function(runtime, handler);
        if let Props::LambdaFunction(p) = &mut props
            && runtime == Runtime::Dotnet
        {
            // The model's default, dotnet8, is deprecated since 2026-11-10
            // (sam validate --lint warns).
            p.runtime_id = Some("dotnet10".into());
        }
        add(&mut d, id, name, props);
        link(&mut d, "order-events", id, asynchronous.clone());
    }
    d
}

fn make(d: &Design) -> Project {
    project(d, "chains.archsim.json", Network::Generated).expect("project exports")
}

fn json_file(p: &Project, path: &str) -> Value {
    let f = p
        .file(path)
        .unwrap_or_else(|| panic!("{path} is missing; files: {:?}", paths(p)));
    serde_json::from_str(&f.text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn paths(p: &Project) -> Vec<&str> {
    p.files.iter().map(|f| f.path.as_str()).collect()
}

fn template(p: &Project) -> Value {
    archsim_iac::template::parse(
        &p.file("template.yaml").expect("template").text,
        "template.yaml",
    )
    .expect("template parses")
    .value
}

#[test]
fn s3_notification_travels_inside_the_sqs_message_body() {
    let p = make(&chains());
    let event = json_file(
        &p,
        "events/upload-worker/upload-queue-from-uploads-bucket.json",
    );
    let record = &event["Records"][0];
    assert_eq!(record["eventSource"], "aws:sqs");
    assert!(
        record["eventSourceARN"]
            .as_str()
            .unwrap()
            .ends_with(":UploadQueue")
    );
    let body: Value = serde_json::from_str(record["body"].as_str().unwrap()).expect("body is JSON");
    let s3 = &body["Records"][0];
    assert_eq!(s3["eventSource"], "aws:s3");
    assert_eq!(s3["eventName"], "ObjectCreated:Put");
    assert!(
        s3["s3"]["bucket"]["name"]
            .as_str()
            .unwrap()
            .starts_with("uploads-bucket")
    );
    // The bucket's notification filter shapes the key.
    let key = s3["s3"]["object"]["key"].as_str().unwrap();
    assert!(key.starts_with("in/") && key.ends_with(".jpg"), "{key}");
}

#[test]
fn sns_envelope_wraps_the_s3_notification_inside_the_sqs_message() {
    let p = make(&chains());
    let event = json_file(
        &p,
        "events/report-worker/report-queue-from-report-topic.json",
    );
    let body: Value =
        serde_json::from_str(event["Records"][0]["body"].as_str().unwrap()).expect("body");
    assert_eq!(body["Type"], "Notification");
    assert!(body["TopicArn"].as_str().unwrap().ends_with(":ReportTopic"));
    let inner: Value = serde_json::from_str(body["Message"].as_str().unwrap()).expect("message");
    assert_eq!(inner["Records"][0]["eventSource"], "aws:s3");

    // SNS -> SQS with a function publishing to the topic: the envelope
    // carries the function's payload.
    let event = json_file(&p, "events/order-worker/order-queue-from-order-events.json");
    let body: Value =
        serde_json::from_str(event["Records"][0]["body"].as_str().unwrap()).expect("body");
    assert_eq!(body["Type"], "Notification");
    let inner: Value = serde_json::from_str(body["Message"].as_str().unwrap()).expect("message");
    assert_eq!(inner["source"], "Orders fn");

    // SNS -> Lambda: the notification record, the payload as its message.
    let event = json_file(&p, "events/notify-fn/order-events-from-orders-fn.json");
    assert_eq!(event["Records"][0]["EventSource"], "aws:sns");
    assert!(
        event["Records"][0]["Sns"]["Message"]
            .as_str()
            .unwrap()
            .contains("Orders fn")
    );
}

#[test]
fn eventbridge_events_carry_the_rules_source_and_detail_type() {
    let p = make(&chains());
    let event = json_file(&p, "events/placed-fn/order-placed.json");
    assert_eq!(event["source"], "shop.orders");
    assert_eq!(event["detail-type"], "OrderPlaced");
    assert!(
        event["resources"][0]
            .as_str()
            .unwrap()
            .ends_with("rule/OrderPlaced")
    );
    let schedule = json_file(&p, "events/nightly-fn/nightly.json");
    assert_eq!(schedule["source"], "aws.events");
    assert_eq!(schedule["detail-type"], "Scheduled Event");
}

#[test]
fn payloads_have_the_scenarios_request_size() {
    let mut d = chains();
    d.scenarios.push(
        serde_json::from_value(serde_json::json!({
            "name": "big", "duration_s": 60.0,
            "traffic": [{"entry": "users", "pattern": {"type": "poisson", "rps": 1.0},
                         "request": {"path": "/", "payload_bytes": 3000, "response_bytes": 100}}]
        }))
        .expect("scenario"),
    );
    let p = make(&d);
    let event = json_file(&p, "events/orders-fn/shop-api.json");
    assert_eq!(event["version"], "2.0");
    let body = event["body"].as_str().unwrap();
    assert_eq!(body.len(), 3000, "the HTTP body is the scenario's payload");
    let s3 = json_file(
        &p,
        "events/upload-worker/upload-queue-from-uploads-bucket.json",
    );
    let inner: Value = serde_json::from_str(s3["Records"][0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(inner["Records"][0]["s3"]["object"]["size"], 3000);
}

/// SNS events carry what the scenario's traffic publishes: its message
/// attributes (and JSON body), the one a filtered subscription lets
/// through, so `sam local invoke` sees what the simulation delivers.
#[test]
fn sns_events_carry_the_scenarios_message_attributes() {
    // Without traffic that sets them, no attributes.
    let p = make(&chains());
    let event = json_file(&p, "events/notify-fn/order-events-from-orders-fn.json");
    assert_eq!(
        event["Records"][0]["Sns"]["MessageAttributes"],
        serde_json::json!({})
    );
    let queued = json_file(&p, "events/order-worker/order-queue-from-order-events.json");
    let body: Value = serde_json::from_str(queued["Records"][0]["body"].as_str().unwrap()).unwrap();
    assert!(body.get("MessageAttributes").is_none(), "{body}");

    let mut d = chains();
    d.scenarios.push(
        serde_json::from_value(serde_json::json!({
            "name": "orders", "duration_s": 60.0,
            "traffic": [
                {"entry": "users", "pattern": {"type": "poisson", "rps": 1.0},
                 "request": {"message_attributes": {"event": "order_cancelled", "priority": 3.0},
                             "message_body": {"order": 7}}},
                {"entry": "users", "pattern": {"type": "poisson", "rps": 1.0},
                 "request": {"message_attributes": {"event": "order_placed", "tags": ["gift", "rush"], "weight": 2.5}}}
            ]
        }))
        .expect("scenario"),
    );
    // The Lambda subscription takes placed orders only.
    let subscription = d
        .connections()
        .find(|c| c.from == "order-events" && c.to == "notify-fn")
        .map(|c| c.id.clone())
        .unwrap();
    apply_op(
        &mut d,
        Op::SetProperty {
            id: subscription,
            path: "filter_policy".into(),
            value: serde_json::json!({"policy": {"event": ["order_placed"]}}),
        },
    )
    .unwrap();
    let p = make(&d);
    // The filtered subscriber's event: the second traffic's message, the
    // first one's would not reach it.
    let event = json_file(&p, "events/notify-fn/order-events-from-orders-fn.json");
    let sns = &event["Records"][0]["Sns"];
    assert_eq!(
        sns["MessageAttributes"],
        serde_json::json!({
            "event": {"Type": "String", "Value": "order_placed"},
            "tags": {"Type": "String.Array", "Value": "[\"gift\",\"rush\"]"},
            "weight": {"Type": "Number", "Value": "2.5"}
        })
    );
    assert!(sns["Message"].as_str().unwrap().contains("Orders fn"));
    // The unfiltered queue subscription: the first traffic's message, in
    // the SNS envelope inside the SQS message, with its JSON body.
    let queued = json_file(&p, "events/order-worker/order-queue-from-order-events.json");
    let body: Value = serde_json::from_str(queued["Records"][0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body["MessageAttributes"],
        serde_json::json!({
            "event": {"Type": "String", "Value": "order_cancelled"},
            "priority": {"Type": "Number", "Value": "3"}
        })
    );
    assert_eq!(body["Message"], "{\"order\":7}");
}

#[test]
fn the_template_points_every_function_at_its_folder() {
    let p = make(&chains());
    let t = template(&p);
    assert!(t.pointer("/Parameters/ArtifactBucket").is_none());
    let mut functions = 0;
    for (id, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        functions += 1;
        let code = r["Properties"]["CodeUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            code.starts_with("src/") && code.ends_with('/'),
            "{id}: {code}"
        );
        assert!(
            p.files.iter().any(|f| f.path.starts_with(code)),
            "{id}: nothing in {code}"
        );
        for (name, event) in r["Properties"]["Events"].as_object().into_iter().flatten() {
            if matches!(event["Type"].as_str(), Some("SQS" | "Kinesis" | "DynamoDB")) {
                assert_eq!(
                    event["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures",
                    "{id}.{name}: the handler answers batchItemFailures"
                );
            }
        }
    }
    assert_eq!(functions, 18);
    assert_eq!(t["Resources"]["GoFn"]["Metadata"]["BuildMethod"], "go1.x");
    assert_eq!(t["Resources"]["GoFn"]["Properties"]["Handler"], "bootstrap");
    assert_eq!(
        t["Resources"]["JavaFn"]["Properties"]["Handler"],
        "archsim.Handler::handleRequest"
    );
    // Same design, same bytes.
    assert_eq!(make(&chains()), p);
}

#[test]
fn each_runtime_gets_its_build_files_and_python_node_read_the_templates_variables() {
    let p = make(&chains());
    for path in [
        "src/upload-worker/app.py",
        "src/orders-fn/index.js",
        "src/orders-fn/package.json",
        "src/java-fn/pom.xml",
        "src/java-fn/src/main/java/archsim/Handler.java",
        "src/go-fn/go.mod",
        "src/go-fn/main.go",
        "src/dotnet-fn/Function.csproj",
        "src/dotnet-fn/Function.cs",
        "src/ruby-fn/app.rb",
        "src/ruby-fn/Gemfile",
        "samconfig.toml",
        "README.md",
        "chains.archsim.json",
    ] {
        assert!(p.file(path).is_some(), "{path} missing: {:?}", paths(&p));
    }
    assert_eq!(
        p.file("src/orders-fn/index.js").unwrap().ownership,
        Ownership::User
    );
    assert_eq!(
        p.file("template.yaml").unwrap().ownership,
        Ownership::Generated
    );
    // The design file reopens as the same design.
    let reopened =
        archsim_model::file::parse_str(&p.file("chains.archsim.json").unwrap().text, "x")
            .expect("design file loads");
    assert_eq!(reopened.component_count(), chains().component_count());

    let t = template(&p);
    let vars = |id: &str| -> Vec<String> {
        t.pointer(&format!("/Resources/{id}/Properties/Environment/Variables"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let js = &p.file("src/orders-fn/index.js").unwrap().text;
    let orders_vars = vars("OrdersFn");
    assert!(orders_vars.len() >= 6, "{orders_vars:?}");
    for v in &orders_vars {
        assert!(
            js.contains(&format!("process.env.{v}")),
            "index.js does not read {v}"
        );
    }
    for call in [
        "PutItemCommand",
        "GetItemCommand",
        "PublishCommand",
        "PutRecordCommand",
        "PutEventsCommand",
        "InvokeCommand",
        "SendMessageCommand",
        "GetObjectCommand",
        "PutObjectCommand",
    ] {
        assert!(js.contains(call), "index.js makes no {call}");
    }
    assert!(js.contains("\"Source\": \"shop.orders\"") || js.contains("Source: \"shop.orders\""));
    let py = &p.file("src/upload-worker/app.py").unwrap().text;
    for v in vars("UploadWorker") {
        assert!(
            py.contains(&format!("os.environ[\"{v}\"]")),
            "app.py does not read {v}"
        );
    }
    assert!(py.contains("batchItemFailures"));
    assert!(py.contains("s3.get_object("));
    // The web function answers the ALB, the admin one API Gateway.
    assert!(
        p.file("src/web-fn/app.py")
            .unwrap()
            .text
            .contains("alb=True")
    );
    let readme = &p.file("README.md").unwrap().text;
    assert!(readme.contains(
        "sam local invoke UploadWorker -e events/upload-worker/upload-queue-from-uploads-bucket.json"
    ));
}

#[test]
fn a_connection_the_handler_cannot_call_is_said_so() {
    let mut d = chains();
    add(&mut d, "db", "Legacy db", Props::Rds(Default::default()));
    link(&mut d, "admin-fn", "db", uses(Access::Read));
    let p = make(&d);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("Admin fn") && n.contains("does not call Legacy db")),
        "{:?}",
        p.notes
    );
    assert!(
        p.file("src/admin-fn/app.py")
            .unwrap()
            .text
            .contains("Legacy db: not called")
    );
}

/// The chains with Lambda authorizers: a Python function authorizes the
/// admin REST API (REQUEST) and a partner REST API (TOKEN), a Node.js one
/// the HTTP API (simple responses), a Go one a third REST API.
fn with_authorizers() -> Design {
    let mut d = chains();
    let set = |d: &mut Design, id: &str, value: Value| {
        apply_op(
            d,
            Op::SetProperty {
                id: id.into(),
                path: "lambda_authorizer".into(),
                value,
            },
        )
        .unwrap();
    };
    add(
        &mut d,
        "partner",
        "Partner API",
        Props::ApiGateway(Default::default()),
    );
    add(
        &mut d,
        "legacy",
        "Legacy API",
        Props::ApiGateway(Default::default()),
    );
    add(
        &mut d,
        "py-authz",
        "Py authorizer",
        function(Runtime::Python, "app.handler"),
    );
    add(
        &mut d,
        "js-authz",
        "Js authorizer",
        function(Runtime::Nodejs, "index.handler"),
    );
    add(
        &mut d,
        "go-authz",
        "Go authorizer",
        function(Runtime::Go, "bootstrap"),
    );
    set(
        &mut d,
        "rest",
        serde_json::json!({"payload": "request", "identity_header": "X-Admin-Key"}),
    );
    set(
        &mut d,
        "http",
        serde_json::json!({"payload": "request", "simple_responses": true}),
    );
    link(&mut d, "py-authz", "rest", ConnectionKind::Authorizes);
    link(&mut d, "py-authz", "partner", ConnectionKind::Authorizes);
    link(&mut d, "js-authz", "http", ConnectionKind::Authorizes);
    link(&mut d, "go-authz", "legacy", ConnectionKind::Authorizes);
    d
}

/// A Lambda authorizer's handler answers API Gateway with an IAM policy on
/// the method or route (or a boolean, for an HTTP API with simple
/// responses), from sample events of the shapes `sam local generate-event`
/// gives; a runtime whose stub does not answer as an authorizer says so.
#[test]
fn lambda_authorizers_answer_as_api_gateway_expects() {
    let d = with_authorizers();
    let p = make(&d);
    let event = |path: &str| json_file(&p, path);
    let token = event("events/py-authorizer/partner-api-authorizer.json");
    assert_eq!(token["type"], "TOKEN");
    let request = event("events/py-authorizer/admin-api-authorizer.json");
    assert_eq!(request["type"], "REQUEST");
    assert_eq!(request["headers"]["X-Admin-Key"], "allow-0001");
    let http = event("events/js-authorizer/shop-api-authorizer.json");
    assert_eq!(
        (&http["version"], &http["type"]),
        (&"2.0".into(), &"REQUEST".into())
    );
    assert!(
        http["routeArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:execute-api:")
    );
    let python = p.file("src/py-authorizer/app.py").unwrap().text.clone();
    assert!(python.contains("SIMPLE_RESPONSES = False"), "{python}");
    let node = p.file("src/js-authorizer/index.js").unwrap().text.clone();
    assert!(node.contains("const SIMPLE_RESPONSES = true;"), "{node}");
    // Python and Node.js answer; only the Go stub needs finishing.
    let about = |name: &str| -> Vec<&String> {
        p.notes
            .iter()
            .filter(|n| n.starts_with(&format!("{name}: ")))
            .collect()
    };
    assert!(about("Py authorizer").is_empty(), "{:?}", p.notes);
    assert!(about("Js authorizer").is_empty(), "{:?}", p.notes);
    let go = about("Go authorizer");
    assert!(
        go.iter()
            .any(|n| n.contains("the Lambda authorizer of Legacy API")
                && n.contains("does not answer as one")),
        "{go:?}"
    );
    // The handlers run against their events.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("authorizers");
    write_project(&out, &p).unwrap();
    let t = archsim_iac::template::parse(
        &std::fs::read_to_string(out.join("template.yaml")).unwrap(),
        "t",
    )
    .unwrap()
    .value;
    let runs = run_handlers(&out, &t, python_with_boto3().as_deref(), found("node"));
    eprintln!("ran {runs} handler invocations");
    // The REST events have the shapes sam gives.
    let Some(sam) = sam() else {
        eprintln!("skipped: authorizer events against sam local generate-event (no sam)");
        return;
    };
    for (ours, kind) in [(&token, "authorizer"), (&request, "request-authorizer")] {
        let out = Command::new(&sam)
            .args(["local", "generate-event", "apigateway", kind])
            .env("SAM_CLI_TELEMETRY", "0")
            .output()
            .expect("sam runs");
        assert!(out.status.success(), "{kind}");
        let theirs: Value = serde_json::from_slice(&out.stdout).expect("sam prints JSON");
        let problems = same_shape(&theirs, ours, kind);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

#[test]
fn re_export_keeps_the_users_edits_and_adds_missing_stubs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop");
    let mut d = chains();
    let first = write_project(&out, &make(&d)).expect("written");
    assert!(first.created && first.kept.is_empty());
    let handler = out.join("src/upload-worker/app.py");
    let edited = "def handler(event, context):\n    return 'mine'\n";
    std::fs::write(&handler, edited).unwrap();
    std::fs::write(out.join("samconfig.toml"), "version = 0.1 # mine\n").unwrap();
    std::fs::remove_file(out.join("src/admin-fn/app.py")).unwrap();

    add(
        &mut d,
        "late-fn",
        "Late fn",
        function(Runtime::Python, "app.handler"),
    );
    link(
        &mut d,
        "nightly",
        "late-fn",
        Meaning::InvokeAsync.default_kind(),
    );
    let again = write_project(&out, &make(&d)).expect("re-export");
    assert!(!again.created);
    assert_eq!(std::fs::read_to_string(&handler).unwrap(), edited);
    assert!(again.kept.contains(&"src/upload-worker/app.py".to_string()));
    assert!(again.kept.contains(&"samconfig.toml".to_string()));
    assert!(
        again.written.contains(&"src/admin-fn/app.py".to_string()),
        "a missing stub is written"
    );
    assert!(out.join("src/late-fn/app.py").is_file());
    let t = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    assert!(
        t.contains("CodeUri: src/late-fn/"),
        "the template is rewritten"
    );
    assert!(out.join("events/late-fn/nightly.json").is_file());
    // No temporary file is left behind.
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".archsim-save-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing beside the project"
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that is not an archsim project.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let err = write_project(&other, &make(&chains())).unwrap_err();
    assert!(matches!(err, ProjectError::NotAProject { .. }), "{err}");
    assert!(err.to_string().contains("not an archsim project"));
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    // A runtime with no stub.
    let mut d = chains();
    add(
        &mut d,
        "rust-fn",
        "Rust fn",
        function(Runtime::Rust, "bootstrap"),
    );
    let err = project(&d, "x.archsim.json", Network::Generated).unwrap_err();
    assert!(matches!(err, ProjectError::NoStub { .. }), "{err}");
    assert!(err.to_string().contains("Rust fn") && !err.to_string().contains('\n'));

    // A name that gives no folder, and two that give the same one.
    let mut d = chains();
    add(
        &mut d,
        "odd",
        "***",
        function(Runtime::Python, "app.handler"),
    );
    let err = project(&d, "x.archsim.json", Network::Generated).unwrap_err();
    assert!(matches!(err, ProjectError::BadFolderName { .. }), "{err}");
    let mut d = chains();
    add(
        &mut d,
        "twin",
        "Upload  worker!",
        function(Runtime::Python, "app.handler"),
    );
    let err = project(&d, "x.archsim.json", Network::Generated).unwrap_err();
    assert!(matches!(err, ProjectError::SameFolder { .. }), "{err}");

    // A Python handler that is no module name.
    let mut d = chains();
    add(
        &mut d,
        "bad-h",
        "Bad handler",
        function(Runtime::Python, "my-app.handler"),
    );
    let err = project(&d, "x.archsim.json", Network::Generated).unwrap_err();
    assert!(matches!(err, ProjectError::BadHandler { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A design imported from plain CloudFormation keeps AWS::Lambda::Function.
    let cfn =
        std::fs::read_to_string(repo_root().join("tests/iac/templates/cfn-event-sources.yaml"))
            .unwrap();
    let imported = archsim_iac::import(&cfn, "cfn-event-sources.yaml")
        .unwrap()
        .design;
    let err = project(&imported, "x.archsim.json", Network::Generated).unwrap_err();
    assert!(matches!(err, ProjectError::NotServerless { .. }), "{err}");
}

#[test]
fn imported_sam_designs_export_as_projects_that_sam_validates() {
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for name in ["sam-api-globals", "sam-event-sources", "sqs-lambda-worker"] {
        let file = format!("{name}.yaml");
        let text =
            std::fs::read_to_string(repo_root().join("tests/iac/templates").join(&file)).unwrap();
        let imported = archsim_iac::import(&text, &file).unwrap().design;
        let p = project(
            &imported,
            &format!("{name}.archsim.json"),
            Network::Generated,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = template(&p);
        for (id, r) in t["Resources"].as_object().unwrap() {
            if r["Type"] == "AWS::Serverless::Function" && r["Properties"].get("ImageUri").is_none()
            {
                let code = r["Properties"]["CodeUri"].as_str().unwrap_or_default();
                assert!(code.starts_with("src/"), "{name} {id}: {code}");
            }
        }
        let out = dir.path().join(name);
        write_project(&out, &p).unwrap();
        written.push(out);
    }
    let Some(sam) = sam() else {
        eprintln!("skipped: sam validate --lint of the imported projects (sam not found)");
        return;
    };
    for out in written {
        let res = Command::new(&sam)
            .args(["validate", "--lint"])
            .current_dir(&out)
            .env("SAM_CLI_TELEMETRY", "0")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .unwrap();
        assert!(
            res.status.success(),
            "{}: {}{}",
            out.display(),
            String::from_utf8_lossy(&res.stdout),
            String::from_utf8_lossy(&res.stderr)
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// With tools: compile and run the handlers, compare event shapes, sam build.

fn found(program: &str) -> bool {
    Command::new(program)
        .arg(if program == "go" {
            "version"
        } else {
            "--version"
        })
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A Python with boto3 (the venv's, which aws-sam-cli brings, or the system's).
fn python_with_boto3() -> Option<PathBuf> {
    let venv = repo_root().join(".venv/bin/python");
    [venv, PathBuf::from("python3")].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import boto3, botocore.stub"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn sam() -> Option<PathBuf> {
    let venv = repo_root().join(".venv/bin/sam");
    if venv.is_file() {
        return Some(venv);
    }
    found("sam").then(|| PathBuf::from("sam"))
}

struct Function {
    folder: String,
    file: String,
    function: String,
    runtime: String,
    env: BTreeMap<String, String>,
}

fn functions(t: &Value) -> Vec<Function> {
    let global_runtime = t.pointer("/Globals/Function/Runtime").cloned();
    let mut out = Vec::new();
    for r in t["Resources"].as_object().unwrap().values() {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let props = &r["Properties"];
        let folder = props["CodeUri"]
            .as_str()
            .unwrap()
            .trim_start_matches("src/")
            .trim_end_matches('/');
        let handler = props["Handler"].as_str().unwrap();
        let (file, function) = handler.rsplit_once('.').unwrap_or((handler, ""));
        let runtime = props
            .get("Runtime")
            .cloned()
            .or(global_runtime.clone())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let env = props
            .pointer("/Environment/Variables")
            .and_then(Value::as_object)
            .map(|m| {
                m.keys()
                    .map(|k| (k.clone(), format!("test-{}", k.to_lowercase())))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Function {
            folder: folder.into(),
            file: file.into(),
            function: function.into(),
            runtime,
            env,
        });
    }
    out
}

/// What a trigger must get back, judged from the event it was given.
fn check_response(event: &Value, response: &Value, calls: usize, makes_calls: bool, context: &str) {
    let records = event.get("Records").and_then(Value::as_array);
    let source = records
        .and_then(|r| r.first())
        .and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")))
        .and_then(Value::as_str);
    match source {
        Some("aws:sqs" | "aws:kinesis" | "aws:dynamodb") => {
            assert_eq!(
                response["batchItemFailures"],
                serde_json::json!([]),
                "{context}: every record succeeds"
            );
        }
        Some("aws:s3" | "aws:sns") => assert!(
            response["processed"].as_u64() >= Some(1),
            "{context}: {response}"
        ),
        // A Lambda authorizer: allowed, on the method or route asked about.
        _ if event
            .get("methodArn")
            .or_else(|| event.get("routeArn"))
            .is_some() =>
        {
            if response.get("isAuthorized").is_some() {
                assert_eq!(response["isAuthorized"], true, "{context}");
            } else {
                let statement = &response["policyDocument"]["Statement"][0];
                assert_eq!(statement["Effect"], "Allow", "{context}: {response}");
                assert_eq!(statement["Action"], "execute-api:Invoke", "{context}");
                let resource = event.get("methodArn").or_else(|| event.get("routeArn"));
                assert_eq!(Some(&statement["Resource"]), resource, "{context}");
            }
        }
        _ if event.get("requestContext").is_some() => {
            assert_eq!(response["statusCode"], 200, "{context}: {response}");
            let body: Value =
                serde_json::from_str(response["body"].as_str().unwrap()).expect("JSON body");
            assert!(body.get("id").is_some(), "{context}: {body}");
            if event["requestContext"].get("elb").is_some() {
                assert_eq!(response["statusDescription"], "200 OK", "{context}");
            }
        }
        _ if event.get("triggerSource").is_some() => {
            assert_eq!(
                response["triggerSource"], event["triggerSource"],
                "{context}"
            );
        }
        _ => assert!(response.get("id").is_some(), "{context}: {response}"),
    }
    // A function the template gives names to calls them: each event makes
    // at least one SDK call, through the stubs.
    if makes_calls {
        assert!(calls > 0, "{context}: no SDK call");
    }
}

fn run_handlers(dir: &Path, t: &Value, python: Option<&Path>, node: bool) -> usize {
    let mut runs = 0;
    for f in functions(t) {
        let src = dir.join("src").join(&f.folder);
        let mut events: Vec<PathBuf> = std::fs::read_dir(dir.join("events").join(&f.folder))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        events.sort();
        let (runner, program) = if f.runtime.starts_with("python") {
            match python {
                Some(p) => ("run_handler.py", p.to_path_buf()),
                None => continue,
            }
        } else if f.runtime.starts_with("nodejs") && node {
            ("run_handler.js", PathBuf::from("node"))
        } else {
            continue;
        };
        let file = if runner.ends_with(".py") {
            format!("{}.py", f.file)
        } else {
            format!("{}.js", f.file)
        };
        let config = serde_json::json!({
            "src": src, "file": file, "function": f.function, "env": f.env,
            "events": events,
        });
        let config_path = dir.join(format!(".run-{}.json", f.folder));
        std::fs::write(&config_path, config.to_string()).unwrap();
        let out = Command::new(&program)
            .arg(repo_root().join("tests/iac").join(runner))
            .arg(&config_path)
            .output()
            .expect("runner starts");
        std::fs::remove_file(&config_path).unwrap();
        assert!(
            out.status.success(),
            "{}: {}\n{}",
            f.folder,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<Value> = stdout
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).expect("runner line"))
            .collect();
        assert_eq!(
            lines.len(),
            events.len(),
            "{}: one answer per event",
            f.folder
        );
        for line in lines {
            let event: Value = serde_json::from_str(
                &std::fs::read_to_string(line["event"].as_str().unwrap()).unwrap(),
            )
            .unwrap();
            let calls = line["calls"].as_array().map_or(0, Vec::len);
            check_response(
                &event,
                &line["response"],
                calls,
                !f.env.is_empty(),
                &format!("{} {}", f.folder, line["event"]),
            );
            runs += 1;
        }
    }
    runs
}

#[test]
fn python_and_node_handlers_compile_and_answer_each_of_their_events() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chains");
    write_project(&out, &make(&chains())).unwrap();
    let files = walk(&out);
    let node = found("node");
    if found("python3") {
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "py"))
        {
            let res = Command::new("python3")
                .args(["-m", "py_compile"])
                .arg(f)
                .output()
                .unwrap();
            assert!(
                res.status.success(),
                "{}: {}",
                f.display(),
                String::from_utf8_lossy(&res.stderr)
            );
        }
    } else {
        eprintln!("skipped: python3 -m py_compile of the Python handlers (python3 not found)");
    }
    if node {
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "js"))
        {
            let res = Command::new("node").arg("--check").arg(f).output().unwrap();
            assert!(
                res.status.success(),
                "{}: {}",
                f.display(),
                String::from_utf8_lossy(&res.stderr)
            );
        }
    } else {
        eprintln!("skipped: node --check and runs of the Node.js handlers (node not found)");
    }
    let python = python_with_boto3();
    if python.is_none() {
        eprintln!(
            "skipped: running the Python handlers (no Python with boto3: run scripts/test.sh to set up .venv)"
        );
    }
    let t = archsim_iac::template::parse(
        &std::fs::read_to_string(out.join("template.yaml")).unwrap(),
        "t",
    )
    .unwrap()
    .value;
    let runs = run_handlers(&out, &t, python.as_deref(), node);
    eprintln!("ran {runs} handler invocations");
}

#[test]
fn the_orders_handler_makes_every_call_its_connections_name() {
    if !found("node") {
        eprintln!("skipped: node not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chains");
    write_project(&out, &make(&chains())).unwrap();
    let config = serde_json::json!({
        "src": out.join("src/orders-fn"), "file": "index.js", "function": "handler",
        "env": {"ORDERS_TABLE_NAME": "t", "ORDER_EVENTS_TOPIC_ARN": "a", "CLICKS_STREAM_NAME": "s",
                "AUDIT_FN_FUNCTION_NAME": "f", "WORK_QUEUE_URL": "q", "REPORTS_BUCKET_NAME": "b"},
        "events": [out.join("events/orders-fn/shop-api.json")],
    });
    let path = dir.path().join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let res = Command::new("node")
        .arg(repo_root().join("tests/iac/run_handler.js"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let line: Value = serde_json::from_str(String::from_utf8_lossy(&res.stdout).trim()).unwrap();
    let mut calls: Vec<&str> = line["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    calls.sort();
    assert_eq!(
        calls,
        [
            "dynamodb.GetItemCommand",
            "dynamodb.PutItemCommand",
            "eventbridge.PutEventsCommand",
            "kinesis.PutRecordCommand",
            "lambda.InvokeCommand",
            "s3.GetObjectCommand",
            "s3.PutObjectCommand",
            "sns.PublishCommand",
            "sqs.SendMessageCommand",
        ]
    );
    assert_eq!(line["response"]["statusCode"], 200);
}

/// Every key `sam local generate-event` gives, at the top and in the first
/// record, is in our event with the same JSON type (or null).
fn same_shape(sam: &Value, ours: &Value, at: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let (Some(s), Some(o)) = (sam.as_object(), ours.as_object()) else {
        return vec![format!("{at}: not an object")];
    };
    for (k, v) in s {
        match o.get(k) {
            None => missing.push(format!("{at}.{k}")),
            Some(mine) => {
                let same = std::mem::discriminant(v) == std::mem::discriminant(mine)
                    || mine.is_null()
                    || (v.is_number() && mine.is_number());
                if !same {
                    missing.push(format!("{at}.{k}: {v} vs {mine}"));
                }
            }
        }
    }
    missing
}

#[test]
fn events_have_the_shape_sam_local_generate_event_gives() {
    let Some(sam) = sam() else {
        eprintln!(
            "skipped: event shapes against sam local generate-event (sam not found: scripts/test.sh installs aws-sam-cli in .venv)"
        );
        return;
    };
    let p = make(&chains());
    let cases = [
        (
            "events/upload-worker/upload-queue-from-uploads-bucket.json",
            &["sqs", "receive-message"][..],
        ),
        (
            "events/notify-fn/order-events-from-orders-fn.json",
            &["sns", "notification"],
        ),
        (
            "events/admin-fn/admin-api.json",
            &["apigateway", "aws-proxy"],
        ),
        (
            "events/orders-fn/shop-api.json",
            &["apigateway", "http-api-proxy"],
        ),
        ("events/web-fn/edge-alb.json", &["alb", "request"]),
        (
            "events/clicks-fn/clicks-stream.json",
            &["kinesis", "get-records"],
        ),
        (
            "events/stream-fn/orders-table.json",
            &["dynamodb", "update"],
        ),
        (
            "events/nightly-fn/nightly.json",
            &["cloudwatch", "scheduled-event"],
        ),
        (
            "events/placed-fn/order-placed.json",
            &["cloudwatch", "scheduled-event"],
        ),
    ];
    // The S3 notification inside the SQS body, against `s3 put`.
    let upload = json_file(&p, cases[0].0);
    let inner: Value =
        serde_json::from_str(upload["Records"][0]["body"].as_str().unwrap()).unwrap();
    let mut all = vec![(inner, vec!["s3", "put"])];
    for (path, args) in cases {
        all.push((json_file(&p, path), args.to_vec()));
    }
    let mut problems = Vec::new();
    for (ours, args) in &all {
        let out = Command::new(&sam)
            .args(["local", "generate-event"])
            .args(args)
            .env("SAM_CLI_TELEMETRY", "0")
            .output()
            .expect("sam runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Value = serde_json::from_slice(&out.stdout).expect("sam prints JSON");
        // Sam's event has keys to compare: an empty one would pass anything.
        assert!(!same_shape(&theirs, &serde_json::json!({}), "").is_empty());
        let at = args.join(" ");
        problems.extend(same_shape(&theirs, ours, &at));
        if let (Some(s), Some(o)) = (theirs["Records"].get(0), ours["Records"].get(0)) {
            problems.extend(same_shape(s, o, &format!("{at} Records[0]")));
            for (k, v) in s.as_object().unwrap() {
                if v.is_object() && !v.as_object().unwrap().is_empty() {
                    problems.extend(same_shape(v, &o[k], &format!("{at} Records[0].{k}")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_example_project_validates_and_builds_with_sam() {
    let dir = tempfile::tempdir().unwrap();
    let mut templates = Vec::new();
    let mut projects = Vec::new();
    // The examples with functions, and the design with every trigger and
    // runtime (its build is skipped where a runtime's tool is missing).
    let mut designs = examples();
    designs.push(("chains".into(), chains()));
    for (name, design) in designs {
        if design
            .components()
            .all(|c| !matches!(c.props, Props::LambdaFunction(_)))
        {
            continue;
        }
        let out = dir.path().join(&name);
        let p = project(&design, &format!("{name}.archsim.json"), Network::Generated)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        write_project(&out, &p).unwrap();
        templates.push(out.join("template.yaml"));
        projects.push((name, out, p));
    }
    assert!(projects.len() >= 4);
    if skip_validators() {
        eprintln!("skipped: cfn-lint and the SAM transform (ARCHSIM_SKIP_CFN_LINT=1)");
    } else {
        let errors = cfn_lint_errors(&templates);
        assert!(errors.is_empty(), "{errors:#?}");
        // The transform wants code in S3, as `sam package` leaves it: a
        // copy with each local CodeUri replaced by an S3 URI.
        let mut pairs = Vec::new();
        for t in &templates {
            let mut v = archsim_iac::template::parse(&std::fs::read_to_string(t).unwrap(), "t")
                .unwrap()
                .value;
            for r in v["Resources"].as_object_mut().unwrap().values_mut() {
                if let Some(code) = r.pointer_mut("/Properties/CodeUri") {
                    let key = code
                        .as_str()
                        .unwrap_or_default()
                        .trim_matches('/')
                        .replace('/', "-");
                    *code = Value::String(format!("s3://archsim-test/{key}.zip"));
                }
            }
            let packaged = t.with_extension("packaged.json");
            std::fs::write(&packaged, archsim_iac::template::to_json(&v)).unwrap();
            pairs.push((packaged.clone(), t.with_extension("transformed.json")));
        }
        sam_translate(&pairs).expect("SAM transform");
        let transformed: Vec<_> = pairs.into_iter().map(|(_, o)| o).collect();
        let errors = cfn_lint_errors(&transformed);
        assert!(errors.is_empty(), "{errors:#?}");
        for (packaged, transformed) in pairs_done(&templates) {
            std::fs::remove_file(packaged).unwrap();
            std::fs::remove_file(transformed).unwrap();
        }
    }
    let python = python_with_boto3();
    let node = found("node");
    for (name, out, _) in &projects {
        let t = archsim_iac::template::parse(
            &std::fs::read_to_string(out.join("template.yaml")).unwrap(),
            "t",
        )
        .unwrap()
        .value;
        let runs = run_handlers(out, &t, python.as_deref(), node);
        eprintln!("{name}: ran {runs} handler invocations");
    }
    let Some(sam) = sam() else {
        eprintln!(
            "skipped: sam validate --lint and sam build of the example projects (sam not found: scripts/test.sh installs aws-sam-cli in .venv)"
        );
        return;
    };
    for (name, out, p) in &projects {
        let t = template_text_runtimes(p);
        let missing: Vec<&str> = [
            ("go", "go"),
            ("nodejs", "npm"),
            ("java", "mvn"),
            ("dotnet", "dotnet"),
            ("ruby", "bundle"),
        ]
        .into_iter()
        .filter(|(runtime, tool)| {
            t.iter()
                .any(|r| r.starts_with(runtime) || (*runtime == "go" && r.starts_with("provided")))
                && !found(tool)
        })
        .map(|(_, tool)| tool)
        .collect();
        let run = |args: &[&str]| {
            let started = Instant::now();
            let res = Command::new(&sam)
                .args(args)
                .current_dir(out)
                .env("SAM_CLI_TELEMETRY", "0")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .output()
                .expect("sam runs");
            assert!(
                res.status.success(),
                "{name}: sam {}: {}\n{}",
                args.join(" "),
                String::from_utf8_lossy(&res.stdout),
                String::from_utf8_lossy(&res.stderr)
            );
            started.elapsed().as_secs_f64()
        };
        let validate = run(&["validate", "--lint"]);
        if !missing.is_empty() {
            eprintln!(
                "{name}: sam validate --lint {validate:.1} s; skipped sam build ({} not found)",
                missing.join(", ")
            );
            continue;
        }
        let build = run(&["build"]);
        assert!(
            out.join(".aws-sam/build/template.yaml").is_file(),
            "{name}: no build output"
        );
        eprintln!("{name}: sam validate --lint {validate:.1} s, sam build {build:.1} s");
    }
}

fn pairs_done(templates: &[PathBuf]) -> Vec<(PathBuf, PathBuf)> {
    templates
        .iter()
        .map(|t| {
            (
                t.with_extension("packaged.json"),
                t.with_extension("transformed.json"),
            )
        })
        .collect()
}

/// The runtimes a project's functions use (each function's, or Globals').
fn template_text_runtimes(p: &Project) -> Vec<String> {
    functions(&template(p))
        .into_iter()
        .map(|f| f.runtime)
        .collect()
}

#[test]
fn minimal_stubs_compile_where_their_compilers_are_installed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chains");
    write_project(&out, &make(&chains())).unwrap();
    let mut checked = Vec::new();
    let mut check = |tool: &str, args: &[&str], cwd: &Path| {
        if !found(tool) {
            eprintln!("skipped: {tool} {} ({tool} not found)", args.join(" "));
            return;
        }
        let res = Command::new(tool)
            .args(args)
            .current_dir(cwd)
            .output()
            .expect("compiler runs");
        assert!(
            res.status.success(),
            "{tool} {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&res.stdout),
            String::from_utf8_lossy(&res.stderr)
        );
        checked.push(tool.to_string());
    };
    let classes = dir.path().join("classes");
    check(
        "javac",
        &[
            "-d",
            classes.to_str().unwrap(),
            "src/main/java/archsim/Handler.java",
        ],
        &out.join("src/java-fn"),
    );
    let binary = dir.path().join("bootstrap");
    check(
        "go",
        &["build", "-o", binary.to_str().unwrap(), "."],
        &out.join("src/go-fn"),
    );
    check("ruby", &["-c", "app.rb"], &out.join("src/ruby-fn"));
    eprintln!(
        "compiled the minimal stubs with: {checked:?} (.NET is not compiled here: dotnet build needs NuGet)"
    );
}
