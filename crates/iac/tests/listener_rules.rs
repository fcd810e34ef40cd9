//! Listener rules on import: each rule forwarding to a target is a route
//! of its own, with its priority and conditions, even when another rule
//! already forwards to the same target group.

mod common;

use archsim_model::ConnectionKind;
use archsim_model::connection::{ConditionField, RuleCondition};
use common::{assert_draws, set};

/// An ALB whose listener answers 404 by default; two rules (a path and a
/// host, the host given by a parameter) forward to the same Lambda target
/// group, a third to another function; a fourth's path is an intrinsic
/// archsim cannot read.
const TWO_RULES: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ApiHost: {Type: String, Default: api.example.com}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Unknown: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Api:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt Role.Arn, Code: {ZipFile: "x"}}
  Images:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.13, Handler: index.handler, Role: !GetAtt Role.Arn, Code: {ZipFile: "x"}}
  ApiPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Api.Arn
      Action: lambda:InvokeFunction
      Principal: elasticloadbalancing.amazonaws.com
  ImagesPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Images.Arn
      Action: lambda:InvokeFunction
      Principal: elasticloadbalancing.amazonaws.com
  ApiTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: ApiPermission
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Api.Arn}]
  ImageTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: ImagesPermission
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Images.Arn}]
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref Subnets
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "404"}
  ByPath:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 10
      Conditions:
        - Field: path-pattern
          PathPatternConfig: {Values: [/api/*]}
      Actions: [{Type: forward, TargetGroupArn: !Ref ApiTargets}]
  ByHost:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 20
      Conditions:
        - Field: host-header
          HostHeaderConfig: {Values: [!Ref ApiHost]}
      Actions: [{Type: forward, TargetGroupArn: !Ref ApiTargets}]
  ForImages:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 30
      Conditions:
        - Field: path-pattern
          Values: [/img/*]
      Actions: [{Type: forward, TargetGroupArn: !Ref ImageTargets}]
  Unreadable:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 40
      Conditions:
        - Field: http-request-method
          HttpRequestMethodConfig: {Values: [GET]}
        - Field: path-pattern
          Values: [!Ref Unknown]
      Actions: [{Type: forward, TargetGroupArn: !Ref ImageTargets}]
"#;

fn of(field: ConditionField, values: &[&str]) -> Vec<RuleCondition> {
    vec![RuleCondition {
        field,
        values: values.iter().map(|v| v.to_string()).collect(),
    }]
}

#[test]
fn each_rule_to_the_same_target_is_a_route_of_its_own() {
    let imported = archsim_iac::import(TWO_RULES, "rules.yaml").unwrap();
    let d = &imported.design;
    assert_draws(
        d,
        &set(&[
            "Lb -route-> Api",
            "Lb -route-> Images",
            "Api -assumes_role-> Role",
            "Images -assumes_role-> Role",
        ]),
    );
    let mut routes: Vec<(String, Option<u32>, Vec<RuleCondition>, String)> = d
        .connections()
        .filter_map(|c| match &c.kind {
            ConnectionKind::Route {
                priority,
                conditions,
                listener_port: 80,
                ..
            } => Some((
                c.to.clone(),
                *priority,
                conditions.clone(),
                c.inferred.as_ref().unwrap().evidence.clone(),
            )),
            _ => None,
        })
        .collect();
    routes.sort_by_key(|r| r.1);
    let want = [
        (
            "Api",
            Some(10),
            of(ConditionField::PathPattern, &["/api/*"]),
            "ByPath -> target group ApiTargets, permission ApiPermission",
        ),
        (
            "Api",
            Some(20),
            of(ConditionField::HostHeader, &["api.example.com"]),
            "ByHost -> target group ApiTargets, permission ApiPermission",
        ),
        (
            "Images",
            Some(30),
            of(ConditionField::PathPattern, &["/img/*"]),
            "ForImages -> target group ImageTargets, permission ImagesPermission",
        ),
        (
            "Images",
            Some(40),
            of(ConditionField::HttpMethod, &["GET"]),
            "Unreadable -> target group ImageTargets, permission ImagesPermission",
        ),
    ];
    assert_eq!(routes.len(), want.len(), "{routes:#?}");
    for (got, (to, priority, conditions, evidence)) in routes.iter().zip(want) {
        assert_eq!(
            (got.0.as_str(), got.1, &got.2),
            (to, priority, &conditions),
            "{got:?}"
        );
        assert_eq!(got.3, evidence);
    }
    // The host came from a parameter's default; the unreadable path is
    // said, since the route matches without it.
    assert!(
        imported
            .report
            .parameters
            .contains(&"ByHost: parameter ApiHost read as its default \"api.example.com\"".into()),
        "{:?}",
        imported.report.parameters
    );
    assert!(
        imported
            .report
            .kept
            .iter()
            .any(|l| l.starts_with("Unreadable: 1 of its 2 conditions not read")),
        "{:?}",
        imported.report.kept
    );
    // Distinct priorities: the import causes no duplicate-priority finding.
    assert!(
        !archsim_model::validate(d)
            .iter()
            .any(|p| p.code == "LB_DUPLICATE_PRIORITY"),
    );
}

#[test]
fn a_template_with_two_rules_to_one_target_round_trips() {
    common::assert_round_trips_as_written(TWO_RULES, "rules.yaml");
}
