//! Data stores: DynamoDB tables, Aurora Serverless v2 clusters, RDS
//! instances (with their subnet and security groups) and S3 buckets
//! (with fixed names where a notification would make a cycle).

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind, Props};
use serde_json::{Map, Value, json};

use super::*;
use crate::names::kebab;
use crate::properties::data_stores;

impl<'a> Ctx<'a> {
    pub(super) fn table(&mut self, id: &str, p: &DynamoDbTableProps) {
        let mut props = Map::new();
        data_stores::ATTRIBUTE_DEFINITIONS.put(&mut props, p);
        data_stores::KEY_SCHEMA.put(&mut props, p);
        data_stores::BILLING_MODE.put(&mut props, p);
        if p.billing == DynamoDbBilling::Provisioned {
            data_stores::PROVISIONED_THROUGHPUT.put(&mut props, p);
            data_stores::READ_CAPACITY.put(&mut props, p);
            data_stores::WRITE_CAPACITY.put(&mut props, p);
        }
        if p.stream.is_some() {
            data_stores::STREAM_VIEW.put(&mut props, p);
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::DynamoDB::Table", "Properties": props}),
        );
        if p.billing == DynamoDbBilling::Provisioned {
            for (write, scaling) in [(false, &p.read_scaling), (true, &p.write_scaling)] {
                if let Some(s) = scaling {
                    self.table_scaling(id, write, s);
                }
            }
        }
    }

