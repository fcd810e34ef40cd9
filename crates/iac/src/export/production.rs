//! The production profile (issue #18): what an export adds around the
//! design's own resources so that a security scanner (checkov) passes the
//! stack, and the reason, on the resource, for every check that does not
//! apply.
//!
//! It runs once, after every component has written its resources, over
//! the resources by type, so the family files stay the sandbox profile's
//! (the minimal stack) and this file is the whole difference:
//!
//! - one customer-managed KMS key per stack ([`STACK_KEY`], rotated; its
//!   policy lets the account administer it, the stack's roles use it
//!   through the services of the resources it encrypts only, and the AWS
//!   services that write into the stack's encrypted resources encrypt for
//!   them) for SQS, SNS, Kinesis, DynamoDB, S3, ECR, log
//!   groups, EKS secrets and Lambda environment variables; each role that
//!   reads or writes an encrypted resource is granted the key;
//! - a log bucket ([`LOG_BUCKET`], SSE-S3 as ALB and S3 access logs
//!   require, versioned, logs expire after [`LOG_DAYS`] days) with its
//!   policy, receiving the load balancers' and buckets' access logs; APIs
//!   log to encrypted log groups;
//! - HTTPS listeners (an ACM certificate parameter per load balancer, a
//!   TLS 1.3/1.2 policy), HTTP redirected to HTTPS, invalid headers
//!   dropped;
//! - point-in-time recovery on tables, versioned TLS-only buckets,
//!   descriptions on security group rules, Container Insights;
//! - checkov skip metadata with a one-line reason for each check that
//!   does not apply to what the design says.

use archsim_model::component::EcsClusterProps;
use serde_json::{Map, Value, json};

use super::*;
use crate::properties::{api_gateway, data_stores, ecs, lambda, load_balancing};

/// The stack's customer-managed KMS key.
pub const STACK_KEY: &str = "StackKey";
/// The bucket that receives access logs.
pub const LOG_BUCKET: &str = "AccessLogBucket";
/// Its bucket policy.
pub const LOG_BUCKET_POLICY: &str = "AccessLogBucketPolicy";
/// The role API Gateway writes REST APIs' access logs with (an account
/// setting: `AWS::ApiGateway::Account`).
pub const API_LOG_ROLE: &str = "ApiGatewayLogRole";
pub const API_ACCOUNT: &str = "ApiGatewayAccount";
/// The mapping of regions to the Elastic Load Balancing account that
/// writes access logs (regions opened before August 2022).
pub const ELB_ACCOUNTS: &str = "ElbLogDeliveryAccount";
/// Days access logs are kept in the log bucket and API log groups (the
/// design's own log groups keep the retention the design gives them).
pub const LOG_DAYS: u32 = 365;
/// The TLS policy of HTTPS listeners: TLS 1.3 and 1.2 only.
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The resources the profile adds that are not any component's: import
/// reads them back as the profile, not as components.
pub const PROFILE_RESOURCES: &[&str] = &[
    STACK_KEY,
    LOG_BUCKET,
    LOG_BUCKET_POLICY,
    API_LOG_ROLE,
    API_ACCOUNT,
];

/// The Elastic Load Balancing log delivery accounts (AWS: "Enable access
/// logs for your Application Load Balancer", regions available before
/// August 2022), for the regions archsim prices and their neighbours.
const ELB_LOG_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("ca-central-1", "985666609251"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-south-1", "718504428378"),
    ("sa-east-1", "507241528517"),
];

/// Adds one checkov skip with its reason to a resource's metadata.
pub(super) fn skip(resource: &mut Value, check: &str, reason: &str) {
    let Some(res) = resource.as_object_mut() else {
        return;
    };
    let meta = res
        .entry("Metadata")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(meta) = meta else { return };
    let checkov = meta.entry("checkov").or_insert_with(|| json!({"skip": []}));
    if let Some(list) = checkov.get_mut("skip").and_then(Value::as_array_mut)
        && !list.iter().any(|s| s["id"] == check)
    {
        list.push(json!({"id": check, "comment": reason}));
    }
}

/// Logical ids a value names through `Ref`, `Fn::GetAtt` or `${}` in
/// `Fn::Sub`.
fn names(v: &Value, out: &mut BTreeSet<String>) {
    crate::template::names(v, false, out);
}

