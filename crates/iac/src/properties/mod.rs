//! The modelled properties of each resource family, in both directions.
//!
//! One field map per family names the CloudFormation property that holds
//! each typed field of the model and converts it: export writes a field
//! with `Field::put`, import reads a whole resource with `FieldMap::read`,
//! and an edit of an imported design is written back with the same
//! `Field`. So export and import cannot disagree on a property's name or
//! spelling, and a family's file lists what the model knows of its
//! resources: a field without a reader is one that export writes and
//! import does not read back yet (it keeps the default).
//!
//! Values given as intrinsics (`!Ref Param`) are not read: the design
//! shows what is known, the kept template keeps what was written.

use archsim_model::Props;
use serde_json::{Map, Value};

pub(crate) mod api_gateway;
pub(crate) mod cloudfront;
pub(crate) mod cognito;
pub(crate) mod data_stores;
pub(crate) mod ec2;
pub(crate) mod ecr;
pub(crate) mod ecs;
pub(crate) mod ecs_task;
pub(crate) mod eks;
pub(crate) mod event_sources;
pub(crate) mod eventbridge;
pub(crate) mod iam;
pub(crate) mod lambda;
pub(crate) mod load_balancing;
pub(crate) mod messaging;
pub(crate) mod secrets;
pub(crate) mod step_functions;
pub(crate) mod vpc_endpoint;

/// One modelled field of a resource's `Properties`.
pub(crate) struct Field<P: 'static> {
    /// Where the value sits: a property (`ShardCount`), or a path through
    /// nested mappings (`StreamModeDetails/StreamMode`).
    pub path: &'static str,
    /// The template's value for the model's field; `null` when the model
    /// has none (no reserved concurrency). Export decides whether to write
    /// it at all (defaults are often left out).
    pub write: fn(&P) -> Value,
    /// Sets the model's field from the template's value, ignoring values
    /// it cannot read (intrinsics). `None`: import does not read it yet.
    pub read: Option<fn(&mut P, &Value)>,
    /// Whether an edit of the field on an imported design is written back
    /// onto the kept resource (the fields a user edits on the canvas).
    pub write_back: bool,
    /// Whether a SAM template may set it for every function in
    /// `Globals.Function` (import falls back to it there).
    pub sam_global: bool,
}

impl<P> Field<P> {
    /// Writes `p`'s field at its place in `props`.
    pub fn put(&self, props: &mut Map<String, Value>, p: &P) {
        self.put_value(props, (self.write)(p));
    }

    /// Writes a value export derived itself (from connections, or another
    /// component) at the field's place in `props`.
    pub fn put_value(&self, props: &mut Map<String, Value>, value: Value) {
        let mut segments = self.path.split('/').peekable();
        let mut map = props;
        while let Some(segment) = segments.next() {
            if segments.peek().is_none() {
                map.insert(segment.into(), value);
                return;
            }
            let next = map
                .entry(segment)
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            let Value::Object(next) = next else {
                return;
            };
            map = next;
        }
    }

    /// The template's value at the field's place.
    pub fn get<'v>(&self, props: &'v Map<String, Value>) -> Option<&'v Value> {
        let mut segments = self.path.split('/');
        let mut value = props.get(segments.next()?)?;
        for segment in segments {
            value = value.get(segment)?;
        }
        Some(value)
    }

    /// As [`get`](Self::get), in a resource's `Properties` value.
    pub fn in_value<'v>(&self, props: &'v Value) -> Option<&'v Value> {
        self.get(props.as_object()?)
    }

    /// Removes the field from `props` (an edit cleared it).
    pub fn remove(&self, props: &mut Map<String, Value>) {
        match self.path.rsplit_once('/') {
            None => {
                props.shift_remove(self.path);
            }
            Some((parent, leaf)) => {
                let mut value = props.get_mut(parent.split('/').next().unwrap_or_default());
                for segment in parent.split('/').skip(1) {
                    value = value.and_then(|v| v.get_mut(segment));
                }
                if let Some(Value::Object(m)) = value {
                    m.shift_remove(leaf);
                }
            }
        }
    }
}

/// The modelled fields of one resource type.
pub(crate) struct FieldMap<P: 'static> {
    /// What a resource that sets none of the fields is: the AWS defaults,
    /// where they differ from the model's (an ECS service without placement
    /// strategies has none; the model suggests spreading over zones).
    pub unset: fn() -> P,
    /// In the order export writes them; import reads them in this order.
    pub fields: &'static [&'static Field<P>],
}