    /// A table's read or write auto scaling: a scalable target (Application
    /// Auto Scaling's service-linked role for DynamoDB, which it creates
    /// when the target is registered) and a target tracking policy.
    fn table_scaling(&mut self, id: &str, write: bool, s: &CapacityScaling) {
        let what = if write { "Write" } else { "Read" };
        let target = format!("{id}{what}ScalableTarget");
        let mut props = Map::new();
        data_stores::SCALING_MAX.put(&mut props, s);
        data_stores::SCALING_MIN.put(&mut props, s);
        props.extend(object(json!({
            "ResourceId": sub(&format!("table/${{{id}}}")),
            "ScalableDimension": data_stores::scaling_dimension(write),
            "ServiceNamespace": data_stores::SCALING_NAMESPACE})));
        self.add(
            target.clone(),
            json!({"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": props}),
        );
        let mut policy = object(json!({
            "PolicyName": format!("{}-{}-utilization", kebab(id), what.to_lowercase()),
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": r(&target)}));
        policy.insert(
            "TargetTrackingScalingPolicyConfiguration".into(),
            json!({"PredefinedMetricSpecification": {
                "PredefinedMetricType": data_stores::scaling_metric(write)}}),
        );
        data_stores::SCALING_TARGET.put(&mut policy, s);
        self.add(
            format!("{id}{what}ScalingPolicy"),
            json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": policy}),
        );
    }

    pub(super) fn aurora(&mut self, c: &Component, id: &str, p: &AuroraServerlessProps) {
        self.database_network(c, id);
        let mut props = Map::new();
        data_stores::AURORA_ENGINE.put(&mut props, p);
        data_stores::MIN_ACU.put(&mut props, p);
        data_stores::MAX_ACU.put(&mut props, p);
        props.extend(object(json!({
            "MasterUsername": "dbadmin",
            "ManageMasterUserPassword": true,
            "EnableHttpEndpoint": true,
            "StorageEncrypted": true,
            "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
            "VpcSecurityGroupIds": [r(&format!("{id}SecurityGroup"))]})));
        self.add(
            id.into(),
            json!({"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": props}),
        );
        // Its one instance: capacity comes from the cluster's scaling.
        let mut instance = object(json!({"DBClusterIdentifier": r(id)}));
        data_stores::INSTANCE_CLASS.put_value(&mut instance, json!("db.serverless"));
        data_stores::AURORA_ENGINE.put(&mut instance, p);
        self.add(
            format!("{id}Instance"),
            json!({"Type": "AWS::RDS::DBInstance", "Properties": instance}),
        );
    }

    pub(super) fn rds(&mut self, c: &Component, id: &str, p: &RdsProps) {
        self.database_network(c, id);
        let mut props = Map::new();
        data_stores::RDS_ENGINE.put(&mut props, p);
        data_stores::INSTANCE_CLASS.put(&mut props, p);
        data_stores::STORAGE.put(&mut props, p);
        data_stores::MULTI_AZ.put(&mut props, p);
        props.extend(object(json!({
            "MasterUsername": "dbadmin",
            "ManageMasterUserPassword": true,
            "StorageEncrypted": true,
            "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
            "VPCSecurityGroups": [r(&format!("{id}SecurityGroup"))]})));
        self.add(
            id.into(),
            json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": props}),
        );
    }

    /// A database's subnet group (private subnets) and security group. The
    /// security group admits nothing: Lambda reaches Aurora through the Data
    /// API, and other clients are added by the user who knows their network.
    pub(super) fn database_network(&mut self, c: &Component, id: &str) {
        self.add(
            format!("{id}SubnetGroup"),
            json!({"Type": "AWS::RDS::DBSubnetGroup", "Properties": {
                "DBSubnetGroupDescription": format!("Private subnets of {}", c.name),
                "SubnetIds": self.subnets(false)}}),
        );
        self.add(
            format!("{id}SecurityGroup"),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Database {}", c.name), "VpcId": self.vpc_id()}}),
        );
    }

    /// Buckets that notify a function, queue or topic get a fixed name,
    /// so the permission or policy that lets the bucket notify (which the
    /// bucket waits for) can name it without a circular dependency.
    pub(super) fn bucket_notifies(&self, bucket: &str) -> bool {
        self.d.outgoing(bucket).iter().any(|(conn, to)| {
            (to.kind() == K::LambdaFunction && matches!(conn.kind, ConnectionKind::Invoke { .. }))
                || (matches!(to.kind(), K::SqsQueue | K::SnsTopic)
                    && matches!(conn.kind, ConnectionKind::Publishes))
        })
    }

    /// `<name>-<account>-<stack id suffix>`: unique per stack, always
    /// lowercase (a stack name may not be), at most 63 characters.
    pub(super) fn fixed_bucket_name_parts(&self, c: &Component) -> Vec<Value> {
        let mut name = kebab(&c.name);
        name.truncate(24);
        let name = name.trim_end_matches('-').to_string();
        vec![
            json!(name),
            r("AWS::AccountId"),
            json!({"Fn::Select": [4, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", r("AWS::StackId")]}]}]}]}),
        ]
    }

    fn fixed_bucket_name(&self, c: &Component) -> Value {
        json!({"Fn::Join": ["-", self.fixed_bucket_name_parts(c)]})
    }

    pub(super) fn bucket_name(&self, c: &Component) -> Option<Value> {
        self.bucket_notifies(&c.id)
            .then(|| self.fixed_bucket_name(c))
    }

    pub(super) fn fixed_bucket_arn(&self, c: &Component, suffix: &str) -> Value {
        data_stores::joined_bucket_arn(&self.fixed_bucket_name(c), suffix)
            .expect("a fixed bucket name is a Fn::Join")
    }

    pub(super) fn bucket_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies(&c.id) {
            true => self.fixed_bucket_arn(c, ""),
            false => ga(&self.id(&c.id), "Arn"),
        }
    }

    pub(super) fn bucket_objects_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies(&c.id) {
            true => self.fixed_bucket_arn(c, "/*"),
            false => sub(&format!("${{{}.Arn}}/*", self.id(&c.id))),
        }
    }

    pub(super) fn bucket(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::S3BucketProps,
    ) {
        let mut props = Map::new();
        if let Some(name) = self.bucket_name(c) {
            props.insert("BucketName".into(), name);
        }
        if p.versioning {
            data_stores::VERSIONING.put(&mut props, p);
        }
        props.insert(
            "PublicAccessBlockConfiguration".into(),
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}),
        );
        props.insert(
            "BucketEncryption".into(),
            json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}),
        );
        let mut depends = Vec::new();
        if !self.sam() {
            let mut configs = Vec::new();
            for (conn, to) in self.d.outgoing(&c.id) {
                if to.kind() == K::LambdaFunction
                    && matches!(conn.kind, ConnectionKind::Invoke { .. })
                {
                    let f = self.id(&to.id);
                    let perm = format!("{f}{id}Permission");
                    self.add(
                        perm.clone(),
                        json!({"Type": "AWS::Lambda::Permission", "Properties": {
                            "FunctionName": ga(&f, "Arn"), "Action": "lambda:InvokeFunction",
                            "Principal": "s3.amazonaws.com", "SourceAccount": r("AWS::AccountId"),
                            "SourceArn": self.bucket_arn(c)}}),
                    );
                    depends.push(json!(perm));
                    for event in &p.events {
                        configs.push(data_stores::lambda_configuration(p, event, ga(&f, "Arn")));
                    }
                }
            }
            if !configs.is_empty() {
                data_stores::NOTIFICATIONS.put_value(&mut props, Value::Array(configs));
            }
        }
        // Notifications to queues and topics (in both flavours: SAM adds a
        // function's S3 event beside them): each destination's policy lets
        // this bucket, and only it, send, and the bucket waits for it (S3
        // checks the permission when the notification is configured; S3
        // User Guide, "Granting permissions to publish event notification
        // messages to a destination").
        let (mut queues, mut topics) = (Vec::new(), Vec::new());
        let mut eventbridge = false;
        for (conn, to) in self.d.outgoing(&c.id) {
            if !matches!(conn.kind, ConnectionKind::Publishes) {
                continue;
            }
            let tid = self.id(&to.id);
            let queue = to.kind() == K::SqsQueue;
            // To a rule: the bucket sends its events to the default bus
            // (S3 User Guide, "Using EventBridge"), where the rule's
            // pattern must match them.
            if let Props::EventBridgeRule(rule) = &to.props {
                if archsim_model::validate::rule_receives_s3_events(self.d, to) {
                    eventbridge = true;
                } else {
                    self.notes.push(format!(
                        "{} -> {}: a bucket's events reach the default event bus, where this rule's {} does not match them; give the rule a pattern with \"source\": [\"aws.s3\"] on the default bus",
                        c.name,
                        to.name,
                        if rule.event_pattern.is_empty() { "schedule" } else { "pattern" }
                    ));
                }
            }
            if !queue && to.kind() != K::SnsTopic {
                continue;
            }
            let (action, resource, list, target) = if queue {
                ("sqs:SendMessage", ga(&tid, "Arn"), &mut queues, "Queue")
            } else {
                ("sns:Publish", r(&tid), &mut topics, "Topic")
            };
            for event in &p.events {
                list.push(data_stores::notification(
                    p,
                    event,
                    target,
                    resource.clone(),
                ));
            }
            let document = json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                "Action": action, "Resource": resource,
                "Condition": {"ArnEquals": {"aws:SourceArn": self.bucket_arn(c)},
                    "StringEquals": {"aws:SourceAccount": r("AWS::AccountId")}}}]});
            let policy = format!("{tid}From{id}Policy");
            let resource = if queue {
                json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                    "Queues": [r(&tid)], "PolicyDocument": document}})
            } else {
                json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {
                    "Topics": [r(&tid)], "PolicyDocument": document}})
            };
            self.add(policy.clone(), resource);
            depends.push(json!(policy));
        }
        if !queues.is_empty() {
            data_stores::QUEUE_NOTIFICATIONS.put_value(&mut props, Value::Array(queues));
        }
        if !topics.is_empty() {
            data_stores::TOPIC_NOTIFICATIONS.put_value(&mut props, Value::Array(topics));
        }
        if eventbridge {
            data_stores::EVENTBRIDGE_NOTIFICATIONS.put(&mut props, p);
        }
        let mut res = json!({"Type": "AWS::S3::Bucket"});
        if !depends.is_empty() {
            res["DependsOn"] = Value::Array(depends);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
    }
}
