//! Least privilege: no generated policy grants write actions on `*` or a
//! wildcard action (in either export profile), and application
//! permissions sit on task roles, never on instance roles.

mod common;

use archsim_iac::{ExportOptions, Flavour, export};
use archsim_model::ExportProfile;
use common::examples;
use serde_json::Value;

/// Every policy statement in a template: IAM role inline policies and SAM
/// inline policy documents.
fn statements(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    fn walk(v: &Value, owner: &str, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(st)) = m.get("Statement") {
                    for s in st {
                        out.push((owner.to_string(), s.clone()));
                    }
                }
                m.values().for_each(|c| walk(c, owner, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, owner, out)),
            _ => {}
        }
    }
    for (id, r) in t["Resources"].as_object().unwrap() {
        walk(r, id, &mut out);
    }
    out
}

fn is_read_only(action: &str) -> bool {
    let verb = action.split(':').nth(1).unwrap_or(action);
    ["Get", "List", "Describe", "Query", "Scan", "BatchGet"]
        .iter()
        .any(|p| verb.starts_with(p))
}

#[test]
fn no_write_action_on_every_resource() {
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    for (name, design) in designs {
        for (flavour, profile) in [Flavour::Sam, Flavour::CloudFormation]
            .into_iter()
            .flat_map(|f| [ExportProfile::Sandbox, ExportProfile::Production].map(|p| (f, p)))
        {
            let out = export(
                &design,
                &ExportOptions {
                    flavour,
                    profile: Some(profile),
                    ..Default::default()
                },
            )
            .unwrap();
            let types = out.value["Resources"].as_object().unwrap();
            for (owner, st) in statements(&out.value) {
                // A deny grants nothing (the production profile's
                // TLS-only bucket policies deny `s3:*` without TLS).
                if st["Effect"] == "Deny" {
                    continue;
                }
                // In a key policy, `*` is the key itself.
                let key_policy = types[&owner]["Type"] == "AWS::KMS::Key";
                let resources = match &st["Resource"] {
                    Value::Array(a) => a.clone(),
                    Value::Null => continue, // trust policies name principals
                    other => vec![other.clone()],
                };
                let actions: Vec<String> = match &st["Action"] {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    _ => Vec::new(),
                };
                for r in &resources {
                    if !key_policy && r.as_str().is_some_and(|s| s == "*" || s.ends_with(":*")) {
                        // Step Functions' logging to CloudWatch Logs sets up
                        // a log delivery, whose APIs take no resource ARN:
                        // AWS documents `*` as their only resource.
                        let machine = types[&owner]["Type"] == "AWS::Serverless::StateMachine"
                            || owner.ends_with("Role")
                                && types.get(owner.trim_end_matches("Role")).is_some_and(|m| {
                                    m["Type"] == "AWS::StepFunctions::StateMachine"
                                });
                        let log_delivery = |a: &str| {
                            machine
                                && matches!(
                                    a,
                                    "logs:CreateLogDelivery"
                                        | "logs:UpdateLogDelivery"
                                        | "logs:DeleteLogDelivery"
                                        | "logs:PutResourcePolicy"
                                )
                        };
                        let writes: Vec<_> = actions
                            .iter()
                            .filter(|a| !is_read_only(a) && !log_delivery(a))
                            .collect();
                        assert!(
                            writes.is_empty(),
                            "{name} {flavour:?} {owner}: {writes:?} on {r}"
                        );
                    }
                }
                for a in &actions {
                    assert!(
                        !a.ends_with(":*") && a != "*",
                        "{name} {owner}: wildcard action {a}"
                    );
                }
            }
        }
    }
}

