//! EC2 instances come back from a template as EC2 instances: their type,
//! the load balancer routes to them and the role their instance profile
//! gives them.

mod common;

/// An `AWS::EC2::Instance` is an EC2 instance with its type (a parameter's
/// default when given by one); a load balancer's instance target group
/// routes to it, and its instance profile's role is its role.
#[test]
fn an_ec2_instance_is_read_with_its_type_its_route_and_its_role() {
    use archsim_model::Props;
    let text = r#"
Parameters:
  Size:
    Type: String
    Default: m5.large
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      InstanceType: !Ref Size
      IamInstanceProfile: !Ref WebProfile
  Plain:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
  WebRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
  WebProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref WebRole]
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Targets
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
      VpcId: vpc-1
      TargetType: instance
      Targets:
        - Id: !Ref Web
"#;
    let imported = archsim_iac::import(text, "instances.yaml").unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    let Some(Props::Ec2Instance(web)) = d.component("Web").map(|c| &c.props) else {
        panic!("Web is an EC2 instance: {:?}", d.component("Web"))
    };
    assert_eq!(web.instance_type, "m5.large");
    // EC2 starts an m1.small when a template names no type.
    let Some(Props::Ec2Instance(plain)) = d.component("Plain").map(|c| &c.props) else {
        panic!("Plain is an EC2 instance")
    };
    assert_eq!(plain.instance_type, "m1.small");
    let found = common::edges(d);
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("Lb -route") && e.ends_with("-> Web")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("Web -") && e.ends_with("-> WebRole")),
        "{found:#?}"
    );
    // Validation finds nothing the import caused: only the unknown m1.small.
    let errors: Vec<_> = archsim_model::validate(d)
        .into_iter()
        .filter(|f| f.severity == archsim_model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