impl<P> FieldMap<P> {
    /// The typed properties of a resource whose `Properties` are `props`.
    pub fn read(&self, props: &Map<String, Value>) -> P {
        self.read_with_globals(props, None)
    }

    /// As [`read`](Self::read), falling back to SAM's `Globals.Function`
    /// for the fields SAM lets it set.
    pub fn read_with_globals(
        &self,
        props: &Map<String, Value>,
        globals: Option<&Map<String, Value>>,
    ) -> P {
        let mut p = (self.unset)();
        for f in self.fields {
            let Some(read) = f.read else { continue };
            let value = f
                .get(props)
                .or_else(|| globals.filter(|_| f.sam_global).and_then(|g| f.get(g)));
            if let Some(v) = value {
                read(&mut p, v);
            }
        }
        p
    }

    /// Writes the write-back fields whose value differs between `before`
    /// (the import's snapshot; `None`: unknown) and `now` onto the kept
    /// resource's `props`, and nothing else.
    pub fn write_back(&self, before: Option<&P>, now: &P, props: &mut Map<String, Value>) {
        for f in self.fields.iter().filter(|f| f.write_back) {
            let value = (f.write)(now);
            if before.is_some_and(|b| (f.write)(b) == value) {
                continue;
            }
            if value.is_null() {
                f.remove(props);
            } else {
                f.put_value(props, value);
            }
        }
    }
}

/// A number given as a number or a string (`"512"`).
pub(crate) fn u32_of(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A boolean given as a boolean or a string (`"true"`).
pub(crate) fn bool_of(v: &Value) -> bool {
    v.as_bool() == Some(true) || v.as_str() == Some("true")
}

/// A port given as a number or a string.
pub(crate) fn u16_of(v: &Value) -> Option<u16> {
    u32_of(v).and_then(|n| u16::try_from(n).ok())
}

/// The CloudFormation spelling of an enum value, from a table of pairs
/// that import reads the other way.
pub(crate) fn spelling<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, s)| s)
}