#[test]
fn task_roles_carry_application_permissions_and_instance_roles_do_not() {
    let (_, design) = examples()
        .into_iter()
        .find(|(n, _)| n == "ecs-ec2-placement")
        .expect("the ECS on EC2 example");
    let out = export(&design, &ExportOptions::default()).unwrap();
    let resources = out.value["Resources"].as_object().unwrap();
    let trusted = |r: &Value, service: &str| {
        r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
            == service
    };
    let mut instance_roles = 0;
    let mut task_roles_with_s3 = 0;
    for (id, r) in resources {
        if r["Type"] != "AWS::IAM::Role" {
            continue;
        }
        if trusted(r, "ec2.amazonaws.com") {
            instance_roles += 1;
            assert!(
                r["Properties"].get("Policies").is_none(),
                "{id}: instance role has inline policies"
            );
            let managed = serde_json::to_string(&r["Properties"]["ManagedPolicyArns"]).unwrap();
            assert!(
                managed.contains("AmazonEC2ContainerServiceforEC2Role"),
                "{id}: {managed}"
            );
            assert!(
                !managed.contains("S3") && !managed.contains("DynamoDB"),
                "{id}: {managed}"
            );
        }
        if trusted(r, "ecs-tasks.amazonaws.com") {
            let text = serde_json::to_string(&r["Properties"]).unwrap();
            if text.contains("s3:PutObject") {
                task_roles_with_s3 += 1;
                // Exactly the results bucket.
                assert!(text.contains("ResultsBucket"), "{id}: {text}");
            }
        }
    }
    assert!(instance_roles >= 1);
    assert_eq!(
        task_roles_with_s3, 1,
        "the API task role, and only it, writes results"
    );
    // Each task definition has its own task role.
    let task_roles: std::collections::BTreeSet<String> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .map(|r| serde_json::to_string(&r["Properties"]["TaskRoleArn"]).unwrap())
        .collect();
    let task_defs = resources
        .values()
        .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .count();
    assert_eq!(
        task_roles.len(),
        task_defs,
        "one task role per task definition"
    );
}

