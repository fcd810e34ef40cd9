//! EC2 instances come back from a template as EC2 instances: their type,
//! the load balancer routes to them, the role their instance profile gives
//! them and what that role allows them.

mod common;

/// An `AWS::EC2::Instance` is an EC2 instance with its type (a parameter's
/// default when given by one); a load balancer's instance target group
/// routes to it; its instance profile's role is its role (drawn when
/// shared or named as a role of its own, not drawn when it is the
/// instance's own, `<instance>Role`), and what the role allows on the
/// template's resources is drawn as the instance's connections.
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
  Batch:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      IamInstanceProfile: !Ref BatchProfile
  Reports:
    Type: AWS::S3::Bucket
  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
  BatchProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref SharedRole]
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
      Policies:
        - PolicyName: reports
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:PutObject
                Resource: !Sub ${Reports.Arn}/*
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
    // WebRole is Web's own role: not drawn; what it allows is Web's.
    assert!(d.component("WebRole").is_none());
    assert!(found.contains("Web -uses_write-> Reports"), "{found:#?}");
    // A role named as a role of its own is drawn and assumed.
    assert!(
        found.contains("Batch -assumes_role-> SharedRole"),
        "{found:#?}"
    );
    // Validation finds nothing the import caused: only the unknown m1.small.
    let errors: Vec<_> = archsim_model::validate(d)
        .into_iter()
        .filter(|f| f.severity == archsim_model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// An `AWS::ElasticLoadBalancing::LoadBalancer` is a Classic Load
/// Balancer with its scheme, listeners (SSL is TLS) and idle timeout, and
/// routes to the EC2 instances of its `Instances` list.
#[test]
fn a_classic_load_balancer_is_read_with_its_listeners_and_routes_to_its_instances() {
    use archsim_model::Props;
    use archsim_model::component::{ListenerProtocol, Scheme};
    let text = r#"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
  Legacy:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: [subnet-1]
      Listeners:
        - { LoadBalancerPort: "443", InstancePort: "8080", Protocol: SSL }
        - { LoadBalancerPort: 80, InstancePort: 8080, Protocol: http }
      ConnectionSettings: { IdleTimeout: 120 }
      Instances: [!Ref Web]
"#;
    let imported = archsim_iac::import(text, "classic.yaml").unwrap_or_else(|e| panic!("{e}"));
    let d = &imported.design;
    let Some(Props::Clb(clb)) = d.component("Legacy").map(|c| &c.props) else {
        panic!(
            "Legacy is a Classic Load Balancer: {:?}",
            d.component("Legacy")
        )
    };
    assert_eq!(clb.scheme, Scheme::Internal);
    assert_eq!(clb.idle_timeout_s, 120);
    let listeners: Vec<(u16, ListenerProtocol)> =
        clb.listeners.iter().map(|l| (l.port, l.protocol)).collect();
    assert_eq!(
        listeners,
        [(443, ListenerProtocol::Tls), (80, ListenerProtocol::Http)]
    );
    let found = common::edges(d);
    assert!(found.contains("Legacy -route-> Web"), "{found:#?}");
    // The balancer is written back as the template wrote it.
    let out = archsim_iac::export(d, &Default::default()).unwrap();
    assert_eq!(
        out.value["Resources"]["Legacy"]["Properties"]["Listeners"][0],
        serde_json::json!({"LoadBalancerPort": "443", "InstancePort": "8080", "Protocol": "SSL"})
    );
}