/// Replaces every reference to `from` (Ref, GetAtt, `${from}`) by `to`.
fn rename_refs(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(m) => {
            if m.get("Ref").and_then(Value::as_str) == Some(from) {
                m.insert("Ref".into(), json!(to));
            }
            if let Some(Value::Array(a)) = m.get_mut("Fn::GetAtt")
                && a.first().and_then(Value::as_str) == Some(from)
            {
                a[0] = json!(to);
            }
            if let Some(Value::String(s)) = m.get_mut("Fn::Sub") {
                *s = s
                    .replace(&format!("${{{from}}}"), &format!("${{{to}}}"))
                    .replace(&format!("${{{from}."), &format!("${{{to}."));
            }
            for x in m.values_mut() {
                rename_refs(x, from, to);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, from, to)),
        _ => {}
    }
}

fn props_mut(res: &mut Value) -> &mut Map<String, Value> {
    if !res.get("Properties").is_some_and(Value::is_object) {
        res["Properties"] = json!({});
    }
    res["Properties"].as_object_mut().expect("an object")
}

fn key_arn() -> Value {
    ga(STACK_KEY, "Arn")
}

/// Types whose data the stack key encrypts (readers and writers need it).
const ENCRYPTED: &[&str] = &[
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Kinesis::Stream",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
];