/// The stack key's policy lets the account's principals (of which the
/// template grants the key to the stack's roles only) encrypt and decrypt
/// only through the services of the resources the key encrypts, never by
/// calling KMS directly: the one statement that allows it to the account
/// carries `kms:ViaService` with exactly those services.
#[test]
fn the_stack_key_is_used_only_through_the_services_of_what_it_encrypts() {
    let mut designs = examples();
    designs.push(("kitchen-sink".into(), common::kitchen_sink()));
    for (name, design) in designs {
        for flavour in [Flavour::Sam, Flavour::CloudFormation] {
            let out = export(
                &design,
                &ExportOptions {
                    flavour,
                    profile: Some(ExportProfile::Production),
                    ..Default::default()
                },
            )
            .unwrap();
            let resources = out.value["Resources"].as_object().unwrap();
            let key = &resources["StackKey"]["Properties"]["KeyPolicy"]["Statement"];
            // What the key encrypts, by the services that call KMS for it.
            let mut expected: Vec<String> = resources
                .values()
                .filter(|r| {
                    // Encrypted with it, not granted it (a role's or a
                    // SAM function's policies).
                    let mut p = r["Properties"].clone();
                    if let Some(p) = p.as_object_mut() {
                        p.remove("Policies");
                    }
                    r["Type"] != "AWS::IAM::Role"
                        && serde_json::to_string(&p).unwrap().contains("StackKey")
                })
                .filter_map(|r| {
                    let service = match r["Type"].as_str()? {
                        "AWS::SQS::Queue" => "sqs",
                        "AWS::SNS::Topic" => "sns",
                        "AWS::Kinesis::Stream" => "kinesis",
                        "AWS::DynamoDB::Table" => "dynamodb",
                        "AWS::S3::Bucket" => "s3",
                        "AWS::SecretsManager::Secret" => "secretsmanager",
                        "AWS::ECR::Repository" => "ecr",
                        "AWS::EKS::Cluster" => "eks",
                        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "lambda",
                        "AWS::Logs::LogGroup" => return None,
                        other => panic!("{name}: the key encrypts a {other}, unlisted here"),
                    };
                    Some(format!("{service}.${{AWS::Region}}.amazonaws.com"))
                })
                .collect();
            expected.sort();
            expected.dedup();
            let to_account: Vec<&Value> = key
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| {
                    s["Principal"]["AWS"]["Fn::Sub"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(":root"))
                })
                .filter(|s| {
                    s["Action"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a == "kms:Decrypt" || a == "kms:GenerateDataKey*")
                })
                .collect();
            assert_eq!(to_account.len(), 1, "{name} {flavour:?}: {key:#}");
            let via: Vec<String> = to_account[0]["Condition"]["StringEquals"]["kms:ViaService"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} {flavour:?}: no kms:ViaService: {key:#}"))
                .iter()
                .map(|s| s["Fn::Sub"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(via, expected, "{name} {flavour:?}");
            assert_eq!(
                to_account[0]["Condition"]["StringEquals"]["kms:CallerAccount"]["Ref"],
                "AWS::AccountId"
            );
        }
    }
}

/// The CloudFormation export of `d`, and the policy statements of its
/// resource `owner`.
fn cfn_statements(d: &archsim_model::Design, owner: &str) -> (Value, Vec<Value>) {
    let out = export(
        d,
        &ExportOptions {
            flavour: Flavour::CloudFormation,
            ..Default::default()
        },
    )
    .unwrap();
    let of_owner = statements(&out.value)
        .into_iter()
        .filter(|(o, _)| o == owner)
        .map(|(_, st)| st)
        .collect();
    (out.value, of_owner)
}

/// A state machine that waits for another's execution
/// (`startExecution.sync`) may start it, describe and stop its executions,
/// and manage the one rule Step Functions uses to watch them; one that
/// does not wait may only start it.
#[test]
fn a_state_machine_waiting_for_another_may_watch_and_stop_its_executions() {
    use archsim_model::{ComponentKind as K, Meaning, Props};
    for (meaning, waits) in [(Meaning::InvokeSync, true), (Meaning::InvokeAsync, false)] {
        let d = common::design_of(
            "nested",
            vec![
                ("parent", "Parent", Props::default_for(K::StepFunctions)),
                ("child", "Child", Props::default_for(K::StepFunctions)),
            ],
            vec![("parent", "child", meaning.default_kind())],
        );
        let (_, of_parent) = cfn_statements(&d, "ParentRole");
        let actions: Vec<(String, String)> = of_parent
            .into_iter()
            .flat_map(|st| {
                let resource = st["Resource"].to_string();
                let actions = match &st["Action"] {
                    Value::Array(a) => a.clone(),
                    one => vec![one.clone()],
                };
                actions
                    .iter()
                    .filter_map(|a| Some((a.as_str()?.to_string(), resource.clone())))
                    .collect::<Vec<_>>()
            })
            .filter(|(a, _)| a.starts_with("states:") || a.starts_with("events:"))
            .collect();
        let named: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
        if waits {
            assert_eq!(
                named,
                [
                    "states:StartExecution",
                    "states:DescribeExecution",
                    "states:StopExecution",
                    "events:PutTargets",
                    "events:PutRule",
                    "events:DescribeRule"
                ]
            );
            assert!(
                actions[1].1.contains(":execution:${Child.Name}:*"),
                "{actions:?}"
            );
            assert!(
                actions[3]
                    .1
                    .contains(":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
                "{actions:?}"
            );
        } else {
            assert_eq!(named, ["states:StartExecution"]);
        }
    }
}

/// A state machine running a task definition's tasks may pass the task's
/// two roles to ECS tasks, and only to them (RunTask starts the task with
/// them).
#[test]
fn a_state_machine_running_a_task_may_pass_its_roles_to_ecs_only() {
    use archsim_model::{ComponentKind as K, ConnectionKind, Props};
    let d = common::design_of(
        "batch",
        vec![
            ("flow", "Flow", Props::default_for(K::StepFunctions)),
            ("job", "Job", Props::default_for(K::TaskDefinition)),
        ],
        vec![("flow", "job", ConnectionKind::RunsTask)],
    );
    let (template, of_flow) = cfn_statements(&d, "FlowRole");
    let pass: Vec<Value> = of_flow
        .into_iter()
        .filter(|st| st["Action"] == serde_json::json!(["iam:PassRole"]))
        .collect();
    assert_eq!(
        pass,
        [
            serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": [{"Fn::GetAtt": ["JobTaskRole", "Arn"]}, {"Fn::GetAtt": ["JobExecutionRole", "Arn"]}],
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}})
        ]
    );
    for role in ["JobTaskRole", "JobExecutionRole"] {
        assert_eq!(template["Resources"][role]["Type"], "AWS::IAM::Role");
    }
}