/// The enum value a CloudFormation spelling stands for.
pub(crate) fn parse<T: Copy>(table: &[(T, &'static str)], text: &Value) -> Option<T> {
    let text = text.as_str()?;
    table.iter().find(|(_, s)| *s == text).map(|(v, _)| *v)
}

/// Properties for `ty`, or `None` when `ty` is not a modelled resource
/// type. `logical` and `resources` let a load balancer find its
/// listeners.
pub fn read(
    ty: &str,
    p: &Map<String, Value>,
    logical: &str,
    resources: &Map<String, Value>,
) -> Option<Props> {
    read_resource(ty, p, logical, resources, None)
}

/// As [`read`], with the template's SAM `Globals.Function` (defaults for
/// every function).
pub(crate) fn read_resource(
    ty: &str,
    p: &Map<String, Value>,
    logical: &str,
    resources: &Map<String, Value>,
    globals: Option<&Map<String, Value>>,
) -> Option<Props> {
    Some(match ty {
        // SAM's Globals apply to SAM functions only.
        "AWS::Serverless::Function" => {
            let mut f = lambda::FUNCTION.read_with_globals(p, globals);
            if let Some(g) = globals {
                lambda::merge_global_environment(&mut f, p, g);
            }
            Props::LambdaFunction(lambda::normalise(f))
        }
        "AWS::Lambda::Function" => {
            Props::LambdaFunction(lambda::normalise(lambda::FUNCTION.read(p)))
        }
        "AWS::SQS::Queue" => Props::SqsQueue(messaging::QUEUE.read(p)),
        "AWS::SNS::Topic" => Props::SnsTopic(messaging::TOPIC.read(p)),
        "AWS::Kinesis::Stream" => Props::KinesisStream(messaging::STREAM.read(p)),
        "AWS::KinesisFirehose::DeliveryStream" => {
            Props::Firehose(messaging::DELIVERY_STREAM.read(p))
        }
        "AWS::S3::Bucket" => Props::S3Bucket(data_stores::BUCKET.read(p)),
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => {
            Props::DynamoDbTable(data_stores::TABLE.read(p))
        }
        "AWS::RDS::DBCluster" => Props::AuroraServerless(data_stores::AURORA.read(p)),
        "AWS::RDS::DBInstance" => Props::Rds(data_stores::RDS.read(p)),
        "AWS::Serverless::Api" | "AWS::ApiGateway::RestApi" => {
            Props::ApiGateway(api_gateway::REST_API.read(p))
        }
        "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api" => {
            Props::ApiGateway(api_gateway::HTTP_API.read(p))
        }
        "AWS::Cognito::UserPool" => Props::Cognito(cognito::USER_POOL.read(p)),
        "AWS::SecretsManager::Secret" => Props::Secret(secrets::SECRET.read(p)),
        "AWS::EC2::VPCEndpoint" => Props::VpcEndpoint(vpc_endpoint::endpoint(p)),
        "AWS::CloudFront::Distribution" => Props::CloudFront(cloudfront::DISTRIBUTION.read(p)),
        "AWS::Events::EventBus" => Props::EventBus(eventbridge::bus(p, logical, resources)),
        "AWS::Pipes::Pipe" => Props::EventBridgePipe(eventbridge::PIPE.read(p)),
        "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => {
            Props::EventBridgeRule(event_sources::RULE.read(p))
        }
        "AWS::EC2::Instance" => Props::Ec2Instance(ec2::INSTANCE.read(p)),
        "AWS::ECS::Cluster" => Props::EcsCluster(ecs::CLUSTER.read(p)),
        "AWS::ECS::Service" => Props::EcsService(ecs::SERVICE.read(p)),
        "AWS::ECS::TaskDefinition" => Props::TaskDefinition(ecs_task::TASK_DEFINITION.read(p)),
        "AWS::ECS::CapacityProvider" => Props::Ec2AutoScalingGroup(ecs::CAPACITY_PROVIDER.read(p)),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            load_balancing::load_balancer(p, logical, resources)
        }
        "AWS::ElasticLoadBalancing::LoadBalancer" => {
            Props::Clb(load_balancing::CLASSIC_LOAD_BALANCER.read(p))
        }
        "AWS::ECR::Repository" => Props::EcrRepository(ecr::REPOSITORY.read(p)),
        "AWS::EKS::Cluster" => Props::EksCluster(eks::CLUSTER.read(p)),
        "AWS::EKS::Nodegroup" => Props::EksNodeGroup(eks::NODE_GROUP.read(p)),
        "AWS::EKS::FargateProfile" => Props::EksFargateProfile(eks::FARGATE_PROFILE.read(p)),
        "AWS::IAM::Role" => Props::IamRole(iam::role(p)),
        "AWS::Serverless::StateMachine" => {
            Props::StepFunctions(step_functions::SAM_STATE_MACHINE.read(p))
        }
        "AWS::StepFunctions::StateMachine" => {
            Props::StepFunctions(step_functions::STATE_MACHINE.read(p))
        }
        _ => return None,
    })
}

#[cfg(test)]
pub(crate) mod check {
    //! Tests every family's field map: each field export writes, import
    //! reads back.

    use super::*;

    /// Export -> import of each field: every field of `sample` written
    /// into one resource's properties, read back as a whole; each field
    /// import reads gives export the same value again.
    pub fn round_trips<P>(map: &FieldMap<P>, sample: &P) {
        round_trips_of(map, sample, map.fields);
    }

