//! The connections a template implies but does not draw: from events,
//! notifications, listeners and target groups, roles and their policies,
//! subscriptions, dead-letter targets, images and capacity, each with the
//! evidence the import report shows.

use super::*;

impl Importer<'_> {
    pub(super) fn infer(&mut self) {
        self.infer_resources();
        self.draw_api_calls();
        self.buckets_to_rules();
    }

    /// A bucket with EventBridge notifications on sends its events to the
    /// default bus, where a rule whose pattern matches `aws.s3` (and, when
    /// it names buckets, this one) picks them up.
    pub(super) fn buckets_to_rules(&mut self) {
        let buckets: Vec<String> = self
            .resources()
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::S3::Bucket"))
            .filter(|(_, r)| {
                let on = r
                    .get("Properties")
                    .and_then(|p| p.get("NotificationConfiguration"))
                    .and_then(|n| n.get("EventBridgeConfiguration"))
                    .and_then(|e| e.get("EventBridgeEnabled"));
                matches!(on, Some(Value::Bool(true))) || on.and_then(Value::as_str) == Some("true")
            })
            .map(|(l, _)| l.clone())
            .collect();
        if buckets.is_empty() {
            return;
        }
        // The rules S3's events reach: on the default bus (no custom bus
        // feeds them), matching source aws.s3.
        let rules: Vec<(String, Value)> = self
            .design
            .components()
            .filter(|c| archsim_model::validate::rule_receives_s3_events(&self.design, c))
            .filter_map(|c| {
                let Props::EventBridgeRule(r) = &c.props else {
                    return None;
                };
                let pattern = serde_json::from_str(&r.event_pattern).ok()?;
                Some((c.id.clone(), pattern))
            })
            .collect();
        for (rule, pattern) in rules {
            let mut named = BTreeSet::new();
            let names = pattern
                .get("detail")
                .and_then(|d| d.get("bucket"))
                .and_then(|b| b.get("name"));
            references(names.unwrap_or(&Value::Null), &mut named);
            for b in &buckets {
                let why = match names {
                    None => format!(
                        "{b} EventBridgeConfiguration; rule {rule} matches source aws.s3 from any bucket"
                    ),
                    Some(_) if named.contains(b) => format!(
                        "{b} EventBridgeConfiguration; rule {rule} matches source aws.s3, bucket {b}"
                    ),
                    Some(_) => continue,
                };
                if let Some(bucket) = self.comp(b) {
                    self.connect(&bucket, &rule, ConnectionKind::Publishes, &why);
                }
            }
        }
    }

    pub(super) fn infer_resources(&mut self) {
        let resources = self.resources();
        for (logical, res) in resources {
            let ty = res["Type"].as_str().unwrap_or_default();
            let props = res.get("Properties").cloned().unwrap_or(Value::Null);
            match ty {
                "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
                    self.state_machine(logical, &props);
                }
                "AWS::Serverless::Function" => {
                    if let Some(Value::Object(events)) = props.get("Events") {
                        for (name, ev) in events {
                            self.sam_event(logical, name, ev);
                        }
                    }
                    // The dead-letter queue first: the send its policy
                    // allows is for failed events, not a publish.
                    self.dead_letter(logical, &props, "DeadLetterQueue");
                    self.destinations(
                        logical,
                        props
                            .get("EventInvokeConfig")
                            .and_then(|e| e.get("DestinationConfig")),
                        &format!("{logical} EventInvokeConfig"),
                    );
                    // What the function does with a resource is what its
                    // policies allow; a variable naming it says nothing.
                    let mut grants = self.new_grants();
                    if let Some(p) = props.get("Policies") {
                        grants.sam_policies(p);
                    }
                    self.named_by_function(&mut grants, &props);
                    self.grants(logical, &grants, "policy");
                    self.execution_role(logical, &props);
                    self.function_image(logical, res, props.get("ImageUri"));
                }
                "AWS::Lambda::EventInvokeConfig" => {
                    if let Some(f) = props
                        .get("FunctionName")
                        .and_then(ref_target)
                        .and_then(|f| self.comp(f))
                    {
                        self.destinations(&f, props.get("DestinationConfig"), logical);
                    }
                }
                "AWS::Lambda::Function" => {
                    self.dead_letter(logical, &props, "DeadLetterConfig");
                    // Its on-failure destination before its role: the
                    // send or invoke the role allows it is for failed
                    // events, not a publish or a call.
                    let configs = self.resources().iter().filter(|(_, r)| {
                        r["Type"].as_str() == Some("AWS::Lambda::EventInvokeConfig")
                            && r["Properties"].get("FunctionName").and_then(ref_target)
                                == Some(logical.as_str())
                    });
                    for (config, r) in configs {
                        self.destinations(
                            logical,
                            r["Properties"].get("DestinationConfig"),
                            config,
                        );
                    }
                    self.execution_role(logical, &props);
                    let uri = props.get("Code").and_then(|c| c.get("ImageUri"));
                    self.function_image(logical, res, uri);
                }
                "AWS::Lambda::EventSourceMapping" => {
                    let (Some(src), Some(f)) = (
                        props.get("EventSourceArn").and_then(ref_target),
                        props.get("FunctionName").and_then(ref_target),
                    ) else {
                        continue;
                    };
                    let (src, how) = self.through_consumer(src);
                    if let (Some(s), Some(f)) = (self.comp(&src), self.comp(f)) {
                        let kind = poll(&self.defaults(&props, None, &mut BTreeSet::new()));
                        self.connect(
                            &s,
                            &f,
                            kind,
                            &format!("{logical} (event source mapping){how}"),
                        );
                        self.destinations(
                            &f,
                            props.get("DestinationConfig"),
                            &format!("{logical} (event source mapping)"),
                        );
                    }
                }
                // A Cognito user pool named in an API's authorizer guards it;
                // its definition (openapi.rs) holds its integrations and
                // may declare Lambda authorizers.
                "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                    if let Some(Value::Object(auths)) =
                        props.get("Auth").and_then(|a| a.get("Authorizers"))
                    {
                        let fields = if ty == "AWS::Serverless::Api" {
                            &api_gateway::SAM_REST_AUTHORIZER
                        } else {
                            &api_gateway::SAM_HTTP_AUTHORIZER
                        };
                        for (name, a) in auths {
                            let why = format!("{logical} Auth.Authorizers.{name}");
                            self.authorizer(logical, a, fields, &why);
                        }
                    }
                    let rest = ty == "AWS::Serverless::Api";
                    if let Some(body) = props.get("DefinitionBody") {
                        let holder = format!("{logical} DefinitionBody");
                        self.openapi_definition(logical, body, rest, &holder);
                    } else if let Some(uri) = props.get("DefinitionUri") {
                        match uri.as_str() {
                            Some(file) => {
                                self.openapi_file(logical, file, rest, logical, "DefinitionUri");
                            }
                            None => self.openapi_elsewhere(logical, "DefinitionUri in S3"),
                        }
                    }
                }
                "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
                    let rest = ty == "AWS::ApiGateway::RestApi";
                    if let Some(body) = props.get("Body") {
                        let holder = format!("{logical} Body");
                        self.openapi_definition(logical, body, rest, &holder);
                    } else if props.get("BodyS3Location").is_some() {
                        self.openapi_elsewhere(logical, "BodyS3Location");
                    }
                }
                "AWS::ApiGateway::Method" => {
                    if let (Some(api), Some(i)) = (
                        props.get("RestApiId").and_then(ref_target),
                        props.get("Integration"),
                    ) {
                        self.integration(api, i, logical);
                    }
                }
                "AWS::ApiGatewayV2::Integration" => {
                    if let Some(api) = props.get("ApiId").and_then(ref_target) {
                        self.integration(api, &props, logical);
                    }
                }
                "AWS::ApiGateway::Authorizer" | "AWS::ApiGatewayV2::Authorizer" => {
                    let api = props
                        .get("RestApiId")
                        .or_else(|| props.get("ApiId"))
                        .and_then(ref_target);
                    let fields = if ty == "AWS::ApiGateway::Authorizer" {
                        &api_gateway::REST_AUTHORIZER
                    } else {
                        &api_gateway::HTTP_AUTHORIZER
                    };
                    // (A WebSocket API's authorizer runs on $connect only:
                    // not drawn, its permission says the API invokes it.)
                    let websocket = api.is_some_and(|a| {
                        self.resources()
                            .get(a)
                            .and_then(|r| r.get("Properties"))
                            .and_then(|p| p.get("ProtocolType"))
                            .and_then(Value::as_str)
                            == Some("WEBSOCKET")
                    });
                    if let Some(api) = api.filter(|_| !websocket) {
                        self.authorizer(api, &props, fields, logical);
                    }
                }
                "AWS::Lambda::Permission" => {
                    let Some(f) = props
                        .get("FunctionName")
                        .and_then(ref_target)
                        .and_then(|f| self.comp(f))
                    else {
                        continue;
                    };
                    let mut refs = BTreeSet::new();
                    references(props.get("SourceArn").unwrap_or(&Value::Null), &mut refs);
                    // A permission for an API's authorizer: the authorizer
                    // draws the function (it authorizes, it is not invoked
                    // as an integration).
                    let for_authorizer = refs.iter().any(|r| {
                        self.resources()
                            .get(r)
                            .and_then(|res| res["Type"].as_str())
                            .is_some_and(|t| {
                                t == "AWS::ApiGateway::Authorizer"
                                    || t == "AWS::ApiGatewayV2::Authorizer"
                            })
                    });
                    // (or an authorizer of an API's own definition:
                    // `${Api}/authorizers/*`).
                    let arn_text = |v: &Value| match v {
                        Value::String(s) => s.clone(),
                        v => v
                            .get("Fn::Sub")
                            .map(|s| s.get(0).unwrap_or(s))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    };
                    let names_authorizers = props
                        .get("SourceArn")
                        .is_some_and(|v| arn_text(v).contains("/authorizers/"));
                    if for_authorizer || names_authorizers {
                        continue;
                    }
                    for src in refs {
                        if let Some(s) = self.comp(&src) {
                            let kind = if self.kind_of(&src) == Some(K::ApiGateway) {
                                Meaning::InvokeSync
                            } else {
                                Meaning::InvokeAsync
                            };
                            self.connect(
                                &s,
                                &f,
                                kind.default_kind(),
                                &format!("{logical} (permission)"),
                            );
                        }
                    }
                }
                "AWS::SNS::Topic" => {
                    if let Some(Value::Array(subs)) = props.get("Subscription") {
                        for sub in subs {
                            self.subscription(logical, sub.get("Endpoint"), logical, None);
                        }
                    }
                }
                "AWS::SNS::Subscription" => {
                    if let Some(topic) = props.get("TopicArn").and_then(ref_target) {
                        let filter = self.subscription_filter(logical, &props);
                        self.subscription(topic, props.get("Endpoint"), logical, filter);
                        self.subscription_dead_letter(topic, &props, logical);
                    }
                }
                "AWS::S3::Bucket" => {
                    let notifications = props
                        .get("NotificationConfiguration")
                        .cloned()
                        .unwrap_or(Value::Null);
                    for (list, key) in [
                        ("LambdaConfigurations", "Function"),
                        ("QueueConfigurations", "Queue"),
                        ("TopicConfigurations", "Topic"),
                    ] {
                        let Some(Value::Array(configs)) = notifications.get(list) else {
                            continue;
                        };
                        for c in configs {
                            let Some(to) = c.get(key).and_then(ref_target) else {
                                continue;
                            };
                            let (Some(kind), Some(to)) = (self.kind_of(to), self.comp(to)) else {
                                continue;
                            };
                            let event = c.get("Event").and_then(Value::as_str).unwrap_or("events");
                            self.connect(
                                logical,
                                &to,
                                delivery(kind),
                                &format!("{logical} NotificationConfiguration {list} ({event})"),
                            );
                        }
                    }
                }
                "AWS::KinesisFirehose::DeliveryStream" => {
                    let dest = props
                        .get("ExtendedS3DestinationConfiguration")
                        .or_else(|| props.get("S3DestinationConfiguration"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    // The Kinesis data stream it reads.
                    let source = props
                        .get(messaging::KINESIS_SOURCE)
                        .and_then(|s| s.get(messaging::KINESIS_SOURCE_STREAM))
                        .and_then(ref_target)
                        .filter(|s| self.kind_of(s) == Some(K::KinesisStream))
                        .and_then(|s| self.comp(s));
                    if let Some(s) = source {
                        self.connect(
                            &s,
                            logical,
                            Meaning::Poll.default_kind(),
                            &format!("{logical} {}", messaging::KINESIS_SOURCE),
                        );
                    }
                    let mut refs = BTreeSet::new();
                    references(dest.get("BucketARN").unwrap_or(&Value::Null), &mut refs);
                    references(
                        dest.get("ProcessingConfiguration").unwrap_or(&Value::Null),
                        &mut refs,
                    );
                    for r in refs {
                        let (Some(kind), Some(to)) = (self.kind_of(&r), self.comp(&r)) else {
                            continue;
                        };
                        let conn = match kind {
                            K::S3Bucket => ConnectionKind::Publishes,
                            K::LambdaFunction => Meaning::InvokeSync.default_kind(),
                            // A delivery stream delivers to a bucket, through
                            // its transform function.
                            K::Client
                            | K::ApiGateway
                            | K::CloudFront
                            | K::Alb
                            | K::Nlb
                            | K::Clb
                            | K::Cognito
                            | K::Lex
                            | K::Alexa
                            | K::SqsQueue
                            | K::SnsTopic
                            | K::EventBridgeRule
                            | K::EventBus
                            | K::EventBridgePipe
                            | K::KinesisStream
                            | K::Firehose
                            | K::StepFunctions
                            | K::DynamoDbTable
                            | K::AuroraServerless
                            | K::Rds
                            | K::Ec2Instance
                            | K::EcsCluster
                            | K::EcsService
                            | K::TaskDefinition
                            | K::Fargate
                            | K::FargateSpot
                            | K::Ec2AutoScalingGroup
                            | K::EksCluster
                            | K::EksNodeGroup
                            | K::EksFargateProfile
                            | K::EksWorkload
                            | K::EcrRepository
                            | K::ExternalRegistry
                            | K::IamRole
                            | K::VpcEndpoint
                            | K::Secret
                            | K::Generic => continue,
                        };
                        self.connect(logical, &to, conn, "delivery stream destination");
                    }
                }
                "AWS::CloudFront::Distribution" => self.origins(logical, &props),
                "AWS::Pipes::Pipe" => self.pipe(logical, &props),
                "AWS::Scheduler::Schedule" => {
                    if let Some(f) = props
                        .get("Target")
                        .and_then(|t| t.get("Arn"))
                        .and_then(ref_target)
                        .and_then(|f| self.comp(f))
                    {
                        self.connect(
                            logical,
                            &f,
                            Meaning::InvokeAsync.default_kind(),
                            "schedule target",
                        );
                    }
                }
                "AWS::Events::Rule" => {
                    self.rule_on_bus(logical, &props);
                    if let Some(Value::Array(targets)) = props.get("Targets") {
                        for t in targets {
                            let Some((to, how)) = t.get("Arn").and_then(|a| self.named(a)) else {
                                continue;
                            };
                            if let Some(to) = self.comp(&to)
                                && let Some(kind) = self.design.component(&to).map(Component::kind)
                            {
                                self.connect(
                                    logical,
                                    &to,
                                    delivery(kind),
                                    &format!("{logical} rule target{how}"),
                                );
                            }
                        }
                    }
                }
                "AWS::SQS::Queue" => {
                    let dlq = props
                        .get(messaging::REDRIVE_POLICY)
                        .and_then(|r| r.get(messaging::DEAD_LETTER_TARGET))
                        .and_then(ref_target);
                    if let Some(q) = dlq.and_then(|q| self.comp(q)) {
                        self.connect(
                            logical,
                            &q,
                            ConnectionKind::DeadLetter,
                            messaging::REDRIVE_POLICY,
                        );
                    }
                }
                "AWS::ElasticLoadBalancing::LoadBalancer" => {
                    let mut instances = BTreeSet::new();
                    references(
                        props
                            .get(load_balancing::CLASSIC_INSTANCES)
                            .unwrap_or(&Value::Null),
                        &mut instances,
                    );
                    for i in instances {
                        if self.kind_of(&i) == Some(K::Ec2Instance)
                            && let Some(to) = self.comp(&i)
                        {
                            self.connect(
                                logical,
                                &to,
                                Meaning::Route.default_kind(),
                                load_balancing::CLASSIC_INSTANCES,
                            );
                        }
                    }
                }
                "AWS::EC2::Instance" => {
                    let profile = props.get("IamInstanceProfile");
                    if let Some(role) = self.profile_role(profile) {
                        self.connect(
                            logical,
                            &role,
                            ConnectionKind::AssumesRole,
                            "IamInstanceProfile",
                        );
                    }
                    // What its instance profile's role may do, the
                    // instance does (drawn or its own role, not drawn).
                    if let Some(role) = self.profile_role_logical(profile) {
                        let grants = self.role_grants(&role);
                        self.grants(logical, &grants, &format!("instance profile role {role}"));
                    }
                }
                "AWS::EKS::Cluster" | "AWS::EKS::Nodegroup" | "AWS::EKS::FargateProfile" => {
                    for key in ["RoleArn", "NodeRole", "PodExecutionRoleArn"] {
                        if let Some(role) = props
                            .get(key)
                            .and_then(ref_target)
                            .and_then(|r| self.comp(r))
                        {
                            self.connect(logical, &role, ConnectionKind::AssumesRole, key);
                        }
                    }
                }
                "AWS::ECS::Service" => {
                    if let Some(td) = props
                        .get("TaskDefinition")
                        .and_then(ref_target)
                        .and_then(|t| self.comp(t))
                    {
                        self.connect(logical, &td, ConnectionKind::RunsTask, "TaskDefinition");
                    }
                    if let Some(td) = props.get("TaskDefinition").and_then(ref_target) {
                        self.task_role(logical, td);
                    }
                    if let Some(Value::Array(lbs)) = props.get("LoadBalancers") {
                        for lb in lbs {
                            if let Some(tg) = lb.get("TargetGroupArn").and_then(ref_target) {
                                self.route_via_target_group(tg, logical);
                            }
                        }
                    }
                    self.imported_cluster(logical, &props);
                    self.service_capacity(logical, &props);
                }
                "AWS::ECS::TaskDefinition" => {
                    for key in ["TaskRoleArn", "ExecutionRoleArn"] {
                        if let Some(role) = props
                            .get(key)
                            .and_then(ref_target)
                            .and_then(|r| self.comp(r))
                        {
                            self.connect(logical, &role, ConnectionKind::AssumesRole, key);
                        }
                    }
                    let mut refs = BTreeSet::new();
                    references(
                        ecs_task::CONTAINERS
                            .in_value(&props)
                            .unwrap_or(&Value::Null),
                        &mut refs,
                    );
                    let mut from_ecr = false;
                    for r in refs {
                        if self.kind_of(&r) == Some(K::EcrRepository)
                            && let Some(repo) = self.comp(&r)
                        {
                            from_ecr = true;
                            self.connect(
                                logical,
                                &repo,
                                ConnectionKind::PullsImage,
                                "container image",
                            );
                        }
                    }
                    if !from_ecr {
                        self.external_images(logical, &props);
                    }
                }
                "AWS::ECS::CapacityProvider" => self.instance_role(logical, &props),
                // A function or an instance (or, behind a network load
                // balancer, an ALB)
                // registered in a target group is routed to by the
                // listeners and rules that forward to the group.
                "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                    let Some(Value::Array(targets)) = props.get("Targets") else {
                        continue;
                    };
                    for t in targets {
                        let Some(target) = t.get("Id").and_then(ref_target) else {
                            continue;
                        };
                        if matches!(
                            self.kind_of(target),
                            Some(K::LambdaFunction | K::Alb | K::Ec2Instance)
                        ) && let Some(target) = self.comp(target)
                        {
                            self.route_via_target_group(logical, &target);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A synthetic component drawn for something the template names but
    /// does not declare (Fargate capacity, an outside registry): kept under
    /// `owner#what` so export writes nothing for it.
    pub(super) fn synthetic(&mut self, id: &str, name: &str, props: Props, owner: &str) -> String {
        if self.design.component(id).is_none() {
            let kind = props.kind();
            self.add(id.into(), name.into(), props, format!("{owner}#{id}"));
            self.report
                .mapped
                .push(format!("{id} (named by {owner}) -> {}", kind.label()));
            self.by_logical.insert(id.into(), id.into());
        }
        id.to_string()
    }

    /// ALB -> target: through the target group's listener rules and
    /// listeners' default actions.
    pub(super) fn route_via_target_group(&mut self, tg: &str, target: &str) {
        let resources = self.resources();
        let test = crate::properties::ecs::test_listeners(resources);
        for (logical, res) in resources {
            if test.contains(logical.as_str()) {
                continue; // a blue/green test listener: CodeDeploy's route
            }
            let ty = res["Type"].as_str().unwrap_or_default();
            let props = res.get("Properties").cloned().unwrap_or(Value::Null);
            let mut refs = BTreeSet::new();
            match ty {
                "AWS::ElasticLoadBalancingV2::ListenerRule" => {
                    references(props.get("Actions").unwrap_or(&Value::Null), &mut refs)
                }
                "AWS::ElasticLoadBalancingV2::Listener" => references(
                    props.get("DefaultActions").unwrap_or(&Value::Null),
                    &mut refs,
                ),
                _ => continue,
            }
            if !refs.contains(tg) {
                continue;
            }
            let listener = match ty {
                "AWS::ElasticLoadBalancingV2::ListenerRule" => props
                    .get("ListenerArn")
                    .and_then(ref_target)
                    .map(str::to_string),
                _ => Some(logical.clone()),
            };
            let Some(listener) = listener else { continue };
            let Some(lb) = self
                .props(&listener)
                .and_then(|p| p.get("LoadBalancerArn"))
                .and_then(ref_target)
                .and_then(|l| self.comp(l))
            else {
                continue;
            };
            let rule = self.listener_rule(logical, &props);
            let listener_port = self
                .props(&listener)
                .and_then(|p| load_balancing::PORT.get(p))
                .and_then(crate::properties::u32_of)
                .map_or(80, |p| p as u16);
            let actions = match ty {
                "AWS::ElasticLoadBalancingV2::ListenerRule" => props.get("Actions"),
                _ => props.get("DefaultActions"),
            };
            let kind = ConnectionKind::Route {
                priority: rule.priority,
                conditions: rule.conditions,
                weight: load_balancing::forward_weight(actions.unwrap_or(&Value::Null), tg),
                target_port: None,
                listener_port,
            };
            let mut why = format!("{logical} -> target group {tg}");
            // A Lambda target needs the load balancer's permission to
            // invoke it (for this target group, when it names one).
            for (p, res) in resources {
                let Some(props) = res.get("Properties") else {
                    continue;
                };
                if res["Type"].as_str() == Some("AWS::Lambda::Permission")
                    && props.get("FunctionName").and_then(ref_target) == Some(target)
                    && props.get("Principal").and_then(Value::as_str)
                        == Some("elasticloadbalancing.amazonaws.com")
                    && props
                        .get("SourceArn")
                        .is_none_or(|s| ref_target(s) == Some(tg))
                {
                    why.push_str(&format!(", permission {p}"));
                }
            }
            self.connect(&lb, target, kind, &why);
        }
    }

    /// A listener rule's priority and conditions (a listener's default
    /// action has neither), values given by parameters read as their
    /// defaults; a condition archsim cannot read is reported, since the
    /// route then matches without it.
    fn listener_rule(&mut self, logical: &str, props: &Value) -> load_balancing::Rule {
        let Value::Object(raw) = props else {
            return load_balancing::Rule::default();
        };
        let mut used = BTreeSet::new();
        let given = self.defaults(props, None, &mut used);
        let rule = given
            .as_object()
            .map(|p| load_balancing::LISTENER_RULE.read(p))
            .unwrap_or_default();
        if rule != load_balancing::LISTENER_RULE.read(raw) {
            for parameter in used {
                self.report_parameter(logical, &parameter);
            }
        }
        let written = load_balancing::CONDITIONS
            .get(raw)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if rule.conditions.len() < written {
            let line = format!(
                "{logical}: {} of its {written} conditions not read (a field archsim does not model, or a value given by an intrinsic): its route matches without them",
                written - rule.conditions.len()
            );
            if !self.report.kept.contains(&line) {
                self.report.kept.push(line);
            }
        }
        rule
    }

    /// An SNS subscription endpoint: a function is invoked, a queue is
    /// published to.
    pub(super) fn subscription(
        &mut self,
        topic: &str,
        endpoint: Option<&Value>,
        why: &str,
        filter: messaging::Filter,
    ) {
        let Some((endpoint, how)) = endpoint.and_then(|e| self.named(e)) else {
            return;
        };
        let (Some(t), Some(to)) = (self.comp(topic), self.comp(&endpoint)) else {
            return;
        };
        if let Some(kind) = self.design.component(&to).map(Component::kind) {
            let why = format!("{why} subscription{how}{}", filter_evidence(&filter));
            self.connect_filtered(&t, &to, delivery(kind), &why, filter);
        }
    }

    /// A subscription's (or SAM SNS event's) dead-letter queue: its
    /// `RedrivePolicy` naming a queue of the template is the topic's
    /// `DeadLetter` connection to that queue (the model keeps one per
    /// topic, for every subscription).
    pub(super) fn subscription_dead_letter(&mut self, topic: &str, props: &Value, why: &str) {
        let queue = props
            .get(messaging::REDRIVE_POLICY)
            .and_then(|r| r.get(messaging::DEAD_LETTER_TARGET))
            .and_then(ref_target);
        let (Some(t), Some(q)) = (self.comp(topic), queue.and_then(|q| self.comp(q))) else {
            return;
        };
        if self.design.component(&q).map(Component::kind) == Some(K::SqsQueue) {
            let why = format!("{why} {}", messaging::REDRIVE_POLICY);
            self.connect(&t, &q, ConnectionKind::DeadLetter, &why);
        }
    }

    /// A subscription's (or SAM SNS event's) filter policy; one written
    /// with intrinsics is kept in the template only, and the report says
    /// so.
    pub(super) fn subscription_filter(
        &mut self,
        logical: &str,
        props: &Value,
    ) -> messaging::Filter {
        let Value::Object(props) = props else {
            return None;
        };
        let filter = messaging::SUBSCRIPTION_FILTER.read(props);
        if filter.is_none() && messaging::FILTER_POLICY.get(props).is_some() {
            self.report.kept.push(format!(
                "{logical}: its filter policy is not a JSON object archsim reads (an intrinsic or malformed text); kept in the template, every message reaches the subscriber in the simulation"
            ));
        }
        filter
    }

    /// The resource an ARN names: by `Ref`/`GetAtt`, or an ARN spelled
    /// out (`!Sub arn:aws:sns:${AWS::Region}:${AWS::AccountId}:Orders`)
    /// whose name is the `TopicName`, `QueueName` or `FunctionName` a
    /// resource of the template gives itself. The second value is the
    /// evidence to add for a spelled-out ARN.
    pub(super) fn named(&self, arn: &Value) -> Option<(String, String)> {
        if let Some(r) = ref_target(arn) {
            return Some((r.to_string(), String::new()));
        }
        let text = match arn {
            Value::String(s) => s.as_str(),
            Value::Object(m) => m.get("Fn::Sub")?.as_str()?,
            _ => return None,
        };
        // Variables (`${AWS::Region}`) hold colons of their own.
        let mut plain = text.to_string();
        for var in crate::template::sub_variables(text) {
            plain = plain.replace(&format!("${{{var}}}"), "-");
        }
        let parts: Vec<&str> = plain.splitn(6, ':').collect();
        let [_, _, service, _, _, rest] = parts.as_slice() else {
            return None;
        };
        let (ty, key, name) = match *service {
            "sns" => ("AWS::SNS::Topic", "TopicName", *rest),
            "sqs" => ("AWS::SQS::Queue", "QueueName", *rest),
            "lambda" => (
                "AWS::Serverless::Function",
                "FunctionName",
                rest.strip_prefix("function:")?,
            ),
            _ => return None,
        };
        let mut used = BTreeSet::new();
        let found = self.resources().iter().find(|(_, r)| {
            let r_ty = r["Type"].as_str().unwrap_or_default();
            let same_type =
                r_ty == ty || (ty.ends_with("Function") && r_ty == "AWS::Lambda::Function");
            let given = r
                .get("Properties")
                .and_then(|p| p.get(key))
                .map(|v| self.defaults(v, None, &mut used));
            same_type && given.as_ref().and_then(Value::as_str) == Some(name)
        })?;
        Some((found.0.clone(), format!(" (ARN {text}: {key} {name})")))
    }

    pub(super) fn sam_event(&mut self, f: &str, name: &str, ev: &Value) {
        let ty = ev.get("Type").and_then(Value::as_str).unwrap_or_default();
        let p = ev.get("Properties").cloned().unwrap_or(Value::Null);
        let why = format!("{f} event {name}");
        match ty {
            "S3" => {
                if let Some(s) = p
                    .get("Bucket")
                    .and_then(ref_target)
                    .and_then(|s| self.comp(s))
                {
                    self.connect(&s, f, Meaning::InvokeAsync.default_kind(), &why);
                }
            }
            "SNS" => {
                if let Some(s) = p
                    .get("Topic")
                    .and_then(ref_target)
                    .and_then(|s| self.comp(s))
                {
                    let filter = self.subscription_filter(&why, &p);
                    let evidence = format!("{why}{}", filter_evidence(&filter));
                    self.connect_filtered(
                        &s,
                        f,
                        Meaning::InvokeAsync.default_kind(),
                        &evidence,
                        filter,
                    );
                    if let Some(topic) = p.get("Topic").and_then(ref_target) {
                        self.subscription_dead_letter(topic, &p, &why);
                    }
                }
            }
            "SQS" | "Kinesis" | "DynamoDB" => {
                let key = match ty {
                    "SQS" => "Queue",
                    _ => "Stream",
                };
                if let Some(src) = p.get(key).and_then(ref_target) {
                    let (src, how) = self.through_consumer(src);
                    if let Some(s) = self.comp(&src) {
                        let settings = self.defaults(&p, None, &mut BTreeSet::new());
                        self.connect(&s, f, poll(&settings), &format!("{why}{how}"));
                    }
                }
                self.destinations(f, p.get("DestinationConfig"), &why);
            }
            "Api" | "HttpApi" => {
                let key = if ty == "Api" { "RestApiId" } else { "ApiId" };
                let api = match p.get(key).and_then(ref_target).and_then(|s| self.comp(s)) {
                    Some(api) => api,
                    None => {
                        // The API SAM creates when none is named.
                        let implicit = if ty == "Api" {
                            "ServerlessRestApi"
                        } else {
                            "ServerlessHttpApi"
                        };
                        if self.design.component(implicit).is_none() {
                            let props = if ty == "Api" {
                                (api_gateway::REST_API.unset)()
                            } else {
                                (api_gateway::HTTP_API.unset)()
                            };
                            self.add(
                                implicit.into(),
                                words(implicit),
                                Props::ApiGateway(props),
                                format!("{f}#Events/{name}"),
                            );
                            self.report
                                .mapped
                                .push(format!("{implicit} (implicit SAM API) -> API Gateway"));
                        }
                        implicit.to_string()
                    }
                };
                self.connect(&api, f, Meaning::InvokeSync.default_kind(), &why);
            }
            "Schedule" | "ScheduleV2" | "EventBridgeRule" | "CloudWatchEvent" => {
                let id = format!("{f}{name}");
                let e = event_sources::SAM_RULE_EVENT.read(p.as_object().unwrap_or(&Map::new()));
                self.add(
                    id.clone(),
                    words(name),
                    Props::EventBridgeRule(e),
                    format!("{f}#Events/{name}"),
                );
                self.report
                    .mapped
                    .push(format!("{f} event {name} ({ty}) -> EventBridge rule"));
                self.connect(&id, f, Meaning::InvokeAsync.default_kind(), &why);
                self.rule_on_bus(&id, &p);
            }
            _ => self
                .report
                .kept
                .push(format!("{f} event {name} ({ty}): kept as written")),
        }
    }

    /// A function's explicit execution role (`Role: !GetAtt R.Arn`): the
    /// function assumes it, and may do what the role's policies allow
    /// (its inline `Policies`, and `AWS::IAM::Policy` /
    /// `AWS::IAM::ManagedPolicy` resources attached to it).
    pub(super) fn execution_role(&mut self, f: &str, props: &Value) {
        let mut named = BTreeSet::new();
        references(props.get("Role").unwrap_or(&Value::Null), &mut named);
        let resources = self.resources();
        for role in named {
            let Some(res) = resources.get(&role) else {
                continue;
            };
            if res["Type"].as_str() != Some("AWS::IAM::Role") {
                continue;
            }
            if let Some(r) = self.comp(&role) {
                self.connect(f, &r, ConnectionKind::AssumesRole, &format!("{f} Role"));
            }
            let mut grants = self.role_grants(&role);
            self.named_by_function(&mut grants, props);
            self.grants(f, &grants, &format!("role {role}"));
        }
    }

    /// Where a container-image function's image comes from: the
    /// template's ECR repository its `ImageUri` names, or else the
    /// repository it names by URI, parameter or SAM build metadata, drawn
    /// as a repository of its own (Lambda runs images from ECR only).
    pub(super) fn function_image(&mut self, f: &str, res: &Value, uri: Option<&Value>) {
        let image = matches!(
            self.design.component(f).map(|c| &c.props),
            Some(Props::LambdaFunction(l)) if l.packaging == archsim_model::component::Packaging::Image
        );
        if !image {
            return;
        }
        let mut named = BTreeSet::new();
        references(uri.unwrap_or(&Value::Null), &mut named);
        for r in &named {
            if self.kind_of(r) == Some(K::EcrRepository)
                && let Some(repo) = self.comp(r)
            {
                self.connect(
                    f,
                    &repo,
                    ConnectionKind::PullsImage,
                    &format!("{f} ImageUri"),
                );
                return;
            }
        }
        let docker = res
            .get("Metadata")
            .and_then(|m| m.get("DockerContext"))
            .and_then(Value::as_str);
        let (name, why) = match (uri, docker) {
            (Some(Value::String(u)), _) => {
                let repo = u
                    .split('/')
                    .nth(1)
                    .and_then(|r| r.split([':', '@']).next())
                    .unwrap_or(u);
                (repo.to_string(), format!("{f} ImageUri {u}"))
            }
            (Some(u), _) => match ref_target(u) {
                Some(p) if !self.resources().contains_key(p) => (
                    format!("{f} image repository"),
                    format!("{f} ImageUri from parameter {p}"),
                ),
                _ => (format!("{f} image repository"), format!("{f} ImageUri")),
            },
            (None, Some(ctx)) => (
                format!("{f} image repository"),
                format!(
                    "{f} Metadata DockerContext {ctx}: sam build builds the image, sam deploy \
                     pushes it to the repository it is given"
                ),
            ),
            (None, None) => (
                format!("{f} image repository"),
                format!("{f} PackageType Image"),
            ),
        };
        let props = Props::EcrRepository(crate::properties::ecr::REPOSITORY.read(&Map::new()));
        let repo = self.synthetic(&format!("{f}ImageRepository"), &name, props, f);
        self.connect(f, &repo, ConnectionKind::PullsImage, &why);
    }

    /// Statements on every resource (`Resource: "*"`) apply to the
    /// resources of their service that the function names in its
    /// environment or its events: the name says which, the statement what.
    pub(super) fn named_by_function(&self, grants: &mut Grants, props: &Value) {
        if grants.1.is_empty() {
            return;
        }
        for (names, how) in [
            (
                lambda::ENVIRONMENT.in_value(props),
                "named in its environment",
            ),
            (props.get("Events"), "named by its events"),
        ] {
            let mut named = BTreeSet::new();
            references(names.unwrap_or(&Value::Null), &mut named);
            for r in named {
                if let Some(service) = self.kind_of(&r).and_then(iam_service) {
                    grants.named(&r, service, how);
                }
            }
        }
    }

    /// A function's dead-letter queue or topic (SAM `DeadLetterQueue`,
    /// CloudFormation `DeadLetterConfig`).
    pub(super) fn dead_letter(&mut self, f: &str, props: &Value, key: &str) {
        if let Some(q) = props
            .get(key)
            .and_then(|d| d.get("TargetArn"))
            .and_then(ref_target)
            && let Some(q) = self.comp(q)
        {
            self.connect(f, &q, ConnectionKind::DeadLetter, &format!("{f} {key}"));
        }
    }

    /// A distribution's origins: the bucket, API, load balancer or
    /// function URL each origin's domain name is taken from.
    pub(super) fn origins(&mut self, cf: &str, props: &Value) {
        let Some(Value::Array(origins)) = props
            .get("DistributionConfig")
            .and_then(|d| d.get("Origins"))
        else {
            return;
        };
        for origin in origins {
            let id = origin.get("Id").and_then(Value::as_str).unwrap_or("?");
            let mut named = BTreeSet::new();
            references(origin.get("DomainName").unwrap_or(&Value::Null), &mut named);
            for r in named {
                let why = format!("{cf} origin {id} DomainName names {r}");
                match self.kind_of(&r) {
                    Some(K::S3Bucket | K::Alb | K::ApiGateway) => {
                        if let Some(to) = self.comp(&r) {
                            self.connect(cf, &to, Meaning::Route.default_kind(), &why);
                        }
                    }
                    _ => {
                        // A function URL: an `AWS::Lambda::Url` resource,
                        // or the `<Function>Url` SAM makes from a
                        // function's `FunctionUrlConfig`.
                        let resources = self.resources();
                        let function = match resources.get(&r) {
                            Some(u) if u["Type"].as_str() == Some("AWS::Lambda::Url") => u
                                .get("Properties")
                                .and_then(|p| p.get("TargetFunctionArn"))
                                .and_then(ref_target)
                                .map(str::to_string),
                            Some(_) => None,
                            None => r
                                .strip_suffix("Url")
                                .filter(|f| {
                                    resources
                                        .get(*f)
                                        .and_then(|f| f.get("Properties"))
                                        .is_some_and(|p| p.get("FunctionUrlConfig").is_some())
                                })
                                .map(str::to_string),
                        };
                        if let Some(f) = function.and_then(|f| self.comp(&f)) {
                            self.connect(
                                cf,
                                &f,
                                Meaning::InvokeSync.default_kind(),
                                &format!("{why} (function URL)"),
                            );
                        }
                    }
                }
            }
        }
    }

    /// The stream a mapping reads: `src` itself, or, for an enhanced
    /// fan-out consumer (`AWS::Kinesis::StreamConsumer`), the stream it is
    /// registered on, with the evidence to add. The consumer stays drawn
    /// as a generic resource referring to its stream, so its charges show
    /// as not priced rather than as nothing.
    pub(super) fn through_consumer(&mut self, src: &str) -> (String, String) {
        let resources = self.resources();
        let Some(stream) = resources
            .get(src)
            .filter(|r| r["Type"].as_str() == Some("AWS::Kinesis::StreamConsumer"))
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get("StreamARN"))
            .and_then(ref_target)
        else {
            return (src.to_string(), String::new());
        };
        if let (Some(consumer), Some(s)) = (self.comp(src), self.comp(stream)) {
            self.connect(
                &s,
                &consumer,
                ConnectionKind::References,
                &format!("{src} StreamARN"),
            );
        }
        (
            stream.to_string(),
            format!(" through enhanced fan-out consumer {src}"),
        )
    }

    /// A function's destinations (`DestinationConfig` of its event
    /// invoke config or of an event source mapping): failed events or
    /// batches go to the `OnFailure` target (a dead-letter connection),
    /// results of successful async invocations to the `OnSuccess` one. A
    /// SAM destination of type SQS or SNS without a `Destination` is a
    /// queue or topic SAM creates: reported, not drawn.
    pub(super) fn destinations(&mut self, f: &str, config: Option<&Value>, why: &str) {
        let Some(config) = config else {
            return;
        };
        for key in ["OnSuccess", "OnFailure"] {
            let Some(target) = config.get(key) else {
                continue;
            };
            let Some(dest) = target.get("Destination") else {
                let ty = target.get("Type").and_then(Value::as_str).unwrap_or("?");
                self.report.kept.push(format!(
                    "{why} {key} ({ty}): SAM creates the destination; not drawn"
                ));
                continue;
            };
            let Some((to, how)) = self.named(dest) else {
                continue;
            };
            let (Some(to), Some(kind)) = (self.comp(&to), self.kind_of(&to)) else {
                continue;
            };
            let conn = if key == "OnFailure" {
                ConnectionKind::DeadLetter
            } else {
                delivery(kind)
            };
            self.connect(f, &to, conn, &format!("{why} {key} destination{how}"));
        }
    }

    /// The connections what policies grant `f` stand for: reading or
    /// writing a data store is using it, sending to a queue, topic,
    /// stream or bus is publishing, invoking a function is invoking it.
    /// Receiving from a queue or reading a stream draws nothing here: the
    /// event source that polls draws that.
    pub(super) fn grants(&mut self, f: &str, grants: &Grants, why: &str) {
        for (r, (grant, evidence)) in &grants.0 {
            let (Some(kind), Some(target)) = (self.kind_of(r), self.comp(r)) else {
                continue;
            };
            let from = self.kind_of(f).unwrap_or(K::LambdaFunction);
            let conn = match kind {
                // A send to the function's own dead-letter target is what
                // the dead-letter connection needs, not a publish.
                K::SqsQueue
                | K::SnsTopic
                | K::KinesisStream
                | K::Firehose
                | K::EventBridgeRule
                | K::EventBus
                | K::LambdaFunction
                    if self.design.connections().any(|c| {
                        c.from == f && c.to == target && c.kind == ConnectionKind::DeadLetter
                    }) =>
                {
                    None
                }
                // Itself.
                K::LambdaFunction if target == f => None,
                _ => integrations::grant_connection(from, kind, *grant),
            };
            let evidence: Vec<&str> = evidence.iter().map(String::as_str).collect();
            if let Some(conn) = conn {
                self.connect_marked(
                    f,
                    &target,
                    conn,
                    &format!("{f} {why}: {}", evidence.join("; ")),
                    grants.weak(r),
                );
            }
        }
    }
}

/// What a subscription's filter policy adds to its evidence: the keys it
/// filters on and its scope.
fn filter_evidence(filter: &messaging::Filter) -> String {
    let Some(f) = filter else {
        return String::new();
    };
    let keys: Vec<&str> = f
        .policy
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    format!(
        ", FilterPolicy on {} ({})",
        f.scope.aws_name(),
        keys.join(", ")
    )
}
