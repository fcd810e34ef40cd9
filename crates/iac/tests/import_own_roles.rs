//! A resource's own role (named `<owner><suffix>` as archsim's export
//! names the role it writes for a component with none drawn, trusted by
//! that one service, used by nothing else) is kept, not drawn; any other
//! role is drawn.

mod common;

/// `Fn`'s own role is not drawn; a role the same name pattern gives but
/// shared by two functions, trusted by two services, named by another
/// resource or named for another type's suffix is drawn.
#[test]
fn only_a_resources_own_role_is_left_out_of_the_drawing() {
    let role = |services: &str, extra: &str| {
        format!(
            r#"
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{ Service: {services} }}
            Action: sts:AssumeRole{extra}"#
        )
    };
    let function = |role: &str| {
        format!(
            r#"
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Code: {{ ZipFile: "def handler(e, c): return e" }}
      Role: !GetAtt {role}.Arn"#
        )
    };
    let text = format!(
        r#"Resources:
  Own:{}
  OwnRole:{}
  Shared:{}
  SharedRole:{}
  Other:{}
  Twice:{}
  TwiceRole:{}
  Named:{}
  NamedRole:{}
  Output:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !GetAtt NamedRole.Arn
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      TaskRoleArn: !GetAtt TaskRole.Arn
      ContainerDefinitions:
        - Name: app
          Image: public.ecr.aws/nginx/nginx:latest
  TaskRole:{}
"#,
        function("OwnRole"),
        role("lambda.amazonaws.com", ""),
        function("SharedRole"),
        role("lambda.amazonaws.com", ""),
        function("SharedRole"),
        function("TwiceRole"),
        role("[lambda.amazonaws.com, edgelambda.amazonaws.com]", ""),
        function("NamedRole"),
        role("lambda.amazonaws.com", ""),
        role("ecs-tasks.amazonaws.com", ""),
    );
    let imported = archsim_iac::import(&text, "roles.yaml").unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    assert!(d.component("OwnRole").is_none());
    assert!(
        imported.report.kept.iter().any(|k| k
            == "OwnRole (AWS::IAM::Role): Own's own role (lambda.amazonaws.com assumes it), not drawn; what it allows is drawn as Own's connections"),
        "{:#?}",
        imported.report.kept
    );
    // Shared by two functions; trusted by two services; named by another
    // resource; a task definition's own role is `TaskTaskRole`, so
    // `TaskRole` is a role drawn for it.
    for drawn in ["SharedRole", "TwiceRole", "NamedRole", "TaskRole"] {
        assert!(d.component(drawn).is_some(), "{drawn} is drawn");
    }
    let edges = common::edges(d);
    assert!(
        edges.contains("Shared -assumes_role-> SharedRole"),
        "{edges:#?}"
    );
    assert!(
        edges.contains("Other -assumes_role-> SharedRole"),
        "{edges:#?}"
    );
    assert!(
        edges.contains("Task -assumes_role-> TaskRole"),
        "{edges:#?}"
    );
}