    /// As [`round_trips`], writing only `fields` (those export writes
    /// together: a rule has a schedule or a pattern).
    pub fn round_trips_of<P>(map: &FieldMap<P>, sample: &P, fields: &[&Field<P>]) {
        let mut props = Map::new();
        for f in fields {
            f.put(&mut props, sample);
        }
        let back = map.read(&props);
        for f in fields.iter().filter(|f| f.read.is_some()) {
            assert_eq!(
                (f.write)(&back),
                (f.write)(sample),
                "{}: export wrote it, import read back something else",
                f.path
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field() -> Field<u32> {
        Field {
            path: "A/B",
            write: |n| json!(n),
            read: Some(|n, v| *n = u32_of(v).unwrap_or(0)),
            write_back: true,
            sam_global: false,
        }
    }

    #[test]
    fn nested_paths_are_written_in_order_and_read_and_removed() {
        let mut props = Map::new();
        props.insert("Z".into(), json!(1));
        field().put(&mut props, &7);
        assert_eq!(
            serde_json::to_string(&props).unwrap(),
            r#"{"Z":1,"A":{"B":7}}"#
        );
        assert_eq!(field().get(&props), Some(&json!(7)));
        field().remove(&mut props);
        assert_eq!(props["A"], json!({}));
    }

    /// A resource without `Properties` reads as AWS creates it, the same
    /// way as one whose properties leave the fields out (the import once
    /// gave these the model's defaults instead).
    #[test]
    fn a_resource_without_properties_is_what_aws_creates() {
        use archsim_model::component::{NetworkMode, TagMutability};
        let none = Map::new();
        let read = |ty| read_resource(ty, &none, "X", &Map::new(), None);
        let Some(Props::EcrRepository(r)) = read("AWS::ECR::Repository") else {
            panic!("a repository")
        };
        assert!(!r.scan_on_push);
        assert_eq!(r.tag_mutability, TagMutability::Mutable);
        let Some(Props::EcsService(s)) = read("AWS::ECS::Service") else {
            panic!("a service")
        };
        assert!(s.placement_strategies.is_empty());
        let Some(Props::TaskDefinition(t)) = read("AWS::ECS::TaskDefinition") else {
            panic!("a task definition")
        };
        assert_eq!(t.network_mode, NetworkMode::Bridge);
    }

    /// A SAM simple table with throughput is provisioned, like a table.
    #[test]
    fn a_simple_table_with_throughput_is_provisioned() {
        use archsim_model::component::DynamoDbBilling;
        let props = json!({"PrimaryKey": {"Name": "id", "Type": "String"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}});
        let props = props.as_object().expect("an object");
        let Some(Props::DynamoDbTable(t)) = read_resource(
            "AWS::Serverless::SimpleTable",
            props,
            "T",
            &Map::new(),
            None,
        ) else {
            panic!("a table")
        };
        assert_eq!(
            (t.billing, t.read_capacity, t.write_capacity),
            (DynamoDbBilling::Provisioned, 3, 4)
        );
    }

    /// Each field's CloudFormation name is spelled once in the crate's
    /// code: in its field map. Export and import name it through the map, so they
    /// cannot spell it differently. (Names that other, unmodelled
    /// properties share are listed with the reason.)
    #[test]
    fn every_field_name_is_spelled_only_in_its_field_map() {
        const SHARED: &[(&str, &str)] = &[
            ("Conditions", "the template's Conditions section"),
            (
                "DefinitionUri",
                "a SAM state machine's definition file, and a SAM API's OpenAPI file (not read: the import report says so)",
            ),
            (
                "Description",
                "the template's, outputs', parameters' and most resources' descriptions",
            ),
            ("Image", "the value of a function's PackageType"),
            ("Name", "tags, settings and named resources"),
            ("Port", "a target group's port (its target's)"),
            (
                "Protocol",
                "target groups, subscriptions, Classic listeners, port mappings",
            ),
            ("Schedule", "the SAM event type"),
            (
                "ServiceName",
                "CodeDeploy's ECS services and CloudWatch dimensions name an ECS service so",
            ),
            (
                "Type",
                "every resource's type, and a SAM state machine's workflow type",
            ),
            ("Version", "IAM policy documents, launch template versions"),
            (
                "Weight",
                "capacity provider strategy items, and a forward action's weighted target groups",
            ),
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).expect("src is readable") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    // The code, not its tests (which spell templates).
                    let text = std::fs::read_to_string(&p).expect("readable");
                    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    files.push(code.to_string());
                }
            }
        }
        let all = files.join("\n");
        let mut definitions: std::collections::BTreeMap<&str, usize> = Default::default();
        for line in all.lines() {
            if let Some(rest) = line.trim().strip_prefix("path: \"") {
                let name = rest.split('"').next().unwrap_or_default();
                *definitions.entry(name).or_default() += 1;
            }
        }
        assert!(
            definitions.len() > 50,
            "found {} field paths",
            definitions.len()
        );
        let mut wrong = Vec::new();
        for (name, defined) in &definitions {
            if SHARED.iter().any(|(n, _)| n == name) {
                continue;
            }
            let spelled = all.matches(&format!("\"{name}\"")).count();
            if spelled != *defined {
                wrong.push(format!(
                    "{name}: spelled {spelled} times, {defined} in field maps"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
