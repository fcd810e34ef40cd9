//! CloudFront distributions: S3 origins behind origin access control,
//! ALB and API Gateway origins, and path behaviours from routes.

use archsim_model::component::*;
use archsim_model::connection::ConditionField;
use archsim_model::{Component, ConnectionKind, Props};
use serde_json::{Value, json};

use super::*;
use crate::names::kebab;
use crate::properties::cloudfront;

impl<'a> Ctx<'a> {
    pub(super) fn cloudfront(
        &mut self,
        c: &Component,
        id: &str,
        p: &archsim_model::component::CloudFrontProps,
    ) {
        // Managed cache and origin request policies (AWS documents the ids).
        const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
        const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
        const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
        let mut origins = Vec::new();
        let mut behaviors = Vec::new();
        let mut default = None;
        for (conn, to) in self.d.outgoing(&c.id) {
            let tid = self.id(&to.id);
            let (origin, is_static) = match &to.props {
                Props::S3Bucket(_) => {
                    let oac = format!("{id}{tid}AccessControl");
                    self.add(
                        oac.clone(),
                        json!({"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {"OriginAccessControlConfig": {
                            "Name": sub(&format!("${{AWS::StackName}}-{}", kebab(&to.name))),
                            "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}}}),
                    );
                    self.add(
                        format!("{tid}From{id}Policy"),
                        json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
                            "Bucket": r(&tid),
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Action": "s3:GetObject", "Resource": self.bucket_objects_arn(to),
                                "Condition": {"StringEquals": {"AWS:SourceArn": sub(&format!(
                                    "arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{id}}}"))}}}]}}}),
                    );
                    (
                        json!({"Id": tid, "DomainName": ga(&tid, "RegionalDomainName"),
                        "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": ga(&oac, "Id")}),
                        true,
                    )
                }
                Props::Alb(_) => (
                    json!({"Id": tid, "DomainName": ga(&tid, "DNSName"),
                    "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}),
                    false,
                ),
                Props::ApiGateway(api) => {
                    let mut o = json!({"Id": tid,
                        "DomainName": sub(&format!("${{{tid}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}")),
                        "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}});
                    if api.api_type == ApiType::Rest {
                        o["OriginPath"] = json!(format!("/{}", api.stage_name));
                    }
                    (o, false)
                }
                Props::Client(_)
                | Props::CloudFront(_)
                | Props::Nlb(_)
                | Props::Clb(_)
                | Props::Cognito(_)
                | Props::Secret(_)
                | Props::Lex(_)
                | Props::Alexa(_)
                | Props::SqsQueue(_)
                | Props::SnsTopic(_)
                | Props::EventBridgeRule(_)
                | Props::EventBus(_)
                | Props::EventBridgePipe(_)
                | Props::KinesisStream(_)
                | Props::Firehose(_)
                | Props::DynamoDbTable(_)
                | Props::AuroraServerless(_)
                | Props::Rds(_)
                | Props::LambdaFunction(_)
                | Props::StepFunctions(_)
                | Props::Ec2Instance(_)
                | Props::EcsCluster(_)
                | Props::EcsService(_)
                | Props::TaskDefinition(_)
                | Props::Fargate(_)
                | Props::FargateSpot(_)
                | Props::Ec2AutoScalingGroup(_)
                | Props::EksCluster(_)
                | Props::EksNodeGroup(_)
                | Props::EksFargateProfile(_)
                | Props::EksWorkload(_)
                | Props::EcrRepository(_)
                | Props::ExternalRegistry(_)
                | Props::IamRole(_)
                | Props::VpcEndpoint(_)
                | Props::Generic(_) => {
                    self.notes.push(format!(
                        "{} -> {}: this origin is not exported",
                        c.name, to.name
                    ));
                    continue;
                }
            };
            origins.push(origin);
            let mut behavior = json!({"TargetOriginId": tid, "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": if is_static { CACHING_OPTIMIZED } else { CACHING_DISABLED }});
            if !is_static {
                behavior["AllowedMethods"] =
                    json!(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]);
                behavior["OriginRequestPolicyId"] = json!(ALL_VIEWER_EXCEPT_HOST);
            }
            let paths: Vec<String> = match &conn.kind {
                ConnectionKind::Route { conditions, .. } => conditions
                    .iter()
                    .filter(|c| c.field == ConditionField::PathPattern)
                    .flat_map(|c| c.values.clone())
                    .collect(),
                _ => Vec::new(),
            };
            if paths.is_empty() && default.is_none() {
                default = Some(behavior);
            } else {
                for path in paths {
                    let mut b = behavior.clone();
                    b["PathPattern"] = json!(path);
                    behaviors.push(b);
                }
            }
        }
        let default = default.or_else(|| {
            behaviors.first().map(|b| {
                let mut b = b.clone();
                if let Some(m) = b.as_object_mut() {
                    m.shift_remove("PathPattern");
                }
                b
            })
        });
        let Some(default) = default else {
            self.notes.push(format!(
                "{}: a distribution needs an origin; none is connected",
                c.name
            ));
            return;
        };
        let mut props = object(json!({"DistributionConfig": {"Enabled": true}}));
        cloudfront::PRICE_CLASS.put(&mut props, p);
        if let Some(Value::Object(config)) = props.get_mut("DistributionConfig") {
            config.extend(object(json!({"HttpVersion": "http2and3",
                "Origins": origins, "DefaultCacheBehavior": default})));
            if !behaviors.is_empty() {
                config.insert("CacheBehaviors".into(), Value::Array(behaviors));
            }
        }
        self.add(
            id.into(),
            json!({"Type": "AWS::CloudFront::Distribution", "Properties": props}),
        );
        self.outputs.insert(
            format!("{id}DomainName"),
            json!({"Description": format!("Domain name of {}", c.name), "Value": ga(id, "DomainName")}),
        );
    }
}
