//! Data stores: DynamoDB tables, Aurora Serverless v2 clusters, RDS
//! instances (with their subnet and security groups) and S3 buckets
//! (with fixed names where a notification would make a cycle).

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Map, Value, json};

use super::event_sources::s3_filter;
use super::*;
use crate::names::kebab;

impl<'a> Ctx<'a> {
    pub(super) fn table(&mut self, id: &str, p: &DynamoDbTableProps) {
        let mut attrs = vec![json!({"AttributeName": p.partition_key, "AttributeType": "S"})];
        let mut keys = vec![json!({"AttributeName": p.partition_key, "KeyType": "HASH"})];
        if !p.sort_key.is_empty() {
            attrs.push(json!({"AttributeName": p.sort_key, "AttributeType": "S"}));
            keys.push(json!({"AttributeName": p.sort_key, "KeyType": "RANGE"}));
        }
        let mut props = json!({"AttributeDefinitions": attrs, "KeySchema": keys});
        match p.billing {
            DynamoDbBilling::OnDemand => props["BillingMode"] = json!("PAY_PER_REQUEST"),
            DynamoDbBilling::Provisioned => {
                props["BillingMode"] = json!("PROVISIONED");
                props["ProvisionedThroughput"] = json!({"ReadCapacityUnits": p.read_capacity, "WriteCapacityUnits": p.write_capacity});
            }
        }
        if let Some(view) = p.stream {
            props["StreamSpecification"] = json!({"StreamViewType": view});
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::DynamoDB::Table", "Properties": props}),
        );
    }

    pub(super) fn aurora(&mut self, c: &Component, id: &str, p: &AuroraServerlessProps) {
        self.database_network(c, id);
        let engine = engine_name(p.engine, true);
        self.add(
            id.into(),
            json!({"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": {
                "Engine": engine,
                "ServerlessV2ScalingConfiguration": {"MinCapacity": p.min_acu, "MaxCapacity": p.max_acu},
                "MasterUsername": "dbadmin",
                "ManageMasterUserPassword": true,
                "EnableHttpEndpoint": true,
                "StorageEncrypted": true,
                "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
                "VpcSecurityGroupIds": [r(&format!("{id}SecurityGroup"))]}}),
        );
        self.add(
            format!("{id}Instance"),
            json!({"Type": "AWS::RDS::DBInstance", "Properties": {
                "DBClusterIdentifier": r(id), "DBInstanceClass": "db.serverless", "Engine": engine}}),
        );
    }

    pub(super) fn rds(&mut self, c: &Component, id: &str, p: &RdsProps) {
        self.database_network(c, id);
        self.add(
            id.into(),
            json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot", "Properties": {
                "Engine": engine_name(p.engine, false),
                "DBInstanceClass": p.instance_class,
                "AllocatedStorage": p.storage_gb.to_string(),
                "MultiAZ": p.multi_az,
                "MasterUsername": "dbadmin",
                "ManageMasterUserPassword": true,
                "StorageEncrypted": true,
                "DBSubnetGroupName": r(&format!("{id}SubnetGroup")),
                "VPCSecurityGroups": [r(&format!("{id}SecurityGroup"))]}}),
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

    /// Buckets that notify a function get a fixed name, so the function's
    /// policy can name the bucket without a circular dependency.
    pub(super) fn bucket_notifies_function(&self, bucket: &str) -> bool {
        self.d.outgoing(bucket).iter().any(|(conn, to)| {
            to.kind() == K::LambdaFunction && matches!(conn.kind, ConnectionKind::Invoke { .. })
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

    pub(super) fn bucket_name(&self, c: &Component) -> Option<Value> {
        self.bucket_notifies_function(&c.id)
            .then(|| json!({"Fn::Join": ["-", self.fixed_bucket_name_parts(c)]}))
    }

    pub(super) fn fixed_bucket_arn(&self, c: &Component, suffix: &str) -> Value {
        let mut parts = vec![json!("arn:"), r("AWS::Partition"), json!(":s3:::")];
        for (i, part) in self.fixed_bucket_name_parts(c).into_iter().enumerate() {
            if i > 0 {
                parts.push(json!("-"));
            }
            parts.push(part);
        }
        if !suffix.is_empty() {
            parts.push(json!(suffix));
        }
        json!({"Fn::Join": ["", parts]})
    }

    pub(super) fn bucket_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies_function(&c.id) {
            true => self.fixed_bucket_arn(c, ""),
            false => ga(&self.id(&c.id), "Arn"),
        }
    }

    pub(super) fn bucket_objects_arn(&self, c: &Component) -> Value {
        match self.bucket_notifies_function(&c.id) {
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
            props.insert(
                "VersioningConfiguration".into(),
                json!({"Status": "Enabled"}),
            );
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
                        let mut cfg = json!({"Event": event, "Function": ga(&f, "Arn")});
                        if let Some(filter) = s3_filter(p) {
                            cfg["Filter"] = filter;
                        }
                        configs.push(cfg);
                    }
                }
            }
            if !configs.is_empty() {
                props.insert(
                    "NotificationConfiguration".into(),
                    json!({"LambdaConfigurations": configs}),
                );
            }
        }
        let mut res = json!({"Type": "AWS::S3::Bucket"});
        if !depends.is_empty() {
            res["DependsOn"] = Value::Array(depends);
        }
        res["Properties"] = Value::Object(props);
        self.add(id.into(), res);
    }
}

pub(super) fn engine_name(
    e: archsim_model::component::DatabaseEngine,
    aurora: bool,
) -> &'static str {
    use archsim_model::component::DatabaseEngine as E;
    match (e, aurora) {
        (E::AuroraPostgresql | E::Postgres, true) => "aurora-postgresql",
        (E::AuroraMysql | E::Mysql, true) => "aurora-mysql",
        (E::AuroraPostgresql | E::Postgres, false) => "postgres",
        (E::AuroraMysql | E::Mysql, false) => "mysql",
    }
}