impl Ctx<'_> {
    /// Hardens the written resources for production. Runs after every
    /// component has been written.
    pub(super) fn production(&mut self) {
        let types: BTreeMap<String, String> = self
            .resources
            .iter()
            .map(|(id, r)| {
                (
                    id.clone(),
                    r["Type"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let of_type = |t: &str| -> Vec<String> {
            types
                .iter()
                .filter(|(_, ty)| ty.as_str() == t)
                .map(|(id, _)| id.clone())
                .collect()
        };
        let mut needs_key = false;
        let mut needs_log_bucket = false;
        let mut logs_key = false;
        let mut services: BTreeSet<&str> = BTreeSet::new();

        // Load balancers: listeners first (they may be renamed).
        let albs: BTreeSet<String> = of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
            .into_iter()
            .filter(|id| {
                self.resources[id]["Properties"]["Type"]
                    .as_str()
                    .is_none_or(|t| t == "application")
            })
            .collect();
        for listener in of_type("AWS::ElasticLoadBalancingV2::Listener") {
            self.listener(&listener, &albs);
        }
        for lb in of_type("AWS::ElasticLoadBalancingV2::LoadBalancer") {
            let alb = albs.contains(&lb);
            let tls = self.resources.values().any(|r| {
                r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
                    && r["Properties"]["LoadBalancerArn"] == ref_to(&lb)
                    && r["Properties"]["Protocol"] == "TLS"
            });
            let res = self.resources.get_mut(&lb).expect("listed");
            let mut attributes = vec![];
            if alb {
                attributes.push(json!({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}));
            }
            if alb || tls {
                needs_log_bucket = true;
                attributes.push(json!({"Key": "access_logs.s3.enabled", "Value": "true"}));
                attributes.push(json!({"Key": "access_logs.s3.bucket", "Value": r(LOG_BUCKET)}));
                attributes.push(json!({"Key": "access_logs.s3.prefix", "Value": lb.clone()}));
                depends_on(res, LOG_BUCKET_POLICY);
            } else {
                skip(
                    res,
                    "CKV_AWS_91",
                    "NLB access logs record TLS listeners only; this load balancer has none",
                );
            }
            // The load balancer's attributes: the design's (idle timeout or
            // cross-zone) and the profile's.
            let props = props_mut(res);
            let mut list = load_balancing::IDLE_TIMEOUT
                .get(props)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            list.extend(attributes);
            load_balancing::IDLE_TIMEOUT.put_value(props, Value::Array(list));
            skip(
                res,
                "CKV_AWS_150",
                "deletion protection would block deleting the stack; protect it with a stack policy or termination protection instead",
            );
        }
        for sg in of_type("AWS::EC2::SecurityGroup") {
            self.describe_rules(&sg);
        }
        for sg in of_type("AWS::EC2::SecurityGroupIngress") {
            let res = self.resources.get_mut(&sg).expect("listed");
            let p = props_mut(res);
            if !p.contains_key("Description") {
                let port = p.get("FromPort").cloned().unwrap_or(json!("all"));
                p.insert(
                    "Description".into(),
                    json!(format!(
                        "Allows port {} from the source security group",
                        port_text(&port)
                    )),
                );
            }
        }

        // Data stores and messaging: the stack key.
        for id in of_type("AWS::SQS::Queue") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert("KmsMasterKeyId".into(), r(STACK_KEY));
        }
        for id in of_type("AWS::SNS::Topic") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert("KmsMasterKeyId".into(), r(STACK_KEY));
        }
        for id in of_type("AWS::Kinesis::Stream") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert(
                "StreamEncryption".into(),
                json!({"EncryptionType": "KMS", "KeyId": r(STACK_KEY)}),
            );
        }
        for id in of_type("AWS::DynamoDB::Table") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            let p = props_mut(res);
            p.insert(
                "PointInTimeRecoverySpecification".into(),
                json!({"PointInTimeRecoveryEnabled": true}),
            );
            p.insert(
                "SSESpecification".into(),
                json!({"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": r(STACK_KEY)}),
            );
        }
        for id in of_type("AWS::SecretsManager::Secret") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert("KmsKeyId".into(), r(STACK_KEY));
            skip(
                res,
                "CKV2_AWS_57",
                "rotation needs a rotation function for what the secret holds, which archsim does not write: add a RotationSchedule where the secret's user supports rotation",
            );
        }
        for id in of_type("AWS::ECR::Repository") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert(
                "EncryptionConfiguration".into(),
                json!({"EncryptionType": "KMS", "KmsKey": key_arn()}),
            );
        }
        for id in of_type("AWS::Logs::LogGroup") {
            needs_key = true;
            logs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            let p = props_mut(res);
            p.insert("KmsKeyId".into(), key_arn());
        }
        for id in of_type("AWS::ECS::Cluster") {
            let res = self.resources.get_mut(&id).expect("listed");
            ecs::CONTAINER_INSIGHTS.put(
                props_mut(res),
                &EcsClusterProps {
                    container_insights: true,
                },
            );
        }
        for id in of_type("AWS::EKS::Cluster") {
            needs_key = true;
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert(
                "EncryptionConfig".into(),
                json!([{"Provider": {"KeyArn": key_arn()}, "Resources": ["secrets"]}]),
            );
        }
        for id in of_type("AWS::S3::Bucket") {
            needs_key = true;
            needs_log_bucket = true;
            services.insert("s3.amazonaws.com");
            self.harden_bucket(&id);
        }
        for id in of_type("AWS::CloudFront::Distribution") {
            services.insert("cloudfront.amazonaws.com");
            let res = self.resources.get_mut(&id).expect("listed");
            // A load balancer origin answers on HTTPS only (port 80
            // redirects): CloudFront must reach it over HTTPS, and the
            // certificate must name the domain CloudFront asks for.
            let mut https_origins = Vec::new();
            let origins = res["Properties"]["DistributionConfig"]["Origins"].as_array_mut();
            for origin in origins.into_iter().flatten() {
                let lb = origin["DomainName"]["Fn::GetAtt"][0]
                    .as_str()
                    .map(str::to_string);
                if let Some(lb) = lb.filter(|lb| albs.contains(lb)) {
                    origin["CustomOriginConfig"]["OriginProtocolPolicy"] = json!("https-only");
                    https_origins.push(lb);
                }
            }
            for lb in https_origins {
                self.notes.push(format!(
                    "{id}: reaches load balancer {lb} over HTTPS (production profile); its certificate must cover the domain name the origin uses"
                ));
            }
            let res = self.resources.get_mut(&id).expect("listed");
            skip(
                res,
                "CKV_AWS_174",
                "the distribution serves CloudFront's default certificate, whose TLS policy AWS sets; a custom domain's certificate takes TLSv1.2_2021",
            );
            skip(
                res,
                "CKV_AWS_68",
                "the design puts no web ACL in front of the distribution; WAF is billed per web ACL and rule",
            );
            skip(
                res,
                "CKV_AWS_86",
                "CloudFront standard logs need a bucket with ACLs enabled; the stack's log bucket keeps ACLs off",
            );
        }
        for id in of_type("AWS::ElasticLoadBalancing::LoadBalancer") {
            needs_log_bucket = true;
            let res = self.resources.get_mut(&id).expect("listed");
            depends_on(res, LOG_BUCKET_POLICY);
            props_mut(res).insert(
                "AccessLoggingPolicy".into(),
                json!({"Enabled": true, "EmitInterval": 60, "S3BucketName": r(LOG_BUCKET), "S3BucketPrefix": id}),
            );
        }
        for id in of_type("AWS::RDS::DBCluster") {
            let res = self.resources.get_mut(&id).expect("listed");
            props_mut(res).insert("EnableIAMDatabaseAuthentication".into(), json!(true));
        }
        for id in of_type("AWS::RDS::DBInstance") {
            let res = self.resources.get_mut(&id).expect("listed");
            let p = props_mut(res);
            let in_cluster = p.contains_key("DBClusterIdentifier");
            let multi_az = data_stores::MULTI_AZ.get(p) == Some(&json!(true));
            if !in_cluster {
                p.insert("EnableIAMDatabaseAuthentication".into(), json!(true));
            }
            skip(
                res,
                "CKV_AWS_118",
                "enhanced monitoring (OS metrics into CloudWatch Logs, billed) is not asked for by the design; Performance Insights and CloudWatch metrics remain",
            );
            if !in_cluster && !multi_az {
                skip(
                    res,
                    "CKV_AWS_157",
                    "the design runs this instance in one Availability Zone; turn on Multi-AZ in the design for a standby",
                );
            }
        }
        for id in of_type("AWS::Lambda::Permission") {
            let res = self.resources.get_mut(&id).expect("listed");
            if res["Properties"]["Principal"] == "elasticloadbalancing.amazonaws.com" {
                skip(
                    res,
                    "CKV_AWS_364",
                    "the target group that invokes the function depends on this permission, so naming it as the source would be a circular dependency",
                );
            }
        }
        if !of_type("AWS::SNS::Subscription").is_empty() || !of_type("AWS::SNS::Topic").is_empty() {
            services.insert("sns.amazonaws.com");
        }
        if !of_type("AWS::Events::Rule").is_empty() {
            services.insert("events.amazonaws.com");
        }

        // APIs: access logs to encrypted log groups.
        let mut rest_logs = false;
        for (stage, api, v2) in self.api_stages(&types) {
            needs_key = true;
            logs_key = true;
            rest_logs |= !v2;
            let group = format!("{api}AccessLogs");
            self.add(
                group.clone(),
                json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                    "KmsKeyId": key_arn(), "RetentionInDays": LOG_DAYS}}),
            );
            let format = "$context.requestId $context.identity.sourceIp $context.httpMethod $context.path $context.status $context.responseLength $context.requestTime";
            let res = self.resources.get_mut(&stage).expect("listed");
            let p = props_mut(res);
            if v2 {
                p.insert(
                    "AccessLogSettings".into(),
                    json!({"DestinationArn": ga(&group, "Arn"), "Format": format}),
                );
            } else {
                p.insert(
                    "AccessLogSetting".into(),
                    json!({"DestinationArn": ga(&group, "Arn"), "Format": format}),
                );
            }
            if !v2 {
                skip(
                    res,
                    "CKV_AWS_120",
                    "no response cache: the design caches nothing, and a cache cluster is billed by the hour",
                );
                let traced =
                    api_gateway::TRACING.in_value(&res["Properties"]) == Some(&json!(true));
                if !traced {
                    skip(
                        res,
                        "CKV_AWS_73",
                        "X-Ray tracing is off in the design (traces are billed); turn on the API's tracing for it",
                    );
                }
            }
        }
        if rest_logs {
            self.api_account();
        }

        // Functions.
        for id in of_type("AWS::Lambda::Function")
            .into_iter()
            .chain(of_type("AWS::Serverless::Function"))
        {
            self.harden_function(&id);
            needs_key = true;
        }

        if needs_log_bucket {
            self.log_bucket();
        }
        if needs_key {
            self.grant_key_to_roles();
            self.stack_key(logs_key, &services);
        }
    }

    /// A load balancer listener: HTTPS with the certificate parameter and
    /// the TLS policy; plain HTTP on port 80 becomes a redirect beside an
    /// HTTPS listener on 443 that takes its actions and rules.
    fn listener(&mut self, id: &str, albs: &BTreeSet<String>) {
        let res = &self.resources[id];
        let Some(lb) = res["Properties"]["LoadBalancerArn"]["Ref"]
            .as_str()
            .map(str::to_string)
        else {
            return;
        };
        let protocol = res["Properties"]["Protocol"]
            .as_str()
            .unwrap_or("HTTP")
            .to_string();
        if !albs.contains(&lb) {
            return;
        }
        let cert = format!("{lb}CertificateArn");
        if !self.params.contains_key(&cert) {
            let mut spec = json!({"Type": "String", "Description": format!("ACM certificate (ARN) for the HTTPS listeners of {lb}"),
                "AllowedPattern": "^arn:aws[a-z-]*:acm:.+$",
                "ConstraintDescription": "the ARN of an ACM certificate"});
            // The design's certificate, when it names one.
            let named = self.d.components().find_map(|c| match &c.props {
                Props::Alb(p) if self.id(&c.id) == lb && !p.certificate_arn.trim().is_empty() => {
                    Some(p.certificate_arn.trim().to_string())
                }
                _ => None,
            });
            if let Some(arn) = named {
                spec["Default"] = json!(arn);
            }
            self.params.insert(cert.clone(), spec);
        }
        if protocol == "HTTPS" {
            let p = props_mut(self.resources.get_mut(id).expect("exists"));
            p.insert("SslPolicy".into(), json!(TLS_POLICY));
            return;
        }
        let port = res["Properties"]["Port"].as_u64().unwrap_or(80);
        let https_id = format!("{lb}Listener443");
        let (new_id, new_port) = if port == 80 && !self.resources.contains_key(&https_id) {
            (https_id, 443)
        } else {
            // Port 443 is the design's own listener, or the design listens
            // on another port: this one serves HTTPS where it is, with its
            // rules, and nothing redirects to it.
            self.notes.push(format!(
                "{id}: serves HTTPS on port {port} (production profile), where the design has plain HTTP"
            ));
            (id.to_string(), port)
        };
        let mut listener = self.resources.shift_remove(id).expect("exists");
        {
            let p = props_mut(&mut listener);
            p.insert("Port".into(), json!(new_port));
            p.insert("Protocol".into(), json!("HTTPS"));
            p.insert("Certificates".into(), json!([{"CertificateArn": r(&cert)}]));
            p.insert("SslPolicy".into(), json!(TLS_POLICY));
        }
        if new_id != id {
            for r in self.resources.values_mut() {
                rename_refs(r, id, &new_id);
            }
            for o in self.outputs.values_mut() {
                rename_refs(o, id, &new_id);
            }
            self.resources.insert(new_id.clone(), listener);
            self.resources.insert(
                id.to_string(),
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                    "LoadBalancerArn": r(&lb), "Port": 80, "Protocol": "HTTP",
                    "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
                        "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}}),
            );
            skip(
                self.resources.get_mut(id).expect("added"),
                "CKV_AWS_2",
                "port 80 only redirects to HTTPS on 443",
            );
            skip(
                self.resources.get_mut(id).expect("added"),
                "CKV_AWS_103",
                "port 80 only redirects to HTTPS on 443; no TLS to negotiate",
            );
            // The load balancer's security group opens 443 for the 80 it had.
            let sg = format!("{lb}SecurityGroup");
            if let Some(rules) = self
                .resources
                .get_mut(&sg)
                .and_then(|r| r["Properties"]["SecurityGroupIngress"].as_array_mut())
            {
                let mut https: Vec<Value> = rules
                    .iter()
                    .filter(|r| r["FromPort"] == json!(80))
                    .map(|r| {
                        let mut r = r.clone();
                        r["FromPort"] = json!(443);
                        r["ToPort"] = json!(443);
                        r
                    })
                    .collect();
                rules.append(&mut https);
            }
        } else {
            self.resources.insert(new_id, listener);
        }
    }

    /// Every rule of a security group says what it allows.
    fn describe_rules(&mut self, id: &str) {
        let res = self.resources.get_mut(id).expect("listed");
        let group = res["Properties"]["GroupDescription"]
            .as_str()
            .unwrap_or(id)
            .to_string();
        let mut open80 = false;
        for (key, way) in [
            ("SecurityGroupIngress", "into"),
            ("SecurityGroupEgress", "out of"),
        ] {
            if let Some(rules) = res["Properties"][key].as_array_mut() {
                for rule in rules {
                    if rule["CidrIp"] == "0.0.0.0/0"
                        && rule["FromPort"] == json!(80)
                        && key == "SecurityGroupIngress"
                    {
                        open80 = true;
                    }
                    if rule.get("Description").is_none() {
                        let port = port_text(&rule["FromPort"]);
                        let from = if rule.get("SourceSecurityGroupId").is_some() {
                            "the source security group".to_string()
                        } else if rule["CidrIp"] == "0.0.0.0/0" {
                            "anywhere".to_string()
                        } else {
                            "the VPC".to_string()
                        };
                        rule["Description"] =
                            json!(format!("{group}: port {port} {way} it from {from}"));
                    }
                }
            }
        }
        if open80 {
            skip(
                res,
                "CKV_AWS_260",
                "port 80 is open to the internet only to redirect to HTTPS",
            );
        }
    }

    /// A design bucket: KMS encryption with the stack key, versioning,
    /// access logs to the log bucket and a TLS-only policy. The log bucket
    /// is written by [`Self::log_bucket`].
    fn harden_bucket(&mut self, id: &str) {
        let res = self.resources.get_mut(id).expect("listed");
        let p = props_mut(res);
        p.insert(
            "VersioningConfiguration".into(),
            json!({"Status": "Enabled"}),
        );
        p.insert(
            "BucketEncryption".into(),
            json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn()}, "BucketKeyEnabled": true}]}),
        );
        p.insert(
            "LoggingConfiguration".into(),
            json!({"DestinationBucketName": r(LOG_BUCKET), "LogFilePrefix": format!("s3/{id}/")}),
        );
        // S3 delivers server access logs under the log bucket's policy.
        depends_on(res, LOG_BUCKET_POLICY);
        self.tls_only(id);
    }

    /// Denies every request to the bucket that does not use TLS: added
    /// to the bucket's policy, or a policy of its own.
    fn tls_only(&mut self, bucket: &str) {
        let deny = json!({"Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [ga(bucket, "Arn"), sub(&format!("${{{bucket}.Arn}}/*"))],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let existing = self.resources.iter().find_map(|(id, r)| {
            (r["Type"] == "AWS::S3::BucketPolicy" && r["Properties"]["Bucket"] == ref_to(bucket))
                .then(|| id.clone())
        });
        match existing {
            Some(policy) => {
                if let Some(st) =
                    self.resources[&policy]["Properties"]["PolicyDocument"]["Statement"]
                        .as_array()
                        .cloned()
                {
                    let mut st = st;
                    st.insert(0, deny);
                    self.resources.get_mut(&policy).expect("found")["Properties"]["PolicyDocument"]
                        ["Statement"] = Value::Array(st);
                }
            }
            None => self.add(
                format!("{bucket}Policy"),
                json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": r(bucket),
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [deny]}}}),
            ),
        }
    }

    /// The stages of the APIs: (stage, api, HTTP API?). SAM's APIs write
    /// their stage themselves, so the API resource takes the settings.
    fn api_stages(&self, types: &BTreeMap<String, String>) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        for (id, ty) in types {
            match ty.as_str() {
                "AWS::ApiGateway::Stage" => {
                    let api = self.resources[id]["Properties"]["RestApiId"]["Ref"]
                        .as_str()
                        .unwrap_or(id);
                    out.push((id.clone(), api.to_string(), false));
                }
                "AWS::ApiGatewayV2::Stage" => {
                    let api = self.resources[id]["Properties"]["ApiId"]["Ref"]
                        .as_str()
                        .unwrap_or(id);
                    out.push((id.clone(), api.to_string(), true));
                }
                "AWS::Serverless::Api" => out.push((id.clone(), id.clone(), false)),
                "AWS::Serverless::HttpApi" => out.push((id.clone(), id.clone(), true)),
                _ => {}
            }
        }
        out
    }

    /// REST APIs write access logs with the account's API Gateway role.
    fn api_account(&mut self) {
        self.add(
            API_LOG_ROLE.into(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": iam::trust("apigateway.amazonaws.com"),
                "ManagedPolicyArns": [managed("service-role/AmazonAPIGatewayPushToCloudWatchLogs")]}}),
        );
        self.add(
            API_ACCOUNT.into(),
            json!({"Type": "AWS::ApiGateway::Account", "Properties": {"CloudWatchRoleArn": ga(API_LOG_ROLE, "Arn")}}),
        );
        for (id, r) in self.resources.iter_mut() {
            if matches!(
                r["Type"].as_str(),
                Some("AWS::ApiGateway::Stage" | "AWS::Serverless::Api")
            ) && id != API_ACCOUNT
            {
                depends_on(r, API_ACCOUNT);
            }
        }
    }

    fn harden_function(&mut self, id: &str) {
        let sam = self.resources[id]["Type"] == "AWS::Serverless::Function";
        let has_env = lambda::ENVIRONMENT
            .in_value(&self.resources[id]["Properties"])
            .is_some()
            || (sam
                && self
                    .globals
                    .get("Function")
                    .and_then(|f| lambda::ENVIRONMENT.in_value(f))
                    .is_some());
        let in_vpc = self.resources[id]["Properties"].get("VpcConfig").is_some();
        let dlq = self.resources[id]["Properties"]
            .get("DeadLetterConfig")
            .is_some()
            || self.resources[id]["Properties"]
                .get("DeadLetterQueue")
                .is_some();
        let reserved = lambda::RESERVED_CONCURRENCY
            .in_value(&self.resources[id]["Properties"])
            .is_some();
        let res = self.resources.get_mut(id).expect("listed");
        if has_env {
            props_mut(res).insert("KmsKeyArn".into(), key_arn());
        }
        if !in_vpc {
            skip(
                res,
                "CKV_AWS_117",
                "outside a VPC by design: the function reaches only AWS APIs, which a VPC would need endpoints or a NAT gateway for",
            );
        }
        if !dlq {
            skip(
                res,
                "CKV_AWS_116",
                "the design gives this function no dead-letter target; add a dead-letter connection to a queue for one",
            );
        }
        if !reserved {
            skip(
                res,
                "CKV_AWS_115",
                "reserved concurrency is a capacity decision the design leaves to the account's pool",
            );
        }
        if !has_env {
            skip(res, "CKV_AWS_173", "no environment variables to encrypt");
        }
    }

    /// The log bucket and its policy: ALB log delivery, S3 server access
    /// logging, TLS only.
    fn log_bucket(&mut self) {
        let mut res = json!({"Type": "AWS::S3::Bucket", "Properties": {
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {"Rules": [{"Id": "ExpireLogs", "Status": "Enabled",
                "ExpirationInDays": LOG_DAYS, "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]}}});
        skip(
            &mut res,
            "CKV_AWS_18",
            "this is the stack's access-log bucket; logging it into itself would loop",
        );
        skip(
            &mut res,
            "CKV_AWS_145",
            "load balancer and S3 access logs can only be written to SSE-S3 buckets, not SSE-KMS",
        );
        self.add(LOG_BUCKET.into(), res);
        let mut mapping = Map::new();
        for (region, account) in ELB_LOG_ACCOUNTS {
            mapping.insert((*region).into(), json!({"Account": account}));
        }
        self.mappings
            .insert(ELB_ACCOUNTS.into(), Value::Object(mapping));
        self.add(
            LOG_BUCKET_POLICY.into(),
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": r(LOG_BUCKET),
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [ga(LOG_BUCKET, "Arn"), sub(&format!("${{{LOG_BUCKET}.Arn}}/*"))],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                    {"Sid": "LoadBalancerLogs", "Effect": "Allow",
                     "Principal": {"AWS": {"Fn::Sub": ["arn:${AWS::Partition}:iam::${Account}:root",
                        {"Account": {"Fn::FindInMap": [ELB_ACCOUNTS, {"Ref": "AWS::Region"}, "Account"]}}]}},
                     "Action": "s3:PutObject",
                     "Resource": sub(&format!("${{{LOG_BUCKET}.Arn}}/*/AWSLogs/${{AWS::AccountId}}/*"))},
                    {"Sid": "S3ServerAccessLogs", "Effect": "Allow",
                     "Principal": {"Service": "logging.s3.amazonaws.com"},
                     "Action": "s3:PutObject", "Resource": sub(&format!("${{{LOG_BUCKET}.Arn}}/s3/*")),
                     "Condition": {"StringEquals": {"aws:SourceAccount": r("AWS::AccountId")}}}]}}}),
        );
    }

    /// Each role (and SAM function) that reads or writes an encrypted
    /// resource of the stack may use the stack key, and only it.
    fn grant_key_to_roles(&mut self) {
        let encrypted: BTreeSet<String> = self
            .resources
            .iter()
            .filter(|(_, r)| r["Type"].as_str().is_some_and(|t| ENCRYPTED.contains(&t)))
            .map(|(id, _)| id.clone())
            .collect();
        let statement = json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": key_arn()});
        for (id, r) in self.resources.iter_mut() {
            let mut named = BTreeSet::new();
            match r["Type"].as_str() {
                Some("AWS::IAM::Role") => names(&r["Properties"]["Policies"], &mut named),
                Some("AWS::Serverless::Function") => names(&r["Properties"], &mut named),
                _ => continue,
            }
            if id == LOG_BUCKET || named.is_disjoint(&encrypted) {
                continue;
            }
            if r["Type"] == "AWS::IAM::Role" {
                let policies = props_mut(r).entry("Policies").or_insert_with(|| json!([]));
                if let Some(list) = policies.as_array_mut() {
                    list.push(json!({"PolicyName": "StackKey", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement.clone()]}}));
                }
            } else {
                let policies = props_mut(r).entry("Policies").or_insert_with(|| json!([]));
                if let Some(list) = policies.as_array_mut() {
                    list.push(json!({"Version": "2012-10-17", "Statement": [statement.clone()]}));
                }
            }
        }
    }

    /// The services whose resources of this stack the key encrypts (log
    /// groups aside: CloudWatch Logs uses the key as itself), by their
    /// endpoint prefix: the key's users may use it through these only.
    fn key_services(&self) -> BTreeSet<&'static str> {
        self.resources
            .values()
            .filter(|r| {
                // What it encrypts with the key, not a SAM function's
                // grant of the key in its `Policies`.
                let mut named = BTreeSet::new();
                if let Some(p) = r["Properties"].as_object() {
                    p.iter()
                        .filter(|(k, _)| k.as_str() != "Policies")
                        .for_each(|(_, v)| names(v, &mut named));
                }
                named.contains(STACK_KEY)
            })
            .filter_map(|r| match r["Type"].as_str()? {
                "AWS::SQS::Queue" => Some("sqs"),
                "AWS::SNS::Topic" => Some("sns"),
                "AWS::Kinesis::Stream" => Some("kinesis"),
                "AWS::DynamoDB::Table" => Some("dynamodb"),
                "AWS::S3::Bucket" => Some("s3"),
                "AWS::SecretsManager::Secret" => Some("secretsmanager"),
                "AWS::ECR::Repository" => Some("ecr"),
                "AWS::EKS::Cluster" => Some("eks"),
                "AWS::Lambda::Function" | "AWS::Serverless::Function" => Some("lambda"),
                _ => None,
            })
            .collect()
    }

    /// The stack's key: administered by the account; used by the stack's
    /// roles (the only ones its template allows the key, each on this key
    /// alone) through the services of the resources it encrypts, never
    /// directly (`kms:ViaService`); and by the AWS services that write
    /// into the stack's encrypted resources on its behalf (this account
    /// only). The key policy cannot name the roles themselves: each role's
    /// policy names the resources the key encrypts, so the key would
    /// depend on the roles and the roles on the key (a circular
    /// dependency CloudFormation refuses).
    fn stack_key(&mut self, logs: bool, services: &BTreeSet<&str>) {
        let mut statements = vec![json!({"Sid": "AccountAdministersTheKey", "Effect": "Allow",
            "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
            "Action": KEY_ADMINISTRATION, "Resource": "*"})];
        let via = self.key_services();
        if !via.is_empty() {
            statements.push(json!({"Sid": "StackRolesUseTheKeyThroughTheStacksServices", "Effect": "Allow",
                "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:CallerAccount": r("AWS::AccountId"),
                    "kms:ViaService": via.iter().map(|s| sub(&format!("{s}.${{AWS::Region}}.amazonaws.com"))).collect::<Vec<_>>()}}}));
        }
        if logs {
            statements.push(json!({"Sid": "CloudWatchLogsEncryptsLogGroups", "Effect": "Allow",
                "Principal": {"Service": sub("logs.${AWS::Region}.amazonaws.com")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*")}}}));
        }
        if !services.is_empty() {
            statements.push(
                json!({"Sid": "ServicesWriteEncryptedMessages", "Effect": "Allow",
                "Principal": {"Service": services.iter().collect::<Vec<_>>()},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": r("AWS::AccountId")}}}),
            );
        }
        self.add(
            STACK_KEY.into(),
            json!({"Type": "AWS::KMS::Key", "Properties": {
                "Description": sub("${AWS::StackName}: encrypts the stack's queues, topics, streams, tables, buckets, repositories and logs"),
                "EnableKeyRotation": true,
                "KeyPolicy": {"Version": "2012-10-17", "Statement": statements}}}),
        );
    }
}

/// What the account may do to administer the key (AWS's default key
/// policy for key administrators), without `kms:*`.
const KEY_ADMINISTRATION: &[&str] = &[
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];

/// Adds `id` to a resource's `DependsOn`.
fn depends_on(resource: &mut Value, id: &str) {
    let mut depends = match resource.get("DependsOn") {
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
        None => vec![],
    };
    if !depends.iter().any(|d| d == id) {
        depends.push(json!(id));
    }
    resource["DependsOn"] = Value::Array(depends);
}

/// `Ref` to `id` (where `r` names a resource in the closure).
fn ref_to(id: &str) -> Value {
    r(id)
}

fn port_text(port: &Value) -> String {
    match port {
        Value::Number(n) if n.as_i64() == Some(-1) => "all".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => "all".into(),
    }
}
